import * as assert from 'node:assert/strict';
import type { CookieRow } from '../../../src/shared/protocol';
import { claimNodes } from '../../../src/webview/claimTreeModel';
import { cookiesToShow, DEFAULT_COOKIE_VIEW, expiresText, nextSort, sanitizeCookieView } from '../../../src/webview/cookieTableModel';
import { formatRelative } from '../../../src/webview/format';

function cookie(name: string, extra: Partial<CookieRow> = {}): CookieRow {
  return {
    key: `cookie:localhost;/;${name}`, name, value: 'v', domain: 'localhost', path: '/', secure: false, httpOnly: false, partitioned: false,
    size: name.length + 1, isSession: false, origin: 'set-by-response', expiry: { kind: 'session' }, changes: 0, history: [], ...extra,
  };
}

describe('cookie table model (webview, no DOM)', () => {
  const rows = [
    cookie('b', { size: 300, expiresAt: 2000, priority: 'High', findings: 1 }),
    cookie('a', { size: 20, httpOnly: true }),
    cookie('gone', { state: 'deleted', endedAt: 5 }),
    cookie('C', { size: 100, expiresAt: 1000, priority: 'Low', browserNotes: ['Rejected: SameSite=None without Secure.'] }),
  ];
  const names = (view = DEFAULT_COOKIE_VIEW) => cookiesToShow(rows, view).map((c) => c.name);

  it('hides gone cookies unless asked, and keeps them after the live ones', () => {
    assert.deepEqual(names(), ['b', 'a', 'C']);
    assert.deepEqual(names({ ...DEFAULT_COOKIE_VIEW, showGone: true, sort: { column: 'name', descending: false } }), ['a', 'b', 'C', 'gone']);
  });

  it('"only with findings" keeps cookies with findings or browser notes', () => {
    assert.deepEqual(names({ ...DEFAULT_COOKIE_VIEW, findingsOnly: true }), ['b', 'C']);
  });

  it('sorts by any column, both ways; session cookies sort after dated ones; text ignores case', () => {
    const by = (column: Parameters<typeof nextSort>[1], descending = false) => names({ ...DEFAULT_COOKIE_VIEW, sort: { column, descending } });
    assert.deepEqual(by('name'), ['a', 'b', 'C']);
    assert.deepEqual(by('name', true), ['C', 'b', 'a']);
    assert.deepEqual(by('size'), ['a', 'C', 'b']);
    assert.deepEqual(by('expires'), ['C', 'b', 'a']);
    assert.deepEqual(by('priority'), ['C', 'a', 'b']);
    assert.deepEqual(by('httpOnly', true), ['a', 'b', 'C']);
  });

  it('a header cycles ascending, descending, unsorted', () => {
    const first = nextSort(undefined, 'size');
    assert.deepEqual(first, { column: 'size', descending: false });
    assert.deepEqual(nextSort(first, 'size'), { column: 'size', descending: true });
    assert.equal(nextSort({ column: 'size', descending: true }, 'size'), undefined);
    assert.deepEqual(nextSort(first, 'name'), { column: 'name', descending: false });
  });

  it('restores only a well-formed view from saved state', () => {
    assert.deepEqual(sanitizeCookieView({ sort: { column: 'size', descending: true }, showGone: true, findingsOnly: 'yes' }), { sort: { column: 'size', descending: true }, findingsOnly: false, showGone: true });
    assert.deepEqual(sanitizeCookieView({ sort: { column: 'constructor' } }), DEFAULT_COOKIE_VIEW);
    assert.deepEqual(sanitizeCookieView(null), DEFAULT_COOKIE_VIEW);
  });

  it('shows Expires and Max-Age as written and the computed expiry', () => {
    assert.deepEqual(expiresText({ maxAge: 3600, expiresRaw: 'Wed, 21 Oct 2026 07:28:00 GMT', expiresAt: 0 }, () => 'T'), { raw: 'Max-Age=3600; Expires=Wed, 21 Oct 2026 07:28:00 GMT', computed: 'T' });
    assert.deepEqual(expiresText({}, () => 'T'), { raw: 'Session', computed: 'when the browser closes' });
  });
});

describe('JWT claims as a tree (webview, no DOM)', () => {
  const now = Date.UTC(2026, 11, 7, 9, 0, 0);
  it('puts a human date and "in 14 min" / "3 h ago" next to iat, nbf and exp', () => {
    const json = JSON.stringify({ sub: 'alice', iat: now / 1000 - 3 * 3600, exp: now / 1000 + 14 * 60, roles: ['a', 'b'], nested: { exp: 1 } }, null, 2);
    const nodes = claimNodes(json, now);
    const exp = nodes.find((n) => n.label === 'exp')!;
    assert.deepEqual(exp.date, { iso: '2026-12-07T09:14:00Z', relative: 'in 14 min', past: false });
    assert.equal(nodes.find((n) => n.label === 'iat')!.date!.relative, '3 h ago');
    assert.equal(nodes.find((n) => n.label === 'sub')!.text, '"alice"');
    const roles = nodes.find((n) => n.label === 'roles')!;
    assert.equal(roles.text, '[2]');
    assert.deepEqual(roles.children!.map((c) => c.label), ['[0]', '[1]']);
    // Only top-level registered claims are dates.
    assert.equal(nodes.find((n) => n.label === 'nested')!.children![0]!.date, undefined);
  });

  it('text that is not a JSON object is one leaf; deep nesting stops as JSON text', () => {
    assert.deepEqual(claimNodes('hello', now), [{ label: '(not JSON)', text: 'hello' }]);
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { d: deep };
    const nodes = claimNodes(JSON.stringify(deep), now);
    let depth = 0;
    for (let n = nodes[0]; n?.children; n = n.children[0]) depth++;
    assert.ok(depth <= 12, `depth ${depth}`);
  });

  it('formats relative times coarsely', () => {
    assert.equal(formatRelative(now + 14 * 60_000, now), 'in 14 min');
    assert.equal(formatRelative(now - 3 * 3600_000, now), '3 h ago');
    assert.equal(formatRelative(now + 3 * 86400_000, now), 'in 3 d');
    assert.equal(formatRelative(now + 2000, now), 'just now');
    assert.equal(formatRelative(now - 30_000, now), '30 s ago');
  });
});
