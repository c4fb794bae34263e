// The contract every log format implements. A format turns lines into the event API's events
// (`SecurityEvent`), each with the time the log gives it; the same events the event API accepts,
// so a log line and a POST are recorded by the same code (`recordEvent`) and cannot disagree.
// Adding a format is one file exporting a `LogFormat`, listed in `formats.ts`.
import type { SecurityEvent } from '../http/event-schema.js';

/** One event found in a log, at the time the log says it happened. */
export interface TimedEvent {
  /** Epoch ms from the line's own timestamp; `undefined` when the format or line has none. */
  time: number | undefined;
  event: SecurityEvent;
}

/**
 * What one line was, for the `lines read by outcome` counts:
 * - `matched`: the line was understood and is evidence (it may yield 0 events now, e.g. an sshd
 *   line that only opens a pending probe);
 * - `ignored`: understood, not evidence (an nginx 200, an sshd line about something else);
 * - `unparsed`: the line is not in this format.
 */
export type LineOutcome = 'matched' | 'ignored' | 'unparsed';

/** A parser for one stream of lines (one file, one replay). It may keep bounded state between lines. */
export interface LineParser {
  /** Reads one line (without its newline) and appends the events it yields to `out`. */
  parse(line: string, out: TimedEvent[]): LineOutcome;
  /**
   * Appends events held back (sshd: a probe counted only if its connection writes no `Failed` line)
   * that are now decided: `now` is the latest time seen (epoch ms); `undefined` means the input has
   * ended, so everything held is decided. Optional: formats that never hold events omit it.
   */
  flush?(now: number | undefined, out: TimedEvent[]): void;
  /**
   * The longest a held event's time can lie before the latest line's time when it is emitted, ms
   * (0 when nothing is held). Replay orders events by time within this horizon, so windows stay
   * exact though a held event is emitted after later ones.
   */
  readonly holdMs: number;
}

/** A named log format: `sshd`, `nginx`, `json`, or a custom pattern. */
export interface LogFormat {
  readonly name: string;
  /** A fresh parser; `options` are the format's own (validated by the format, errors name the setting). */
  createParser(options?: Readonly<Record<string, unknown>>): LineParser;
}
