// `npm run eval:detection [corpus-dir] [--misses] [--json]`: scores the path-traversal and
// command-injection detectors on the labelled dev corpus and on the hand-written held-out fixtures.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { sanitizeText } from '../src/index.js';
import {
  type Counts,
  falsePositiveRateOf,
  KINDS,
  type KindScore,
  type LabelledInput,
  loadCorpus,
  loadFixture,
  recallOf,
  score,
  throughput,
} from './lib/detection-scoring.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS_FILE = 'detection-dev.jsonl';
const DEFAULT_CORPUS_DIR = resolve(projectRoot, '..', 'shared', 'corpus');
const DEFAULT_FIXTURES = join(projectRoot, 'test', 'fixtures', 'detect');
const FIXTURE_FILE = 'path-traversal.attack.txt';
// How long each throughput measurement runs, ms.
const THROUGHPUT_MS = 400;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    misses: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'Usage: npm run eval:detection -- [dir] [--misses] [--json]\n' +
      `  dir       a directory holding ${CORPUS_FILE} (the dev corpus, scored with the held-out fixtures\n` +
      '            of test/fixtures/detect), or a directory of held-out fixtures (scored alone).\n' +
      `            Default: the dev corpus in ${DEFAULT_CORPUS_DIR} when it exists, else the fixtures alone.\n` +
      '  --misses  list every missed attack and every false positive\n' +
      '  --json    print the figures as one JSON object instead of tables\n',
  );
  process.exit(0);
}

// The held-out fixtures are in the repository; the dev corpus (OWASP CRS regression tests, see
// test/fixtures/detect/README.md) is not, so a clone scores the fixtures alone.
let corpusFile: string | undefined;
let fixturesDir = DEFAULT_FIXTURES;
if (positionals[0] !== undefined) {
  const dir = resolve(positionals[0]);
  if (existsSync(join(dir, CORPUS_FILE))) corpusFile = join(dir, CORPUS_FILE);
  else if (existsSync(join(dir, FIXTURE_FILE))) fixturesDir = dir;
  else {
    process.stderr.write(
      `eval:detection: ${dir} holds neither a dev corpus (${join(dir, CORPUS_FILE)}) nor held-out fixtures (${join(dir, FIXTURE_FILE)} and the others)\n` +
        'Pass the directory that holds one of them: npm run eval:detection -- /path/to/corpus, or npm run eval:detection -- test/fixtures/detect\n',
    );
    process.exit(2);
  }
} else if (existsSync(join(DEFAULT_CORPUS_DIR, CORPUS_FILE))) {
  corpusFile = join(DEFAULT_CORPUS_DIR, CORPUS_FILE);
}

const corpus = corpusFile === undefined ? [] : loadCorpus(corpusFile);
function fixtureSet(suffix: string): LabelledInput[] {
  const file = (name: string) => join(fixturesDir, `${name}${suffix}.txt`);
  return [
    ...loadFixture(file('path-traversal.attack'), 'path_traversal', true, `pt-attack${suffix}`),
    ...loadFixture(file('benign'), 'path_traversal', false, `benign${suffix}`),
    ...loadFixture(file('command-injection.attack'), 'command_injection', true, `ci-attack${suffix}`),
    ...loadFixture(file('benign'), 'command_injection', false, `benign${suffix}`),
  ];
}
const fixtures = fixtureSet('');
const blind = fixtureSet('-2');

// A progress bar on stderr, shown only when the run takes more than a moment and stderr is a terminal.
const PROGRESS_UNITS_PER_MEASUREMENT = 100;
const measuredSets = corpusFile === undefined ? 2 : 3;
const totalUnits =
  corpus.length +
  fixtures.length +
  blind.length +
  measuredSets * KINDS.length * PROGRESS_UNITS_PER_MEASUREMENT;
const startedAt = Date.now();
let done = 0;
let bar: cliProgress.SingleBar | undefined;
function advance(units = 1): void {
  done += units;
  if (!bar && process.stderr.isTTY && Date.now() - startedAt > 250) {
    bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'eval:detection [{bar}] {percentage}% {phase}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalUnits, done, { phase: '' });
  }
  bar?.update(Math.min(done, totalUnits));
}
function phase(name: string): void {
  bar?.update(done, { phase: name });
}

interface SetReport {
  scores: KindScore[];
  throughput: Record<string, { mbPerSecond: number; nsPerInput: number }>;
}

function evaluate(label: string, inputs: LabelledInput[]): SetReport {
  const scores = KINDS.map((kind) => {
    phase(`${label}: ${kind}`);
    return score(kind, inputs, () => advance());
  });
  const speeds: SetReport['throughput'] = {};
  for (const kind of KINDS) {
    phase(`${label}: ${kind} throughput`);
    let credited = 0;
    speeds[kind] = throughput(
      kind,
      inputs.filter((input) => input.kind === kind).map((input) => input.payload),
      THROUGHPUT_MS,
      (elapsedMs) => {
        const units = Math.min(PROGRESS_UNITS_PER_MEASUREMENT, Math.floor((elapsedMs / THROUGHPUT_MS) * 100));
        advance(units - credited);
        credited = units;
      },
    );
    advance(PROGRESS_UNITS_PER_MEASUREMENT - credited);
  }
  return { scores, throughput: speeds };
}

