/** The Session tab: the cookie table, the tokens and the findings, with live countdowns. */
import type { ExpiryView, FindingRow, FromWebview, SessionViewState, TokenRow } from '../shared/protocol';
import { claimTree } from './claimTree';
import { cookieTable, type CookieTableContext } from './cookieTable';
import { type CookieView, DEFAULT_COOKIE_VIEW, isGone, sanitizeCookieView } from './cookieTableModel';
import { button, el } from './dom';
import { sourceBadge } from './sourceBadge';
import { countdown, formatRelative } from './format';
import { findingKey } from './timelineModel';
import { VirtualList } from './virtualList';

/** What the Session tab needs from the page: the message channel, the way to the Timeline, the saved state and the clock. */
export interface SessionTabHost {
  send(message: FromWebview): void;
  showExchange(id: number): void;
  /** The cookie view changed: save the page's state. */
  saveState(): void;
  /** Fill the countdowns now (after a redraw). */
  tick(): void;
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

/** Updates every countdown and claim date on the Session tab to `now` (the extension's clock). */
export function tickCountdowns(now: number, expiringSoonMs: number): void {
  for (const { cell, expiry } of countdownCells) {
    const { text, state: s } = countdown(expiry, now, expiringSoonMs);
    if (cell.textContent !== text) cell.textContent = text;
    cell.dataset.state = s;
  }
  for (const { cell, at } of relativeCells) {
    const text = formatRelative(at, now);
    if (cell.textContent !== text) cell.textContent = text;
    cell.classList.toggle('past', at <= now);
  }
}

export function changeText(kind: string, attributes?: readonly string[], reason?: string): string {
  if (kind === 'attributes-changed' && attributes) return `attributes changed (${attributes.join(', ')})`;
  if (kind === 'evicted' && reason) return `evicted: ${reason}`;
  return kind.replace('-', ' ');
}

let cookieView: CookieView = DEFAULT_COOKIE_VIEW;
/** The sort column whose header was just activated: focus returns to it after the redraw. */
let focusColumn: string | undefined;
let lastPanel: HTMLElement | undefined;
let lastState: SessionViewState | undefined;
/** Claim dates ("in 14 min") kept current by the tick. */
const relativeCells: { cell: HTMLElement; at: number }[] = [];

/** The cookie table's sort and filters, for the page's saved state. */
export function savedCookieView(): CookieView {
  return cookieView;
}

/** Restores the cookie table's sort and filters from the page's saved state. */
export function restoreCookieView(saved: unknown): void {
  cookieView = sanitizeCookieView(saved);
}

const tableContext: CookieTableContext = {
  send: (m) => host.send(m),
  capturing: () => lastState?.capture.running === true,
  showExchangeButton,
  countdownCell,
  changeText,
  setView(view) {
    focusColumn = view.sort?.column !== cookieView.sort?.column || view.sort?.descending !== cookieView.sort?.descending ? (view.sort?.column ?? cookieView.sort?.column) : undefined;
    cookieView = view;
    host.saveState();
    if (lastPanel && lastState) {
      renderSessionTab(lastPanel, lastState, true);
      host.tick();
    }
  },
};

function verificationText(v: NonNullable<TokenRow['verification']>): string {
  return v.signature === 'valid' ? `signature valid (checked ${new Date(v.at).toLocaleTimeString()})` : `signature ${v.signature}: ${v.message}`;
}

function tokensList(tokens: readonly TokenRow[], now: number): HTMLElement {
  const list = el('div', { class: 'tokens' });
  const onDate = (cell: HTMLElement, at: number) => relativeCells.push({ cell, at });
  for (const t of tokens) {
    const summary = el('summary', {}, el('span', { class: 'badge' }, t.kind), ` ${t.name} `, el('span', { class: 'muted' }, t.origin === 'decoded' ? 'decoded by you' : `from ${t.source}`), ' · ', countdownCell(t.expiry));
    summary.append(...sourceBadge(t.capturedBy));
    if (t.verification) summary.append(' ', el('span', { class: `badge verification ${t.verification.signature === 'valid' ? 'valid' : 'invalid'}`, title: verificationText(t.verification) }, t.verification.signature === 'valid' ? 'signature valid' : `signature ${t.verification.signature}`));
    const item = el('details', { class: 'token', 'data-key': t.key }, summary);
    const actions = el('div', { class: 'token-actions' },
      button('Copy value', { class: 'secondary', title: `Copy the value of ${t.name}` }, () => host.send({ type: 'copyValue', key: t.key })));
    if (t.header !== undefined || t.claims !== undefined) {
      actions.append(button('Verify…', { class: 'secondary verify', title: `Verify the signature of ${t.name} with a key (Session Lens: Verify JWT Signature)` }, () => host.send({ type: 'verifyToken', key: t.key })));
    }
    // A JWT of the capture, while it runs: send it tampered (expired, alg none, edited claims, re-signed).
    if (t.header !== undefined && t.origin !== 'decoded' && lastState?.capture.running === true) {
      actions.append(button('Tamper…', { class: 'secondary tamper', title: `Send ${t.name} tampered to the dev server (Session Lens: Tamper JWT in Requests)` }, () => host.send({ type: 'tamperToken' })));
    }
    if (t.exchangeId !== undefined) actions.append(showExchangeButton(t.exchangeId, `where ${t.name} was first seen`));
    item.append(el('div', { class: 'value' }, t.value), actions);
    if (t.verification) item.append(el('p', { class: t.verification.signature === 'valid' ? 'verification valid' : 'verification invalid' }, verificationText(t.verification)));
    if (t.header !== undefined) item.append(el('h4', {}, 'Header'), claimTree(`Header of ${t.name}`, t.header, now, onDate));
    if (t.claims !== undefined) item.append(el('h4', {}, 'Claims'), claimTree(`Claims of ${t.name}`, t.claims, now, onDate));
    list.append(item);
  }
  return list;
}

/** Opens a token's entry and brings it into view (after Decode JWT…). */
export function revealToken(panel: HTMLElement, key: string): boolean {
  const item = [...panel.querySelectorAll<HTMLDetailsElement>('details.token')].find((d) => d.dataset.key === key);
  if (!item) return false;
  item.open = true;
  item.scrollIntoView({ block: 'nearest' });
  item.querySelector('summary')?.focus();
  return true;
}

/** One finding as a list item; `linkExchanges`: offer "Show exchange" (not inside the detail of that exchange). */
function findingItem(f: FindingRow, linkExchanges: boolean): HTMLElement {
  const docs = button(f.ruleId, { class: 'link', title: `Documentation of ${f.ruleId}` }, () => host.send({ type: 'openDocs', ruleId: f.ruleId }));
  const item = el('li', { class: `finding ${f.severity}` },
    el('span', { class: 'severity' }, f.severity), ' ',
    el('code', {}, docs), ' ', el('strong', {}, f.subject), ': ', f.message);
  if (f.confirmation && f.confirmationLabel) {
    // After the rule id: the badge says what the server showed; its reason is the accessible description.
    const badge = el('span', {
      class: `badge confirmation ${f.confirmation}`,
      title: f.confirmationReason ?? f.confirmationLabel,
      'aria-label': `${f.confirmation === 'confirmed' ? 'Confirmed' : 'Refuted'} by a probe: ${f.confirmationLabel}`,
    }, f.confirmationLabel);
    item.insertBefore(badge, item.querySelector('strong'));
    item.insertBefore(document.createTextNode(' '), item.querySelector('strong'));
  }
  if (linkExchanges && f.exchangeId !== undefined) item.append(' ', showExchangeButton(f.exchangeId, f.ruleId));
  if (f.evidence && f.evidence.length > 0) {
    const evidence = el('ol', { class: 'finding-evidence', 'aria-label': `Evidence of ${f.ruleId}` });
    for (const e of f.evidence) {
      const li = el('li', {}, `${e.label}: `, el('code', {}, e.request), ` → ${e.status ?? 'no answer'}`);
      if (linkExchanges && e.exchangeId !== undefined) li.append(' ', showExchangeButton(e.exchangeId, f.ruleId));
      evidence.append(li);
    }
    item.append(evidence);
  }
  return item;
}

/** A short findings list, all in the DOM (an exchange's detail). */
export function findingsList(findings: readonly FindingRow[], linkExchanges = true): HTMLElement {
  const list = el('ul', { class: 'findings', 'aria-label': 'Findings' });
  for (const f of findings) list.append(findingItem(f, linkExchanges));
  return list;
}

/** The Session tab's findings: any number, virtualised beyond 200, kept across updates (only changed findings are drawn again). */
const sessionFindings = new VirtualList<FindingRow>({ label: 'Findings', className: 'findings', keyOf: findingKey, render: (f) => findingItem(f, true), estimatedHeight: 44, allInDomUpTo: 200 });
const findingsHeading = el('h2', {});
const findingsSection = el('section', { class: 'findings-section' }, findingsHeading, sessionFindings.element);
/** Cookies and tokens: drawn again when either changes. */
const credentialsPart = el('div', { class: 'credentials' });
let lastCredentials: { cookies: SessionViewState['cookies']; tokens: SessionViewState['tokens']; masked: boolean; running: boolean } | undefined;

/**
 * Draws the Session tab into `panel`; call `tickCountdowns` afterwards to fill the countdowns. The
 * cookies and tokens are drawn again only when their lists (or masking, or the capture running)
 * changed; the findings list is updated in place.
 */
export function renderSessionTab(panel: HTMLElement, state: SessionViewState, redraw = false): void {
  lastPanel = panel;
  lastState = state;
  if (panel.firstElementChild !== credentialsPart) panel.replaceChildren(credentialsPart, findingsSection);
  const credentials = { cookies: state.cookies, tokens: state.tokens, masked: state.masked, running: state.capture.running };
  const credentialsChanged = redraw || !lastCredentials || (Object.keys(credentials) as (keyof typeof credentials)[]).some((k) => credentials[k] !== lastCredentials![k]);
  lastCredentials = credentials;
  if (credentialsChanged) {
    countdownCells.length = 0;
    relativeCells.length = 0;
    // An open token stays open across redraws (a delta redraws the tab).
    const openTokens = new Set([...credentialsPart.querySelectorAll<HTMLDetailsElement>('details.token[open]')].map((d) => d.dataset.key));
    const children: Node[] = [];
    const live = state.cookies.filter((c) => !isGone(c)).length;
    if (state.cookies.length === 0 && state.tokens.length === 0) {
      children.push(el('p', { class: 'muted' }, 'No cookies or tokens yet. The Timeline tab lists every request.'));
    } else {
      children.push(el('section', { class: 'cookies-section' }, el('h2', {}, `Cookies (${live})`), cookieTable(state.cookies, cookieView, tableContext)));
      if (state.tokens.length > 0) children.push(el('section', {}, el('h2', {}, `Tokens (${state.tokens.length})`), tokensList(state.tokens, state.now)));
    }
    credentialsPart.replaceChildren(...children);
    for (const d of credentialsPart.querySelectorAll<HTMLDetailsElement>('details.token')) if (openTokens.has(d.dataset.key)) d.open = true;
  }
  findingsSection.hidden = state.findings.length === 0;
  const heading = `Findings (${state.findings.length})`;
  if (findingsHeading.textContent !== heading) findingsHeading.textContent = heading;
  sessionFindings.update(state.findings);
  if (focusColumn !== undefined) {
    panel.querySelector<HTMLElement>(`th[data-column="${focusColumn}"] button`)?.focus();
    focusColumn = undefined;
  }
}
