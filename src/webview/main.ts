import type { CookieRow, ExpiryView, FindingRow, FromWebview, SessionViewState, ToWebview, TokenRow } from '../shared/protocol';
import { countdown } from './format';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// Kept in this closure, never on window: scripts in the page must not reach the API.
const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

let current: SessionViewState | undefined;
/** Extension clock minus webview clock, so countdowns agree with the extension's model. */
let clockOffset = 0;
const countdownCells: { cell: HTMLElement; expiry: ExpiryView }[] = [];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

function actionButton(action: SessionViewState['actions'][number], primary = false): HTMLButtonElement {
  const b = el('button', { type: 'button', class: primary ? 'primary' : 'secondary', 'data-action': action.action }, action.label);
  b.addEventListener('click', () => send({ type: 'action', action: action.action }));
  return b;
}

function countdownCell(expiry: ExpiryView): HTMLElement {
  const cell = el('span', { class: 'countdown' });
  if (expiry.note) cell.title = expiry.note;
  countdownCells.push({ cell, expiry });
  return cell;
}

function tick(): void {
  if (!current) return;
  const now = Date.now() + clockOffset;
  for (const { cell, expiry } of countdownCells) {
    const { text, state } = countdown(expiry, now, current.expiringSoonMs);
    if (cell.textContent !== text) cell.textContent = text;
    cell.dataset.state = state;
  }
}

function flag(on: boolean, label: string): HTMLElement {
  return el('span', { class: on ? 'flag on' : 'flag off', title: `${label}: ${on ? 'yes' : 'no'}` }, on ? label : `no ${label}`);
}

function cookiesTable(cookies: readonly CookieRow[]): HTMLElement {
  const head = el('tr', {}, ...['Name', 'Value', 'Domain / Path', 'Attributes', 'Expires in', ''].map((h) => el('th', { scope: 'col' }, h)));
  const body = el('tbody');
  for (const c of cookies) {
    const copy = el('button', { type: 'button', class: 'icon', title: `Copy the value of ${c.name}`, 'aria-label': `Copy the value of ${c.name}` }, 'Copy');
    copy.addEventListener('click', () => send({ type: 'copyValue', key: c.key }));
    const code = el('button', { type: 'button', class: 'icon', title: `Show the code that sets ${c.name}`, 'aria-label': `Show the code that sets ${c.name}` }, 'Code');
    code.addEventListener('click', () => send({ type: 'goToCode', cookie: c.name }));
    const name = el('td', { class: 'name' }, c.name);
    if (c.isSession) name.append(el('span', { class: 'badge' }, 'session'));
    if (c.origin === 'seen-in-request') name.append(el('span', { class: 'badge muted', title: 'Sent by the browser; set before the capture began' }, 'pre-existing'));
    if (c.history.length > 0) {
      const changes = el('details', { class: 'history' }, el('summary', {}, `${c.changes} change${c.changes === 1 ? '' : 's'}`));
      const list = el('ol', {});
      for (const h of c.history) {
        const what = h.kind === 'attributes-changed' && h.attributes ? `attributes changed (${h.attributes.join(', ')})`
          : h.kind === 'evicted' && h.reason ? `evicted: ${h.reason}` : h.kind.replace('-', ' ');
        list.append(el('li', {}, `${new Date(h.time).toLocaleTimeString()} ${what}${h.request ? ` · ${h.request}` : ''}`));
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
    list.append(item);
  }
  return list;
}

function findingsList(findings: readonly FindingRow[]): HTMLElement {
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' });
  for (const f of findings) {
    const docs = el('button', { type: 'button', class: 'link', title: `Documentation of ${f.ruleId}` }, f.ruleId);
    docs.addEventListener('click', () => send({ type: 'openDocs', ruleId: f.ruleId }));
    list.append(el('li', { class: `finding ${f.severity}` },
      el('span', { class: 'severity' }, f.severity), ' ',
      el('code', {}, docs), ' ', el('strong', {}, f.subject), ': ', f.message));
  }
  return list;
}

function render(state: SessionViewState): void {
  current = state;
  countdownCells.length = 0;
  const byAction = new Map(state.actions.map((a) => [a.action, a]));
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar' });
  for (const a of state.actions) toolbar.append(actionButton(a));
  const mask = el('button', { type: 'button', class: 'secondary', 'aria-pressed': String(!state.masked) }, state.masked ? 'Reveal values' : 'Mask values');
  mask.addEventListener('click', () => send({ type: 'reveal', masked: !state.masked }));

  const status = state.capture.running
    ? `Capturing ${state.capture.target ?? ''} through ${state.capture.proxyUrl ?? ''} · ${state.capture.exchanges} requests`
    : state.capture.source
      ? `Showing ${state.capture.source} · ${state.capture.exchanges} requests`
      : 'No capture running.';

  const children: Node[] = [el('header', {}, el('p', { class: 'status' }, status), toolbar)];
  const empty = state.cookies.length === 0 && state.tokens.length === 0;
  if (empty) {
    const how = el('section', { class: 'empty' },
      el('h2', {}, 'No cookies or tokens yet'),
      el('p', {}, 'Start a capture in front of your dev server and browse through the proxy URL, or import a HAR file exported from your browser. Cookies and session tokens appear here with live expiry countdowns.'));
    const start = byAction.get('startCapture');
    const importHar = byAction.get('importHar');
    const buttons = el('p', {});
    if (start) buttons.append(actionButton(start, true));
    if (importHar) buttons.append(actionButton(importHar));
    if (buttons.childNodes.length > 0) how.append(buttons);
    how.append(el('p', { class: 'muted' }, 'All Session Lens commands are in the Command Palette under "Session Lens".'));
    children.push(how);
  } else {
    toolbar.append(mask);
    children.push(el('section', {}, el('h2', {}, `Cookies (${state.cookies.length})`), cookiesTable(state.cookies)));
    if (state.tokens.length > 0) children.push(el('section', {}, el('h2', {}, `Tokens (${state.tokens.length})`), tokensList(state.tokens)));
  }
  if (state.findings.length > 0) children.push(el('section', {}, el('h2', {}, `Findings (${state.findings.length})`), findingsList(state.findings)));
  root.replaceChildren(...children);
  tick();
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message?.type === 'state') {
    clockOffset = message.state.now - Date.now();
    vscode.setState({ masked: message.state.masked });
    render(message.state);
  }
});

setInterval(tick, 1000);
send({ type: 'ready' });
