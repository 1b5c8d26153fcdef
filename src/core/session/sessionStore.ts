import { parseCookieHeader } from '../cookies/setCookie';
import { type BodyInput, DEFAULT_PREVIEW_BYTES, decodeBody, headerValue, mimeTypeOf } from './bodyPreview';
import { CookieMirror, type CookieEventDraft } from './cookieMirror';
import { requestHints } from './requestHints';
import { RingBuffer } from './ringBuffer';
import { DEFAULT_TOKEN_HEADERS, type TokenCandidate, bytesMayHoldToken, tokensInBody, tokensInRequest, tokensInResponseHeaders, tokensInStorage } from './tokenExtractor';
import type { Finding } from '../findings';
import { type SessionChange, summarizeChanges } from './changeFeed';
import type {
  BrowserJarCookie,
  BlockedRequestCookie, BodyPreview, CaptureLogger, CookieHistoryEvent, CookieRecord, Disposable, Exchange, ExchangeModification, ExchangeSource, ExchangeState, HeaderField,
  SessionChangeEvent, SessionSnapshot, SetCookieRecord, StorageArea, StorageItemRecord, TokenRecord,
} from './types';

/** Options of a session store; every field has a sensible default. */
export interface SessionStoreOptions {
  /** Exchanges kept in the ring buffer (default 5000). */
  readonly capacity?: number;
  /** Bytes of decoded body read when looking for tokens (default 1 MiB). */
  readonly analysisBytes?: number;
  /** Bytes of decoded text kept per body for display (default 16 KiB; 0 keeps none). */
  readonly retainedPreviewBytes?: number;
  /** Minimum delay between two change events, ms (default 100; 0 = next macrotask). */
  readonly throttleMs?: number;
  /** Header names (any case) that carry tokens, in addition to the built-in ones. */
  readonly tokenHeaders?: readonly string[];
  /** Distinct tokens kept (default 2000; the oldest are dropped). */
  readonly maxTokens?: number;
  /** Cookie history events kept (default 10000; the oldest are dropped). */
  readonly maxHistoryEvents?: number;
  /** Clock, epoch ms (tests pass their own). */
  readonly now?: () => number;
  /** Where analysis failures are reported (once per kind of failure). Never receives token values. */
  readonly logger?: CaptureLogger;
}

/** The request side of an exchange, as the proxy or a HAR entry provides it. */
export interface RequestInput {
  readonly source: ExchangeSource;
  readonly method: string;
  /** The URL as the client asked for it (absolute). */
  readonly url: string;
  /** The URL forwarded upstream, for proxied exchanges. */
  readonly upstreamUrl?: string;
  /** Path plus query as in the request line; derived from `url` when absent. */
  readonly path?: string;
  readonly httpVersion?: string;
  readonly headers: readonly HeaderField[];
  /** Epoch ms; defaults to the store's clock. */
  readonly startedAt?: number;
  readonly upgrade?: boolean;
  /** What Session Lens changed in the request on its way to the dev server. */
  readonly modifications?: readonly ExchangeModification[];
  /** Cookies the browser did not send with this request, with its reasons (browser captures). */
  readonly blockedCookies?: readonly BlockedRequestCookie[];
}

/** A Set-Cookie line the browser refused, with its reasons (Chrome's `blockedCookies` of a response). */
export interface BlockedSetCookie {
  /** The Set-Cookie value as received. */
  readonly line: string;
  readonly reasons: readonly string[];
}

/** One web storage entry as the browser reports it (DOMStorage events). */
export interface StorageItemInput {
  readonly origin: string;
  readonly area: StorageArea;
  readonly key: string;
  readonly value: string;
  /** Epoch ms; defaults to the store's clock. */
  readonly time?: number;
}

/** The response head of an exchange. */
export interface ResponseInput {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: readonly HeaderField[];
  /** When the head was received, epoch ms; defaults to the store's clock. */
  readonly receivedAt?: number;
  /** What Session Lens changed in the response on its way to the browser. */
  readonly modifications?: readonly ExchangeModification[];
  /**
   * Set-Cookie values Session Lens added to the response (Expire now): the browser applies
   * them after the server's, so the cookie mirror does too. Not part of `headers`, which stay
   * as the server sent them.
   */
  readonly addedSetCookies?: readonly string[];
  /**
   * Set-Cookie lines the browser refused (browser captures): recorded as 'rejected' with the
   * browser's reasons and never applied to the jar, which mirrors what the browser holds.
   */
  readonly blockedSetCookies?: readonly BlockedSetCookie[];
}

