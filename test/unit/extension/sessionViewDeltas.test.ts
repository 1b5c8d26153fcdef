import * as assert from 'node:assert/strict';
import { OLDER_EXCHANGES_PER_DELTA, type ExchangeRow, type SessionViewState } from '../../../src/shared/protocol';
import { FIRST_STATE_EXCHANGES, SessionViewDeltas } from '../../../src/extension/sessionViewDeltas';
import { SessionModel } from '../../../src/webview/timelineModel';

function row(id: number, status = 200): ExchangeRow {
  return {
    id, time: id * 1000, method: 'GET', path: `/page/${id}`, status, statusClass: status >= 500 ? '5xx' : '2xx', state: 'complete',
    cookiesSent: 0, cookiesCreated: 0, cookiesChanged: 0, cookiesDeleted: 0, tokensIssued: 0, tokensSent: 0, findings: 0,
    sessionChanged: false, headerNames: ['host'], cookieNames: [],
  };
}

const EMPTY: SessionViewState = { capture: { running: true, exchanges: 0 }, exchanges: [], cookies: [], tokens: [], findings: [], masked: true, actions: [], now: 0, expiringSoonMs: 0 };

describe('session view deltas: the older exchanges after a long session\'s first state', () => {
  it('come in slices of at most OLDER_EXCHANGES_PER_DELTA rows, newest first, each saying how many are left, while new rows, changes and evictions go on', () => {
    const total = FIRST_STATE_EXCHANGES + 3 * OLDER_EXCHANGES_PER_DELTA + 250;
    let rows = Array.from({ length: total }, (_, i) => row(1 + i));
    const deltas = new SessionViewDeltas();
    const model = new SessionModel();
    const first = deltas.next({ ...EMPTY, exchanges: rows });
    assert.ok(first.type === 'state');
    assert.equal(first.state.exchanges.length, FIRST_STATE_EXCHANGES);
    assert.equal(first.state.olderExchanges, total - FIRST_STATE_EXCHANGES);
    assert.equal(deltas.sendingOlder, true);
    model.applyState(first.state, first.version);

    let lowestHeld = first.state.exchanges[0]!.id;
    let nextId = total + 1;
    const left: number[] = [];
    for (let step = 0; deltas.sendingOlder; step++) {
      assert.ok(step < 10, 'the backlog ends');
      // Meanwhile: a new exchange, a changed row the webview holds, and the ring evicts the two oldest.
      rows = [...rows.slice(2), row(nextId++)];
      rows = rows.map((r) => (r.id === total - 3 ? row(r.id, 500 + step) : r));
      const message = deltas.next({ ...EMPTY, exchanges: rows });
      assert.ok(message.type === 'delta');
      const { delta } = message;
      assert.equal(typeof delta.olderExchanges, 'number');
      left.push(delta.olderExchanges!);
      const older = delta.exchanges!.upsert.filter((r) => r.id < lowestHeld);
      assert.ok(older.length > 0 && older.length <= OLDER_EXCHANGES_PER_DELTA, `slice of ${older.length}`);
      assert.equal(older[older.length - 1]!.id, lowestHeld - 1, 'the slice lies just below the rows held (newest first)');
      assert.ok(delta.exchanges!.upsert.some((r) => r.id === nextId - 1), 'the new exchange comes too');
      assert.ok(delta.exchanges!.upsert.some((r) => r.id === total - 3), 'so does the changed row');
      assert.equal(delta.olderExchanges, older[0]!.id - rows[0]!.id, 'what is left is what lies below the slice');
      lowestHeld = older[0]!.id;
      assert.equal(model.applyDelta(delta), 'applied');
    }
    assert.deepEqual(left, [2248, 1246, 244, 0]);
    assert.deepEqual(model.state!.exchanges, rows, 'the webview ends up with the whole list');
    const after = deltas.next({ ...EMPTY, exchanges: rows });
    assert.ok(after.type === 'delta' && after.delta.exchanges === undefined && after.delta.olderExchanges === undefined, 'then only what changes');
  });

  it('stops sending older rows once the ring evicted them all, and a reset starts over with a state', () => {
    const rows = Array.from({ length: FIRST_STATE_EXCHANGES + 1500 }, (_, i) => row(1 + i));
    const deltas = new SessionViewDeltas();
    const model = new SessionModel();
    const first = deltas.next({ ...EMPTY, exchanges: rows });
    assert.ok(first.type === 'state');
    model.applyState(first.state, first.version);
    const kept = rows.slice(1500);
    const message = deltas.next({ ...EMPTY, exchanges: kept });
    assert.ok(message.type === 'delta');
    assert.equal(message.delta.olderExchanges, 0);
    assert.equal(message.delta.exchanges, undefined, 'nothing to send');
    assert.equal(deltas.sendingOlder, false);
    assert.equal(model.applyDelta(message.delta), 'applied');
    assert.deepEqual(model.state!.exchanges, kept);

    deltas.next({ ...EMPTY, exchanges: rows });
    deltas.reset();
    const again = deltas.next({ ...EMPTY, exchanges: rows });
    assert.ok(again.type === 'state' && again.state.olderExchanges === 1500 && deltas.sendingOlder);
  });
});
