import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { SessionChange } from '../../../src/core/session/changeFeed';
import type { CookieHistoryEvent, CookieRecord, Exchange, SessionChangeEvent, TokenRecord } from '../../../src/core/session/types';
import type { Finding } from '../../../src/core/findings';
import { SessionStore } from '../../../src/core/session/sessionStore';
import { Capture, START, step } from './trafficSteps';

/** A model rebuilt from the change feed alone, as a reader that never calls snapshot() would keep it. */
class Replica {
  readonly exchanges = new Map<number, Exchange>();
  readonly cookies = new Map<string, CookieRecord>();
  readonly history: CookieHistoryEvent[] = [];
  readonly tokens = new Map<number, TokenRecord>();
  readonly findings = new Set<Finding>();
  evicted = 0;
  version = 0;
  /** The first assertion that failed while applying a batch (the store isolates a throwing listener). */
  failure: unknown;

  apply(e: SessionChangeEvent): void {
    try {
      this.applyBatch(e);
    } catch (err) {
      this.failure ??= err;
    }
  }

  private applyBatch(e: SessionChangeEvent): void {
    assert.ok(e.changes.length > 0, 'no empty batches');
    for (const c of e.changes) {
      assert.ok(c.version > this.version, `versions increase along the feed (${c.version} after ${this.version})`);
      this.version = c.version;
      this.applyOne(c);
    }
    // Updates folded into an earlier change of the same batch leave gaps: the batch has the store's version.
    assert.ok(e.version >= this.version, 'the batch carries the store version after its changes');
    this.version = e.version;
  }

  private applyOne(c: SessionChange): void {
    switch (c.kind) {
      case 'cleared':
        this.exchanges.clear(); this.cookies.clear(); this.history.length = 0; this.tokens.clear(); this.findings.clear(); this.evicted = 0;
        break;
      case 'exchange-added':
        assert.ok(!this.exchanges.has(c.exchange.id), 'an exchange is added once');
        this.exchanges.set(c.exchange.id, c.exchange);
        break;
      case 'exchange-updated':
      case 'exchange-finished':
        assert.ok(this.exchanges.has(c.exchange.id), 'only exchanges the reader knows change');
        this.exchanges.set(c.exchange.id, c.exchange);
        break;
      case 'exchange-evicted':
        assert.ok(this.exchanges.delete(c.exchangeId), 'an evicted exchange was known');
        this.evicted++;
        break;
      case 'cookie':
        this.history.push(c.event);
        if (c.cookie) this.cookies.set(c.cookie.key, c.cookie);
        else this.cookies.delete(c.event.cookieKey);
        break;
      case 'cookie-refreshed':
        assert.ok(this.cookies.has(c.cookie.key), 'a refreshed cookie is in the jar');
        this.cookies.set(c.cookie.key, c.cookie);
        break;
      case 'token-seen':
        assert.equal(this.tokens.has(c.token.id), !c.first, 'first sightings are new tokens, later ones known');
        this.tokens.set(c.token.id, c.token);
        break;
      case 'token-dropped':
        assert.ok(this.tokens.delete(c.tokenId));
        break;
      case 'finding-added':
        this.findings.add(c.finding);
        break;
      case 'finding-removed':
        assert.ok(this.findings.delete(c.finding));
        break;
    }
  }

  assertEqualTo(store: SessionStore): void {
    if (this.failure) throw this.failure;
    const snap = store.snapshot();
    assert.equal(this.version, snap.version);
    assert.deepEqual([...this.exchanges.values()], snap.exchanges);
    assert.equal(this.evicted, snap.evictedExchanges);
    assert.deepEqual([...this.cookies.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), snap.cookies);
    assert.deepEqual(this.history, snap.cookieHistory);
    assert.deepEqual([...this.tokens.values()], snap.tokens);
  }
}

type Op =
  | { op: 'begin'; s: typeof step extends fc.Arbitrary<infer S> ? S : never }
  | { op: 'finish' | 'fail'; pick: number }
  | { op: 'flush' | 'clear' }
  | { op: 'sweep'; years: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: step.map((s) => ({ op: 'begin' as const, s })) },
  { weight: 5, arbitrary: fc.nat().map((pick) => ({ op: 'finish' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'fail' as const, pick })) },
  { weight: 3, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 5).map((years) => ({ op: 'sweep' as const, years })) },
);

