import { strict as assert } from 'node:assert';
import { SessionStore, type CookieRecord, type SessionChangeEvent } from '../../../src/core/capture';
import { findBrowser, startBrowserCapture } from '../../../src/core/browser';
import { CookieJarReader } from '../../../src/core/browser/cookieJarReader';
import { startDebuggableBrowser } from '../../support/debuggableBrowser';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

/** Resolves with the first cookie record (after any change of the store) that `predicate` accepts. */
function cookieWhen(store: SessionStore, predicate: (c: CookieRecord) => boolean): Promise<CookieRecord> {
  return new Promise((resolve) => {
    const found = store.getCookies().find(predicate);
    if (found) return resolve(found);
    const sub = store.onDidChange(() => {
      const hit = store.getCookies().find(predicate);
      if (hit) {
        sub.dispose();
        resolve(hit);
      }
    });
  });
}

const jarCookie = { domain: 'localhost', path: '/', secure: false, httpOnly: false };

describe('The browser\'s own cookie jar in the session model', () => {
  it('creates what only the jar shows, follows a value a script changed, and deletes what the jar dropped', () => {
    let now = 1_000_000;
    const store = new SessionStore({ throttleMs: 0, now: () => now });
    const events: SessionChangeEvent[] = [];
    store.onDidChange((e) => events.push(e));
    const id = store.beginExchange({ source: 'browser', method: 'GET', url: 'http://localhost:3000/', headers: [], startedAt: now });
    store.addResponse(id, { status: 200, headers: [{ name: 'Set-Cookie', value: 'sid=abc; Path=/; HttpOnly' }], receivedAt: now });
    store.finishExchange(id, { state: 'complete' });
    now += 5000;
    store.syncBrowserCookies([
      { ...jarCookie, name: 'sid', value: 'abc', httpOnly: true },
      { ...jarCookie, name: 'ui_theme', value: 'dark', sameSite: 'Lax', expires: now + 60_000 },
      { ...jarCookie, domain: '.example.com', name: 'elsewhere', value: 'x' },
    ], ['http://localhost:3000'], now);
    store.flush();
    const theme = store.getCookies().find((c) => c.name === 'ui_theme')!;
    assert.equal(theme.origin, 'browser-jar');
    assert.equal(theme.inBrowserJar, true);
    assert.equal(theme.sameSite, 'Lax');
    assert.equal(theme.expiresAt, now + 60_000);
    const sid = store.getCookies().find((c) => c.name === 'sid')!;
    assert.equal(sid.origin, 'set-by-response', 'a cookie a Set-Cookie line showed keeps its origin');
    assert.equal(sid.setCookie, 'sid=abc; Path=/; HttpOnly');
    assert.equal(sid.inBrowserJar, true);
    assert.ok(!store.getCookies().some((c) => c.name === 'elsewhere'), 'cookies of other sites are not taken in');
    const created = store.getCookieHistory().filter((e) => e.kind === 'created' && e.via === 'browser-jar').map((e) => e.name);
    assert.deepEqual(created, ['ui_theme']);
    assert.equal(store.getCookieHistory().find((e) => e.via === 'browser-jar')?.exchangeId, undefined, 'no exchange is credited with what the jar showed');

    now += 5000;
    store.syncBrowserCookies([{ ...jarCookie, name: 'ui_theme', value: 'light', sameSite: 'Lax' }], ['http://localhost:3000'], now);
    store.flush();
    assert.equal(store.getCookies().find((c) => c.name === 'ui_theme')?.value, 'light');
    assert.ok(!store.getCookies().some((c) => c.name === 'sid'), 'a cookie the jar no longer holds is gone');
    const last = store.getCookieHistory().slice(-2).map((e) => `${e.kind} ${e.name} ${e.via}`).sort();
    assert.deepEqual(last, ['deleted sid browser-jar', 'value-changed ui_theme browser-jar']);
    assert.ok(events.some((e) => e.cookieEvents.some((c) => c.name === 'ui_theme' && c.kind === 'value-changed')), 'the change feed says what changed');
  });

  it('a cookie only seen sent takes its origin and attributes from the jar (a page script set it)', () => {
    const store = new SessionStore({ throttleMs: 0 });
    const t = Date.now();
    const id = store.beginExchange({ source: 'browser', method: 'GET', url: 'http://localhost:3000/favicon.ico', headers: [{ name: 'Cookie', value: 'ui_theme=dark' }], startedAt: t - 5000 });
    store.addResponse(id, { status: 404, headers: [], receivedAt: t - 5000 });
    store.finishExchange(id, { state: 'complete' });
    store.flush();
    assert.equal(store.getCookies().find((c) => c.name === 'ui_theme')?.origin, 'seen-in-request');
    store.syncBrowserCookies([{ ...jarCookie, name: 'ui_theme', value: 'dark', sameSite: 'Lax' }], ['http://localhost:3000'], t);
    store.flush();
    const theme = store.getCookies().find((c) => c.name === 'ui_theme')!;
    assert.deepEqual([theme.origin, theme.sameSite, theme.inBrowserJar, theme.value], ['browser-jar', 'Lax', true, 'dark']);
    // Its state is the jar's now: the panel's source badge says so, whichever came first, the request or the read.
    assert.equal(theme.capturedBy, 'browser-jar');
    store.dispose();
  });

  it('leaves the cookies of another source (a proxy capture in the same session) alone', () => {
    let now = 1_000_000;
    const store = new SessionStore({ throttleMs: 0, now: () => now });
    const id = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/', headers: [], startedAt: now });
    store.addResponse(id, { status: 200, headers: [{ name: 'Set-Cookie', value: 'sid=proxied; Path=/' }], receivedAt: now });
    store.finishExchange(id, { state: 'complete' });
    now += 5000;
    store.syncBrowserCookies([], ['http://localhost:3000'], now);
    assert.equal(store.getCookies().find((c) => c.name === 'sid')?.value, 'proxied');
  });

  it('leaves alone what the traffic set just before the read began (the read may have raced it)', () => {
    let now = 1_000_000;
    const store = new SessionStore({ throttleMs: 0, now: () => now });
    const id = store.beginExchange({ source: 'browser', method: 'GET', url: 'http://localhost:3000/', headers: [], startedAt: now });
    store.addResponse(id, { status: 200, headers: [{ name: 'Set-Cookie', value: 'sid=new; Path=/' }], receivedAt: now });
    store.finishExchange(id, { state: 'complete' });
    now += 100;
    store.syncBrowserCookies([], ['http://localhost:3000'], now);
    assert.equal(store.getCookies().find((c) => c.name === 'sid')?.value, 'new');
    store.syncBrowserCookies([{ ...jarCookie, name: 'sid', value: 'old' }], ['http://localhost:3000'], now);
    assert.equal(store.getCookies().find((c) => c.name === 'sid')?.value, 'new');
  });

  it('puts a read off while a response is awaited (its Set-Cookie may not have reached the store), for at most ten seconds in a row, never the last', async () => {
    const store = new SessionStore({ throttleMs: 0 });
    let awaiting = true;
    let reads = 0;
    const send = async (): Promise<unknown> => {
      reads++;
      return { cookies: [{ name: 'token', value: 't1', domain: 'localhost', path: '/', expires: -1, size: 7, httpOnly: true, secure: false, session: true, priority: 'Medium', sameParty: false, sourceScheme: 'NonSecure', sourcePort: 3000 }] };
    };
    const reader = new CookieJarReader(send as never, store, ['http://localhost:3000'], undefined, () => awaiting);
    const has = (): boolean => store.getCookies().some((c) => c.name === 'token');
    await reader.refresh();
    store.flush();
    assert.equal(has(), false, 'the jar was read while a response was awaited: not applied');
    // The response's Set-Cookie reaches the store: the next read confirms it rather than crediting the jar.
    const id = store.beginExchange({ source: 'browser', method: 'POST', url: 'http://localhost:3000/login', headers: [], startedAt: Date.now() });
    store.addResponse(id, { status: 302, headers: [{ name: 'Set-Cookie', value: 'token=t1; Path=/; HttpOnly' }], receivedAt: Date.now() });
    store.finishExchange(id, { state: 'complete' });
    awaiting = false;
    await reader.refresh();
    store.flush();
    const token = store.getCookies().find((c) => c.name === 'token')!;
    assert.equal(token.origin, 'set-by-response', 'the cookie is credited to the response that set it');
    assert.equal(token.inBrowserJar, true);
    assert.equal(reads, 2);

    // A page that always awaits a response (a long poll) still gets its jar applied, once reads
    // have been put off for ten seconds (however many were asked for meanwhile).
    const other = new SessionStore({ throttleMs: 0 });
    let clock = 1_000_000;
    const always = new CookieJarReader(send as never, other, ['http://localhost:3000'], undefined, () => true, () => clock);
    for (let i = 0; i < 20; i++) {
      await always.refresh();
      clock += 400;
    }
    other.flush();
    assert.equal(other.getCookies().some((c) => c.name === 'token'), false, 'twenty reads within eight seconds are all put off');
    clock += 2_000;
    await always.refresh();
    other.flush();
    assert.equal(other.getCookies().find((c) => c.name === 'token')?.origin, 'browser-jar');
    // And the read at the end of a capture is applied at once.
    const last = new SessionStore({ throttleMs: 0 });
    const final = new CookieJarReader(send as never, last, ['http://localhost:3000'], undefined, () => true);
    await final.refresh({ final: true });
    last.flush();
    assert.equal(last.getCookies().some((c) => c.name === 'token'), true);
  });
});

