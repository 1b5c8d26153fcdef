import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SessionStore } from '../../../src/core/session/sessionStore';
import type { HeaderField } from '../../../src/core/session/types';
import { type ExpiryModel, buildExpiryModel } from '../../../src/core/expiry/expiryModel';
import { IncrementalExpiryModel } from '../../../src/core/expiry/incrementalExpiryModel';
import { IDS, JWTS, START } from '../session/trafficSteps';
import { credentialIndex } from '../../../src/core/expiry/credentialIndex';

const SEC = 1000;
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** Server hosts with their clock minus ours: one in step, one a little behind (noise), one far ahead (corrected). */
const HOSTS = [['localhost:3000', 0], ['api.test', -1500], ['skewed.test', 300 * SEC]] as const;

/** One Set-Cookie as a server issues it at `serverNow` (its own clock). */
type CookieShape = 'rolling-max-age' | 'rolling-expires' | 'fixed-expires' | 'short-max-age' | 'browser-session' | 'delete' | 'clamped';
const SHAPES: readonly CookieShape[] = ['rolling-max-age', 'rolling-expires', 'fixed-expires', 'short-max-age', 'browser-session', 'delete', 'clamped'];

function setCookie(name: string, value: string, shape: CookieShape, serverNow: number): string {
  switch (shape) {
    case 'rolling-max-age': return `${name}=${value}; Max-Age=1800; HttpOnly; Path=/`;
    case 'rolling-expires': return `${name}=${value}; Expires=${httpDate(serverNow + 600 * SEC)}; Path=/`;
    case 'fixed-expires': return `${name}=${value}; Expires=${httpDate(START + 3600 * SEC)}; Path=/`;
    case 'short-max-age': return `${name}=${value}; Max-Age=60; Path=/`;
    case 'browser-session': return `${name}=${value}; Path=/`;
    case 'delete': return `${name}=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/`;
    case 'clamped': return `${name}=${value}; Max-Age=99999999; Path=/`;
  }
}

interface Request {
  readonly host: number;
  /** Seconds after the previous request. */
  readonly gap: number;
  readonly path: string;
  readonly sent: readonly (readonly [string, string])[];
  readonly set: readonly (readonly [string, string, CookieShape])[];
  readonly bearer?: string;
  readonly oauth?: { access: string; expiresIn: number; refresh?: string };
  /** Seconds the server's clock is ahead of its usual offset in this response (the host's skew estimate moves). */
  readonly drift?: number;
}

const USUAL_SHAPE: Record<string, CookieShape> = { sid: 'rolling-max-age', auth: 'rolling-expires', remember: 'fixed-expires', theme: 'browser-session' };
const name = fc.constantFrom(...Object.keys(USUAL_SHAPE));
const value = fc.constantFrom(...IDS.slice(0, 4), ...JWTS);
const request: fc.Arbitrary<Request> = fc.record({
  host: fc.constantFrom(0, 0, 1, 2),
  gap: fc.constantFrom(0, 1, 2, 30, 120, 900),
  path: fc.constantFrom('/', '/login', '/logout', '/api/items', '/oauth/token'),
  sent: fc.array(fc.tuple(fc.constantFrom('legacy', 'sid', 'pref'), value), { maxLength: 2 }),
  // Mostly the shape a server gives that cookie every time (so rolling and fixed limits show), sometimes any.
  set: fc.array(fc.tuple(name, value, fc.option(fc.constantFrom(...SHAPES), { freq: 4 })).map(([n, v, shape]) => [n, v, shape ?? USUAL_SHAPE[n]] as const), { maxLength: 2 }),
  bearer: fc.option(fc.constantFrom(...JWTS, IDS[0]), { nil: undefined }),
  oauth: fc.option(fc.record({ access: fc.constantFrom(...JWTS, IDS[1]), expiresIn: fc.constantFrom(60, 3600), refresh: fc.option(fc.constantFrom(IDS[2]), { nil: undefined }) }), { nil: undefined }),
  drift: fc.constantFrom(0, 4, 400),
}, { requiredKeys: ['host', 'gap', 'path', 'sent', 'set'] });

