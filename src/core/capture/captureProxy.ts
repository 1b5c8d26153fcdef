import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { DEFAULT_PREVIEW_BYTES, PreviewCollector, isTextLike, mimeTypeOf } from './bodyPreview';
import { headerFields } from './headerFields';
import { SessionStore } from './sessionStore';
import type { CaptureLogger } from './types';

/** Timeouts of the proxy, in milliseconds; 0 disables one. */
export interface CaptureProxyTimeouts {
  /** Upstream must send response headers within this time, else 504 (default 120 000). */
  readonly responseMs?: number;
  /** A response body may stall this long between chunks before both sides are cut (default 0: never; SSE and long polls idle). */
  readonly bodyIdleMs?: number;
}

/** Options of `startCaptureProxy`. */
export interface CaptureProxyOptions {
  /** The dev server: `http://localhost:3000` or `https://...`. */
  readonly target: string;
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs `allowNonLoopback`. */
  readonly host?: string;
  /** Port to listen on (default 0: a free one). */
  readonly port?: number;
  /** Permit a non-loopback `host`: the proxy then exposes the dev server and its cookies to the network. */
  readonly allowNonLoopback?: boolean;
  /** Send `Host: <target host>` upstream instead of the client's Host (default false: kept). */
  readonly rewriteHost?: boolean;
  /** Require valid TLS certificates upstream. Default: false for loopback https targets (self-signed dev certs), true otherwise. */
  readonly rejectUnauthorized?: boolean;
  /** Bytes of each body read for analysis (default 1 MiB); forwarding is never limited. */
  readonly previewBytes?: number;
  /** Largest request or response head accepted, bytes (default 64 KiB; larger requests get 431, larger responses 502). */
  readonly maxHeaderBytes?: number;
  readonly timeouts?: CaptureProxyTimeouts;
  /** Store to record into (default: a new one). */
  readonly store?: SessionStore;
  readonly logger?: CaptureLogger;
}

/** A running capture proxy. */
export interface CaptureProxy {
  /** Where to point the browser: `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Normalised target origin. */
  readonly target: string;
  readonly store: SessionStore;
  /**
   * Resolves once everything the proxy has forwarded so far is in the store. Recording runs
   * just after forwarding (never in its way), so read the store after this when it must be
   * complete (tests, a summary at the end).
   */
  recorded(): Promise<void>;
  /** Stops listening and closes every connection (also WebSocket tunnels). */
  close(): Promise<void>;
}

/** A bad target URL or listen address: the message is one line for the user. */
export class CaptureConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureConfigError';
  }
}

/** Bytes queued towards the client before the upstream read is paused. */
const CLIENT_QUEUE_BYTES = 1024 * 1024;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'http2-settings']);

/** Recording steps of a proxied exchange (queued in this order), and what a failure of each is reported as. */
const STEP_BEGIN = 0;
const STEP_REQUEST_BODY = 1;
const STEP_RESPONSE = 2;
const STEP_FINISH = 3;
const STEP_SETTLE = 4;
const STEP_FAILURES: readonly string[] = ['recording a request failed', 'recording a request body failed', 'recording response headers failed', 'recording a response failed', 'settling'];

/** What the proxy does with a response header (besides forwarding it). */
const KIND_OTHER = 0;
const KIND_HOP = 1;
const KIND_LOCATION = 2;
const KIND_CONTENT_LOCATION = 3;
const KIND_REFRESH = 4;
const KIND_CONTENT_TYPE = 5;
const RESPONSE_HEADER_KINDS: ReadonlyMap<string, number> = new Map([
  ...[...HOP_BY_HOP].map((h): [string, number] => [h, KIND_HOP]),
  ['location', KIND_LOCATION], ['content-location', KIND_CONTENT_LOCATION], ['refresh', KIND_REFRESH], ['content-type', KIND_CONTENT_TYPE],
]);
/** Name lengths of the headers above: a name of another length is KIND_OTHER without lower-casing it. */
const KIND_LENGTHS = new Uint8Array(32);
for (const name of RESPONSE_HEADER_KINDS.keys()) KIND_LENGTHS[name.length] = 1;

