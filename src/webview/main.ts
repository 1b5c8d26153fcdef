import type { FromWebview, SessionViewState, ToWebview } from '../shared/protocol';
import { button, el } from './dom';
import { changeText, connectSessionTab, findingsList, renderSessionTab, restoreCookieView, revealToken, savedCookieView, tickCountdowns } from './sessionTab';
import { mountRulesStrip } from './rulesStrip';
import { sanitizeFilter, SessionModel, type TimelineFilter } from './timelineModel';
import { Timeline } from './timelineView';

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
  if (tab === 'session' && sessionTabStale && model.state) {
    sessionTabStale = false;
    renderSessionTab(sessionPanel, model.state);
    tick();
  }
  saveUi();
}

root.replaceChildren(el('header', {}, statusLine, toolbar), emptyState, tabList, sessionPanel, timelinePanel);

let lastToolbarKey: string | undefined;

function renderHeader(state: SessionViewState): void {
  statusLine.textContent = state.capture.running
    ? `Capturing ${state.capture.target ?? ''} through ${state.capture.proxyUrl ?? ''} · ${state.capture.exchanges} requests`
    : state.capture.source
      ? `Showing ${state.capture.source} · ${state.capture.exchanges} requests`
      : 'No capture running.';
  const hasData = hasAnyData(state);
  // Most deltas change neither: the toolbar is rebuilt only when its buttons would differ.
  const toolbarKey = JSON.stringify([state.actions, state.masked, hasData]);
  if (toolbarKey === lastToolbarKey) return;
  lastToolbarKey = toolbarKey;
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

const timeline = new Timeline(timelinePanel, { ui, model, saveUi, send, changeText, findingsList });

function showExchange(id: number): void {
  selectTab('timeline');
  timeline.reveal(id);
}

connectSessionTab({ send, showExchange, saveState: saveUi, tick });

// ---- Messages ----

let lastMasked: boolean | undefined;
/** The Session tab's lists changed while it was hidden. */
let sessionTabStale = false;

function render(sessionListsChanged: boolean, exchangesChanged: boolean): void {
  const state = model.state;
  if (!state) return;
  const maskedChanged = lastMasked !== undefined && lastMasked !== state.masked;
  lastMasked = state.masked;
  renderHeader(state);
  renderEmptyState(state);
  // The Session tab's lists are not virtualised: while the Timeline is shown they are drawn once, when it is shown again.
  if (sessionListsChanged || maskedChanged) {
    if (ui.tab === 'session') {
      renderSessionTab(sessionPanel, state);
      tick();
    } else {
      sessionTabStale = true;
    }
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

/** Performance mark per state or delta that carries a timing (debug only: bench/panel/webview.ts reads them). */
const MESSAGE_MARK = 'session-lens:panel-message';

/**
 * Debug only (the extension sent `timing`, SESSION_LENS_PANEL_TIMING): puts the message's timing on
 * the performance timeline with when it was received and rendered, and which completed exchanges
 * it brought (path, when the proxy finished it, whether its row is in the DOM now).
 */
function markTiming(message: ToWebview, receivedAt: number): void {
  if ((message.type !== 'state' && message.type !== 'delta') || message.timing === undefined) return;
  const upsert = message.type === 'delta' ? message.delta.exchanges?.upsert ?? [] : message.state.exchanges;
  const rows = upsert.filter((r) => r.state !== 'pending').map((r) => ({ id: r.id, path: r.path, end: r.time + (r.durationMs ?? 0), drawn: timeline.isDrawn(r.id) }));
  // Not applied: a delta that did not follow what the webview holds (it asked for the full state).
  const applied = model.version === (message.type === 'delta' ? message.delta.version : message.version);
  const detail = { ...message.timing, type: message.type, applied, receivedAt, renderedAt: performance.timeOrigin + performance.now(), rows };
  performance.mark(MESSAGE_MARK, { detail });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isMessage(message)) return;
  const receivedAt = performance.timeOrigin + performance.now();
  handle(message);
  markTiming(message, receivedAt);
});

function handle(message: ToWebview): void {
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
}

selectTab(ui.tab);
setInterval(tick, 1000);
send({ type: 'ready' });