type Op =
  | { op: 'begin'; r: Request }
  | { op: 'finish' | 'fail' | 'finishAsStarted'; pick: number }
  | { op: 'check'; later: number }
  | { op: 'clear' | 'sweep' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: request.map((r) => ({ op: 'begin' as const, r })) },
  { weight: 6, arbitrary: fc.nat().map((pick) => ({ op: 'finish' as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'fail' as const, pick })) },
  // A response stamped as received right after its request: its Set-Cookie comes before those of responses already taken in.
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'finishAsStarted' as const, pick })) },
  { weight: 3, arbitrary: fc.constantFrom(0, 59, 1800, 86400).map((later) => ({ op: 'check' as const, later })) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'sweep' as const }) },
);

/**
 * A session that reaches every kind the test is about, run before the random ones whatever the
 * seed: a rolling session cookie renewed twice (idle timeout), a server clock 5 minutes ahead
 * (corrected skew) and an OAuth token response.
 */
const page = (host: number, gap: number, path: string, extra: Partial<Request> = {}): Op => ({ op: 'begin', r: { host, gap, path, sent: [], set: [], ...extra } });
const REACHES_ALL: Op[] = [
  page(0, 0, '/login', { set: [['sid', IDS[0], 'rolling-max-age']] }), { op: 'finish', pick: 0 },
  page(0, 30, '/', { sent: [['sid', IDS[0]]], set: [['sid', IDS[0], 'rolling-max-age']] }), { op: 'finish', pick: 0 },
  page(0, 30, '/', { sent: [['sid', IDS[0]]], set: [['sid', IDS[0], 'rolling-max-age']] }), { op: 'finish', pick: 0 },
  page(2, 1, '/oauth/token', { set: [['auth', JWTS[0], 'rolling-expires']], oauth: { access: JWTS[1], expiresIn: 3600 } }), { op: 'finish', pick: 0 },
  page(2, 30, '/', { sent: [['auth', JWTS[0]]], set: [['auth', JWTS[0], 'rolling-expires']] }), { op: 'finish', pick: 0 },
  { op: 'check', later: 0 },
];
const NUM_RUNS = Number(process.env.SESSION_LENS_EXPIRY_RUNS ?? 200);

/** Drives a real SessionStore through requests on three server clocks. */
class Traffic {
  readonly store: SessionStore;
  private readonly requests = new Map<number, { r: Request; at: number }>();
  at = START;

  constructor(capacity: number, maxTokens: number) {
    this.store = new SessionStore({ capacity, maxTokens, throttleMs: 0, now: () => this.at });
  }

  begin(r: Request): number {
    this.at += r.gap * SEC;
    const headers: HeaderField[] = [];
    if (r.sent.length > 0) headers.push({ name: 'Cookie', value: r.sent.map(([n, v]) => `${n}=${v}`).join('; ') });
    if (r.bearer) headers.push({ name: 'Authorization', value: `Bearer ${r.bearer}` });
    const id = this.store.beginExchange({ source: 'har', method: r.path === '/' ? 'GET' : 'POST', url: `http://${HOSTS[r.host][0]}${r.path}`, headers, startedAt: this.at });
    this.requests.set(id, { r, at: this.at });
    return id;
  }

  finish(id: number, asStarted = false): void {
    const { r, at } = this.requests.get(id)!;
    const receivedAt = (asStarted ? at : Math.max(at, this.at)) + 40;
    const serverNow = receivedAt - 20 + HOSTS[r.host][1] + (r.drift ?? 0) * SEC;
    const headers: HeaderField[] = [{ name: 'Date', value: httpDate(serverNow) }];
    for (const [n, v, shape] of r.set) headers.push({ name: 'Set-Cookie', value: setCookie(n, v, shape, serverNow) });
    const body = r.oauth ? Buffer.from(JSON.stringify({ access_token: r.oauth.access, token_type: 'Bearer', expires_in: r.oauth.expiresIn, ...(r.oauth.refresh ? { refresh_token: r.oauth.refresh } : {}) })) : undefined;
    if (body) headers.push({ name: 'Content-Type', value: 'application/json' });
    this.store.addResponse(id, { status: 200, headers, receivedAt });
    this.store.finishExchange(id, { state: 'complete', endedAt: receivedAt + 5, ...(body ? { responseBody: { bytes: body, wireBytes: body.length, truncated: false, decoded: true } } : {}) });
  }
}

