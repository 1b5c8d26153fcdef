/**
 * The Timeline tab of the Session webview: the filter bar, the virtualised exchange list and the
 * exchange detail. What it shares with the rest of the page (UI state, model, messages, the
 * findings list) comes in through a TimelineHost.
 */
import type { BodyView, ExchangeDetail, ExchangeRow, FindingRow, FromWebview, HeaderView, RowSource, StatusClass } from '../shared/protocol';
import { ROW_SOURCE_LABELS, STATUS_CLASSES } from '../shared/protocol';
import { button, el } from './dom';
import { sourceBadge } from './sourceBadge';
import { formatBytes, formatClock, formatElapsed } from './format';
import { filterRows, indexOfId, isAtBottom, isEmptyFilter, longestInOrder, moveSelection, NO_FILTER, type SessionModel, type TimelineFilter, visibleRange } from './timelineModel';

/** The part of the webview's saved UI state the timeline reads and writes. */
export interface TimelineUi {
  selectedId?: number;
  detailOpen: boolean;
  filter: TimelineFilter;
  scrollTop: number;
  /** Follow the newest exchange like a log; off while the user looks at older ones. */
  follow: boolean;
}

/** Performance mark set each time the visible rows are in the DOM (read by bench/panel/webview.ts). */
export const RENDERED_MARK = 'session-lens:timeline-rendered';
/** Performance mark set once per document, when rows are first in the DOM (time to first render, bench/panel/webview.ts). */
export const FIRST_RENDER_MARK = 'session-lens:timeline-first-render';

/** A row element in the virtual window and what it shows. */
interface DrawnRow {
  readonly row: ExchangeRow;
  readonly index: number;
  readonly selected: boolean;
  readonly node: HTMLElement;
}

/** What the timeline needs from the page around it. */
export interface TimelineHost {
  readonly ui: TimelineUi;
  readonly model: SessionModel;
  saveUi(): void;
  send(message: FromWebview): void;
  changeText(kind: string, attributes?: readonly string[], reason?: string): string;
  findingsList(findings: readonly FindingRow[], linkExchanges?: boolean): HTMLElement;
}

/** Height of one timeline row in CSS pixels; must match `.tl-row` in session.css. */
const ROW_HEIGHT = 22;
/** Rows rendered above and below the viewport, so fast scrolling shows no blank rows. */
const OVERSCAN = 4;
/** The scroll position is saved this long after the last scroll. */
const SAVE_SCROLL_AFTER_MS = 200;
/** The cells of a row, by their class (`c-…`), in column order. */
const ROW_CELLS = ['time', 'method', 'path', 'status', 'duration', 'size', 'session'] as const;

/** Sets a text only when it differs (no needless style and layout work). */
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

// ---- Timeline tab: filter bar, virtualised list, detail ----

const STATUS_LABELS: Record<(typeof STATUS_CLASSES)[number], string> = { '2xx': '2xx', '3xx': '3xx', '4xx': '4xx', '5xx': '5xx', failed: 'failed' };

export class Timeline {
  private rows: readonly ExchangeRow[] = [];
  private readonly search = el('input', { type: 'search', class: 'filter-text', placeholder: 'Filter: path, header or cookie name', 'aria-label': 'Filter exchanges by path, header name or cookie name' });
  private readonly statusButtons = new Map<StatusClass, HTMLButtonElement>();
  private readonly changedButton: HTMLButtonElement;
  private readonly findingsButton: HTMLButtonElement;
  private readonly countLabel = el('span', { class: 'muted count', 'aria-live': 'polite' });
  private readonly followButton: HTMLButtonElement;
  private readonly grid = el('div', { class: 'tl-grid', role: 'grid', tabindex: '0', 'aria-label': 'Exchanges', 'aria-readonly': 'true' });
  private readonly scroller = el('div', { class: 'tl-scroller', role: 'rowgroup' });
  private readonly spacer = el('div', { class: 'tl-spacer' });
  private readonly window = el('div', { class: 'tl-window' });
  private readonly detail = el('section', { class: 'tl-detail', 'aria-label': 'Exchange detail' });
  private readonly split = el('div', { class: 'tl-split' });
  private detailData: { id: number; detail?: ExchangeDetail; loading: boolean } | undefined;
  /** The row of the exchange whose detail was last asked for, as it was then. */
  private detailRow: ExchangeRow | undefined;
  private frame: number | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private restoredScroll = false;
  /** The rows in the DOM by exchange id, with what each was drawn from. */
  private drawn = new Map<number, DrawnRow>();

