import type { CookieRow, ExpiryView, FindingRow, FromWebview, SessionViewState, ToWebview, TokenRow } from '../shared/protocol';
import { button, el } from './dom';
import { countdown } from './format';
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
const model = new SessionModel();
/** Extension clock minus webview clock, so countdowns agree with the extension's model. */
let clockOffset = 0;
const countdownCells: { cell: HTMLElement; expiry: ExpiryView }[] = [];

function saveUi(): void {
  vscode.setState({ ...ui, masked: model.state?.masked });
}

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

function actionButton(action: SessionViewState['actions'][number], primary = false): HTMLButtonElement {
  return button(action.label, { class: primary ? 'primary' : 'secondary', 'data-action': action.action }, () => send({ type: 'action', action: action.action }));
}

function showExchangeButton(exchangeId: number, what: string): HTMLButtonElement {
  return button('Show exchange', { class: 'link show-exchange', title: `Show the exchange behind ${what}`, 'data-exchange': String(exchangeId) }, () => showExchange(exchangeId));
}

function countdownCell(expiry: ExpiryView): HTMLElement {
  const cell = el('span', { class: 'countdown' });
  if (expiry.note) cell.title = expiry.note;
  countdownCells.push({ cell, expiry });
  return cell;
}

function tick(): void {
  const state = model.state;
  if (!state) return;
  const now = Date.now() + clockOffset;
  for (const { cell, expiry } of countdownCells) {
    const { text, state: s } = countdown(expiry, now, state.expiringSoonMs);
    if (cell.textContent !== text) cell.textContent = text;
    cell.dataset.state = s;
  }
}

function flag(on: boolean, label: string): HTMLElement {
  return el('span', { class: on ? 'flag on' : 'flag off', title: `${label}: ${on ? 'yes' : 'no'}` }, on ? label : `no ${label}`);
}

function changeText(kind: string, attributes?: readonly string[], reason?: string): string {
  if (kind === 'attributes-changed' && attributes) return `attributes changed (${attributes.join(', ')})`;
  if (kind === 'evicted' && reason) return `evicted: ${reason}`;
  return kind.replace('-', ' ');
}

// ---- Session tab: cookies, tokens, findings ----

function cookiesTable(cookies: readonly CookieRow[]): HTMLElement {
  const head = el('tr', {}, ...['Name', 'Value', 'Domain / Path', 'Attributes', 'Expires in', ''].map((h) => el('th', { scope: 'col' }, h)));
  const body = el('tbody');
  for (const c of cookies) {
    const copy = button('Copy', { class: 'icon', title: `Copy the value of ${c.name}`, 'aria-label': `Copy the value of ${c.name}` }, () => send({ type: 'copyValue', key: c.key }));
    const code = button('Code', { class: 'icon', title: `Show the code that sets ${c.name}`, 'aria-label': `Show the code that sets ${c.name}` }, () => send({ type: 'goToCode', cookie: c.name }));
    const name = el('td', { class: 'name' }, c.name);
    if (c.isSession) name.append(el('span', { class: 'badge' }, 'session'));
    if (c.origin === 'seen-in-request') name.append(el('span', { class: 'badge muted', title: 'Sent by the browser; set before the capture began' }, 'pre-existing'));
    if (c.history.length > 0) {
      const changes = el('details', { class: 'history' }, el('summary', {}, `${c.changes} change${c.changes === 1 ? '' : 's'}`));
      const list = el('ol', {});
      for (const h of c.history) {
        const item = el('li', {}, `${new Date(h.time).toLocaleTimeString()} ${changeText(h.kind, h.attributes, h.reason)}${h.request ? ` · ${h.request}` : ''}`);
        if (h.exchangeId !== undefined) item.append(' ', showExchangeButton(h.exchangeId, `this change of ${c.name}`));
        list.append(item);
      }
      changes.append(list);
      name.append(changes);
    }
    const value = el('td', { class: 'value' }, c.value);
    if (c.decoded) {
      const d = c.decoded;
      const details = el('details', { class: 'decoded' }, el('summary', {}, `${d.framework}${d.readable ? '' : ' (not readable)'}`));
      if (d.content !== undefined) details.append(el('pre', { class: 'claims' }, d.content));
      if (d.signedAt !== undefined) details.append(el('div', { class: 'muted' }, `signed ${new Date(d.signedAt).toISOString()}`));
      details.append(el('div', { class: 'muted' }, d.note));
      value.append(details);
    }
    body.append(el('tr', { 'data-key': c.key },
      name,
      value,
      el('td', {}, `${c.domain}${c.path}`),
      el('td', { class: 'attrs' }, flag(c.secure, 'Secure'), flag(c.httpOnly, 'HttpOnly'), el('span', { class: 'flag' }, `SameSite=${c.sameSite ?? '(default)'}`)),
      el('td', {}, countdownCell(c.expiry)),
      el('td', { class: 'row-actions' }, copy, code),
    ));
  }
  return el('table', { class: 'grid', 'aria-label': 'Cookies' }, el('thead', {}, head), body);
}