/** A model without the order of its lists (which says nothing) or its build instant. */
function comparable(m: ExpiryModel) {
  return {
    expiringSoonMs: m.expiringSoonMs,
    clocks: [...m.clocks].sort((a, b) => a.host.localeCompare(b.host)),
    credentials: [...m.credentials].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

describe('incremental expiry model', function () {
  this.timeout(120000);

  const seen = { credentials: 0, idle: 0, corrected: 0, tokens: 0, repeated: 0 };
  after(() => {
    // The generator reaches what the test names (not an assertion of behaviour: of the test itself).
    assert.ok(seen.idle > 0 && seen.corrected > 0 && seen.tokens > 0, JSON.stringify(seen));
  });

  it('after any sequence of feed batches equals the whole-session model (logins, rolling cookies, JWTs, OAuth expires_in, skewed clocks, evictions, clear)', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: 'large' }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), (ops, capacity, maxTokens) => {
      const traffic = new Traffic(capacity, maxTokens);
      const store = traffic.store;
      const incremental = new IncrementalExpiryModel({ expiringSoonSeconds: 120 });
      const sub = store.onDidChange((e) => incremental.apply(e));
      const pending: number[] = [];
      const check = (now: number) => {
        store.flush();
        const whole = buildExpiryModel(store, { clock: () => now, expiringSoonSeconds: 120 });
        const model = incremental.model(now);
        assert.deepEqual(comparable(model), comparable(whole));
        // The index the incremental model keeps is the model's credentials by id.
        assert.deepEqual(credentialIndex(model), new Map(model.credentials.map((c) => [c.id, c])));
        seen.credentials += whole.credentials.length;
        seen.idle += whole.credentials.filter((c) => c.kind === 'idle').length;
        seen.corrected += whole.credentials.filter((c) => c.skewMs !== 0).length;
        seen.tokens += whole.credentials.filter((c) => c.type === 'oauth-token').length;
      };
      for (const o of ops) {
        if (o.op === 'begin') pending.push(traffic.begin(o.r));
        else if ((o.op === 'finish' || o.op === 'fail' || o.op === 'finishAsStarted') && pending.length > 0) {
          const id = pending.splice(o.pick % pending.length, 1)[0];
          if (o.op !== 'fail') traffic.finish(id, o.op === 'finishAsStarted');
          else store.finishExchange(id, { state: 'upstream-error', error: 'ECONNREFUSED', endedAt: traffic.at + 10 });
        } else if (o.op === 'clear') {
          store.clear();
          pending.length = 0;
        } else if (o.op === 'sweep') {
          store.sweepExpired(traffic.at + 3600 * SEC);
        } else if (o.op === 'check') {
          check(traffic.at + o.later * SEC);
        }
      }
      check(traffic.at);
      const settings = store.snapshot().exchanges.flatMap((e) => e.cookiesSet.map((c) => c.cookieKey));
      if (new Set(settings).size < settings.length) seen.repeated++;
      // A model loaded from the snapshot (a store that held data before) is the same model.
      const loaded = new IncrementalExpiryModel({ expiringSoonSeconds: 120 });
      loaded.load(store.snapshot());
      assert.deepEqual(comparable(loaded.model(traffic.at)), comparable(buildExpiryModel(store, { clock: () => traffic.at, expiringSoonSeconds: 120 })));
      sub.dispose();
      store.dispose();
    }), { numRuns: NUM_RUNS, examples: [[REACHES_ALL, 8, 5]] });
  });

  it('a rolling cookie re-issued on each response is an idle timeout; the update builds only that cookie', () => {
    const traffic = new Traffic(100, 100);
    const incremental = new IncrementalExpiryModel();
    traffic.store.onDidChange((e) => incremental.apply(e));
    const get = (set: Request['set'], gap = 60): void => traffic.finish(traffic.begin({ host: 0, gap, path: '/', sent: [], set }));
    get([['theme', 'dark', 'browser-session']]);
    get([['sid', IDS[0], 'rolling-max-age']]);
    traffic.store.flush();
    const before = incremental.model(traffic.at);
    get([['sid', IDS[0], 'rolling-max-age']]);
    traffic.store.flush();
    assert.equal(incremental.pending, 1, 'one credential to build again');
    const after = incremental.model(traffic.at);
    const sid = after.credentials.find((c) => c.label === 'sid')!;
    assert.equal(sid.kind, 'idle');
    assert.equal(sid.idleTimeoutMs, 1800 * SEC);
    const theme = (m: ExpiryModel) => m.credentials.find((c) => c.label === 'theme');
    assert.equal(theme(after), theme(before), 'the other credential keeps its object');
    assert.equal(incremental.model(traffic.at), after, 'nothing changed: the same model');
  });

  it('a corrected skew that moves rebuilds the credentials read with it; an uncorrected host\'s samples rebuild nothing', () => {
    const traffic = new Traffic(100, 100);
    const incremental = new IncrementalExpiryModel();
    traffic.store.onDidChange((e) => incremental.apply(e));
    traffic.finish(traffic.begin({ host: 2, gap: 1, path: '/', sent: [], set: [['sid', IDS[0], 'fixed-expires']] }));
    traffic.finish(traffic.begin({ host: 0, gap: 1, path: '/', sent: [], set: [['theme', 'dark', 'fixed-expires']] }));
    traffic.store.flush();
    incremental.model(traffic.at);
    traffic.finish(traffic.begin({ host: 0, gap: 1, path: '/', sent: [], set: [] }));
    traffic.store.flush();
    assert.equal(incremental.pending, 0, 'only the host\'s skew is estimated again');
    const m = incremental.model(traffic.at);
    assert.equal(m.credentials.find((c) => c.label === 'sid')!.skewMs >= 298 * SEC, true);
    traffic.finish(traffic.begin({ host: 2, gap: 1, path: '/', sent: [], set: [] }));
    traffic.store.flush();
    const next = incremental.model(traffic.at);
    // The note counts the Date headers: the skewed host's cookie is built again with two.
    assert.match(next.credentials.find((c) => c.label === 'sid')!.notes.join(' '), /from 2 Date headers/);
    assert.equal(next.credentials.find((c) => c.label === 'theme'), m.credentials.find((c) => c.label === 'theme'));
  });

  it('a Set-Cookie received before those already read (a deletion in the middle) reads the cookie\'s headers again; new ones at the end are read alone', () => {
    const traffic = new Traffic(100, 100);
    const incremental = new IncrementalExpiryModel();
    traffic.store.onDidChange((e) => incremental.apply(e));
    const rolling = (gap: number): Request => ({ host: 0, gap, path: '/', sent: [], set: [['sid', IDS[0], 'rolling-max-age']] });
    traffic.finish(traffic.begin(rolling(0)));
    const deleting = traffic.begin({ host: 0, gap: 30, path: '/logout', sent: [], set: [['sid', IDS[0], 'delete']] });
    traffic.finish(traffic.begin(rolling(30)));
    traffic.store.flush();
    const sid = (m: ExpiryModel) => m.credentials.find((c) => c.label === 'sid')!;
    assert.equal(sid(incremental.model(traffic.at)).kind, 'idle');
    // The logout's response is stamped right after its request: between the two already read.
    traffic.finish(deleting, true);
    traffic.store.flush();
    const after = incremental.model(traffic.at);
    assert.deepEqual(comparable(after), comparable(buildExpiryModel(traffic.store, { clock: () => traffic.at })));
    assert.equal(sid(after).kind, 'absolute', 'only the issuance after the deletion counts');
    traffic.finish(traffic.begin(rolling(30)));
    traffic.store.flush();
    assert.equal(sid(incremental.model(traffic.at)).kind, 'idle');
    assert.deepEqual(comparable(incremental.model(traffic.at)), comparable(buildExpiryModel(traffic.store, { clock: () => traffic.at })));
  });
});
