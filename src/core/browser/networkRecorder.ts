import type Protocol from 'devtools-protocol';
import { isTextLike } from '../session/bodyPreview';
import type { BlockedSetCookie, SessionStore } from '../session/sessionStore';
import type { BlockedRequestCookie, HeaderField } from '../session/types';

/** Sends one CDP command within the target's session. */
export type SessionSend = (method: string, params?: Record<string, unknown>) => Promise<unknown>;

/**
 * How long a response head waits for its `responseReceivedExtraInfo` (the raw headers with the
 * Set-Cookie lines and the blocked cookies) after the request finished. Chrome usually sends it
 * first, but on a busy machine it can come a good while after; this only bounds a missing one.
 */
const EXTRA_INFO_GRACE_MS = 3000;

/** One hop of a request (a redirect makes a new hop under the same request id). */
interface Hop {
  readonly request: Protocol.Network.Request;
  readonly startedAt: number;
  /** A page or frame load: the page's scripts may set cookies once it is in. */
  readonly document: boolean;
  exchangeId?: number;
  /** The response head, once known, until it is recorded. */
  head?: { response: Protocol.Network.Response; receivedAt: number; waitsForExtra: boolean };
  responded: boolean;
  /** How the hop ended, once it did, while the response head still waits. */
  finish?: () => void;
  graceTimer?: ReturnType<typeof setTimeout>;
}

/** Everything known of one CDP request id. */
interface Flow {
  hop?: Hop;
  /**
   * Events held back while a redirect's response waits for its ExtraInfo: the next hop starts
   * only once the redirect's Set-Cookie lines are in the jar, as in the browser.
   */
  backlog?: [string, unknown][];
  readonly requestExtras: Protocol.Network.RequestWillBeSentExtraInfoEvent[];
  readonly responseExtras: Protocol.Network.ResponseReceivedExtraInfoEvent[];
}

/** CDP headers (`{name: value}`, repeated fields joined with newlines) as header lines. */
export function headerLines(headers: Protocol.Network.Headers | undefined): HeaderField[] {
  const out: HeaderField[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = typeof value === 'string' ? value : String(value);
    for (const line of text.split('\n')) out.push({ name, value: line });
  }
  return out;
}

/** The cookies a request did not carry, with Chrome's reasons (`associatedCookies` with `blockedReasons`). */
function blockedRequestCookies(extra: Protocol.Network.RequestWillBeSentExtraInfoEvent | undefined): BlockedRequestCookie[] {
  const out: BlockedRequestCookie[] = [];
  for (const a of extra?.associatedCookies ?? []) {
    if (!a.blockedReasons || a.blockedReasons.length === 0) continue;
    out.push({ name: a.cookie.name, value: a.cookie.value, domain: a.cookie.domain.replace(/^\./, ''), path: a.cookie.path, reasons: a.blockedReasons });
  }
  return out;
}

/** The Set-Cookie lines the browser refused, with Chrome's reasons. */
function blockedSetCookies(extra: Protocol.Network.ResponseReceivedExtraInfoEvent | undefined): BlockedSetCookie[] {
  const out: BlockedSetCookie[] = [];
  for (const b of extra?.blockedCookies ?? []) {
    if (b.blockedReasons.length === 0) continue;
    out.push({ line: b.cookieLine, reasons: b.blockedReasons });
  }
  return out;
}

/**
 * Turns the Network events of one browser target into the store's four calls, like the proxy
 * does for the wire. The raw headers (with `Cookie` and every `Set-Cookie`) and the blocked
 * cookies come from the ExtraInfo events, which Chrome may send before or after the event they
 * belong to; bodies are read when small and textual (the store's analysis limit).
 */
export class NetworkRecorder {
  private readonly flows = new Map<string, Flow>();
  private disposed = false;

