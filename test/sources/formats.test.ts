import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, formatNamed } from '../../src/sources/formats.js';

describe('format registry', () => {
  it('finds the built-in formats by name', () => {
    for (const name of FORMAT_NAMES) expect(formatNamed(name).name).toBe(name);
    expect(FORMAT_NAMES).toContain('sshd');
  });

  it('an unknown format names the known ones and suggests the closest', () => {
    expect(() => formatNamed('shd')).toThrow(
      /format must be one of "sshd".*\(got "shd"\); did you mean "sshd"\?/,
    );
    expect(() => formatNamed('xml', { setting: '--format' })).toThrow(
      /--format must be one of .*\(got "xml"\) \[/,
    );
  });
});
