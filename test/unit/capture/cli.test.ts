import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, watch, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { type CaptureChild, spawnCapture, waitForLine } from './captureChild';
import { request } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

const ROOT = join(__dirname, '../../..');
const HAR_DIR = join(ROOT, 'test/fixtures/har');

async function cli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  const code = await runCli(args, {
    stdout: sink((s) => { stdout += s; }),
    stderr: sink((s) => { stderr += s; }),
    stdin: Readable.from([stdin]),
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

describe('CLI: session-lens audit', () => {
  it('prints cookies, tokens and findings of a HAR as JSON with ISO times', async () => {
    const { code, stdout, stderr } = await cli(['audit', join(HAR_DIR, 'firefox.har'), '--format', 'json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { cookies: Record<string, unknown>[]; tokens: Record<string, unknown>[]; findings: Record<string, unknown>[] };
    const session = out.cookies.find((c) => c.name === 'sessionid')!;
    assert.equal(session.value, 'made-up-django-session-key-0001');
    assert.equal(session.expires, '2026-01-16T09:00:00.015Z');
    assert.deepEqual([session.httpOnly, session.secure, session.sameSite, session.path], [true, false, 'Lax', '/']);
    assert.ok(out.tokens.some((t) => t.kind === 'custom-header' && t.name === 'X-CSRFToken'));
    assert.ok(Array.isArray(out.findings));
    for (const f of out.findings) assert.ok(typeof f.ruleId === 'string' && typeof f.severity === 'string' && typeof f.subject === 'string' && typeof f.message === 'string');
  });

  it('prints a readable text report with values shortened', async () => {
    const { code, stdout } = await cli(['audit', join(HAR_DIR, 'insomnia.har')]);
    assert.equal(code, 0);
    assert.match(stdout, /Cookies \(1\)/);
    assert.match(stdout, /__Host-session=made-up-…\(25 chars\)/);
    assert.doesNotMatch(stdout, /made-up-host-session-0001/);
    assert.match(stdout, /Findings \(\d+\)/);
  });

  it('reads standard input with -', async () => {
    const { code, stdout } = await cli(['audit', '-', '--format', 'json'], readFileSync(join(HAR_DIR, 'chrome.har'), 'utf8'));
    assert.equal(code, 0);
    const cookies = (JSON.parse(stdout) as { cookies: { state: string }[] }).cookies;
    assert.equal(cookies.filter((c) => c.state === 'live').length, 1);
    assert.ok(cookies.every((c) => ['live', 'deleted', 'expired', 'evicted', 'rejected'].includes(c.state)));
  });

  for (const [args, message] of [
    [['audit', 'missing.har'], /^session-lens: cannot read missing\.har: no such file\n$/],
    [['audit', 'package.json'], /^session-lens: package\.json is not a HAR file: no "log" object\n$/],
    [['audit', 'tsconfig.json', '--format', 'yaml'], /--format' must be one of text, json/],
    [['audit'], /audit needs a HAR file/],
    [['audit', 'a.har', 'b.har'], /one HAR file/],
    [['audit', 'test'], /cannot read test: it is a directory/],
  ] as [string[], RegExp][]) {
    it(`exits 2 with one clear line: ${args.slice(1).join(' ') || '(no file)'}`, async () => {
      const { code, stderr, stdout } = await cli(args);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.equal(stdout, '');
    });
  }

  it('exits 2 on text that is not JSON', async () => {
    const { code, stderr } = await cli(['audit', '-'], 'GET / HTTP/1.1');
    assert.equal(code, 2);
    assert.match(stderr, /^session-lens: standard input is not JSON \(/);
  });
});

describe('CLI: session-lens capture', function () {
  this.timeout(30_000);

  for (const [args, message] of [
    [['capture'], /capture needs --target URL/],
    [['capture', '--target', 'localhost:3000'], /must be http:\/\/ or https:\/\//],
    [['capture', '--target', 'nonsense'], /is not a URL/],
    [['capture', '--target', 'http://localhost:3000', '--port', 'abc'], /--port must be a TCP port/],
    [['capture', '--target', 'http://localhost:3000', '--port', '70000'], /--port must be a TCP port/],
    [['capture', '--target', 'http://localhost:3000', '--host', '0.0.0.0'], /refusing to listen on 0\.0\.0\.0/],
    [['capture', '--target', 'http://localhost:3000', '--har', '/nonexistent-dir/x.har'], /cannot write --har/],
    [['capture', '--target', 'http://localhost:3000', '--redact'], /--redact only applies to --har/],
    [['capture', '--target', 'http://localhost:3000', '--stop-grace', '-1'], /--stop-grace must be a number of seconds, 0 or more \(got '-1'\)/],
    [['capture', '--target', 'http://localhost:3000', '--idle-timeout', 'soon'], /--idle-timeout must be a number of seconds/],
    [['capture', '--target', 'http://localhost:3000', '--body-timeout', '1e3'], /--body-timeout must be a number of seconds/],
    [['capture', '--target', 'http://localhost:3000', '--response-timeout', ''], /--response-timeout must be a number of seconds/],
    [['capture', '--target', 'http://localhost:3000', '--max-exchanges', '5'], /--max-exchanges must be a whole number from 10 to 1000000 \(got '5'\)/],
    [['capture', '--target', 'http://localhost:3000', '--max-exchanges', '1e3'], /--max-exchanges must be a whole number/],
  ] as [string[], RegExp][]) {
    it(`exits 2 with one clear line: ${args.slice(1).join(' ') || '(no options)'}`, async () => {
      const { code, stderr } = await cli(args);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1);
    });
  }

  it('exits 2 with one clear line when the target is the proxy\'s own address', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { code, stderr } = await cli(['capture', '--target', `http://127.0.0.1:${port}`, '--port', String(port)]);
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`^session-lens: target http://127\\.0\\.0\\.1:${port} is the capture proxy's own address`));
    assert.equal(stderr.trim().split('\n').length, 1);
  });

  it('exits 2 when the port is taken, leaving no journal of the --har it was given', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-cli-'));
    try {
      const { code, stderr } = await cli(['capture', '--target', 'http://127.0.0.1:1', '--port', String(port), '--har', join(dir, 'x.har')]);
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on SIGTERM lets requests in progress run for --stop-grace, then writes them to the HAR as aborted with the bytes that passed', async () => {
    // A dev server that answers /half with part of a body and nothing else at all.
    const held = new Set<net.Socket>();
    let requests = 0;
    let allIn: () => void = () => undefined;
    const arrived = new Promise<void>((r) => { allIn = r; });
    const dev = net.createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
      socket.on('data', (c: Buffer) => {
        if (c.toString('latin1').startsWith('GET /half')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789');
        if (++requests === 21) allIn();
      });
    });
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-cli-'));
    const harFile = join(dir, 'stopped.har');
    const capture = spawnCapture(['--target', `http://127.0.0.1:${(dev.address() as net.AddressInfo).port}`, '--har', harFile, '--stop-grace', '0.2']);
    const { child } = capture;
    const clients: net.Socket[] = [];
    try {
      const url = await capture.url;
      const port = Number(new URL(url).port);
      let halfSeen: () => void = () => undefined;
      const half = new Promise<void>((r) => { halfSeen = r; });
      for (let i = 0; i < 21; i++) {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${i === 0 ? '/half' : `/wait/${i}`} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
        socket.on('error', () => undefined);
        if (i === 0) socket.on('data', (c: Buffer) => { if (c.toString('latin1').includes('0123456789')) halfSeen(); });
        clients.push(socket);
      }
      await arrived;
      await half;
      child.kill('SIGTERM');
      assert.equal(await capture.exited, 0, capture.stderr());
      const har = JSON.parse(readFileSync(harFile, 'utf8')) as { log: { entries: { request: { url: string }; response: { status: number; bodySize: number; _error?: string }; _sessionLens: { state: string } }[] } };
      assert.equal(har.log.entries.length, 21);
      for (const entry of har.log.entries) {
        assert.equal(entry.response._error, 'capture stopped', entry.request.url);
        assert.equal(entry._sessionLens.state, 'aborted');
        if (entry.request.url.endsWith('/half')) assert.deepEqual([entry.response.status, entry.response.bodySize], [200, 10]);
        else assert.equal(entry.response.status, 0);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const c of clients) c.destroy();
      for (const s of held) s.destroy();
      await new Promise<void>((r) => dev.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes --response-timeout, --body-timeout and --idle-timeout in seconds', async () => {
    // A dev server that reads everything and answers nothing.
    const held = new Set<net.Socket>();
    const dev = net.createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', r));
    const capture = spawnCapture(['--target', `http://127.0.0.1:${(dev.address() as net.AddressInfo).port}`,
      '--response-timeout', '0.3', '--body-timeout', '0.3', '--idle-timeout', '0.3']);
    /** What a raw connection got until the proxy closed it. */
    const exchange = (port: number, request: string) => new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(port, '127.0.0.1', () => { if (request) socket.write(request); });
      socket.on('data', (c: Buffer) => { text += c.toString('latin1'); });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
    });
    try {
      const port = Number(new URL(await capture.url).port);
      const [unanswered, stalled, idle] = await Promise.all([
        exchange(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
        exchange(port, 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\npart'),
        exchange(port, ''),
      ]);
      assert.match(unanswered, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
      assert.match(stalled, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.equal(idle, '');
    } finally {
      capture.child.kill('SIGKILL');
      for (const s of held) s.destroy();
      await new Promise<void>((r) => dev.close(() => r()));
    }
  });

  it('runs headless against the sample app, prints JSON lines, writes the HAR on SIGINT and exits 0', async () => {
    const app = await sampleApp.start(0);
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-cli-'));
    const harFile = join(dir, 'capture.har');
    const capture = spawnCapture(['--target', app.url, '--har', harFile]);
    const { child, lines } = capture;
    try {
      const url = await capture.url;
      const listening = lines.find((l) => l.type === 'listening')!;
      assert.equal(listening.browseUrl, url, 'a target on 127.0.0.1 is browsed at the proxy address');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const home = await request(`${url}/`);
      const sid = (home.headers['set-cookie'] ?? [])[0].split(';')[0];
      await request(`${url}/login`, { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: sid } });
      const created = await waitForLine(child, lines, (l) => l.type === 'cookie' && l.name === 'token');
      assert.equal(created.event, 'created');
      assert.equal(created.request, 'POST /login');
      const token = await waitForLine(child, lines, (l) => l.type === 'token' && l.kind === 'jwt-in-cookie');
      assert.match(String(token.expiresAt), /^\d{4}-\d\d-\d\dT/);
      child.kill('SIGINT');
      assert.equal(await capture.exited, 0, capture.stderr());
      const stopped = lines.at(-1)!;
      assert.equal(stopped.type, 'stopped');
      assert.equal(stopped.har, harFile);
      assert.equal(statSync(harFile).mode & 0o777, 0o600);
      const audit = await cli(['audit', harFile, '--format', 'json']);
      assert.equal(audit.code, 0);
      const report = JSON.parse(audit.stdout) as { cookies: { name: string }[]; findings: { ruleId: string }[] };
      assert.deepEqual(report.cookies.map((c) => c.name).sort(), ['connect.sid', 'token']);
      assert.ok(report.findings.some((f) => f.ruleId === 'session-fixation'), 'the sample app keeps its session id across login');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A dev server: GET /n/<i> answers with a Set-Cookie and a body of `bodyBytes`; /flood sets 5 new cookie names each time. */
async function startDevServer(bodyBytes = 16): Promise<{ url: string; close(): Promise<void> }> {
  let flood = 0;
  const body = Buffer.alloc(bodyBytes, 'x');
  const server = http.createServer((req, res) => {
    if (req.url === '/flood') {
      const cookies: string[] = [];
      for (let i = 0; i < 5; i++) cookies.push(`c${flood++}=v; Path=/`);
      res.writeHead(200, { 'set-cookie': cookies, 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(200, { 'set-cookie': 'sid=made-up-session-0001; Path=/; HttpOnly', 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** `count` GETs of /n/<i>, in order, over one keep-alive connection. */
async function sendRequests(url: string, count: number, path = (i: number) => `/n/${i}`): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < count; i++) {
      const res = await request(`${url}${path(i)}`, { agent });
      assert.equal(res.status, 200);
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Resolves when `file` satisfies `done`. The journal's writes have no event outside the child, so
 * this looks at the file whenever it changes (fs.watch), and gives up when `gone` resolves.
 */
function untilFile(file: string, done: (text: string) => boolean, gone: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): boolean => existsSync(file) && done(readFileSync(file, 'utf8'));
    if (check()) return resolve();
    const watcher = watch(dirname(file), () => {
      if (!check()) return;
      watcher.close();
      resolve();
    });
    void gone.then(() => { watcher.close(); reject(new Error(`the process ended before ${file} was ready`)); });
  });
}

interface HarFile { log: { entries: { request: { url: string }; _sessionLens: { exchangeId: number } }[]; comment?: string } }

describe('CLI: session-lens capture keeps what the user asked to keep', function () {
  this.timeout(120_000);
  let dir: string;
  let server: Awaited<ReturnType<typeof startDevServer>>;
  let capture: CaptureChild | undefined;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'session-lens-keep-')); });
  afterEach(async () => {
    if (capture && capture.child.exitCode === null && capture.child.signalCode === null) {
      capture.child.kill('SIGKILL');
      await capture.exited;
    }
    capture = undefined;
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--har gets every exchange, in order, when there are more than --max-exchanges; the drop is said once', async () => {
    server = await startDevServer();
    const harFile = join(dir, 'all.har');
    capture = spawnCapture(['--target', server.url, '--har', harFile, '--max-exchanges', '100']);
    const url = await capture.url;
    await sendRequests(url, 1000);
    capture.child.kill('SIGINT');
    assert.equal(await capture.exited, 0, capture.stderr());
    const har = JSON.parse(readFileSync(harFile, 'utf8')) as HarFile;
    assert.equal(har.log.entries.length, 1000);
    assert.deepEqual(har.log.entries.map((e) => new URL(e.request.url).pathname), Array.from({ length: 1000 }, (_, i) => `/n/${i}`));
    const notices = capture.stderr().match(/keeping the last 100 in memory/g) ?? [];
    assert.equal(notices.length, 1, capture.stderr());
    assert.match(capture.stderr(), /--har .*all\.har still receives every exchange/);
    const stopped = capture.lines.at(-1)!;
    assert.equal(stopped.exchanges, 1000);
    assert.equal(stopped.harEntries, 1000);
    assert.deepEqual(readdirSync(dir), ['all.har'], 'the journal became the HAR');
  });

  it('--redact applies to journaled entries', async () => {
    server = await startDevServer();
    const harFile = join(dir, 'redacted.har');
    capture = spawnCapture(['--target', server.url, '--har', harFile, '--redact', '--max-exchanges', '10']);
    const url = await capture.url;
    await sendRequests(url, 30);
    capture.child.kill('SIGINT');
    assert.equal(await capture.exited, 0, capture.stderr());
    const text = readFileSync(harFile, 'utf8');
    assert.equal((JSON.parse(text) as HarFile).log.entries.length, 30);
    assert.ok(!text.includes('made-up-session-0001'), 'no cookie value in a redacted HAR');
    assert.match(text, /sid=\[redacted\]/);
  });

  it('a second SIGINT while stopping still leaves a complete, valid HAR', async () => {
    server = await startDevServer(20 * 1024);
    const harFile = join(dir, 'twice.har');
    capture = spawnCapture(['--target', server.url, '--har', harFile]);
    const url = await capture.url;
    await sendRequests(url, 2000);
    capture.child.kill('SIGINT');
    await capture.stderrMatch(/writing \d+ exchanges to .*twice\.har/);
    // The process may already be done closing: then there is nobody to signal.
    if (capture.child.exitCode === null) capture.child.kill('SIGINT');
    assert.equal(await capture.exited, 0, capture.stderr());
    const stopped = capture.lines.at(-1)!;
    assert.equal(stopped.type, 'stopped');
    assert.equal(stopped.harEntries, 2000);
    const har = JSON.parse(readFileSync(harFile, 'utf8')) as HarFile;
    assert.equal(har.log.entries.length, 2000);
    assert.equal(statSync(harFile).mode & 0o777, 0o600);
  });

  it('an existing 0644 file is replaced by a 0600 one', async () => {
    server = await startDevServer();
    const harFile = join(dir, 'old.har');
    writeFileSync(harFile, '{"log":{"version":"1.2","entries":[]}}');
    chmodSync(harFile, 0o644);
    capture = spawnCapture(['--target', server.url, '--har', harFile]);
    await sendRequests(await capture.url, 3);
    capture.child.kill('SIGINT');
    assert.equal(await capture.exited, 0, capture.stderr());
    assert.equal(statSync(harFile).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(harFile, 'utf8')) as HarFile).log.entries.length, 3);
  });

  it('kill -9 mid-capture leaves the previous file untouched and a journal that audit reads', async () => {
    server = await startDevServer();
    const harFile = join(dir, 'kept.har');
    const previous = readFileSync(join(HAR_DIR, 'chrome.har'), 'utf8');
    writeFileSync(harFile, previous);
    capture = spawnCapture(['--target', server.url, '--har', harFile]);
    const url = await capture.url;
    await sendRequests(url, 50);
    const journal = join(dir, `kept.har.${capture.child.pid}.journal`);
    await untilFile(journal, (text) => text.split('\n').length > 50, capture.exited);
    capture.child.kill('SIGKILL');
    await capture.exited;
    assert.equal(readFileSync(harFile, 'utf8'), previous);
    assert.ok(existsSync(journal), `journal kept: ${readdirSync(dir).join(', ')}`);
    assert.equal(statSync(journal).mode & 0o777, 0o600);
    assert.throws(() => JSON.parse(readFileSync(journal, 'utf8')), 'the journal is an unterminated HAR');
    const audit = await cli(['audit', journal, '--format', 'json']);
    assert.equal(audit.code, 0, audit.stderr);
    const report = JSON.parse(audit.stdout) as { cookies: { name: string }[] };
    assert.deepEqual(report.cookies.map((c) => c.name), ['sid']);
    const text = await cli(['audit', journal]);
    assert.match(text.stdout, /note: the HAR was never closed .*: read its \d+ complete entries/);
  });

  it('bounds the cookie jar against a flood and prints each eviction with its reason', async () => {
    server = await startDevServer();
    capture = spawnCapture(['--target', server.url]);
    const url = await capture.url;
    await sendRequests(url, 100, () => '/flood');
    const evicted = await waitForLine(capture.child, capture.lines, (l) => l.type === 'cookie' && l.event === 'evicted' && l.name === 'c319');
    assert.equal(evicted.reason, 'more than 180 cookies for 127.0.0.1');
    capture.child.kill('SIGINT');
    assert.equal(await capture.exited, 0, capture.stderr());
    const stopped = capture.lines.at(-1)!;
    assert.equal(stopped.cookies, 180);
    const evictions = capture.lines.filter((l) => l.type === 'cookie' && l.event === 'evicted');
    assert.equal(evictions.length, 500 - 180);
    assert.deepEqual(evictions.slice(0, 3).map((l) => l.name), ['c0', 'c1', 'c2'], 'the least recently used go first');
  });
});