  constructor(
    private readonly store: SessionStore,
    private readonly send: SessionSend,
    /** True for URLs of the origins being captured. */
    private readonly wanted: (url: string) => boolean,
    /**
     * Called when the browser's cookie jar may have changed: a response carried Set-Cookie
     * lines, or a document finished loading (its scripts may write `document.cookie`).
     */
    private readonly jarMayHaveChanged: () => void = () => undefined,
  ) {}

  /** Handles one CDP event of the target; other domains are ignored. Never throws. */
  handle(method: string, params: unknown): void {
    if (this.disposed) return;
    try {
      const held = this.flows.get((params as { requestId?: string }).requestId ?? '')?.backlog;
      if (held && method !== 'Network.responseReceivedExtraInfo') {
        held.push([method, params]);
        return;
      }
      switch (method) {
        case 'Network.requestWillBeSent': this.requestWillBeSent(params as Protocol.Network.RequestWillBeSentEvent); break;
        case 'Network.requestWillBeSentExtraInfo': this.requestExtra(params as Protocol.Network.RequestWillBeSentExtraInfoEvent); break;
        case 'Network.responseReceived': this.responseReceived(params as Protocol.Network.ResponseReceivedEvent); break;
        case 'Network.responseReceivedExtraInfo': this.responseExtra(params as Protocol.Network.ResponseReceivedExtraInfoEvent); break;
        case 'Network.loadingFinished': this.loadingFinished(params as Protocol.Network.LoadingFinishedEvent); break;
        case 'Network.loadingFailed': this.loadingFailed(params as Protocol.Network.LoadingFailedEvent); break;
        default: break;
      }
    } catch {
      // A malformed event costs that request, never the capture.
    }
  }

  /** Ends what is still in flight (the target went away or the capture stops): recorded as aborted. */
  dispose(reason: string): void {
    if (this.disposed) return;
    for (const flow of this.flows.values()) {
      const hop = flow.hop;
      if (!hop) continue;
      if (hop.graceTimer) clearTimeout(hop.graceTimer);
      if (hop.exchangeId === undefined) this.begin(flow, hop);
      if (!hop.responded && hop.head) this.recordHead(flow, hop);
      this.store.finishExchange(hop.exchangeId!, { state: 'aborted', error: reason });
    }
    this.flows.clear();
    this.disposed = true;
  }

  private flow(requestId: string): Flow {
    let f = this.flows.get(requestId);
    if (!f) {
      f = { requestExtras: [], responseExtras: [] };
      this.flows.set(requestId, f);
    }
    return f;
  }

  private requestWillBeSent(e: Protocol.Network.RequestWillBeSentEvent): void {
    const flow = this.flows.get(e.requestId);
    // A redirect: the previous hop ends with the redirect response.
    if (flow?.hop && e.redirectResponse) {
      const hop = flow.hop;
      hop.head = { response: e.redirectResponse, receivedAt: Date.now(), waitsForExtra: e.redirectHasExtraInfo === true };
      this.begin(flow, hop);
      const proceed = (): void => {
        this.recordHead(flow, hop);
        this.store.finishExchange(hop.exchangeId!, { state: 'complete' });
        flow.hop = undefined;
        this.startHop(e);
      };
      if (!hop.head.waitsForExtra || flow.responseExtras.length > 0) {
        proceed();
        return;
      }
      // Its ExtraInfo (the Set-Cookie lines) is still to come: hold this request id's events until then.
      const backlog: [string, unknown][] = [];
      flow.backlog = backlog;
      this.settle(flow, hop, () => {
        hop.finish = undefined;
        flow.backlog = undefined;
        proceed();
        for (const [m, p] of backlog) this.handle(m, p);
      });
      return;
    }
    this.startHop(e);
  }

  private startHop(e: Protocol.Network.RequestWillBeSentEvent): void {
    const url = e.request.url + (e.request.urlFragment ?? '');
    if (!this.wanted(url)) {
      // Not an origin being captured: forget the id (its ExtraInfo too).
      this.flows.delete(e.requestId);
      return;
    }
    const f = this.flow(e.requestId);
    f.hop = { request: e.request, startedAt: e.wallTime ? Math.round(e.wallTime * 1000) : Date.now(), document: e.type === 'Document', responded: false };
    // The raw headers may already be here; otherwise the exchange starts when they or the response come.
    if (f.requestExtras.length > 0) this.begin(f, f.hop);
  }

