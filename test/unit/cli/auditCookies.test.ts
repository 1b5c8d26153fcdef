import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCliInProcess } from '../../support/cliInProcess';

function entry(method: string, url: string, setCookies: string[], at: string): unknown {
  return {
    startedDateTime: at, time: 1,
    request: { method, url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 302, statusText: 'Found', httpVersion: 'HTTP/1.1', headers: [...setCookies.map((v) => ({ name: 'Set-Cookie', value: v })), { name: 'Location', value: '/' }], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '/', headersSize: -1, bodySize: 0 },
    cache: {}, timings: { send: 0, wait: 1, receive: 0 },
  };
}

describe('session-lens audit --format json lists every cookie seen, with its state', () => {
  it('a session cookie deleted at logout stays listed with its last value, decoded; a refused one says why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-audit-cookies-'));
    try {
      // cookie-session's value: base64 JSON, readable without the key.
      const session = Buffer.from(JSON.stringify({ user: 'alice', role: 'admin' })).toString('base64');
      const file = path.join(dir, 'login-logout.har');
      fs.writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: [
        entry('POST', 'http://localhost:3000/login', [`session=${session}; Path=/; HttpOnly`, '__Host-pref=dark; Path=/', 'theme=dark; Path=/'], '2026-12-07T10:00:00.000Z'),
        entry('GET', 'http://localhost:3000/logout', ['session=; Path=/; Max-Age=0'], '2026-12-07T10:05:00.000Z'),
      ] } }));
      const { code, stdout } = await runCliInProcess(['audit', file, '--format', 'json'], dir);
      assert.equal(code, 0);
      const cookies = (JSON.parse(stdout) as { cookies: { name: string; state: string; value: string; rejectedReason?: string; decoded?: { content: { user?: string } } }[] }).cookies;
      assert.deepEqual(cookies.map((c) => `${c.name}:${c.state}`).sort(), ['__Host-pref:rejected', 'session:deleted', 'theme:live']);
      const gone = cookies.find((c) => c.name === 'session')!;
      assert.equal(gone.value, session);
      assert.equal(gone.decoded?.content.user, 'alice');
      const refused = cookies.find((c) => c.state === 'rejected')!;
      assert.match(refused.rejectedReason ?? '', /\S/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
