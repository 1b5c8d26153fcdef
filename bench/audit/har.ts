import { createHmac } from 'node:crypto';
import { lcg as rng } from '../../test/support/seeded';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function jwt(claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', 'bench-secret-that-is-long-enough-0123456789').update(input).digest('base64url')}`;
}

function id(next: () => number, length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

type Header = { name: string; value: string };

/**
 * A HAR 1.2 log of `count` exchanges shaped like a day of a web app behind an OAuth server:
 * user sessions that log in (form post, session id issued), fetch tokens (OAuth token response
 * with JWTs), browse an API with a Bearer JWT and a rolling session cookie (renewed every
 * 10 requests), hit credentialed CORS endpoints, and log out (half of them without clearing the
 * session cookie). Every value is made up.
 */
export function benchHar(count: number, seed = 1): { log: Record<string, unknown> } {
  const next = rng(seed);
  const entries: unknown[] = [];
  let t = Date.UTC(2026, 10, 22, 8, 0, 0);
  const origin = 'https://app.example.test';
  const entry = (method: string, path: string, reqHeaders: Header[], status: number, resHeaders: Header[], body?: unknown, post?: string) => {
    t += 20 + Math.floor(next() * 200);
    const text = body === undefined ? undefined : JSON.stringify(body);
    entries.push({
      startedDateTime: new Date(t).toISOString(),
      time: 30,
      request: {
        method, url: `${origin}${path}`, httpVersion: 'HTTP/1.1', headers: reqHeaders, cookies: [], queryString: [], headersSize: -1, bodySize: post?.length ?? 0,
        ...(post ? { postData: { mimeType: 'application/x-www-form-urlencoded', text: post } } : {}),
      },
      response: {
        status, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Date', value: new Date(t).toUTCString() }, ...resHeaders], cookies: [],
        content: { size: text?.length ?? 0, mimeType: text ? 'application/json' : 'text/html', ...(text ? { text } : {}) }, redirectURL: '', headersSize: -1, bodySize: text?.length ?? 0,
      },
      cache: {},
      timings: { send: 1, wait: 25, receive: 4 },
    });
  };
  let user = 0;
  while (entries.length < count) {
    user++;
    const track = `tr_${id(next, 12)}`;
    let sid = id(next);
    const csrf = id(next, 24);
    entry('GET', '/', [], 200, [{ name: 'Set-Cookie', value: `track=${track}; Path=/; Max-Age=31536000` }, { name: 'Set-Cookie', value: `csrftoken=${csrf}; Path=/; SameSite=Lax` }]);
    // Half the logins keep the id the browser had before (a fixation); the others issue a new one.
    const before = next() < 0.5 ? sid : undefined;
    if (before === undefined) sid = id(next);
    const cookie = () => [{ name: 'Cookie', value: `track=${track}; csrftoken=${csrf}; sid=${sid}` }];
    entry('POST', '/login', before ? cookie() : [{ name: 'Cookie', value: `track=${track}; csrftoken=${csrf}` }], 302,
      [{ name: 'Set-Cookie', value: `sid=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax` }, { name: 'Location', value: '/home' }], undefined, `user=user${user}&password=hunter2`);
    const now = Math.floor(t / 1000);
    const access = jwt({ sub: `user${user}`, iss: 'https://id.example.test', aud: 'api', iat: now, exp: now + 900, scope: 'read write' });
    const idToken = jwt({ sub: `user${user}`, email: `user${user}@example.test`, iss: 'https://id.example.test', aud: 'app', iat: now, exp: now + 3600 });
    entry('POST', '/oauth/token', cookie(), 200, [{ name: 'Cache-Control', value: 'no-store' }],
      { access_token: access, id_token: idToken, refresh_token: id(next, 40), token_type: 'Bearer', expires_in: 900 }, 'grant_type=authorization_code&code=abc');
    entry('GET', '/home', cookie(), 200, [{ name: 'Set-Cookie', value: `auth=${access}; Path=/; Secure; SameSite=Strict` }]);
    const calls = 30 + Math.floor(next() * 30);
    for (let i = 0; i < calls && entries.length < count; i++) {
      const headers = [...cookie(), { name: 'Authorization', value: `Bearer ${access}` }];
      const res: Header[] = [{ name: 'Cache-Control', value: 'private' }];
      if (i % 10 === 9) {
        sid = id(next);
        res.push({ name: 'Set-Cookie', value: `sid=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax` });
      }
      if (i % 7 === 3) {
        headers.push({ name: 'Origin', value: `https://partner${i % 3}.example.test` });
        res.push({ name: 'Access-Control-Allow-Origin', value: `https://partner${i % 3}.example.test` }, { name: 'Access-Control-Allow-Credentials', value: 'true' });
      }
      entry(i % 5 === 4 ? 'POST' : 'GET', `/api/items/${Math.floor(next() * 100000)}?page=${i}`, headers, 200, res, { items: [i], user: `user${user}` });
    }
    const clears = next() < 0.5;
    entry('POST', '/logout', cookie(), 302, clears ? [{ name: 'Set-Cookie', value: 'sid=; Path=/; Max-Age=0' }, { name: 'Location', value: '/' }] : [{ name: 'Location', value: '/' }]);
  }
  entries.length = count;
  return { log: { version: '1.2', creator: { name: 'session-lens bench', version: '1' }, entries } };
}
