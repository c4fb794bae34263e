// `secmon replay`: runs log files through a format's parser and the monitor, with the log's own
// timestamps as the clock, and prints the alerts it would have raised. The runner is in
// src/sources/replay-runner.ts; this file turns flags into its options, opens the files, shows
// progress and prints.
import { createReadStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Alert } from '../core/alert.js';
import type { AnomalyMonitorOptions } from '../core/options.js';
import { loadCustomFormats } from '../sources/custom-format-file.js';
import { formatNamed } from '../sources/formats.js';
import type { LineParser } from '../sources/log-format.js';
import { fileProblem, type ReplayInput, type ReplayResult, replay } from '../sources/replay-runner.js';
import { ConfigError, loadMonitorOptions } from './config.js';
import { optionValue, withoutDocsLink } from './option-text.js';
import { alertJsonLine, alertTableHeader, alertTableRow, summaryLine } from './replay-output.js';
import { MONITOR_SETTINGS, type Setting, type SettingKey } from './settings.js';

/** Raw read size: large chunks keep the per-chunk cost (syscalls, progress, output batches) negligible. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Exit status of a replay that could not read an input to its end (a corrupt .gz, a read error). */
export const INPUT_ERROR_EXIT = 1;

/** A problem with the command line (exit status 2): the message names the flag or file. */
export class ReplayUsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ReplayUsageError';
  }
}

/** The flags of `secmon replay` as commander gives them. */
export interface ReplayFlags extends Partial<Record<SettingKey, string>> {
  format: string;
  json?: boolean;
  threshold?: string;
  window?: string;
  year?: string;
  timeZone?: string;
  /** `key=value` options of the format, in the order given. */
  formatOption?: string[];
  formatsFile?: string;
  progress?: boolean;
}

/** The monitor settings `secmon replay` accepts: those of `secmon serve` that set a monitor option. */
export const REPLAY_SETTINGS: readonly Setting[] = MONITOR_SETTINGS;

/** Where the command writes, and its environment (tests pass their own). */
export interface ReplayIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `secmon replay` and resolves with its exit status: 0, or {@link INPUT_ERROR_EXIT} when an
 * input could not be read to its end (the others are still replayed and the summary printed), or
 * 130/143 when SIGINT/SIGTERM stopped it (the summary covers what was read).
 * Throws a {@link ReplayUsageError} before reading anything for an unknown format, a bad setting or
 * a file that cannot be read.
 */
export async function runReplay(files: readonly string[], flags: ReplayFlags, io: ReplayIo): Promise<number> {
  const parser = parserOf(flags);
  const monitor = monitorOptionsOf(flags, io.env);
  const inputs = inputsOf(files, io.stdin);
  const write = batchedWriter(io.stdout);
  const progress =
    flags.progress !== false && io.stderr.isTTY
      ? progressBar(io.stderr, inputs.total, io.stdout.isTTY === true)
      : undefined;

  let header = !flags.json;
  const onAlert = flags.json
    ? (alert: Alert) => write.add(alertJsonLine(alert))
    : (alert: Alert) => {
        if (header) {
          write.add(alertTableHeader());
          header = false;
        }
        write.add(alertTableRow(alert));
      };
  // Ctrl-C (or SIGTERM) stops reading and prints what was found so far; a second one exits at once.
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    interruptedBy = signal;
    controller.abort();
  };
  let interruptedBy: NodeJS.Signals | undefined;
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const result = await replay(inputs.list, {
    parser,
    signal: controller.signal,
    monitor,
    onAlert,
    onProgress: (bytes) => {
      progress?.advance(bytes, write.pending());
      write.flush();
    },
    onInputError: (input, message) => {
      progress?.clearLine();
      io.stderr.write(`secmon replay: ${input.name}: ${message}\n`);
    },
  });
  progress?.stop();
  write.add(summaryLine(result, inputs.list.length));
  write.flush();
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  warnAboutLateEvents(result, io.stderr, inputs.list.length);
  if (interruptedBy !== undefined) {
    io.stderr.write(`secmon replay: interrupted (${interruptedBy}): the summary covers what was read\n`);
    return 128 + (interruptedBy === 'SIGINT' ? 2 : 15);
  }
  return result.errors.length > 0 ? INPUT_ERROR_EXIT : 0;
}

function parserOf(flags: ReplayFlags): LineParser {
  try {
    const customFormats = flags.formatsFile === undefined ? undefined : loadCustomFormats(flags.formatsFile);
    const format = formatNamed(flags.format, { setting: '--format', customFormats });
    const options: Record<string, unknown> = {};
    for (const item of flags.formatOption ?? []) {
      const equals = item.indexOf('=');
      if (equals < 1) {
        throw new ReplayUsageError(
          `--format-option must be key=value, e.g. failedAuthStatuses=[401,403] (got ${JSON.stringify(item)})`,
        );
      }
      options[item.slice(0, equals).trim()] = optionValue(item.slice(equals + 1));
    }
    const clockOptions: Record<string, unknown> = {};
    if (flags.year !== undefined) {
      if (!/^\d{4}$/.test(flags.year.trim())) {
        throw new ReplayUsageError(`--year must be a year such as 2025 (got ${JSON.stringify(flags.year)})`);
      }
      clockOptions.year = Number(flags.year);
    }
    if (flags.timeZone !== undefined) clockOptions.timeZone = flags.timeZone;
    try {
      return format.createParser({ ...options, ...clockOptions });
    } catch (error) {
      // --year and --time-zone are for times without a year or zone (syslog, custom formats). For a
      // format whose times carry both, name the flag rather than the format's internal option.
      const code = (error as { code?: unknown }).code;
      if (code !== 'SECMON_ERR_UNKNOWN_OPTION' || Object.keys(clockOptions).length === 0) throw error;
      format.createParser(options); // still throws if the problem is another option
      const given = [
        flags.year === undefined ? '' : '--year',
        flags.timeZone === undefined ? '' : '--time-zone',
      ].filter(Boolean);
      throw new ReplayUsageError(
        `${given.join(' and ')} ${given.length === 1 ? 'does' : 'do'} not apply to --format ${flags.format}: its times carry their own year and zone (they are for sshd and custom formats)`,
      );
    }
  } catch (error) {
    if (error instanceof TypeError) throw new ReplayUsageError(withoutDocsLink(error.message));
    throw error;
  }
}