/** How an exchange ended. */
export interface FinishInput {
  readonly state: Exclude<ExchangeState, 'pending'>;
  readonly error?: string;
  readonly responseBody?: BodyInput;
  readonly endedAt?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** A change of an exchange while it waits for delivery: its `exchange` is resolved to the current object at delivery. */
type PendingExchangeChange = { kind: 'exchange-added' | 'exchange-updated' | 'exchange-finished'; version: number; exchange: Exchange };
/** Changes since the last event, in order. */
interface ChangeAccumulator {
  readonly changes: SessionChange[];
  /** Exchanges of pending changes that the ring buffer dropped before delivery, by id (their last state). */
  readonly evictedObjects: Map<number, Exchange>;
  /** Exchanges added or updated in this batch and not finished since: a further update folds into that change. */
  readonly open: Map<number, PendingExchangeChange>;
  /** 'cookie-refreshed' changes of this batch, their cookie resolved at delivery. */
  readonly refreshes: { readonly key: string; readonly change: { kind: 'cookie-refreshed'; version: number; cookie: CookieRecord | undefined } }[];
  /** Cookies refreshed in this batch since their last history event: a further refresh folds into that change. */
  readonly refreshed: Set<string>;
}

/** A whole number of at least `min` from a setting; the default when missing or not a number. */
function count(value: number | undefined, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(min, Math.floor(value)) : fallback;
}

/** One shared empty list for the many exchanges without cookies or tokens (fewer objects to keep). */
const NONE: readonly never[] = Object.freeze([]);

function emptyChanges(): ChangeAccumulator {
  return { changes: [], evictedObjects: new Map(), open: new Map(), refreshes: [], refreshed: new Set() };
}

const EXCHANGE_CHANGE_KINDS: ReadonlySet<string> = new Set(['exchange-added', 'exchange-updated', 'exchange-finished']);

/** The last Date header parsed, and its value: responses within the same second repeat it. */
let lastDateRaw: string | undefined;
let lastDate: number | undefined;

/** A Date header as epoch ms (`Date.parse`), undefined when it does not parse. */
function parseHttpDate(raw: string): number | undefined {
  if (raw !== lastDateRaw) {
    const parsed = Date.parse(raw);
    lastDate = Number.isFinite(parsed) ? parsed : undefined;
    lastDateRaw = raw;
  }
  return lastDate;
}

/** Takes the first refused line equal to `raw` (whitespace aside) out of `blocked`. */
function blockedLine(blocked: BlockedSetCookie[], raw: string): BlockedSetCookie | undefined {
  const wanted = raw.trim();
  const i = blocked.findIndex((b) => b.line.trim() === wanted);
  return i === -1 ? undefined : blocked.splice(i, 1)[0];
}

/** The record of a Set-Cookie line the browser refused: never applied to the jar. */
function browserRejected(raw: string, reasons: readonly string[]): SetCookieRecord {
  const pair = raw.split(';', 1)[0];
  const eq = pair.indexOf('=');
  return Object.freeze({
    raw,
    name: (eq === -1 ? '' : pair.slice(0, eq)).trim(),
    value: (eq === -1 ? pair : pair.slice(eq + 1)).trim(),
    outcome: 'rejected' as const,
    rejectReason: `the browser blocked it (${reasons.join(', ') || 'no reason given'})`,
    blockedReasons: Object.freeze([...reasons]),
  });
}

function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  const hash = rest.indexOf('#');
  const p = hash === -1 ? rest : rest.slice(0, hash);
  return p === '' ? '/' : p;
}

/** The capture source of a new token: the page's web storage, or the exchange it was found in. */
function capturedByOf(tokenSource: TokenRecord['source'], exchangeSource: ExchangeSource | undefined): { capturedBy?: TokenRecord['capturedBy'] } {
  if (tokenSource === 'localStorage' || tokenSource === 'sessionStorage') return { capturedBy: tokenSource };
  return exchangeSource ? { capturedBy: exchangeSource } : {};
}

/** How long before a read of the browser's cookie jar the traffic may be ahead of it (ms). */
const JAR_SETTLE_MS = 500;

/**
 * The single source of truth of a capture: exchanges (ring buffer), the cookie jar and its
 * history, and tokens. The proxy and the HAR importer feed it through the same four calls
 * (`beginExchange`, `addRequestBody`, `addResponse`, `finishExchange`); the panel, status
 * bar, diagnostics and audit read `snapshot()` and subscribe to `onDidChange`.
 *
 * Analysis never throws out of these calls: a failure is logged once and the exchange is
 * kept with what could be recorded (fail open).
 */
export class SessionStore implements Disposable {
  private readonly capacity: number;
  private readonly analysisBytes: number;
  private readonly retainedPreviewBytes: number;
  private readonly throttleMs: number;
  private readonly tokenHeaders: ReadonlySet<string>;
  private readonly maxTokens: number;
  private readonly now: () => number;
  private readonly logger: CaptureLogger | undefined;

  private readonly exchanges: RingBuffer<Exchange>;
  /**
   * Exchanges pushed out of the ring buffer before they finished (a long poll, a stream), kept
   * until they end so their response still reaches finish listeners (the HAR journal). Bounded
   * by the requests in flight.
   */
  private readonly unfinishedEvicted = new Map<number, Exchange>();
  private readonly finishListeners = new Set<(exchange: Exchange, tokens: readonly TokenRecord[]) => void>();
  private readonly tokensById = new Map<number, TokenRecord>();
  private readonly history: RingBuffer<CookieHistoryEvent>;
  private readonly mirror = new CookieMirror();
  private readonly tokens = new Map<string, TokenRecord>();
  /** Web storage entries by origin, area and key (browser captures). */
  private readonly storage = new Map<string, StorageItemRecord>();
  /** Exchanges handed out one by one (change events, getExchange, finish listeners). */
  private readonly handedOut = new WeakSet<Exchange>();
  /**
   * What the last snapshot() handed out, in O(1) instead of marking each exchange: every exchange
   * with an id below `snapshotBelow`, except copies made since (`copiedIn` holds the snapshot
   * count they were made in). A snapshot per change at 10,000 exchanges cost ~2 ms of marking.
   */
  private snapshotBelow = 0;
  private snapshots = 0;
  private readonly copiedIn = new WeakMap<Exchange, number>();
  private lastCookiesSet: readonly SetCookieRecord[] = NONE;
  private nextExchangeId = 1;
  private nextTokenId = 1;
  private nextEventSeq = 1;
  private evicted = 0;
  private versionCounter = 0;
  private lastModelVersion = 0;

