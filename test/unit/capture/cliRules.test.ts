import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { spawnCapture, waitForLine } from './captureChild';
import { request } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

describe('CLI: session-lens capture --rule', function () {
  this.timeout(60_000);
  let app: { url: string; close(): Promise<void> };
  let dir: string;
  before(async () => {
    app = await sampleApp.start(0);
    dir = mkdtempSync(join(tmpdir(), 'session-lens-rules-'));
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents the rule grammar in --help', async () => {
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => { out += c.toString(); });
    assert.equal(await runCli(['capture', '--help'], { stdout, stderr: new PassThrough(), stdin: new PassThrough(), cwd: dir }), 0);
    for (const part of ['--rule SPEC', 'expire:cookie:NAME', 'shorten:cookie:NAME[=S]', 'drop:header:NAME', 'replace:cookie:NAME=VALUE', 'tamper:header:NAME=MODE[;key=KEY]', 'alg-none', 'claims:JSON', 'file:PATH']) {
      assert.ok(out.includes(part), part);
    }
  });

  it('applies repeated --rule options: a re-signed, edited bearer token reaches the app, exchanges are printed and marked in the HAR', async () => {
    const keyFile = join(dir, 'jwt.key');
    writeFileSync(keyFile, 'your-256-bit-secret\n');
    const harFile = join(dir, 'rules.har');
    const capture = spawnCapture(['--target', app.url, '--har', harFile,
      '--rule', 'tamper:header:Authorization=claims:{"role":"guest"};key=file:' + keyFile, '--rule', 'shorten:cookie:connect.sid=5']);
    try {
      const url = await capture.url;
      await waitForLine(capture.child, capture.lines, (l) => l.type === 'rule' && l.id === 'r2');
      const rules = capture.lines.filter((l) => l.type === 'rule');
      assert.deepEqual(rules.map((r) => r.label), ['Send JWT in header Authorization with edited claims, re-signed', 'Shorten lifetime of cookie connect.sid to 5 s']);
      const tokenRes = await request(`${url}/api/token`, { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
      const { access_token: access } = JSON.parse(tokenRes.body.toString()) as { access_token: string };
      const me = await request(`${url}/api/me`, { headers: { authorization: `Bearer ${access}` } });
      assert.equal(me.status, 200);
      assert.equal((JSON.parse(me.body.toString()) as { role: string }).role, 'guest', 'the app verified the re-signed token');
      const home = await request(`${url}/`);
      assert.match(String(home.headers['set-cookie']), /Expires=/);
      const line = await waitForLine(capture.child, capture.lines, (l) => l.type === 'modified' && l.request === 'GET /api/me');
      assert.equal(line.status, 200);
      assert.equal(line.kind, 'tamper-jwt');
      assert.match(String(line.description), /^modified by Session Lens: sent the JWT in header Authorization/);
      await waitForLine(capture.child, capture.lines, (l) => l.type === 'modified' && l.kind === 'shorten-lifetime');
      capture.child.kill('SIGTERM');
      assert.equal(await capture.exited, 0, capture.stderr());
      const har = JSON.parse(readFileSync(harFile, 'utf8')) as { log: { entries: { request: { url: string; headers: { name: string; value: string }[] }; _sessionLens: { modifications?: { kind: string }[] } }[] } };
      const meEntry = har.log.entries.find((e) => e.request.url.endsWith('/api/me'))!;
      // Its response also set a fresh session cookie (no cookie was sent), whose lifetime was shortened.
      assert.deepEqual(meEntry._sessionLens.modifications?.map((m) => m.kind), ['tamper-jwt', 'shorten-lifetime']);
      // The HAR keeps what the browser sent.
      assert.equal(meEntry.request.headers.find((h) => h.name.toLowerCase() === 'authorization')!.value, `Bearer ${access}`);
      // The token request carried no Authorization: nothing was tampered there.
      assert.deepEqual(har.log.entries.find((e) => e.request.url.endsWith('/api/token'))!._sessionLens.modifications?.map((m) => m.kind), ['shorten-lifetime']);
    } finally {
      if (capture.child.exitCode === null) capture.child.kill('SIGKILL');
    }
  });

  it('refuses a bad --rule with exit 2 and a message that names it, before listening', async () => {
    for (const [rule, message] of [
      ['drop:cookie', /--rule cannot read rule 'drop:cookie'/],
      ['tamper:cookie:token=expired;key=file:/no/such/key', /--rule 'tamper:cookie:token=expired;key=file:\/no\/such\/key': cannot read the key file/],
      ['tamper:cookie:token=resign;key=secret:', /--rule the signing key is empty|--rule re-signing needs a key/],
    ] as const) {
      const capture = spawnCapture(['--target', app.url, '--rule', rule]);
      assert.equal(await capture.exited, 2, rule);
      assert.match(capture.stderr(), message);
      assert.doesNotMatch(capture.stderr(), /\n\s+at /, 'no stack trace');
      assert.equal(capture.lines.length, 0);
    }
  });
});
