import * as net from 'node:net';
import { isLoopbackHost } from '../../net/loopback';
import type { Exchange } from '../../session/types';
import type { CaptureProxy } from '../captureProxy';

/** A request Session Lens sends itself (keep-alive, OAuth refresh) could not be sent; the message is one line for the user. */
export class SessionActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionActionError';
  }
}

/** What one request sent through the proxy came back with. */
export interface OwnRequestResult {
  readonly status: number;
  /** The exchange it was recorded as (marked 'sent-by-session-lens'). */
  readonly exchange: Exchange | undefined;
}

/** The parts of a running capture these actions use. */
export type ProxyForActions = Pick<CaptureProxy, 'url' | 'target' | 'store' | 'rules' | 'recorded'>;

/** Response bytes kept to read the status line; the rest is read and dropped (the store has its own preview). */
const KEEP_BYTES = 64 * 1024;
const TIMEOUT_MS = 30_000;

/** Throws unless the capture's dev server is on this machine: these actions never send to anything else. */
export function requireLoopbackTarget(proxy: Pick<CaptureProxy, 'target'>, what: string): void {
  const host = new URL(proxy.target).hostname;
  if (!isLoopbackHost(host, { subdomains: false }) && host.toLowerCase() !== 'localhost') {
    throw new SessionActionError(`${what} only sends to dev servers on this machine; the capture's target ${proxy.target} is not a loopback address`);
  }
}

/**
 * Sends one HTTP/1.1 request through the capture proxy, so it is recorded like any exchange
 * (and marked with `description`), and resolves with its status. The connection is marked as
 * Session Lens's own once connected and before a byte is written, so the proxy always knows.
 */
export function sendOwnRequest(
  proxy: ProxyForActions,
  request: { readonly method: string; readonly path: string; readonly host: string; readonly headers: readonly (readonly [string, string])[]; readonly body?: string },
  description: string,
): Promise<OwnRequestResult> {
  const proxyUrl = new URL(proxy.url);
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${request.host}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return new Promise<OwnRequestResult>((resolve, reject) => {
    const socket = net.connect(Number(proxyUrl.port), proxyUrl.hostname.replace(/^\[|\]$/g, ''));
    let mark: { dispose(): void } | undefined;
    const chunks: Buffer[] = [];
    let kept = 0;
    const timer = setTimeout(() => socket.destroy(new SessionActionError(`no answer through the proxy within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    socket.once('connect', () => {
      mark = proxy.rules.markOwnRequests(socket.localPort ?? 0, description);
      socket.write(body === undefined ? head : Buffer.concat([head, body]));
    });
    socket.on('data', (c: Buffer) => {
      if (kept < KEEP_BYTES) {
        chunks.push(c);
        kept += c.length;
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      mark?.dispose();
      reject(err instanceof SessionActionError ? err : new SessionActionError(`the request through the proxy failed: ${err.message}`));
    });
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      mark?.dispose();
      if (hadError) return;
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) {
        reject(new SessionActionError('the proxy closed the connection without a response'));
        return;
      }
      void proxy.recorded().then(() => {
        const exchanges = proxy.store.snapshot().exchanges;
        let exchange: Exchange | undefined;
        for (let i = exchanges.length - 1; i >= 0 && exchange === undefined; i--) {
          const ex = exchanges[i];
          if (ex.path === request.path && ex.modifications?.some((mod) => mod.kind === 'sent-by-session-lens' && mod.description === description)) exchange = ex;
        }
        resolve({ status: Number(m[1]), exchange });
      });
    });
  });
}
