// The live log sources of `secmon serve`: each configured file is followed, its lines parsed by its
// format and the events recorded on the service's monitor with `recordEvent`, exactly as events
// POSTed to the event API are. The monitor keeps its own (wall) clock: a live line is evidence
// now, whatever time it carries, so a log written late or with a skewed clock cannot open or close
// windows in the past (`secmon replay` is where the log's own times are the clock).
import type { Logger } from 'pino';
import type { AnomalyMonitor } from '../core/monitor.js';
import { recordEvent } from '../http/record-events.js';
import {
  FileFollower,
  FOLLOW_PROBLEMS,
  type FollowerStatus,
  type FollowProblem,
  ROTATION_KINDS,
  type RotationKind,
} from './file-follower.js';
import { DEFAULT_MAX_LINE_BYTES } from './line-splitter.js';
import type { LineOutcome, LineParser, LogFormat, TimedEvent } from './log-format.js';
import { PositionStore } from './position-store.js';

/** One configured source: `NAME=FORMAT:PATH`, or `FORMAT:PATH` named by itself. */
export interface SourceSpec {
  /** The metric label (`source`); unique among the sources. */
  name: string;
  format: string;
  /** Absolute path of the file. */
  path: string;
}

/** Outcomes of a line read by a live source: the parser's, or too long to parse. */
export const LINE_OUTCOMES = ['matched', 'ignored', 'unparsed', 'too_long'] as const;
export type SourceLineOutcome = LineOutcome | 'too_long';

/** What one source counted since start (plain numbers, read by the metrics at scrape time). */
export interface SourceCounts {
  lines: Record<SourceLineOutcome, number>;
  /** Episodes of each problem (a file missing for an hour is one). */
  errors: Record<FollowProblem, number>;
  rotations: Record<RotationKind, number>;
  events: number;
}

/** A running source, as the metrics see it. */
export interface LiveSource {
  readonly spec: SourceSpec;
  readonly counts: SourceCounts;
  status(): FollowerStatus;
}

export interface LiveSourcesOptions {
  monitor: AnomalyMonitor;
  logger: Logger;
  /** The formats by name (the config has checked every source's format is one of them). */
  formats: ReadonlyMap<string, LogFormat>;
  /** Where positions are kept; undefined: none kept, every start is a fresh one. */
  stateDir?: string;
  /** Read files that exist at start (and have no saved position) from their first byte. */
  fromStart?: boolean;
  pollIntervalMs?: number;
  maxLineBytes?: number;
  /** How often positions are saved (and held events flushed) while running, ms. Default 1000. */
  saveIntervalMs?: number;
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/**
 * The set of live sources of a service. `start()` reads the saved positions (and fails if the state
 * directory is unusable: the user asked for resumption), takes a first look at every file and
 * starts following; `stop()` stops every follower, decides the events a parser still holds, and
 * saves the positions, so a restart neither skips nor repeats a line.
 */
export class LiveSources {
  readonly sources: LiveSource[] = [];
  private readonly followers: FileFollower[] = [];
  private readonly parsers: LineParser[] = [];
  private readonly positions: PositionStore;
  private saveTimer: NodeJS.Timeout | undefined;
  private saveFailing = false;
  private readonly out: TimedEvent[] = [];

  constructor(
    private readonly specs: readonly SourceSpec[],
    private readonly options: LiveSourcesOptions,
  ) {
    this.positions = new PositionStore(options.stateDir);
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    const warning = await this.positions.load();
    if (warning !== undefined) logger.warn({ stateDir: this.options.stateDir }, warning);
    for (const spec of this.specs) this.add(spec);
    // A first look at every file before the service says it is ready: from then on, a line
    // appended is a line read.
    await Promise.all(this.followers.map((follower) => follower.pollNow()));
    for (const follower of this.followers) follower.start();
    this.saveTimer = setInterval(() => void this.checkpoint(), this.options.saveIntervalMs ?? 1000);
    this.saveTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.saveTimer !== undefined) clearInterval(this.saveTimer);
    this.saveTimer = undefined;
    await Promise.all(this.followers.map((follower) => follower.stop()));
    // The lines behind the saved positions are processed: so are the events their parsers hold.
    for (let i = 0; i < this.parsers.length; i++) this.flush(i, undefined);
    await this.checkpoint();
  }

