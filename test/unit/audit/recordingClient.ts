import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from 'tough-cookie';
import { SessionStore } from '../../../src/core/session/sessionStore';
import type { HeaderField } from '../../../src/core/session/types';

/** A reply as the test sees it. */
export interface Reply {
  readonly status: number;
  readonly setCookies: string[];
  readonly body: string;
}

/**
 * A tiny browser stand-in: keeps cookies in a tough-cookie jar, talks to a real server on
 * 127.0.0.1 and records every exchange into a real SessionStore, the way the capture proxy does.
 */
export class RecordingClient {
  readonly store: SessionStore;
  private readonly jar = new CookieJar(undefined, { looseMode: true, allowSpecialUseDomain: true, rejectPublicSuffixes: false });

  constructor(readonly base: string, now?: () => number) {
    this.store = new SessionStore({ throttleMs: 0, ...(now ? { now } : {}) });
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const url = new URL(path, this.base).toString();
    const headers: HeaderField[] = [{ name: 'Host', value: new URL(this.base).host }];
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.push({ name, value });
    const cookie = this.jar.getCookieStringSync(url);
    if (cookie) headers.push({ name: 'Cookie', value: cookie });
    let body: Buffer | undefined;
    if (options.form) {
      body = Buffer.from(new URLSearchParams(options.form).toString());
      headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded' });
    } else if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers.push({ name: 'Content-Type', value: 'application/json' });
    }
    if (body) headers.push({ name: 'Content-Length', value: String(body.length) });

    const id = this.store.beginExchange({ source: 'proxy', method, url, headers });
    if (body) this.store.addRequestBody(id, { bytes: body, wireBytes: body.length, truncated: false });
    const reply = await new Promise<{ status: number; raw: string[]; data: Buffer }>((resolve, reject) => {
      const req = http.request(url, { method, headers: Object.fromEntries(headers.map((h) => [h.name, h.value])) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders, data: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    const responseHeaders: HeaderField[] = [];
    for (let i = 0; i + 1 < reply.raw.length; i += 2) responseHeaders.push({ name: reply.raw[i], value: reply.raw[i + 1] });
    this.store.addResponse(id, { status: reply.status, headers: responseHeaders });
    this.store.finishExchange(id, { state: 'complete', responseBody: { bytes: reply.data, wireBytes: reply.data.length, truncated: false } });
    const setCookies = responseHeaders.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
    for (const sc of setCookies) {
      try {
        this.jar.setCookieSync(sc, url, { loose: true });
      } catch {
        // The browser would drop it too.
      }
    }
    return { status: reply.status, setCookies, body: reply.data.toString('utf8') };
  }

  /** The store's snapshot, for the audit. */
  snapshot() {
    return this.store.snapshot();
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** Starts a Node request handler on 127.0.0.1 with a free port. */
export async function listen(handler: http.RequestListener): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A Python that can import Flask: Debian's python3-flask first (see scripts/debian-packages.txt), else PATH's. */
export function flaskPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['-c', 'import flask, werkzeug.serving'], { stdio: 'ignore', timeout: 10000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Runs a Python web app script that prints its port on the first line; resolves to its base URL. */
export async function startPythonApp(python: string, script: string): Promise<{ base: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(python, ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`python app did not start: ${stderr}`)), 15000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^PORT (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`python app exited with ${code}: ${stderr}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
