import * as net from 'node:net';
import * as tls from 'node:tls';
import { isLoopbackHost } from '../net/loopback';
import { type HttpParseError, type RequestHead, headEnd, parseRequestHead, skipEmptyLines } from './http1';
import { Flow, PIPELINE_BUFFER_BYTES, STEP_BEGIN, STEP_FAILURES, STEP_SETTLE } from './relayFlow';
import type { SessionStore } from '../session/sessionStore';
import type { CaptureLogger } from '../session/types';
import type { InFlightRules } from './rules/inFlightRules';

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
  /** Browser connections idle between requests are closed after this; 0 disables. */
  readonly idleMs: number;
  /** A stalled request body gets 408 after this; 0 disables. */
  readonly requestBodyMs: number;
  readonly store: SessionStore;
  readonly logger: CaptureLogger | undefined;
  /** The capture's in-flight rules; the relay hands them a head only while one may apply. */
  readonly rules: InFlightRules | undefined;
}

/** The path and URLs recorded for a request (see Relay.urlsOf). */
export interface RequestUrls {
  readonly path: string;
  /** As the browser asked for it (the proxy's origin). */
  readonly url: string;
  /** As forwarded to the dev server. */
  readonly upstreamUrl: string;
}

/** Distinct host-and-path pairs whose URL strings are shared. */
const URL_CACHE_SIZE = 1024;

