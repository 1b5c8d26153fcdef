/**
 * Random browser traffic for property tests: a small pool of cookie names, session ids, JWTs,
 * paths (logins, logouts, OAuth callbacks, tokens in URLs), CORS and caching headers, and a
 * driver that feeds it through a real SessionStore the way the proxy does.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SessionStore, type SessionStoreOptions } from '../../../src/core/session/sessionStore';
import type { Exchange, HeaderField } from '../../../src/core/session/types';

export const START = Date.UTC(2026, 10, 22, 12, 0, 0);

function jwt(claims: Record<string, unknown>, alg = 'HS256'): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', 'made-up-but-long-test-key-9f8e7d6c5b4a').update(input).digest('base64url')}`;
}

// A small pool of names and values, so that sequences revisit the same cookies and tokens.
export const JWTS = [
  jwt({ sub: 'u1', exp: (START + 900_000) / 1000, iat: START / 1000 }),
  jwt({ sub: 'u2', email: 'a@example.test', exp: (START + 10 * 86400_000) / 1000, iat: START / 1000, iss: 'i', aud: 'a' }),
  jwt({ sub: 'u3' }),
  jwt({ sub: 'u4', exp: (START - 1000) / 1000 }, 'none'),
];
export const IDS = ['k3Jd9sLq2mXv8NpR4tYw7ZbC1eFgHiJ0', 'Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc', 'abc123', '1234', 'user:alice', 'deleted', 'eyJ1c2VyIjoiYm9iIn0=', 's%3AQ7wE2rT9yU4iO1pA6sD3fG8h.sigsigsigsigsigsig'];
const cookieName = fc.constantFrom('sid', 'connect.sid', 'theme', 'csrftoken', 'auth', 'prefs', 'JSESSIONID', 'remember');
const cookieValue = fc.oneof(fc.constantFrom(...IDS), fc.constantFrom(...JWTS), fc.constantFrom('dark', '', 'x'));
const attributes = fc.subarray(['Secure', 'HttpOnly', 'SameSite=Lax', 'SameSite=None', 'Path=/', 'Max-Age=0', 'Max-Age=99999999', 'Domain=localhost', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
const setCookie = fc.tuple(cookieName, cookieValue, attributes).map(([n, v, a]) => [`${n}=${v}`, ...a].join('; '));
const path = fc.oneof(
  fc.constantFrom('/', '/login', '/logout', '/api/items', '/auth/callback?code=abc&state=x', '/signin', '/session', '/oauth/token', '/account'),
  fc.constantFrom(...IDS, ...JWTS).map((v) => `/s/${v}/page`),
  fc.tuple(fc.constantFrom('sid', 'access_token', 'token', 'code', 'q'), fc.constantFrom(...IDS, ...JWTS)).map(([k, v]) => `/api/x?${k}=${encodeURIComponent(v)}`),
  fc.constantFrom(...JWTS).map((v) => `/cb#access_token=${v}`),
);

/** One exchange as the browser and the server would have it. */
export interface Step {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly cookies: readonly (readonly [string, string])[];
  readonly setCookies: readonly string[];
  readonly bearer?: string;
  readonly password: boolean;
  readonly json?: Record<string, string>;
  readonly cors?: { origin: string; allow: string };
  readonly cache?: string;
  readonly location?: string;
}

export const step: fc.Arbitrary<Step> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'HEAD', 'DELETE'),
  path,
  status: fc.constantFrom(200, 200, 302, 401, 500),
  cookies: fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 3 }),
  setCookies: fc.array(setCookie, { maxLength: 3 }),
  bearer: fc.option(fc.constantFrom(...JWTS), { nil: undefined }),
  password: fc.boolean(),
  json: fc.option(fc.record({ access_token: fc.constantFrom(...JWTS), id_token: fc.constantFrom(...JWTS), token_type: fc.constant('Bearer') }, { requiredKeys: ['access_token'] }), { nil: undefined }),
  cors: fc.option(fc.record({ origin: fc.constantFrom('https://a.test', 'https://b.test', 'https://c.test'), allow: fc.constantFrom('*', 'null', 'echo') }), { nil: undefined }),
  cache: fc.option(fc.constantFrom('public, max-age=60', 'no-store', 'private'), { nil: undefined }),
  location: fc.option(fc.constantFrom(...IDS, ...JWTS).map((v) => `https://app.test/next?sid=${encodeURIComponent(v)}`), { nil: undefined }),
}, { requiredKeys: ['method', 'path', 'status', 'cookies', 'setCookies', 'password'] });

/** Drives a real SessionStore: begins an exchange, and later answers it. */
export class Capture {
  readonly store: SessionStore;
  private readonly started = new Map<number, Step>();
  /** Finished exchanges in the order they finished. */
  readonly finished: Exchange[] = [];

  constructor(capacity = 5000, options: SessionStoreOptions = {}) {
    this.store = new SessionStore({ capacity, throttleMs: 0, now: () => START, ...options });
  }

  begin(s: Step, i: number): number {
    const at = START + i * 1000;
    const headers: HeaderField[] = [];
    if (s.cookies.length > 0) headers.push({ name: 'Cookie', value: s.cookies.map(([n, v]) => `${n}=${v}`).join('; ') });
    if (s.bearer) headers.push({ name: 'Authorization', value: `Bearer ${s.bearer}` });
    if (s.cors) headers.push({ name: 'Origin', value: s.cors.origin });
    const body = s.password ? Buffer.from('user=alice&password=hunter2') : undefined;
    if (body) headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded' });
    const id = this.store.beginExchange({ source: 'har', method: s.method, url: `http://localhost:3000${s.path}`, headers, startedAt: at });
    if (body) this.store.addRequestBody(id, { bytes: body, wireBytes: body.length, truncated: false, decoded: true });
    this.started.set(id, s);
    return id;
  }

  finish(id: number): Exchange | undefined {
    const s = this.started.get(id)!;
    const at = this.store.getExchange(id)?.startedAt ?? START;
    const response: HeaderField[] = [{ name: 'Date', value: new Date(at).toUTCString() }];
    for (const sc of s.setCookies) response.push({ name: 'Set-Cookie', value: sc });
    if (s.cors) {
      response.push({ name: 'Access-Control-Allow-Origin', value: s.cors.allow === 'echo' ? s.cors.origin : s.cors.allow });
      response.push({ name: 'Access-Control-Allow-Credentials', value: 'true' });
    }
    if (s.cache) response.push({ name: 'Cache-Control', value: s.cache });
    if (s.location) response.push({ name: 'Location', value: s.location });
    const json = s.json ? Buffer.from(JSON.stringify(s.json)) : undefined;
    if (json) response.push({ name: 'Content-Type', value: 'application/json' });
    this.store.addResponse(id, { status: s.status, headers: response, receivedAt: at + 50 });
    this.store.finishExchange(id, { state: 'complete', endedAt: at + 60, ...(json ? { responseBody: { bytes: json, wireBytes: json.length, truncated: false, decoded: true } } : {}) });
    const ex = this.store.getExchange(id);
    if (ex) this.finished.push(ex);
    return ex;
  }
}

