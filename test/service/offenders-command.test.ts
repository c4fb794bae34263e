import { describe, expect, it } from 'vitest';
import type { OffenderJson } from '../../src/index.js';
import { formatOffenders } from '../../src/service/offenders-command.js';

const offender = (overrides: Partial<OffenderJson> = {}): OffenderJson => ({
  key: '203.0.113.7',
  kind: 'address',
  types: ['account_compromise_suspected', 'credential_stuffing'],
  count: 12,
  firstSeen: '2026-03-01T12:00:09.000Z',
  lastSeen: '2026-03-01T12:04:11.500Z',
  alertId: '5f0c2a9d41e8b7c3-1',
  ...overrides,
});

describe('secmon offenders output', () => {
  it('prints one aligned line per offender under a header, dates in UTC to the second', () => {
    const text = formatOffenders([
      offender(),
      offender({ key: 'cfo', kind: 'account', types: ['account_brute_force'], count: 230, alertId: 'b-2' }),
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^KEY\s+KIND\s+TYPES\s+COUNT\s+FIRST SEEN \(UTC\)\s+LAST SEEN \(UTC\)\s+ALERT ID$/,
    );
    expect(lines[1]).toMatch(
      /^203\.0\.113\.7\s+address\s+account_compromise_suspected,credential_stuffing\s+12\s+2026-03-01 12:00:09\s+2026-03-01 12:04:11\s+5f0c2a9d41e8b7c3-1$/,
    );
    expect(lines[2]).toMatch(/^cfo\s+account\s+account_brute_force\s+230\s/);
    // Columns line up: every column starts at the same offset on every line.
    for (const title of ['KIND', 'TYPES', 'FIRST SEEN', 'ALERT ID']) {
      const at = lines[0]!.indexOf(title);
      expect(lines[1]![at - 1], title).toBe(' ');
      expect(lines[2]![at - 1], title).toBe(' ');
      expect(lines[1]![at], title).not.toBe(' ');
    }
    // Counts are right-aligned under their header.
    const countEnd = lines[0]!.indexOf('COUNT') + 'COUNT'.length;
    expect(lines[1]!.slice(countEnd - 2, countEnd)).toBe('12');
    expect(lines[2]!.slice(countEnd - 3, countEnd)).toBe('230');
  });

  it('says so when nobody is attacking', () => {
    expect(formatOffenders([])).toBe('no active offenders\n');
  });

  it('escapes control characters and cuts long keys, so an account name cannot drive the terminal', () => {
    const hostile = `admin\u001b[2J\u001b]0;pwned\u0007${'x'.repeat(100)}`;
    const text = formatOffenders([offender({ key: hostile, kind: 'account' })]);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const key = text.split('\n')[1]!.split(/\s{2,}/)[0]!;
    expect(key.startsWith('admin\\x1b[2J')).toBe(true);
    expect(key).toHaveLength(40);
    expect(key.endsWith('…')).toBe(true);
  });
});
