import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/service/settings.js';

const root = resolve(import.meta.dirname, '../..');

/** The README's settings table, generated from the one settings table of the service. */
function settingsTable(): string {
  const rows = SETTINGS.map((s) => {
    const fallback =
      s.defaultText === 'none' || s.defaultText === 'the window' ? s.defaultText : `\`${s.defaultText}\``;
    return `| \`${s.env}\` | \`${s.flag}\` | ${fallback} | ${s.description} |`;
  });
  return ['| environment variable | flag | default | meaning |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** A markdown table without the column padding a formatter adds (`| a   |` -> `| a |`, `| --- |`). */
function unpadded(table: string): string {
  return table
    .split('\n')
    .map((line) =>
      line
        .split('|')
        .map((cell) =>
          /^\s*-+\s*$/.test(cell) ? ' --- ' : cell.trim() === '' ? cell.trim() : ` ${cell.trim()} `,
        )
        .join('|'),
    )
    .join('\n');
}

describe('README', () => {
  it('lists every service setting exactly as the settings table defines it', async () => {
    const readme = await readFile(resolve(root, 'README.md'), 'utf8');
    const between = /<!-- settings-table:start -->\n([\s\S]*?)\n<!-- settings-table:end -->/.exec(
      readme,
    )?.[1];
    // On failure, paste the expected table (printed in the diff) between the two markers and run
    // `npm run format` (biome aligns the columns; the comparison ignores that padding).
    expect(between === undefined ? undefined : unpadded(between)).toBe(settingsTable());
  });

  it('shows the two commands a new user runs, and package.json agrees with them', async () => {
    const readme = await readFile(resolve(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/npm ci && npm start/);
    expect(readme).toMatch(/npm ci && npm test/);
    const manifest = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));
    expect(manifest.scripts.start).toBe('node dist/service/cli.js serve');
    expect(manifest.bin.secmon).toBe('dist/service/cli.js');
  });

  it('runs the secmon command as `npx secmon` wherever it shows one to type (not on PATH in a checkout)', async () => {
    const readme = await readFile(resolve(root, 'README.md'), 'utf8');
    const typed: string[] = [];
    // Shell blocks: every command line.
    for (const block of readme.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
      for (const line of block[1]!.split('\n')) typed.push(line.replace(/\s+#.*$/, ''));
    }
    // Inline code that is a command with arguments (`secmon serve --help`), not the name of one.
    for (const span of readme.matchAll(/`([^`\n]+)`/g)) {
      if (
        /(?:^|\s)(?:secmon|dist\/service\/cli\.js) (?:serve|demo)(?: |$)/.test(span[1]!) &&
        /\s-/.test(span[1]!)
      )
        typed.push(span[1]!);
    }
    const commands = typed.filter((line) =>
      /(?:^|[\s=])(?:secmon|dist\/service\/cli\.js) (?:serve|demo)\b/.test(line),
    );
    expect(commands.length).toBeGreaterThan(2);
    expect(commands.filter((line) => !/(?:^|\s)npx secmon (?:serve|demo)\b/.test(line))).toEqual([]);
  });
});
