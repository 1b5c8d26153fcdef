import type * as net from 'node:net';
import { PreviewCollector, isTextLike, mimeTypeOf } from '../session/bodyPreview';
import { headerFields } from './headerFields';
import {
  BODY_CHUNKED, BODY_LENGTH, BODY_NONE, BODY_UNTIL_CLOSE, type BodyFraming, ChunkedDecoder, HttpParseError,
  type RequestHead, type ResponseHead, headEnd, parseResponseHead,
} from './http1';
import type { ExchangeModification, ExchangeState } from '../session/types';
import type { ResponseRewrite } from './rules/inFlightRules';
import type { ClientConnection, Relay, UpstreamConnection } from './wireRelay';

/** Recording steps of an exchange (queued in this order), and what a failure of each is reported as. */
export const STEP_BEGIN = 0;
const STEP_REQUEST_BODY = 1;
const STEP_RESPONSE = 2;
const STEP_FINISH = 3;
export const STEP_SETTLE = 4;
export const STEP_FAILURES: readonly string[] = ['recording a request failed', 'recording a request body failed', 'recording response headers failed', 'recording a response failed', 'settling'];

const R_HEAD = 0;
const R_BODY = 1;
const R_DONE = 2;

type FlowState = Exclude<ExchangeState, 'pending'>;

/** Pipelined request bytes buffered while a response is pending before the client is paused. */
/** The request preview of every bodiless request (nothing is ever pushed to it): one object less per request. */
const NO_BODY = new PreviewCollector(0);

export const PIPELINE_BUFFER_BYTES = 256 * 1024;

/**
 * Bytes queued towards a slow peer before the other side is paused. Pausing and resuming a
 * socket costs two system calls, so a fast peer is not made to wait at every 16 KiB mark;
 * memory per connection stays bounded all the same.
 */
const QUEUE_BYTES = 1024 * 1024;

/**
 * Interim (1xx) responses relayed for one request. Real servers send one or two (100 Continue,
 * 103 Early Hints); more than this is a server that will never send a final answer.
 */
export const MAX_INTERIM_HEADS = 32;

/** Writes `chunk`; false when the peer is so far behind that the sender should pause (wait for 'drain'). */
function send(socket: net.Socket, chunk: Buffer | string): boolean {
  if (socket.destroyed) return true;
  return socket.write(chunk) || socket.writableLength < QUEUE_BYTES;
}

/**
 * One proxied exchange: relays the request body upstream and the response back, and keeps what
 * its recording needs. Recording happens later, in steps (see Relay.later).
 */
export class Flow {
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
  /** What in-flight rules changed in the request (undefined: nothing). */
  modifications: ExchangeModification[] | undefined = undefined;
  /** What in-flight rules changed in the response head (undefined: nothing). */
  private responseRewrite: ResponseRewrite | undefined = undefined;
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
  /** The chunk data goes to the client without the chunked framing (see push). */
  private dechunk = false;
  private upstreamPaused = false;
  private sentAt = 0;
  private lastActivity = 0;
  private clientFin = false;
  private interimHeads = 0;
  /** Request body bytes the sweep saw last, and when they changed (see requestStalled). */
  private reqSeenBytes = 0;
  private reqSeenAt = 0;

