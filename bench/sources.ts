// Log replay next to the tools people use on logs today, on the same generated files in the same
// run: 1M lines of Debian auth.log and 1M lines of nginx access log (test/support's generators),
// read by `secmon replay`, `fail2ban-regex`, CrowdSec's replay and mtail. A tool that is not
// installed is reported as skipped. Then the agreement of each with the truth (bench/agreement.ts).
//
//   npm run bench -- sources      this and the agreement only
//   npm run bench -- agreement    the agreement only (about a minute)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamSshdLog } from '../test/support/auth-log-generator.js';
import { streamNginxLog } from '../test/support/nginx-log-generator.js';
import { writeLogFile } from '../test/support/write-log-file.js';
import { type AgreementBench, benchAgreement, type Skipped } from './agreement.js';
import { crowdsecMissing, crowdsecReplay } from './peers/crowdsec.js';
import { fail2banMissing, fail2banRegex, NGINX_401_FILTER } from './peers/fail2ban.js';
import type { Measured } from './peers/measure.js';
import { mtailMissing, mtailOneShot } from './peers/mtail.js';
import { secmonReplay } from './peers/secmon-replay.js';

/** One tool's run on one file. */
export interface ToolRun {
  lines: number;
  /** Wall time from start to exit (start-up included). */
  seconds: number;
  linesPerSec: number;
  peakRssMb: number | null;
  /** Lines per CPU second (user + system): steadier than wall time on a shared machine. */
  linesPerCpuSec: number | null;
}

interface Fail2banFields {
  processingLinesPerSec: number;
  matched: number;
  filter: string;
}

export interface FormatBench {
  file: { lines: number; mb: number };
  /** Median of 3 runs on the 1M-line file; `peakRssMbAt100k`: the same on the file's first 100k lines. */
  secmon: ToolRun & { peakRssMbAt100k: number | null; alerts: Record<string, number> };
  /** Wall time from start to exit; `processingLinesPerSec` from fail2ban-regex's own "processed in". */
  fail2ban: (ToolRun & Fail2banFields) | Skipped;
  /** On the first `lines` lines of the file (SECMON_BENCH_CROWDSEC_LINES; default 100,000 sshd, 20,000 nginx). */
  crowdsec: (ToolRun & { overflows: number; loadErrors: string[] }) | Skipped;
  /** Median of 3 runs; `series`: time series it creates (one per address). */
  mtail: (ToolRun & { series: number }) | Skipped;
  ratios: {
    /** secmon lines/s ÷ the faster of fail2ban (its processing rate) and CrowdSec. Goal >= 3. */
    vsFasterOfFail2banAndCrowdsec: number | null;
    /** secmon lines/s ÷ mtail lines/s. Goal >= 1. */
    vsMtail: number | null;
    /** The same with lines per CPU second. */
    perCpuSecond: { vsFasterOfFail2banAndCrowdsec: number | null; vsMtail: number | null };
  };
}

export interface SourcesBench {
  sshd: FormatBench;
  nginx: FormatBench;
  agreement: AgreementBench;
}

const LINES = 1_000_000;
const SMALL = 100_000;
const THRESHOLD = 10;
const WINDOW_SEC = 300;
const TEN_MINUTES = 600_000;

function toolRun(lines: number, run: Measured): ToolRun {
  return {
    lines,
    seconds: Number(run.seconds.toFixed(2)),
    linesPerSec: Math.round(lines / run.seconds),
    peakRssMb: run.peakRssMb,
    linesPerCpuSec: run.cpuSeconds ? Math.round(lines / run.cpuSeconds) : null,
  };
}

/** The run with the median time of three (its output), with the highest peak RSS of the three. */
async function medianOf3<T extends Measured>(
  run: () => Promise<T>,
): Promise<T & { peakRssMb: number | null }> {
  const runs = [await run(), await run(), await run()];
  const middle = [...runs].sort((a, b) => a.seconds - b.seconds)[1]!;
  const peaks = runs.map((r) => r.peakRssMb).filter((p): p is number => p !== null);
  return { ...middle, peakRssMb: peaks.length ? Math.max(...peaks) : null };
}

const skippedOr = <T>(reason: string | undefined, run: () => Promise<T>): Promise<T | Skipped> =>
  reason ? Promise.resolve({ skipped: reason }) : run();

