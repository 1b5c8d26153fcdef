import type { BodyView, ExchangeDetail, ExchangeRow, FromWebview, HeaderView, SessionViewState, StatusClass, ToWebview } from '../shared/protocol';
import { STATUS_CLASSES } from '../shared/protocol';
import { formatBytes, formatClock, formatElapsed } from './format';
import { button, el } from './dom';
import { changeText, connectSessionTab, findingsList, renderSessionTab, restoreCookieView, revealToken, savedCookieView, tickCountdowns } from './sessionTab';
import { mountRulesStrip } from './rulesStrip';
import { filterRows, indexOfId, isAtBottom, isEmptyFilter, moveSelection, NO_FILTER, sanitizeFilter, SessionModel, type TimelineFilter, visibleRange } from './timelineModel';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Kept in this closure, never on window: scripts in the page must not reach the API.
const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
mountRulesStrip(root, (message) => vscode.postMessage(message));

/** Height of one timeline row in CSS pixels; must match `.tl-row` in session.css. */
const ROW_HEIGHT = 22;
/** Rows rendered above and below the viewport, so fast scrolling shows no blank rows. */
const OVERSCAN = 8;

type Tab = 'session' | 'timeline';

/** What survives hide/show (vscode.getState/setState). */
interface UiState {
  masked?: boolean;
  tab: Tab;
  selectedId?: number;
  detailOpen: boolean;
  filter: TimelineFilter;
  scrollTop: number;
  /** Follow the newest exchange like a log; off while the user looks at older ones. */
  follow: boolean;
}

function restoreUi(saved: unknown): UiState {
  const s = (saved !== null && typeof saved === 'object' ? saved : {}) as Record<string, unknown>;
  return {
    tab: s.tab === 'timeline' ? 'timeline' : 'session',
    ...(typeof s.selectedId === 'number' ? { selectedId: s.selectedId } : {}),
    detailOpen: s.detailOpen === true && typeof s.selectedId === 'number',
    filter: sanitizeFilter(s.filter),
    scrollTop: typeof s.scrollTop === 'number' && s.scrollTop >= 0 ? s.scrollTop : 0,
    follow: s.follow !== false,
  };
}

const ui = restoreUi(vscode.getState());
restoreCookieView((vscode.getState() as { cookieView?: unknown } | undefined)?.cookieView);
const model = new SessionModel();
/** Extension clock minus webview clock, so countdowns agree with the extension's model. */
let clockOffset = 0;

function tick(): void {
  const state = model.state;
  if (state) tickCountdowns(Date.now() + clockOffset, state.expiringSoonMs);
}

function saveUi(): void {
  vscode.setState({ ...ui, masked: model.state?.masked, cookieView: savedCookieView() });
}

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

function actionButton(action: SessionViewState['actions'][number], primary = false): HTMLButtonElement {
  return button(action.label, { class: primary ? 'primary' : 'secondary', 'data-action': action.action }, () => send({ type: 'action', action: action.action }));
}

// ---- Layout: header, empty state, tabs ----

const statusLine = el('p', { class: 'status', role: 'status' });
const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Session actions' });
const emptyState = el('section', { class: 'empty' });
const tabList = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Session views' });
const sessionPanel = el('div', { class: 'tab-panel session-panel', role: 'tabpanel', id: 'panel-session', 'aria-labelledby': 'tab-session' });
const timelinePanel = el('div', { class: 'tab-panel timeline', role: 'tabpanel', id: 'panel-timeline', 'aria-labelledby': 'tab-timeline' });
const tabs: Record<Tab, HTMLButtonElement> = {
  session: button('Session', { role: 'tab', id: 'tab-session', 'aria-controls': 'panel-session', class: 'tab' }, () => selectTab('session')),
  timeline: button('Timeline', { role: 'tab', id: 'tab-timeline', 'aria-controls': 'panel-timeline', class: 'tab' }, () => selectTab('timeline')),
};
tabList.append(tabs.session, tabs.timeline);
tabList.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
  e.preventDefault();
  const next: Tab = e.key === 'Home' ? 'session' : e.key === 'End' ? 'timeline' : ui.tab === 'session' ? 'timeline' : 'session';
  selectTab(next);
  tabs[next].focus();
});

