/** The Session tab: the cookie table, the tokens and the findings, with live countdowns. */
import type { CookieRow, ExpiryView, FindingRow, FromWebview, SessionViewState, TokenRow } from '../shared/protocol';
import { button, el } from './dom';
import { countdown } from './format';

/** What the Session tab needs from the page: the message channel and the way to the Timeline. */
export interface SessionTabHost {
  send(message: FromWebview): void;
  showExchange(id: number): void;
}

let host: SessionTabHost;

/** Called once by the page before anything is drawn. */
export function connectSessionTab(h: SessionTabHost): void {
  host = h;
}

const countdownCells: { cell: HTMLElement; expiry: ExpiryView }[] = [];

function showExchangeButton(exchangeId: number, what: string): HTMLButtonElement {
  return button('Show exchange', { class: 'link show-exchange', title: `Show the exchange behind ${what}`, 'data-exchange': String(exchangeId) }, () => host.showExchange(exchangeId));
}

function countdownCell(expiry: ExpiryView): HTMLElement {
  const cell = el('span', { class: 'countdown' });
  if (expiry.note) cell.title = expiry.note;
  countdownCells.push({ cell, expiry });
  return cell;
}

/** Updates every countdown on the Session tab to `now` (the extension's clock). */
export function tickCountdowns(now: number, expiringSoonMs: number): void {
  for (const { cell, expiry } of countdownCells) {
    const { text, state: s } = countdown(expiry, now, expiringSoonMs);
    if (cell.textContent !== text) cell.textContent = text;
    cell.dataset.state = s;
  }
}

function flag(on: boolean, label: string): HTMLElement {
  return el('span', { class: on ? 'flag on' : 'flag off', title: `${label}: ${on ? 'yes' : 'no'}` }, on ? label : `no ${label}`);
}

export function changeText(kind: string, attributes?: readonly string[], reason?: string): string {
  if (kind === 'attributes-changed' && attributes) return `attributes changed (${attributes.join(', ')})`;
  if (kind === 'evicted' && reason) return `evicted: ${reason}`;
  return kind.replace('-', ' ');
}

function cookiesTable(cookies: readonly CookieRow[]): HTMLElement {
  const head = el('tr', {}, ...['Name', 'Value', 'Domain / Path', 'Attributes', 'Expires in', ''].map((h) => el('th', { scope: 'col' }, h)));
  const body = el('tbody');
  for (const c of cookies) {
    const copy = button('Copy', { class: 'icon', title: `Copy the value of ${c.name}`, 'aria-label': `Copy the value of ${c.name}` }, () => host.send({ type: 'copyValue', key: c.key }));
    const code = button('Code', { class: 'icon', title: `Show the code that sets ${c.name}`, 'aria-label': `Show the code that sets ${c.name}` }, () => host.send({ type: 'goToCode', cookie: c.name }));
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
export function findingsList(findings: readonly FindingRow[], linkExchanges = true): HTMLElement {
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' });
  for (const f of findings) {
    const docs = button(f.ruleId, { class: 'link', title: `Documentation of ${f.ruleId}` }, () => host.send({ type: 'openDocs', ruleId: f.ruleId }));
    const item = el('li', { class: `finding ${f.severity}` },
      el('span', { class: 'severity' }, f.severity), ' ',
      el('code', {}, docs), ' ', el('strong', {}, f.subject), ': ', f.message);
    if (linkExchanges && f.exchangeId !== undefined) item.append(' ', showExchangeButton(f.exchangeId, f.ruleId));
    list.append(item);
  }
  return list;
}

/** Draws the Session tab into `panel`; call `tickCountdowns` afterwards to fill the countdowns. */
export function renderSessionTab(panel: HTMLElement, state: SessionViewState): void {
  countdownCells.length = 0;
  const children: Node[] = [];
  if (state.cookies.length === 0 && state.tokens.length === 0) {
    children.push(el('p', { class: 'muted' }, 'No cookies or tokens yet. The Timeline tab lists every request.'));
  } else {
    children.push(el('section', {}, el('h2', {}, `Cookies (${state.cookies.length})`), cookiesTable(state.cookies)));
    if (state.tokens.length > 0) children.push(el('section', {}, el('h2', {}, `Tokens (${state.tokens.length})`), tokensList(state.tokens)));
  }
  if (state.findings.length > 0) children.push(el('section', {}, el('h2', {}, `Findings (${state.findings.length})`), findingsList(state.findings)));
  panel.replaceChildren(...children);
}
