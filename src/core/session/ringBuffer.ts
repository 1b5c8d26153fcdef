/**
 * A fixed-capacity buffer that drops its oldest item when full. O(1) push and lookup by
 * position; memory is bounded by the capacity whatever the traffic.
 */
export class RingBuffer<T> {
  /** Grows as items arrive (no up-front allocation for large capacities), then wraps. */
  private readonly items: (T | undefined)[] = [];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer (got ${capacity})`);
  }

  get size(): number {
    return this.count;
  }

  /** Adds an item; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Item at position `index` (0 = oldest). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.start + index) % this.capacity];
  }

  /** Replaces the item at position `index`. */
  set(index: number, item: T): void {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} out of range`);
    this.items[(this.start + index) % this.capacity] = item;
  }

  /** Items oldest first. */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items.length = 0;
    this.start = 0;
    this.count = 0;
  }
}
