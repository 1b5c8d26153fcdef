/**
 * A keyed list of items of varying height in its own scroll box, with only the items in view (and
 * a margin) in the DOM: the Session tab's findings. Items are positioned by transform from the
 * measured heights (estimated until measured; a ResizeObserver reports them, so layout is never
 * read after a write). An update rebuilds only the items whose row object changed (rows are
 * replaced, never mutated, when they change) and that are in view.
 */
import { el } from './dom';

/** How a VirtualList draws its rows. */
export interface VirtualListOptions<Row> {
  /** The list's accessible name. */
  readonly label: string;
  /** Class of the list element (`ul`), for the page's CSS. */
  readonly className: string;
  keyOf(row: Row): string;
  /** A new `li` for a row (it gets its position and ARIA set by the list). */
  render(row: Row): HTMLElement;
  /** Height of an item before it is measured, px. */
  readonly estimatedHeight: number;
  /**
   * Up to this many rows all are in the DOM and the list is as tall as they are (the page scrolls,
   * as any short list); longer, the list gets its own scroll box and only a window is drawn.
   */
  readonly allInDomUpTo: number;
}

/** Items drawn above and below the viewport, px, so a fast scroll shows no gap. */
const OVERSCAN_PX = 300;

interface DrawnItem<Row> {
  readonly row: Row;
  readonly node: HTMLElement;
  index: number;
  top: number;
}

export class VirtualList<Row> {
  /** The scroll box: put this in the page. */
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private rows: readonly Row[] = [];
  private keys: string[] = [];
  /** Measured heights by key; items not measured yet count as the estimate. */
  private readonly heights = new Map<string, number>();
  /** Top of each item, px; one more entry for the total height. */
  private offsets: number[] = [0];
  private drawn = new Map<string, DrawnItem<Row>>();
  private readonly keyOfNode = new WeakMap<Element, string>();
  private readonly resize: ResizeObserver;
  private frame: number | undefined;

