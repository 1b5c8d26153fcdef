import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SessionStore } from '../../../src/core/session';
import type { Finding } from '../../../src/core/findings';
import { FIRST_STATE_EXCHANGES, SessionViewDeltas } from '../../../src/extension/sessionViewDeltas';
import { SessionViewRows } from '../../../src/extension/sessionViewRows';
import { ExchangeRowCache, type ExchangeRowList, withExchangeRows } from '../../../src/extension/sessionExchangeRows';
import { cookieRows, exchangeRows, findingRows, goneCookieRows, tokenRows } from '../../../src/extension/sessionViewState';
import { OLDER_EXCHANGES_PER_DELTA, type SessionViewState } from '../../../src/shared/protocol';
import { SessionModel } from '../../../src/webview/timelineModel';
import { buildExpiryModel, IncrementalExpiryModel } from '../../../src/core/expiry/index';

const T0 = Date.UTC(2026, 10, 22, 12);
const jwt = (sub: string) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.c2lnbmF0dXJl`;

/** One thing that happens to the session between two panel updates. */
type Step =
  | { kind: 'exchange'; setCookie?: string; token?: number; finish: boolean }
  | { kind: 'finishPending' }
  | { kind: 'clear' }
  | { kind: 'findings'; seed: number }
  | { kind: 'mask' }
  | { kind: 'verify'; token?: number }
  | { kind: 'reload' }
  | { kind: 'read'; at: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('exchange' as const),
    setCookie: fc.option(fc.constantFrom('sid=a1; Path=/', 'sid=b2; Path=/; HttpOnly', 'sid=; Path=/; Max-Age=0', 'theme=dark; Path=/', 'theme=light; Path=/', 'x=1; Path=/', 'x=; Path=/; Max-Age=0', 'y=2; Domain=other.example; Path=/'), { nil: undefined }),
    token: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    finish: fc.boolean(),
  }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'finishPending' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('findings' as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mask' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('verify' as const), token: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }) }) },
  // The webview reloads (a full state again), or something reads one row of the timeline (built then).
  { weight: 1, arbitrary: fc.constant({ kind: 'reload' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.nat() }) },
);

/** Findings pointing at some of the exchanges the store holds, chosen by `seed`. */
function findingsFor(store: SessionStore, seed: number): Finding[] {
  const ids = store.snapshot().exchanges.map((e) => e.id);
  return ids.filter((id) => (id * 7 + seed) % 3 === 0).map((id) => ({ ruleId: 'cookie-missing-secure', severity: 'warning', subject: 'sid', message: `m${seed % 2}`, docs: '', evidence: { exchangeId: id } }) as Finding);
}

/**
 * Runs the steps on a small store (ring, history and token limits all reached) and checks the kept
 * rows after each update: the timeline that follows the change feed (rows read only as the deltas
 * send them, or a step reads one), the one that compares every exchange, and the full lists; and
 * the webview model the deltas keep (first state of 2 rows, older rows 1 per delta) against the state.
 */
function run(steps: readonly Step[]): void {
  const store = new SessionStore({ throttleMs: 0, capacity: 6, maxHistoryEvents: 5, maxTokens: 3 });
  const walked = new ExchangeRowCache();
  const rows = new SessionViewRows();
  const full = new SessionViewRows();
  const deltas = new SessionViewDeltas({ firstState: 2, olderPerDelta: 1 });
  const model = new SessionModel();
  // The expiry model the controller keeps from the change feed: its kept index gives the rows' expiries.
  const expiry = new IncrementalExpiryModel({ expiringSoonSeconds: 2 });
  store.onDidChange((e) => expiry.apply(e));
  const pending: number[] = [];
  const isSession = (c: { name: string }) => c.name === 'sid';
  let findings: Finding[] = [];
  let masked = true;
  // The signature check of one token value (Verify…), or none.
  let verifications: Map<string, { signature: string; message: string; at: number }> = new Map();
  let read: number | undefined;
  let t = T0;
  const finish = (id: number, setCookie: string | undefined, token: number | undefined) => {
    store.addResponse(id, { status: 200, headers: [...(setCookie ? [{ name: 'Set-Cookie', value: setCookie }] : []), ...(token !== undefined ? [{ name: 'X-Token', value: jwt(`u${token}`) }] : [])], receivedAt: t + 1 });
    store.finishExchange(id, { state: 'complete', endedAt: t + 2 });
  };
  for (const s of steps) {
    t += 1000;
    read = undefined;
    if (s.kind === 'exchange') {
      const headers = s.token !== undefined ? [{ name: 'Authorization', value: `Bearer ${jwt(`u${s.token}`)}` }] : [];
      const id = store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000/p${t}`, path: `/p${t}`, headers, startedAt: t });
      if (s.finish) finish(id, s.setCookie, s.token);
      else pending.push(id);
    } else if (s.kind === 'finishPending') {
      const id = pending.shift();
      if (id !== undefined) finish(id, 'sid=late; Path=/', 1);
    } else if (s.kind === 'clear') {
      store.clear();
      pending.length = 0;
    } else if (s.kind === 'mask') {
      masked = !masked;
    } else if (s.kind === 'verify') {
      verifications = s.token === undefined ? new Map() : new Map([[jwt(`u${s.token}`), { signature: 'valid', message: 'ok', at: t }]]);
    } else if (s.kind === 'reload') {
      deltas.reset();
    } else if (s.kind === 'read') {
      read = s.at;
    } else {
      findings = findingsFor(store, s.seed);
    }
    store.flush();
    const snap = store.snapshot();
    const expected = exchangeRows(snap, findings);
    assert.deepStrictEqual(walked.update(snap, findings).all(), expected);

    // The same isSession each update, as the controller passes it: rows that did not change are kept.
    const kept = expiry.model(t);
    const whole = buildExpiryModel(snap, { clock: () => t, expiringSoonSeconds: 2 });
    const inputs = { findings, masked, isSession, model: kept, verifications };
    const lists = rows.update(store, snap, inputs);
    assert.equal(lists.exchanges.length, expected.length);
    if (read !== undefined && expected.length > 0) assert.deepStrictEqual(lists.exchanges.rowAt(read % expected.length), expected[read % expected.length]);
    const rest: Omit<SessionViewState, 'exchanges'> = { capture: { running: true, exchanges: snap.exchanges.length }, cookies: lists.cookies, tokens: lists.tokens, findings: lists.findings, masked, actions: [], now: t, expiringSoonMs: 1 };
    const message = deltas.next(withExchangeRows(rest, lists.exchanges));
    if (message.type === 'state') model.applyState(message.state, message.version);
    else if (message.type === 'delta') assert.equal(model.applyDelta(message.delta), 'applied');
    // The webview holds the newest rows; those below come one per delta.
    const held = model.state!.exchanges;
    assert.deepStrictEqual(held, expected.slice(expected.length - held.length));
    assert.equal(model.state!.olderExchanges ?? 0, expected.length - held.length);
    assert.equal(deltas.sendingOlder, held.length < expected.length);
    assert.deepStrictEqual({ ...model.state!, exchanges: expected, olderExchanges: undefined }, { ...rest, exchanges: expected, olderExchanges: undefined });

    const all = full.lists(store, snap, inputs);
    assert.deepStrictEqual(all, {
      exchanges: expected,
      cookies: [...cookieRows(snap, masked, isSession, whole, undefined, findings), ...goneCookieRows(snap, masked, isSession)],
      tokens: tokenRows(snap, masked, whole, verifications),
      findings: findingRows(findings),
    });
  }
}

