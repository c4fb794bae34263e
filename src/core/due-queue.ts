/** An item a {@link DueQueue} can hold: the queue keeps the item's position in it, -1 when not queued. */
export interface Queued {
  queueIndex: number;
}

/**
 * A binary min-heap of items by due time, each item in it at most once, which can remove an item in
 * O(log n) (it keeps each item's position in the item). Times may be stale (earlier than the item's
 * real due time): the owner re-checks an item when it comes due and queues it again with its new
 * time, so a later due time never has to be moved in the heap when an attack is extended.
 */
export class DueQueue<T extends Queued> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  /** The earliest due time, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Queues `item` (not queued yet) at `time`. */
  push(time: number, item: T): void {
    this.times.push(time);
    this.items.push(item);
    this.siftUp(this.items.length - 1, time, item);
  }

  /** Removes and returns the earliest item (the caller checked `peekTime()`). */
  pop(): T {
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  /** Takes `item` out of the queue, if it is in it. */
  remove(item: T): void {
    if (item.queueIndex >= 0) this.removeAt(item.queueIndex);
  }

  private removeAt(at: number): void {
    const removed = this.items[at]!;
    removed.queueIndex = -1;
    const lastTime = this.times.pop()!;
    const lastItem = this.items.pop()!;
    if (at === this.items.length) return;
    // The last item fills the hole, then moves up or down to where it belongs.
    if (at > 0 && this.times[(at - 1) >> 1]! > lastTime) this.siftUp(at, lastTime, lastItem);
    else this.siftDown(at, lastTime, lastItem);
  }

  private siftUp(from: number, time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let at = from;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (times[parent]! <= time) break;
      this.place(at, times[parent]!, items[parent]!);
      at = parent;
    }
    this.place(at, time, item);
  }

  private siftDown(from: number, time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    const size = times.length;
    let at = from;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && times[child + 1]! < times[child]!) child++;
      if (times[child]! >= time) break;
      this.place(at, times[child]!, items[child]!);
      at = child;
    }
    this.place(at, time, item);
  }

  private place(at: number, time: number, item: T): void {
    this.times[at] = time;
    this.items[at] = item;
    item.queueIndex = at;
  }
}
