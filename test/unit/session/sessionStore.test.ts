import { strict as assert } from 'node:assert';
import * as zlib from 'node:zlib';
import type { Finding } from '../../../src/core/findings';
import { type SessionChangeEvent, SessionStore } from '../../../src/core/session';
import { decodeBody } from '../../../src/core/session/bodyPreview';
import { RingBuffer } from '../../../src/core/session/ringBuffer';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Feeds one exchange through the store the way the proxy does. */
function exchange(
  store: SessionStore,
  o: { method?: string; url?: string; reqHeaders?: [string, string][]; setCookies?: string[]; resHeaders?: [string, string][]; at?: number; status?: number; body?: string; reqBody?: string },
): number {
  const at = o.at ?? T0;
  const id = store.beginExchange({ source: 'proxy', method: o.method ?? 'GET', url: o.url ?? 'http://localhost:3000/', headers: (o.reqHeaders ?? []).map(([name, value]) => ({ name, value })), startedAt: at });
  if (o.reqBody !== undefined) store.addRequestBody(id, { bytes: Buffer.from(o.reqBody), wireBytes: Buffer.byteLength(o.reqBody), truncated: false });
  const headers = [...(o.setCookies ?? []).map((value) => ({ name: 'Set-Cookie', value })), ...(o.resHeaders ?? []).map(([name, value]) => ({ name, value }))];
  store.addResponse(id, { status: o.status ?? 200, headers, receivedAt: at + 5 });
  store.finishExchange(id, { state: 'complete', endedAt: at + 6, ...(o.body !== undefined ? { responseBody: { bytes: Buffer.from(o.body), wireBytes: Buffer.byteLength(o.body), truncated: false } } : {}) });
  return id;
}