async function benchFormat(
  log: (line: string) => void,
  format: 'sshd' | 'nginx',
  files: GeneratedFiles,
  dir: string,
): Promise<FormatBench> {
  const settings = { threshold: THRESHOLD, windowSec: WINDOW_SEC };
  const secmonRuns = await medianOf3(() => secmonReplay(files.big, format, settings, dir, TEN_MINUTES));
  const secmonSmall = await secmonReplay(files.small, format, settings, dir, TEN_MINUTES);
  const secmon = {
    ...toolRun(files.lines, secmonRuns),
    peakRssMbAt100k: secmonSmall.peakRssMb,
    alerts: secmonRuns.summary.alerts,
  };
  log(
    `sources ${format}: secmon ${secmon.linesPerSec} lines/s, peak RSS ${secmon.peakRssMb} MB (100k lines: ${secmon.peakRssMbAt100k} MB)`,
  );

  const filter = format === 'sshd' ? 'sshd' : NGINX_401_FILTER.failregex;
  const datepattern = format === 'sshd' ? undefined : NGINX_401_FILTER.datepattern;
  const fail2ban = await skippedOr(fail2banMissing(), async () => {
    const run = await fail2banRegex(files.big, filter, datepattern, dir, TEN_MINUTES);
    return {
      ...toolRun(run.lines, run),
      processingLinesPerSec: Math.round(run.lines / run.processingSeconds),
      matched: run.matched,
      filter:
        format === 'sshd'
          ? 'sshd (filter.d/sshd.conf, mode normal)'
          : `failregex ${filter}, datepattern ${datepattern}`,
    };
  });
  log(`sources ${format}: fail2ban ${JSON.stringify(fail2ban)}`);

  const crowdsec = await skippedOr(crowdsecMissing(), async () => {
    const { file, lines } = files.forCrowdsec;
    const run = await crowdsecReplay(
      file,
      format === 'sshd' ? 'syslog' : 'nginx',
      join(dir, `crowdsec-${format}`),
      TEN_MINUTES,
    );
    return { ...toolRun(lines, run), overflows: run.overflows, loadErrors: run.loadErrors };
  });
  log(`sources ${format}: crowdsec ${JSON.stringify(crowdsec)}`);

  const mtail = await skippedOr(mtailMissing(), async () => {
    const run = await medianOf3(() => mtailOneShot(files.big, format, dir, TEN_MINUTES));
    return { ...toolRun(files.lines, run), series: run.series };
  });
  log(`sources ${format}: mtail ${JSON.stringify(mtail)}`);

  const peers = [fail2ban, crowdsec].filter((run) => !('skipped' in run)) as Array<
    ToolRun & Partial<Fail2banFields>
  >;
  const ratio = (ours: number | null, theirs: Array<number | null | undefined>) => {
    const known = theirs.filter((rate): rate is number => typeof rate === 'number' && rate > 0);
    return ours && known.length > 0 ? Number((ours / Math.max(...known)).toFixed(2)) : null;
  };
  const mtailRun = 'skipped' in mtail ? undefined : mtail;
  return {
    file: { lines: files.lines, mb: files.mb },
    secmon,
    fail2ban,
    crowdsec,
    mtail,
    ratios: {
      vsFasterOfFail2banAndCrowdsec: ratio(
        secmon.linesPerSec,
        peers.map((run) => run.processingLinesPerSec ?? run.linesPerSec),
      ),
      vsMtail: ratio(secmon.linesPerSec, [mtailRun?.linesPerSec]),
      perCpuSecond: {
        vsFasterOfFail2banAndCrowdsec: ratio(
          secmon.linesPerCpuSec,
          peers.map((run) => run.linesPerCpuSec),
        ),
        vsMtail: ratio(secmon.linesPerCpuSec, [mtailRun?.linesPerCpuSec]),
      },
    },
  };
}

interface GeneratedFiles {
  big: string;
  lines: number;
  mb: number;
  small: string;
  /** The start of the log CrowdSec reads (it is 100 to 1,000 times slower than the others here). */
  forCrowdsec: { file: string; lines: number };
}

/** Lines CrowdSec reads: SECMON_BENCH_CROWDSEC_LINES, else 100,000 of auth.log and 20,000 of access log. */
function crowdsecLines(format: 'sshd' | 'nginx'): number {
  const fromEnv = Number(process.env.SECMON_BENCH_CROWDSEC_LINES);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return format === 'sshd' ? 100_000 : 20_000;
}

function generate(log: (line: string) => void, dir: string, format: 'sshd' | 'nginx'): GeneratedFiles {
  const options = { seed: 1, threshold: THRESHOLD, windowSec: WINDOW_SEC };
  // One seed: a shorter file is the start of the longer one (with its last sessions finished).
  const write = (name: string, lines: number) => {
    const file = join(dir, `${format}-${name}.log`);
    const stream =
      format === 'sshd'
        ? streamSshdLog({ ...options, lines }).lines
        : streamNginxLog({ ...options, lines }).lines;
    return { file, ...writeLogFile(file, stream) };
  };
  const big = write('1m', LINES);
  const small = write('100k', SMALL);
  const wanted = crowdsecLines(format);
  const forCrowdsec = wanted >= LINES ? big : wanted === SMALL ? small : write('crowdsec', wanted);
  const mb = Number((big.bytes / 2 ** 20).toFixed(1));
  log(
    `sources: generated ${format} logs: ${big.lines} lines (${mb} MB), ${small.lines}, ${forCrowdsec.lines} for CrowdSec`,
  );
  return { big: big.file, lines: big.lines, mb, small: small.file, forCrowdsec };
}

/** The whole comparison; every file and peer configuration lives in a temp directory removed at the end. */
export async function benchSources(log: (line: string) => void): Promise<SourcesBench> {
  const dir = mkdtempSync(join(tmpdir(), 'secmon-bench-sources-'));
  try {
    const sshd = await benchFormat(log, 'sshd', generate(log, dir, 'sshd'), dir);
    const nginx = await benchFormat(log, 'nginx', generate(log, dir, 'nginx'), dir);
    const agreement = await benchAgreement(log, dir);
    return { sshd, nginx, agreement };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The agreement alone (`npm run bench -- agreement`). */
export async function benchAgreementOnly(log: (line: string) => void): Promise<AgreementBench> {
  const dir = mkdtempSync(join(tmpdir(), 'secmon-bench-agreement-'));
  try {
    return await benchAgreement(log, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
