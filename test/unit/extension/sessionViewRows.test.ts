import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SessionStore } from '../../../src/core/session';
import type { Finding } from '../../../src/core/findings';
import { SessionViewDeltas } from '../../../src/extension/sessionViewDeltas';
import { ExchangeRowCache, SessionViewRows } from '../../../src/extension/sessionViewRows';
import { cookieRows, exchangeRows, findingRows, goneCookieRows, tokenRows } from '../../../src/extension/sessionViewState';
import type { SessionViewState } from '../../../src/shared/protocol';
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
  | { kind: 'verify'; token?: number };

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
);

/** Findings pointing at some of the exchanges the store holds, chosen by `seed`. */
function findingsFor(store: SessionStore, seed: number): Finding[] {
  const ids = store.snapshot().exchanges.map((e) => e.id);
  return ids.filter((id) => (id * 7 + seed) % 3 === 0).map((id) => ({ ruleId: 'cookie-missing-secure', severity: 'warning', subject: 'sid', message: `m${seed % 2}`, docs: '', evidence: { exchangeId: id } }) as Finding);
}

/** Runs the steps on a small store (ring, history and token limits all reached) and checks the kept rows after each update. */
function run(steps: readonly Step[]): void {
  const store = new SessionStore({ throttleMs: 0, capacity: 6, maxHistoryEvents: 5, maxTokens: 3 });
  const cache = new ExchangeRowCache();
  const rows = new SessionViewRows();
  const deltas = new SessionViewDeltas();
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
  let t = T0;
  const finish = (id: number, setCookie: string | undefined, token: number | undefined) => {
    store.addResponse(id, { status: 200, headers: [...(setCookie ? [{ name: 'Set-Cookie', value: setCookie }] : []), ...(token !== undefined ? [{ name: 'X-Token', value: jwt(`u${token}`) }] : [])], receivedAt: t + 1 });
    store.finishExchange(id, { state: 'complete', endedAt: t + 2 });
  };
  for (const s of steps) {
    t += 1000;
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
    } else {
      findings = findingsFor(store, s.seed);
    }
    store.flush();
    const snap = store.snapshot();
    const expected = exchangeRows(snap, findings);
    assert.deepStrictEqual(cache.rows(snap, findings), expected);

    // The same isSession each update, as the controller passes it: rows that did not change are kept.
    const kept = expiry.model(t);
    const whole = buildExpiryModel(snap, { clock: () => t, expiringSoonSeconds: 2 });
    const lists = rows.lists(store, snap, { findings, masked, isSession, model: kept, verifications });
    assert.deepStrictEqual(lists, {
      exchanges: expected,
      cookies: [...cookieRows(snap, masked, isSession, whole, undefined, findings), ...goneCookieRows(snap, masked, isSession)],
      tokens: tokenRows(snap, masked, whole, verifications),
      findings: findingRows(findings),
    });
    const state: SessionViewState = { capture: { running: true, exchanges: snap.exchanges.length }, ...lists, masked, actions: [], now: t, expiringSoonMs: 1 };
    const message = deltas.next(state);
    if (message.type === 'state') model.applyState(message.state, message.version);
    else if (message.type === 'delta') assert.equal(model.applyDelta(message.delta), 'applied');
    assert.deepStrictEqual(model.state, state);
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
    const first = rows.lists(store, store.snapshot(), inputs);
    deltas.next({ capture: { running: true, exchanges: 50 }, ...first, masked: true, actions: [], now: 0, expiringSoonMs: 1 });
    add(50, 'sid=1; Path=/');
    const second = rows.lists(store, store.snapshot(), inputs);
    for (let i = 0; i < 50; i++) assert.equal(second.exchanges[i], first.exchanges[i], `row ${i} was built again`);
    const message = deltas.next({ capture: { running: true, exchanges: 51 }, ...second, masked: true, actions: [], now: 0, expiringSoonMs: 1 });
    assert.equal(message.type, 'delta');
    if (message.type !== 'delta') return;
    assert.deepStrictEqual(message.delta.exchanges?.upsert.map((r) => r.id), [second.exchanges[50]!.id]);
    assert.equal(message.delta.exchanges?.upsert[0]!.cookiesCreated, 1);
  });
});