  constructor(private readonly container: HTMLElement, private readonly host: TimelineHost) {
    this.search.value = this.host.ui.filter.text;
    this.search.addEventListener('input', () => this.setFilter({ ...this.host.ui.filter, text: this.search.value }));
    const statusGroup = el('div', { class: 'status-filters', role: 'group', 'aria-label': 'Status' });
    for (const s of STATUS_CLASSES) {
      const b = button(STATUS_LABELS[s], { class: 'toggle', 'data-status': s, title: `Only ${s === 'failed' ? 'failed exchanges (no response: aborted, refused, timed out)' : `${s} responses`}` }, () => {
        const has = this.host.ui.filter.statuses.includes(s);
        this.setFilter({ ...this.host.ui.filter, statuses: has ? this.host.ui.filter.statuses.filter((x) => x !== s) : [...this.host.ui.filter.statuses, s] });
      });
      this.statusButtons.set(s, b);
      statusGroup.append(b);
    }
    this.changedButton = button('Changed session', { class: 'toggle', title: 'Only exchanges that created, changed or deleted a cookie, or issued a token' }, () => this.setFilter({ ...this.host.ui.filter, changedOnly: !this.host.ui.filter.changedOnly }));
    this.findingsButton = button('Has findings', { class: 'toggle', title: 'Only exchanges that findings point at' }, () => this.setFilter({ ...this.host.ui.filter, withFindings: !this.host.ui.filter.withFindings }));
    this.followButton = button('Follow', { class: 'toggle follow', title: 'Keep the newest exchange in view' }, () => this.setFollow(!this.host.ui.follow));
    const filters = el('div', { class: 'tl-filters', role: 'search' }, this.search, statusGroup, this.changedButton, this.findingsButton, this.countLabel, this.followButton);

    const head = el('div', { class: 'tl-row tl-head', role: 'row', 'aria-rowindex': '1' },
      ...['Time', 'Method', 'Path', 'Status', 'Duration', 'Size', 'Session'].map((h) => el('div', { role: 'columnheader', class: `c-${h.toLowerCase()}` }, h)));
    this.spacer.append(this.window);
    this.scroller.append(this.spacer);
    this.grid.append(head, this.scroller);
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.grid.addEventListener('keydown', (e) => this.onKey(e));
    this.window.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.tl-row');
      if (row?.dataset.id) this.select(Number(row.dataset.id), true);
    });
    this.detail.hidden = true;
    this.split.append(this.grid, this.detail);
    container.append(filters, this.split);
    this.renderFilterButtons();
    // The viewport's height changes when the panel is resized or dragged to a sidebar.
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** New rows from the model; the open detail is asked for again when its row changed or masking did. */
  update(all: readonly ExchangeRow[], maskedChanged: boolean): void {
    const anchor = this.topRow();
    this.rows = filterRows(all, this.host.ui.filter);
    const older = this.olderToCome();
    this.countLabel.textContent = (isEmptyFilter(this.host.ui.filter) ? `${all.length + older} exchanges` : `${this.rows.length} of ${all.length + older}`) + (older > 0 ? ' (loading older)' : '');
    this.grid.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    if (anchor) {
      // Rows came or went above the viewport (older rows arrived, the oldest were evicted): the rows in view stay in view.
      const at = indexOfId(this.rows, anchor.id);
      if (at >= 0 && at * ROW_HEIGHT + anchor.offset !== this.scroller.scrollTop) this.scroller.scrollTop = at * ROW_HEIGHT + anchor.offset;
    }
    this.render();
    if (this.host.ui.detailOpen && this.host.ui.selectedId !== undefined) {
      // Rows are replaced, never mutated: another object means the exchange got its response, was evicted, or its findings changed.
      if (maskedChanged || !this.detailData || this.rowById(this.host.ui.selectedId) !== this.detailRow) this.requestDetail(this.host.ui.selectedId);
    }
  }

  /** Whether the row of exchange `id` is in the DOM now (in the rows' window). */
  isDrawn(id: number): boolean {
    return this.drawn.has(id);
  }

  /** Exchanges older than the model's first row that the extension has still to send. */
  private olderToCome(): number {
    return this.host.model.state?.olderExchanges ?? 0;
  }

  /** The row at the top of the viewport and how far it is scrolled, while the user looks at older rows (not following). */
  private topRow(): { id: number; offset: number } | undefined {
    if (this.host.ui.follow || !this.restoredScroll || this.container.hidden || this.rows.length === 0) return undefined;
    const top = this.scroller.scrollTop;
    const at = Math.min(this.rows.length - 1, Math.floor(top / ROW_HEIGHT));
    return { id: this.rows[at]!.id, offset: top - at * ROW_HEIGHT };
  }

  private rowById(id: number): ExchangeRow | undefined {
    const all = this.host.model.state?.exchanges ?? [];
    const at = indexOfId(all, id);
    return at < 0 ? undefined : all[at];
  }

  /** The tab became visible: its viewport has a size now. */
  shown(): void {
    this.render();
  }

  private setFilter(filter: TimelineFilter): void {
    this.host.ui.filter = filter;
    this.renderFilterButtons();
    this.update(this.host.model.state?.exchanges ?? [], false);
    if (!this.host.ui.follow && this.host.ui.selectedId !== undefined) this.scrollToSelection('center');
    this.host.saveUi();
  }

  private renderFilterButtons(): void {
    for (const [s, b] of this.statusButtons) b.setAttribute('aria-pressed', String(this.host.ui.filter.statuses.includes(s)));
    this.changedButton.setAttribute('aria-pressed', String(this.host.ui.filter.changedOnly));
    this.findingsButton.setAttribute('aria-pressed', String(this.host.ui.filter.withFindings));
    this.followButton.setAttribute('aria-pressed', String(this.host.ui.follow));
    this.followButton.textContent = this.host.ui.follow ? 'Following' : 'Paused: follow';
  }

  private setFollow(follow: boolean): void {
    this.host.ui.follow = follow;
    this.renderFilterButtons();
    if (follow) this.scrollToBottom();
    this.host.saveUi();
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  private onScroll(): void {
    const { scrollTop, clientHeight, scrollHeight } = this.scroller;
    if (clientHeight > 0) {
      const follow = isAtBottom(scrollTop, clientHeight, scrollHeight, ROW_HEIGHT);
      if (follow !== this.host.ui.follow) {
        this.host.ui.follow = follow;
        this.renderFilterButtons();
      }
      this.host.ui.scrollTop = scrollTop;
    }
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.renderWindow();
      this.saveScrollSoon();
    });
  }

  /** Saves the scroll position once scrolling pauses, not in every frame (each save is a message to the workbench). */
  private saveScrollSoon(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.host.saveUi();
    }, SAVE_SCROLL_AFTER_MS);
  }

  /** Positions the viewport (restored scroll, or the tail when following), then draws the visible rows. */
  private render(): void {
    if (this.container.hidden || this.scroller.clientHeight === 0) return;
    // The saved position is in the whole list: restored once the older rows are in too.
    if (!this.restoredScroll && this.olderToCome() === 0) {
      this.restoredScroll = true;
      if (!this.host.ui.follow) this.scroller.scrollTop = this.host.ui.scrollTop;
    }
    if (this.host.ui.follow) this.scrollToBottom();
    this.renderWindow();
  }

  /**
   * Puts the visible rows in the DOM. A row already drawn for the same row object, position and
   * selection is left alone (rows are replaced, never mutated, when they change); the elements of
   * rows that left the window are refilled, where they are, for the rows that entered it. Scrolling
   * moves and refills a fixed pool of elements: it creates none, and moves in the DOM only as many
   * as keep the DOM in row order (none when the whole window changed, as in a fast scroll): an
   * element moved in the DOM has its style and layout objects built anew, one refilled in place
   * only has its texts, classes and transform written. A delta touches only the rows it changed.
   */
  private renderWindow(): void {
    const { start, end } = visibleRange(this.scroller.scrollTop, this.scroller.clientHeight, ROW_HEIGHT, this.rows.length, OVERSCAN);
    const drawn = new Map<number, DrawnRow>();
    // What each row of the window was drawn as, if it is in the DOM already.
    const placed: (DrawnRow | undefined)[] = [];
    for (let i = start; i < end; i++) {
      const id = this.rows[i]!.id;
      placed.push(this.drawn.get(id));
      this.drawn.delete(id);
    }
    // Elements of rows no longer in the window, in DOM order, to refill in order.
    const left = new Set<Element>([...this.drawn.values()].map((d) => d.node));
    const spare: HTMLElement[] = [];
    for (let c = this.window.firstElementChild; c; c = c.nextElementSibling) if (left.has(c)) spare.push(c as HTMLElement);
    spare.reverse();
    const nodes: HTMLElement[] = [];
    for (let i = start; i < end; i++) {
      const row = this.rows[i]!;
      const selected = row.id === this.host.ui.selectedId;
      const before = placed[i - start];
      const node = before?.node ?? spare.pop() ?? this.rowNode();
      if (!before || before.row !== row || before.selected !== selected) this.drawRow(node, row, i, selected);
      // Rows came or went above it (older rows arrived, the oldest were evicted): moved, not drawn again.
      else if (before.index !== i) placeRow(node, i);
      drawn.set(row.id, { row, index: i, selected, node });
      nodes.push(node);
    }
    for (const node of spare) node.remove();
    orderChildren(this.window, nodes);
    this.drawn = drawn;
    // On the page's performance timeline for bench/panel (only the latest, so nothing accumulates).
    performance.clearMarks(RENDERED_MARK);
    const last = this.rows[this.rows.length - 1];
    const detail = { rows: this.rows.length, lastId: last?.id ?? 0, lastPending: last?.state === 'pending', older: this.olderToCome() };
    performance.mark(RENDERED_MARK, { detail });
    if (nodes.length > 0 && performance.getEntriesByName(FIRST_RENDER_MARK).length === 0) performance.mark(FIRST_RENDER_MARK, { detail });
    const selected = this.host.ui.selectedId !== undefined ? this.drawn.get(this.host.ui.selectedId)?.node : undefined;
    // Written only when it changes: an attribute write invalidates style even with the same value.
    const active = selected?.id;
    if (active === undefined) {
      if (this.grid.hasAttribute('aria-activedescendant')) this.grid.removeAttribute('aria-activedescendant');
    } else if (this.grid.getAttribute('aria-activedescendant') !== active) this.grid.setAttribute('aria-activedescendant', active);
  }

  /** An empty row element with its cells; drawRow fills it. The path cell holds the host (a span) and the path (a text node). */
  private rowNode(): HTMLElement {
    const cell = (name: string) => name === 'path' ? el('div', { role: 'gridcell', class: 'c-path' }, el('span', { class: 'host' }), document.createTextNode('')) : el('div', { role: 'gridcell', class: `c-${name}` });
    return el('div', { class: 'tl-row', role: 'row' }, ...ROW_CELLS.map(cell));
  }

  /**
   * Fills a row element with one exchange at position `index`. Only what differs is written, into
   * the elements the row has: refilling a row on a scroll creates no element unless the new row
   * has more badges, so style is recalculated for the changed nodes only.
   */
  private drawRow(node: HTMLElement, r: ExchangeRow, index: number, selected: boolean): void {
    const [time, method, path, status, duration, size, session] = node.children as unknown as HTMLElement[];
    if (node.classList.contains('selected') !== selected) node.classList.toggle('selected', selected);
    node.id = `ex-${r.id}`;
    node.dataset.id = String(r.id);
    if (node.dataset.status !== r.statusClass) node.dataset.status = r.statusClass;
    // aria-selected is in a selector (the tabs): written only when it changes.
    if (node.getAttribute('aria-selected') !== String(selected)) node.setAttribute('aria-selected', String(selected));
    placeRow(node, index);
    setText(time!, formatClock(r.time));
    setText(method!, r.method);
    const pathTitle = r.host ? `${r.host}${r.path}` : r.path;
    if (path!.title !== pathTitle) path!.title = pathTitle;
    setText(path!.firstChild as HTMLElement, r.host ?? '');
    const pathText = path!.lastChild as Text;
    if (pathText.data !== r.path) pathText.data = r.path;
    setText(status!, r.status !== undefined ? String(r.status) : r.state === 'pending' ? '…' : r.state);
    setText(duration!, r.durationMs !== undefined ? formatElapsed(r.durationMs) : '');
    setText(size!, r.size !== undefined ? formatBytes(r.size) : '');
    const list = badges(r);
    // The column clips long lists: the whole summary is in the tooltip.
    const summary = list.map((b) => b.title).join('\n');
    if (session!.title !== summary) session!.title = summary;
    fillBadges(session!, list);
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
    const steps: Record<string, number | 'first' | 'last'> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: 'first', End: 'last' };
    const step = steps[e.key];
    if (step !== undefined) {
      e.preventDefault();
      const id = moveSelection(this.rows, this.host.ui.selectedId, step);
      if (id !== undefined) this.select(id, this.host.ui.detailOpen);
    } else if (e.key === 'Enter' && this.host.ui.selectedId !== undefined) {
      e.preventDefault();
      this.openDetail(this.host.ui.selectedId);
    } else if (e.key === 'Escape' && this.host.ui.detailOpen) {
      e.preventDefault();
      this.closeDetail();
    }
  }

  select(id: number, openDetail: boolean): void {
    this.host.ui.selectedId = id;
    this.scrollToSelection('nearest');
    this.renderWindow();
    if (openDetail) this.openDetail(id);
    this.host.saveUi();
  }

  private scrollToSelection(where: 'nearest' | 'center'): void {
    if (this.host.ui.selectedId === undefined) return;
    const at = indexOfId(this.rows, this.host.ui.selectedId);
    if (at < 0) return;
    const top = at * ROW_HEIGHT;
    const view = this.scroller.clientHeight;
    if (where === 'center') this.scroller.scrollTop = Math.max(0, top - view / 2);
    else if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_HEIGHT - view;
  }

  /** Shows one exchange from elsewhere in the panel (a finding, a cookie's history). */
  reveal(id: number): void {
    if (indexOfId(this.rows, id) < 0 && !isEmptyFilter(this.host.ui.filter)) {
      // Filtered out: show everything rather than a selection nobody can see.
      this.host.ui.filter = NO_FILTER;
      this.search.value = '';
      this.renderFilterButtons();
      this.update(this.host.model.state?.exchanges ?? [], false);
    }
    this.host.ui.follow = false;
    this.renderFilterButtons();
    this.host.ui.selectedId = id;
    this.scrollToSelection('center');
    this.renderWindow();
    this.openDetail(id);
    this.grid.focus({ preventScroll: true });
    this.host.saveUi();
  }

  private openDetail(id: number): void {
    this.host.ui.detailOpen = true;
    this.requestDetail(id);
    this.host.saveUi();
  }

  private requestDetail(id: number): void {
    this.detailRow = this.rowById(id);
    this.detailData = { id, loading: true, ...(this.detailData?.id === id && this.detailData.detail ? { detail: this.detailData.detail } : {}) };
    this.host.send({ type: 'exchangeDetail', id });
    this.renderDetail();
  }

  closeDetail(): void {
    this.host.ui.detailOpen = false;
    this.detailData = undefined;
    this.detail.hidden = true;
    this.split.classList.remove('with-detail');
    this.detail.replaceChildren();
    this.grid.focus({ preventScroll: true });
    this.host.saveUi();
  }

  /** The extension's answer to a detail request. */
  received(id: number, detail: ExchangeDetail | undefined): void {
    if (!this.host.ui.detailOpen || this.detailData?.id !== id) return;
    this.detailData = { id, loading: false, ...(detail ? { detail } : {}) };
    this.renderDetail();
  }

  private renderDetail(): void {
    const d = this.detailData;
    this.detail.hidden = !this.host.ui.detailOpen || !d;
    this.split.classList.toggle('with-detail', !this.detail.hidden);
    if (!d || !this.host.ui.detailOpen) return;
    const close = button('Close', { class: 'secondary close', title: 'Close the detail (Escape)' }, () => this.closeDetail());
    if (!d.detail) {
      this.detail.replaceChildren(el('div', { class: 'detail-head' }, el('h3', {}, `Exchange #${d.id}`), close),
        el('p', { class: 'muted' }, d.loading ? 'Loading…' : 'This exchange is no longer in the capture (the oldest ones are dropped when the capture is full).'));
      return;
    }
    this.detail.replaceChildren(...detailNodes(d.detail, close, this.host));
  }
}

