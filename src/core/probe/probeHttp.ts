import * as http from 'node:http';
import * as https from 'node:https';
import { type ParsedSetCookie, parseSetCookie } from '../cookies/setCookie';
import { isLoopbackHost } from '../net/loopback';
import type { HeaderField } from '../session/types';
import { type ProbeLimits, type ProbeRequest, ProbeInputError } from './types';

/** The answer to a probe request, bounded. */
export interface ProbeResponse {
  readonly status: number;
  readonly headers: readonly HeaderField[];
  /** Set-Cookie headers, parsed, in order. */
  readonly setCookies: readonly ParsedSetCookie[];
  /** Location as a path when it points at the server itself, else as sent. */
  readonly location?: string;
  /** The body as text, up to the limit. */
  readonly body: string;
  /** True when the body went past the limit and the rest was not read. */
  readonly truncated: boolean;
}

/** Connection errors that mean nothing listens at the target (a wrong URL or a stopped server). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EADDRNOTAVAIL', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** A probe request got no answer (refused, reset, timed out). */
export class ProbeNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeNetworkError';
  }
}

/**
 * The origin of a probe target: http(s) on a loopback host only. Probes change sessions on the
 * server they talk to, so they may only ever talk to the developer's own machine.
 */
export function loopbackOrigin(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ProbeInputError(`'${target}' is not a URL (expected something like http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProbeInputError(`the target must be an http: or https: URL (got ${url.protocol})`);
  // Names that resolve to loopback whatever the resolver: a *.localhost name could be sent elsewhere.
  if (!isLoopbackHost(url.hostname, { subdomains: false })) {
    throw new ProbeInputError(`refusing to probe ${url.host}: probes only talk to loopback dev servers (localhost, 127.0.0.0/8, ::1)`);
  }
  return url.origin;
}

function locationPath(location: string | undefined, origin: string): string | undefined {
  if (location === undefined) return undefined;
  try {
    const u = new URL(location, origin);
    return u.origin === origin ? `${u.pathname}${u.search}` : u.href;
  } catch {
    return location;
  }
}

/**
 * Sends one probe request and reads its answer within `limits`: never to a host that is not
 * loopback, no redirects followed, no compression asked for, at most `maxBodyBytes` of body.
 */
export function sendProbeRequest(req: ProbeRequest, limits: ProbeLimits): Promise<ProbeResponse> {
  const origin = loopbackOrigin(req.url);
  const url = new URL(req.url);
  const headers: Record<string, string | string[]> = {};
  for (const h of req.headers) {
    const key = h.name.toLowerCase();
    const prev = headers[key];
    headers[key] = prev === undefined ? h.value : [...(Array.isArray(prev) ? prev : [prev]), h.value];
  }
  headers.host = url.host;
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      reject(new ProbeNetworkError(message));
    };
    const timer = setTimeout(() => fail(`${req.method} ${url.pathname} got no complete answer within ${limits.timeoutMs} ms`), limits.timeoutMs);
    // Loopback dev servers often use self-signed certificates; the host is already loopback-only.
    const outgoing = client.request(url, { method: req.method, headers, agent: false, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const raw = res.rawHeaders;
        const fields: HeaderField[] = [];
        for (let i = 0; i + 1 < raw.length; i += 2) fields.push({ name: raw[i], value: raw[i + 1] });
        const setCookies = fields.filter((f) => f.name.toLowerCase() === 'set-cookie').map((f) => parseSetCookie(f.value)).filter((c): c is ParsedSetCookie => c !== undefined);
        const location = fields.find((f) => f.name.toLowerCase() === 'location')?.value;
        resolve({
          status: res.statusCode ?? 0,
          headers: fields,
          setCookies,
          ...(location !== undefined ? { location: locationPath(location, origin) } : {}),
          body: Buffer.concat(chunks).toString('utf8'),
          truncated,
        });
      };
      res.on('data', (chunk: Buffer) => {
        const room = limits.maxBodyBytes - bytes;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, Math.max(0, room)));
          bytes = limits.maxBodyBytes;
          truncated = true;
          finish();
          res.destroy();
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', finish);
      res.on('error', (err) => fail(`${req.method} ${url.pathname}: the answer broke off (${err.message})`));
      res.on('close', () => { if (!res.complete && !truncated) fail(`${req.method} ${url.pathname}: the connection closed before the answer was complete`); });
    });
    outgoing.on('error', (err: NodeJS.ErrnoException) => fail(UNREACHABLE.has(err.code ?? '')
      ? `cannot reach ${origin}: ${err.code}`
      : `${req.method} ${url.pathname}: the connection broke before an answer (${err.code ?? err.message})`));
    outgoing.end(req.body);
  });
}