  private requestExtra(e: Protocol.Network.RequestWillBeSentExtraInfoEvent): void {
    const flow = this.flows.get(e.requestId);
    if (flow?.hop && flow.hop.exchangeId === undefined) {
      flow.requestExtras.push(e);
      this.begin(flow, flow.hop);
    } else if (!flow) {
      // Before its requestWillBeSent (or of a request not captured: dropped with it).
      this.flow(e.requestId).requestExtras.push(e);
    } else {
      flow.requestExtras.push(e);
    }
  }

  private begin(flow: Flow, hop: Hop): void {
    if (hop.exchangeId !== undefined) return;
    const extra = flow.requestExtras.shift();
    const r = hop.request;
    const url = r.url + (r.urlFragment ?? '');
    const blockedCookies = blockedRequestCookies(extra);
    hop.exchangeId = this.store.beginExchange({
      source: 'browser', method: r.method, url, headers: extra ? headerLines(extra.headers) : headerLines(r.headers), startedAt: hop.startedAt,
      ...(blockedCookies.length > 0 ? { blockedCookies } : {}),
    });
    const postData = r.postData ?? r.postDataEntries?.map((p) => (p.bytes ? Buffer.from(p.bytes, 'base64').toString('latin1') : '')).join('');
    if (postData !== undefined && postData !== '') {
      const bytes = Buffer.from(postData, 'utf8');
      const keep = this.store.bodyAnalysisBytes;
      this.store.addRequestBody(hop.exchangeId, { bytes: bytes.subarray(0, keep), wireBytes: bytes.length, truncated: bytes.length > keep, decoded: true });
    }
  }

  private responseReceived(e: Protocol.Network.ResponseReceivedEvent): void {
    const flow = this.flows.get(e.requestId);
    const hop = flow?.hop;
    if (!flow || !hop) return;
    this.begin(flow, hop);
    hop.head = { response: e.response, receivedAt: Date.now(), waitsForExtra: e.hasExtraInfo === true };
    if (!hop.head.waitsForExtra || flow.responseExtras.length > 0) this.recordHead(flow, hop);
  }

  private responseExtra(e: Protocol.Network.ResponseReceivedExtraInfoEvent): void {
    const flow = this.flows.get(e.requestId) ?? (this.flows.size < 10_000 ? this.flow(e.requestId) : undefined);
    if (!flow) return;
    flow.responseExtras.push(e);
    const hop = flow.hop;
    if (hop?.head && !hop.responded) {
      this.recordHead(flow, hop);
      if (hop.finish) {
        if (hop.graceTimer) clearTimeout(hop.graceTimer);
        hop.finish();
      }
    }
  }

  /**
   * Resolves once the target has answered a command sent now: every network event it emitted
   * before has then been handled (a target's events and answers come in order). Never rejects.
   */
  async caughtUp(): Promise<void> {
    if (this.disposed) return;
    try {
      // Side-effect free, and answered by a page paused in a debugger too.
      await this.send('Runtime.getHeapUsage');
    } catch {
      // A target without Runtime, or gone: nothing more will come from it.
    }
  }

  /**
   * True while a request of a wanted origin has no response head in the store yet: Chrome may
   * already hold that response's cookies in its jar while the event carrying its Set-Cookie
   * lines is still on its way, so a jar read now would credit the cookie to no request.
   */
  awaitingResponse(): boolean {
    for (const flow of this.flows.values()) if (flow.hop && !flow.hop.responded) return true;
    return false;
  }