/**
 * Makes `nodes` the children of `parent` in this order, moving the fewest: those outside the
 * longest run already in order (a move rebuilds the element's style and layout objects). The
 * nodes are the parent's children or new ones; any other child has been removed.
 */
function orderChildren(parent: HTMLElement, nodes: readonly HTMLElement[]): void {
  const at = new Map<Element, number>();
  let n = 0;
  for (let c = parent.firstElementChild; c; c = c.nextElementSibling) at.set(c, n++);
  const stay = longestInOrder(nodes.map((node) => at.get(node) ?? -1));
  // From the last: the node after each one is in its final place already.
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (stay.has(i)) continue;
    const next = nodes[i + 1] ?? null;
    if (nodes[i]!.parentElement !== parent || nodes[i]!.nextElementSibling !== next) parent.insertBefore(nodes[i]!, next);
  }
}

/** Puts a row element at position `index` of the list. */
function placeRow(node: HTMLElement, index: number): void {
  node.setAttribute('aria-rowindex', String(index + 2));
  // CSSOM, not a style attribute: the CSP allows no inline styles. A transform moves the row without a layout.
  node.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
}

/** A badge of a timeline row: its classes, tooltip and text. */
interface Badge {
  /** A source badge (drawn by sourceBadge, with its text for screen readers). */
  readonly source?: RowSource;
  readonly className: string;
  readonly title: string;
  readonly text: string;
}