  constructor(private readonly options: VirtualListOptions<Row>) {
    this.list = el('ul', { class: `${options.className} vlist-items`, 'aria-label': options.label });
    this.element = el('div', { class: 'vlist', tabindex: '0', 'aria-label': `${options.label}: arrow keys move between them` }, this.list);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.resize = new ResizeObserver((entries) => this.measured(entries));
    // The viewport's height changes when the panel is resized.
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  /** Number of rows in the list (not in the DOM). */
  get size(): number {
    return this.rows.length;
  }

  /** New rows; items whose row object is the same keep their element. */
  update(rows: readonly Row[]): void {
    this.rows = rows;
    this.keys = rows.map((r) => this.options.keyOf(r));
    const live = new Set(this.keys);
    for (const key of this.heights.keys()) if (!live.has(key)) this.heights.delete(key);
    this.element.classList.toggle('vlist-windowed', this.windowed());
    this.layout();
    this.renderWindow();
  }

  private windowed(): boolean {
    return this.keys.length > this.options.allInDomUpTo;
  }

  /** Positions from the heights; the box is as tall as its content, up to its CSS max-height. */
  private layout(): void {
    const offsets = new Array<number>(this.keys.length + 1);
    let top = 0;
    for (let i = 0; i < this.keys.length; i++) {
      offsets[i] = top;
      top += this.heights.get(this.keys[i]!) ?? this.options.estimatedHeight;
    }
    offsets[this.keys.length] = top;
    this.offsets = offsets;
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    this.list.style.height = `${top}px`;
    this.element.style.height = `${top}px`;
  }

  /** Index of the item at `y` px from the top. */
  private indexAt(y: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.renderWindow();
    });
  }

  /** Puts the items in view in the DOM (in order, for screen readers), and only those, plus a focused one. */
  private renderWindow(): void {
    // Layout is read first, before anything is written.
    const top = this.element.scrollTop;
    const height = this.element.clientHeight || 400;
    const windowed = this.windowed();
    const start = windowed ? this.indexAt(Math.max(0, top - OVERSCAN_PX)) : 0;
    const end = windowed ? Math.min(this.keys.length, this.indexAt(top + height + OVERSCAN_PX) + 1) : this.keys.length;
    const focusedKey = this.focusedKey();
    const wanted: number[] = [];
    for (let i = start; i < end; i++) wanted.push(i);
    const focusedAt = focusedKey !== undefined ? this.keys.indexOf(focusedKey) : -1;
    if (focusedAt >= 0 && (focusedAt < start || focusedAt >= end)) wanted.push(focusedAt);
    wanted.sort((a, b) => a - b);

    const drawn = new Map<string, DrawnItem<Row>>();
    for (const i of wanted) {
      const key = this.keys[i]!;
      const row = this.rows[i]!;
      let item = this.drawn.get(key);
      if (item && item.row !== row) {
        this.resize.unobserve(item.node);
        item.node.remove();
        item = undefined;
      }
      this.drawn.delete(key);
      if (!item) {
        const node = this.options.render(row);
        node.classList.add('vlist-item');
        node.tabIndex = -1;
        this.keyOfNode.set(node, key);
        item = { row, node, index: -1, top: -1 };
        this.resize.observe(node);
      }
      if (item.index !== i) {
        item.index = i;
        item.node.setAttribute('aria-posinset', String(i + 1));
      }
      this.place(item);
      drawn.set(key, item);
    }
    for (const gone of this.drawn.values()) {
      this.resize.unobserve(gone.node);
      gone.node.remove();
    }
    this.drawn = drawn;
    const size = String(this.keys.length);
    let cursor = this.list.firstElementChild;
    for (const item of drawn.values()) {
      if (item.node.getAttribute('aria-setsize') !== size) item.node.setAttribute('aria-setsize', size);
      if (item.node === cursor) cursor = cursor.nextElementSibling;
      else this.list.insertBefore(item.node, cursor);
    }
  }

  private place(item: DrawnItem<Row>): void {
    const top = this.offsets[item.index]!;
    if (item.top === top) return;
    item.top = top;
    item.node.style.transform = `translateY(${top}px)`;
  }

  /** Heights the ResizeObserver measured: positions move only when one differs from what was assumed. */
  private measured(entries: readonly ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const key = this.keyOfNode.get(entry.target);
      if (key === undefined || !this.drawn.has(key)) continue;
      const h = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
      if (h > 0 && this.heights.get(key) !== h) {
        this.heights.set(key, h);
        changed = true;
      }
    }
    if (!changed) return;
    this.layout();
    for (const item of this.drawn.values()) this.place(item);
    // Items measured taller or shorter change what is in view.
    this.schedule();
  }

  private focusedKey(): string | undefined {
    const active = document.activeElement;
    if (!active || !this.list.contains(active)) return undefined;
    const item = active.closest('.vlist-item');
    return item ? this.keyOfNode.get(item) : undefined;
  }

  /** Arrow keys, Page Up/Down, Home and End move the focus between items; the list scrolls to it. */
  private onKey(e: KeyboardEvent): void {
    const steps: Record<string, number | 'first' | 'last'> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: 'first', End: 'last' };
    const step = steps[e.key];
    if (step === undefined || this.keys.length === 0) return;
    // Keys in a control inside an item (a button) that it uses itself are left alone.
    const target = e.target as HTMLElement;
    if (target !== this.element && !target.classList.contains('vlist-item') && (e.key === 'Home' || e.key === 'End')) return;
    e.preventDefault();
    const key = this.focusedKey();
    const at = key !== undefined ? this.keys.indexOf(key) : -1;
    const next = step === 'first' ? 0 : step === 'last' ? this.keys.length - 1 : Math.max(0, Math.min(this.keys.length - 1, at < 0 ? 0 : at + step));
    this.focusIndex(next);
  }

  /** Scrolls item `index` into view, draws it and focuses it. */
  focusIndex(index: number): void {
    const top = this.offsets[index]!;
    const bottom = this.offsets[index + 1]!;
    const view = this.element.clientHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (bottom > this.element.scrollTop + view) this.element.scrollTop = bottom - view;
    this.renderWindow();
    // A short list scrolls with the page: the browser brings the item into view.
    this.drawn.get(this.keys[index]!)?.node.focus({ preventScroll: this.windowed() });
  }
}
