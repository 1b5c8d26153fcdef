/** The cookie table as DevTools has it, plus what the session model knows: history, decoded content, gone cookies, browser notes. */
import type { CookieRow, CookieRuleAction, ExpiryView, FromWebview } from '../shared/protocol';
import { COOKIE_COLUMNS, type CookieColumn, type CookieView, cookiesToShow, expiresText, hasProblems, isGone, nextSort } from './cookieTableModel';
import { button, el } from './dom';
import { sourceBadge } from './sourceBadge';
import { formatClock } from './format';

/** What the table needs from the Session tab. */
export interface CookieTableContext {
  send(message: FromWebview): void;
  showExchangeButton(exchangeId: number, what: string): HTMLElement;
  countdownCell(expiry: ExpiryView): HTMLElement;
  changeText(kind: string, attributes?: readonly string[], reason?: string): string;
  /** The user changed the sort or a filter: store it and draw again. */
  setView(view: CookieView): void;
  /** True while a capture runs: live cookies then offer in-flight rules (Expire, Drop, Replace…, Shorten…). */
  capturing(): boolean;
}

const RULE_BUTTONS: readonly { action: CookieRuleAction; label: string; title: (name: string) => string }[] = [
  { action: 'expire', label: 'Expire', title: (n) => `Expire ${n} now: the next response tells the browser to delete it` },
  { action: 'drop', label: 'Drop', title: (n) => `Drop ${n} from requests to the dev server while the rule is on` },
  { action: 'replace', label: 'Replace…', title: (n) => `Send another value of ${n} to the dev server (typed, or an earlier one)` },
  { action: 'shorten', label: 'Shorten…', title: (n) => `Give the browser a shorter lifetime for ${n}, to watch the timeout happen` },
];

const HEADINGS: Record<CookieColumn, string> = {
  name: 'Name', value: 'Value', domain: 'Domain', path: 'Path', expires: 'Expires / Max-Age', size: 'Size',
  httpOnly: 'HttpOnly', secure: 'Secure', sameSite: 'SameSite', partitioned: 'Partitioned', priority: 'Priority',
  expiresIn: 'Expires in', findings: 'Findings',
};

function check(on: boolean, label: string): HTMLElement {
  return el('td', { class: `flag-cell ${on ? 'on' : 'off'}`, 'data-label': label, title: `${label}: ${on ? 'yes' : 'no'}` }, on ? '✓' : '');
}

function headerRow(view: CookieView, ctx: CookieTableContext): HTMLElement {
  const cells = COOKIE_COLUMNS.map((column) => {
    const sorted = view.sort?.column === column;
    const sort = sorted ? (view.sort!.descending ? 'descending' : 'ascending') : 'none';
    const label = HEADINGS[column];
    const b = button(label, { class: 'sort', 'data-column': column, title: `Sort by ${label}` }, () => ctx.setView({ ...view, ...{ sort: nextSort(view.sort, column) } }));
    if (sorted) b.append(el('span', { class: 'sort-mark', 'aria-hidden': 'true' }, view.sort!.descending ? ' ▼' : ' ▲'));
    return el('th', { scope: 'col', 'aria-sort': sort, 'data-column': column }, b);
  });
  return el('tr', {}, ...cells, el('th', { scope: 'col', class: 'actions-head' }, el('span', { class: 'visually-hidden' }, 'Actions')));
}

function nameCell(c: CookieRow, ctx: CookieTableContext): HTMLElement {
  const name = el('td', { class: 'name', 'data-label': 'Name' }, c.name);
  if (c.isSession) name.append(el('span', { class: 'badge' }, 'session'));
  name.append(...sourceBadge(c.capturedBy));
  if (c.origin === 'seen-in-request' && !isGone(c)) name.append(el('span', { class: 'badge muted', title: 'Sent by the browser; set before the capture began' }, 'pre-existing'));
  if (isGone(c)) name.append(el('span', { class: `badge gone-state ${c.state}`, title: c.goneReason ?? c.state ?? '' }, c.state ?? ''));
  const notes = [...(c.state === 'rejected' && c.goneReason ? [`Rejected: ${c.goneReason}`] : []), ...(c.browserNotes ?? [])];
  if (notes.length > 0) {
    const list = el('ul', { class: 'browser-notes', 'aria-label': `Why a browser would refuse ${c.name} or not send it` });
    for (const n of notes) list.append(el('li', {}, n));
    name.append(list);
  }
  if (c.history.length > 0) {
    const changes = el('details', { class: 'history' }, el('summary', {}, `${c.changes} change${c.changes === 1 ? '' : 's'}`));
    const list = el('ol', {});
    for (const h of c.history) {
      const item = el('li', {}, `${new Date(h.time).toLocaleTimeString()} ${ctx.changeText(h.kind, h.attributes, h.reason)}${h.request ? ` · ${h.request}` : ''}`);
      if (h.exchangeId !== undefined) item.append(' ', ctx.showExchangeButton(h.exchangeId, `this change of ${c.name}`));
      list.append(item);
    }
    changes.append(list);
    name.append(changes);
  } else if (c.goneExchangeId !== undefined) {
    name.append(' ', ctx.showExchangeButton(c.goneExchangeId, `the response that offered ${c.name}`));
  }
  return name;
}

