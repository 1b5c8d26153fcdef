import * as assert from 'node:assert/strict';
import type { ExchangeRow, SessionViewState } from '../../../src/shared/protocol';
import { applyExchanges, filterRows, isAtBottom, moveSelection, NO_FILTER, sanitizeFilter, SessionModel, visibleRange } from '../../../src/webview/timelineModel';

function row(id: number, extra: Partial<ExchangeRow> = {}): ExchangeRow {
  return {
    id, time: id * 1000, method: 'GET', path: `/page/${id}`, status: 200, statusClass: '2xx', state: 'complete',
    cookiesSent: 0, cookiesCreated: 0, cookiesChanged: 0, cookiesDeleted: 0, tokensIssued: 0, tokensSent: 0, findings: 0,
    sessionChanged: false, headerNames: ['host', 'content-type'], cookieNames: [], ...extra,
  };
}

const EMPTY: SessionViewState = { capture: { running: false, exchanges: 0 }, exchanges: [], cookies: [], tokens: [], findings: [], masked: true, actions: [], now: 0, expiringSoonMs: 0 };

describe('timeline model (webview, no DOM)', () => {
  it('applies appends, updates and evictions by id, keeping id order', () => {
    const rows = [row(1), row(2), row(4)];
    const out = applyExchanges(rows, { upsert: [row(5), row(2, { status: 302, statusClass: '3xx' }), row(3)], remove: [1] });
    assert.deepEqual(out.map((r) => r.id), [2, 3, 4, 5]);
    assert.equal(out[0]!.status, 302);
    assert.deepEqual(rows.map((r) => r.id), [1, 2, 4], 'the previous list is not mutated');
    assert.equal(applyExchanges(rows, undefined), rows);
  });

  it('applies a delta only on the version it was made from; anything else is a gap', () => {
    const model = new SessionModel();
    assert.equal(model.applyDelta({ baseVersion: 0, version: 1, capture: EMPTY.capture, masked: true, actions: [], now: 0, expiringSoonMs: 0 }), 'gap', 'no state yet');
    model.applyState({ ...EMPTY, exchanges: [row(2), row(1)] }, 7);
    assert.deepEqual(model.state!.exchanges.map((r) => r.id), [1, 2], 'sorted by id');
    const delta = { baseVersion: 7, version: 8, capture: { running: true, exchanges: 3 }, masked: false, actions: [], now: 5, expiringSoonMs: 0, exchanges: { upsert: [row(3)], remove: [] } };
    assert.equal(model.applyDelta(delta), 'applied');
    assert.equal(model.version, 8);
    assert.equal(model.state!.masked, false);
    assert.equal(model.applyDelta(delta), 'gap', 'replayed');
    assert.equal(model.applyDelta({ ...delta, baseVersion: 9, version: 10 }), 'gap', 'skipped one');
    assert.deepEqual(model.state!.exchanges.map((r) => r.id), [1, 2, 3], 'a gap changes nothing');
  });

  it('orders short keyed lists as the extension says', () => {
    const model = new SessionModel();
    const finding = (key: string) => ({ key, ruleId: 'r', severity: 'warning' as const, subject: key, message: 'm', docs: '' });
    model.applyState({ ...EMPTY, findings: [finding('a'), finding('b')] }, 1);
    model.applyDelta({ baseVersion: 1, version: 2, capture: EMPTY.capture, masked: true, actions: [], now: 0, expiringSoonMs: 0, findings: { upsert: [finding('c')], remove: ['a'], order: ['c', 'b'] } });
    assert.deepEqual(model.state!.findings.map((f) => f.key), ['c', 'b']);
  });

  it('filters by text (path, header name, cookie name), status class, session change and findings', () => {
    const rows = [
      row(1),
      row(2, { method: 'POST', path: '/login', status: 302, statusClass: '3xx', sessionChanged: true, cookieNames: ['connect.sid'], findings: 1 }),
      row(3, { path: '/api/me', headerNames: ['authorization'], status: 401, statusClass: '4xx' }),
      row(4, { status: undefined, statusClass: 'failed', state: 'upstream-error' }),
    ];
    const ids = (f: Partial<typeof NO_FILTER>) => filterRows(rows, { ...NO_FILTER, ...f }).map((r) => r.id);
    assert.deepEqual(ids({}), [1, 2, 3, 4]);
    assert.deepEqual(ids({ text: 'LOGIN' }), [2]);
    assert.deepEqual(ids({ text: 'connect.' }), [2], 'cookie name');
    assert.deepEqual(ids({ text: 'authorization' }), [3], 'header name');
    assert.deepEqual(ids({ text: 'post' }), [2], 'method');
    assert.deepEqual(ids({ statuses: ['4xx', 'failed'] }), [3, 4]);
    assert.deepEqual(ids({ changedOnly: true }), [2]);
    assert.deepEqual(ids({ withFindings: true, text: 'nothing' }), []);
  });

  it('restores only a well-formed filter from saved state', () => {
    assert.deepEqual(sanitizeFilter({ text: 'x', statuses: ['2xx', 'bogus', 3], changedOnly: 'yes', withFindings: true }), { text: 'x', statuses: ['2xx'], changedOnly: false, withFindings: true });
    assert.deepEqual(sanitizeFilter('junk'), NO_FILTER);
  });

  it('renders a window of rows around the viewport, whatever the list length', () => {
    assert.deepEqual(visibleRange(0, 220, 22, 10_000, 8), { start: 0, end: 19 });
    assert.deepEqual(visibleRange(22 * 5000, 220, 22, 10_000, 8), { start: 4992, end: 5019 });
    assert.deepEqual(visibleRange(22 * 9990, 220, 22, 10_000, 8), { start: 9982, end: 10_000 });
    assert.deepEqual(visibleRange(0, 220, 22, 0, 8), { start: 0, end: 0 });
    assert.deepEqual(visibleRange(1e9, 220, 22, 5, 8), { start: 5, end: 5 }, 'scrolled past a shrunk list');
  });

  it('follows the tail only when the last row is in view', () => {
    assert.equal(isAtBottom(780, 220, 1000, 22), true);
    assert.equal(isAtBottom(770, 220, 1000, 22), true, 'within half a row');
    assert.equal(isAtBottom(700, 220, 1000, 22), false);
  });

  it('moves the selection by keys, clamped to the list', () => {
    const rows = [row(3), row(5), row(9)];
    assert.equal(moveSelection(rows, undefined, 1), 3);
    assert.equal(moveSelection(rows, undefined, -1), 9);
    assert.equal(moveSelection(rows, 5, 1), 9);
    assert.equal(moveSelection(rows, 9, 1), 9);
    assert.equal(moveSelection(rows, 5, -10), 3);
    assert.equal(moveSelection(rows, 5, 'last'), 9);
    assert.equal(moveSelection(rows, 4, 1), 3, 'a selection filtered away starts over');
    assert.equal(moveSelection([], 4, 1), undefined);
  });
});