/** The kind of a response header name, any case. */
function responseHeaderKind(name: string): number {
  if (name.length >= KIND_LENGTHS.length || KIND_LENGTHS[name.length] === 0) return KIND_OTHER;
  return RESPONSE_HEADER_KINDS.get(name.toLowerCase()) ?? KIND_OTHER;
}

/** True for 127.0.0.0/8, ::1, localhost and *.localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Parses and checks a target URL; throws CaptureConfigError with a clear message. */
export function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new CaptureConfigError(`target '${target}' is not a URL (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CaptureConfigError(`target '${target}' must be http:// or https://`);
  if (url.username || url.password) throw new CaptureConfigError(`target '${target}' must not contain credentials`);
  if (url.pathname !== '/' || url.search || url.hash) throw new CaptureConfigError(`target '${target}' must be an origin without path or query (e.g. ${url.origin})`);
  return url;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CaptureConfigError(`${name} must be a number of at least 0 (got ${String(value)})`);
  return Math.floor(value);
}

function hostOnlyOf(hostHeader: string): string {
  const m = /^\[[^\]]*\]|^[^:]*/.exec(hostHeader);
  return m ? m[0] : hostHeader;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Header names a Connection header lists as hop-by-hop. */
function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const t of raw[i + 1].split(',')) {
        const n = t.trim().toLowerCase();
        if (n && n !== 'close' && n !== 'keep-alive') (out ??= new Set()).add(n);
      }
    }
  }
  return out;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Starts the capture proxy: a faithful reverse proxy from `host:port` to `target` that records
 * every exchange in `store`. Bodies stream both ways unchanged; analysis reads only a bounded
 * preview and can never break forwarding.
 *
 * Headers: responses reach the browser in upstream order and case, every Set-Cookie separate;
 * requests reach upstream in browser order and case, except that the upstream client (undici)
 * writes `host` and `content-length` in lower case, and hop-by-hop headers (Connection,
 * Keep-Alive, Transfer-Encoding, Upgrade outside upgrades, Expect) are handled per hop.
 * Throws CaptureConfigError for a bad target, address, port or option.
 */