function selectTab(tab: Tab): void {
  ui.tab = tab;
  for (const [name, b] of Object.entries(tabs) as [Tab, HTMLButtonElement][]) {
    b.setAttribute('aria-selected', String(name === tab));
    b.tabIndex = name === tab ? 0 : -1;
  }
  sessionPanel.hidden = tab !== 'session';
  timelinePanel.hidden = tab !== 'timeline';
  if (tab === 'timeline') timeline.shown();
  saveUi();
}

root.replaceChildren(el('header', {}, statusLine, toolbar), emptyState, tabList, sessionPanel, timelinePanel);

function renderHeader(state: SessionViewState): void {
  statusLine.textContent = state.capture.running
    ? `Capturing ${state.capture.target ?? ''} through ${state.capture.proxyUrl ?? ''} · ${state.capture.exchanges} requests`
    : state.capture.source
      ? `Showing ${state.capture.source} · ${state.capture.exchanges} requests`
      : 'No capture running.';
  const hasData = hasAnyData(state);
  const buttons: Node[] = state.actions.filter((a) => !VIEW_TITLE_ACTIONS.has(a.action)).map((a) => actionButton(a));
  if (hasData) buttons.push(button(state.masked ? 'Reveal values' : 'Mask values', { class: 'secondary', 'aria-pressed': String(!state.masked) }, () => send({ type: 'reveal', masked: !state.masked })));
  toolbar.replaceChildren(...buttons);
}

/** Actions the view's title bar already offers as icons (package.json menus.view/title): not repeated in the toolbar. */
const VIEW_TITLE_ACTIONS: ReadonlySet<string> = new Set(['startCapture', 'stopCapture', 'openProxiedApp', 'importHar', 'exportHar', 'clearSession']);

function hasAnyData(state: SessionViewState): boolean {
  return state.cookies.length > 0 || state.tokens.length > 0 || state.exchanges.length > 0 || state.findings.length > 0;
}

function renderEmptyState(state: SessionViewState): void {
  const hasData = hasAnyData(state);
  emptyState.hidden = hasData;
  tabList.hidden = !hasData;
  sessionPanel.hidden = !hasData || ui.tab !== 'session';
  timelinePanel.hidden = !hasData || ui.tab !== 'timeline';
  if (hasData) return;
  const byAction = new Map(state.actions.map((a) => [a.action, a]));
  const start = byAction.get('startCapture');
  const importHar = byAction.get('importHar');
  const buttons = el('p', {});
  if (start) buttons.append(actionButton(start, true));
  if (importHar) buttons.append(actionButton(importHar));
  emptyState.replaceChildren(
    el('h2', {}, 'No cookies or tokens yet'),
    el('p', {}, 'Start a capture in front of your dev server and browse through the proxy URL, or import a HAR file exported from your browser. Cookies and session tokens appear here with live expiry countdowns, and every request in the Timeline tab with what it did to the session.'),
    ...(buttons.childNodes.length > 0 ? [buttons] : []),
    el('p', { class: 'muted' }, 'All Session Lens commands are in the Command Palette under "Session Lens".'),
  );
}

// ---- Timeline tab: filter bar, virtualised list, detail ----

const STATUS_LABELS: Record<(typeof STATUS_CLASSES)[number], string> = { '2xx': '2xx', '3xx': '3xx', '4xx': '4xx', '5xx': '5xx', failed: 'failed' };

class Timeline {
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
  private restoredScroll = false;