/** A format option's value: JSON when it reads as JSON (`10`, `true`, `[401,403]`), else the text. */
/** `--threshold` and `--window` are short names of the brute-force settings. */
const ALIASES = [
  { alias: '--threshold', flag: 'threshold', key: 'bruteForceThreshold', long: '--brute-force-threshold' },
  { alias: '--window', flag: 'window', key: 'bruteForceWindowMs', long: '--brute-force-window-ms' },
] as const;

function monitorOptionsOf(flags: ReplayFlags, env: NodeJS.ProcessEnv): AnomalyMonitorOptions {
  const given: Partial<Record<SettingKey, string>> = {};
  for (const setting of REPLAY_SETTINGS) {
    const value = flags[setting.key];
    if (value !== undefined) given[setting.key] = value;
  }
  for (const { alias, flag, key, long } of ALIASES) {
    const value = flags[flag];
    if (value === undefined) continue;
    if (given[key] !== undefined)
      throw new ReplayUsageError(`${alias} and ${long} set the same thing: give one`);
    given[key] = flag === 'window' ? String(durationMs(alias, value)) : value;
  }
  try {
    return loadMonitorOptions({ env, flags: given });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Name the flag the user typed: `--threshold`, not the long name it stands for.
    let message = error.message;
    for (const { alias, flag, long } of ALIASES) {
      if (flags[flag] !== undefined && error.setting.flag === long)
        message = message.replace(`(${long})`, `(${alias})`);
    }
    throw new ReplayUsageError(
      message,
      'Run `secmon replay --help` for every setting; the SECMON_* variables of `secmon serve` apply too.',
    );
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `300s`, `5m`, `1.5h`, `250ms` in milliseconds (a whole number); a unit is required. */
export function durationMs(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!Number.isFinite(ms) || !Number.isInteger(ms) || ms > Number.MAX_SAFE_INTEGER) {
    throw new ReplayUsageError(
      `${flag} must be a duration with a unit, such as 300s, 5m, 1h or 1500ms (got ${JSON.stringify(text)})`,
    );
  }
  return ms;
}

/** The inputs, checked before anything is read: a typo in the 5th file must not waste a long replay. */
function inputsOf(files: readonly string[], stdin: NodeJS.ReadStream) {
  const list: ReplayInput[] = [];
  let total: number | undefined = 0;
  let stdinSeen = false;
  for (const file of files) {
    if (file === '-') {
      if (stdinSeen) throw new ReplayUsageError('- (standard input) can be given only once');
      stdinSeen = true;
      total = undefined;
      list.push({ name: '-', open: () => stdin });
      continue;
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = stat.size;
    } catch (error) {
      throw new ReplayUsageError(`cannot read ${file}: ${fileProblem(error as NodeJS.ErrnoException)}`);
    }
    if (total !== undefined) total += size;
    list.push({ name: file, open: () => createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) });
  }
  return { list, total };
}

/**
 * Collects output and writes it in one call per batch (a chunk of input), not one per alert. A
 * closed pipe (`secmon replay … | head`) ends the process quietly, as other command-line tools do.
 */
function batchedWriter(stdout: NodeJS.WriteStream) {
  let buffer = '';
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    add(text: string) {
      buffer += text;
    },
    pending: () => buffer.length > 0,
    flush() {
      if (buffer.length === 0) return;
      stdout.write(buffer);
      buffer = '';
    },
  };
}

/** A progress bar on stderr: bytes read of the total when every size is known, else bytes read. */
function progressBar(stderr: NodeJS.WriteStream, total: number | undefined, sameTerminal: boolean) {
  const known = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format: known
        ? 'replay [{bar}] {percentage}% | {done} of {size} | eta {eta_formatted}'
        : 'replay {done} read',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  bar.start(known ? total : 1, 0, { done: mebibytes(0), size: mebibytes(total ?? 0) });
  return {
    advance(bytes: number, outputFollows: boolean) {
      done += bytes;
      // Alerts about to be written to the same terminal: clear the bar's line first, it is redrawn.
      if (outputFollows && sameTerminal) this.clearLine();
      bar.update(known ? Math.min(done, total) : 0, { done: mebibytes(done) });
    },
    clearLine() {
      stderr.write('\r\x1b[K');
    },
    stop() {
      bar.stop();
    },
  };
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function warnAboutLateEvents(result: ReplayResult, stderr: NodeJS.WriteStream, files: number): void {
  if (result.late === 0) return;
  const order = files > 1 ? '; give several files oldest first (auth.log.2.gz auth.log.1 auth.log)' : '';
  stderr.write(
    `secmon replay: ${result.late} event(s) came after later ones by more than the reordering horizon and were counted at the latest time instead of their own${order}\n`,
  );
}
