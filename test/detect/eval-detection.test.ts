import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadFixture, score } from '../../scripts/lib/detection-scoring.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'detect');

function runEval(...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'eval-detection.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('npm run eval:detection', () => {
  it('says where it looked and what to pass when the directory holds neither a corpus nor fixtures, and fails', () => {
    const missing = join(tmpdir(), 'secmon-no-corpus-here');
    const result = runEval(missing);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(join(missing, 'detection-dev.jsonl'));
    expect(result.stderr).toContain(join(missing, 'path-traversal.attack.txt'));
    expect(result.stderr).toContain('npm run eval:detection -- /path/to/corpus');
    expect(result.stderr).toContain('npm run eval:detection -- test/fixtures/detect');
  });

  it("runs from a clone (`-- test/fixtures/detect`, no dev corpus) and reproduces the README's held-out rows", async () => {
    const result = runEval('test/fixtures/detect', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      corpus: string | null;
      dev: unknown;
      heldOut: Record<string, { tp: number; fn: number; fp: number; tn: number }>;
      heldOutBlind: Record<string, { tp: number; fn: number; fp: number; tn: number }>;
    };
    expect(report.corpus).toBeNull();
    expect(report.dev).toBeNull();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const cells = (label: string) =>
      readme
        .split('\n')
        .find((line) => line.startsWith(`| ${label}`))
        ?.split('|')
        .slice(2, 6)
        .map((cell) => cell.trim());
    const figures = (set: typeof report.heldOut) =>
      ['path_traversal', 'command_injection'].flatMap((kind) => {
        const { tp, fn, fp, tn } = set[kind]!;
        const percent = (n: number, d: number) => `${((n / d) * 100).toFixed(1)}%`;
        return [`${percent(tp, tp + fn)} (${tp}/${tp + fn})`, `${percent(fp, fp + tn)} (${fp}/${fp + tn})`];
      });
    expect(cells('held-out set 1')).toEqual(figures(report.heldOut));
    expect(cells('held-out set 2')).toEqual(figures(report.heldOutBlind));
  });

  it('scores the fixtures alone, saying the dev corpus is not in the repository', () => {
    const result = runEval('test/fixtures/detect');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dev corpus: none (not in the repository');
    expect(result.stdout).not.toContain('== DEV CORPUS ==');
    expect(result.stdout).toContain('== HELD-OUT FIXTURES, SET 2 (BLIND) ==');
  });

  it('scores a corpus given on the command line, with per-kind figures and breakdowns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secmon-corpus-'));
    try {
      const rows = [
        {
          id: 'a1',
          kind: 'path_traversal',
          label: 'attack',
          location: 'query',
          crs_rule_pl: 1,
          payload: '../../etc/passwd',
        },
        {
          id: 'b1',
          kind: 'path_traversal',
          label: 'benign',
          location: 'path',
          crs_rule_pl: 1,
          payload: '/css/style.css',
        },
        {
          id: 'a2',
          kind: 'command_injection',
          label: 'attack',
          location: 'body',
          crs_rule_pl: 2,
          payload: ';id',
        },
        {
          id: 'a3',
          kind: 'command_injection',
          label: 'attack',
          location: 'body',
          crs_rule_pl: 2,
          payload: 'visudo',
        },
        {
          id: 'b2',
          kind: 'command_injection',
          label: 'benign',
          location: 'body',
          crs_rule_pl: 1,
          payload: 'Tom & Jerry',
        },
      ];
      writeFileSync(
        join(dir, 'detection-dev.jsonl'),
        `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`,
      );
      const result = runEval(dir, '--misses');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('== DEV CORPUS ==');
      expect(result.stdout).toMatch(/path_traversal\s+100\.0% \(1\/1\)\s+0\.0% \(0\/1\)/);
      expect(result.stdout).toMatch(/command_injection\s+50\.0% \(1\/2\)\s+0\.0% \(0\/1\)/);
      expect(result.stdout).toContain('command_injection by CRS paranoia level:');
      expect(result.stdout).toContain('FN a3 (body, PL2): visudo');
      expect(result.stdout).toContain('== HELD-OUT FIXTURES, SET 1 ==');
      expect(result.stdout).toContain('== HELD-OUT FIXTURES, SET 2 (BLIND) ==');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The dev corpus lives outside the project (a user's clone does not have it): this check runs only
// where it exists.
const corpusFile = resolve(root, '..', 'shared', 'corpus', 'detection-dev.jsonl');
const haveCorpus = existsSync(corpusFile);
if (!haveCorpus) console.log(`skipping the dev-corpus check: no corpus at ${corpusFile}`);

describe.skipIf(!haveCorpus)('detectors on the dev corpus', () => {
  it('flag no benign row and catch at least the recall reached when the detectors were built', () => {
    const rows = loadCorpus(corpusFile);
    const pt = score('path_traversal', rows);
    const ci = score('command_injection', rows);
    expect(pt.counts.fp).toBe(0);
    expect(ci.counts.fp).toBe(0);
    expect(pt.recall).toBeGreaterThanOrEqual(0.93);
    expect(ci.recall).toBeGreaterThanOrEqual(0.8);
  });
});

describe('detectors on the held-out fixtures', () => {
  it('keep recall at least 95% and the false-positive rate at most 1% per kind', () => {
    const benignPt = loadFixture(join(fixtures, 'benign.txt'), 'path_traversal', false, 'benign');
    const benignCi = loadFixture(join(fixtures, 'benign.txt'), 'command_injection', false, 'benign');
    const pt = score('path_traversal', [
      ...loadFixture(join(fixtures, 'path-traversal.attack.txt'), 'path_traversal', true, 'pt'),
      ...benignPt,
    ]);
    const ci = score('command_injection', [
      ...loadFixture(join(fixtures, 'command-injection.attack.txt'), 'command_injection', true, 'ci'),
      ...benignCi,
    ]);
    expect(pt.recall).toBeGreaterThanOrEqual(0.95);
    expect(ci.recall).toBeGreaterThanOrEqual(0.95);
    expect(pt.falsePositiveRate).toBeLessThanOrEqual(0.01);
    expect(ci.falsePositiveRate).toBeLessThanOrEqual(0.01);
  });
});