/** A flat copy of `s` that shares no memory with the string it was cut or built from. */
function copyOf(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

/** A partial request head may take this long before the client gets 408. */
const HEAD_TIMEOUT_MS = 60_000;
/** Idle upstream connections are closed after this (below Node's 5 s keep-alive timeout, to avoid reusing one it is closing). */
const UPSTREAM_IDLE_MS = 4_000;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An address without the IPv4-mapped prefix of dual-stack sockets. */
function unmapped(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
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
  /**
   * Browser connections; the exchange in progress on each is `flow` (the timeout sweep looks
   * there). No set of exchanges is kept: a Set with an entry added and deleted per request
   * replaces its hash table every few dozen requests, a replaced table keeps a link to its
   * successor, and once one table had reached the old generation every later exchange stayed
   * alive through young collections (measured at 3k req/s: 1.9 MB copied per minor GC, 4–5 ms
   * pauses; 0.01 MB and about 1 ms without the Set).
   */
  readonly clients = new Set<ClientConnection>();
  /** Clients in the middle of sending a head (for the head timeout). */
  readonly partialHeads = new Set<ClientConnection>();
  readonly idle: UpstreamConnection[] = [];
  readonly tunnels = new Set<net.Socket>();
  private deferred: (Flow | number | (() => void))[] = [];
  private readonly urls = new Map<string, RequestUrls>();
  private drainScheduled = false;
  private readonly reported = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;
  /** Set once stop() began: connections take no new requests. */
  stopping = false;
  private stopDone: Promise<void> | undefined;
  /** Resolves stopDone; undefined once the stop is complete. */
  private stopped: (() => void) | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private graceEndsAt = 0;
  private stopCheckQueued = false;
  private readonly connectOptions: net.NetConnectOpts | tls.ConnectionOptions;

  constructor(readonly config: RelayConfig) {
    const host = config.connectHost;
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
    this.connectOptions = config.targetProtocol === 'https:'
      ? { host, port: config.connectPort, servername, rejectUnauthorized: config.rejectUnauthorized, ALPNProtocols: ['http/1.1'] }
      : { host, port: config.connectPort };
    const every = Math.max(10, Math.min(1000, Math.floor(Math.min(config.responseMs || 1000, config.bodyIdleMs || 1000, config.idleMs || 1000, config.requestBodyMs || 1000) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  /** A new browser connection. */
  accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const client = new ClientConnection(this, socket);
    this.clients.add(client);
  }

  /**
   * True when `socket`, a new browser connection, is one of our own connections to the dev
   * server seen from its other end: the target leads back to this proxy (a name or address of
   * this machine the start-up check could not see). Its four addresses and ports match only
   * then (TCP connections are unique by them), so a browser is never taken for one. This
   * changes no traffic (no header is added); a loop through another proxy is not seen.
   */
  isOwnUpstream(socket: net.Socket): boolean {
    const port = socket.remotePort;
    if (port === undefined) return false;
    const address = unmapped(socket.remoteAddress);
    for (const c of this.clients) {
      const up = c.flow?.up;
      if (up != null && up.localPort === port && up.socket.remotePort === socket.localPort && unmapped(up.socket.localAddress) === address) return true;
    }
    return false;
  }

  /** An upstream connection for `flow`: an idle one when there is one, else a new one. */
  acquire(flow: Flow): UpstreamConnection {
    let up: UpstreamConnection | undefined;
    // An upgrade becomes a tunnel (piped streams): it gets a connection of its own that reads
    // the ordinary way.
    const upgrade = flow.head.upgrade;
    while (!upgrade && (up = this.idle.pop()) !== undefined) {
      if (!up.socket.destroyed && up.socket.readyState === 'open') break;
    }
    if (up === undefined) {
      up = this.connect(!upgrade);
    } else {
      up.reused = true;
    }
    up.flow = flow;
    up.gotBytes = false;
    if (up.socket.isPaused()) up.socket.resume();
    return up;
  }

  /**
   * The path and the two URLs recorded for a request, one set of strings shared by all the
   * requests for the same host and path (a page reloads the same URLs over and over). The
   * strings are copies, so the cache never holds on to a whole request head.
   */
  urlsOf(host: string, path: string): RequestUrls {
    const key = `${host}\n${path}`;
    let urls = this.urls.get(key);
    if (urls === undefined) {
      if (this.urls.size >= URL_CACHE_SIZE) this.urls.clear();
      urls = {
        path: copyOf(path),
        url: copyOf(`http://${host}${path}`),
        upstreamUrl: copyOf(this.config.targetOrigin + path),
      };
      this.urls.set(key, urls);
    }
    return urls;
  }

  /**
   * A new connection to the dev server. Plain-HTTP connections that will not become tunnels
   * read into a buffer they reuse (Node's `onread`) instead of a new one per read: a 1 MiB
   * response is 16 reads of 64 KiB, and buffers allocated that fast made V8 collect garbage for
   * external memory many times a second once recording had grown the young generation.
   */
  private connect(reuseReadBuffer: boolean): UpstreamConnection {
    if (this.config.targetProtocol === 'https:') return new UpstreamConnection(this, tls.connect(this.connectOptions as tls.ConnectionOptions), undefined);
    if (!reuseReadBuffer) return new UpstreamConnection(this, net.connect(this.connectOptions as net.NetConnectOpts), undefined);
    const reads = new ReadBuffer();
    const into: { up?: UpstreamConnection } = {};
    const socket = net.connect({
      ...(this.connectOptions as net.TcpNetConnectOpts),
      // `buffer` is first called inside net.connect; `callback` only once data arrives.
      onread: { buffer: () => reads.next(), callback: (n: number, buf: Uint8Array) => (into.up as UpstreamConnection).onRead(n, buf) },
    });
    into.up = new UpstreamConnection(this, socket, reads);
    return into.up;
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

  /**
   * Runs an in-flight rule on a head; a rule that fails is logged once and the head goes on
   * unchanged (the proxy fails open: a bug in a rule never costs the exchange).
   */
  applyRules<T>(rewrite: () => T | undefined): T | undefined {
    try {
      return rewrite();
    } catch (err) {
      this.reportOnce('an in-flight rule failed (the message was forwarded unchanged)', err);
      return undefined;
    }
  }

  /** Origin the browser used to reach us, for redirect rewriting: only trusted when loopback. */
  clientOrigin(hostHeader: string | undefined): string {
    return hostHeader && isLoopbackHost(hostOnlyOf(hostHeader)) ? `http://${hostHeader}` : this.proxyUrl;
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

  /**
   * The one timer of the relay: timeouts are checked here, every 10 ms to 1 s depending on the
   * shortest, instead of a timer per connection or exchange. Idle time is stamped by the sweep
   * itself (the first sweep that sees a connection idle), so a request costs no clock read.
   */
  private sweep(): void {
    const now = Date.now();
    const { responseMs, bodyIdleMs, idleMs, requestBodyMs } = this.config;
    for (const client of this.clients) {
      const flow = client.flow;
      if (flow !== null) {
        flow.checkTimers(now, responseMs, bodyIdleMs, requestBodyMs);
      } else if (idleMs > 0 && client.headSince === 0 && !client.socket.destroyed) {
        if (client.idleSince === 0) client.idleSince = now;
        else if (now - client.idleSince > idleMs) client.socket.destroy();
      }
    }
    for (const client of this.partialHeads) {
      if (now - client.headSince > HEAD_TIMEOUT_MS) client.reject(408, 'Request Timeout');
    }
    while (this.idle.length > 0 && now - this.idle[0].idleSince > UPSTREAM_IDLE_MS) this.idle.shift()?.socket.destroy();
  }

  /** Closes every connection at once, with no exchange recorded (the proxy could not start). */
  close(): void {
    clearInterval(this.sweeper);
    for (const c of this.clients) {
      c.flow?.up?.socket.destroy();
      c.socket.destroy();
    }
    this.clients.clear();
    this.closeTunnelsAndIdle();
    this.drain();
  }

  private closeTunnelsAndIdle(): void {
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
    for (const up of this.idle) up.socket.destroy();
    this.idle.length = 0;
  }

  /**
   * Stops taking requests and lets the exchanges in progress finish for up to `graceMs`, then
   * ends the rest: each is recorded as 'aborted' ("capture stopped") with the bytes that
   * passed, and its client gets a reset. Idle connections and WebSocket tunnels close at once.
   * Resolves once every connection is closed and everything is recorded. Called again while
   * waiting (a second Ctrl+C), a shorter grace ends the wait sooner; 0 ends it now.
   */
  stop(graceMs: number): Promise<void> {
    if (this.stopDone !== undefined) {
      if (this.stopped !== undefined && Date.now() + graceMs < this.graceEndsAt) this.armGrace(graceMs);
      return this.stopDone;
    }
    this.stopping = true;
    this.stopDone = new Promise<void>((resolve) => { this.stopped = resolve; });
    this.closeTunnelsAndIdle();
    for (const c of this.clients) c.stopTaking();
    this.armGrace(graceMs);
    this.flowEnded();
    return this.stopDone;
  }

  private armGrace(graceMs: number): void {
    clearTimeout(this.graceTimer);
    this.graceEndsAt = Date.now() + graceMs;
    if (graceMs === 0) this.abortAll();
    else this.graceTimer = setTimeout(() => this.abortAll(), graceMs);
  }

  /**
   * While stopping: an exchange ended, or a client's last bytes went out. The stop completes once no
   * client has an exchange or bytes still on their way to it (checked after the current turn,
   * so an error page written just now is handed to the socket first).
   */
  flowEnded(): void {
    if (this.stopped !== undefined && !this.stopCheckQueued) {
      this.stopCheckQueued = true;
      this.later(this.checkStopped, STEP_SETTLE);
    }
  }

  private readonly checkStopped = (): void => {
    this.stopCheckQueued = false;
    if (this.stopped === undefined) return;
    for (const c of this.clients) if (c.flow !== null || (!c.socket.destroyed && c.socket.writableLength > 0)) return;
    this.finishStop();
  };

  private abortAll(): void {
    if (this.stopped === undefined) return;
    for (const c of [...this.clients]) c.flow?.stopped();
    this.finishStop();
  }

  private finishStop(): void {
    const resolve = this.stopped;
    if (resolve === undefined) return;
    this.stopped = undefined;
    clearTimeout(this.graceTimer);
    clearInterval(this.sweeper);
    for (const c of this.clients) {
      c.flow?.up?.socket.destroy();
      c.socket.destroy();
    }
    this.clients.clear();
    this.partialHeads.clear();
    this.closeTunnelsAndIdle();
    void this.settled().then(resolve);
  }
}

/**
 * Event handlers that never throw into Node's event loop: a bug in the relay costs the
 * connection it happened on (logged once), never the process hosting the proxy.
 */
function guarded(relay: Relay, fail: () => void, handlers: [string, (chunk: Buffer) => void][]): [string, (chunk: Buffer) => void][] {
  return handlers.map(([event, fn]) => [event, (chunk: Buffer) => {
    try {
      fn(chunk);
    } catch (err) {
      relay.reportOnce(`a connection failed on '${event}'`, err);
      try {
        fail();
      } catch {
        // Nothing more to do: the sockets are gone.
      }
    }
  }]);
}

/** One browser connection: requests are parsed and relayed one at a time, in order. */
export class ClientConnection {
  /** Bytes received and not yet relayed: a partial head, or pipelined requests. */
  buf: Buffer | null = null;
  flow: Flow | null = null;
  /** The connection ends after the current response (Connection: close, HTTP/1.0, an error). */
  closeAfter = false;
  /** The client sent FIN. */
  ended = false;
  headSince = 0;
  /** No request has started on this connection yet (the loop check runs once, on the first). */
  fresh = true;
  /** When the sweep first saw this connection between requests (0: busy, or not seen idle yet). */
  idleSince = 0;
  tunneled = false;

  private readonly listeners: [string, (chunk: Buffer) => void][];

  constructor(readonly relay: Relay, readonly socket: net.Socket) {
    this.listeners = guarded(relay, () => this.fail(), [
      ['data', (chunk: Buffer) => this.onData(chunk)],
      ['end', () => this.onEnd()],
      ['close', () => this.onClose()],
      ['drain', () => this.flow?.onClientDrain()],
    ]);
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

  /** The proxy is stopping: the exchange in progress may finish, then the connection closes; an idle one closes now. */
  stopTaking(): void {
    this.closeAfter = true;
    // Once the last bytes are out ('finish' follows end()), the stop need not wait for this one.
    this.socket.once('finish', () => this.relay.flowEnded());
    if (this.flow === null) {
      this.buf = null;
      this.socket.end();
    }
  }

  /** After an unexpected error: this connection and its exchange end here; the proxy goes on. */
  fail(): void {
    this.flow?.up?.socket.destroy();
    this.socket.destroy();
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
    if (this.fresh) {
      this.fresh = false;
      // By now our connection that sent this (if it is ours) has its local port: it wrote after connecting.
      if (relay.isOwnUpstream(this.socket)) {
        relay.reportOnce('request loop', new Error(`${config.targetOrigin} leads back to this proxy`));
        this.reject(508, 'Loop Detected', `${config.targetOrigin} leads back to this capture proxy (${relay.proxyUrl}); the target must be the dev server.`);
        return;
      }
    }
    if (head.method === 'CONNECT') {
      this.reject(501, 'Not Implemented', 'Session Lens is a reverse proxy in front of your dev server; it does not open CONNECT tunnels.');
      return;
    }
    if (head.upgrade && head.method !== 'GET') {
      this.reject(400, 'Bad Request', 'Only GET requests can be upgraded.');
      return;
    }
    if (config.rewriteHost && head.host !== undefined && !isLoopbackHost(hostOnlyOf(head.host))) {
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
    let headText = rewritten !== undefined || (config.rewriteHost && head.hostIndex !== -1) || head.contentLengthRepeated
      ? rewriteRequestHead(buf.toString('latin1', start, end), rewritten, config.rewriteHost ? head : undefined, config.targetHost, head.contentLengthRepeated ? head.contentLength : -1)
      : undefined;
    const rules = config.rules;
    const changed = rules !== undefined && rules.touchesRequests ? relay.applyRules(() => rules.rewriteRequest(headText ?? buf.toString('latin1', start, end), this.socket.remotePort)) : undefined;
    if (changed !== undefined) headText = changed.text;
    const flow = new Flow(relay, this, head, path);
    if (changed !== undefined) flow.modifications = changed.modifications;
    this.flow = flow;
    this.idleSince = 0;
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
      if (this.relay.stopping) this.relay.flowEnded();
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

/** The read handler of connections that read through 'data' events (never called). */
const ignoreRead = (): void => undefined;

/** Size of the buffer a connection to the dev server reads into (the most one read returns). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * The buffer a connection's reads land in (Node's `onread`), reused from read to read. Each
 * read's bytes are valid until the next read: whatever keeps them copies them (the flow's
 * previews and partial heads do), and a read whose bytes still wait in a client's write queue
 * is `lent`, so the next read goes to a fresh buffer.
 */
class ReadBuffer {
  private buffer: Buffer | null = null;
  lent = false;

  next(): Buffer {
    if (this.buffer === null || this.lent) {
      this.buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
      this.lent = false;
    }
    return this.buffer;
  }
}

/** One connection to the dev server; carries one exchange at a time. */
export class UpstreamConnection {
  flow: Flow | null = null;
  reused = false;
  gotBytes = false;
  /** False once the connection carried bytes it should not have (it is then closed, not pooled). */
  clean = true;
  idleSince = 0;
  /** The local port once connected (for the loop check). */
  localPort = 0;
  error: NodeJS.ErrnoException | undefined;

  private readonly listeners: [string, (chunk: Buffer) => void][];
  private readonly guardedRead: (chunk: Buffer) => void;

  /** `reads`: the socket was made with an `onread` that reads into it and calls `onRead`. */
  constructor(readonly relay: Relay, readonly socket: net.Socket, private readonly reads: ReadBuffer | undefined) {
    this.listeners = guarded(relay, () => this.fail(), [
      ...(reads === undefined ? [['data', (chunk: Buffer) => this.onData(chunk)] as [string, (chunk: Buffer) => void]] : []),
      ['end', () => this.flow?.onUpstreamEnd()],
      ['close', () => this.onClose()],
      ['drain', () => this.flow?.onUpstreamDrain()],
      ['connect', () => { this.localPort = socket.localPort ?? 0; }],
    ]);
    this.guardedRead = reads === undefined ? ignoreRead : guarded(relay, () => this.fail(), [['read', (chunk: Buffer) => this.readInto(chunk)]])[0][1];
    socket.setNoDelay(true);
    socket.on('error', (err: NodeJS.ErrnoException) => { this.error ??= err; });
    for (const [event, fn] of this.listeners) socket.on(event, fn);
  }

  /** `n` bytes arrived in `buf` (from the ReadBuffer). Pausing is explicit: never pauses here. */
  onRead(n: number, buf: Uint8Array): boolean {
    this.guardedRead((buf as Buffer).subarray(0, n));
    return true;
  }

  private readInto(chunk: Buffer): void {
    const client = this.flow?.client.socket;
    this.onData(chunk);
    if (client !== undefined && client.writableLength > 0) (this.reads as ReadBuffer).lent = true;
  }

  /** Stops handling the socket's events (it becomes one end of a tunnel). */
  detach(): void {
    this.socket.pause();
    for (const [event, fn] of this.listeners) this.socket.off(event, fn);
  }

  /** After an unexpected error: this connection and the client it serves end here; the proxy goes on. */
  fail(): void {
    this.flow?.client.socket.destroy();
    this.socket.destroy();
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
 * The request head with the request line and/or the Host value replaced, and a repeated
 * Content-Length (`contentLength` ≥ 0) written once: `Content-Length: 47, 47` and two equal
 * lines become one line in the place of the first, with the name as the client wrote it.
 */
function rewriteRequestHead(text: string, requestLine: string | undefined, hostOf: RequestHead | undefined, targetHost: string, contentLength: number): string {
  let lines = text.split('\r\n');
  if (requestLine !== undefined) lines[0] = requestLine;
  if (hostOf !== undefined) {
    const i = lines.findIndex((l, n) => n > 0 && /^host:/i.test(l));
    if (i !== -1) lines[i] = `${hostOf.fields[hostOf.hostIndex]}: ${targetHost}`;
  }
  if (contentLength >= 0) {
    let seen = false;
    lines = lines.flatMap((l, n) => {
      if (n === 0 || !/^content-length:/i.test(l)) return [l];
      if (seen) return [];
      seen = true;
      return [`${l.slice(0, l.indexOf(':'))}: ${contentLength}`];
    });
  }
  return lines.join('\r\n');
}