describe('CookieJarReader: a request announced only after the jar was read', () => {
  it('waits for the pages to catch up after the read: a request whose event arrives during the round trip puts the read off, so its cookie is not credited to an earlier request', async () => {
    const store = new SessionStore({ throttleMs: 0 });
    const favicon = store.beginExchange({ source: 'browser', method: 'GET', url: 'http://localhost:3000/favicon.ico', headers: [], startedAt: Date.now() });
    store.addResponse(favicon, { status: 404, headers: [], receivedAt: Date.now() });
    store.finishExchange(favicon, { state: 'complete' });
    let awaiting = false;
    const send = async (): Promise<unknown> => ({ cookies: [{ name: 'token', value: 't1', domain: 'localhost', path: '/', expires: -1, size: 7, httpOnly: true, secure: false, session: true, priority: 'Medium', sameParty: false, sourceScheme: 'NonSecure', sourcePort: 3000 }] });
    // The browser process answered the jar with the login's cookie; the page's requestWillBeSent
    // for POST /login arrives before the page answers the round trip.
    let caughtUp = 0;
    const catchUp = async (): Promise<void> => {
      caughtUp++;
      awaiting = true;
    };
    const reader = new CookieJarReader(send as never, store, ['http://localhost:3000'], undefined, () => awaiting, Date.now, catchUp);
    await reader.refresh();
    store.flush();
    assert.equal(caughtUp, 1, 'the read waited for the pages after reading the jar');
    assert.equal(store.getCookies().some((c) => c.name === 'token'), false, 'not credited to GET /favicon.ico');
    // The login's response reaches the store; the next read confirms its cookie.
    const login = store.beginExchange({ source: 'browser', method: 'POST', url: 'http://localhost:3000/login', headers: [], startedAt: Date.now() });
    store.addResponse(login, { status: 200, headers: [{ name: 'Set-Cookie', value: 'token=t1; Path=/; HttpOnly' }], receivedAt: Date.now() });
    store.finishExchange(login, { state: 'complete' });
    awaiting = false;
    const calm = new CookieJarReader(send as never, store, ['http://localhost:3000'], undefined, () => awaiting, Date.now, async () => undefined);
    await calm.refresh();
    store.flush();
    const token = store.getCookies().find((c) => c.name === 'token')!;
    assert.equal(token.origin, 'set-by-response');
    const created = store.getCookieHistory().find((e) => e.name === 'token' && e.kind === 'created');
    assert.equal(created?.exchangeId, login, 'created by POST /login');
  });

  it('a page that never answers the round trip delays a read by a bounded time only', async () => {
    const store = new SessionStore({ throttleMs: 0 });
    const send = async (): Promise<unknown> => ({ cookies: [] });
    const reader = new CookieJarReader(send as never, store, ['http://localhost:3000'], undefined, () => false, Date.now, () => new Promise<void>(() => undefined));
    await reader.refresh();
  });
});

