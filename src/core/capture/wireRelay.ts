import * as net from 'node:net';
import * as tls from 'node:tls';
import { PreviewCollector, isTextLike, mimeTypeOf } from './bodyPreview';
import { headerFields } from './headerFields';
import {
  BODY_CHUNKED, BODY_LENGTH, BODY_NONE, BODY_UNTIL_CLOSE, type BodyFraming, ChunkedDecoder, HttpParseError,
  type RequestHead, type ResponseHead, headEnd, parseRequestHead, parseResponseHead, skipEmptyLines,
} from './http1';
import type { SessionStore } from './sessionStore';
import type { CaptureLogger, ExchangeState } from './types';

/** What the relay needs to know, fixed for the life of a proxy. */
export interface RelayConfig {
  readonly targetOrigin: string;
  /** `host[:port]` of the target as in its URL. */
  readonly targetHost: string;
  readonly targetProtocol: 'http:' | 'https:';
  /** Host name to connect to (IPv6 without brackets). */
  readonly connectHost: string;
  readonly connectPort: number;
  readonly rejectUnauthorized: boolean;
  readonly rewriteHost: boolean;
  readonly previewBytes: number;
  readonly maxHeaderBytes: number;
  /** 0 disables. */
  readonly responseMs: number;
  /** 0 disables. */
  readonly bodyIdleMs: number;
  readonly store: SessionStore;
  readonly logger: CaptureLogger | undefined;
  readonly isLoopbackHost: (host: string) => boolean;
}

/** A partial request head may take this long before the client gets 408. */
const HEAD_TIMEOUT_MS = 60_000;
/** Idle upstream connections are closed after this (below Node's 5 s keep-alive timeout, to avoid reusing one it is closing). */
const UPSTREAM_IDLE_MS = 4_000;
/** Pipelined request bytes buffered while a response is pending before the client is paused. */
const PIPELINE_BUFFER_BYTES = 256 * 1024;

/** Recording steps of an exchange (queued in this order), and what a failure of each is reported as. */
const STEP_BEGIN = 0;
const STEP_REQUEST_BODY = 1;
const STEP_RESPONSE = 2;
const STEP_FINISH = 3;
const STEP_SETTLE = 4;
const STEP_FAILURES: readonly string[] = ['recording a request failed', 'recording a request body failed', 'recording response headers failed', 'recording a response failed', 'settling'];

const R_HEAD = 0;
const R_BODY = 1;
const R_DONE = 2;

type FlowState = Exclude<ExchangeState, 'pending'>;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hostOnlyOf(hostHeader: string): string {
  const m = /^\[[^\]]*\]|^[^:]*/.exec(hostHeader);
  return m ? m[0] : hostHeader;
}

/**
 * The HTTP/1.1 relay behind the capture proxy: browser connections in, a pool of keep-alive
 * connections to the dev server out. It forwards the bytes it receives (heads and bodies as
 * they came, chunked stays chunked, header case and order kept) and only parses enough to
 * know where each message ends. Deliberate changes: redirect URLs on the target become proxy
 * URLs, Host is rewritten when asked, an absolute-form request target becomes origin-form,
 * and an HTTP/1.0 client gets a chunked response de-chunked and close-delimited.
 *
 * Recording runs after the current I/O turn (setImmediate), in order: the bytes of a response
 * reach the socket before its analysis starts, so recording adds no latency to forwarding,
 * and an exception in it is logged once and never touches the traffic.
 */
export class Relay {
  proxyUrl = '';
  proxyHost = '';
  readonly clients = new Set<ClientConnection>();
  /** Flows waiting for a response head or streaming a body (for the timeout sweep). */
  readonly active = new Set<Flow>();
  /** Clients in the middle of sending a head (for the head timeout). */
  readonly partialHeads = new Set<ClientConnection>();
  readonly idle: UpstreamConnection[] = [];
  readonly tunnels = new Set<net.Socket>();
  private deferred: (Flow | number | (() => void))[] = [];
  private drainScheduled = false;
  private readonly reported = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly connectOptions: net.NetConnectOpts | tls.ConnectionOptions;