  constructor(container: HTMLElement) {
    this.search.value = ui.filter.text;
    this.search.addEventListener('input', () => this.setFilter({ ...ui.filter, text: this.search.value }));
    const statusGroup = el('div', { class: 'status-filters', role: 'group', 'aria-label': 'Status' });
    for (const s of STATUS_CLASSES) {
      const b = button(STATUS_LABELS[s], { class: 'toggle', 'data-status': s, title: `Only ${s === 'failed' ? 'failed exchanges (no response: aborted, refused, timed out)' : `${s} responses`}` }, () => {
        const has = ui.filter.statuses.includes(s);
        this.setFilter({ ...ui.filter, statuses: has ? ui.filter.statuses.filter((x) => x !== s) : [...ui.filter.statuses, s] });
      });
      this.statusButtons.set(s, b);
      statusGroup.append(b);
    }
    this.changedButton = button('Changed session', { class: 'toggle', title: 'Only exchanges that created, changed or deleted a cookie, or issued a token' }, () => this.setFilter({ ...ui.filter, changedOnly: !ui.filter.changedOnly }));
    this.findingsButton = button('Has findings', { class: 'toggle', title: 'Only exchanges that findings point at' }, () => this.setFilter({ ...ui.filter, withFindings: !ui.filter.withFindings }));
    this.followButton = button('Follow', { class: 'toggle follow', title: 'Keep the newest exchange in view' }, () => this.setFollow(!ui.follow));
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
    this.rows = filterRows(all, ui.filter);
    this.countLabel.textContent = isEmptyFilter(ui.filter) ? `${all.length} exchanges` : `${this.rows.length} of ${all.length}`;
    this.grid.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    this.render();
    if (ui.detailOpen && ui.selectedId !== undefined) {
      // Rows are replaced, never mutated: another object means the exchange got its response, was evicted, or its findings changed.
      if (maskedChanged || !this.detailData || this.rowById(ui.selectedId) !== this.detailRow) this.requestDetail(ui.selectedId);
    }
  }

  private rowById(id: number): ExchangeRow | undefined {
    const all = model.state?.exchanges ?? [];
    const at = indexOfId(all, id);
    return at < 0 ? undefined : all[at];
  }

  /** The tab became visible: its viewport has a size now. */
  shown(): void {
    this.render();
  }

  private setFilter(filter: TimelineFilter): void {
    ui.filter = filter;
    this.renderFilterButtons();
    this.update(model.state?.exchanges ?? [], false);
    if (!ui.follow && ui.selectedId !== undefined) this.scrollToSelection('center');
    saveUi();
  }

  private renderFilterButtons(): void {
    for (const [s, b] of this.statusButtons) b.setAttribute('aria-pressed', String(ui.filter.statuses.includes(s)));
    this.changedButton.setAttribute('aria-pressed', String(ui.filter.changedOnly));
    this.findingsButton.setAttribute('aria-pressed', String(ui.filter.withFindings));
    this.followButton.setAttribute('aria-pressed', String(ui.follow));
    this.followButton.textContent = ui.follow ? 'Following' : 'Paused: follow';
  }