function tokensList(tokens: readonly TokenRow[]): HTMLElement {
  const list = el('div', { class: 'tokens' });
  for (const t of tokens) {
    const item = el('details', { class: 'token', 'data-key': t.key },
      el('summary', {}, el('span', { class: 'badge' }, t.kind), ` ${t.name} `, el('span', { class: 'muted' }, `from ${t.source}`), ' · ', countdownCell(t.expiry)),
      el('div', { class: 'value' }, t.value));
    if (t.claims) item.append(el('pre', { class: 'claims' }, t.claims));
    if (t.exchangeId !== undefined) item.append(el('div', {}, showExchangeButton(t.exchangeId, `where ${t.name} was first seen`)));
    list.append(item);
  }
  return list;
}

/** `linkExchanges`: offer "Show exchange" (not inside the detail of that exchange). */
function findingsList(findings: readonly FindingRow[], linkExchanges = true): HTMLElement {
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' });
  for (const f of findings) {
    const docs = button(f.ruleId, { class: 'link', title: `Documentation of ${f.ruleId}` }, () => send({ type: 'openDocs', ruleId: f.ruleId }));
    const item = el('li', { class: `finding ${f.severity}` },
      el('span', { class: 'severity' }, f.severity), ' ',
      el('code', {}, docs), ' ', el('strong', {}, f.subject), ': ', f.message);
    if (linkExchanges && f.exchangeId !== undefined) item.append(' ', showExchangeButton(f.exchangeId, f.ruleId));
    list.append(item);
  }
  return list;
}

function renderSessionTab(state: SessionViewState): void {
  countdownCells.length = 0;
  const children: Node[] = [];
  if (state.cookies.length === 0 && state.tokens.length === 0) {
    children.push(el('p', { class: 'muted' }, 'No cookies or tokens yet. The Timeline tab lists every request.'));
  } else {
    children.push(el('section', {}, el('h2', {}, `Cookies (${state.cookies.length})`), cookiesTable(state.cookies)));
    if (state.tokens.length > 0) children.push(el('section', {}, el('h2', {}, `Tokens (${state.tokens.length})`), tokensList(state.tokens)));
  }
  if (state.findings.length > 0) children.push(el('section', {}, el('h2', {}, `Findings (${state.findings.length})`), findingsList(state.findings)));
  sessionPanel.replaceChildren(...children);
  tick();
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
    renderSessionTab(model.state);
  }
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
  const buttons: Node[] = state.actions.map((a) => actionButton(a));
  if (hasData) buttons.push(button(state.masked ? 'Reveal values' : 'Mask values', { class: 'secondary', 'aria-pressed': String(!state.masked) }, () => send({ type: 'reveal', masked: !state.masked })));
  toolbar.replaceChildren(...buttons);
}

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
    if (ui.tab === 'session') renderSessionTab(state);
    else sessionTabStale = true;
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
  }
});

selectTab(ui.tab);
setInterval(tick, 1000);
send({ type: 'ready' });
