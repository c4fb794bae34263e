import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFixtureLines } from '../scripts/lib/detection-scoring.js';
import { detectCommandInjection, detectPathTraversal, type Finding } from '../src/index.js';
import { median } from './stats.js';

/** MB/s (10^6 bytes of UTF-8 per second) and ns per input of one detector on one input set. */
export interface Speed {
  mbPerSecond: number;
  nsPerInput: number;
}

/** Figures for the detectors; see the README's "Detectors" section for what each one measures. */
export interface DetectBench {
  /** The input sets the throughput is measured on. */
  inputs: Record<'mixed' | 'benign' | 'attacks' | 'longValues', { count: number; meanLength: number }>;
  /** Throughput per detector and input set. */
  pathTraversal: Record<'mixed' | 'benign' | 'attacks' | 'longValues', Speed>;
  commandInjection: Record<'mixed' | 'benign' | 'attacks' | 'longValues', Speed>;
  /** ms to inspect 1 MiB of each adversarial shape, per detector, and the worst of them. */
  adversarialMs: {
    pathTraversal: Record<string, number>;
    commandInjection: Record<string, number>;
    worstPathTraversal: number;
    worstCommandInjection: number;
  };
  /** ms for one plain `charCodeAt` pass over 1 MiB on this machine: the yardstick for the above. */
  baselinePassMs: number;
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'detect');

// Each line as its own flat string, as HTTP parsing, JSON.parse or decodeURIComponent hand them over
// (a substring of a large two-byte file is several times slower to read in V8).
function lines(file: string): string[] {
  return readFixtureLines(join(fixtures, file)).map(({ payload }) => payload);
}

// Longer values a request guard also sees: headers, cookies, JSON bodies, long URLs, paragraphs.
const LONG_VALUES = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0',
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  'session=eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOjQyfQ.c2lnbmF0dXJl; theme=dark; _ga=GA1.2.1234567890.1700000000; consent=analytics%3Dfalse%26ads%3Dfalse',
  'https://shop.example.com/search?q=running+shoes&brand=acme&brand=zoom&size=42&color=blue&sort=price_asc&page=3&utm_source=newsletter&utm_medium=email',
  '{"order":{"id":"ord_8f3a2b","items":[{"sku":"TS-42-BLU","qty":2,"price":19.99},{"sku":"CAP-01","qty":1,"price":9.5}],"shipping":{"name":"Jane O\'Brien","street":"12 Rue de la Paix","city":"Paris","zip":"75002"},"note":"Leave at the door; ring twice & wait"}}',
  'We moved the stand-up to 10:30 (room 4B) because of the all-hands; bring your laptop, charger & notes. Questions? Ask Sam | Alex | Priya on #team-platform.',
  'Le rapport trimestriel (T3) montre une hausse de 12 % ; les coûts — énergie & transport — restent élevés. Prochaine revue : jeudi à 14 h.',
  'deploy-prod-eu-west-1 / nightly-build #4521 (main@8f3a2b1) — 2024-05-01T02:00:00Z — status: success, duration 12m31s, artifacts: 3',
  '/api/v2/projects/42/repositories/secmon/files/src%2Fdetect%2Fpath-traversal.ts/raw?ref=main&inline=false',
  'C:\\Users\\Public\\Documents\\Reports\\2023\\Q4 Financial Summary (final) v3.xlsx',
];

/**
 * The input sets. `benign`: every benign fixture line (both held-out sets: file paths, URLs, prose,
 * job names, JSON values, many of them built to look like shell or path syntax). `attacks`: every
 * attack fixture line of both kinds. `longValues`: the long header and body values above. `mixed`: the
 * benign lines and the long values (three times), plus attacks making up one input in ten.
 */
function inputSets(): Record<'mixed' | 'benign' | 'attacks' | 'longValues', string[]> {
  const benign = [...lines('benign.txt'), ...lines('benign-2.txt')];
  const attacks = [
    ...lines('path-traversal.attack.txt'),
    ...lines('command-injection.attack.txt'),
    ...lines('path-traversal.attack-2.txt'),
    ...lines('command-injection.attack-2.txt'),
  ];
  const longValues = LONG_VALUES.map(flat);
  const ordinary = [...benign, ...longValues, ...longValues, ...longValues];
  const attackCount = Math.round(ordinary.length / 9);
  const sampled = Array.from({ length: attackCount }, (_, i) => attacks[(i * 7) % attacks.length]!);
  return { mixed: [...ordinary, ...sampled], benign, attacks, longValues };
}

const MIB = 1 << 20;