  private setFollow(follow: boolean): void {
    ui.follow = follow;
    this.renderFilterButtons();
    if (follow) this.scrollToBottom();
    saveUi();
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  private onScroll(): void {
    const { scrollTop, clientHeight, scrollHeight } = this.scroller;
    if (clientHeight > 0) {
      const follow = isAtBottom(scrollTop, clientHeight, scrollHeight, ROW_HEIGHT);
      if (follow !== ui.follow) {
        ui.follow = follow;
        this.renderFilterButtons();
      }
      ui.scrollTop = scrollTop;
    }
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.renderWindow();
      saveUi();
    });
  }

  /** Positions the viewport (restored scroll, or the tail when following), then draws the visible rows. */
  private render(): void {
    if (timelinePanel.hidden || this.scroller.clientHeight === 0) return;
    if (!this.restoredScroll) {
      this.restoredScroll = true;
      if (!ui.follow) this.scroller.scrollTop = ui.scrollTop;
    }
    if (ui.follow) this.scrollToBottom();
    this.renderWindow();
  }

  private renderWindow(): void {
    const { start, end } = visibleRange(this.scroller.scrollTop, this.scroller.clientHeight, ROW_HEIGHT, this.rows.length, OVERSCAN);
    const nodes: HTMLElement[] = [];
    for (let i = start; i < end; i++) nodes.push(this.rowNode(this.rows[i]!, i));
    this.window.replaceChildren(...nodes);
    const selected = ui.selectedId !== undefined ? document.getElementById(`ex-${ui.selectedId}`) : null;
    if (selected) this.grid.setAttribute('aria-activedescendant', selected.id);
    else this.grid.removeAttribute('aria-activedescendant');
  }

  private rowNode(r: ExchangeRow, index: number): HTMLElement {
    const selected = r.id === ui.selectedId;
    const row = el('div', { class: `tl-row${selected ? ' selected' : ''}`, role: 'row', id: `ex-${r.id}`, 'aria-rowindex': String(index + 2), 'aria-selected': String(selected), 'data-id': String(r.id), 'data-status': r.statusClass });
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    row.style.top = `${index * ROW_HEIGHT}px`;
    const path = el('div', { role: 'gridcell', class: 'c-path', title: r.host ? `${r.host}${r.path}` : r.path });
    if (r.host) path.append(el('span', { class: 'host' }, r.host));
    path.append(r.path);
    const status = r.status !== undefined ? String(r.status) : r.state === 'pending' ? '…' : r.state;
    row.append(
      el('div', { role: 'gridcell', class: 'c-time' }, formatClock(r.time)),
      el('div', { role: 'gridcell', class: 'c-method' }, r.method),
      path,
      el('div', { role: 'gridcell', class: 'c-status' }, status),
      el('div', { role: 'gridcell', class: 'c-duration' }, r.durationMs !== undefined ? formatElapsed(r.durationMs) : ''),
      el('div', { role: 'gridcell', class: 'c-size' }, r.size !== undefined ? formatBytes(r.size) : ''),
      sessionCell(r),
    );
    return row;
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
    const steps: Record<string, number | 'first' | 'last'> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: 'first', End: 'last' };
    const step = steps[e.key];
    if (step !== undefined) {
      e.preventDefault();
      const id = moveSelection(this.rows, ui.selectedId, step);
      if (id !== undefined) this.select(id, ui.detailOpen);
    } else if (e.key === 'Enter' && ui.selectedId !== undefined) {
      e.preventDefault();
      this.openDetail(ui.selectedId);
    } else if (e.key === 'Escape' && ui.detailOpen) {
      e.preventDefault();
      this.closeDetail();
    }
  }

  select(id: number, openDetail: boolean): void {
    ui.selectedId = id;
    this.scrollToSelection('nearest');
    this.renderWindow();
    if (openDetail) this.openDetail(id);
    saveUi();
  }

  private scrollToSelection(where: 'nearest' | 'center'): void {
    if (ui.selectedId === undefined) return;
    const at = indexOfId(this.rows, ui.selectedId);
    if (at < 0) return;
    const top = at * ROW_HEIGHT;
    const view = this.scroller.clientHeight;
    if (where === 'center') this.scroller.scrollTop = Math.max(0, top - view / 2);
    else if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_HEIGHT - view;
  }

  /** Shows one exchange from elsewhere in the panel (a finding, a cookie's history). */
  reveal(id: number): void {
    if (indexOfId(this.rows, id) < 0 && !isEmptyFilter(ui.filter)) {
      // Filtered out: show everything rather than a selection nobody can see.
      ui.filter = NO_FILTER;
      this.search.value = '';
      this.renderFilterButtons();
      this.update(model.state?.exchanges ?? [], false);
    }
    ui.follow = false;
    this.renderFilterButtons();
    ui.selectedId = id;
    this.scrollToSelection('center');
    this.renderWindow();
    this.openDetail(id);
    this.grid.focus({ preventScroll: true });
    saveUi();
  }

  private openDetail(id: number): void {
    ui.detailOpen = true;
    this.requestDetail(id);
    saveUi();
  }

  private requestDetail(id: number): void {
    this.detailRow = this.rowById(id);
    this.detailData = { id, loading: true, ...(this.detailData?.id === id && this.detailData.detail ? { detail: this.detailData.detail } : {}) };
    send({ type: 'exchangeDetail', id });
    this.renderDetail();
  }

  closeDetail(): void {
    ui.detailOpen = false;
    this.detailData = undefined;
    this.detail.hidden = true;
    this.split.classList.remove('with-detail');
    this.detail.replaceChildren();
    this.grid.focus({ preventScroll: true });
    saveUi();
  }

  /** The extension's answer to a detail request. */
  received(id: number, detail: ExchangeDetail | undefined): void {
    if (!ui.detailOpen || this.detailData?.id !== id) return;
    this.detailData = { id, loading: false, ...(detail ? { detail } : {}) };
    this.renderDetail();
  }

  private renderDetail(): void {
    const d = this.detailData;
    this.detail.hidden = !ui.detailOpen || !d;
    this.split.classList.toggle('with-detail', !this.detail.hidden);
    if (!d || !ui.detailOpen) return;
    const close = button('Close', { class: 'secondary close', title: 'Close the detail (Escape)' }, () => this.closeDetail());
    if (!d.detail) {
      this.detail.replaceChildren(el('div', { class: 'detail-head' }, el('h3', {}, `Exchange #${d.id}`), close),
        el('p', { class: 'muted' }, d.loading ? 'Loading…' : 'This exchange is no longer in the capture (the oldest ones are dropped when the capture is full).'));
      return;
    }
    this.detail.replaceChildren(...detailNodes(d.detail, close));
  }
}

