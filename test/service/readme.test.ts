import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyMonitor } from '../../src/index.js';
import { SETTINGS } from '../../src/service/settings.js';

const root = resolve(import.meta.dirname, '../..');
/** Where the project lives; package.json's repository, homepage and bugs say the same. */
const REPOSITORY = 'https://github.com/secmon/secmon';

/** GitHub's (and npm's) anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

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

  it('uses only links that work on the package page: absolute URLs and anchors of its own headings', async () => {
    const readme = await readFile(resolve(root, 'README.md'), 'utf8');
    const prose = readme.replace(/```[\s\S]*?```/g, '');
    const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!)));
    const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      if (link.startsWith('#')) {
        expect(anchors.has(link.slice(1)), `no heading for ${link}`).toBe(true);
        continue;
      }
      expect(link, 'a relative link breaks on the package page').toMatch(/^https:\/\//);
      // Links into the repository name a file that exists (on the main branch, as committed here).
      if (link.startsWith(`${REPOSITORY}/blob/main/`)) {
        const path = link.slice(`${REPOSITORY}/blob/main/`.length).split('#')[0]!;
        expect(existsSync(resolve(root, path)), link).toBe(true);
      }
    }
    expect(links).toContain(`${REPOSITORY}/blob/main/docs/existing-prometheus-grafana.md`);
  });

  it('sends users from a configuration error to the Errors section by a link that works anywhere', async () => {
    const readme = await readFile(resolve(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/^## Errors$/m);
    expect(() => new AnomalyMonitor({ maxTrackedIps: 0 })).toThrow(`${REPOSITORY}#errors`);
    const manifest = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));
    expect(manifest.homepage).toBe(`${REPOSITORY}#readme`);
  });
});
