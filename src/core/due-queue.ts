/**
 * A binary min-heap of items by due time. Times may be stale (earlier than the item's real due
 * time): the owner re-checks an item when it comes due and pushes it again with its new time, so a
 * later due time never has to be found and moved in the heap.
 */
export class DueQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest due time, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  push(time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let at = times.length;
    times.push(time);
    items.push(item);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (times[parent]! <= time) break;
      times[at] = times[parent]!;
      items[at] = items[parent]!;
      at = parent;
    }
    times[at] = time;
    items[at] = item;
  }

  /** Removes and returns the earliest item (the caller checked `peekTime()`). */
  pop(): T {
    const times = this.times;
    const items = this.items;
    const top = items[0]!;
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    const size = times.length;
    if (size > 0) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= size) break;
        if (child + 1 < size && times[child + 1]! < times[child]!) child++;
        if (times[child]! >= lastTime) break;
        times[at] = times[child]!;
        items[at] = items[child]!;
        at = child;
      }
      times[at] = lastTime;
      items[at] = lastItem;
    }
    return top;
  }
}