// Adversarial shapes, 1 MiB each: long runs of the characters the scanners care about, nested
// encodings, and dense alternations that open a new token or command position every few characters.
const ADVERSARIAL: Record<string, string> = {
  dots: '.'.repeat(MIB),
  slashes: '/'.repeat(MIB),
  backslashes: '\\'.repeat(MIB),
  percents: '%'.repeat(MIB),
  dotDotSlash: '../'.repeat(MIB / 3),
  nestedPercent: '%252e%252e%252f'.repeat(MIB / 15),
  overlongUtf8: '%c0%ae%c0%ae%c0%af'.repeat(MIB / 18),
  percentU: '%u2215'.repeat(MIB / 6),
  fullWidthDots: '．'.repeat(MIB),
  twoDotLeaders: '‥'.repeat(MIB),
  dollarParen: '$('.repeat(MIB / 2),
  backticks: '`a'.repeat(MIB / 2),
  ifs: '${IFS}'.repeat(MIB / 6),
  semicolonWord: ';ab'.repeat(MIB / 3),
  pipeWord: '| cat x '.repeat(MIB / 8),
  quotes: '\'a"'.repeat(MIB / 3),
  braces: '{a,'.repeat(MIB / 3),
  parens: '(a'.repeat(MIB / 2),
  segments: 'etc/'.repeat(MIB / 4),
  letters: 'a'.repeat(MIB),
  blankNewlines: '\u00a0\n'.repeat(MIB / 2),
  mixed: '.%2e/..\\%c0%af;|&$(`{,}x'.repeat(MIB / 24),
};

function flat(text: string): string {
  // A real request value is a flat string; `repeat` builds a rope. Round-trip through UTF-8 to flatten.
  return Buffer.from(text, 'utf8').toString('utf8');
}

function throughput(detect: (input: string) => Finding | null, inputs: string[]): Speed {
  let bytes = 0;
  for (const input of inputs) bytes += Buffer.byteLength(input);
  for (let i = 0; i < 20; i++) for (const input of inputs) detect(input); // warm up
  const rounds = Math.max(5, Math.ceil(200_000 / inputs.length));
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const input of inputs) detect(input);
    runs.push(Number(process.hrtime.bigint() - start) / rounds);
  }
  const ns = median(runs);
  return { mbPerSecond: Math.round(bytes / 1e6 / (ns / 1e9)), nsPerInput: Math.round(ns / inputs.length) };
}

function adversarial(detect: (input: string) => Finding | null): Record<string, number> {
  const times: Record<string, number> = {};
  for (const [name, raw] of Object.entries(ADVERSARIAL)) {
    const input = flat(raw);
    detect(input); // warm up
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) {
      // Another value in between: the decoder remembers the last value it decoded (for the second
      // detector of the same value), and each run must pay for the whole inspection.
      detect('%2e');
      const start = process.hrtime.bigint();
      detect(input);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times[name] = Number(median(runs).toFixed(2));
  }
  return times;
}

function baselinePass(): number {
  const input = flat('a'.repeat(MIB));
  const runs: number[] = [];
  let sink = 0;
  for (let run = 0; run < 7; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < input.length; i++) sink += input.charCodeAt(i);
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  if (sink === 0) throw new Error('unreachable');
  return Number(median(runs).toFixed(2));
}

function worst(times: Record<string, number>): number {
  return Math.max(...Object.values(times));
}

export function benchDetect(log: (line: string) => void): DetectBench {
  const sets = inputSets();
  const names = ['mixed', 'benign', 'attacks', 'longValues'] as const;
  const describe = (inputs: string[]) => ({
    count: inputs.length,
    meanLength: Math.round(inputs.reduce((sum, input) => sum + input.length, 0) / inputs.length),
  });
  const speeds = (detect: (input: string) => Finding | null) =>
    Object.fromEntries(
      names.map((name) => [name, throughput(detect, sets[name])]),
    ) as DetectBench['pathTraversal'];
  const pathTraversal = speeds(detectPathTraversal);
  const commandInjection = speeds(detectCommandInjection);
  log(
    `detect: mixed inputs: path traversal ${pathTraversal.mixed.mbPerSecond} MB/s, command injection ${commandInjection.mixed.mbPerSecond} MB/s`,
  );
  const ptTimes = adversarial(detectPathTraversal);
  const ciTimes = adversarial(detectCommandInjection);
  log(`detect: worst 1 MiB adversarial input: ${worst(ptTimes)} ms / ${worst(ciTimes)} ms`);
  return {
    inputs: Object.fromEntries(names.map((name) => [name, describe(sets[name])])) as DetectBench['inputs'],
    pathTraversal,
    commandInjection,
    adversarialMs: {
      pathTraversal: ptTimes,
      commandInjection: ciTimes,
      worstPathTraversal: worst(ptTimes),
      worstCommandInjection: worst(ciTimes),
    },
    baselinePassMs: baselinePass(),
  };
}
