// A ring buffer keeping the newest `limit` items: event logs and freed-handle history stay bounded
// however long a simulation runs (a 1M-packet run must not keep 1M records).

export class BoundedLog<T> {
  private readonly items: T[] = [];
  private start = 0;
  private dropped = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`a log limit must be a non-negative integer, got ${limit}`);
  }

  push(item: T): void {
    if (this.limit === 0) {
      this.dropped++;
      return;
    }
    if (this.items.length < this.limit) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.limit;
    this.dropped++;
  }

  /** The kept items, oldest first. */
  toArray(): T[] {
    return this.items.slice(this.start).concat(this.items.slice(0, this.start));
  }

  get size(): number {
    return this.items.length;
  }

  /** How many items were pushed out (or never kept) because of the limit. */
  get droppedCount(): number {
    return this.dropped;
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let index = this.items.length - 1; index >= 0; index--) {
      const item = this.items[(this.start + index) % this.items.length]!;
      if (predicate(item)) return item;
    }
    return undefined;
  }
}