  private add(spec: SourceSpec): void {
    const { monitor, logger, formats } = this.options;
    const parser = formats.get(spec.format)!.createParser();
    const counts: SourceCounts = {
      lines: zeros(LINE_OUTCOMES),
      errors: zeros(FOLLOW_PROBLEMS),
      rotations: zeros(ROTATION_KINDS),
      events: 0,
    };
    const log = logger.child({ source: spec.name, path: spec.path, format: spec.format });
    const out = this.out;
    const maxLineBytes = this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    let warnedTooLong = false;
    let warnedUnparsed = false;
    let warnedParser = false;
    const follower = new FileFollower(
      {
        path: spec.path,
        fromStart: this.options.fromStart,
        resume: this.positions.get(spec.path),
        pollIntervalMs: this.options.pollIntervalMs,
        maxLineBytes,
      },
      {
        line(text) {
          let outcome: LineOutcome;
          try {
            outcome = parser.parse(text, out);
          } catch (error) {
            // A parser bug must not stop the source: the line counts as not understood.
            outcome = 'unparsed';
            out.length = 0;
            if (!warnedParser) {
              warnedParser = true;
              log.error({ err: error }, 'the parser failed on a line (counted as unparsed; logged once)');
            }
          }
          counts.lines[outcome]++;
          if (outcome === 'unparsed' && !warnedUnparsed) {
            warnedUnparsed = true;
            log.warn(
              { sample: text.slice(0, 160) },
              `a line is not in the ${spec.format} format (counted as unparsed; logged once)`,
            );
          }
          for (let i = 0; i < out.length; i++) recordEvent(monitor, out[i]!.event);
          counts.events += out.length;
          out.length = 0;
        },
        tooLong() {
          counts.lines.too_long++;
          if (!warnedTooLong) {
            warnedTooLong = true;
            log.warn(
              { maxLineBytes },
              'a line longer than the limit was skipped (counted as too_long; logged once)',
            );
          }
        },
        problem(reason, detail) {
          counts.errors[reason]++;
          log.warn({ reason, detail }, 'log source cannot be read; trying again');
        },
        opened(path, from) {
          log.info({ openedPath: path, from }, 'log source reading');
        },
        rotated(kind) {
          counts.rotations[kind]++;
          log.info({ kind }, 'log file rotated');
        },
      },
    );
    this.followers.push(follower);
    this.parsers.push(parser);
    this.sources.push({ spec, counts, status: () => follower.status() });
  }

  // Events a parser held back and can decide now (`now` undefined: the input has ended).
  private flush(index: number, now: number | undefined): void {
    const parser = this.parsers[index]!;
    if (parser.flush === undefined) return;
    try {
      parser.flush(now, this.out);
    } catch (error) {
      // A parser bug must not stop the source or the service; what it emitted before still counts.
      this.options.logger.error(
        { err: error, source: this.specs[index]!.name },
        'the parser failed to flush',
      );
    }
    for (const timed of this.out) recordEvent(this.options.monitor, timed.event);
    this.sources[index]!.counts.events += this.out.length;
    this.out.length = 0;
  }

  private async checkpoint(): Promise<void> {
    for (let i = 0; i < this.followers.length; i++) {
      // Held events (an sshd probe whose connection has not ended) are decided by the times of the
      // lines that follow. When a quiet log is read to its end, no line follows: the wall clock
      // stands in for them. Not while a backlog is read: its lines are older than the clock.
      if (this.saveTimer !== undefined && this.sources[i]!.status().lagBytes === 0) this.flush(i, Date.now());
      const position = this.followers[i]!.position();
      if (position !== undefined) this.positions.set(this.specs[i]!.path, position);
    }
    try {
      await this.positions.save();
      if (this.saveFailing) this.options.logger.info('source positions saved again');
      this.saveFailing = false;
    } catch (error) {
      if (!this.saveFailing) {
        this.options.logger.error(
          { err: error, stateDir: this.options.stateDir },
          'cannot save source positions (SECMON_STATE_DIR); retrying every second',
        );
      }
      this.saveFailing = true;
    }
  }
}