  constructor(readonly config: RelayConfig) {
    const host = config.connectHost;
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
    this.connectOptions = config.targetProtocol === 'https:'
      ? { host, port: config.connectPort, servername, rejectUnauthorized: config.rejectUnauthorized, ALPNProtocols: ['http/1.1'] }
      : { host, port: config.connectPort };
    const every = Math.max(10, Math.min(1000, Math.floor(Math.min(config.responseMs || 1000, config.bodyIdleMs || 1000) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  /** A new browser connection. */
  accept(socket: net.Socket): void {
    const client = new ClientConnection(this, socket);
    this.clients.add(client);
  }

  /** An upstream connection for `flow`: an idle one when there is one, else a new one. */
  acquire(flow: Flow): UpstreamConnection {
    let up: UpstreamConnection | undefined;
    while ((up = this.idle.pop()) !== undefined) {
      if (!up.socket.destroyed && up.socket.readyState === 'open') break;
    }
    if (up === undefined) {
      const socket = this.config.targetProtocol === 'https:' ? tls.connect(this.connectOptions as tls.ConnectionOptions) : net.connect(this.connectOptions as net.NetConnectOpts);
      up = new UpstreamConnection(this, socket);
    } else {
      up.reused = true;
    }
    up.flow = flow;
    up.gotBytes = false;
    if (up.socket.isPaused()) up.socket.resume();
    return up;
  }

  /** Returns a connection whose exchange completed cleanly to the pool. */
  release(up: UpstreamConnection): void {
    up.flow = null;
    if (up.socket.destroyed || up.socket.readyState !== 'open') {
      up.socket.destroy();
      return;
    }
    up.idleSince = Date.now();
    if (up.socket.isPaused()) up.socket.resume();
    this.idle.push(up);
  }

  dropIdle(up: UpstreamConnection): void {
    const i = this.idle.indexOf(up);
    if (i !== -1) this.idle.splice(i, 1);
  }

  /** Queues a recording step to run after the current I/O turn. */
  later(target: Flow | (() => void), step: number): void {
    this.deferred.push(target, step);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Runs every queued recording step. */
  readonly drain = (): void => {
    this.drainScheduled = false;
    const batch = this.deferred;
    this.deferred = [];
    for (let i = 0; i < batch.length; i += 2) {
      const target = batch[i];
      const step = batch[i + 1] as number;
      try {
        if (typeof target === 'function') target();
        else (target as Flow).record(step);
      } catch (err) {
        this.reportOnce(STEP_FAILURES[step], err);
      }
    }
  };

  /** Resolves once everything forwarded so far is recorded. */
  settled(): Promise<void> {
    return new Promise<void>((resolve) => this.later(resolve, STEP_SETTLE));
  }

  reportOnce(what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const key = `${what}: ${message}`;
    if (this.reported.has(key) || this.reported.size > 100) return;
    this.reported.add(key);
    this.config.logger?.error(`Session Lens capture proxy: ${key}`);
  }

  /** Origin the browser used to reach us, for redirect rewriting: only trusted when loopback. */
  clientOrigin(hostHeader: string | undefined): string {
    return hostHeader && this.config.isLoopbackHost(hostOnlyOf(hostHeader)) ? `http://${hostHeader}` : this.proxyUrl;
  }

  /** `value` with a target-origin prefix replaced by `origin`; unchanged when it points elsewhere. */
  rewriteUrl(value: string, origin: string): string {
    const v = value.trim();
    const m = /^(https?):\/\/([^/?#]*)/i.exec(v);
    if (!m || `${m[1].toLowerCase()}:` !== this.config.targetProtocol) return value;
    const authority = m[2].toLowerCase();
    const expected = this.config.targetHost.toLowerCase();
    const withDefault = `${this.config.connectHost.includes(':') ? `[${this.config.connectHost}]` : this.config.connectHost}:${this.config.targetProtocol === 'https:' ? 443 : 80}`.toLowerCase();
    return authority === expected || authority === withDefault ? origin + v.slice(m[0].length) : value;
  }

  /** A complete error response, closing the connection. */
  errorResponse(status: number, title: string, detail: string): string {
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head><body>`
      + `<h1>${status} ${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`
      + `<p>Session Lens capture proxy → <code>${escapeHtml(this.config.targetOrigin)}</code></p></body></html>\n`;
    return `HTTP/1.1 ${status} ${title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      + `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
  }

  /** The 502 text for an upstream failure, with what to check. */
  unreachable(code: string): string {
    const hint = code === 'ECONNREFUSED' ? 'Is the dev server running, on this port?'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'Check the host name of the target.'
        : code === 'ECONNRESET' || code === 'EPIPE' ? 'The dev server closed the connection (restarting? crashed?).'
          : /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) ? 'The target\'s TLS certificate was rejected; allow self-signed certificates or fix the certificate.'
            : 'Check that the target URL is right and the server answers.';
    return `Session Lens could not get a response from ${this.config.targetOrigin}: ${code}. ${hint}`;
  }

  private sweep(): void {
    const now = Date.now();
    const { responseMs, bodyIdleMs } = this.config;
    for (const flow of this.active) flow.checkTimers(now, responseMs, bodyIdleMs);
    for (const client of this.partialHeads) {
      if (now - client.headSince > HEAD_TIMEOUT_MS) client.reject(408, 'Request Timeout');
    }
    while (this.idle.length > 0 && now - this.idle[0].idleSince > UPSTREAM_IDLE_MS) this.idle.shift()?.socket.destroy();
  }

  /** Closes every connection; recording of what was forwarded still completes. */
  close(): void {
    clearInterval(this.sweeper);
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
    for (const up of this.idle) up.socket.destroy();
    this.idle.length = 0;
    for (const flow of this.active) flow.up?.socket.destroy();
    this.drain();
  }
}

/** One browser connection: requests are parsed and relayed one at a time, in order. */
class ClientConnection {
  /** Bytes received and not yet relayed: a partial head, or pipelined requests. */
  buf: Buffer | null = null;
  flow: Flow | null = null;
  /** The connection ends after the current response (Connection: close, HTTP/1.0, an error). */
  closeAfter = false;
  /** The client sent FIN. */
  ended = false;
  headSince = 0;
  tunneled = false;

  private readonly listeners: [string, (chunk: Buffer) => void][] = [
    ['data', (chunk: Buffer) => this.onData(chunk)],
    ['end', () => this.onEnd()],
    ['close', () => this.onClose()],
    ['drain', () => this.flow?.onClientDrain()],
  ];

  constructor(readonly relay: Relay, readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    for (const [event, fn] of this.listeners) socket.on(event, fn);
  }

  /** Stops handling the socket's events (it becomes one end of a tunnel). */
  detach(): void {
    this.socket.pause();
    for (const [event, fn] of this.listeners) this.socket.off(event, fn);
    this.relay.clients.delete(this);
  }

  private onData(chunk: Buffer): void {
    const flow = this.flow;
    if (flow !== null && !flow.requestDone) {
      flow.onRequestData(chunk);
      return;
    }
    if (this.closeAfter) return;
    this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    if (flow !== null) {
      // Pipelined: wait for the current response; do not buffer without bound.
      if (this.buf.length > PIPELINE_BUFFER_BYTES) this.socket.pause();
      return;
    }
    this.parseNext();
  }

  /** Starts relaying the next buffered request, if its head is complete. */
  parseNext(): void {
    let buf = this.buf;
    if (buf === null) return;
    const start = skipEmptyLines(buf, 0);
    if (start === buf.length) {
      this.buf = null;
      return;
    }
    let end: number;
    let head: RequestHead;
    try {
      end = headEnd(buf, start);
      if (end === -1) {
        if (buf.length - start > this.relay.config.maxHeaderBytes) {
          this.reject(431, 'Request Header Fields Too Large');
          return;
        }
        if (start > 0) this.buf = buf = buf.subarray(start);
        if (this.headSince === 0) {
          this.headSince = Date.now();
          this.relay.partialHeads.add(this);
        }
        return;
      }
      if (end - start > this.relay.config.maxHeaderBytes) {
        this.reject(431, 'Request Header Fields Too Large');
        return;
      }
      head = parseRequestHead(buf, start, end);
    } catch (err) {
      const e = err as HttpParseError;
      this.reject(e.status ?? 400, e.status === 505 ? 'HTTP Version Not Supported' : 'Bad Request');
      return;
    }
    if (this.headSince !== 0) {
      this.headSince = 0;
      this.relay.partialHeads.delete(this);
    }
    this.buf = null;
    try {
      this.startFlow(head, buf, start, end);
    } catch (err) {
      this.relay.reportOnce('a request could not be handled', err);
      this.flow?.failHead(502, 'Bad Gateway', 'Session Lens failed to forward this request.', 'upstream-error', 'internal error');
    }
  }

  private startFlow(head: RequestHead, buf: Buffer, start: number, end: number): void {
    const relay = this.relay;
    const config = relay.config;
    if (head.method === 'CONNECT') {
      this.reject(501, 'Not Implemented', 'Session Lens is a reverse proxy in front of your dev server; it does not open CONNECT tunnels.');
      return;
    }
    if (head.upgrade && head.method !== 'GET') {
      this.reject(400, 'Bad Request', 'Only GET requests can be upgraded.');
      return;
    }
    if (config.rewriteHost && head.host !== undefined && !config.isLoopbackHost(hostOnlyOf(head.host))) {
      // With Host rewritten the dev server cannot check it any more; refuse DNS-rebound names here.
      this.reject(403, 'Forbidden', `Unexpected Host '${head.host}': open the app through ${relay.proxyUrl}.`);
      return;
    }
    let path = head.target;
    let rewritten: string | undefined;
    const first = path.charCodeAt(0);
    if (first !== 0x2f /* '/' */ && !(path === '*' && head.method === 'OPTIONS')) {
      // Absolute-form (a browser configured to use us as a forward proxy): the dev server gets origin-form.
      const m = /^https?:\/\/[^/?#]*/i.exec(path);
      if (!m) {
        this.reject(400, 'Bad Request', 'The request target must be a path or an absolute http(s) URL.');
        return;
      }
      path = path.slice(m[0].length) || '/';
      rewritten = `${head.method} ${path} HTTP/1.${head.minor}`;
    }
    const headText = rewritten !== undefined || (config.rewriteHost && head.hostIndex !== -1)
      ? rewriteRequestHead(buf.toString('latin1', start, end), rewritten, config.rewriteHost ? head : undefined, config.targetHost)
      : undefined;
    const flow = new Flow(relay, this, head, path);
    this.flow = flow;
    if (!head.keepAlive) this.closeAfter = true;
    relay.later(flow, STEP_BEGIN);
    flow.begin(buf, start, end, headText);
  }

  /** Answers a request the proxy will not forward, and closes the connection. */
  reject(status: number, title: string, detail?: string): void {
    if (this.headSince !== 0) {
      this.headSince = 0;
      this.relay.partialHeads.delete(this);
    }
    this.buf = null;
    this.closeAfter = true;
    if (this.socket.writable) {
      this.socket.end(detail === undefined ? `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n` : this.relay.errorResponse(status, title, detail));
    } else {
      this.socket.destroy();
    }
  }

  /** The current exchange is over on both sides: next request, or close. */
  next(): void {
    this.flow = null;
    if (this.closeAfter || this.ended) {
      this.buf = null;
      if (!this.socket.destroyed) this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    if (this.buf !== null) this.parseNext();
  }

  private onEnd(): void {
    this.ended = true;
    const flow = this.flow;
    if (flow !== null) {
      // FIN in the middle of an upload: the body will never be complete. After a complete
      // request, the half-close is passed on and the dev server decides (Node's servers abort).
      if (!flow.requestDone) flow.clientGone();
      else flow.clientHalfClosed();
      return;
    }
    if (this.buf !== null && skipEmptyLines(this.buf, 0) < this.buf.length) this.socket.destroy();
    else this.socket.end();
  }

  private onClose(): void {
    this.relay.clients.delete(this);
    this.relay.partialHeads.delete(this);
    if (this.flow !== null && !this.tunneled) this.flow.clientGone();
  }
}

/** One connection to the dev server; carries one exchange at a time. */
class UpstreamConnection {
  flow: Flow | null = null;
  reused = false;
  gotBytes = false;
  /** False once the connection carried bytes it should not have (it is then closed, not pooled). */
  clean = true;
  idleSince = 0;
  error: NodeJS.ErrnoException | undefined;

  private readonly listeners: [string, (chunk: Buffer) => void][] = [
    ['data', (chunk: Buffer) => this.onData(chunk)],
    ['end', () => this.flow?.onUpstreamEnd()],
    ['close', () => this.onClose()],
    ['drain', () => this.flow?.onUpstreamDrain()],
  ];

  constructor(readonly relay: Relay, readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('error', (err: NodeJS.ErrnoException) => { this.error ??= err; });
    for (const [event, fn] of this.listeners) socket.on(event, fn);
  }

  /** Stops handling the socket's events (it becomes one end of a tunnel). */
  detach(): void {
    this.socket.pause();
    for (const [event, fn] of this.listeners) this.socket.off(event, fn);
  }

  private onData(chunk: Buffer): void {
    this.gotBytes = true;
    const flow = this.flow;
    if (flow === null) {
      // Bytes on an idle connection: the server is confused; never reuse it.
      this.relay.dropIdle(this);
      this.socket.destroy();
      return;
    }
    flow.onUpstreamData(chunk);
  }

  private onClose(): void {
    if (this.flow === null) {
      this.relay.dropIdle(this);
      return;
    }
    this.flow.onUpstreamClose(this, this.error);
  }
}

/**
 * Bytes queued towards a slow peer before the other side is paused. Pausing and resuming a
 * socket costs two system calls, so a fast peer is not made to wait at every 16 KiB mark;
 * memory per connection stays bounded all the same.
 */
const QUEUE_BYTES = 1024 * 1024;

/** Writes `chunk`; false when the peer is so far behind that the sender should pause (wait for 'drain'). */
function send(socket: net.Socket, chunk: Buffer | string): boolean {
  if (socket.destroyed) return true;
  return socket.write(chunk) || socket.writableLength < QUEUE_BYTES;
}

/** The request head with the request line and/or the Host value replaced. */
function rewriteRequestHead(text: string, requestLine: string | undefined, hostOf: RequestHead | undefined, targetHost: string): string {
  const lines = text.split('\r\n');
  if (requestLine !== undefined) lines[0] = requestLine;
  if (hostOf !== undefined) {
    const i = lines.findIndex((l, n) => n > 0 && /^host:/i.test(l));
    if (i !== -1) lines[i] = `${hostOf.fields[hostOf.hostIndex]}: ${targetHost}`;
  }
  return lines.join('\r\n');
}

/**
 * One proxied exchange: relays the request body upstream and the response back, and keeps what
 * its recording needs. Recording happens later, in steps (see Relay.later).
 */
class Flow {
  readonly startedAt = Date.now();
  // Recording state.
  id = 0;
  recordedFinish = false;
  state: FlowState = 'complete';
  error: string | undefined = undefined;
  endedAt = 0;
  receivedAt = 0;
  response: ResponseHead | undefined = undefined;
  requestPreview: PreviewCollector;
  preview: PreviewCollector | undefined = undefined;
  // Request side.
  requestDone = false;
  private reqRemaining = 0;
  private reqChunks: ChunkedDecoder | undefined = undefined;
  /** The head as sent, kept while a stale pooled connection may force a resend. */
  private resend: Buffer | string | undefined = undefined;
  private retried = false;
  // Upstream side.
  up: UpstreamConnection | null = null;
  private respState = R_HEAD;
  private respBuf: Buffer | null = null;
  private respFraming: BodyFraming = BODY_NONE;
  private respRemaining = 0;
  private respChunks: ChunkedDecoder | undefined = undefined;
  private dechunk: { push(c: Buffer): void } | undefined = undefined;
  private upstreamPaused = false;
  private sentAt = 0;
  private lastActivity = 0;
  private clientFin = false;

  constructor(readonly relay: Relay, readonly client: ClientConnection, readonly head: RequestHead, readonly path: string) {
    this.requestPreview = new PreviewCollector(head.framing !== BODY_NONE && isTextLike(mimeTypeOf(head.contentType)) ? relay.config.previewBytes : 0);
  }

  /** Sends the head (and whatever body followed it in `buf`) upstream. */
  begin(buf: Buffer, start: number, end: number, headText: string | undefined): void {
    const relay = this.relay;
    const head = this.head;
    const up = relay.acquire(this);
    this.up = up;
    let bodyEnd = end;
    if (head.framing === BODY_LENGTH) {
      const take = Math.min(head.contentLength, buf.length - end);
      bodyEnd = end + take;
      this.reqRemaining = head.contentLength - take;
      if (take > 0) this.requestPreview.push(buf.subarray(end, bodyEnd));
    } else if (head.framing === BODY_CHUNKED) {
      this.reqChunks = new ChunkedDecoder(relay.config.maxHeaderBytes, 400);
      try {
        const r = this.reqChunks.feed(buf, end, this.requestPreview);
        bodyEnd = r === -1 ? buf.length : r;
      } catch (err) {
        this.badRequestBody(err);
        return;
      }
    }
    if (bodyEnd < buf.length) this.client.buf = buf.subarray(bodyEnd);
    if (head.framing === BODY_NONE) this.resend = headText ?? buf.subarray(start, end);
    this.sentAt = Date.now();
    relay.active.add(this);
    const socket = up.socket;
    let ok: boolean;
    if (headText === undefined) {
      ok = send(socket, buf.subarray(start, bodyEnd));
    } else {
      socket.cork();
      send(socket, headText);
      ok = send(socket, buf.subarray(end, bodyEnd));
      socket.uncork();
    }
    if (!ok) this.client.socket.pause();
    if (head.framing === BODY_NONE || this.reqRemaining === 0 && head.framing === BODY_LENGTH || this.reqChunks?.done) this.requestFinished();
  }

  /** More request body from the client. */
  onRequestData(chunk: Buffer): void {
    let used = chunk.length;
    if (this.reqChunks !== undefined) {
      try {
        const r = this.reqChunks.feed(chunk, 0, this.requestPreview);
        if (r !== -1) used = r;
      } catch (err) {
        this.badRequestBody(err);
        return;
      }
    } else {
      used = Math.min(this.reqRemaining, chunk.length);
      this.reqRemaining -= used;
      this.requestPreview.push(used === chunk.length ? chunk : chunk.subarray(0, used));
    }
    const part = used === chunk.length ? chunk : chunk.subarray(0, used);
    if (used < chunk.length) this.client.buf = chunk.subarray(used);
    const up = this.up;
    if (up !== null && !send(up.socket, part)) this.client.socket.pause();
    if (this.reqRemaining === 0 && this.reqChunks === undefined || this.reqChunks?.done) this.requestFinished();
  }

  private requestFinished(): void {
    this.requestDone = true;
    if (this.head.framing !== BODY_NONE) this.relay.later(this, STEP_REQUEST_BODY);
    if (this.respState === R_DONE) this.complete();
    else if (this.client.buf !== null && this.client.buf.length > PIPELINE_BUFFER_BYTES) this.client.socket.pause();
  }

  private badRequestBody(err: unknown): void {
    this.failHead(400, 'Bad Request', err instanceof Error ? err.message : String(err), 'client-aborted', 'malformed request body');
    // Whatever the client sends now cannot be framed: stop listening to it.
    this.client.socket.destroySoon();
  }

  onClientDrain(): void {
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      this.up?.socket.resume();
    }
  }

  onUpstreamDrain(): void {
    if (!this.requestDone) this.client.socket.resume();
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.respState === R_BODY) {
      this.lastActivity = Date.now();
      this.onResponseBody(chunk, 0);
      return;
    }
    if (this.respState === R_DONE) {
      // Bytes after the end of the response: the connection cannot be reused.
      if (this.up !== null) this.up.clean = false;
      return;
    }
    let buf = this.respBuf === null ? chunk : Buffer.concat([this.respBuf, chunk]);
    this.respBuf = null;
    let pos = 0;
    const config = this.relay.config;
    for (;;) {
      let end: number;
      let head: ResponseHead;
      try {
        end = headEnd(buf, pos);
        if (end === -1) {
          if (buf.length - pos > config.maxHeaderBytes) throw new HttpParseError(`the response head is larger than ${config.maxHeaderBytes} bytes`, 502);
          this.respBuf = pos === 0 ? buf : buf.subarray(pos);
          return;
        }
        if (end - pos > config.maxHeaderBytes) throw new HttpParseError(`the response head is larger than ${config.maxHeaderBytes} bytes`, 502);
        head = parseResponseHead(buf, pos, end, this.head.method);
        if (head.status === 101 && !this.head.upgrade) throw new HttpParseError('101 Switching Protocols to a request that asked for no upgrade', 502);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.failHead(502, 'Bad Gateway', `Session Lens could not forward the response of ${config.targetOrigin}: ${message}.`, 'upstream-error', 'invalid response head');
        return;
      }
      if (head.status === 101) {
        this.tunnel(head, buf, pos);
        return;
      }
      if (head.status < 200) {
        // 100 Continue, 103 Early Hints: relayed to HTTP/1.1 clients, then the final head follows.
        if (this.head.minor === 1) send(this.client.socket, buf.subarray(pos, end));
        pos = end;
        if (pos === buf.length) return;
        buf = buf.subarray(pos);
        pos = 0;
        continue;
      }
      this.onResponseHead(head, buf, pos, end);
      return;
    }
  }

  private onResponseHead(head: ResponseHead, buf: Buffer, pos: number, end: number): void {
    const relay = this.relay;
    this.resend = undefined;
    this.response = head;
    this.receivedAt = Date.now();
    this.lastActivity = this.receivedAt;
    if (relay.config.bodyIdleMs === 0 || head.framing === BODY_NONE) relay.active.delete(this);
    let out: string | undefined;
    if (head.rewritable !== undefined) out = this.rewriteResponseHead(head, buf.toString('latin1', pos, end));
    const client = this.client;
    if (head.framing === BODY_CHUNKED && this.head.minor === 0) {
      // An HTTP/1.0 client cannot read chunked: send the data alone and close to delimit it.
      out = dechunkedHead(out ?? buf.toString('latin1', pos, end));
      const socket = client.socket;
      const preview = () => this.preview;
      this.dechunk = { push: (c: Buffer) => { preview()?.push(c); if (!send(socket, c)) this.pauseUpstream(); } };
      client.closeAfter = true;
    }
    if (!head.keepAlive || head.framing === BODY_UNTIL_CLOSE) client.closeAfter = true;
    this.preview = new PreviewCollector(isTextLike(mimeTypeOf(head.contentType)) ? relay.config.previewBytes : 0);
    this.respFraming = head.framing;
    this.respRemaining = head.contentLength;
    if (head.framing === BODY_CHUNKED) this.respChunks = new ChunkedDecoder(relay.config.maxHeaderBytes, 502);
    this.respState = R_BODY;
    relay.later(this, STEP_RESPONSE);
    const socket = client.socket;
    socket.cork();
    send(socket, out ?? buf.subarray(pos, end));
    if (head.framing === BODY_NONE) {
      if (end < buf.length && this.up !== null) this.up.clean = false;
      socket.uncork();
      this.responseFinished();
      return;
    }
    if (end < buf.length) this.onResponseBody(buf, end);
    socket.uncork();
  }

  private rewriteResponseHead(head: ResponseHead, text: string): string | undefined {
    const relay = this.relay;
    let origin: string | undefined;
    let changed = false;
    const fields = head.fields;
    const values = new Map<number, string>();
    for (const i of head.rewritable ?? []) {
      const name = fields[i].toLowerCase();
      const value = fields[i + 1];
      let next = value;
      if (name === 'location') {
        if (head.status === 201 || (head.status >= 300 && head.status < 400)) next = relay.rewriteUrl(value, origin ??= relay.clientOrigin(this.head.host));
      } else if (name === 'content-location') {
        next = relay.rewriteUrl(value, origin ??= relay.clientOrigin(this.head.host));
      } else {
        const m = /^(\s*\d*\s*;\s*url\s*=\s*['"]?)(.*)$/i.exec(value);
        if (m) next = m[1] + relay.rewriteUrl(m[2], origin ??= relay.clientOrigin(this.head.host));
      }
      if (next !== value) {
        values.set(i, next);
        changed = true;
      }
    }
    if (!changed) return undefined;
    // Field i/2 is on line i/2 + 1 (no folding: the parser refuses it).
    const lines = text.split('\r\n');
    for (const [i, value] of values) lines[(i >> 1) + 1] = `${fields[i]}: ${value}`;
    return lines.join('\r\n');
  }

  private pauseUpstream(): void {
    if (!this.upstreamPaused && this.up !== null) {
      this.upstreamPaused = true;
      this.up.socket.pause();
    }
  }

  private onResponseBody(buf: Buffer, start: number): void {
    const socket = this.client.socket;
    switch (this.respFraming) {
      case BODY_LENGTH: {
        const take = Math.min(this.respRemaining, buf.length - start);
        const part = start === 0 && take === buf.length ? buf : buf.subarray(start, start + take);
        this.preview?.push(part);
        this.respRemaining -= take;
        if (!send(socket, part)) this.pauseUpstream();
        if (this.respRemaining === 0) {
          if (start + take < buf.length && this.up !== null) this.up.clean = false;
          this.responseFinished();
        }
        return;
      }
      case BODY_CHUNKED: {
        let r: number;
        try {
          r = (this.respChunks as ChunkedDecoder).feed(buf, start, this.dechunk ?? this.preview);
        } catch (err) {
          this.reportBroken(err instanceof Error ? err.message : String(err));
          return;
        }
        const endAt = r === -1 ? buf.length : r;
        if (this.dechunk === undefined && !send(socket, start === 0 && endAt === buf.length ? buf : buf.subarray(start, endAt))) this.pauseUpstream();
        if (r !== -1) {
          if (r < buf.length && this.up !== null) this.up.clean = false;
          this.responseFinished();
        }
        return;
      }
      default: {
        const part = start === 0 ? buf : buf.subarray(start);
        this.preview?.push(part);
        if (!send(socket, part)) this.pauseUpstream();
      }
    }
  }

  private responseFinished(): void {
    this.respState = R_DONE;
    this.relay.active.delete(this);
    this.finish('complete');
    if (this.requestDone) this.complete();
  }

  /** Both directions are done: the upstream connection is pooled or closed, the client moves on. */
  private complete(): void {
    const up = this.up;
    this.up = null;
    if (up !== null) {
      if (this.upstreamPaused) {
        this.upstreamPaused = false;
        up.socket.resume();
      }
      if (up.clean && this.head.keepAlive && this.response?.keepAlive === true && this.respFraming !== BODY_UNTIL_CLOSE) this.relay.release(up);
      else {
        up.flow = null;
        up.socket.destroy();
      }
    }
    this.client.next();
  }

  onUpstreamEnd(): void {
    if (this.respState === R_BODY && this.respFraming === BODY_UNTIL_CLOSE) {
      this.client.closeAfter = true;
      this.responseFinished();
    }
  }

  onUpstreamClose(up: UpstreamConnection, err: NodeJS.ErrnoException | undefined): void {
    if (up !== this.up) return;
    up.flow = null;
    if (this.respState === R_DONE) {
      // The response is out; the request body still streaming has nowhere to go.
      this.up = null;
      return;
    }
    if (this.respState === R_BODY) {
      if (this.respFraming === BODY_UNTIL_CLOSE && err === undefined) {
        this.client.closeAfter = true;
        this.responseFinished();
        return;
      }
      this.reportBroken(err?.code ?? 'the dev server closed the connection before the response was complete');
      return;
    }
    const code = err?.code ?? (up.gotBytes ? 'EPROTO' : 'ECONNRESET');
    if (up.reused && !up.gotBytes && this.resend !== undefined && !this.retried && this.respBuf === null) {
      // A pooled connection the server had just closed: send the (bodiless) request again on a new one.
      this.retried = true;
      const fresh = this.relay.acquire(this);
      this.up = fresh;
      this.sentAt = Date.now();
      send(fresh.socket, this.resend);
      return;
    }
    this.up = null;
    this.failHead(502, 'Bad Gateway', this.relay.unreachable(code), 'upstream-error', code);
  }

  /** The response cannot be delivered before its head reached the client: answer with an error page. */
  failHead(status: number, title: string, detail: string, state: FlowState, error: string): void {
    if (this.clientFin && state === 'upstream-error') {
      state = 'client-aborted';
      error = 'the client closed its side of the connection before the response was complete';
    }
    this.relay.active.delete(this);
    this.respState = R_DONE;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.flow = null;
      up.socket.destroy();
    }
    this.finish(state, error);
    const client = this.client;
    client.closeAfter = true;
    client.flow = null;
    client.buf = null;
    if (client.socket.writable) client.socket.end(this.relay.errorResponse(status, title, detail));
    else client.socket.destroy();
  }

  /** The response broke after its head was forwarded: cut the client off (a short body must never look complete). */
  private reportBroken(error: string, state: FlowState = 'upstream-error'): void {
    if (this.clientFin && state === 'upstream-error') {
      state = 'client-aborted';
      error = 'the client closed its side of the connection before the response was complete';
    }
    this.relay.active.delete(this);
    this.respState = R_DONE;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.flow = null;
      up.socket.destroy();
    }
    this.finish(state, error);
    this.client.flow = null;
    this.client.socket.destroy();
  }

  /** The client sent FIN after its request: forward it; whatever breaks now is the client's doing. */
  clientHalfClosed(): void {
    this.clientFin = true;
    const up = this.up;
    if (up !== null) {
      up.clean = false;
      up.socket.end();
    }
  }

  /** The client closed (or half-closed mid-upload) before the exchange was over. */
  clientGone(): void {
    if (this.respState !== R_DONE || !this.requestDone) {
      this.finish('client-aborted', 'the client closed the connection before the response was complete');
    }
    this.relay.active.delete(this);
    this.respState = R_DONE;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.flow = null;
      up.socket.destroy();
    }
    this.client.flow = null;
    this.client.socket.destroy();
  }

  checkTimers(now: number, responseMs: number, bodyIdleMs: number): void {
    if (this.respState === R_HEAD) {
      if (responseMs > 0 && now - this.sentAt > responseMs) {
        this.failHead(504, 'Gateway Timeout', `Session Lens waited ${responseMs} ms for ${this.relay.config.targetOrigin} to answer ${this.head.method} ${this.path}.`, 'timeout', `no response within ${responseMs} ms`);
      }
    } else if (this.respState === R_BODY && bodyIdleMs > 0 && now - this.lastActivity > bodyIdleMs) {
      this.reportBroken(`the response body stalled for ${bodyIdleMs} ms`, 'timeout');
    }
  }

  /** 101 Switching Protocols: from here on both connections are an opaque tunnel. */
  private tunnel(head: ResponseHead, buf: Buffer, pos: number): void {
    const relay = this.relay;
    relay.active.delete(this);
    this.resend = undefined;
    this.response = head;
    this.receivedAt = Date.now();
    this.respState = R_DONE;
    relay.later(this, STEP_RESPONSE);
    this.finish('upgraded');
    const up = this.up as UpstreamConnection;
    this.up = null;
    up.flow = null;
    const client = this.client;
    client.flow = null;
    client.tunneled = true;
    const a = client.socket;
    const b = up.socket;
    client.detach();
    up.detach();
    for (const s of [a, b]) {
      relay.tunnels.add(s);
      s.once('close', () => relay.tunnels.delete(s));
    }
    b.on('error', () => a.destroy());
    a.on('error', () => b.destroy());
    b.once('close', () => a.destroy());
    a.once('close', () => b.destroy());
    if (a.destroyed) {
      b.destroy();
      return;
    }
    send(a, pos === 0 ? buf : buf.subarray(pos));
    if (client.buf !== null) {
      send(b, client.buf);
      client.buf = null;
    }
    b.pipe(a);
    a.pipe(b);
  }

  finish(state: FlowState, error?: string): void {
    if (this.recordedFinish) return;
    this.recordedFinish = true;
    this.endedAt = Date.now();
    this.state = state;
    this.error = error;
    this.relay.later(this, STEP_FINISH);
  }

  /** Runs one recording step (from the deferred queue). */
  record(step: number): void {
    const store = this.relay.config.store;
    switch (step) {
      case STEP_BEGIN: {
        const head = this.head;
        const host = head.host;
        const path = this.path === '*' ? '' : this.path;
        this.id = store.beginExchange(head.upgrade ? {
          source: 'proxy', method: head.method, url: `http://${host || this.relay.proxyHost}${path}`, upstreamUrl: this.relay.config.targetOrigin + path,
          path, httpVersion: head.minor === 1 ? '1.1' : '1.0', headers: headerFields(head.fields), startedAt: this.startedAt, upgrade: true,
        } : {
          source: 'proxy', method: head.method, url: `http://${host || this.relay.proxyHost}${path}`, upstreamUrl: this.relay.config.targetOrigin + path,
          path, httpVersion: head.minor === 1 ? '1.1' : '1.0', headers: headerFields(head.fields), startedAt: this.startedAt,
        });
        return;
      }
      case STEP_REQUEST_BODY: {
        const body = this.requestPreview;
        store.addRequestBody(this.id, { bytes: body.bytes(), wireBytes: body.wireBytes, truncated: body.truncated });
        return;
      }
      case STEP_RESPONSE: {
        const r = this.response as ResponseHead;
        // The original (unrewritten) headers are recorded.
        store.addResponse(this.id, { status: r.status, statusText: r.reason, headers: headerFields(r.fields), receivedAt: this.receivedAt });
        return;
      }
      case STEP_FINISH: {
        const body = this.response !== undefined && this.state !== 'upgraded' ? this.preview : undefined;
        const error = this.error;
        const responseBody = body ? { bytes: body.bytes(), wireBytes: body.wireBytes, truncated: body.truncated } : undefined;
        store.finishExchange(this.id, responseBody
          ? error ? { state: this.state, endedAt: this.endedAt, error, responseBody } : { state: this.state, endedAt: this.endedAt, responseBody }
          : error ? { state: this.state, endedAt: this.endedAt, error } : { state: this.state, endedAt: this.endedAt });
        return;
      }
    }
  }
}

/** A response head for an HTTP/1.0 client: Transfer-Encoding and Connection dropped, Connection: close added. */
function dechunkedHead(text: string): string {
  const lines = text.split('\r\n').filter((l, i) => i === 0 || !/^(?:transfer-encoding|connection|keep-alive)\s*:/i.test(l));
  lines.splice(lines.length - 2, 0, 'Connection: close');
  return lines.join('\r\n');
}
