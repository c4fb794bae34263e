// Interleaves the lines of many actors (attackers, users, cron) into one log whose timestamps never
// go back, and computes the ground truth from the lines it actually emits. Actors are built one at a
// time as the log reaches their start, so a log of any length is written in bounded memory.

/** One line an actor writes, at a whole second (the resolution of a syslog or access-log timestamp). */
export interface ActorLine {
  /** Epoch seconds. */
  time: number;
  text: string;
  /** The address this line counts one failed login for, when it is a counted attempt. */
  attemptOf?: string;
}

/** An actor's lines, in time order; every time is >= `start`, when the actor begins. */
export interface Actor {
  start: number;
  lines: ActorLine[];
}

/**
 * The addresses that reach `threshold` attempts within a sliding window: `threshold` attempts whose
 * first and last lie less than `windowSec` apart (the core's rule: `threshold` failures in
 * (t - window, t]). Attempts arrive in time order, so checking the `threshold` most recent ones at
 * each attempt is exhaustive. Times are whole seconds, as the log shows them, so the truth is what a
 * parser of the log can know: no boundary depends on a fraction of a second the log does not show.
 */
export class WindowTruth {
  readonly flagged = new Set<string>();
  /** Attempts counted per address (every address that made at least one). */
  readonly attempts = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly threshold: number,
    readonly windowSec: number,
  ) {}

  observe(address: string, time: number): void {
    this.attempts.set(address, (this.attempts.get(address) ?? 0) + 1);
    if (this.flagged.has(address)) return;
    let times = this.recent.get(address);
    if (!times) {
      times = [];
      this.recent.set(address, times);
    }
    times.push(time);
    if (times.length > this.threshold) times.shift();
    if (times.length === this.threshold && time - times[0]! < this.windowSec) {
      this.flagged.add(address);
      this.recent.delete(address); // flagged for good: its times are no longer needed
    }
  }
}

interface Cursor {
  time: number;
  order: number;
  actor: Actor;
  index: number;
}

/** A binary min-heap of cursors by (time, order): ties keep the order actors joined in. */
class CursorHeap {
  private readonly items: Cursor[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Cursor | undefined {
    return this.items[0];
  }

  push(cursor: Cursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Cursor | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(x: Cursor, y: Cursor): boolean {
  return x.time < y.time || (x.time === y.time && x.order < y.order);
}

/**
 * Merges actors into one stream of lines in time order. `nextActor` hands out actors in order of
 * their `start` (undefined: no more); an actor is only built once the log has reached its start, so
 * memory holds the actors in progress, not the whole log. Each emitted attempt goes to `truth`.
 */
export function* mergeActors(nextActor: () => Actor | undefined, truth?: WindowTruth): Generator<string> {
  const heap = new CursorHeap();
  let order = 0;
  let pending = nextActor();
  for (;;) {
    // Admit every actor that starts no later than the earliest line waiting: its lines are all at or
    // after its start, so nothing it writes can come before a line already emitted.
    while (pending && (heap.size === 0 || pending.start <= heap.peek()!.time)) {
      if (pending.lines.length > 0)
        heap.push({ time: pending.lines[0]!.time, order: order++, actor: pending, index: 0 });
      pending = nextActor();
    }
    const cursor = heap.pop();
    if (!cursor) return;
    const line = cursor.actor.lines[cursor.index]!;
    if (line.attemptOf !== undefined && truth) truth.observe(line.attemptOf, line.time);
    yield line.text;
    cursor.index++;
    if (cursor.index < cursor.actor.lines.length) {
      cursor.time = cursor.actor.lines[cursor.index]!.time;
      cursor.order = order++;
      heap.push(cursor);
    }
  }
}

/**
 * An actor from its lines: sorted by time, keeping the written order of lines with the same time.
 * `start` is when it begins: the actors handed to {@link mergeActors} come in order of it, and none of
 * an actor's lines may come before it (a generator bug, thrown).
 */
export function actorOf(start: number, lines: ActorLine[]): Actor {
  const sorted = lines
    .map((line, i) => ({ line, i }))
    .sort((x, y) => x.line.time - y.line.time || x.i - y.i)
    .map((entry) => entry.line);
  if (sorted.length > 0 && sorted[0]!.time < start)
    throw new Error(`actor starting at ${start} writes a line at ${sorted[0]!.time}`);
  return { start, lines: sorted };
}