describe('change feed', function () {
  this.timeout(120000);

  it('replayed onto an empty model gives the model the store holds (random traffic, clear(), ring and token evictions, expiry)', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), (ops, capacity, maxTokens) => {
      const capture = new Capture(capacity, { maxTokens });
      const store = capture.store;
      const replica = new Replica();
      const sub = store.onDidChange((e) => replica.apply(e));
      const pending: number[] = [];
      let begun = 0;
      for (const o of ops) {
        if (o.op === 'begin') pending.push(capture.begin(o.s, begun++));
        else if ((o.op === 'finish' || o.op === 'fail') && pending.length > 0) {
          const id = pending.splice(o.pick % pending.length, 1)[0];
          if (o.op === 'finish') capture.finish(id);
          else store.finishExchange(id, { state: 'upstream-error', error: 'ECONNREFUSED', endedAt: START + begun * 1000 });
        } else if (o.op === 'clear') {
          store.clear();
          pending.length = 0;
        } else if (o.op === 'sweep') {
          store.sweepExpired(START + o.years * 366 * 86400_000 + 3600_000);
        } else if (o.op === 'flush') {
          store.flush();
          replica.assertEqualTo(store);
        }
      }
      store.flush();
      replica.assertEqualTo(store);
      sub.dispose();
      store.dispose();
    }), { numRuns: 150 });
  });

  it('summarises each batch as the fields readers used before the feed, and folds an update into the batch\'s change of that exchange', () => {
    const capture = new Capture();
    const events: SessionChangeEvent[] = [];
    capture.store.onDidChange((e) => events.push(e));
    const s = { method: 'POST', path: '/login', status: 200, cookies: [['sid', 'old']] as const, setCookies: ['sid=new; HttpOnly'], password: true, bearer: undefined };
    const a = capture.begin(s, 0);
    capture.store.flush();
    capture.finish(a);
    const b = capture.begin({ ...s, method: 'GET', path: '/', password: false, cookies: [['sid', 'new']] }, 1);
    capture.store.flush();
    const [first, second] = events;
    assert.deepEqual(first.changes.map((c) => c.kind), ['exchange-added', 'cookie']);
    assert.deepEqual(first.exchangesAdded, [a]);
    // The request body (login form) folded into the change that added the exchange.
    assert.equal((first.changes[0] as { exchange: Exchange }).exchange.hints.hasPasswordField, true);
    assert.deepEqual(second.changes.map((c) => c.kind), ['exchange-updated', 'cookie', 'exchange-finished', 'exchange-added', 'cookie-refreshed']);
    assert.deepEqual(second.exchangesUpdated, [a]);
    assert.deepEqual(second.exchangesAdded, [b]);
    assert.deepEqual(second.cookieEvents.map((e) => [e.kind, e.oldValue, e.newValue]), [['value-changed', 'old', 'new']]);
    capture.store.dispose();
  });

  it('a script-changed cookie (sent with another value) says what the value was before', () => {
    const capture = new Capture();
    const base = { method: 'GET', path: '/', status: 200, password: false, bearer: undefined };
    capture.finish(capture.begin({ ...base, cookies: [], setCookies: ['theme=dark'] }, 0));
    capture.finish(capture.begin({ ...base, cookies: [['theme', 'light']], setCookies: [] }, 1));
    const changed = capture.store.getCookieHistory().filter((e) => e.kind === 'value-changed');
    assert.deepEqual(changed.map((e) => [e.oldValue, e.newValue, e.via]), [['dark', 'light', 'request-cookie']]);
    capture.store.dispose();
  });

  it('carries findings a reader publishes: into the batch being delivered when it is the first listener, else into the next', () => {
    const store = new SessionStore({ throttleMs: 0 });
    const finding = { ruleId: 'cookie-no-httponly', severity: 'warning', subject: 'sid', message: 'm', docs: 'd' } as unknown as Finding;
    const seenByLater: SessionChangeEvent[] = [];
    store.onDidChange((e) => { if (e.exchangesAdded.length > 0) store.publishFindings({ added: [finding], removed: [] }); });
    store.onDidChange((e) => seenByLater.push(e));
    store.beginExchange({ source: 'har', method: 'GET', url: 'http://localhost/', headers: [] });
    store.flush();
    assert.equal(seenByLater.length, 1);
    assert.deepEqual(seenByLater[0].changes.map((c) => c.kind), ['exchange-added', 'finding-added']);
    assert.equal(seenByLater[0].version, store.version);
    // Published outside a delivery: the next batch.
    store.publishFindings({ added: [], removed: [finding] });
    store.flush();
    assert.deepEqual(seenByLater[1].changes.map((c) => c.kind), ['finding-removed']);
    store.dispose();
  });
});