  /** Records the response head, with the raw headers of the ExtraInfo when there is one. */
  private recordHead(flow: Flow, hop: Hop): void {
    if (hop.responded || !hop.head || hop.exchangeId === undefined) return;
    const { response, receivedAt } = hop.head;
    const extra = flow.responseExtras.shift();
    const blocked = blockedSetCookies(extra);
    hop.responded = true;
    const headers = extra ? headerLines(extra.headers) : headerLines(response.headers);
    this.store.addResponse(hop.exchangeId, {
      status: response.status, statusText: response.statusText, receivedAt, headers,
      ...(blocked.length > 0 ? { blockedSetCookies: blocked } : {}),
    });
    if (headers.some((h) => h.name.toLowerCase() === 'set-cookie')) this.jarMayHaveChanged();
  }

  /**
   * The flow of a request that ended and its current hop, begun in the store; undefined (and the
   * flow forgotten) when there is nothing to record.
   */
  private ending(requestId: string): { flow: Flow; hop: Hop } | undefined {
    const flow = this.flows.get(requestId);
    const hop = flow?.hop;
    if (!flow || !hop) {
      this.flows.delete(requestId);
      return undefined;
    }
    this.begin(flow, hop);
    return { flow, hop };
  }

  private loadingFinished(e: Protocol.Network.LoadingFinishedEvent): void {
    const ended = this.ending(e.requestId);
    if (!ended) return;
    const { flow, hop } = ended;
    const finish = (): void => {
      hop.finish = undefined;
      this.flows.delete(e.requestId);
      if (hop.document) this.jarMayHaveChanged();
      void this.finishWithBody(e.requestId, hop, e.encodedDataLength);
    };
    this.settle(flow, hop, finish);
  }

  private loadingFailed(e: Protocol.Network.LoadingFailedEvent): void {
    const ended = this.ending(e.requestId);
    if (!ended) return;
    const { flow, hop } = ended;
    const why = e.blockedReason ? `${e.errorText} (blocked: ${e.blockedReason})` : e.corsErrorStatus ? `${e.errorText} (CORS: ${e.corsErrorStatus.corsError})` : e.errorText;
    const finish = (): void => {
      hop.finish = undefined;
      this.flows.delete(e.requestId);
      this.store.finishExchange(hop.exchangeId!, { state: e.canceled ? 'client-aborted' : 'upstream-error', error: why });
    };
    this.settle(flow, hop, finish);
  }

  /** Runs `finish` now, or once the response head got its ExtraInfo (bounded by EXTRA_INFO_GRACE_MS). */
  private settle(flow: Flow, hop: Hop, finish: () => void): void {
    if (hop.head && !hop.responded && hop.head.waitsForExtra && flow.responseExtras.length === 0) {
      hop.finish = finish;
      hop.graceTimer = setTimeout(() => {
        hop.graceTimer = undefined;
        this.recordHead(flow, hop);
        hop.finish?.();
      }, EXTRA_INFO_GRACE_MS);
      hop.graceTimer.unref?.();
      return;
    }
    this.recordHead(flow, hop);
    finish();
  }

  private async finishWithBody(requestId: string, hop: Hop, encodedLength: number): Promise<void> {
    const id = hop.exchangeId!;
    const mimeType = hop.head?.response.mimeType;
    const limit = this.store.bodyAnalysisBytes;
    let body: { bytes: Buffer; wireBytes: number; truncated: boolean; decoded: true } | undefined;
    // Bodies only when small and textual: what the proxy keeps for analysis, no more.
    if (hop.head && isTextLike(mimeType?.toLowerCase()) && encodedLength <= limit && hop.head.response.status !== 204 && hop.head.response.status !== 304) {
      try {
        const r = await this.send('Network.getResponseBody', { requestId }) as Protocol.Network.GetResponseBodyResponse;
        const bytes = Buffer.from(r.body, r.base64Encoded ? 'base64' : 'utf8');
        body = { bytes: bytes.subarray(0, limit), wireBytes: encodedLength, truncated: bytes.length > limit, decoded: true };
      } catch {
        // Evicted from the browser's buffer, or the target is gone: the exchange is kept without it.
      }
    }
    this.store.finishExchange(id, { state: 'complete', ...(body ? { responseBody: body } : {}) });
  }
}
