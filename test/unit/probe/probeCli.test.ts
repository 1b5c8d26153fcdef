import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportHar } from '../../../src/core/capture';
import { execFileSync, spawn } from 'node:child_process';
import { ROOT, runCliProcess } from '../cli/cliProcess';
import { type CapturedHar, captureHar, cli } from './probeSession';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

/** A loopback port nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs the CLI with a real terminal (util-linux `script` gives it a pty) and types `answer` at
 * its prompt; resolves with everything the terminal showed and the exit code.
 */
function runOnTerminal(args: readonly string[], answer: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, '--require', 'tsx/cjs', 'src/cli/main.ts', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let screen = '';
    let asked = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      if (!asked && /\[y\/N\] /.test(screen)) {
        asked = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

describe('CLI: session-lens probe under bad input', function () {
  this.timeout(60_000);
  let app: { url: string; close(): Promise<void> };
  let har: CapturedHar;
  /** A capture with no logout and no login: two page views. */
  let plain: CapturedHar;
  let hits = 0;
  let counter: net.Server;
  let counterUrl: string;

  before(async () => {
    app = await sampleApp.start(0);
    har = await captureHar(app.url, async (b) => {
      await b.send('/');
      await b.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await b.send('/profile');
      await b.send('/logout');
    });
    plain = await captureHar(app.url, async (b) => { await b.send('/'); await b.send('/'); });
    // Counts connections: a refused probe must not send a single request.
    counter = net.createServer((s) => { hits++; s.destroy(); });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    counterUrl = `http://127.0.0.1:${(counter.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    har.remove();
    plain.remove();
    counter.close();
    await app.close();
  });

  it('refuses a target that is not loopback, with exit 2 and a clear message', async () => {
    for (const target of ['http://example.com:3000', 'http://192.168.1.10:3000', 'http://app.localhost:3000']) {
      const { code, stdout, stderr } = await cli(['probe', 'logout', '--har', har.file, '--target', target, '--yes']);
      assert.equal(code, 2, target);
      assert.equal(stdout, '');
      assert.match(stderr, /^session-lens: refusing to probe .*loopback dev servers/, target);
    }
  });

  it('without --yes lists the requests, then exits 2 when standard input is not a terminal, sending nothing', async () => {
    const before = hits;
    const run = await runCliProcess(['probe', 'logout', '--har', har.file, '--target', counterUrl]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout.length, 0);
    assert.match(run.stderr, /will send 2 requests to http:\/\/127\.0\.0\.1:\d+:\n  1\. GET http:\/\/127\.0\.0\.1:\d+\/profile\n/);
    assert.match(run.stderr, /not a terminal.*pass --yes/);
    assert.equal(hits, before, 'a request was sent without confirmation');
  });

  it('on a terminal, asks before sending: "n" sends nothing, "y" runs the probe', async function () {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // util-linux script(1) is what gives the CLI a terminal here
    }
    const before = hits;
    const declined = await runOnTerminal(['probe', 'logout', '--har', har.file, '--target', counterUrl], 'n');
    assert.equal(declined.code, 0);
    assert.match(declined.screen, /will send 2 requests[\s\S]*Send these requests\? \[y\/N\][\s\S]*Nothing sent\./);
    assert.equal(hits, before, 'a declined probe sent a request');
    const accepted = await runOnTerminal(['probe', 'logout', '--har', har.file, '--target', app.url], 'y');
    assert.equal(accepted.code, 0);
    assert.match(accepted.screen, /probe logout: refuted \(session-not-invalidated-on-logout\)/);
  });

  it('says what the HAR lacks for each probe (exit 2), and names the probes it knows', async () => {
    const logout = await cli(['probe', 'logout', '--har', plain.file, '--target', app.url, '--yes']);
    assert.equal(logout.code, 2);
    assert.match(logout.stderr, /has no logout/);
    const fixation = await cli(['probe', 'fixation', '--har', plain.file, '--target', app.url, '--yes']);
    assert.equal(fixation.code, 2);
    assert.match(fixation.stderr, /has no successful login/);
    const expiry = await cli(['probe', 'expiry', '--har', har.file, '--target', app.url, '--yes']);
    assert.equal(expiry.code, 2);
    assert.match(expiry.stderr, /has expired yet: .* expires at \d{4}-/);
    const unknown = await cli(['probe', 'replay', '--har', har.file, '--target', app.url]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown probe 'replay' \(one of logout, expiry, unissued, fixation\)/);
    assert.match((await cli(['probe', 'logout', '--target', app.url])).stderr, /needs --har FILE/);
    assert.match((await cli(['probe', 'logout', '--har', har.file])).stderr, /needs --target URL/);
    const notHar = await cli(['probe', 'logout', '--har', __filename, '--target', app.url, '--yes']);
    assert.equal(notHar.code, 2);
    assert.match(notHar.stderr, /not (JSON|a HAR|usable)/);
  });

  it('refuses a redacted HAR: "[redacted]" is no session id to replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-probe-'));
    try {
      const file = join(dir, 'redacted.har');
      writeFileSync(file, JSON.stringify(exportHar(har.snapshot)), { mode: 0o600 });
      for (const kind of ['logout', 'expiry', 'unissued', 'fixation']) {
        const { code, stderr } = await cli(['probe', kind, '--har', file, '--target', app.url, '--yes']);
        assert.equal(code, 2, kind);
        assert.match(stderr, /the HAR is redacted/, kind);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a target nobody listens on is bad input (exit 2), not a verdict', async () => {
    const { code, stderr } = await cli(['probe', 'logout', '--har', har.file, '--target', `http://127.0.0.1:${await closedPort()}`, '--yes']);
    assert.equal(code, 2);
    assert.match(stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(is the dev server running/);
  });

  it('a server that breaks the connection gives an inconclusive verdict, exit 0', async () => {
    // counter accepts and closes at once: the probe got through to a server, which gave no answer.
    const { code, stdout } = await cli(['probe', 'logout', '--har', har.file, '--target', counterUrl, '--yes', '--format', 'json']);
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as { verdict: string; reason: string; requests: { status: number | null }[] };
    assert.equal(out.verdict, 'inconclusive');
    assert.deepEqual(out.requests.map((r) => r.status), [null]);
  });
});