  private readonly listeners = new Set<(e: SessionChangeEvent) => void>();
  /** The batch being delivered, and to which listener (changes published by the first listener join it). */
  private delivering: { readonly event: { version: number; readonly changes: SessionChange[] }; index: number } | undefined;
  private pending: ChangeAccumulator = emptyChanges();
  private hasPending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastEmit = 0;
  private readonly reported = new Set<string>();
  private disposed = false;

  constructor(options: SessionStoreOptions = {}) {
    this.capacity = count(options.capacity, 5000, 1);
    this.analysisBytes = count(options.analysisBytes, DEFAULT_PREVIEW_BYTES, 0);
    this.retainedPreviewBytes = count(options.retainedPreviewBytes, 16 * 1024, 0);
    this.throttleMs = count(options.throttleMs, 100, 0);
    this.tokenHeaders = new Set([...DEFAULT_TOKEN_HEADERS, ...(options.tokenHeaders ?? [])].map((h) => h.toLowerCase()));
    this.maxTokens = count(options.maxTokens, 2000, 1);
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.exchanges = new RingBuffer<Exchange>(this.capacity);
    this.history = new RingBuffer<CookieHistoryEvent>(count(options.maxHistoryEvents, 10000, 1));
  }

  /** Increases with every change that is notified. */
  get version(): number {
    return this.versionCounter;
  }

  /**
   * The version of the latest change of the model itself (exchanges, cookies, tokens, storage):
   * finding changes a reader publishes (`publishFindings`) do not move it. What caches of the
   * session's data (a snapshot, a model built from it) key on, so that publishing findings does
   * not make them build again.
   */
  get modelVersion(): number {
    return this.lastModelVersion;
  }

  /** How many exchanges the ring buffer has dropped so far (`SessionSnapshot.evictedExchanges`). */
  get evictedExchangeCount(): number {
    return this.evicted;
  }

  /** Exchanges the ring buffer holds at most. */
  get exchangeCapacity(): number {
    return this.capacity;
  }

  /** Number of exchanges currently held. */
  get exchangeCount(): number {
    return this.exchanges.size;
  }

  /** Everything the store holds, as plain data (objects are never mutated afterwards). */
  snapshot(): SessionSnapshot {
    return {
      version: this.versionCounter,
      exchanges: this.handOutAll(),
      evictedExchanges: this.evicted,
      cookies: this.mirror.records(),
      cookieHistory: this.history.toArray(),
      tokens: [...this.tokens.values()],
      ...(this.storage.size > 0 ? { storage: [...this.storage.values()] } : {}),
    };
  }

  /** Web storage entries of the captured origins as the browser holds them now, oldest first. */
  storageItems(): StorageItemRecord[] {
    return [...this.storage.values()];
  }

  /**
   * Records a `localStorage`/`sessionStorage` entry set by a page (added or changed). A value that
   * is a JWT, or looks like a token by its key, becomes a token with the storage area as source
   * and the key as name; `exchangeId` is the exchange it belongs to (default: the latest one).
   * Never throws.
   */
  setStorageItem(input: StorageItemInput, exchangeId?: number): void {
    this.guard('storage entry', () => {
      const time = input.time ?? this.now();
      const key = `${input.origin}\u0000${input.area}\u0000${input.key}`;
      const old = this.storage.get(key);
      if (old && old.value === input.value) return;
      this.storage.delete(key);
      this.storage.set(key, Object.freeze({ origin: input.origin, area: input.area, key: input.key, value: input.value, time }));
      this.changed();
      const owner = exchangeId ?? Math.max(0, this.nextExchangeId - 1);
      this.addTokens([], owner, tokensInStorage(input.area, input.key, input.value), time);
    });
  }

  /** Forgets a storage entry the page removed; with no `key`, every entry of that origin's area (`clear()`). */
  removeStorageItems(origin: string, area: StorageArea, key?: string): void {
    let removed = false;
    for (const [k, item] of this.storage) {
      if (item.origin === origin && item.area === area && (key === undefined || item.key === key)) {
        this.storage.delete(k);
        removed = true;
      }
    }
    if (removed) this.changed();
  }

  /**
   * Takes in the browser's own cookie jar as a browser capture read it (read started at
   * `readAt`, epoch ms): the cookies of the `origins`' hosts become what the browser holds,
   * also those set by page script that no Set-Cookie line shows (origin 'browser-jar'). See
   * `CookieMirror.syncBrowserJar`. Never throws.
   */
  syncBrowserCookies(jar: readonly BrowserJarCookie[], origins: readonly string[], readAt: number): void {
    this.guard('browser cookie jar', () => {
      const hosts = origins.flatMap((o) => {
        try {
          return [new URL(o).hostname.toLowerCase()];
        } catch {
          return [];
        }
      });
      // The cookies the browser sends to these hosts: their own and those of parent domains.
      const inScope = (domain: string): boolean => hosts.some((h) => h === domain || h.endsWith(`.${domain}`));
      const time = this.now();
      const exchangeId = Math.max(0, this.nextExchangeId - 1);
      // Chrome reports a Set-Cookie line a moment before its jar holds it: what the traffic showed
      // just before the read is left for the next read to confirm, rather than undone.
      const { events, touched } = this.mirror.syncBrowserJar(jar, inScope, { time, exchangeId, readAt: readAt - JAR_SETTLE_MS });
      this.addCookieEvents(events);
      this.cookiesRefreshed(touched);
    });
  }