function badges(r: ExchangeRow): Badge[] {
  const out: Badge[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (r.capturedBy !== undefined) out.push({ source: r.capturedBy, className: '', title: Object.prototype.hasOwnProperty.call(ROW_SOURCE_LABELS, r.capturedBy) ? ROW_SOURCE_LABELS[r.capturedBy].long : `Source: ${String(r.capturedBy)}`, text: '' });
  if (r.sessionChanged) out.push({ className: 'badge changed', title: 'This exchange changed the session', text: 'session changed' });
  if (r.cookiesCreated) out.push({ className: 'badge', title: `${plural(r.cookiesCreated, 'cookie')} created`, text: `+${r.cookiesCreated} set` });
  if (r.cookiesChanged) out.push({ className: 'badge', title: `${plural(r.cookiesChanged, 'cookie')} changed`, text: `~${r.cookiesChanged} changed` });
  if (r.cookiesDeleted) out.push({ className: 'badge', title: `${plural(r.cookiesDeleted, 'cookie')} deleted or expired`, text: `−${r.cookiesDeleted} deleted` });
  if (r.tokensIssued) out.push({ className: 'badge', title: `${plural(r.tokensIssued, 'token')} issued`, text: `${plural(r.tokensIssued, 'token')} issued` });
  if (r.tokensSent) out.push({ className: 'badge muted', title: `${plural(r.tokensSent, 'token')} sent`, text: `${plural(r.tokensSent, 'token')} sent` });
  if (r.findings) out.push({ className: 'badge finding-count', title: `${plural(r.findings, 'finding')} point at this exchange`, text: plural(r.findings, 'finding') });
  if (r.cookiesSent) out.push({ className: 'badge muted', title: `${plural(r.cookiesSent, 'cookie')} sent`, text: `${r.cookiesSent} sent` });
  return out;
}

/** Puts `list` in the cell's badge spans, reusing those it has (a recycled row keeps its elements). */
function fillBadges(cell: HTMLElement, list: readonly Badge[]): void {
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    let span = cell.children[i] as HTMLElement | undefined;
    if (b.source !== undefined) {
      if (span?.dataset.source !== b.source) {
        const made = sourceBadge(b.source)[0]!;
        if (span) span.replaceWith(made);
        else cell.append(made);
      }
      continue;
    }
    if (!span || span.dataset.source !== undefined) {
      const made = el('span', {});
      if (span) span.replaceWith(made);
      else cell.append(made);
      span = made;
    }
    if (span.className !== b.className) span.className = b.className;
    if (span.title !== b.title) span.title = b.title;
    setText(span, b.text);
  }
  while (cell.children.length > list.length) cell.lastElementChild!.remove();
}