const dev = corpusFile === undefined ? undefined : evaluate('dev corpus', corpus);
const heldOut = evaluate('held-out fixtures', fixtures);
const heldOutBlind = evaluate('held-out set 2', blind);
bar?.stop();

if (values.json) {
  const summary = (report: SetReport) =>
    Object.fromEntries(
      report.scores.map((s) => [
        s.kind,
        {
          recall: round(s.recall),
          falsePositiveRate: round(s.falsePositiveRate),
          ...s.counts,
          mbPerSecond: round(report.throughput[s.kind]!.mbPerSecond, 1),
          nsPerInput: Math.round(report.throughput[s.kind]!.nsPerInput),
          breakdowns: s.breakdowns,
        },
      ]),
    );
  process.stdout.write(
    `${JSON.stringify({
      corpus: corpusFile ?? null,
      fixtures: fixturesDir,
      dev: dev === undefined ? null : summary(dev),
      heldOut: summary(heldOut),
      heldOutBlind: summary(heldOutBlind),
    })}\n`,
  );
  process.exit(0);
}

const out: string[] = [];
out.push(
  corpusFile === undefined
    ? `Dev corpus: none (not in the repository; pass the directory holding ${CORPUS_FILE} to score it, see test/fixtures/detect/README.md)`
    : `Dev corpus: ${corpusFile} (${corpus.length} rows, OWASP CRS regression tests)`,
);
out.push(`Held-out fixtures: ${fixturesDir}, hand-written in the styles of public payload lists:`);
out.push(
  `  set 1 (${fixtures.length} scored inputs): written before the detectors; its errors were read twice`,
);
out.push(`  set 2 (${blind.length} scored inputs): written after the detectors, scored once, never tuned on`);
out.push('Goal per kind on unseen inputs: recall >= 95% with a false-positive rate <= 1%.');
if (dev !== undefined) section('DEV CORPUS', dev, ['location', 'CRS paranoia level']);
section('HELD-OUT FIXTURES, SET 1', heldOut, ['category']);
section('HELD-OUT FIXTURES, SET 2 (BLIND)', heldOutBlind, ['category']);
process.stdout.write(`${out.join('\n')}\n`);

function section(title: string, report: SetReport, breakdowns: string[]): void {
  out.push('', `== ${title} ==`);
  out.push(
    row(
      ['kind', 'recall', 'FP rate', 'TP', 'FN', 'FP', 'TN', 'MB/s', 'ns/input'],
      [18, 18, 16, 5, 5, 5, 5, 7, 9],
    ),
  );
  for (const s of report.scores) {
    const speed = report.throughput[s.kind]!;
    const { tp, fn, fp, tn } = s.counts;
    out.push(
      row(
        [
          s.kind,
          `${percent(s.recall)} (${tp}/${tp + fn})`,
          `${percent(s.falsePositiveRate)} (${fp}/${fp + tn})`,
          tp,
          fn,
          fp,
          tn,
          speed.mbPerSecond.toFixed(1),
          Math.round(speed.nsPerInput),
        ],
        [18, 18, 16, 5, 5, 5, 5, 7, 9],
      ),
    );
  }
  for (const s of report.scores) {
    for (const name of breakdowns) {
      const table = s.breakdowns[name];
      if (!table) continue;
      out.push('', `${s.kind} by ${name}:`);
      out.push(row(['  value', 'attacks', 'recall', 'benign', 'FP rate'], [24, 9, 9, 8, 9]));
      for (const [value, counts] of Object.entries(table).sort((a, b) => total(b[1]) - total(a[1]))) {
        out.push(
          row(
            [
              `  ${value}`,
              counts.tp + counts.fn,
              percent(recallOf(counts)),
              counts.fp + counts.tn,
              percent(falsePositiveRateOf(counts)),
            ],
            [24, 9, 9, 8, 9],
          ),
        );
      }
    }
    if (values.misses && s.misses.length > 0) {
      out.push('', `${s.kind} misses (FN: attack not detected, FP: benign input flagged):`);
      for (const miss of s.misses) {
        const where = Object.values(miss.groups).join(', ');
        const rule = miss.rule ? ` [${miss.rule}]` : '';
        out.push(
          `  ${miss.attack ? 'FN' : 'FP'} ${miss.id} (${where})${rule}: ${sanitizeText(miss.payload, 160)}`,
        );
      }
    }
  }
}

function total(counts: Counts): number {
  return counts.tp + counts.fn + counts.fp + counts.tn;
}

function percent(value: number): string {
  return Number.isNaN(value) ? '-' : `${(value * 100).toFixed(1)}%`;
}

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function row(cells: Array<string | number>, widths: number[]): string {
  return cells
    .map((cell, i) => String(cell).padEnd(widths[i] ?? 8))
    .join(' ')
    .trimEnd();
}
