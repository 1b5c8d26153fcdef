import { strict as assert } from 'node:assert';
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, compactVerify, decodeJwt, decodeProtectedHeader, importSPKI } from 'jose';
import WebSocket from 'ws';
import {
  type CaptureProxy, InFlightRuleError, InFlightRules, SessionStore, exportHar, importHar, parseRuleSpec, startCaptureProxy, tamperJwt, parseSigningKey,
} from '../../../src/core/capture';
import { JWT_SERVER_SECRET, startJwtServer } from '../../fixtures/servers/jwtServers';
import { hasPhp, startPhpServer } from '../../fixtures/servers/phpServer';
import { type RunningServer, patternBytes, sha256, startUpstream } from '../../fixtures/servers/upstream';
import { startWsEcho } from '../../fixtures/servers/wsEcho';
import { rawValues, request } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

const noFile = (): string => { throw new Error('no key files in this test'); };

/** A tiny browser that keeps cookies by name and honours deleting Set-Cookies. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly base: string, private readonly settle: () => Promise<void>) {}

  async send(path: string, options: { method?: string; body?: string; headers?: http.OutgoingHttpHeaders } = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await request(this.base + path, { ...options, headers: { ...options.headers, ...(cookie ? { cookie } : {}) } });
    for (const line of rawValues(res.rawHeaders, 'set-cookie')) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/max-age=0\b/i.test(line) || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    await this.settle();
    return res;
  }
}

/** Sends `head` (a complete request head, no body) on a raw socket and returns the raw response text once the server closes. */
async function rawExchange(port: number, head: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(head);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

/** The request head lines a JWT server received, from its rawHeaders echo, as `Name: value`. */
function receivedLines(body: Buffer): string[] {
  const { rawHeaders } = JSON.parse(body.toString()) as { rawHeaders: string[] };
  const lines: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return lines;
}

describe('in-flight rules', function () {
  this.timeout(30_000);

  describe('rule specs (CLI grammar)', () => {
    it('reads every action', () => {
      assert.deepEqual(parseRuleSpec('expire:cookie:sid', noFile), { kind: 'expire-now', cookie: 'sid' });
      assert.deepEqual(parseRuleSpec('shorten:cookie:sid', noFile), { kind: 'shorten-lifetime', cookie: 'sid', seconds: 60 });
      assert.deepEqual(parseRuleSpec('shorten:cookie:sid=5', noFile), { kind: 'shorten-lifetime', cookie: 'sid', seconds: 5 });
      assert.deepEqual(parseRuleSpec('drop:header:Authorization', noFile), { kind: 'drop', place: { in: 'header', name: 'Authorization' } });
      assert.deepEqual(parseRuleSpec('replace:cookie:sid=a=b c', noFile), { kind: 'replace', place: { in: 'cookie', name: 'sid' }, value: 'a=b c' });
      assert.deepEqual(parseRuleSpec('tamper:cookie:token=claims:{"role":"guest","x":null}', noFile), { kind: 'tamper-jwt', place: { in: 'cookie', name: 'token' }, mode: 'claims', claims: { role: 'guest', x: null } });
      assert.deepEqual(parseRuleSpec('tamper:header:Authorization=expired;key=secret:s;3=x', noFile), { kind: 'tamper-jwt', place: { in: 'header', name: 'Authorization' }, mode: 'expired', signingKey: 's;3=x' });
      assert.deepEqual(parseRuleSpec('tamper:cookie:t=resign;key=file:k.pem', (p) => `file ${p}`), { kind: 'tamper-jwt', place: { in: 'cookie', name: 't' }, mode: 'resign', signingKey: 'file k.pem' });
    });

    it('says what is wrong with a bad spec', () => {
      const bad: [string, RegExp][] = [
        ['nuke:cookie:sid', /unknown rule action 'nuke'/],
        ['drop:sid', /expected ACTION:cookie:NAME/],
        ['expire:header:Authorization', /expire applies to cookies/],
        ['shorten:cookie:sid=soon', /whole number of seconds/],
        ['shorten:cookie:sid=0', /from 1 to/],
        ['replace:cookie:sid', /replace needs a value/],
        ['replace:cookie:sid=a;b', /cannot contain control characters or ;/],
        ['replace:header:X-Token=a\r\nInjected: 1', /line breaks/],
        ['drop:header:Content-Length', /frames the request/],
        ['drop:cookie:bad name', /not a valid cookie name/],
        ['tamper:cookie:token', /needs a mode/],
        ['tamper:cookie:token=sideways', /unknown tamper mode 'sideways'/],
        ['tamper:cookie:token=claims:{nope', /claims are not JSON/],
        ['tamper:cookie:token=claims:[1]', /JSON object/],
        ['tamper:cookie:token=resign', /re-signing needs a key/],
        ['tamper:cookie:token=expired;key=pem:x', /secret:TEXT or file:PATH/],
        ['tamper:cookie:token=expired;key=file:/nope', /cannot read the key file \/nope/],
      ];
      for (const [spec, message] of bad) {
        assert.throws(() => parseRuleSpec(spec, noFile), (err: unknown) => err instanceof InFlightRuleError && message.test(err.message), spec);
      }
    });

    it('refuses public keys and encrypted PEMs for re-signing', () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      assert.throws(() => parseSigningKey(publicKey.export({ type: 'spki', format: 'pem' }) as string), /public key or certificate/);
      assert.throws(() => parseSigningKey(JSON.stringify(publicKey.export({ format: 'jwk' }))), /public key \(no "d"\)/);
      assert.throws(() => new InFlightRules().add({ kind: 'tamper-jwt', place: { in: 'cookie', name: 't' }, mode: 'resign', signingKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }), /not a usable private key/);
    });

    it('re-signs with an EC key and a JWK that jose verifies', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'));
      for (const key of [privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, JSON.stringify(privateKey.export({ format: 'jwk' }))]) {
        const tampered = tamperJwt(token, { mode: 'claims', claims: { role: 'admin' }, key: parseSigningKey(key) }, Date.now())!;
        assert.equal(decodeProtectedHeader(tampered).alg, 'ES256');
        const { payload } = await compactVerify(tampered, await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }) as string, 'ES256'));
        assert.deepEqual(JSON.parse(Buffer.from(payload).toString()), { sub: 'alice', role: 'admin' });
      }
      assert.equal(tamperJwt('not-a-jwt', { mode: 'expired' }, Date.now()), undefined);
    });
  });

  describe('against the sample app (Express, express-session, jose)', () => {
    let app: { url: string; close(): Promise<void> };
    let proxy: CaptureProxy;
    let store: SessionStore;
    before(async () => {
      app = await sampleApp.start(0);
      store = new SessionStore({ throttleMs: 0 });
      proxy = await startCaptureProxy({ target: app.url, store });
    });
    afterEach(() => proxy.rules.clear());
    after(async () => {
      await proxy.close();
      await app.close();
    });

    async function loggedIn(): Promise<Browser> {
      const browser = new Browser(proxy.url, () => proxy.recorded());
      await browser.send('/');
      const login = await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(login.status, 303);
      assert.equal((await browser.send('/profile')).status, 200);
      return browser;
    }

    it('Expire now: the next response deletes the session cookie in the browser, which is then logged out; the rule fires once', async () => {
      const browser = await loggedIn();
      const sid = store.getCookies().find((c) => c.name === 'connect.sid')!;
      const changes: number[] = [];
      const sub = proxy.rules.onDidChange((list) => changes.push(list.length));
      const rule = proxy.rules.add({ kind: 'expire-now', cookie: 'connect.sid' });
      assert.equal(rule.label, 'Expire cookie connect.sid now');
      const res = await browser.send('/');
      const setCookies = rawValues(res.rawHeaders, 'set-cookie');
      assert.deepEqual(setCookies.slice(-1), [`connect.sid=; Max-Age=0; Path=${sid.path}`]);
      assert.equal(browser.cookies.has('connect.sid'), false);
      assert.deepEqual(proxy.rules.list(), []);
      assert.deepEqual(changes, [1, 0]);
      sub.dispose();
      const profile = await browser.send('/profile');
      assert.equal(profile.status, 302);
      assert.equal(profile.headers.location, '/login');
      const ex = store.snapshot().exchanges.find((e) => e.modifications?.some((m) => m.kind === 'expire-now'))!;
      assert.equal(ex.path, '/');
      assert.match(ex.modifications![0].description, /^modified by Session Lens: expired cookie connect\.sid/);
      // The recorded headers are the server's; the jar mirror follows what the browser got.
      assert.equal(ex.responseHeaders!.some((h) => /^connect\.sid=;/.test(h.value)), false);
      assert.ok(store.getCookieHistory(sid.key).some((e) => e.kind === 'deleted' && e.exchangeId === ex.id));
    });

    it('Drop: requests reach the app without the cookie while the rule is on, and with it again once it is off', async () => {
      const browser = await loggedIn();
      const sid = browser.cookies.get('connect.sid')!;
      const rule = proxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'connect.sid' } });
      const dropped = await browser.send('/profile');
      assert.equal(dropped.status, 302);
      // express-session answered a request without a session with a new one; this browser goes back to its own.
      assert.notEqual(browser.cookies.get('connect.sid'), sid);
      browser.cookies.set('connect.sid', sid);
      await proxy.recorded();
      const ex = store.snapshot().exchanges.at(-1)!;
      assert.deepEqual(ex.modifications?.map((m) => [m.kind, m.description, m.ruleId]), [['drop', 'modified by Session Lens: dropped cookie connect.sid', rule.id]]);
      // What the browser sent is what is recorded.
      assert.ok(ex.cookiesSent.some((c) => c.name === 'connect.sid'));
      assert.equal(proxy.rules.list()[0].hits, 1);
      assert.equal(proxy.rules.remove(rule.id), true);
      assert.equal(proxy.rules.remove(rule.id), false);
      assert.equal((await browser.send('/profile')).status, 200);
      assert.equal(store.snapshot().exchanges.at(-1)!.modifications, undefined);
    });

    it('Replace: another session id is sent (an earlier value from the cookie\'s history, another browser\'s session)', async () => {
      const alice = await loggedIn();
      const stranger = new Browser(proxy.url, () => proxy.recorded());
      await stranger.send('/');
      assert.equal((await stranger.send('/profile')).status, 302);
      proxy.rules.add({ kind: 'replace', place: { in: 'cookie', name: 'connect.sid' }, value: alice.cookies.get('connect.sid')! });
      assert.equal((await stranger.send('/profile')).status, 200, 'the stranger rides on alice\'s session id');
      // The value stays out of what is listed.
      assert.equal((proxy.rules.list()[0] as { value: string }).value, '');
    });

    it('Tamper JWT in Authorization: the app\'s jose verifier rejects expired, alg none and edited claims; a re-signed token with the app\'s secret passes', async () => {
      const browser = new Browser(proxy.url, () => proxy.recorded());
      const tokenRes = await browser.send('/api/token', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
      const { access_token: access } = JSON.parse(tokenRes.body.toString()) as { access_token: string };
      const me = (): Promise<{ status: number; body: Buffer }> => browser.send('/api/me', { headers: { authorization: `Bearer ${access}` } });
      assert.equal((await me()).status, 200);
      for (const spec of [{ mode: 'expired' as const }, { mode: 'alg-none' as const }, { mode: 'claims' as const, claims: { role: 'root' } }]) {
        const rule = proxy.rules.add({ kind: 'tamper-jwt', place: { in: 'header', name: 'Authorization' }, ...spec });
        assert.equal((await me()).status, 401, spec.mode);
        await proxy.recorded();
        assert.match(store.snapshot().exchanges.at(-1)!.modifications![0].description, /sent the JWT in header Authorization/);
        proxy.rules.remove(rule.id);
      }
      proxy.rules.add({ kind: 'tamper-jwt', place: { in: 'header', name: 'Authorization' }, mode: 'claims', claims: { role: 'guest' }, signingKey: 'your-256-bit-secret' });
      const forged = await me();
      assert.equal(forged.status, 200);
      assert.equal((JSON.parse(forged.body.toString()) as { role: string }).role, 'guest');
    });

    it('Shorten lifetime: the browser gets an Expires 5 s ahead; the record keeps the server\'s 30 minutes', async () => {
      proxy.rules.add({ kind: 'shorten-lifetime', cookie: 'connect.sid', seconds: 5 });
      const browser = new Browser(proxy.url, () => proxy.recorded());
      const before = Date.now();
      const res = await browser.send('/');
      const line = rawValues(res.rawHeaders, 'set-cookie').find((l) => l.startsWith('connect.sid='))!;
      // express-session sends Expires only: it is rewritten, no Max-Age is added.
      assert.doesNotMatch(line, /Max-Age/i);
      const expires = Date.parse(/Expires=([^;]+)/.exec(line)![1]);
      assert.ok(expires >= Math.floor(before / 1000) * 1000 + 4000 && expires <= Date.now() + 6000, line);
      const ex = store.snapshot().exchanges.at(-1)!;
      const mod = ex.modifications!.find((m) => m.kind === 'shorten-lifetime')!;
      assert.equal(mod.shortenedToSeconds, 5);
      assert.ok(Math.abs(mod.serverLifetimeSeconds! - 1800) <= 2, String(mod.serverLifetimeSeconds));
      assert.match(mod.description, /shortened to 5 s \(server: 1[78]\d\d s\)/);
      const recorded = ex.responseHeaders!.find((h) => h.value.startsWith('connect.sid='))!.value;
      assert.equal(recorded.replace(/Expires=[^;]+/, ''), line.replace(/Expires=[^;]+/, ''));
      assert.notEqual(recorded, line);
      const cookie = store.getCookies().find((c) => c.name === 'connect.sid' && c.exchangeId === ex.id)!;
      assert.ok(cookie.expiresAt! - cookie.receivedAt > 29 * 60_000);
    });
  });

  describe('the "modified by Session Lens" marking survives a HAR export and import', () => {
    it('the exchanges the rules touched keep their modifications (kind, side, rule, description, lifetimes); the others stay unmarked', async () => {
      const app = await sampleApp.start(0);
      const store = new SessionStore({ throttleMs: 0 });
      const proxy = await startCaptureProxy({ target: app.url, store });
      try {
        const browser = new Browser(proxy.url, () => proxy.recorded());
        await browser.send('/');
        const shorten = proxy.rules.add({ kind: 'shorten-lifetime', cookie: 'connect.sid', seconds: 60 });
        await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        proxy.rules.remove(shorten.id);
        proxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'connect.sid' } });
        await browser.send('/profile');
        proxy.rules.clear();
        await browser.send('/');
        await proxy.recorded();
        const captured = store.snapshot().exchanges;
        assert.ok(captured.filter((e) => e.modifications).length >= 2);

        const imported = new SessionStore({ throttleMs: 0 });
        const result = importHar(imported, JSON.stringify(exportHar(store.snapshot(), { redact: true })));
        assert.equal(result.skipped, 0);
        assert.deepEqual(result.warnings, []);
        const back = imported.snapshot().exchanges;
        assert.deepEqual(back.map((e) => [e.method, e.path, e.modifications ?? null]), captured.map((e) => [e.method, e.path, e.modifications ?? null]));
        const dropped = back.find((e) => e.modifications?.some((m) => m.kind === 'drop'))!;
        assert.equal(dropped.modifications![0].description, 'modified by Session Lens: dropped cookie connect.sid');
        const shortened = back.find((e) => e.modifications?.some((m) => m.kind === 'shorten-lifetime'))!.modifications![0];
        assert.equal(shortened.shortenedToSeconds, 60);
        assert.equal(shortened.side, 'response');
      } finally {
        await proxy.close();
        await app.close();
      }
    });
  });

  describe('JWT servers that verify correctly and that do not', () => {
    let strict: RunningServer;
    let lax: RunningServer;
    let token: string;
    // One instant for the proxy and the expected tokens (the servers check against their own clock).
    const NOW = Math.floor(Date.now() / 1000) * 1000;
    before(async () => {
      [strict, lax] = await Promise.all([startJwtServer('strict'), startJwtServer('lax')]);
      token = await new SignJWT({ sub: 'alice', role: 'user' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime('1h')
        .sign(new TextEncoder().encode(JWT_SERVER_SECRET));
    });
    after(async () => {
      await Promise.all([strict.close(), lax.close()]);
    });

    async function through(server: RunningServer, spec: Parameters<InFlightRules['add']>[0], head: (t: string) => string) {
      const store = new SessionStore({ throttleMs: 0 });
      const rules = new InFlightRules({ now: () => NOW });
      const proxy = await startCaptureProxy({ target: server.url, store, rules });
      try {
        rules.add(spec);
        const raw = await rawExchange(proxy.port, head(token));
        await proxy.recorded();
        const body = Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'latin1');
        return { status: Number(raw.slice(9, 12)), lines: receivedLines(body), reason: (JSON.parse(body.toString()) as { reason: string | null }).reason, exchange: store.snapshot().exchanges[0] };
      } finally {
        await proxy.close();
      }
    }

    const cookieHead = (t: string): string => `GET /api HTTP/1.1\r\nHost: app.localhost\r\nX-Before: 1\r\nCookie: theme=dark;token=${t};  lang=en\r\nConnection: close\r\n\r\n`;
    const bearerHead = (t: string): string => `GET /api HTTP/1.1\r\nHost: app.localhost\r\nAuthorization: Bearer ${t}\r\nCookie: theme=dark\r\nConnection: close\r\n\r\n`;

    const cases: { name: string; spec: Parameters<InFlightRules['add']>[0]; strict: number; lax: number }[] = [
      { name: 'expired, re-signed with the right key', spec: { kind: 'tamper-jwt', place: { in: 'cookie', name: 'token' }, mode: 'expired', signingKey: JWT_SERVER_SECRET }, strict: 401, lax: 200 },
      { name: 'not yet valid, re-signed', spec: { kind: 'tamper-jwt', place: { in: 'cookie', name: 'token' }, mode: 'not-yet-valid', signingKey: JWT_SERVER_SECRET }, strict: 401, lax: 200 },
      { name: 'alg none, signature stripped', spec: { kind: 'tamper-jwt', place: { in: 'cookie', name: 'token' }, mode: 'alg-none' }, strict: 401, lax: 200 },
      { name: 'a claim edited, signature kept', spec: { kind: 'tamper-jwt', place: { in: 'cookie', name: 'token' }, mode: 'claims', claims: { role: 'admin' } }, strict: 401, lax: 401 },
    ];
    for (const c of cases) {
      it(`${c.name}: the cookie reaches the server byte-exact as described; strict ${c.strict}, lax ${c.lax}`, async () => {
        const expected = tamperJwt(token, { mode: c.spec.kind === 'tamper-jwt' ? c.spec.mode : 'resign', ...(c.spec.kind === 'tamper-jwt' && c.spec.claims ? { claims: c.spec.claims } : {}), ...(c.spec.kind === 'tamper-jwt' && c.spec.signingKey ? { key: parseSigningKey(c.spec.signingKey) } : {}) }, NOW)!;
        const wantLines = ['Host: app.localhost', 'X-Before: 1', `Cookie: theme=dark;token=${expected};  lang=en`, 'Connection: close'];
        const s = await through(strict, c.spec, cookieHead);
        const l = await through(lax, c.spec, cookieHead);
        assert.deepEqual(s.lines, wantLines);
        assert.deepEqual(l.lines, wantLines);
        assert.equal(s.status, c.strict, `strict: ${s.reason}`);
        assert.equal(l.status, c.lax, `lax: ${l.reason}`);
        // What the browser sent is recorded, with the mark.
        assert.equal(s.exchange.cookiesSent.find((x) => x.name === 'token')!.value, token);
        assert.equal(s.exchange.modifications![0].kind, 'tamper-jwt');
        const claims = decodeJwt(expected);
        if (c.spec.kind === 'tamper-jwt' && c.spec.mode === 'expired') assert.equal(claims.exp, NOW / 1000 - 3600);
        if (c.spec.kind === 'tamper-jwt' && c.spec.mode === 'alg-none') {
          assert.ok(expected.endsWith('.'));
          assert.equal(decodeProtectedHeader(expected).alg, 'none');
        }
      });
    }

    it('a bearer token keeps its scheme; dropping Authorization removes the whole line and nothing else', async () => {
      const expected = tamperJwt(token, { mode: 'alg-none' }, NOW)!;
      const tampered = await through(lax, { kind: 'tamper-jwt', place: { in: 'header', name: 'authorization' }, mode: 'alg-none' }, bearerHead);
      assert.deepEqual(tampered.lines, ['Host: app.localhost', `Authorization: Bearer ${expected}`, 'Cookie: theme=dark', 'Connection: close']);
      assert.equal(tampered.status, 200);
      const dropped = await through(strict, { kind: 'drop', place: { in: 'header', name: 'Authorization' } }, bearerHead);
      assert.deepEqual(dropped.lines, ['Host: app.localhost', 'Cookie: theme=dark', 'Connection: close']);
      assert.equal(dropped.reason, 'no token');
      const onlyCookie = await through(strict, { kind: 'drop', place: { in: 'cookie', name: 'theme' } }, bearerHead);
      assert.deepEqual(onlyCookie.lines, ['Host: app.localhost', `Authorization: Bearer ${token}`, 'Connection: close']);
      const middle = await through(strict, { kind: 'drop', place: { in: 'cookie', name: 'theme' } }, cookieHead);
      assert.deepEqual(middle.lines, ['Host: app.localhost', 'X-Before: 1', `Cookie: token=${token};  lang=en`, 'Connection: close']);
      assert.equal(middle.status, 200);
      const replaced = await through(strict, { kind: 'replace', place: { in: 'header', name: 'Authorization' }, value: 'opaque-xyz' }, bearerHead);
      assert.equal(replaced.lines[1], 'Authorization: Bearer opaque-xyz');
    });
  });

  describe('untouched traffic stays byte-exact while rules are on', () => {
    let upstream: RunningServer;
    let proxy: CaptureProxy;
    before(async () => {
      upstream = await startUpstream();
      proxy = await startCaptureProxy({ target: upstream.url });
      proxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'sid' } });
      proxy.rules.add({ kind: 'shorten-lifetime', cookie: 'sid', seconds: 60 });
      proxy.rules.add({ kind: 'tamper-jwt', place: { in: 'header', name: 'Authorization' }, mode: 'alg-none' });
    });
    after(async () => {
      await proxy.close();
      await upstream.close();
    });

    it('bodies (chunked upload, chunked and length-delimited downloads) and other headers pass unchanged', async () => {
      const body = patternBytes(3 * 1024 * 1024 + 17, 3);
      const up = await request(`${proxy.url}/upload`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', cookie: 'a=1; sid=x', authorization: 'Basic YTpi' }, body });
      assert.deepEqual(JSON.parse(up.body.toString()), { size: body.length, sha256: sha256(body), expect: null });
      for (const path of ['/bytes?size=2000000', '/chunked?size=1500000']) {
        const res = await request(proxy.url + path);
        assert.equal(sha256(res.body), res.headers['x-sha256']);
      }
      const echo = await request(`${proxy.url}/echo?q=%2F%20x`, { headers: { cookie: 'a=1', 'x-token': 'Bearer abc', authorization: 'Basic YTpi' } });
      const seen = JSON.parse(echo.body.toString()) as { url: string; rawHeaders: string[] };
      assert.equal(seen.url, '/echo?q=%2F%20x');
      assert.deepEqual(seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()), ['cookie', 'x-token', 'authorization', 'host', 'connection']);
      assert.equal(seen.rawHeaders[1], 'a=1');
      assert.equal(seen.rawHeaders[5], 'Basic YTpi', 'not a JWT: left as it was');
      // Set-Cookies of other cookies are untouched; sid's is shortened.
      const cookies = await request(`${proxy.url}/cookies`);
      assert.deepEqual(rawValues(cookies.rawHeaders, 'set-cookie'), ['sid=abc123def456ghi789; Path=/; HttpOnly; SameSite=Lax; Max-Age=60', 'pref={"a":1,"b":2}; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/']);
    });

    it('server-sent events still arrive one by one', async () => {
      const arrivals: string[] = [];
      await new Promise<void>((resolve, reject) => {
        http.get(`${proxy.url}/sse`, (res) => {
          res.on('data', (c: Buffer) => {
            arrivals.push(c.toString());
          });
          res.on('end', resolve);
          res.on('error', reject);
        }).on('error', reject);
      });
      assert.deepEqual(arrivals.join('').split('\n\n').filter(Boolean), ['data: event 0', 'data: event 1', 'data: event 2']);
      assert.ok(arrivals.length >= 3, `events arrived in ${arrivals.length} reads`);
    });

    it('a rule that throws costs nothing: the exchange is forwarded unchanged and the failure logged once', async () => {
      class BrokenRules extends InFlightRules {
        override rewriteRequest(): never { throw new Error('rule bug'); }
        override rewriteResponse(): never { throw new Error('rule bug'); }
      }
      const rules = new BrokenRules();
      rules.add({ kind: 'drop', place: { in: 'cookie', name: 'sid' } });
      rules.add({ kind: 'expire-now', cookie: 'sid' });
      const errors: string[] = [];
      const broken = await startCaptureProxy({ target: upstream.url, rules, logger: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) } });
      try {
        for (let i = 0; i < 2; i++) {
          const echo = await request(`${broken.url}/echo`, { headers: { cookie: 'sid=kept' } });
          assert.equal(echo.status, 200);
          assert.equal((JSON.parse(echo.body.toString()) as { rawHeaders: string[] }).rawHeaders[1], 'sid=kept');
          assert.equal(echo.headers['set-cookie'], undefined);
        }
        assert.deepEqual(errors, ['Session Lens capture proxy: an in-flight rule failed (the message was forwarded unchanged): rule bug']);
      } finally {
        await broken.close();
      }
    });

    it('WebSockets pass through, the dropped cookie is dropped from the upgrade request', async () => {
      const ws = await startWsEcho();
      const wsProxy = await startCaptureProxy({ target: `http://127.0.0.1:${ws.port}` });
      try {
        wsProxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'sid' } });
        const client = new WebSocket(`ws://127.0.0.1:${wsProxy.port}/hmr`, { headers: { Cookie: 'keep=1; sid=secret' } });
        await once(client, 'open');
        const big = patternBytes(200_000, 9);
        client.send(big);
        const [echoed] = (await once(client, 'message')) as [Buffer];
        assert.equal(sha256(echoed), sha256(big));
        client.close();
        await once(client, 'close');
        assert.deepEqual(ws.upgradeCookies(), ['keep=1']);
      } finally {
        await wsProxy.close();
        await ws.close();
      }
    });
  });

  describe('PHP built-in server with session_start()', function () {
    let php: Awaited<ReturnType<typeof startPhpServer>>;
    let proxy: CaptureProxy;
    before(async function () {
      if (!hasPhp()) this.skip();
      php = await startPhpServer();
      proxy = await startCaptureProxy({ target: php.url, store: new SessionStore({ throttleMs: 0 }) });
    });
    after(async () => {
      await proxy?.close();
      await php?.close();
    });

    it('drop PHPSESSID: PHP starts a new session; Expire now: the browser loses it; shorten: PHP\'s session cookie gets a lifetime', async () => {
      const browser = new Browser(proxy.url, () => proxy.recorded());
      const hits = async (): Promise<number> => (JSON.parse((await browser.send('/session.php')).body.toString()) as { hits: number }).hits;
      assert.equal(await hits(), 1);
      assert.equal(await hits(), 2);
      const drop = proxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'PHPSESSID' } });
      const fresh = await browser.send('/session.php');
      assert.equal((JSON.parse(fresh.body.toString()) as { hits: number }).hits, 1);
      // PHP answered with a new session id: the browser took it.
      proxy.rules.remove(drop.id);
      proxy.rules.add({ kind: 'expire-now', cookie: 'PHPSESSID' });
      const expired = await browser.send('/session.php');
      assert.ok(rawValues(expired.rawHeaders, 'set-cookie').includes('PHPSESSID=; Max-Age=0; Path=/'));
      assert.equal(browser.cookies.has('PHPSESSID'), false);
      proxy.rules.add({ kind: 'shorten-lifetime', cookie: 'PHPSESSID', seconds: 7 });
      const started = await browser.send('/session.php');
      const line = rawValues(started.rawHeaders, 'set-cookie').find((l) => l.startsWith('PHPSESSID='))!;
      assert.match(line, /; Max-Age=7$/);
      const mod = proxy.store.snapshot().exchanges.at(-1)!.modifications!.find((m) => m.kind === 'shorten-lifetime')!;
      assert.equal(mod.serverLifetimeSeconds, undefined);
      assert.match(mod.description, /browser-session cookie/);
    });
  });

  describe('Flask (python3-flask) with a permanent session', function () {
    const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    let child: ChildProcessWithoutNullStreams | undefined;
    let proxy: CaptureProxy;
    before(async function () {
      try {
        execFileSync(PYTHON, ['-c', 'import flask'], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        this.skip();
      }
      child = spawn(PYTHON, [join(__dirname, '../../fixtures/servers/flask_session_app.py')], { stdio: 'pipe' });
      const port = await new Promise<string>((resolve, reject) => {
        let out = '';
        child!.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child!.once('exit', (code) => reject(new Error(`flask app exited with ${code}`)));
      });
      proxy = await startCaptureProxy({ target: `http://127.0.0.1:${port}`, store: new SessionStore({ throttleMs: 0 }) });
    });
    after(async () => {
      await proxy?.close();
      if (!child || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    });

    it('shorten rewrites Flask\'s Expires, drop logs the request out, replace with another value from the cookie\'s history sends that session', async () => {
      const browser = new Browser(proxy.url, () => proxy.recorded());
      const shorten = proxy.rules.add({ kind: 'shorten-lifetime', cookie: 'session', seconds: 60 });
      const login = await browser.send('/login', { method: 'POST', body: 'username=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const line = rawValues(login.rawHeaders, 'set-cookie').find((l) => l.startsWith('session='))!;
      const expires = Date.parse(/Expires=([^;]+)/.exec(line)![1]);
      assert.ok(expires - Date.now() <= 61_000 && expires - Date.now() > 55_000, line);
      proxy.rules.remove(shorten.id);
      assert.equal((await browser.send('/me')).status, 200);
      proxy.rules.add({ kind: 'drop', place: { in: 'cookie', name: 'session' } });
      assert.equal((await browser.send('/me')).status, 401);
      proxy.rules.clear();
      assert.equal((await browser.send('/me')).status, 200);
      // A value from the cookie's history (Flask's cookie holds the session itself): that session is sent.
      const anonymous = new Browser(proxy.url, () => proxy.recorded());
      await anonymous.send('/login', { method: 'POST', body: 'username=bob', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const history = proxy.store.getCookieHistory().filter((e) => e.name === 'session' && e.newValue !== undefined);
      const bobs = history.at(-1)!.newValue!;
      proxy.rules.add({ kind: 'replace', place: { in: 'cookie', name: 'session' }, value: bobs });
      const asBob = await browser.send('/me');
      assert.deepEqual(JSON.parse(asBob.body.toString()), { user: 'bob' });
    });
  });
});
