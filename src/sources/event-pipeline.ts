// Lines to events in time order, for every log source. A parser may emit an event late (sshd holds a
// probe until its connection shows whether it tried a password), and a syslog written by several
// processes is itself slightly out of order; windows are only exact if the monitor sees events in
// the order they happened. So events wait in a bounded min-heap (by time, then by arrival) until
// nothing older can still come: until the latest time seen has moved `holdMs + disorderMs` past them.
import { integerIn } from '../core/errors.js';
import type { SecurityEvent } from '../http/event-schema.js';
import type { LineOutcome, LineParser, TimedEvent } from './log-format.js';

/** How long a line may lag behind an earlier one and still be put in order, ms, by default (5 s). */
export const DEFAULT_DISORDER_MS = 5000;
/** Most events waiting to be put in order, by default. */
export const DEFAULT_MAX_BUFFERED_EVENTS = 100_000;

/** What a pipeline has read so far. Every line is counted once: lines = matched + ignored + unparsed + tooLong. */
export interface PipelineCounts {
  lines: number;
  matched: number;
  ignored: number;
  unparsed: number;
  /** Lines over the length bound, skipped whole (see `createLineSplitter`). */
  tooLong: number;
  /** Events delivered. */
  events: number;
  /**
   * Events older than one already delivered (further out of order than the horizon, or pushed out
   * of a full buffer): delivered at the latest delivered time instead of their own.
   */
  late: number;
  /** Events whose line had no time: delivered at the latest time seen. */
  untimed: number;
}

/** Receives events in non-decreasing `time` order (epoch ms). */
export type EventSink = (event: SecurityEvent, time: number) => void;

/** Options of {@link createEventPipeline}. */
export interface EventPipelineOptions {
  parser: LineParser;
  deliver: EventSink;
  /**
   * Extra reordering horizon for lines out of order in the log itself, ms, on top of the parser's
   * `holdMs`. Default {@link DEFAULT_DISORDER_MS}. Integer from 0 to 86,400,000.
   */
  disorderMs?: number;
  /**
   * Most events held for ordering. When full, the oldest is delivered early (events older than it
   * arriving later are then `late`). Default {@link DEFAULT_MAX_BUFFERED_EVENTS}; integer from 1 to
   * 10,000,000.
   */
  maxBufferedEvents?: number;
  /** The time of untimed events before any time has been seen, epoch ms. Default: `Date.now()` at creation. */
  startTime?: number;
  /**
   * `false`: deliver each event as soon as the parser emits it, in emission order, with nothing held
   * (a live source recording on the wall clock, where a held event must not wait for the horizon).
   * Default `true`: deliver in time order.
   */
  reorder?: boolean;
}

/** Lines in, events out in time order. */
export interface EventPipeline {
  /** Parses one line (without its newline) and delivers the events that can no longer be overtaken. */
  line(text: string): void;
  /** Counts a line skipped for its length. */
  tooLong(): void;
  /**
   * Tells the pipeline time has reached `now` (epoch ms) without new lines: held events that are due
   * are decided and delivered. For live sources, called from a timer with the wall clock.
   */
  advance(now: number): void;
  /** The input has ended: flushes the parser and delivers everything still held, in order. */
  end(): void;
  /** Running counts (the same object, updated in place). */
  readonly counts: Readonly<PipelineCounts>;
  /** Time of the first and latest event delivered, epoch ms (undefined before the first). */
  readonly firstTime: number | undefined;
  readonly lastTime: number | undefined;
}

/**
 * A pipeline from lines to `deliver(event, time)` calls in non-decreasing time order. Throws a
 * `TypeError` naming the option when an option is out of range. Never throws for bad lines: what
 * the parser does not understand is counted as `unparsed`.
 */
export function createEventPipeline(options: EventPipelineOptions): EventPipeline {
  const disorderMs = integerIn('disorderMs', options.disorderMs, DEFAULT_DISORDER_MS, 0, 86_400_000);
  const maxBuffered = integerIn(
    'maxBufferedEvents',
    options.maxBufferedEvents,
    DEFAULT_MAX_BUFFERED_EVENTS,
    1,
    10_000_000,
  );
  const holdMs = options.parser.holdMs;
  if (!Number.isFinite(holdMs) || holdMs < 0) {
    throw new TypeError(`parser.holdMs must be a number >= 0 (got ${String(holdMs)})`);
  }
  const start = options.startTime ?? Date.now();
  const reorder = options.reorder !== false;
  return new Pipeline(options.parser, options.deliver, holdMs + disorderMs, maxBuffered, start, reorder);
}

class Pipeline implements EventPipeline {
  readonly counts: PipelineCounts = {
    lines: 0,
    matched: 0,
    ignored: 0,
    unparsed: 0,
    tooLong: 0,
    events: 0,
    late: 0,
    untimed: 0,
  };
  firstTime: number | undefined;
  lastTime: number | undefined;
  // The latest time any line gave: events up to `seen - horizon` can no longer be overtaken.
  private seen: number | undefined;
  private readonly heap: EventHeap;
  // Reused for every line: the parser appends, the pipeline empties it.
  private readonly out: TimedEvent[] = [];
  private readonly flushes: boolean;

