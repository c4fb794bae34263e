import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('guardSinks for every way a module is loaded', () => {
  it('ESM named imports (taken before the guard), default imports and require are all guarded, and unwrapped', () => {
    const fixture = fileURLToPath(new URL('./fixtures/module-forms.ts', import.meta.url));
    const output = execFileSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({
      esmNamed: 'SECMON_ERR_BLOCKED',
      esmDefault: 'SECMON_ERR_BLOCKED',
      esmPromises: 'SECMON_ERR_BLOCKED',
      commonJs: 'SECMON_ERR_BLOCKED',
      commonJsChildProcess: 'SECMON_ERR_BLOCKED',
      esmChildProcess: 'SECMON_ERR_BLOCKED',
      afterUnwrap: 'ran',
    });
  });
});