describe('Session panel rows kept across updates (ExchangeRowCache, SessionViewRows)', () => {
  it('equal the rows built from scratch after every update, and the webview model the full state (random sessions with ring, history and token evictions, clears, findings)', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => run(steps)), { numRuns: 300 });
  });

  it('builds a row again only for the exchange that changed: the others are the same objects, and the delta carries one row', () => {
    const store = new SessionStore({ throttleMs: 0 });
    const rows = new SessionViewRows();
    const deltas = new SessionViewDeltas();
    const add = (i: number, setCookie?: string) => {
      const id = store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000/${i}`, path: `/${i}`, headers: [], startedAt: T0 + i });
      store.addResponse(id, { status: 200, headers: setCookie ? [{ name: 'Set-Cookie', value: setCookie }] : [], receivedAt: T0 + i + 1 });
      store.finishExchange(id, { state: 'complete', endedAt: T0 + i + 2 });
      store.flush();
    };
    for (let i = 0; i < 50; i++) add(i);
    const inputs = { findings: [], masked: true, isSession: () => false };
    const rest = { capture: { running: true, exchanges: 50 }, masked: true, actions: [], now: 0, expiringSoonMs: 1 };
    const first = rows.update(store, store.snapshot(), inputs);
    const firstRows = first.exchanges.all();
    const firstVersion = first.exchanges.version;
    deltas.next(withExchangeRows({ ...rest, cookies: first.cookies, tokens: first.tokens, findings: first.findings }, first.exchanges));
    add(50, 'sid=1; Path=/');
    const second = rows.update(store, store.snapshot(), inputs);
    for (let i = 0; i < 50; i++) assert.equal(second.exchanges.rowAt(i), firstRows[i], `row ${i} was built again`);
    assert.deepStrictEqual(second.exchanges.changesSince(firstVersion), { changed: [second.exchanges.idAt(50)], removed: [] }, 'one row logged');
    const message = deltas.next(withExchangeRows({ ...rest, cookies: second.cookies, tokens: second.tokens, findings: second.findings }, second.exchanges));
    assert.equal(message.type, 'delta');
    if (message.type !== 'delta') return;
    assert.deepStrictEqual(message.delta.exchanges?.upsert.map((r) => r.id), [second.exchanges.idAt(50)]);
    assert.equal(message.delta.exchanges?.upsert[0]!.cookiesCreated, 1);
  });

  it('a long session\'s first state builds only the rows it sends, each slice of older rows only its own, and a delta only the rows that changed', () => {
    const store = new SessionStore({ throttleMs: 0, capacity: 5000 });
    for (let i = 0; i < 2500; i++) {
      const id = store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000/${i}`, path: `/${i}`, headers: [], startedAt: T0 + i });
      store.addResponse(id, { status: 200, headers: [], receivedAt: T0 + i + 1 });
      store.finishExchange(id, { state: 'complete', endedAt: T0 + i + 2 });
    }
    store.flush();
    const rows = new SessionViewRows();
    const deltas = new SessionViewDeltas();
    const inputs = { findings: [], masked: true, isSession: () => false };
    const rest = { capture: { running: true, exchanges: 0 }, cookies: [], tokens: [], findings: [], masked: true, actions: [], now: 0, expiringSoonMs: 1 };
    let reads = 0;
    let list: ExchangeRowList | undefined;
    // The timeline as the deltas see it (one object across updates, as the kept list is), counting the rows they read: a row is built when first read.
    const counted: ExchangeRowList = {
      get length() { return list!.length; },
      get version() { return list!.version; },
      idAt: (i) => list!.idAt(i),
      rowAt: (i) => { reads++; return list!.rowAt(i); },
      indexAtOrAbove: (id) => list!.indexAtOrAbove(id),
      changesSince: (v) => list!.changesSince(v),
      all: () => list!.all(),
    };
    const post = () => {
      list = rows.update(store, store.snapshot(), inputs).exchanges;
      return deltas.next(withExchangeRows(rest, counted));
    };
    const first = post();
    assert.ok(first.type === 'state');
    assert.equal(reads, FIRST_STATE_EXCHANGES);
    reads = 0;
    const slice = post();
    assert.ok(slice.type === 'delta' && slice.delta.olderExchanges === 2500 - FIRST_STATE_EXCHANGES - OLDER_EXCHANGES_PER_DELTA);
    assert.equal(reads, OLDER_EXCHANGES_PER_DELTA);
    const last = post();
    assert.ok(last.type === 'delta' && last.delta.olderExchanges === 0 && !deltas.sendingOlder);
    reads = 0;
    const id = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/new', path: '/new', headers: [], startedAt: T0 + 9000 });
    store.flush();
    const delta = post();
    assert.ok(delta.type === 'delta' && delta.delta.olderExchanges === undefined);
    assert.deepStrictEqual(delta.delta.exchanges?.upsert.map((r) => r.id), [id]);
    assert.equal(reads, 1);
  });

  it('starts over with a full state when the deltas fell further behind than the timeline logs', () => {
    const store = new SessionStore({ throttleMs: 0, capacity: 10 });
    const add = (i: number) => {
      store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000/${i}`, path: `/${i}`, headers: [], startedAt: T0 + i });
    };
    const rows = new SessionViewRows();
    const deltas = new SessionViewDeltas();
    const inputs = { findings: [], masked: true, isSession: () => false };
    const rest = { capture: { running: true, exchanges: 0 }, cookies: [], tokens: [], findings: [], masked: true, actions: [], now: 0, expiringSoonMs: 1 };
    const post = () => deltas.next(withExchangeRows(rest, rows.update(store, store.snapshot(), inputs).exchanges));
    add(0);
    store.flush();
    assert.equal(post().type, 'state');
    // Updates the webview is not sent (hidden, say): thousands of rows added and dropped by the ring.
    for (let i = 1; i <= 3000; i++) {
      add(i);
      store.flush();
      rows.update(store, store.snapshot(), inputs);
    }
    const message = post();
    assert.ok(message.type === 'state');
    assert.deepStrictEqual(message.state.exchanges.map((r) => r.path), Array.from({ length: 10 }, (_, i) => `/${2991 + i}`));
    assert.equal(post().type, 'delta');
  });

  it('a token row follows its expiry entry when only the expiry model moved it (a server clock found skewed later)', () => {
    const store = new SessionStore({ throttleMs: 0 });
    const expiry = new IncrementalExpiryModel();
    store.onDidChange((e) => expiry.apply(e));
    const exp = Math.floor(T0 / 1000) + 3600;
    const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'a', exp })).toString('base64url')}.c2ln`;
    const get = (at: number, headers: { name: string; value: string }[], response: { name: string; value: string }[]) => {
      const id = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://skewed.test/api', path: '/api', headers, startedAt: at });
      store.addResponse(id, { status: 200, headers: response, receivedAt: at + 10 });
      store.finishExchange(id, { state: 'complete', endedAt: at + 20 });
      store.flush();
    };
    const rows = new SessionViewRows();
    const inputs = () => ({ findings: [], masked: false, isSession: () => false, model: expiry.model(T0 + 10_000) });
    get(T0, [{ name: 'Authorization', value: `Bearer ${token}` }], []);
    const before = rows.update(store, store.snapshot(), inputs()).tokens;
    assert.equal(before[0]!.expiry.skewMs, undefined);
    // The same host's clock, 5 minutes ahead of ours: the token's exp is corrected, its records did not change.
    get(T0 + 1000, [], [{ name: 'Date', value: new Date(T0 + 1000 + 300_000).toUTCString() }]);
    const model = expiry.model(T0 + 10_000);
    const after = rows.update(store, store.snapshot(), { ...inputs(), model }).tokens;
    assert.deepStrictEqual(after, tokenRows(store.snapshot(), false, buildExpiryModel(store.snapshot(), { clock: () => T0 + 10_000 })));
    assert.ok((after[0]!.expiry.skewMs ?? 0) >= 299_000);
  });
});
