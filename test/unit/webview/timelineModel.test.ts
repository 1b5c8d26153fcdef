import * as assert from 'node:assert/strict';
import type { ExchangeRow, SessionViewDelta, SessionViewState } from '../../../src/shared/protocol';
import { FIRST_STATE_EXCHANGES, SessionViewDeltas } from '../../../src/extension/sessionViewDeltas';
import { applyExchanges, filterRows, isAtBottom, longestInOrder, moveSelection, NO_FILTER, olderStillToCome, sanitizeFilter, SessionModel, visibleRange } from '../../../src/webview/timelineModel';

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

  it('merges thousands of older rows, an update and an eviction in one delta, in id order', () => {
    const rows = Array.from({ length: 500 }, (_, i) => row(1001 + i));
    const older = Array.from({ length: 1000 }, (_, i) => row(1 + i));
    const out = applyExchanges(rows, { upsert: [row(1501), ...older.slice().reverse(), row(1200, { status: 500, statusClass: '5xx' })], remove: [1001] });
    assert.deepEqual(out.map((r) => r.id), [...Array.from({ length: 1000 }, (_, i) => 1 + i), ...Array.from({ length: 500 }, (_, i) => 1002 + i)]);
    assert.equal(out.find((r) => r.id === 1200)!.status, 500);
  });

  it('a long session\'s first state carries the newest rows; the next delta brings the older ones and the model ends up whole', () => {
    const all = Array.from({ length: FIRST_STATE_EXCHANGES + 700 }, (_, i) => row(1 + i));
    const state: SessionViewState = { ...EMPTY, capture: { running: true, exchanges: all.length }, exchanges: all };
    const deltas = new SessionViewDeltas();
    const model = new SessionModel();
    const first = deltas.next(state);
    assert.equal(first.type, 'state');
    if (first.type !== 'state') return;
    assert.equal(first.state.exchanges.length, FIRST_STATE_EXCHANGES);
    assert.equal(first.state.exchanges[0]!.id, 701, 'the newest rows');
    assert.equal(first.state.olderExchanges, 700);
    model.applyState(first.state, first.version);

    // The follow-up, with a new exchange that completed meanwhile.
    const next: SessionViewState = { ...state, exchanges: [...all, row(all.length + 1)] };
    const second = deltas.next(next);
    assert.equal(second.type, 'delta');
    if (second.type !== 'delta') return;
    assert.equal(second.delta.exchanges!.upsert.length, 701);
    assert.equal(model.applyDelta(second.delta), 'applied');
    assert.deepEqual(model.state!.exchanges, next.exchanges);
    assert.equal(model.state!.olderExchanges, undefined, 'nothing older to come');
    const third = deltas.next(next);
    assert.ok(third.type === 'delta' && third.delta.exchanges === undefined, 'then only what changes');
  });

  it('takes the older rows in any number of slices, newest first, with live deltas between them: rows in id order, the count of those still to come going down to none', () => {
    const all = Array.from({ length: 2000 }, (_, i) => row(1 + i));
    const model = new SessionModel();
    model.applyState({ ...EMPTY, capture: { running: true, exchanges: 2000 }, exchanges: all.slice(1500), olderExchanges: 1500 }, 1);
    const delta = (version: number, upsert: readonly ExchangeRow[], exchanges: number) => ({ baseVersion: version - 1, version, capture: { running: true, exchanges }, masked: true, actions: [], now: 0, expiringSoonMs: 0, exchanges: { upsert, remove: [] } });
    let version = 1;
    let live = 2000;
    for (let end = 1500; end > 0; end -= 400) {
      const slice = all.slice(Math.max(0, end - 400), end);
      assert.equal(model.applyDelta(delta(++version, slice, live)), 'applied');
      assert.equal(model.state!.olderExchanges, Math.max(0, end - 400) || undefined, `after the slice ending at ${end}`);
      // A live exchange between two slices: appended, the count unchanged.
      live++;
      assert.equal(model.applyDelta(delta(++version, [row(live)], live)), 'applied');
      assert.equal(model.state!.olderExchanges, Math.max(0, end - 400) || undefined);
    }
    const ids = model.state!.exchanges.map((r) => r.id);
    assert.deepEqual(ids, Array.from({ length: live }, (_, i) => 1 + i));
  });

  it('a delta\'s own count of older rows still to come wins; older rows the capture no longer has are not waited for', () => {
    const model = new SessionModel();
    model.applyState({ ...EMPTY, capture: { running: true, exchanges: 1000 }, exchanges: [row(901), row(902)], olderExchanges: 900 }, 1);
    const base = { baseVersion: 1, version: 2, capture: { running: true, exchanges: 1000 }, masked: true, actions: [], now: 0, expiringSoonMs: 0 };
    assert.equal(olderStillToCome(model.state!, { ...base, exchanges: { upsert: [row(900)], remove: [] }, olderExchanges: 5 } as SessionViewDelta), 5);
    // The ring dropped 800 of the older ones before they were sent: the capture holds 100 + 2.
    assert.equal(olderStillToCome(model.state!, { ...base, capture: { running: true, exchanges: 102 }, exchanges: { upsert: [row(850)], remove: [] } }), 99);
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

  it('longestInOrder keeps the row elements already in order: a scroll by k rows moves k, a fast scroll that refills every row in place moves none', () => {
    // Scrolled down one row: the old top element (position 0) is refilled for the new last row.
    assert.deepEqual([...longestInOrder([1, 2, 3, 4, 0])].sort(), [0, 1, 2, 3]);
    // Scrolled up two rows: the two old last elements are refilled for the two new first rows.
    assert.equal(longestInOrder([3, 4, 0, 1, 2]).size, 3);
    // Every row changed (600 px in a frame): the elements are refilled in DOM order, none moves.
    assert.equal(longestInOrder([0, 1, 2, 3, 4, 5]).size, 6);
    // New elements (-1) are never kept: they have to be inserted.
    assert.deepEqual([...longestInOrder([-1, 0, -1, 1])].sort(), [1, 3]);
    assert.equal(longestInOrder([]).size, 0);
  });

  it('longestInOrder over random orders: the kept ones are in increasing order and as many as the longest such run', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const n = random(30);
      const positions = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = random(i + 1);
        [positions[i], positions[j]] = [positions[j]!, positions[i]!];
      }
      for (let i = 0; i < n; i++) if (random(5) === 0) positions[i] = -1;
      const kept = [...longestInOrder(positions)].sort((a, b) => a - b).map((i) => positions[i]!);
      for (let i = 1; i < kept.length; i++) assert.ok(kept[i - 1]! < kept[i]!, `not in order: ${kept.join(',')}`);
      // Patience sorting: the length of the longest increasing run, computed another way.
      const tails: number[] = [];
      for (const p of positions) {
        if (p < 0) continue;
        let lo = 0;
        let hi = tails.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (tails[mid]! < p) lo = mid + 1;
          else hi = mid;
        }
        tails[lo] = p;
      }
      assert.equal(kept.length, tails.length, `positions ${positions.join(',')}`);
    }
  });
});