function headersTable(headers: readonly HeaderView[], label: string): HTMLElement {
  if (headers.length === 0) return el('p', { class: 'muted' }, 'No headers recorded.');
  const body = el('tbody');
  for (const h of headers) body.append(el('tr', {}, el('th', { scope: 'row', class: 'hname' }, h.name), el('td', { class: h.secret ? 'hvalue secret' : 'hvalue' }, h.value)));
  return el('table', { class: 'heads', 'aria-label': label }, body);
}

function bodyNodes(body: BodyView | undefined, label: string): Node[] {
  if (!body) return [];
  const about = `${label} · ${body.mimeType ?? 'unknown type'} · ${formatBytes(body.wireBytes)}${body.truncated ? ' · preview truncated' : ''}`;
  const out: Node[] = [el('h5', {}, about)];
  if (body.form) {
    const rows = el('tbody');
    for (const f of body.form) rows.append(el('tr', {}, el('th', { scope: 'row', class: 'hname' }, f.name), el('td', { class: 'hvalue' }, f.value)));
    out.push(el('table', { class: 'heads', 'aria-label': `${label} form fields` }, rows));
  } else if (body.text !== undefined) {
    out.push(el('pre', { class: 'claims body' }, body.text));
  } else if (body.note) {
    out.push(el('p', { class: 'muted' }, body.note));
  }
  return out;
}