  constructor(
    private readonly parser: LineParser,
    private readonly deliver: EventSink,
    private readonly horizonMs: number,
    private readonly maxBuffered: number,
    private readonly startTime: number,
    private readonly reorder: boolean,
  ) {
    this.heap = new EventHeap();
    this.flushes = typeof parser.flush === 'function';
  }

  line(text: string): void {
    const counts = this.counts;
    counts.lines++;
    let outcome: LineOutcome;
    try {
      outcome = this.parser.parse(text, this.out);
    } catch {
      // A parser bug must not stop a replay of a month of logs: the line counts as not understood.
      outcome = 'unparsed';
    }
    if (outcome === 'matched') counts.matched++;
    else if (outcome === 'ignored') counts.ignored++;
    else counts.unparsed++;
    if (this.out.length > 0) this.take();
  }

  tooLong(): void {
    this.counts.lines++;
    this.counts.tooLong++;
  }

  advance(now: number): void {
    if (!Number.isFinite(now)) return;
    if (this.seen === undefined || now > this.seen) this.seen = now;
    this.flushParser(this.seen);
    this.release();
  }

  end(): void {
    this.flushParser(undefined);
    const heap = this.heap;
    while (heap.size > 0) this.emit(heap.popTime(), heap.popped);
  }

  // Takes the events of the last parse (or flush) into the heap, then delivers what is due.
  private take(): void {
    const out = this.out;
    const before = this.seen;
    for (let i = 0; i < out.length; i++) {
      const timed = out[i]!;
      let time = timed.time;
      if (time === undefined || !Number.isFinite(time)) {
        this.counts.untimed++;
        time = this.seen ?? this.startTime;
      } else if (this.seen === undefined || time > this.seen) {
        this.seen = time;
      }
      this.add(time, timed.event);
    }
    out.length = 0;
    // A later time may decide events the parser holds: ask it once per advance, not per line.
    if (this.flushes && this.seen !== before && this.seen !== undefined) this.flushParser(this.seen);
    this.release();
  }

  private flushParser(now: number | undefined): void {
    if (!this.flushes) return;
    try {
      this.parser.flush!(now, this.out);
    } catch {
      // As in `line`: a parser bug loses at most what it held.
    }
    if (this.out.length === 0) return;
    const out = this.out;
    for (let i = 0; i < out.length; i++) {
      const timed = out[i]!;
      let time = timed.time;
      if (time === undefined || !Number.isFinite(time)) {
        this.counts.untimed++;
        time = this.seen ?? this.startTime;
      }
      // Held events are older than what decided them: they never move `seen` forward.
      this.add(time, timed.event);
    }
    out.length = 0;
  }

  private add(time: number, event: SecurityEvent): void {
    if (this.reorder) this.heap.push(time, event);
    else {
      // As emitted: no ordering, so nothing is late; the time is the event's own.
      if (this.firstTime === undefined) this.firstTime = time;
      if (this.lastTime === undefined || time > this.lastTime) this.lastTime = time;
      this.counts.events++;
      this.deliver(event, time);
    }
  }

  private release(): void {
    const heap = this.heap;
    if (this.seen !== undefined) {
      const due = this.seen - this.horizonMs;
      while (heap.size > 0 && heap.peekTime() <= due) this.emit(heap.popTime(), heap.popped);
    }
    while (heap.size > this.maxBuffered) this.emit(heap.popTime(), heap.popped);
  }

  private emit(time: number, event: SecurityEvent): void {
    let at = time;
    if (this.lastTime === undefined) this.firstTime = time;
    else if (time < this.lastTime) {
      this.counts.late++;
      at = this.lastTime;
    }
    this.lastTime = at;
    this.counts.events++;
    this.deliver(event, at);
  }
}

/**
 * A binary min-heap of events by time, ties in arrival order (a sequence number), in parallel arrays
 * so that holding an event allocates nothing but its slot.
 */
class EventHeap {
  size = 0;
  /** The event of the last `popTime()`. */
  popped!: SecurityEvent;
  private times: number[] = [];
  private seqs: number[] = [];
  private events: SecurityEvent[] = [];
  private nextSeq = 0;

  peekTime(): number {
    return this.times[0]!;
  }

  push(time: number, event: SecurityEvent): void {
    let i = this.size++;
    const seq = this.nextSeq++;
    const { times, seqs, events } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      events[i] = events[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    events[i] = event;
  }

  /** Removes the earliest event: returns its time, and leaves it in `popped`. */
  popTime(): number {
    const { times, seqs, events } = this;
    const time = times[0]!;
    this.popped = events[0]!;
    const last = --this.size;
    const lt = times[last]!;
    const ls = seqs[last]!;
    const le = events[last]!;
    events[last] = undefined as unknown as SecurityEvent; // let the event be collected
    if (last > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        const right = child + 1;
        if (
          right < last &&
          (times[right]! < times[child]! || (times[right] === times[child] && seqs[right]! < seqs[child]!))
        ) {
          child = right;
        }
        const ct = times[child]!;
        if (lt < ct || (lt === ct && ls < seqs[child]!)) break;
        times[i] = ct;
        seqs[i] = seqs[child]!;
        events[i] = events[child]!;
        i = child;
      }
      times[i] = lt;
      seqs[i] = ls;
      events[i] = le;
    }
    return time;
  }
}