  /** The exchange with this id, if still in the ring buffer (or pushed out of it but not finished). */
  getExchange(id: number): Exchange | undefined {
    const ex = this.exchangeById(id);
    if (ex) this.handedOut.add(ex);
    return ex;
  }

  private exchangeById(id: number): Exchange | undefined {
    const index = this.indexOf(id);
    return index === undefined ? undefined : this.at(index, id);
  }

  /**
   * Calls `listener` synchronously each time an exchange ends, with the exchange in its final
   * state and the tokens found in it: every exchange, also those the ring buffer no longer
   * holds. This is how a HAR journal keeps what memory cannot.
   */
  onDidFinishExchange(listener: (exchange: Exchange, tokens: readonly TokenRecord[]) => void): Disposable {
    this.finishListeners.add(listener);
    return { dispose: () => { this.finishListeners.delete(listener); } };
  }

  /** Exchanges that have not ended yet (in the ring buffer or pushed out of it), oldest first. */
  unfinishedExchanges(): Exchange[] {
    const list = [...this.unfinishedEvicted.values(), ...this.exchanges.toArray().filter((ex) => ex.state === 'pending')];
    return this.handOut(list.sort((a, b) => a.id - b.id));
  }

  /** Tokens by id (those still held; see `maxTokens`). */
  getTokensByIds(ids: readonly number[]): TokenRecord[] {
    const out: TokenRecord[] = [];
    for (const id of ids) {
      const t = this.tokensById.get(id);
      if (t) out.push(t);
    }
    return out;
  }

  /** Marks exchanges as seen outside: from now on they are copied before any change. */
  private handOut(list: Exchange[]): Exchange[] {
    for (const ex of list) this.handedOut.add(ex);
    return list;
  }

  /** The ring buffer's exchanges, all marked as seen outside at once (see `snapshotBelow`). */
  private handOutAll(): Exchange[] {
    this.snapshotBelow = this.nextExchangeId;
    this.snapshots++;
    return this.exchanges.toArray();
  }

  /** True when a caller may hold this exchange object: it must be copied before a change. */
  private isHandedOut(ex: Exchange): boolean {
    return this.handedOut.has(ex) || (ex.id < this.snapshotBelow && this.copiedIn.get(ex) !== this.snapshots);
  }

  /** A copy of a handed-out exchange, to change instead of it; nobody holds it until the next snapshot. */
  private copyOf(ex: Exchange, patch?: Partial<Mutable<Exchange>>): Mutable<Exchange> {
    const copy: Mutable<Exchange> = patch ? { ...ex, ...patch } : { ...ex };
    this.copiedIn.set(copy, this.snapshots);
    return copy;
  }

  /** Current cookies, sorted by domain, path, name. */
  getCookies(): CookieRecord[] {
    return this.mirror.records();
  }

  /** Cookie history, oldest first; only one cookie's when `cookieKey` is given. */
  getCookieHistory(cookieKey?: string): CookieHistoryEvent[] {
    const all = this.history.toArray();
    return cookieKey === undefined ? all : all.filter((e) => e.cookieKey === cookieKey);
  }

  /** Tokens in the order they were first seen. */
  getTokens(): TokenRecord[] {
    return [...this.tokens.values()];
  }