function detailNodes(d: ExchangeDetail, close: HTMLElement, host: Pick<TimelineHost, 'changeText' | 'findingsList' | 'send'>): Node[] {
  const status = d.status !== undefined ? `${d.status}${d.statusText ? ` ${d.statusText}` : ''}` : d.state;
  const when = `${formatClock(d.startedAt)}${d.durationMs !== undefined ? ` · ${formatElapsed(d.durationMs)}` : ''}`;
  const out: Node[] = [
    el('div', { class: 'detail-head' }, el('h3', { class: 'detail-title' }, `${d.method} ${d.url}`),
      el('span', { class: 'detail-actions' }, button('Copy as curl', { class: 'secondary copy-curl', title: 'Copy this request as a curl command with the current cookies and Authorization (values in the clear)' }, () => host.send({ type: 'copyAsCurl', id: d.id })), close)),
    el('p', { class: 'muted' }, `${status} · ${when}${d.error ? ` · ${d.error}` : ''}`),
  ];

  const diff = el('section', { class: 'session-diff', 'aria-label': 'Session changes' }, el('h4', {}, 'Session changes'));
  if (d.cookieDiff.length === 0 && !d.tokens.some((t) => t.issued)) diff.append(el('p', { class: 'muted' }, 'This exchange did not change the session.'));
  if (d.cookieDiff.length > 0) {
    const rows = el('tbody');
    for (const c of d.cookieDiff) {
      const change = el('td', { class: `change ${c.kind}` }, host.changeText(c.kind, c.attributes));
      rows.append(el('tr', { 'data-key': c.key, 'data-kind': c.kind },
        el('td', { class: 'name' }, c.name, el('span', { class: 'muted' }, ` ${c.domain}${c.path}`)),
        change,
        el('td', { class: 'value' }, c.before ?? '—'),
        el('td', { class: 'value' }, c.after ?? '—')));
    }
    diff.append(el('table', { class: 'grid diff', 'aria-label': 'Cookie jar before and after' },
      el('thead', {}, el('tr', {}, ...['Cookie', 'Change', 'Before', 'After'].map((h) => el('th', { scope: 'col' }, h)))), rows));
  }
  if (d.rejectedCookies.length > 0) {
    const list = el('ul', { class: 'rejected' });
    for (const r of d.rejectedCookies) list.append(el('li', {}, `Set-Cookie ${r.name} rejected: ${r.reason}`));
    diff.append(list);
  }
  if (d.tokens.length > 0) {
    const list = el('ul', { class: 'detail-tokens' });
    for (const t of d.tokens) {
      const item = el('li', {}, el('span', { class: 'badge' }, t.issued ? 'issued' : 'sent'), ` ${t.kind} ${t.name} `, el('span', { class: 'muted' }, `in ${t.source}`), ' ', el('span', { class: 'value' }, t.value));
      item.append(' ', button('Copy value', { class: 'link copy-value', title: `Copy the value of ${t.name}` }, () => host.send({ type: 'copyValue', key: t.key })));
      if (t.claims) item.append(el('pre', { class: 'claims' }, t.claims));
      list.append(item);
    }
    diff.append(el('h5', {}, 'Tokens'), list);
  }
  out.push(diff);
  if (d.findings.length > 0) out.push(el('section', {}, el('h4', {}, `Findings (${d.findings.length})`), host.findingsList(d.findings, false)));
  out.push(el('section', { 'aria-label': 'Request' }, el('h4', {}, `Request · ${d.httpVersion}`), headersTable(d.requestHeaders, 'Request headers'), ...bodyNodes(d.requestBody, 'Request body')));
  out.push(el('section', { 'aria-label': 'Response' }, el('h4', {}, `Response · ${status}`), headersTable(d.responseHeaders, 'Response headers'), ...bodyNodes(d.responseBody, 'Response body')));
  return out;
}