describe('Browser capture reads the browser\'s own cookie jar (Debian chromium)', function () {
  this.timeout(90_000);
  let app: { url: string; close(): Promise<void> };

  before(function () {
    if (!findBrowser()) this.skip();
  });
  beforeEach(async () => { app = await sampleApp.start(0); });
  afterEach(async () => { await app.close(); });

  it('a cookie set by document.cookie, which no Set-Cookie line shows, appears marked as from the browser\'s jar', async () => {
    const browser = await startDebuggableBrowser(findBrowser()!);
    const store = new SessionStore({ throttleMs: 0 });
    try {
      const capture = await startBrowserCapture({ endpoint: `http://127.0.0.1:${browser.port}`, origins: [app.url], store });
      try {
        await capture.openPage(`${app.url}/spa`);
        // The page's script writes it after its last request to the app: only a read of the jar can show it.
        // A request may carry it before the jar is read (then it is first seen in that request): the
        // jar read gives its origin and the attributes no Cookie header tells.
        const theme = await cookieWhen(store, (c) => c.name === 'ui_theme' && c.inBrowserJar === true);
        assert.equal(theme.origin, 'browser-jar');
        assert.equal(theme.value, 'dark');
        assert.equal(theme.sameSite, 'Lax');
        assert.equal(theme.setCookie, undefined);
        const created = store.getCookieHistory().find((e) => e.name === 'ui_theme' && e.kind === 'created');
        assert.ok(created?.via === 'browser-jar' || created?.exchangeId !== undefined, 'created by the jar read, or first seen in a request the page sent');
        // The cookies the server set are confirmed by the jar; the one Chrome refused is not in it.
        const sid = await cookieWhen(store, (c) => c.name === 'connect.sid' && c.inBrowserJar === true);
        assert.equal(sid.origin, 'set-by-response');
        assert.ok(!store.getCookies().some((c) => c.name === 'tracker'), 'the blocked cookie is not in the jar');
      } finally {
        await capture.close();
      }
    } finally {
      store.dispose();
      await browser.close();
    }
  });
});