function sessionCell(r: ExchangeRow): HTMLElement {
  const list = badges(r);
  // The column clips long lists: the whole summary is in the tooltip.
  return el('div', { role: 'gridcell', class: 'c-session', title: list.map((b) => b.title).join('\n') }, ...list);
}

function badges(r: ExchangeRow): HTMLElement[] {
  const out: HTMLElement[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (r.sessionChanged) out.push(el('span', { class: 'badge changed', title: 'This exchange changed the session' }, 'session changed'));
  if (r.cookiesCreated) out.push(el('span', { class: 'badge', title: `${plural(r.cookiesCreated, 'cookie')} created` }, `+${r.cookiesCreated} set`));
  if (r.cookiesChanged) out.push(el('span', { class: 'badge', title: `${plural(r.cookiesChanged, 'cookie')} changed` }, `~${r.cookiesChanged} changed`));
  if (r.cookiesDeleted) out.push(el('span', { class: 'badge', title: `${plural(r.cookiesDeleted, 'cookie')} deleted or expired` }, `−${r.cookiesDeleted} deleted`));
  if (r.tokensIssued) out.push(el('span', { class: 'badge', title: `${plural(r.tokensIssued, 'token')} issued` }, `${plural(r.tokensIssued, 'token')} issued`));
  if (r.tokensSent) out.push(el('span', { class: 'badge muted', title: `${plural(r.tokensSent, 'token')} sent` }, `${plural(r.tokensSent, 'token')} sent`));
  if (r.findings) out.push(el('span', { class: 'badge finding-count', title: `${plural(r.findings, 'finding')} point at this exchange` }, plural(r.findings, 'finding')));
  if (r.cookiesSent) out.push(el('span', { class: 'badge muted', title: `${plural(r.cookiesSent, 'cookie')} sent` }, `${r.cookiesSent} sent`));
  return out;
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

function detailNodes(d: ExchangeDetail, close: HTMLElement): Node[] {
  const status = d.status !== undefined ? `${d.status}${d.statusText ? ` ${d.statusText}` : ''}` : d.state;
  const when = `${formatClock(d.startedAt)}${d.durationMs !== undefined ? ` · ${formatElapsed(d.durationMs)}` : ''}`;
  const out: Node[] = [
    el('div', { class: 'detail-head' }, el('h3', { class: 'detail-title' }, `${d.method} ${d.url}`),
      el('span', { class: 'detail-actions' }, button('Copy as curl', { class: 'secondary copy-curl', title: 'Copy this request as a curl command with the current cookies and Authorization (values in the clear)' }, () => send({ type: 'copyAsCurl', id: d.id })), close)),
    el('p', { class: 'muted' }, `${status} · ${when}${d.error ? ` · ${d.error}` : ''}`),
  ];

  const diff = el('section', { class: 'session-diff', 'aria-label': 'Session changes' }, el('h4', {}, 'Session changes'));
  if (d.cookieDiff.length === 0 && !d.tokens.some((t) => t.issued)) diff.append(el('p', { class: 'muted' }, 'This exchange did not change the session.'));
  if (d.cookieDiff.length > 0) {
    const rows = el('tbody');
    for (const c of d.cookieDiff) {
      const change = el('td', { class: `change ${c.kind}` }, changeText(c.kind, c.attributes));
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
      item.append(' ', button('Copy value', { class: 'link copy-value', title: `Copy the value of ${t.name}` }, () => send({ type: 'copyValue', key: t.key })));
      if (t.claims) item.append(el('pre', { class: 'claims' }, t.claims));
      list.append(item);
    }
    diff.append(el('h5', {}, 'Tokens'), list);
  }
  out.push(diff);
  if (d.findings.length > 0) out.push(el('section', {}, el('h4', {}, `Findings (${d.findings.length})`), findingsList(d.findings, false)));
  out.push(el('section', { 'aria-label': 'Request' }, el('h4', {}, `Request · ${d.httpVersion}`), headersTable(d.requestHeaders, 'Request headers'), ...bodyNodes(d.requestBody, 'Request body')));
  out.push(el('section', { 'aria-label': 'Response' }, el('h4', {}, `Response · ${status}`), headersTable(d.responseHeaders, 'Response headers'), ...bodyNodes(d.responseBody, 'Response body')));
  return out;
}

const timeline = new Timeline(timelinePanel);

function showExchange(id: number): void {
  selectTab('timeline');
  timeline.reveal(id);
}

connectSessionTab({ send, showExchange, saveState: saveUi, tick });

// ---- Messages ----

let lastMasked: boolean | undefined;

function render(sessionListsChanged: boolean, exchangesChanged: boolean): void {
  const state = model.state;
  if (!state) return;
  const maskedChanged = lastMasked !== undefined && lastMasked !== state.masked;
  lastMasked = state.masked;
  renderHeader(state);
  renderEmptyState(state);
  if (sessionListsChanged || maskedChanged) {
    renderSessionTab(sessionPanel, state);
    tick();
  }
  if (exchangesChanged || maskedChanged) timeline.update(state.exchanges, maskedChanged);
  saveUi();
}

function isMessage(data: unknown): data is ToWebview {
  if (data === null || typeof data !== 'object') return false;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'state': return typeof m.version === 'number' && typeof m.state === 'object' && m.state !== null;
    case 'delta': return typeof m.delta === 'object' && m.delta !== null && typeof (m.delta as Record<string, unknown>).version === 'number';
    case 'exchangeDetail': return typeof m.id === 'number';
    case 'revealToken': return typeof m.key === 'string';
    default: return false;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isMessage(message)) return;
  switch (message.type) {
    case 'state':
      clockOffset = message.state.now - Date.now();
      model.applyState(message.state, message.version);
      render(true, true);
      return;
    case 'delta': {
      const d = message.delta;
      if (model.applyDelta(d) === 'gap') {
        // A message was missed: the lists may be wrong, ask for all of it.
        send({ type: 'resync' });
        return;
      }
      clockOffset = d.now - Date.now();
      render(d.cookies !== undefined || d.tokens !== undefined || d.findings !== undefined, d.exchanges !== undefined);
      return;
    }
    case 'exchangeDetail':
      timeline.received(message.id, message.detail);
      return;
    case 'revealToken':
      selectTab('session');
      revealToken(sessionPanel, message.key);
      return;
  }
});

selectTab(ui.tab);
setInterval(tick, 1000);
send({ type: 'ready' });