describe('session store', () => {
  describe('cookie jar (tough-cookie semantics)', () => {
    it('applies Set-Cookie with the request URL: default path, host-only vs domain', () => {
      const s = new SessionStore();
      exchange(s, { url: 'http://app.localhost:3000/account/login', setCookies: ['a=1', 'b=2; Domain=app.localhost; Path=/', 'c=3; Path=/api'] });
      const byName = Object.fromEntries(s.getCookies().map((c) => [c.name, c]));
      assert.equal(byName.a.path, '/account');
      assert.equal(byName.a.hostOnly, true);
      assert.equal(byName.a.domain, 'app.localhost');
      assert.equal(byName.b.hostOnly, false);
      assert.equal(byName.c.path, '/api');
      assert.equal(byName.a.key, 'app.localhost;/account;a');
    });

    it('lets Max-Age win over Expires, counted from the receipt time, and keeps both as received', () => {
      const s = new SessionStore();
      exchange(s, { setCookies: ['sid=x; Max-Age=60; Expires=Wed, 21 Oct 2099 07:28:00 GMT'], resHeaders: [['Date', 'Thu, 01 Jan 2026 11:59:00 GMT']] });
      const c = s.getCookies()[0];
      assert.equal(c.receivedAt, T0 + 5);
      assert.equal(c.expiresAt, T0 + 5 + 60_000);
      assert.equal(c.maxAge, 60);
      assert.equal(c.expires, Date.UTC(2099, 9, 21, 7, 28));
      assert.equal(c.expiresRaw, 'Wed, 21 Oct 2099 07:28:00 GMT');
      assert.equal(c.serverDate, Date.UTC(2026, 0, 1, 11, 59));
    });

    it('keeps every attribute: Secure, HttpOnly, SameSite (also invalid), Partitioned, Priority, size', () => {
      const s = new SessionStore();
      exchange(s, { setCookies: ['p=v; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High', 'q=w; SameSite=Bogus'] });
      const [p, q] = s.getCookies();
      assert.deepEqual([p.secure, p.httpOnly, p.sameSite, p.partitioned, p.priority, p.size], [true, true, 'Strict', true, 'High', 2]);
      assert.equal(q.sameSite, undefined);
      assert.equal(q.sameSiteRaw, 'Bogus');
      assert.equal(p.setCookie, 'p=v; Secure; HttpOnly; SameSite=Strict; Partitioned; Priority=High');
      assert.equal(p.origin, 'set-by-response');
    });

    it('records history: created, value-changed, attributes-changed, deleted, and unchanged refreshes are quiet', () => {
      const s = new SessionStore();
      const e1 = exchange(s, { setCookies: ['sid=one; Path=/'] });
      exchange(s, { setCookies: ['sid=one; Path=/'], at: T0 + 1000 });
      const e3 = exchange(s, { setCookies: ['sid=two; Path=/'], at: T0 + 2000 });
      exchange(s, { setCookies: ['sid=two; Path=/; HttpOnly'], at: T0 + 3000 });
      const e5 = exchange(s, { setCookies: ['sid=; Path=/; Max-Age=0'], at: T0 + 4000 });
      const h = s.getCookieHistory('localhost;/;sid');
      assert.deepEqual(h.map((e) => e.kind), ['created', 'value-changed', 'attributes-changed', 'deleted']);
      assert.equal(h[0].exchangeId, e1);
      assert.deepEqual([h[1].oldValue, h[1].newValue, h[1].exchangeId], ['one', 'two', e3]);
      assert.deepEqual(h[2].changedAttributes, ['httpOnly']);
      assert.deepEqual([h[3].exchangeId, h[3].oldValue, h[3].via], [e5, 'two', 'set-cookie']);
      assert.equal(s.getCookies().length, 0);
      assert.deepEqual(s.getExchange(e5)?.cookiesSet.map((c) => c.outcome), ['deleted']);
    });

    it('keeps a rolling expiry quiet but reports a switch to a persistent cookie', () => {
      const s = new SessionStore();
      exchange(s, { setCookies: ['sid=a; Path=/; Expires=Thu, 01 Jan 2026 12:30:00 GMT'] });
      exchange(s, { setCookies: ['sid=a; Path=/; Expires=Thu, 01 Jan 2026 12:31:00 GMT'], at: T0 + 60_000 });
      assert.equal(s.getCookies()[0].expiresAt, Date.UTC(2026, 0, 1, 12, 31));
      exchange(s, { setCookies: ['sid=a; Path=/'], at: T0 + 120_000 });
      const h = s.getCookieHistory();
      assert.deepEqual(h.map((e) => [e.kind, e.changedAttributes]), [['created', undefined], ['attributes-changed', ['expires']]]);
    });

    it('deletes with an Expires in the past', () => {
      const s = new SessionStore();
      exchange(s, { setCookies: ['a=1'] });
      exchange(s, { setCookies: ['a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], at: T0 + 10 });
      assert.equal(s.getCookies().length, 0);
      assert.equal(s.getCookieHistory().at(-1)?.kind, 'deleted');
    });

    it('expires cookies when their time comes, once', () => {
      const s = new SessionStore();
      exchange(s, { setCookies: ['short=1; Max-Age=10'] });
      exchange(s, { at: T0 + 5_000 });
      assert.equal(s.getCookies().length, 1);
      const later = exchange(s, { at: T0 + 20_000 });
      exchange(s, { at: T0 + 30_000 });
      s.sweepExpired(T0 + 40_000);
      const expired = s.getCookieHistory().filter((e) => e.kind === 'expired');
      assert.equal(expired.length, 1);
      assert.equal(expired[0].time, T0 + 5 + 10_000);
      assert.equal(expired[0].exchangeId, later);
      assert.equal(s.getCookies().length, 0);
    });

    it('rejects what browsers reject and says why', () => {
      const s = new SessionStore();
      const id = exchange(s, { url: 'http://localhost:3000/', setCookies: ['__Host-a=1; Path=/', 'b=1; Domain=example.com', '=', 'c=\u0001x'] });
      const set = s.getExchange(id)!.cookiesSet;
      assert.deepEqual(set.map((c) => c.outcome), ['rejected', 'rejected', 'rejected', 'rejected']);
      assert.match(set[0].rejectReason!, /__Host/);
      assert.match(set[1].rejectReason!, /domain/i);
      assert.equal(s.getCookies().length, 0);
    });

    it('records cookies set before the capture as seen-in-request, and script changes as value-changed', () => {
      const s = new SessionStore();
      exchange(s, { reqHeaders: [['Cookie', 'legacy=old; theme=dark']] });
      const legacy = s.getCookies().find((c) => c.name === 'legacy')!;
      assert.equal(legacy.origin, 'seen-in-request');
      assert.equal(legacy.setCookie, undefined);
      exchange(s, { reqHeaders: [['Cookie', 'legacy=new; theme=dark']], at: T0 + 100 });
      const h = s.getCookieHistory('localhost;/;legacy');
      assert.deepEqual(h.map((e) => [e.kind, e.via]), [['created', 'request-cookie'], ['value-changed', 'request-cookie']]);
      assert.equal(s.getCookies().find((c) => c.name === 'legacy')?.value, 'new');
      exchange(s, { setCookies: ['theme=light; Path=/'], at: T0 + 200 });
      const theme = s.getCookies().find((c) => c.name === 'theme')!;
      assert.equal(theme.origin, 'set-by-response');
      assert.deepEqual(s.getCookieHistory('localhost;/;theme').map((e) => e.kind), ['created', 'value-changed']);
    });
  });

  describe('tokens', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjoxNzk5OTk5OTk5fQ.c2lnbmF0dXJl';

    it('finds Bearer (JWT with exp), Basic (flagged), custom headers and extra configured headers', () => {
      const s = new SessionStore({ tokenHeaders: ['X-My-Session'] });
      exchange(s, { reqHeaders: [['Authorization', `Bearer ${jwt}`], ['X-CSRF-Token', 'csrf-value-1'], ['X-My-Session', 'mine-1']] });
      exchange(s, { reqHeaders: [['Authorization', 'Basic dXNlcjpwYXNz']] });
      const t = s.getTokens();
      const bearer = t.find((x) => x.kind === 'bearer')!;
      assert.deepEqual([bearer.isJwt, bearer.expiresAt, bearer.expiresAtSource], [true, 1799999999000, 'jwt-exp']);
      assert.deepEqual(t.find((x) => x.kind === 'basic')?.flags, ['basic-credentials']);
      assert.deepEqual(t.filter((x) => x.kind === 'custom-header').map((x) => x.name), ['X-CSRF-Token', 'X-My-Session']);
    });

    it('turns expires_in into an absolute expiry from the receipt time; reads form-encoded token responses', () => {
      const s = new SessionStore();
      exchange(s, { body: JSON.stringify({ access_token: 'opaque-a', expires_in: 300, refresh_token: 'opaque-r', refresh_expires_in: 1800, id_token: jwt, token_type: 'Bearer', scope: 'openid' }), resHeaders: [['Content-Type', 'application/json']] });
      exchange(s, { body: 'access_token=gho_formtoken&token_type=bearer&scope=repo', resHeaders: [['Content-Type', 'application/x-www-form-urlencoded']] });
      const t = s.getTokens();
      const access = t.find((x) => x.value === 'opaque-a')!;
      assert.deepEqual([access.kind, access.expiresAt, access.tokenType, access.scope], ['oauth-access', T0 + 5 + 300_000, 'Bearer', 'openid']);
      assert.equal(t.find((x) => x.kind === 'oauth-refresh')?.expiresAt, T0 + 5 + 1_800_000);
      assert.equal(t.find((x) => x.kind === 'oauth-id')?.isJwt, true);
      assert.equal(t.find((x) => x.value === 'gho_formtoken')?.kind, 'oauth-access');
    });

    it('finds tokens in URLs (flagged), JWTs in bodies, headers and cookies; ignores a lone base64url string', () => {
      const s = new SessionStore();
      exchange(s, { url: `http://localhost:3000/cb;jsessionid=ABC123?code=auth-code-1&state=xyz&t=${jwt}` });
      exchange(s, { body: `<script>window.token = "${jwt}";</script>`, resHeaders: [['Content-Type', 'text/html']] });
      exchange(s, { setCookies: [`jwt=${jwt}`], resHeaders: [['X-Refreshed', jwt]] });
      exchange(s, { url: 'http://localhost:3000/?verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' });
      const t = s.getTokens();
      const summary = t.map((x) => `${x.kind}:${x.source}:${x.name}`);
      assert.deepEqual(summary, [
        'url-query:url-query:jsessionid',
        'url-query:url-query:code',
        'jwt-in-url:url-query:t',
        'jwt-in-body:response-body:',
        'jwt-in-header:response-header:X-Refreshed',
        'jwt-in-cookie:set-cookie:jwt',
      ]);
      assert.ok(t.filter((x) => x.source === 'url-query').every((x) => x.flags.includes('token-in-url')));
    });

    it('deduplicates a token seen again and counts it', () => {
      const s = new SessionStore();
      const a = exchange(s, { reqHeaders: [['Authorization', 'Bearer same-token']] });
      const b = exchange(s, { reqHeaders: [['Authorization', 'Bearer same-token']], at: T0 + 1000 });
      const [t] = s.getTokens();
      assert.deepEqual([t.count, t.exchangeId, t.lastExchangeId, t.firstSeen, t.lastSeen], [2, a, b, T0, T0 + 1000]);
      assert.deepEqual(s.getExchange(b)?.tokenIds, [t.id]);
    });
  });

  describe('exchanges', () => {
    it('keeps request hints for login and logout detection, without field values', () => {
      const s = new SessionStore();
      const login = exchange(s, { method: 'POST', url: 'http://localhost/auth/sign-in', reqHeaders: [['Content-Type', 'application/json']], reqBody: '{"email":"a@b.c","pass":"x"}' });
      const logout = exchange(s, { method: 'POST', url: 'http://localhost/api/logout' });
      const del = exchange(s, { method: 'DELETE', url: 'http://localhost/api/session' });
      const plain = exchange(s, { method: 'GET', url: 'http://localhost/products' });
      assert.deepEqual(s.getExchange(login)?.hints, { loginLike: true, logoutLike: false, hasPasswordField: true, formFieldNames: ['email', 'pass'] });
      assert.equal(s.getExchange(logout)?.hints.logoutLike, true);
      assert.equal(s.getExchange(del)?.hints.logoutLike, true);
      assert.deepEqual([s.getExchange(plain)?.hints.loginLike, s.getExchange(plain)?.hints.logoutLike], [false, false]);
    });

    it('is a ring buffer: old exchanges are evicted, ids stay unique across clear()', () => {
      const s = new SessionStore({ capacity: 3 });
      const ids = Array.from({ length: 5 }, (_, i) => exchange(s, { at: T0 + i }));
      const snap = s.snapshot();
      assert.deepEqual(snap.exchanges.map((e) => e.id), ids.slice(2));
      assert.equal(snap.evictedExchanges, 2);
      assert.equal(s.getExchange(ids[0]), undefined);
      s.clear();
      assert.equal(s.snapshot().exchanges.length, 0);
      assert.ok(exchange(s, {}) > ids[4]);
    });

    it('never mutates objects handed out in a snapshot', () => {
      const s = new SessionStore();
      const id = s.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost/', headers: [] });
      const before = s.snapshot().exchanges[0];
      s.addResponse(id, { status: 200, headers: [] });
      s.finishExchange(id, { state: 'complete' });
      assert.equal(before.state, 'pending');
      assert.equal(before.status, undefined);
      assert.equal(s.getExchange(id)?.state, 'complete');
    });

    it('never mutates objects of earlier snapshots, also copies made between two snapshots', () => {
      const s = new SessionStore();
      const id = s.beginExchange({ source: 'proxy', method: 'POST', url: 'http://localhost/login', headers: [] });
      const first = s.snapshot().exchanges[0];
      s.addResponse(id, { status: 302, headers: [{ name: 'Set-Cookie', value: 'sid=a' }] });
      const copy = s.getExchange(id);
      const second = s.snapshot().exchanges[0];
      s.addRequestBody(id, { bytes: Buffer.from('user=x'), wireBytes: 6, truncated: false });
      s.finishExchange(id, { state: 'complete' });
      const third = s.snapshot().exchanges[0];
      // A later exchange, begun after the snapshots, is changed in place until the next one.
      const later = s.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost/', headers: [] });
      const fourth = s.snapshot();
      s.finishExchange(later, { state: 'complete' });
      assert.equal(first.state, 'pending');
      assert.equal(first.status, undefined);
      assert.equal(copy?.status, 302);
      assert.equal(copy?.requestBody, undefined);
      assert.equal(second.state, 'pending');
      assert.equal(second.requestBody, undefined);
      assert.equal(third.state, 'complete');
      assert.equal(fourth.exchanges[1]?.state, 'pending');
      assert.equal(s.getExchange(later)?.state, 'complete');
      assert.notEqual(first, second);
      assert.notEqual(second, third);
    });

    it('moves modelVersion with changes of the model, not with findings a reader publishes', () => {
      const s = new SessionStore({ throttleMs: 0 });
      const batches: string[][] = [];
      s.onDidChange((e) => batches.push(e.changes.map((c) => c.kind)));
      const id = s.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost/', headers: [] });
      s.flush();
      const model = s.modelVersion;
      assert.equal(model, s.version);
      const finding = { ruleId: 'cookie-missing-secure', severity: 'warning', subject: 'sid', message: 'm', docs: '', evidence: { exchangeId: id } } as Finding;
      s.publishFindings({ added: [finding], removed: [] });
      s.flush();
      assert.deepEqual(batches.at(-1), ['finding-added']);
      assert.ok(s.version > model, 'the feed moved on');
      assert.equal(s.modelVersion, model, 'the data did not');
      s.finishExchange(id, { state: 'complete' });
      assert.ok(s.modelVersion > model);
      assert.equal(s.modelVersion, s.version);
      s.dispose();
    });

    it('decodes gzip/br previews with a cap against decompression bombs', () => {
      const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x41));
      const out = decodeBody({ bytes: bomb, wireBytes: bomb.length, truncated: false }, [{ name: 'Content-Encoding', value: 'gzip' }, { name: 'Content-Type', value: 'text/plain' }], 64 * 1024, 1024);
      assert.ok(out.text !== undefined && out.text.length > 60 * 1024 && out.text.length <= 64 * 1024, `${out.text?.length}`);
      assert.equal(out.preview.truncated, true);
      assert.equal(out.preview.text?.length, 1024);
      const cut = zlib.brotliCompressSync(Buffer.from(JSON.stringify({ access_token: Array.from({ length: 2000 }, (_, i) => (i * 7919 % 65536).toString(36)).join('') })));
      const partial = decodeBody({ bytes: cut.subarray(0, cut.length - 3), wireBytes: cut.length, truncated: true }, [{ name: 'Content-Encoding', value: 'br' }], 1 << 20, 100);
      assert.ok(partial.text?.startsWith('{"access_token":"0'), partial.text?.slice(0, 40));
      const bad = decodeBody({ bytes: Buffer.from('not gzip'), wireBytes: 8, truncated: false }, [{ name: 'Content-Encoding', value: 'gzip' }], 1024, 1024);
      assert.ok(bad.preview.decodeError);
      const zstd = decodeBody({ bytes: Buffer.from('x'), wireBytes: 1, truncated: false }, [{ name: 'Content-Encoding', value: 'zstd' }], 1024, 1024);
      assert.match(zstd.preview.decodeError ?? '', /zstd/);
    });
  });

  describe('change events', () => {
    it('are throttled into one typed batch', async () => {
      const s = new SessionStore({ throttleMs: 20 });
      const events: SessionChangeEvent[] = [];
      const sub = s.onDidChange((e) => events.push(e));
      exchange(s, { setCookies: ['a=1'], reqHeaders: [['Authorization', 'Bearer tok-1']] });
      exchange(s, { setCookies: ['a=2'], at: T0 + 1 });
      assert.equal(events.length, 0);
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(events.length, 1);
      const [e] = events;
      assert.equal(e.exchangesAdded.length, 2);
      assert.deepEqual(e.cookieEvents.map((c) => c.kind), ['created', 'value-changed']);
      assert.equal(e.tokensAdded.length, 1);
      assert.equal(e.version, s.version);
      sub.dispose();
      exchange(s, { at: T0 + 2 });
      s.flush();
      assert.equal(events.length, 1);
    });

    it('report clear(), evictions and token updates; a throwing listener is isolated and logged once', () => {
      const errors: string[] = [];
      const s = new SessionStore({ capacity: 1, throttleMs: 1000, logger: { info() {}, warn() {}, error: (m) => { errors.push(m); } } });
      const events: SessionChangeEvent[] = [];
      s.onDidChange(() => { throw new Error('listener bug'); });
      s.onDidChange((e) => events.push(e));
      const a = exchange(s, { reqHeaders: [['Authorization', 'Bearer t']] });
      s.flush();
      exchange(s, { reqHeaders: [['Authorization', 'Bearer t']] });
      s.flush();
      assert.deepEqual(events[1].exchangesEvicted, [a]);
      assert.equal(events[1].tokensUpdated.length, 1);
      s.clear();
      s.flush();
      assert.equal(events[2].cleared, true);
      assert.equal(errors.length, 1);
      s.dispose();
    });
  });

  it('shares the Set-Cookie list of responses that repeat the previous one, frozen, and keeps different ones apart', () => {
    const s = new SessionStore();
    const set = ['sid=abc; Path=/; HttpOnly', 'pref=dark; Path=/; Max-Age=3600'];
    const a = exchange(s, { setCookies: set });
    const b = exchange(s, { setCookies: set, at: T0 + 1000 });
    const c = exchange(s, { setCookies: ['sid=abc; Path=/; HttpOnly'], at: T0 + 2000 });
    const [ea, eb, ec] = [a, b, c].map((id) => s.getExchange(id)!);
    assert.deepEqual(eb.cookiesSet.map((r) => [r.name, r.value, r.outcome]), [['sid', 'abc', 'stored'], ['pref', 'dark', 'stored']]);
    assert.ok(Object.isFrozen(eb.cookiesSet), 'a shared list cannot be changed through one exchange');
    assert.deepEqual(ec.cookiesSet.map((r) => r.name), ['sid']);
    assert.notEqual(ec.cookiesSet, eb.cookiesSet);
    // The first response went through the jar (new cookies: records of their own); the repeat shares.
    assert.deepEqual(ea.cookiesSet.map((r) => r.name), ['sid', 'pref']);
    const d = exchange(s, { setCookies: set, at: T0 + 3000 });
    const e = exchange(s, { setCookies: set, at: T0 + 4000 });
    assert.equal(s.getExchange(d)!.cookiesSet, s.getExchange(e)!.cookiesSet);
  });

  it('hands out plain data: a snapshot survives JSON unchanged', () => {
    const s = new SessionStore();
    exchange(s, { method: 'POST', url: 'http://localhost/login', reqHeaders: [['Cookie', 'old=1'], ['Content-Type', 'application/json']], reqBody: '{"user":"a","password":"b"}', setCookies: ['sid=x; Max-Age=60; SameSite=Strict', 'gone=; Max-Age=0'], body: '{"access_token":"t","expires_in":5}', resHeaders: [['Date', 'Thu, 01 Jan 2026 12:00:00 GMT'], ['Content-Type', 'application/json']] });
    const snap = s.snapshot();
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
  });

  it('tolerates nonsense numbers in its options', () => {
    const s = new SessionStore({ capacity: 0, throttleMs: -5, maxTokens: Number.NaN, analysisBytes: -1 });
    exchange(s, {});
    exchange(s, {});
    assert.equal(s.snapshot().exchanges.length, 1);
  });

  it('ring buffer basics', () => {
    const r = new RingBuffer<number>(2);
    assert.equal(r.push(1), undefined);
    r.push(2);
    assert.equal(r.push(3), 1);
    assert.deepEqual(r.toArray(), [2, 3]);
    assert.equal(r.at(0), 2);
    assert.throws(() => new RingBuffer(0), RangeError);
  });

  describe('what the ring buffer cannot hold', () => {
    it('tells finish listeners about every exchange, also one pushed out of the ring before it ended', () => {
      const s = new SessionStore({ capacity: 10 });
      const finished: { id: number; state: string; status?: number; tokens: number }[] = [];
      s.onDidFinishExchange((ex, tokens) => finished.push({ id: ex.id, state: ex.state, ...(ex.status !== undefined ? { status: ex.status } : {}), tokens: tokens.length }));
      const longPoll = s.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/poll', headers: [], startedAt: T0 });
      for (let i = 0; i < 25; i++) exchange(s, { url: `http://localhost:3000/n/${i}`, reqHeaders: [['Authorization', `Bearer made-up-token-${i}`]] });
      assert.equal(s.snapshot().evictedExchanges, 16);
      assert.deepEqual(s.unfinishedExchanges().map((e) => e.id), [longPoll], 'still known while unfinished');
      s.addResponse(longPoll, { status: 204, headers: [], receivedAt: T0 + 100 });
      s.finishExchange(longPoll, { state: 'complete', endedAt: T0 + 101 });
      assert.equal(finished.length, 26);
      assert.deepEqual(finished.at(-1), { id: longPoll, state: 'complete', status: 204, tokens: 0 });
      assert.ok(finished.slice(0, 25).every((f) => f.state === 'complete' && f.tokens === 1), 'each with its bearer token');
      assert.deepEqual(s.unfinishedExchanges(), []);
      assert.equal(s.getExchange(longPoll), undefined, 'gone once it ended');
    });
  });

  describe('cookie limits (as browsers keep them)', () => {
    it('keeps 180 cookies per domain, evicting the least recently set or sent, with the reason', () => {
      const s = new SessionStore({ maxHistoryEvents: 100_000 });
      exchange(s, { setCookies: ['keep=1; Path=/'] });
      for (let i = 0; i < 200; i++) {
        // The app's own cookie comes back with every request: recently used, never the one evicted.
        exchange(s, { at: T0 + i + 1, reqHeaders: [['Cookie', 'keep=1']], setCookies: [`c${i}=v; Path=/`] });
      }
      const names = s.getCookies().map((c) => c.name);
      assert.equal(names.length, 180);
      assert.ok(names.includes('keep'));
      const evicted = s.getCookieHistory().filter((e) => e.kind === 'evicted');
      assert.deepEqual(evicted.map((e) => e.name), Array.from({ length: 21 }, (_, i) => `c${i}`));
      assert.equal(evicted[0].reason, 'more than 180 cookies for localhost');
      assert.equal(evicted[0].via, 'limit');
      assert.equal(evicted[0].oldValue, 'v');
      // The jar forgot them too: an evicted cookie is new again when set again.
      exchange(s, { at: T0 + 1000, setCookies: ['c0=w; Path=/'] });
      assert.equal(s.getCookieHistory().at(-2)?.kind, 'created');
    });

    it('keeps 3300 cookies in all across domains', () => {
      const s = new SessionStore({ maxHistoryEvents: 100_000 });
      for (let d = 0; d < 20; d++) {
        const headers = Array.from({ length: 170 }, (_, i) => `d${d}c${i}=v; Path=/`);
        exchange(s, { url: `http://app${d}.localhost:3000/`, at: T0 + d, setCookies: headers });
      }
      assert.equal(s.getCookies().length, 3300);
      const evicted = s.getCookieHistory().filter((e) => e.kind === 'evicted');
      assert.equal(evicted.length, 20 * 170 - 3300);
      assert.ok(evicted.every((e) => e.domain === 'app0.localhost' && e.reason === 'more than 3300 cookies in all'), 'the oldest domain\'s cookies go first');
    });
  });
});
