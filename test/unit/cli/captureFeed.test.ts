import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './cliProcess';

type Line = Record<string, unknown>;

/** `session-lens capture --json` as a real child process, its JSON lines collected as they come. */
function spawnCapture(target: string) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src/cli/main.ts'), 'capture', '--json', '--target', target, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let buffered = '';
  let stderr = '';
  const waiters: { predicate: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffered.slice(0, nl)) as Line;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.predicate(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (predicate: (l: Line) => boolean): Promise<Line> => {
    const hit = lines.find(predicate);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      waiters.push({ predicate, resolve });
      void exited.then((code) => reject(new Error(`capture exited with ${code} before the line came: ${stderr}`)));
    });
  };
  return { child, lines, exited, waitFor, stderr: () => stderr };
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('CLI: capture --json follows the change feed', function () {
  this.timeout(60000);

  it('prints the audit findings an exchange causes after its cookie line, and counts them at stop', async () => {
    // A dev server that logs in with a session cookie lacking HttpOnly.
    const dev = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('Set-Cookie', 'sid=Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc; Path=/; SameSite=Lax');
        res.setHeader('Cache-Control', 'no-store');
        res.end('ok');
      });
    });
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', () => r()));
    const capture = spawnCapture(`http://127.0.0.1:${(dev.address() as AddressInfo).port}`);
    try {
      const listening = await capture.waitFor((l) => l.type === 'listening');
      assert.equal(await post(`${listening.url as string}/login`, 'user=alice&password=wonderland'), 200);
      const finding = await capture.waitFor((l) => l.type === 'finding' && l.ruleId === 'cookie-missing-httponly');
      assert.equal(finding.event, 'added');
      assert.equal(finding.subject, 'sid');
      assert.equal(typeof finding.exchangeId, 'number');
      const cookie = capture.lines.findIndex((l) => l.type === 'cookie' && l.name === 'sid' && l.event === 'created');
      assert.ok(cookie !== -1 && cookie < capture.lines.indexOf(finding), 'the cookie line comes first, in feed order');
      capture.child.kill('SIGINT');
      assert.equal(await capture.exited, 0, capture.stderr());
      const stopped = capture.lines.at(-1)!;
      assert.equal(stopped.type, 'stopped');
      assert.ok(Number(stopped.findings) >= 1, JSON.stringify(stopped));
    } finally {
      if (capture.child.exitCode === null) capture.child.kill('SIGKILL');
      await new Promise<void>((r) => dev.close(() => r()));
    }
  });
});
