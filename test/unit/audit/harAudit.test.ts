import { strict as assert } from 'node:assert';
import express from 'express';
import session from 'express-session';
import { auditSession } from '../../../src/core/audit/auditSession';
import { SessionStore, exportHar, importHar } from '../../../src/core/capture';
import { buildExpiryModel } from '../../../src/core/expiry/expiryModel';
import { RecordingClient, listen } from './recordingClient';

const key = (f: { ruleId: string; subject: string }) => `${f.ruleId} ${f.subject}`;

describe('audit on an imported HAR', function () {
  this.timeout(20000);

  it('finds the same problems in a HAR round trip of real express-session traffic as live', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secret: 'made-up-test-secret', resave: false, saveUninitialized: true, cookie: { maxAge: 3600_000 } }));
    app.get('/', (req, res) => {
      (req.session as unknown as { n?: number }).n = 1;
      res.send('home');
    });
    app.post('/login', (req, res) => {
      (req.session as unknown as { user?: string }).user = 'alice';
      res.redirect(302, '/');
    });
    app.post('/logout', (req, res) => req.session.destroy(() => res.send('bye')));
    const server = await listen(app);
    try {
      const client = new RecordingClient(server.base);
      await client.request('GET', '/');
      await client.request('POST', '/login', { form: { username: 'alice', password: 'made-up' } });
      await client.request('GET', '/');
      await client.request('POST', '/logout');
      const live = auditSession(client.snapshot());
      const har = JSON.stringify(exportHar(client.snapshot(), { redact: false }));
      client.dispose();

      const imported = new SessionStore({ throttleMs: 0 });
      importHar(imported, har);
      const fromHar = auditSession(imported);
      const model = buildExpiryModel(imported);
      imported.dispose();

      assert.ok(live.some((f) => f.ruleId === 'session-fixation'));
      assert.deepEqual(fromHar.map(key).sort(), live.map(key).sort());
      const sid = model.credentials.find((c) => c.label === 'connect.sid');
      assert.ok(sid);
      assert.equal(sid.kind, 'absolute');
      assert.ok(sid.expiresAt !== undefined);
    } finally {
      await server.close();
    }
  });

  it('a redacted HAR still yields the attribute findings without crashing on [redacted] values', () => {
    const har = {
      log: {
        version: '1.2', creator: { name: 'test', version: '1' }, pages: [],
        entries: [{
          startedDateTime: '2026-11-22T12:00:00.000Z', time: 10,
          request: { method: 'GET', url: 'https://shop.example/', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
          response: {
            status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', cookies: [], redirectURL: '', headersSize: -1, bodySize: 0,
            headers: [{ name: 'Set-Cookie', value: 'PHPSESSID=[redacted]; path=/' }],
            content: { size: 0, mimeType: 'text/html' },
          },
          cache: {}, timings: { send: 0, wait: 5, receive: 5 },
        }],
      },
    };
    const store = new SessionStore({ throttleMs: 0 });
    importHar(store, har);
    const findings = auditSession(store);
    store.dispose();
    const rules = new Set(findings.map((f) => f.ruleId));
    for (const r of ['cookie-missing-secure', 'cookie-missing-httponly', 'cookie-missing-samesite', 'cookie-default-session-name']) assert.ok(rules.has(r as never), r);
    assert.equal(findings.find((f) => f.ruleId === 'cookie-missing-secure')?.severity, 'warning');
    assert.ok(!rules.has('session-id-low-entropy'), 'a redacted value is not a short id');
  });
});