export async function startCaptureProxy(options: CaptureProxyOptions): Promise<CaptureProxy> {
  const target = parseTarget(options.target);
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  if (!isLoopbackHost(host)) {
    // Listening beyond loopback hands the dev app and every captured cookie to the network.
    if (!options.allowNonLoopback) throw new CaptureConfigError(`refusing to listen on ${host}: the capture proxy binds to loopback (127.0.0.1) unless non-loopback addresses are explicitly allowed`);
    logger?.warn(`Session Lens capture proxy listens on ${host}: anyone who can reach it can use your dev server through it`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CaptureConfigError(`port ${port} is not a TCP port (0-65535)`);
  const store = options.store ?? new SessionStore({ logger });
  const previewBytes = nonNegative('previewBytes', options.previewBytes, DEFAULT_PREVIEW_BYTES);
  const maxHeaderSize = nonNegative('maxHeaderBytes', options.maxHeaderBytes, 64 * 1024) || 64 * 1024;
  const responseMs = nonNegative('timeouts.responseMs', options.timeouts?.responseMs, 120_000);
  const bodyIdleMs = nonNegative('timeouts.bodyIdleMs', options.timeouts?.bodyIdleMs, 0);
  const isHttps = target.protocol === 'https:';
  const targetHost = target.host;
  const targetHostname = target.hostname.replace(/^\[|\]$/g, '');
  const targetPort = Number(target.port || defaultPort(target.protocol));
  const targetOrigin = target.origin;
  const rejectUnauthorized = options.rejectUnauthorized ?? !isLoopbackHost(targetHostname);
  const rewriteHost = options.rewriteHost ?? false;
  const transport: typeof http = isHttps ? (https as unknown as typeof http) : http;
  // undici keeps upstream connections alive and reuses them; Node's http serves the browser side.
  const upstream = new Pool(targetOrigin, {
    pipelining: 1,
    headersTimeout: responseMs,
    bodyTimeout: bodyIdleMs,
    maxHeaderSize,
    connect: { rejectUnauthorized },
  });
  const servername = /^[\d.]+$|:/.test(targetHostname) ? undefined : targetHostname;

  const tunnels = new Set<Duplex>();
  const reported = new Set<string>();
  const reportOnce = (what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    const key = `${what}: ${message}`;
    if (reported.has(key) || reported.size > 100) return;
    reported.add(key);
    logger?.error(`Session Lens capture proxy: ${key}`);
  };

  let proxyUrl = '';
  let proxyHost = '';

  // Recording runs after the current I/O turn (setImmediate), in order: the bytes of a response
  // reach the socket before its analysis starts, so recording adds no latency to forwarding.
  // The queue is flat, [flow, step, flow, step, ...], so queueing a step allocates nothing.
  let deferred: (Flow | number | (() => void))[] = [];
  let drainScheduled = false;
  const drain = (): void => {
    drainScheduled = false;
    const batch = deferred;
    deferred = [];
    for (let i = 0; i < batch.length; i += 2) {
      const target = batch[i];
      const step = batch[i + 1] as number;
      try {
        if (typeof target === 'function') target();
        else (target as Flow).record(step);
      } catch (err) {
        reportOnce(STEP_FAILURES[step], err);
      }
    }
  };
  const later = (target: Flow | (() => void), step: number): void => {
    deferred.push(target, step);
    if (!drainScheduled) {
      drainScheduled = true;
      setImmediate(drain);
    }
  };

  /** Origin the browser used to reach us, for redirect rewriting: only trusted when loopback. */
  const clientOrigin = (hostHeader: string | undefined): string =>
    hostHeader && isLoopbackHost(hostOnlyOf(hostHeader)) ? `http://${hostHeader}` : proxyUrl;

  const sameAsTarget = (value: string): number => {
    // Returns the length of the target origin prefix when `value` is an absolute URL on the target.
    const m = /^(https?):\/\/([^/?#]*)/i.exec(value);
    if (!m || `${m[1].toLowerCase()}:` !== target.protocol) return -1;
    const authority = m[2].toLowerCase();
    const expected = targetHost.toLowerCase();
    const withDefault = `${target.hostname.toLowerCase()}:${defaultPort(target.protocol)}`;
    return authority === expected || authority === withDefault ? m[0].length : -1;
  };

  const rewriteUrl = (value: string, origin: string): string => {
    const n = sameAsTarget(value.trim());
    return n === -1 ? value : origin + value.trim().slice(n);
  };

  const upstreamHeaders = (raw: readonly string[], hostHeader: string | undefined, keepUpgrade: boolean): string[] => {
    const listed = connectionTokens(raw);
    const out: string[] = [];
    let sawHost = false;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      const lower = name.toLowerCase();
      if (lower === 'host') {
        if (sawHost) continue;
        sawHost = true;
        out.push(name, rewriteHost ? targetHost : raw[i + 1]);
        continue;
      }
      if (HOP_BY_HOP.has(lower) || listed?.has(lower)) {
        // Framing is redone upstream (a chunked body stays chunked); TE: trailers passes.
        if (lower === 'te' && raw[i + 1].trim().toLowerCase() === 'trailers') out.push(name, raw[i + 1]);
        else if (keepUpgrade && (lower === 'connection' || lower === 'upgrade')) out.push(name, raw[i + 1]);
        continue;
      }
      // The proxy answers Expect: 100-continue itself (see 'checkContinue'); the body then follows at once.
      if (lower === 'expect' && !keepUpgrade) continue;
      out.push(name, raw[i + 1]);
    }
    if (!sawHost) out.unshift('Host', hostHeader === undefined || rewriteHost ? targetHost : hostHeader);
    return out;
  };

  const errorPage = (res: http.ServerResponse, status: number, title: string, detail: string): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head><body>`
      + `<h1>${status} ${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`
      + `<p>Session Lens capture proxy → <code>${escapeHtml(targetOrigin)}</code></p></body></html>\n`;
    try {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.destroy();
    }
  };

  const unreachable = (err: NodeJS.ErrnoException): string => {
    const code = err.code ?? err.message;
    const hint = code === 'ECONNREFUSED' ? 'Is the dev server running, on this port?'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'Check the host name of the target.'
        : code === 'ECONNRESET' ? 'The dev server closed the connection (restarting? crashed?).'
          : /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) ? 'The target\'s TLS certificate was rejected; allow self-signed certificates or fix the certificate.'
            : code === 'HPE_HEADER_OVERFLOW' ? 'The response headers are larger than the proxy accepts.'
              : 'Check that the target URL is right and the server answers.';
    return `Session Lens could not get a response from ${targetOrigin}: ${code}. ${hint}`;
  };

  type FlowState = 'complete' | 'client-aborted' | 'upstream-error' | 'timeout';

  /**
   * One proxied request: the undici handler of its upstream request and what its recording
   * needs. A single object per request (no closures), recorded later in steps.
   */
  class Flow {
    id = 0;
    done = false;
    /** Set when the upstream response head has been forwarded (recorded by STEP_RESPONSE). */
    status = 0;
    statusText = '';
    responseFields: string[] | undefined = undefined;
    receivedAt = 0;
    /** Set by finish() (recorded by STEP_FINISH). */
    state: FlowState = 'complete';
    error: string | undefined = undefined;
    endedAt = 0;
    finishedBody: PreviewCollector | undefined = undefined;
    preview: PreviewCollector | undefined = undefined;
    requestPreview: PreviewCollector | undefined = undefined;
    abortUpstream: ((err?: Error) => void) | undefined = undefined;
    resumeUpstream: (() => void) | undefined = undefined;
    upstreamPaused = false;
    drainListening = false;

    constructor(
      readonly req: http.IncomingMessage,
      readonly res: http.ServerResponse,
      readonly startedAt: number,
      readonly method: string,
      readonly path: string,
      readonly hostHeader: string | undefined,
    ) {}

    /** Runs one recording step (from the deferred queue). */
    record(step: number): void {
      switch (step) {
        case STEP_BEGIN: {
          const req = this.req;
          const path = this.path;
          this.id = store.beginExchange({
            source: 'proxy', method: this.method, url: `http://${this.hostHeader || proxyHost}${path}`, upstreamUrl: targetOrigin + path,
            path, httpVersion: req.httpVersion, headers: headerFields(req.rawHeaders), startedAt: this.startedAt,
          });
          return;
        }
        case STEP_REQUEST_BODY: {
          const body = this.requestPreview as PreviewCollector;
          store.addRequestBody(this.id, { bytes: body.bytes(), wireBytes: body.wireBytes, truncated: body.truncated });
          return;
        }
        case STEP_RESPONSE:
          // The original (unrewritten) headers are recorded.
          store.addResponse(this.id, { status: this.status, statusText: this.statusText, headers: headerFields(this.responseFields as string[]), receivedAt: this.receivedAt });
          return;
        case STEP_FINISH: {
          const body = this.finishedBody;
          const error = this.error;
          store.finishExchange(this.id, body
            ? error
              ? { state: this.state, endedAt: this.endedAt, error, responseBody: { bytes: body.bytes(), wireBytes: body.wireBytes, truncated: body.truncated } }
              : { state: this.state, endedAt: this.endedAt, responseBody: { bytes: body.bytes(), wireBytes: body.wireBytes, truncated: body.truncated } }
            : error ? { state: this.state, endedAt: this.endedAt, error } : { state: this.state, endedAt: this.endedAt });
          return;
        }
      }
    }

    finish(state: FlowState, error?: string): void {
      if (this.done) return;
      this.done = true;
      this.endedAt = Date.now();
      this.state = state;
      this.error = error;
      this.finishedBody = this.preview;
      later(this, STEP_FINISH);
    }

    /** Request body: streamed as is; a bounded slice is kept for analysis on the way through. */
    async *requestBody(): AsyncGenerator<Buffer> {
      const req = this.req;
      const reqPreview = new PreviewCollector(isTextLike(mimeTypeOf(req.headers['content-type'])) ? previewBytes : 0);
      for await (const chunk of req) {
        reqPreview.push(chunk as Buffer);
        yield chunk as Buffer;
      }
      this.requestPreview = reqPreview;
      later(this, STEP_REQUEST_BODY);
    }

    onResponseClose(): void {
      if (!this.res.writableFinished && !this.done) {
        // The client went away: stop the upstream work too.
        this.finish('client-aborted', 'the client closed the connection before the response was complete');
        this.abortUpstream?.(new Error('client aborted'));
      }
    }

    onResponseDrain(): void {
      if (this.upstreamPaused) {
        this.upstreamPaused = false;
        this.resumeUpstream?.();
      }
    }

    onConnect(abort: (err?: Error) => void): void {
      this.abortUpstream = abort;
      if (this.done) abort(new Error('client aborted'));
    }

    onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
      if (status < 200) return true;
      const res = this.res;
      this.resumeUpstream = resume;
      const receivedAt = Date.now();
      const fields = new Array<string>(raw.length);
      for (let i = 0; i < raw.length; i++) fields[i] = raw[i].toString('latin1');
      const listed = connectionTokens(fields);
      const out: string[] = [];
      let origin: string | undefined;
      let mime: string | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i];
        let value = fields[i + 1];
        // Only names of a length some rule cares about are lower-cased (most headers pass untouched).
        const kind = responseHeaderKind(name);
        if (kind !== KIND_OTHER || listed !== undefined) {
          const lower = name.toLowerCase();
          if (kind === KIND_HOP || listed?.has(lower)) {
            if (lower === 'trailer') out.push(name, value);
            continue;
          }
          if (kind === KIND_LOCATION) {
            if (status === 201 || (status >= 300 && status < 400)) value = rewriteUrl(value, origin ??= clientOrigin(this.hostHeader));
          } else if (kind === KIND_CONTENT_LOCATION) {
            value = rewriteUrl(value, origin ??= clientOrigin(this.hostHeader));
          } else if (kind === KIND_REFRESH) {
            const m = /^(\s*\d*\s*;\s*url\s*=\s*['"]?)(.*)$/i.exec(value);
            if (m) value = m[1] + rewriteUrl(m[2], origin ??= clientOrigin(this.hostHeader));
          } else if (kind === KIND_CONTENT_TYPE) {
            mime = mimeTypeOf(value);
          }
        }
        out.push(name, value);
      }
      try {
        res.writeHead(status, statusText, out);
      } catch (err) {
        reportOnce('an upstream response head could not be forwarded', err);
        errorPage(res, 502, 'Bad Gateway', `Session Lens could not forward the response of ${targetOrigin}: ${err instanceof Error ? err.message : String(err)}`);
        this.finish('upstream-error', 'invalid response head');
        return false;
      }
      this.preview = new PreviewCollector(isTextLike(mime) ? previewBytes : 0);
      this.status = status;
      this.statusText = statusText;
      this.responseFields = fields;
      this.receivedAt = receivedAt;
      later(this, STEP_RESPONSE);
      return true;
    }

    onData(chunk: Buffer): boolean {
      this.preview?.push(chunk);
      // Pausing undici's parser is costly, so let up to 1 MiB queue towards a slow client first;
      // beyond that, backpressure holds memory per connection bounded.
      const res = this.res;
      if (res.write(chunk) || res.writableLength < CLIENT_QUEUE_BYTES) return true;
      this.upstreamPaused = true;
      if (!this.drainListening) {
        this.drainListening = true;
        res.on('drain', () => this.onResponseDrain());
      }
      return false;
    }

    onComplete(trailers: (string | Buffer)[] | null): void {
      const res = this.res;
      if (trailers && trailers.length > 0) {
        try {
          const pairsOut: [string, string][] = [];
          for (let i = 0; i + 1 < trailers.length; i += 2) pairsOut.push([String(trailers[i]), String(trailers[i + 1])]);
          res.addTrailers(pairsOut);
        } catch (err) {
          reportOnce('trailers could not be forwarded', err);
        }
      }
      res.end();
      this.finish('complete');
    }

    onError(err: Error & { code?: string }): void {
      if (this.done) return;
      const res = this.res;
      const code = err.code ?? err.message;
      const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
      if (res.headersSent) {
        // Cut the client off: a short body must never look complete.
        res.destroy();
        this.finish(timedOut ? 'timeout' : 'upstream-error', timedOut ? `the response body stalled for ${bodyIdleMs} ms` : code);
        return;
      }
      if (code === 'UND_ERR_HEADERS_TIMEOUT') {
        errorPage(res, 504, 'Gateway Timeout', `Session Lens waited ${responseMs} ms for ${targetOrigin} to answer ${this.method} ${this.path}.`);
        this.finish('timeout', `no response within ${responseMs} ms`);
        return;
      }
      errorPage(res, 502, 'Bad Gateway', unreachable(err));
      this.finish('upstream-error', code);
    }
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const startedAt = Date.now();
    const hostHeader = req.headers.host;
    if (rewriteHost && hostHeader !== undefined && !isLoopbackHost(hostOnlyOf(hostHeader))) {
      // With Host rewritten the dev server cannot check it any more; refuse DNS-rebound names here.
      errorPage(res, 403, 'Forbidden', `Unexpected Host '${hostHeader}': open the app through ${proxyUrl}.`);
      return;
    }
    let path = req.url ?? '/';
    if (path === '*') {
      // Asterisk-form (OPTIONS *) asks about the server itself; the upstream client cannot send it.
      errorPage(res, 501, 'Not Implemented', 'Session Lens does not forward OPTIONS * requests.');
      return;
    }
    if (path.charCodeAt(0) !== 0x2f /* '/' */) {
      // Absolute-form request target (a browser configured to use us as a forward proxy).
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
      path = m ? path.slice(m[0].length) || '/' : '/' + path;
    }
    const method = req.method ?? 'GET';
    const flow = new Flow(req, res, startedAt, method, path, hostHeader);
    later(flow, STEP_BEGIN);
    res.on('close', () => flow.onResponseClose());

    const headers = req.headers;
    const contentLength = headers['content-length'];
    const hasBody = contentLength !== undefined ? contentLength !== '0' : headers['transfer-encoding'] !== undefined;
    try {
      upstream.dispatch({
        path, method: method as Dispatcher.HttpMethod, headers: upstreamHeaders(req.rawHeaders, hostHeader, false),
        // undici streams async iterables (documented; its typings only list Readable).
        body: hasBody ? (flow.requestBody() as unknown as Dispatcher.DispatchOptions['body']) : null,
      }, flow as unknown as Dispatcher.DispatchHandler);
    } catch (err) {
      flow.onError(err as Error);
    }
    if (!hasBody) req.resume();
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const method = req.method ?? 'GET';
    const upgrade = req.headers.upgrade;
    if (method !== 'GET' || !upgrade) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const hostHeader = req.headers.host;
    if (rewriteHost && hostHeader !== undefined && !isLoopbackHost(hostOnlyOf(hostHeader))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const path = req.url ?? '/';
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    let id = 0;
    try {
      id = store.beginExchange({
        source: 'proxy', method, url: `http://${hostHeader || proxyHost}${path}`, upstreamUrl: targetOrigin + path,
        path, httpVersion: req.httpVersion, headers: headerFields(req.rawHeaders), upgrade: true,
      });
    } catch (err) {
      reportOnce('recording an upgrade failed', err);
    }
    const upReq = transport.request({
      host: targetHostname, port: targetPort, method, path, headers: upstreamHeaders(req.rawHeaders, hostHeader, true),
      agent: false, setHost: false, maxHeaderSize, ...(isHttps ? { servername, rejectUnauthorized } : {}),
    } as http.RequestOptions);
    const headLines = (status: number, message: string | undefined, raw: readonly string[]): string => {
      let s = `HTTP/1.1 ${status} ${message ?? ''}\r\n`;
      for (let i = 0; i + 1 < raw.length; i += 2) s += `${raw[i]}: ${raw[i + 1]}\r\n`;
      return s + '\r\n';
    };
    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      try {
        store.addResponse(id, { status: upRes.statusCode ?? 101, statusText: upRes.statusMessage ?? '', headers: headerFields(upRes.rawHeaders) });
        store.finishExchange(id, { state: 'upgraded' });
      } catch (err) {
        reportOnce('recording an upgrade response failed', err);
      }
      tunnels.add(upSocket);
      upSocket.once('close', () => tunnels.delete(upSocket));
      upSocket.on('error', () => socket.destroy());
      socket.on('error', () => upSocket.destroy());
      upSocket.once('close', () => socket.destroy());
      socket.once('close', () => upSocket.destroy());
      if (socket.destroyed) {
        upSocket.destroy();
        return;
      }
      socket.write(headLines(upRes.statusCode ?? 101, upRes.statusMessage, upRes.rawHeaders));
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    upReq.on('response', (upRes) => {
      // Upstream declined the upgrade: relay its answer as is and close.
      try {
        store.addResponse(id, { status: upRes.statusCode ?? 502, statusText: upRes.statusMessage ?? '', headers: headerFields(upRes.rawHeaders) });
      } catch (err) {
        reportOnce('recording an upgrade response failed', err);
      }
      const raw = upRes.rawHeaders.filter((_, i, a) => i % 2 === 0 ? !HOP_BY_HOP.has(a[i].toLowerCase()) : !HOP_BY_HOP.has(a[i - 1].toLowerCase()));
      socket.write(headLines(upRes.statusCode ?? 502, upRes.statusMessage, [...raw, 'Connection', 'close']));
      upRes.pipe(socket);
      upRes.once('end', () => store.finishExchange(id, { state: 'complete' }));
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      store.finishExchange(id, { state: 'upstream-error', error: err.code ?? err.message });
      if (!socket.destroyed) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    socket.once('close', () => upReq.destroy());
    upReq.end();
  };

  const server = http.createServer({ maxHeaderSize, requireHostHeader: false, joinDuplicateHeaders: false } as http.ServerOptions);
  server.on('request', (req, res) => {
    try {
      onRequest(req, res);
    } catch (err) {
      reportOnce('a request could not be handled', err);
      errorPage(res, 502, 'Bad Gateway', 'Session Lens failed to forward this request.');
    }
  });
  // Expect: 100-continue — tell the client to send the body and forward it with the header kept.
  server.on('checkContinue', (req, res) => {
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    try {
      onUpgrade(req, socket, head);
    } catch (err) {
      reportOnce('an upgrade could not be handled', err);
      socket.destroy();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Malformed requests (smuggling attempts, bad headers, oversize heads) get a clean status, never a crash.
    if (!socket.writable || (socket as unknown as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      void upstream.destroy().catch(() => undefined);
      reject(new CaptureConfigError(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => reportOnce('server error', err));
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  proxyUrl = `http://${urlHost}:${boundPort}`;
  proxyHost = `${urlHost}:${boundPort}`;
  logger?.info(`Session Lens capture proxy ${proxyUrl} → ${targetOrigin}`);

  let closing: Promise<void> | undefined;
  return {
    url: proxyUrl,
    port: boundPort,
    host,
    target: targetOrigin,
    store,
    recorded(): Promise<void> {
      return new Promise<void>((resolve) => later(resolve, STEP_SETTLE));
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          drain();
          resolve();
        });
        server.closeAllConnections();
        for (const s of tunnels) s.destroy();
        tunnels.clear();
        void upstream.destroy().catch(() => undefined);
      });
      return closing;
    },
  };
}