function valueCell(c: CookieRow): HTMLElement {
  const value = el('td', { class: 'value', 'data-label': 'Value' }, el('span', { class: 'cookie-value' }, c.value));
  if (c.decoded) {
    const d = c.decoded;
    const details = el('details', { class: 'decoded' }, el('summary', {}, `${d.framework}${d.readable ? '' : ' (not readable)'}`));
    if (d.content !== undefined) details.append(el('pre', { class: 'claims' }, d.content));
    if (d.signedAt !== undefined) details.append(el('div', { class: 'muted' }, `signed ${new Date(d.signedAt).toISOString()}`));
    details.append(el('div', { class: 'muted' }, d.note));
    value.append(details);
  }
  if (c.lastSetCookie !== undefined) value.append(el('details', { class: 'last-set-cookie' }, el('summary', {}, c.state === 'rejected' ? 'Set-Cookie offered' : 'last Set-Cookie'), el('pre', { class: 'claims' }, c.lastSetCookie)));
  return value;
}

function row(c: CookieRow, ctx: CookieTableContext): HTMLElement {
  const gone = isGone(c);
  const { raw, computed } = expiresText(c, (ms) => new Date(ms).toLocaleString());
  const copy = button('Copy', { class: 'icon', title: `Copy the value of ${c.name}`, 'aria-label': `Copy the value of ${c.name}` }, () => ctx.send({ type: 'copyValue', key: c.key }));
  const actions = el('td', { class: 'row-actions', 'data-label': 'Actions' }, copy);
  if (!gone && ctx.capturing()) {
    for (const r of RULE_BUTTONS) actions.append(button(r.label, { class: 'icon rule-action', 'data-rule': r.action, title: r.title(c.name), 'aria-label': r.title(c.name) }, () => ctx.send({ type: 'cookieRule', action: r.action, cookie: c.name })));
  }
  if (!gone || c.state !== 'rejected') actions.append(button('Code', { class: 'icon', title: `Show the code that sets ${c.name}`, 'aria-label': `Show the code that sets ${c.name}` }, () => ctx.send({ type: 'goToCode', cookie: c.name })));
  const findings = (c.findings ?? 0);
  const expiresIn = gone
    ? el('td', { class: 'gone-when', 'data-label': 'Expires in' }, `${c.state ?? ''}${c.endedAt !== undefined ? ` at ${formatClock(c.endedAt)}` : ''}`)
    : el('td', { 'data-label': 'Expires in' }, ctx.countdownCell(c.expiry));
  return el('tr', { 'data-key': c.key, class: gone ? 'gone' : '', ...(gone ? { 'data-state': c.state ?? '' } : {}) },
    nameCell(c, ctx),
    valueCell(c),
    el('td', { class: 'domain', 'data-label': 'Domain', title: c.hostOnly ? 'Host-only: no Domain attribute, sent to this exact host' : 'Sent to this domain and its subdomains' }, gone ? c.domain : `${c.hostOnly ? '' : '.'}${c.domain}`),
    el('td', { 'data-label': 'Path' }, c.path),
    gone ? el('td', { 'data-label': 'Expires / Max-Age', class: 'muted' }, '—') : el('td', { class: 'expires', 'data-label': 'Expires / Max-Age' }, el('span', { class: 'raw' }, raw), el('br'), el('span', { class: 'muted' }, computed)),
    el('td', { class: 'num', 'data-label': 'Size' }, String(c.size)),
    ...(gone ? ['HttpOnly', 'Secure', 'SameSite', 'Partitioned', 'Priority'].map((l) => el('td', { 'data-label': l, class: 'muted' }, '—')) : [
      check(c.httpOnly, 'HttpOnly'),
      check(c.secure, 'Secure'),
      el('td', { 'data-label': 'SameSite', ...(c.sameSite ? {} : { class: 'muted', title: 'No SameSite attribute: browsers apply their default (Lax in Chrome)' }) }, c.sameSite ?? '(default)'),
      check(c.partitioned, 'Partitioned'),
      el('td', { 'data-label': 'Priority', ...(c.priority ? {} : { class: 'muted' }) }, c.priority ?? 'Medium'),
    ]),
    expiresIn,
    el('td', { class: 'num', 'data-label': 'Findings' }, ...(findings > 0 ? [el('span', { class: 'badge finding-count', title: `${findings} finding${findings === 1 ? '' : 's'} about ${c.name}` }, String(findings))] : [])),
    actions,
  );
}

/** The filter bar and the table of the cookies `view` selects. */
export function cookieTable(rows: readonly CookieRow[], view: CookieView, ctx: CookieTableContext): HTMLElement {
  const goneCount = rows.filter(isGone).length;
  const problemCount = rows.filter((c) => (view.showGone || !isGone(c)) && hasProblems(c)).length;
  const shown = cookiesToShow(rows, view);
  const tools = el('div', { class: 'cookie-tools', role: 'toolbar', 'aria-label': 'Cookie filters' },
    button(`Only with findings (${problemCount})`, { class: 'toggle findings-only', 'aria-pressed': String(view.findingsOnly), title: 'Only cookies with findings, or that a browser would refuse or not send' }, () => ctx.setView({ ...view, findingsOnly: !view.findingsOnly })),
    button(`Show gone (${goneCount})`, { class: 'toggle show-gone', 'aria-pressed': String(view.showGone), title: 'Also cookies that were deleted, expired, evicted or refused, greyed, with their history' }, () => ctx.setView({ ...view, showGone: !view.showGone })));
  const body = el('tbody');
  for (const c of shown) body.append(row(c, ctx));
  const table = el('table', { class: 'grid cookies', 'aria-label': 'Cookies', 'aria-rowcount': String(shown.length + 1) }, el('thead', {}, headerRow(view, ctx)), body);
  const out = el('div', { class: 'cookie-table' }, tools, el('div', { class: 'table-scroll' }, table));
  if (shown.length === 0) out.append(el('p', { class: 'muted' }, view.findingsOnly ? 'No cookie has findings.' : 'No live cookies. "Show gone" lists the deleted, expired and refused ones.'));
  return out;
}
