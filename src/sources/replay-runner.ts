// Offline replay: inputs (files, stdin, gzip or not) read in order as one stream of lines, through one
// parser and one event pipeline into a monitor driven by the log's own time. What `secmon replay`
// runs; the CLI only opens the inputs and prints.
import { addAbortSignal, pipeline as pipe, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Alert, AlertType } from '../core/alert.js';
import { createEventPipeline, type PipelineCounts } from './event-pipeline.js';
import { createLineSplitter } from './line-splitter.js';
import type { LineParser } from './log-format.js';
import { createLogTimeMonitor, type LogTimeMonitorOptions } from './log-time-monitor.js';

/** One input of a replay. */
export interface ReplayInput {
  /** How errors name it: a path, or `-` for stdin. */
  readonly name: string;
  /** Opens its raw bytes; gzip data (`.gz`, also on stdin) is recognised by its magic bytes. */
  open(): Readable;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** A fresh parser of the format (one for the whole replay: the inputs are one stream). */
  parser: LineParser;
  /** Detector settings (thresholds, windows...); the clock and store are the replay's. */
  monitor?: LogTimeMonitorOptions;
  /** Every alert, firing and resolved, in log-time order, as the monitor raises it. */
  onAlert?: (alert: Alert) => void;
  /**
   * Called after each chunk of input has been processed, with the raw (compressed) bytes read since
   * the last call: the moment to update a progress bar and to write the alerts of the batch at once.
   */
  onProgress?: (rawBytes: number) => void;
  /**
   * An input that could not be read to its end (a corrupt gzip stream, a read error). What was read
   * before the error counts; the replay goes on with the next input.
   */
  onInputError?: (input: ReplayInput, message: string) => void;
  /** Longest line, bytes (default 64 KiB); see `createLineSplitter`. */
  maxLineBytes?: number;
  /** See `EventPipelineOptions.disorderMs`. */
  disorderMs?: number;
  /** See `EventPipelineOptions.maxBufferedEvents`. */
  maxBufferedEvents?: number;
  /**
   * Stops the replay (Ctrl-C): the input being read is closed, what was read is finished (held events
   * delivered, resolutions due by then) and the result has `interrupted: true`.
   */
  signal?: AbortSignal;
}

/** Alert counts per type; types without an alert are absent. */
export type AlertCounts = Partial<Record<AlertType, number>>;

/** What a replay read and raised. */
export interface ReplayResult extends PipelineCounts {
  /** Firing alerts raised (first and repeated alerts of each attack), per type. */
  alerts: AlertCounts;
  /** Attacks that ended within the log (resolved alerts), per type. */
  resolved: AlertCounts;
  /** Attacks still going on when the log ends, per type. */
  active: AlertCounts;
  /** Log time of the first and last event, epoch ms (undefined without events). */
  firstTime: number | undefined;
  lastTime: number | undefined;
  /** Inputs that could not be read to their end, with the reason. */
  errors: Array<{ input: string; error: string }>;
  /** The replay was stopped by `signal` before the end of its inputs. */
  interrupted: boolean;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Replays `inputs` in order through `options.parser` into a log-time monitor and resolves with the
 * counts and alerts. Memory stays flat in the input size: inputs are streamed, lines and the ordering
 * buffer are bounded. Rejects only for bad options (a `TypeError` naming the option); bad input is
 * counted, and an unreadable input is reported to `onInputError` and in `errors`.
 */
export async function replay(inputs: Iterable<ReplayInput>, options: ReplayOptions): Promise<ReplayResult> {
  const logTime = createLogTimeMonitor(options.monitor);
  if (options.onAlert) logTime.monitor.onAlert(options.onAlert);
  const events = createEventPipeline({
    parser: options.parser,
    deliver: (event, time) => logTime.record(event, time),
    disorderMs: options.disorderMs,
    maxBufferedEvents: options.maxBufferedEvents,
  });
  const errors: ReplayResult['errors'] = [];
  const progress = options.onProgress;
  let rawBytes = 0;
  const countRaw = (n: number) => {
    rawBytes += n;
  };

  const signal = options.signal;
  for (const input of inputs) {
    if (signal?.aborted) break;
    const splitter = createLineSplitter(events, options.maxLineBytes);
    try {
      for await (const chunk of decodedChunks(input, countRaw, signal)) {
        splitter.push(chunk);
        if (progress) {
          progress(rawBytes);
          rawBytes = 0;
        }
      }
      splitter.end();
    } catch (error) {
      if (signal?.aborted) break;
      // The partial last line of a broken input is dropped: it is cut at an arbitrary byte.
      const message = readProblem(error);
      errors.push({ input: input.name, error: message });
      options.onInputError?.(input, message);
    }
  }
  events.end();
  if (progress && rawBytes > 0) progress(rawBytes);

  // Attacks that ended by the last line of the log are resolved; later ones stay active.
  if (events.lastTime !== undefined) logTime.advanceTo(events.lastTime);
  const stats = logTime.monitor.getStats();
  await logTime.monitor.close();
  return {
    ...events.counts,
    alerts: nonZero(stats.alerts),
    resolved: nonZero(stats.resolvedAlerts),
    active: nonZero(stats.activeAlerts),
    firstTime: events.firstTime,
    lastTime: events.lastTime,
    errors,
    interrupted: signal?.aborted === true,
  };
}

function nonZero(counts: Record<AlertType, number>): AlertCounts {
  const out: AlertCounts = {};
  for (const type in counts) {
    const count = counts[type as AlertType];
    if (count > 0) out[type as AlertType] = count;
  }
  return out;
}

/**
 * The decoded bytes of an input: as they are, or gunzipped when they start with the gzip magic
 * bytes (several gzip members in a row are read as one, like `zcat`). `onRaw` gets the size of each
 * raw chunk read. The input's stream is destroyed when the iteration ends, also early, or on abort.
 */
async function* decodedChunks(
  input: ReplayInput,
  onRaw: (bytes: number) => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const raw = input.open();
  // An abort destroys the stream, so a read waiting for data (a quiet stdin) ends at once.
  if (signal !== undefined) addAbortSignal(signal, raw);
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const first = await iterator.next();
    if (first.done) return;
    const head = first.value;
    async function* counted(): AsyncGenerator<Buffer> {
      onRaw(head.length);
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        onRaw(next.value.length);
        yield next.value;
      }
    }
    if (head.length < 2 || head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) {
      yield* counted();
      return;
    }
    // Large output chunks: fewer, bigger batches for the line splitter.
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    // pipeline destroys the gunzip stream with the source's error, so a read error ends the loop too.
    pipe(Readable.from(counted(), { objectMode: false }), gunzip, () => {});
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    if (raw !== process.stdin) raw.destroy();
  }
}

/** Why an input could not be read, in words (never a stack trace). */
function readProblem(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if ((e?.code ?? '').startsWith('Z_')) return `not a valid gzip file (${e.message})`;
  return fileProblem(e);
}

/** What a file-system error means for a file the user named, in words. */
export function fileProblem(error: NodeJS.ErrnoException | undefined): string {
  switch (error?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return error?.message ?? String(error);
  }
}