  /**
   * Subscribes to changes. Events are throttled: at most one per `throttleMs`, carrying
   * everything that changed since the previous one: `e.changes` is the change feed (see
   * `SessionChange`), the other fields summarise it. Listeners are called in the order they
   * subscribed; a reader that publishes onto the feed (the traffic audit) subscribes first, so
   * what it publishes for a batch reaches every later listener in that same batch.
   */
  onDidChange(listener: (e: SessionChangeEvent) => void): Disposable {
    this.listeners.add(listener);
    return {
      dispose: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.dropPending();
      },
    };
  }

  /** Delivers pending changes now instead of waiting for the throttle. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.hasPending) return;
    const p = this.pending;
    this.pending = emptyChanges();
    this.hasPending = false;
    this.lastEmit = this.now();
    if (p.changes.length > 0) this.deliver(p);
  }

  private deliver(p: ChangeAccumulator): void {
    const changes = p.changes;
    for (const c of changes) {
      if (!EXCHANGE_CHANGE_KINDS.has(c.kind)) continue;
      // The exchange as it is now (copy on write may have replaced the object since), handed out.
      const pc = c as PendingExchangeChange;
      const id = pc.exchange.id;
      const current = this.exchangeById(id) ?? p.evictedObjects.get(id) ?? pc.exchange;
      this.handedOut.add(current);
      pc.exchange = current;
    }
    let gone = false;
    for (const { key, change } of p.refreshes) {
      change.cookie = this.mirror.record(key);
      if (change.cookie === undefined) gone = true;
    }
    // A cookie refreshed and then deleted within the batch: its deletion says it all.
    const delivered = gone ? changes.filter((c) => c.kind !== 'cookie-refreshed' || c.cookie !== undefined) : changes;
    const event = { version: this.versionCounter, changes: delivered, ...summarizeChanges(delivered) };
    const outer = this.delivering;
    const delivering = { event, index: 0 };
    this.delivering = delivering;
    const listeners = [...this.listeners];
    try {
      for (let i = 0; i < listeners.length; i++) {
        delivering.index = i;
        try {
          listeners[i](event);
        } catch (err) {
          this.reportOnce('listener', err);
        }
      }
    } finally {
      this.delivering = outer;
    }
  }

  /**
   * Publishes a reader's finding changes onto the feed (the traffic audit calls this with each
   * delta; the model itself imports no reader). Called by the first listener while it takes in a
   * batch, the changes join that batch, so every later listener sees an exchange and its findings
   * together; otherwise they are delivered with the next batch. Removals come first.
   */
  publishFindings(delta: { readonly added: readonly Finding[]; readonly removed: readonly Finding[] }): void {
    if (this.disposed || (delta.added.length === 0 && delta.removed.length === 0)) return;
    const d = this.delivering;
    const current = d !== undefined && d.index === 0 ? d.event : undefined;
    const push = (kind: 'finding-added' | 'finding-removed', finding: Finding): void => {
      if (current) {
        current.changes.push({ kind, version: ++this.versionCounter, finding });
        current.version = this.versionCounter;
      } else {
        const version = this.changed(false);
        if (this.listening) this.push({ kind, version, finding });
      }
    };
    for (const f of delta.removed) push('finding-removed', f);
    for (const f of delta.added) push('finding-added', f);
  }

  /** Forgets every exchange, cookie, history event and token (ids keep increasing). */
  clear(): void {
    this.exchanges.clear();
    this.history.clear();
    this.mirror.clear();
    this.tokens.clear();
    this.tokensById.clear();
    this.storage.clear();
    this.unfinishedEvicted.clear();
    this.evicted = 0;
    // What came before is gone: the batch starts over with 'cleared'.
    this.pending = emptyChanges();
    const version = this.changed();
    if (this.listening) this.push({ kind: 'cleared', version });
  }

  /** Stops events and timers. The data stays readable. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** True when change events are being collected for someone. */
  private get listening(): boolean {
    return this.listeners.size > 0 && !this.disposed;
  }

  private dropPending(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = emptyChanges();
    this.hasPending = false;
  }

  /** Expires cookies whose time has come (the status bar calls this on its tick). */
  sweepExpired(now: number = this.now()): void {
    this.guard('expiry', () => this.addCookieEvents(this.mirror.sweepExpired(now)));
  }

  /** Bytes of each body the store reads for tokens; importers need keep no more. */
  get bodyAnalysisBytes(): number {
    return this.analysisBytes;
  }

  /** Records a new request; returns the exchange id. Never throws. */
  beginExchange(input: RequestInput): number {
    const id = this.nextExchangeId++;
    const startedAt = input.startedAt ?? this.now();
    const path = input.path ?? pathOf(input.url);
    const headers = input.headers;
    let cookiesSent: { name: string; value: string }[] | undefined;
    let authorization: string | undefined;
    for (const h of headers) {
      const name = h.name;
      if (name.length === 6 && name.toLowerCase() === 'cookie') {
        const parsed = parseCookieHeader(h.value);
        if (parsed.length > 0) {
          // A loop, not push(...parsed): a header of 200,000 pairs would overflow the call stack.
          if (cookiesSent === undefined) cookiesSent = parsed;
          else for (const pair of parsed) cookiesSent.push(pair);
        }
      } else if (name.length === 13 && name.toLowerCase() === 'authorization') {
        authorization = h.value;
      }
    }
    const sent: readonly { name: string; value: string }[] = cookiesSent ?? NONE;
    const hints = requestHints(input.method, path, authorization, undefined, undefined);
    // One literal per shape (no spreads): the hot path allocates just the exchange.
    const exchange: Exchange = input.upstreamUrl !== undefined
      ? {
        id, source: input.source, method: input.method, url: input.url, upstreamUrl: input.upstreamUrl, path, httpVersion: input.httpVersion ?? '1.1',
        requestHeaders: headers, cookiesSent: sent, hints, startedAt, cookiesSet: NONE, state: 'pending', tokenIds: NONE,
      }
      : {
        id, source: input.source, method: input.method, url: input.url, path, httpVersion: input.httpVersion ?? '1.1',
        requestHeaders: headers, cookiesSent: sent, hints, startedAt, cookiesSet: NONE, state: 'pending', tokenIds: NONE,
      };
    if (input.upgrade) (exchange as Mutable<Exchange>).upgrade = true;
    if (input.modifications !== undefined && input.modifications.length > 0) (exchange as Mutable<Exchange>).modifications = input.modifications;
    if (input.blockedCookies && input.blockedCookies.length > 0) (exchange as Mutable<Exchange>).blockedRequestCookies = input.blockedCookies;
    const evicted = this.exchanges.push(exchange);
    if (evicted) {
      this.evicted++;
      if (evicted.state === 'pending') this.unfinishedEvicted.set(evicted.id, evicted);
      const version = this.changed();
      if (this.listening) {
        this.pending.evictedObjects.set(evicted.id, evicted);
        this.push({ kind: 'exchange-evicted', version, exchangeId: evicted.id });
      }
    }
    this.exchangeChanged('exchange-added', exchange);
    try {
      this.addCookieEvents(this.mirror.sweepExpired(startedAt, id));
      if (sent.length > 0) {
        const touched: string[] | undefined = this.listening ? [] : undefined;
        this.addCookieEvents(this.mirror.observeRequestCookies(input.url, sent, { time: startedAt, exchangeId: id, source: exchange.source }, touched));
        if (touched !== undefined && touched.length > 0) this.cookiesRefreshed(touched);
      }
      const tokenIds = this.addTokens(exchange.tokenIds, id, tokensInRequest(input.url, headers, sent, this.tokenHeaders), startedAt);
      if (tokenIds !== exchange.tokenIds) this.update(id, { tokenIds });
    } catch (err) {
      this.reportOnce('request', err);
    }
    return id;
  }

  /** Adds the request body (a bounded slice) of an exchange. Never throws. */
  addRequestBody(id: number, body: BodyInput): void {
    this.guard('request body', () => {
      const ex = this.exchangeById(id);
      if (!ex) return;
      const decoded = decodeBody(body, ex.requestHeaders, this.analysisBytes, this.retainedPreviewBytes);
      const mime = decoded.preview.mimeType;
      this.update(id, {
        requestBody: decoded.preview,
        hints: requestHints(ex.method, ex.path, headerValue(ex.requestHeaders, 'authorization'), decoded.text, mime),
        ...(decoded.text ? { tokenIds: this.addTokens(ex.tokenIds, id, tokensInBody(decoded.text, mime, 'request-body', ex.startedAt), ex.startedAt) } : {}),
      });
    });
  }

  /** Records the response head: status, headers, Set-Cookie (applied to the jar), header tokens. Never throws. */
  addResponse(id: number, input: ResponseInput): void {
    try {
      const index = this.indexOf(id);
      if (index === undefined) return;
      const ex = this.at(index, id);
      const receivedAt = input.receivedAt ?? this.now();
      const headers = input.headers;
      let dateRaw: string | undefined;
      let setCookies = 0;
      for (const h of headers) {
        const n = h.name.length;
        if (n === 10 && h.name.toLowerCase() === 'set-cookie') setCookies++;
        else if (n === 4 && dateRaw === undefined && h.name.toLowerCase() === 'date') dateRaw = h.value;
      }
      const serverDate = dateRaw === undefined ? undefined : parseHttpDate(dateRaw);
      // The head is recorded first: whatever the cookie analysis does, the exchange shows it.
      const head = this.writable(index, id);
      head.status = input.status;
      if (input.statusText !== undefined) head.statusText = input.statusText;
      head.responseHeaders = headers;
      head.responseReceivedAt = receivedAt;
      if (serverDate !== undefined) head.serverDate = serverDate;
      if (dateRaw !== undefined) head.serverDateRaw = dateRaw;
      this.updated(index, id);
      this.addCookieEvents(this.mirror.sweepExpired(receivedAt, id));
      let cookiesSet: SetCookieRecord[] | undefined;
      let stored: SetCookieRecord[] | undefined;
      const blocked = input.blockedSetCookies && input.blockedSetCookies.length > 0 ? [...input.blockedSetCookies] : undefined;
      if (setCookies > 0 || blocked) {
        const ctx = serverDate !== undefined ? { time: receivedAt, exchangeId: id, serverDate, source: ex.source } : { time: receivedAt, exchangeId: id, source: ex.source };
        cookiesSet = [];
        for (const h of headers) {
          if (h.name.length !== 10 || h.name.toLowerCase() !== 'set-cookie') continue;
          const refused = blocked ? blockedLine(blocked, h.value) : undefined;
          if (refused) {
            cookiesSet.push(browserRejected(h.value, refused.reasons));
            continue;
          }
          const { record, events } = this.mirror.applySetCookie(h.value, ex.url, ctx);
          cookiesSet.push(record);
          if (record.outcome === 'stored') (stored ??= []).push(record);
          this.addCookieEvents(events);
          // Set again unchanged: no history event, but its times moved.
          if (events.length === 0 && record.outcome === 'stored' && record.cookieKey !== undefined && this.listening) this.cookiesRefreshed([record.cookieKey]);
        }
      }
      if (input.modifications !== undefined && input.modifications.length > 0) {
        const target = this.writable(index, id);
        target.modifications = [...(target.modifications ?? NONE), ...input.modifications];
        this.updated(index, id);
      }
      if (input.addedSetCookies !== undefined) {
        const ctx = { time: receivedAt, exchangeId: id, source: ex.source };
        for (const raw of input.addedSetCookies) this.addCookieEvents(this.mirror.applySetCookie(raw, ex.url, ctx).events);
      }
      // Refused lines the headers did not carry (the browser reports them all the same).
      if (cookiesSet !== undefined && blocked) for (const b of blocked) cookiesSet.push(browserRejected(b.line, b.reasons));
      const tokenIds = this.addTokens(ex.tokenIds, id, tokensInResponseHeaders(headers, stored ?? NONE, this.tokenHeaders), receivedAt);
      if (cookiesSet !== undefined || tokenIds !== ex.tokenIds) {
        const target = this.writable(index, id);
        if (cookiesSet !== undefined) target.cookiesSet = this.sharedCookiesSet(cookiesSet);
        target.tokenIds = tokenIds;
        this.updated(index, id);
      }
    } catch (err) {
      this.reportOnce('response', err);
    }
  }

  /** Ends an exchange, with the response body slice when there was one. Never throws. */
  finishExchange(id: number, input: FinishInput): void {
    try {
      const index = this.indexOf(id);
      if (index === undefined) return;
      const ex = this.at(index, id);
      const endedAt = input.endedAt ?? this.now();
      let responseBody: BodyPreview | undefined;
      let tokenIds: readonly number[] | undefined;
      if (input.responseBody) {
        // The text of a response body serves only the token search: a large body that cannot hold a token is not made into one.
        const decoded = decodeBody(input.responseBody, ex.responseHeaders, this.analysisBytes, this.retainedPreviewBytes, bytesMayHoldToken);
        responseBody = decoded.preview;
        if (decoded.text) {
          const receivedAt = ex.responseReceivedAt ?? endedAt;
          tokenIds = this.addTokens(ex.tokenIds, id, tokensInBody(decoded.text, decoded.preview.mimeType ?? mimeTypeOf(headerValue(ex.responseHeaders, 'content-type')), 'response-body', receivedAt), receivedAt);
        }
      }
      const target = this.writable(index, id);
      target.state = input.state;
      target.endedAt = endedAt;
      if (input.error !== undefined) target.error = input.error;
      if (responseBody !== undefined) target.responseBody = responseBody;
      if (tokenIds !== undefined) target.tokenIds = tokenIds;
      if (index === -1) {
        // Readers know nothing of exchanges that left the ring buffer: no change for them.
        this.unfinishedEvicted.delete(id);
      } else {
        this.exchangeChanged('exchange-finished', target);
      }
      if (this.finishListeners.size > 0) this.notifyFinished(target);
    } catch (err) {
      this.reportOnce('finish', err);
    }
  }

  /**
   * The Set-Cookie records of a response; the previous response's list when they are the same
   * records (repeated headers give the same frozen records), so an app that sends the same
   * cookies on every response does not cost a list per exchange.
   */
  private sharedCookiesSet(list: SetCookieRecord[]): readonly SetCookieRecord[] {
    const last = this.lastCookiesSet;
    if (last.length === list.length && list.every((r, i) => r === last[i])) return last;
    this.lastCookiesSet = Object.freeze(list);
    return this.lastCookiesSet;
  }

  private notifyFinished(exchange: Exchange): void {
    this.handedOut.add(exchange);
    const tokens = exchange.tokenIds.length === 0 ? NONE : this.getTokensByIds(exchange.tokenIds);
    for (const listener of [...this.finishListeners]) {
      try {
        listener(exchange, tokens);
      } catch (err) {
        this.reportOnce('finish listener', err);
      }
    }
  }

  /** Position of an exchange in the ring buffer; -1 when it left the buffer unfinished. */
  private indexOf(id: number): number | undefined {
    if (this.unfinishedEvicted.size > 0 && this.unfinishedEvicted.has(id)) return -1;
    const size = this.exchanges.size;
    const first = this.nextExchangeId - size;
    const index = id - first;
    if (index < 0 || index >= size) return undefined;
    // Ids are contiguous in the buffer, except right after clear(); check to be sure.
    return this.exchanges.at(index)?.id === id ? index : this.scan(id);
  }

  private scan(id: number): number | undefined {
    for (let i = 0; i < this.exchanges.size; i++) if (this.exchanges.at(i)?.id === id) return i;
    return undefined;
  }

  /**
   * The exchange at `index`, ready to be changed in place: a copy replaces it first when a
   * caller holds it (copy on write: objects handed out never change). Call `updated` after.
   */
  private writable(index: number, id: number): Mutable<Exchange> {
    const old = this.at(index, id);
    if (!this.isHandedOut(old)) return old as Mutable<Exchange>;
    const copy = this.copyOf(old);
    this.put(index, copy);
    return copy;
  }

  /** The exchange at a position `indexOf` returned. */
  private at(index: number, id: number): Exchange {
    return (index === -1 ? this.unfinishedEvicted.get(id) : this.exchanges.at(index)) as Exchange;
  }

  private put(index: number, exchange: Exchange): void {
    if (index === -1) this.unfinishedEvicted.set(exchange.id, exchange);
    else this.exchanges.set(index, exchange);
  }

  private updated(index: number, id: number): void {
    // Readers know nothing of exchanges that left the ring buffer: no change for them.
    if (index !== -1) this.exchangeChanged('exchange-updated', this.at(index, id));
  }

  /**
   * Records a change of an exchange in the ring buffer. An update of an exchange that this batch
   * already added or updated (and did not finish) folds into that change: its `exchange` is
   * resolved at delivery, so it shows the update anyway.
   */
  private exchangeChanged(kind: PendingExchangeChange['kind'], exchange: Exchange): void {
    const version = this.changed();
    if (!this.listening) return;
    const open = this.pending.open;
    if (kind === 'exchange-updated' && open.has(exchange.id)) return;
    const change: PendingExchangeChange = { kind, version, exchange };
    this.pending.changes.push(change as SessionChange);
    if (kind === 'exchange-finished') open.delete(exchange.id);
    else open.set(exchange.id, change);
  }

  private push(change: SessionChange): void {
    this.pending.changes.push(change);
  }

  private update(id: number, patch: Partial<Mutable<Exchange>>): void {
    const index = this.indexOf(id);
    if (index === undefined) return;
    const old = this.at(index, id);
    // Copy on write: objects a caller holds never change; fresh ones are updated in place.
    if (this.isHandedOut(old)) this.put(index, this.copyOf(old, patch));
    else Object.assign(old as Mutable<Exchange>, patch);
    this.updated(index, id);
  }

  private addCookieEvents(drafts: readonly CookieEventDraft[]): void {
    if (drafts.length === 0) return;
    for (const d of drafts) {
      const event: CookieHistoryEvent = { seq: this.nextEventSeq++, ...d };
      this.history.push(event);
      const version = this.changed();
      if (!this.listening) continue;
      this.pending.refreshed.delete(d.cookieKey);
      const gone = d.kind === 'deleted' || d.kind === 'expired' || d.kind === 'evicted';
      const cookie = gone ? undefined : this.mirror.record(d.cookieKey);
      this.push(cookie ? { kind: 'cookie', version, event, cookie } : { kind: 'cookie', version, event });
    }
  }

  /**
   * Cookies whose times moved without a history event (set again unchanged, or sent). One change
   * per cookie and batch (until its next history event): the record is read at delivery.
   */
  private cookiesRefreshed(keys: readonly string[]): void {
    for (const key of keys) {
      const version = this.changed();
      if (!this.listening || this.pending.refreshed.has(key)) continue;
      const change = { kind: 'cookie-refreshed' as const, version, cookie: undefined };
      this.pending.refreshed.add(key);
      this.pending.refreshes.push({ key, change });
      this.push(change as unknown as SessionChange);
    }
  }

  /** Records found tokens; returns the exchange's token ids (the same array when nothing was found). */
  private addTokens(current: readonly number[], exchangeId: number, found: readonly TokenCandidate[], time: number): readonly number[] {
    if (found.length === 0) return current;
    const ids: number[] = [];
    for (const c of found) {
      const key = `${c.kind}\u0000${c.source}\u0000${c.name}\u0000${c.value}`;
      const old = this.tokens.get(key);
      if (old) {
        const next: TokenRecord = { ...old, lastSeen: Math.max(old.lastSeen, time), lastExchangeId: exchangeId, count: old.count + 1 };
        this.tokens.set(key, next);
        this.tokensById.set(old.id, next);
        const version = this.changed();
        if (this.listening) this.push({ kind: 'token-seen', version, token: next, first: false });
        if (!ids.includes(old.id)) ids.push(old.id);
        continue;
      }
      const record: TokenRecord = {
        id: this.nextTokenId++,
        kind: c.kind,
        source: c.source,
        name: c.name,
        value: c.value,
        isJwt: c.kind.startsWith('jwt-') || c.expiresAtSource === 'jwt-exp' || /^eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?$/.test(c.value),
        ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
        ...(c.expiresAtSource ? { expiresAtSource: c.expiresAtSource } : {}),
        ...(c.tokenType ? { tokenType: c.tokenType } : {}),
        ...(c.scope ? { scope: c.scope } : {}),
        flags: c.flags,
        exchangeId,
        ...capturedByOf(c.source, this.exchangeById(exchangeId)?.source),
        firstSeen: time,
        lastSeen: time,
        lastExchangeId: exchangeId,
        count: 1,
      };
      this.tokens.set(key, record);
      this.tokensById.set(record.id, record);
      const version = this.changed();
      if (this.listening) this.push({ kind: 'token-seen', version, token: record, first: true });
      if (this.tokens.size > this.maxTokens) {
        const oldest = this.tokens.entries().next().value;
        if (oldest !== undefined) {
          this.tokens.delete(oldest[0]);
          this.tokensById.delete(oldest[1].id);
          const dropped = this.changed();
          if (this.listening) this.push({ kind: 'token-dropped', version: dropped, tokenId: oldest[1].id });
        }
      }
      ids.push(record.id);
    }
    const added = ids.filter((i) => !current.includes(i));
    return added.length === 0 ? current : [...current, ...added];
  }

  /** Counts a change (returns the version it produced) and schedules its delivery; `model` false for a reader's findings. */
  private changed(model = true): number {
    const version = ++this.versionCounter;
    if (model) this.lastModelVersion = version;
    // Nobody listens: keep nothing (a later subscriber starts from snapshot()).
    if (!this.listening) return version;
    this.hasPending = true;
    if (this.timer !== undefined) return version;
    const wait = Math.max(0, this.lastEmit + this.throttleMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
    this.timer.unref?.();
    return version;
  }

  private guard(where: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.reportOnce(where, err);
    }
  }

  private reportOnce(where: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const key = `${where}: ${message}`;
    if (this.reported.has(key) || this.reported.size > 100) return;
    this.reported.add(key);
    this.logger?.error(`Session Lens capture: analysis of a ${where} failed (${message}); forwarding is unaffected`);
  }
}