  constructor(readonly relay: Relay, readonly client: ClientConnection, readonly head: RequestHead, readonly path: string) {
    this.requestPreview = head.framing === BODY_NONE ? NO_BODY : new PreviewCollector(isTextLike(mimeTypeOf(head.contentType)) ? relay.config.previewBytes : 0);
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
    // The response timeout counts from the end of the request (an upload may take long).
    if (this.head.framing !== BODY_NONE) this.sentAt = Date.now();
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
          // A copy: `buf` may be a read buffer the connection reuses.
          this.respBuf = Buffer.from(pos === 0 ? buf : buf.subarray(pos));
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
        // A server that sends them without end would fill the client's write queue: they are
        // counted, and a client that reads slowly holds the dev server back as for a body.
        if (++this.interimHeads > MAX_INTERIM_HEADS) {
          this.failHead(502, 'Bad Gateway', `Session Lens stopped relaying ${config.targetOrigin}: it sent more than ${MAX_INTERIM_HEADS} interim (1xx) responses to one request.`, 'upstream-error', `more than ${MAX_INTERIM_HEADS} interim (1xx) responses`);
          return;
        }
        if (this.head.minor === 1 && !send(this.client.socket, buf.subarray(pos, end))) this.pauseUpstream();
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
    let out: string | undefined;
    if (head.rewritable !== undefined) out = this.rewriteResponseHead(head, buf.toString('latin1', pos, end));
    const rules = relay.config.rules;
    if (rules !== undefined && rules.touchesResponses) {
      const current = out;
      const rewrite = relay.applyRules(() => rules.rewriteResponse(current ?? buf.toString('latin1', pos, end), this.head.host));
      if (rewrite !== undefined) {
        out = rewrite.text;
        this.responseRewrite = rewrite;
      }
    }
    const client = this.client;
    if (head.framing === BODY_CHUNKED && this.head.minor === 0) {
      // An HTTP/1.0 client cannot read chunked: send the data alone and close to delimit it.
      out = dechunkedHead(out ?? buf.toString('latin1', pos, end));
      this.dechunk = true;
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

  /** Chunk data of a response being de-chunked for an HTTP/1.0 client (the flow is the decoder's sink then). */
  push(chunk: Buffer): void {
    this.preview?.push(chunk);
    if (!send(this.client.socket, chunk)) this.pauseUpstream();
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
          r = (this.respChunks as ChunkedDecoder).feed(buf, start, this.dechunk ? this : this.preview);
        } catch (err) {
          this.reportBroken(err instanceof Error ? err.message : String(err));
          return;
        }
        const endAt = r === -1 ? buf.length : r;
        if (!this.dechunk && !send(socket, start === 0 && endAt === buf.length ? buf : buf.subarray(start, endAt))) this.pauseUpstream();
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
    this.abandon(state, error);
    const client = this.client;
    client.closeAfter = true;
    client.buf = null;
    if (client.socket.writable) {
      client.socket.end(this.relay.errorResponse(status, title, detail));
      // A client held back mid-upload could never finish sending, and so never read the answer
      // and close: the rest of its body is read and dropped (the idle timeout bounds a trickle).
      if (client.socket.isPaused()) client.socket.resume();
    } else {
      client.socket.destroy();
    }
  }

  /**
   * The response broke after its head was forwarded: cut the client off with a reset, never a
   * FIN. A FIN would end a close-delimited body (and the de-chunked body of an HTTP/1.0 client)
   * as if it were complete; the reset makes the browser report the truncation.
   */
  private reportBroken(error: string, state: FlowState = 'upstream-error'): void {
    this.abandon(state, error);
    resetSocket(this.client.socket);
  }

  /**
   * Ends the exchange early: records how (an upstream failure after the client half-closed is
   * put down to the client), closes the upstream connection and frees the client connection.
   */
  private abandon(state: FlowState | undefined, error?: string): void {
    if (state !== undefined) {
      if (this.clientFin && state === 'upstream-error') this.finish('client-aborted', 'the client closed its side of the connection before the response was complete');
      else this.finish(state, error);
    }
    this.respState = R_DONE;
    const up = this.up;
    this.up = null;
    if (up !== null) {
      up.flow = null;
      up.socket.destroy();
    }
    this.client.flow = null;
    if (this.relay.stopping) this.relay.flowEnded();
  }

  /**
   * The capture stopped before this exchange was over: recorded as aborted, with the bytes
   * that passed (also of a request body cut short); the client gets a reset, never an end
   * that would make a cut response look whole.
   */
  stopped(): void {
    if (!this.requestDone && this.head.framing !== BODY_NONE) this.relay.later(this, STEP_REQUEST_BODY);
    this.abandon('aborted', 'capture stopped');
    resetSocket(this.client.socket);
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
    const unfinished = this.respState !== R_DONE || !this.requestDone;
    this.abandon(unfinished ? 'client-aborted' : undefined, 'the client closed the connection before the response was complete');
    this.client.socket.destroy();
  }


  /** Called by the relay's sweep: fails the exchange whose response or request body is overdue. */
  checkTimers(now: number, responseMs: number, bodyIdleMs: number, requestBodyMs: number): void {
    if (!this.requestDone && requestBodyMs > 0 && this.requestStalled(now, requestBodyMs)) return;
    if (this.respState === R_HEAD) {
      if (this.requestDone && responseMs > 0 && now - this.sentAt > responseMs) {
        this.failHead(504, 'Gateway Timeout', `Session Lens waited ${responseMs} ms for ${this.relay.config.targetOrigin} to answer ${this.head.method} ${this.path}.`, 'timeout', `no response within ${responseMs} ms`);
      }
    } else if (this.respState === R_BODY && bodyIdleMs > 0 && now - this.lastActivity > bodyIdleMs) {
      this.reportBroken(`the response body stalled for ${bodyIdleMs} ms`, 'timeout');
    }
  }

  /**
   * True (and the exchange ended) when no request body byte passed for `limitMs`. Progress is
   * sampled here, not stamped per chunk. The client is blamed (408) unless it is paused because
   * the dev server stopped reading (then 504).
   */
  private requestStalled(now: number, limitMs: number): boolean {
    const seen = this.requestPreview.wireBytes;
    if (seen !== this.reqSeenBytes || this.reqSeenAt === 0) {
      this.reqSeenBytes = seen;
      this.reqSeenAt = now;
      return false;
    }
    if (now - this.reqSeenAt <= limitMs) return false;
    const upstreamStalled = this.client.socket.isPaused();
    const error = upstreamStalled ? `the dev server read no request body bytes for ${limitMs} ms` : `no request body bytes from the client for ${limitMs} ms`;
    this.relay.later(this, STEP_REQUEST_BODY);
    if (this.respState === R_HEAD) {
      if (upstreamStalled) this.failHead(504, 'Gateway Timeout', `${this.relay.config.targetOrigin} read no bytes of the request body for ${limitMs} ms.`, 'timeout', error);
      else this.failHead(408, 'Request Timeout', `Session Lens received no bytes of the request body for ${limitMs} ms; the request was not completed.`, 'timeout', error);
    } else {
      // The response has started (or is complete): the connection cannot carry another request.
      this.abandon('timeout', error);
      resetSocket(this.client.socket);
    }
    return true;
  }

  /** 101 Switching Protocols: from here on both connections are an opaque tunnel. */
  private tunnel(head: ResponseHead, buf: Buffer, pos: number): void {
    const relay = this.relay;
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
        const { path, url, upstreamUrl } = this.relay.urlsOf(head.host || this.relay.proxyHost, this.path === '*' ? '' : this.path);
        if (this.modifications !== undefined) {
          this.id = store.beginExchange({
            source: 'proxy', method: head.method, url, upstreamUrl, path, httpVersion: head.minor === 1 ? '1.1' : '1.0', headers: headerFields(head.fields),
            startedAt: this.startedAt, ...(head.upgrade ? { upgrade: true } : {}), modifications: this.modifications,
          });
          return;
        }
        this.id = store.beginExchange(head.upgrade ? {
          source: 'proxy', method: head.method, url, upstreamUrl,
          path, httpVersion: head.minor === 1 ? '1.1' : '1.0', headers: headerFields(head.fields), startedAt: this.startedAt, upgrade: true,
        } : {
          source: 'proxy', method: head.method, url, upstreamUrl,
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
        // The original (unrewritten) headers are recorded; what in-flight rules changed goes with them.
        const rewrite = this.responseRewrite;
        store.addResponse(this.id, rewrite === undefined
          ? { status: r.status, statusText: r.reason, headers: headerFields(r.fields), receivedAt: this.receivedAt }
          : {
            status: r.status, statusText: r.reason, headers: headerFields(r.fields), receivedAt: this.receivedAt, modifications: rewrite.modifications,
            ...(rewrite.addedSetCookies !== undefined ? { addedSetCookies: rewrite.addedSetCookies } : {}),
          });
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

/** Closes `socket` with a TCP reset (RST) instead of a FIN, so its peer sees an error and not an end. */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // Not a TCP handle: a plain close is all there is.
  }
  if (!socket.destroyed) socket.destroy();
}

/** A response head for an HTTP/1.0 client: Transfer-Encoding and Connection dropped, Connection: close added. */
function dechunkedHead(text: string): string {
  const lines = text.split('\r\n').filter((l, i) => i === 0 || !/^(?:transfer-encoding|connection|keep-alive)\s*:/i.test(l));
  lines.splice(lines.length - 2, 0, 'Connection: close');
  return lines.join('\r\n');
}
