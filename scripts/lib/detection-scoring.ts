// Scoring of the detectors against labelled inputs: confusion counts, breakdowns and throughput.
// Pure functions over plain data, shared by `npm run eval:detection` and its tests.
import { readFileSync } from 'node:fs';
import {
  detectCommandInjection,
  detectPathTraversal,
  type Finding,
  type FindingKind,
} from '../../src/index.js';

export const KINDS: readonly FindingKind[] = ['path_traversal', 'command_injection'];

const DETECTORS: Record<FindingKind, (input: string) => Finding | null> = {
  path_traversal: detectPathTraversal,
  command_injection: detectCommandInjection,
};

/** One labelled input. `group` names the breakdown it is counted in (location, paranoia level...). */
export interface LabelledInput {
  id: string;
  kind: FindingKind;
  attack: boolean;
  payload: string;
  groups: Record<string, string>;
}

export interface Counts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

export interface Miss {
  id: string;
  attack: boolean;
  payload: string;
  groups: Record<string, string>;
  rule?: string;
}

export interface KindScore {
  kind: FindingKind;
  counts: Counts;
  recall: number;
  falsePositiveRate: number;
  /** Per breakdown name (e.g. `location`), per value: counts. */
  breakdowns: Record<string, Record<string, Counts>>;
  misses: Miss[];
}

function emptyCounts(): Counts {
  return { tp: 0, fn: 0, fp: 0, tn: 0 };
}

export function recallOf(counts: Counts): number {
  const attacks = counts.tp + counts.fn;
  return attacks === 0 ? Number.NaN : counts.tp / attacks;
}

export function falsePositiveRateOf(counts: Counts): number {
  const benign = counts.fp + counts.tn;
  return benign === 0 ? Number.NaN : counts.fp / benign;
}

function tally(counts: Counts, attack: boolean, detected: boolean): void {
  if (attack) detected ? counts.tp++ : counts.fn++;
  else detected ? counts.fp++ : counts.tn++;
}

/** Runs the detector of `kind` over its inputs; `onProgress` is called after each input. */
export function score(
  kind: FindingKind,
  inputs: readonly LabelledInput[],
  onProgress?: () => void,
): KindScore {
  const detect = DETECTORS[kind];
  const counts = emptyCounts();
  const breakdowns: Record<string, Record<string, Counts>> = {};
  const misses: Miss[] = [];
  for (const input of inputs) {
    if (input.kind !== kind) continue;
    const found = detect(input.payload);
    const detected = found !== null;
    tally(counts, input.attack, detected);
    for (const [name, value] of Object.entries(input.groups)) {
      const table = breakdowns[name] ?? {};
      breakdowns[name] = table;
      const cell = table[value] ?? emptyCounts();
      table[value] = cell;
      tally(cell, input.attack, detected);
    }
    if (detected !== input.attack) {
      const miss: Miss = { id: input.id, attack: input.attack, payload: input.payload, groups: input.groups };
      if (found) miss.rule = found.rule;
      misses.push(miss);
    }
    onProgress?.();
  }
  return {
    kind,
    counts,
    recall: recallOf(counts),
    falsePositiveRate: falsePositiveRateOf(counts),
    breakdowns,
    misses,
  };
}

/** Throughput of the detector of `kind` over `payloads`, MB (10^6 bytes of UTF-8) per second. */
export function throughput(
  kind: FindingKind,
  payloads: readonly string[],
  minimumMs: number,
  onRound?: (elapsedMs: number) => void,
): { mbPerSecond: number; nsPerInput: number } {
  const detect = DETECTORS[kind];
  let bytes = 0;
  for (const payload of payloads) bytes += Buffer.byteLength(payload);
  if (payloads.length === 0) return { mbPerSecond: Number.NaN, nsPerInput: Number.NaN };
  for (const payload of payloads) detect(payload); // warm up
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0;
  do {
    for (const payload of payloads) detect(payload);
    rounds++;
    elapsedNs = Number(process.hrtime.bigint() - start);
    onRound?.(elapsedNs / 1e6);
  } while (elapsedNs < minimumMs * 1e6);
  const seconds = elapsedNs / 1e9;
  return {
    mbPerSecond: (bytes * rounds) / 1e6 / seconds,
    nsPerInput: elapsedNs / (rounds * payloads.length),
  };
}

/**
 * Reads the dev corpus (`detection-dev.jsonl`: one JSON object per line with `id`, `kind`, `label`,
 * `location`, `payload` and `crs_rule_pl`). Throws an Error naming the line of a malformed row.
 */
export function loadCorpus(file: string): LabelledInput[] {
  const rows: LabelledInput[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${file}:${index + 1}: not a JSON object`);
    }
    const { id, kind, label, payload } = row;
    if (
      typeof payload !== 'string' ||
      (kind !== 'path_traversal' && kind !== 'command_injection') ||
      (label !== 'attack' && label !== 'benign')
    ) {
      throw new Error(`${file}:${index + 1}: needs kind, label (attack|benign) and a string payload`);
    }
    const level = row.crs_rule_pl;
    rows.push({
      id: typeof id === 'string' ? id : `line-${index + 1}`,
      kind,
      attack: label === 'attack',
      payload,
      groups: {
        location: typeof row.location === 'string' ? row.location : 'unknown',
        'CRS paranoia level': typeof level === 'number' ? `PL${level}` : 'none given',
      },
    });
  });
  return rows;
}

/**
 * Reads a fixture file: one input per line, taken literally; blank lines and `# ` comments skipped;
 * `#: name` starts a category.
 */
export function loadFixture(
  file: string,
  kind: FindingKind,
  attack: boolean,
  label: string,
): LabelledInput[] {
  return readFixtureLines(file).map(({ line, category, payload }) => ({
    id: `${label}:${line}`,
    kind,
    attack,
    payload,
    groups: { category },
  }));
}

/** One input of a fixture file: its 1-based line number, its `#:` category and the input itself. */
export interface FixtureLine {
  line: number;
  category: string;
  payload: string;
}

/** The inputs of a fixture file (see {@link loadFixture} for the format). */
export function readFixtureLines(file: string): FixtureLine[] {
  const inputs: FixtureLine[] = [];
  let category = 'uncategorised';
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.startsWith('#:')) {
        category = text.slice(2).trim() || 'uncategorised';
        return;
      }
      if (text === '' || text.startsWith('# ')) return;
      // A flat copy: a substring of the (two-byte) file is much slower to read than a request value.
      inputs.push({ line: index + 1, category, payload: Buffer.from(text, 'utf8').toString('utf8') });
    });
  return inputs;
}
