import { isAscii } from 'node:buffer';
import type { SessionStore } from '../session/sessionStore';
import type { BodyInput } from '../session/bodyPreview';
import { recoverUnterminatedHar } from './harJournal';
import type { BlockedRequestCookie, ExchangeModification, ExchangeState, HeaderField, ModificationKind } from '../session/types';
import type { BlockedSetCookie } from '../session/sessionStore';

/** States of an exchange that ended before its response was complete, as `_sessionLens.state` in our own exports. */
const BROKEN_STATES: ReadonlySet<string> = new Set<ExchangeState>(['client-aborted', 'upstream-error', 'timeout', 'aborted']);

/** A state other than complete: how an exchange broke off. */
export type BrokenState = Exclude<ExchangeState, 'pending' | 'complete'>;

/** A file that is not JSON or not a HAR: the message is one line for the user. */
export class HarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarFormatError';
  }
}

/** What an import did. */
export interface HarImportResult {
  /** Entries turned into exchanges. */
  readonly imported: number;
  /** Entries that were not usable (no request URL...). */
  readonly skipped: number;
  /** One line per kind of problem, with a count. */
  readonly warnings: readonly string[];
  /** Creator of the HAR as it says (`Chrome 131`, `Firefox 133`, `Insomnia`...). */
  readonly creator?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A header or cookie value as text: strings as written, numbers and booleans printed, anything else (objects, arrays, null) empty. */
const valueText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

function headersOf(v: unknown): HeaderField[] {
  if (!Array.isArray(v)) return [];
  const out: HeaderField[] = [];
  for (const h of v) {
    if (!isObject(h)) continue;
    const name = str(h.name);
    if (name === undefined || name === '') continue;
    out.push({ name, value: valueText(h.value) });
  }
  return out;
}

function hasHeader(headers: readonly HeaderField[], name: string): boolean {
  return headers.some((h) => h.name.toLowerCase() === name);
}

/** `HTTP/1.1` → `1.1`, `h2`/`HTTP/2.0` → `2.0`. */
function httpVersionOf(v: unknown): string {
  const s = str(v)?.trim().toLowerCase() ?? '';
  if (s === 'h2' || s === 'http/2' || s === 'http/2.0') return '2.0';
  if (s === 'h3' || s === 'http/3' || s === 'http/3.0') return '3.0';
  const m = /^http\/(\d(?:\.\d)?)$/.exec(s);
  return m ? m[1] : '1.1';
}

/** Rebuilds a Set-Cookie line from a HAR cookie object (for exports that only fill `cookies`). */
function setCookieFromHarCookie(c: Json): string | undefined {
  const name = str(c.name);
  if (name === undefined) return undefined;
  const parts = [`${name}=${valueText(c.value)}`];
  const path = str(c.path);
  if (path) parts.push(`Path=${path}`);
  const domain = str(c.domain);
  if (domain) parts.push(`Domain=${domain}`);
  const expires = str(c.expires);
  if (expires) {
    const t = Date.parse(expires);
    if (Number.isFinite(t)) parts.push(`Expires=${new Date(t).toUTCString()}`);
  }
  if (c.httpOnly === true) parts.push('HttpOnly');
  if (c.secure === true) parts.push('Secure');
  const sameSite = str(c.sameSite);
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}

/**
 * A HAR body for the store, at most `keep` bytes of it: the store reads no more than its analysis
 * limit, so an import need not hold a 100 MB download. Text that fits is handed over as it is (no
 * copy to bytes and back); base64 and longer text as bytes. `length` is the whole body's size.
 * A streamed import hands a long body as the UTF-8 bytes of its text (see harStream's CutBodies).
 */
function bodyInput(body: string | Buffer | undefined, encoding: string | undefined, keep: number): { bytes?: Buffer; text?: string; length: number; truncated: boolean } | undefined {
  if (body === undefined) return undefined;
  const base64 = encoding?.toLowerCase() === 'base64';
  if (typeof body !== 'string') {
    if (!base64) return body.length <= keep ? { bytes: body, length: body.length, truncated: false } : { bytes: Buffer.from(body.subarray(0, keep)), length: body.length, truncated: true };
    return bodyInput(body.toString(isAscii(body) ? 'latin1' : 'utf8'), encoding, keep);
  }
  const text = body;
  if (!base64) {
    const length = Buffer.byteLength(text, 'utf8');
    if (length <= keep) return { text, length, truncated: false };
  }
  // Decode only what is kept (plus a little, so that a cut base64 quantum or UTF-8 sequence is whole).
  const slice = base64 ? text.slice(0, Math.ceil((keep + 3) / 3) * 4) : text.slice(0, keep + 1);
  const bytes = Buffer.from(slice, base64 ? 'base64' : 'utf8');
  let padding = 0;
  while (base64 && padding < 2 && text.charCodeAt(text.length - 1 - padding) === 0x3d) padding++;
  const length = base64 ? (slice.length === text.length ? bytes.length : Math.floor(((text.length - padding) * 3) / 4)) : Buffer.byteLength(text, 'utf8');
  if (bytes.length <= keep && length <= keep) return { bytes, length, truncated: false };
  return { bytes: Buffer.from(bytes.subarray(0, keep)), length, truncated: true };
}

/** The body fields of a BodyInput from what bodyInput gave. */
function bodyOf(body: { bytes?: Buffer; text?: string }): { bytes: Buffer } | { text: string } {
  return body.text !== undefined ? { text: body.text } : { bytes: body.bytes! };
}

/** Parses HAR text. Throws HarFormatError with a one-line reason when it is not a HAR. */
export function parseHar(text: string): Json {
  return parseHarText(text).log;
}

/** The warning for a capture journal read as a HAR (a capture that did not stop normally). */
export function unterminatedWarning(entries: number): string {
  return `the HAR was never closed (a capture journal left by a capture that did not stop normally): read its ${entries} complete entries`;
}

function parseHarText(text: string): { log: Json; recoveredEntries?: number } {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(clean);
  } catch (err) {
    // A capture killed before it closed its HAR leaves a journal whose entries array is open.
    const recovered = recoverUnterminatedHar(clean);
    if (recovered === undefined) throw new HarFormatError(`not JSON (${err instanceof Error ? err.message : String(err)})`);
    return { log: validateHar(JSON.parse(recovered.text)), recoveredEntries: recovered.entries };
  }
  return { log: validateHar(parsed) };
}

/** Checks the top level of a parsed HAR and returns its `log`. Throws HarFormatError. */
export function validateHar(parsed: unknown): Json {
  if (!isObject(parsed)) throw new HarFormatError('not a HAR file: the top level is not a JSON object');
  const log = parsed.log;
  if (!isObject(log)) throw new HarFormatError('not a HAR file: no "log" object');
  if (!Array.isArray(log.entries)) throw new HarFormatError('not a HAR file: "log.entries" is not an array');
  return log;
}

/** One HAR entry turned into store calls, without the parsed JSON (bodies cut to what the store reads). */
export interface PreparedHarEntry {
  /** Position in log.entries: ties in time keep it. */
  readonly index: number;
  /** startedDateTime in epoch ms, NaN when missing or invalid (the previous entry's time is used). */
  readonly startedRaw: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly requestHeaders: readonly HeaderField[];
  readonly requestBody?: BodyInput;
  /** `request._blockedCookies`: cookies the browser did not send, with its reasons. */
  readonly blockedCookies?: readonly BlockedRequestCookie[];
  /** `_sessionLens.modifications` of our own exports: what Session Lens changed in the exchange. */
  readonly modifications?: readonly ExchangeModification[];
  /** Undefined when the entry has no response (blocked, failed): `error` says why. */
  readonly response?: {
    readonly status: number; readonly statusText?: string; readonly headers: readonly HeaderField[]; readonly body?: BodyInput;
    /** `response._blockedCookies`: Set-Cookie lines the browser refused, with its reasons. */
    readonly blockedSetCookies?: readonly BlockedSetCookie[];
  };
  /** Why the exchange broke off (no response, or a response cut short), when it did. */
  readonly error?: string;
  /** How it broke off, as our own exports record it (`_sessionLens.state`); upstream-error otherwise. */
  readonly brokenState: BrokenState;
  /** Milliseconds from the start to the response head and to the end. */
  readonly receivedAfter: number;
  readonly endedAfter: number;
}

const entryTime = (e: unknown): number => {
  const t = isObject(e) ? Date.parse(str(e.startedDateTime) ?? '') : NaN;
  return Number.isFinite(t) ? t : Number.NaN;
};

/**
 * Reads one HAR entry into a PreparedHarEntry, or notes why it cannot be used (`note`) and
 * returns undefined. Tolerates missing `cookies` arrays, base64 `content.text`, Firefox's
 * newline-joined Set-Cookie, cookies given only in `cookies`, `_`-prefixed extras and missing timings.
 */
export function prepareHarEntry(
  e: unknown, index: number, bodyBytesKept: number, note: (problem: string, entrySkipped?: boolean) => void,
  cuts?: { body(v: unknown): unknown },
): PreparedHarEntry | undefined {
  /** A body's text: a string, or the bytes a streamed import cut out of the entry. */
  const bodyText = (v: unknown): string | Buffer | undefined => {
    const b = cuts ? cuts.body(v) : v;
    return typeof b === 'string' || Buffer.isBuffer(b) ? b : undefined;
  };
  if (!isObject(e) || !isObject(e.request)) { note('entry without a request', true); return undefined; }
  const req = e.request;
  const url = str(req.url);
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) { note('entry without an absolute request URL', true); return undefined; }
  const startedRaw = entryTime(e);
  if (Number.isNaN(startedRaw)) note('entry without a valid startedDateTime (previous time used)');

  const requestHeaders = headersOf(req.headers);
  if (!hasHeader(requestHeaders, 'cookie') && Array.isArray(req.cookies) && req.cookies.length > 0) {
    const pairs = req.cookies.filter(isObject).map((c) => `${str(c.name) ?? ''}=${valueText(c.value)}`);
    if (pairs.length > 0) requestHeaders.push({ name: 'Cookie', value: pairs.join('; ') });
  }
  const method = str(req.method)?.toUpperCase() || 'GET';
  let requestBody: BodyInput | undefined;
  if (isObject(req.postData)) {
    const pd = req.postData;
    let text = bodyText(pd.text);
    if (text === undefined && Array.isArray(pd.params)) {
      text = new URLSearchParams(pd.params.filter(isObject).map((p) => [str(p.name) ?? '', str(p.value) ?? ''])).toString();
    }
    const body = bodyInput(text, str(pd.encoding), bodyBytesKept);
    if (body) {
      const mimeType = hasHeader(requestHeaders, 'content-type') ? undefined : str(pd.mimeType);
      const wireBytes = num(req.bodySize) !== undefined && (req.bodySize as number) >= 0 ? (req.bodySize as number) : body.length;
      requestBody = { ...(mimeType ? { mimeType } : {}), ...bodyOf(body), wireBytes, truncated: body.truncated, decoded: true };
    }
  }

  const res = isObject(e.response) ? e.response : undefined;
  const status = num(res?.status) ?? 0;
  const t = isObject(e.timings) ? e.timings : {};
  const phase = (k: string): number => Math.max(0, num(t[k]) ?? 0);
  const receivedAfter = phase('blocked') + phase('dns') + phase('connect') + phase('send') + phase('wait');
  const total = num(e.time);
  const endedAfter = total !== undefined && total >= 0 ? total : receivedAfter + phase('receive');
  // How an exchange broke off, in our own exports.
  const recordedState = isObject(e._sessionLens) ? str(e._sessionLens.state) : undefined;
  const brokenState = recordedState !== undefined && BROKEN_STATES.has(recordedState) ? recordedState as BrokenState : 'upstream-error';
  const blockedCookies = blockedRequestCookiesOf(req._blockedCookies);
  const modifications = isObject(e._sessionLens) && e._sessionLens.modifications !== undefined ? modificationsOf(e._sessionLens.modifications, note) : [];
  const common = {
    index, startedRaw, method, url, httpVersion: httpVersionOf(req.httpVersion), requestHeaders, ...(requestBody ? { requestBody } : {}),
    ...(blockedCookies.length > 0 ? { blockedCookies } : {}), ...(modifications.length > 0 ? { modifications } : {}), receivedAfter, endedAfter, brokenState,
  };

  if (!res || status <= 0) {
    return { ...common, error: str(e._error) ?? str(res?._error) ?? 'no response (blocked, failed or cancelled in the browser)' };
  }
  const responseHeaders: HeaderField[] = [];
  for (const h of headersOf(res.headers)) {
    // Firefox joins several Set-Cookie headers with newlines into one entry.
    if (h.name.toLowerCase() === 'set-cookie' && h.value.includes('\n')) {
      for (const line of h.value.split(/\r?\n/)) if (line.trim() !== '') responseHeaders.push({ name: h.name, value: line });
    } else {
      responseHeaders.push(h);
    }
  }
  if (!hasHeader(responseHeaders, 'set-cookie') && Array.isArray(res.cookies)) {
    for (const c of res.cookies) {
      const line = isObject(c) ? setCookieFromHarCookie(c) : undefined;
      if (line) responseHeaders.push({ name: 'Set-Cookie', value: line });
    }
  }
  const content = isObject(res.content) ? res.content : {};
  const mimeType = str(content.mimeType);
  if (!hasHeader(responseHeaders, 'content-type') && mimeType) responseHeaders.push({ name: 'Content-Type', value: mimeType });
  const body = bodyInput(bodyText(content.text), str(content.encoding), bodyBytesKept);
  const bodySize = num(res.bodySize);
  const wireBytes = bodySize !== undefined && bodySize >= 0 ? bodySize : num(content.size) ?? body?.length ?? 0;
  // A response that broke off after its head (an `_error` on it) is not complete.
  const error = str(res._error) ?? str(e._error);
  const blockedSetCookies = blockedSetCookiesOf(res._blockedCookies);
  return {
    ...common,
    ...(error !== undefined ? { error } : {}),
    response: {
      status,
      ...(str(res.statusText) !== undefined ? { statusText: str(res.statusText) } : {}),
      headers: responseHeaders,
      ...(body ? { body: { ...bodyOf(body), wireBytes, truncated: body.truncated, decoded: true } } : {}),
      ...(blockedSetCookies.length > 0 ? { blockedSetCookies } : {}),
    },
  };
}

const MODIFICATION_KINDS: ReadonlySet<string> = new Set<ModificationKind>(['expire-now', 'drop', 'replace', 'tamper-jwt', 'shorten-lifetime', 'sent-by-session-lens']);
/** Longest description or name kept from a HAR's modification (ours are one short line). */
const MODIFICATION_TEXT_MAX = 1000;

/**
 * `_sessionLens.modifications` of our own exports (see `Exchange.modifications`), so an exchange a
 * rule touched keeps its "modified by Session Lens: …" marking after export and import. An item
 * that is not one we write is skipped with a note: the marking is never invented.
 */
function modificationsOf(v: unknown, note: (problem: string) => void): ExchangeModification[] {
  if (!Array.isArray(v)) { note('_sessionLens.modifications is not an array (ignored)'); return []; }
  const out: ExchangeModification[] = [];
  for (const item of v.slice(0, 64)) {
    const kind = isObject(item) ? str(item.kind) : undefined;
    const side = isObject(item) ? str(item.side) : undefined;
    const description = isObject(item) ? str(item.description) : undefined;
    if (!isObject(item) || kind === undefined || !MODIFICATION_KINDS.has(kind) || (side !== 'request' && side !== 'response') || description === undefined) {
      note('_sessionLens.modifications item without a known kind, a side (request or response) and a description (skipped)');
      continue;
    }
    const text = (k: string): string | undefined => { const t = str(item[k]); return t === undefined ? undefined : t.slice(0, MODIFICATION_TEXT_MAX); };
    const seconds = (k: string): number | undefined => { const n = num(item[k]); return n !== undefined && n >= 0 ? n : undefined; };
    const ruleId = text('ruleId');
    const credential = text('credential');
    const shortenedToSeconds = seconds('shortenedToSeconds');
    const serverLifetimeSeconds = seconds('serverLifetimeSeconds');
    out.push({
      ...(ruleId !== undefined ? { ruleId } : {}), kind: kind as ModificationKind, side, description: description.slice(0, MODIFICATION_TEXT_MAX),
      ...(shortenedToSeconds !== undefined ? { shortenedToSeconds } : {}), ...(serverLifetimeSeconds !== undefined ? { serverLifetimeSeconds } : {}),
      ...(credential !== undefined ? { credential } : {}),
    });
  }
  if (v.length > 64) note('_sessionLens.modifications with more than 64 items (the rest ignored)');
  return out;
}

/** Reasons as a list of non-empty strings (Chrome's `blockedReasons`). */
function reasonsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string' && r !== '').slice(0, 32) : [];
}

/**
 * `request._blockedCookies`: ours (`{name, value, domain, path, blockedReasons}`) or Chrome's
 * `BlockedCookieWithReason` (`{cookie: {...}, blockedReasons}`). Entries without a reason are
 * cookies that were sent (Chrome lists exemptions there too) and are left out.
 */
function blockedRequestCookiesOf(v: unknown): BlockedRequestCookie[] {
  if (!Array.isArray(v)) return [];
  const out: BlockedRequestCookie[] = [];
  for (const item of v.slice(0, 1000)) {
    if (!isObject(item)) continue;
    const c = isObject(item.cookie) ? item.cookie : item;
    const reasons = reasonsOf(item.blockedReasons);
    const name = str(c.name);
    if (name === undefined || reasons.length === 0) continue;
    out.push({ name, value: valueText(c.value), domain: str(c.domain) ?? '', path: str(c.path) ?? '/', reasons });
  }
  return out;
}

/** `response._blockedCookies`: `{cookieLine, blockedReasons}` (ours and Chrome's `BlockedSetCookieWithReason`). */
function blockedSetCookiesOf(v: unknown): BlockedSetCookie[] {
  if (!Array.isArray(v)) return [];
  const out: BlockedSetCookie[] = [];
  for (const item of v.slice(0, 1000)) {
    if (!isObject(item)) continue;
    const reasons = reasonsOf(item.blockedReasons);
    const line = str(item.cookieLine) ?? (isObject(item.cookie) && str(item.cookie.name) !== undefined ? `${str(item.cookie.name)}=${valueText(item.cookie.value)}` : undefined);
    if (line === undefined || line === '' || reasons.length === 0) continue;
    out.push({ line, reasons });
  }
  return out;
}

/**
 * `log._storage` of a browser capture: web storage entries, applied after the entries (tokens kept
 * there become storage tokens). Returns a warning per kind of malformed item (skipped).
 */
export function applyHarStorage(store: SessionStore, log: Json): string[] {
  const items = log._storage;
  if (items === undefined) return [];
  if (!Array.isArray(items)) return ['log._storage is not an array (ignored)'];
  let bad = 0;
  for (const item of items.slice(0, 100_000)) {
    const area = isObject(item) ? str(item.area) : undefined;
    if (!isObject(item) || (area !== 'localStorage' && area !== 'sessionStorage') || str(item.origin) === undefined || str(item.key) === undefined) {
      bad++;
      continue;
    }
    const time = Date.parse(str(item.time) ?? '');
    store.setStorageItem({ origin: str(item.origin)!, area, key: str(item.key)!, value: valueText(item.value), ...(Number.isFinite(time) ? { time } : {}) });
  }
  store.flush();
  return bad === 0 ? [] : [`log._storage item without origin, area (localStorage or sessionStorage) and key, skipped${bad > 1 ? ` (×${bad})` : ''}`];
}

/** Collects the problems of an import: one line per kind, with a count. */
export class HarImportNotes {
  private readonly problems = new Map<string, number>();
  private skipped = 0;
  /** `entrySkipped`: the problem kept the entry out of the session (others concern a part of an entry that was imported). */
  readonly note = (problem: string, entrySkipped = false): void => {
    this.problems.set(problem, (this.problems.get(problem) ?? 0) + 1);
    if (entrySkipped) this.skipped++;
  };

  /** The warnings and the number of entries skipped. */
  summary(): { skipped: number; warnings: string[] } {
    const warnings = [...this.problems].map(([p, n]) => (n === 1 ? p : `${p} (×${n})`));
    return { skipped: this.skipped, warnings };
  }
}

const byTime = (a: PreparedHarEntry, b: PreparedHarEntry): number => {
  const ta = a.startedRaw;
  const tb = b.startedRaw;
  return Number.isNaN(ta) || Number.isNaN(tb) ? a.index - b.index : ta - tb || a.index - b.index;
};

/** Entries applied between two deliveries of the store's changes during an import. */
const APPLIED_PER_BATCH = 500;

/** Rough bytes of a body held (a character of text as a byte). */
const bodyBytes = (b: BodyInput | undefined): number => (b === undefined ? 0 : b.text?.length ?? b.bytes?.length ?? 0);

/** Rough bytes a prepared entry holds: its bodies, header texts and a fixed part. */
function heldBytes(p: PreparedHarEntry): number {
  let n = 512 + bodyBytes(p.requestBody) + bodyBytes(p.response?.body);
  for (const h of p.requestHeaders) n += h.name.length + h.value.length;
  if (p.response) for (const h of p.response.headers) n += h.name.length + h.value.length;
  return n;
}

/**
 * Applies prepared entries to the store in `startedDateTime` order (stable: entries without a
 * time keep their place relative to each other) through the same calls the proxy makes, so
 * downstream code sees no difference. Entries wait in a window of `windowBytes` and the earliest
 * are applied when it fills: a HAR in time order, or nearly (browsers write parallel requests a
 * little out of order), comes out exactly sorted without holding every entry. An entry older than
 * one already applied is applied late, with a warning.
 */
export class HarEntryQueue {
  private pending: PreparedHarEntry[] = [];
  private pendingBytes = 0;
  /** Entries taken out of the window in order, not yet applied (only when `deferred`). */
  private ready: PreparedHarEntry[] = [];
  private readyAt = 0;
  /** When true, entries leaving the window wait in `ready` until `applyReady` (an import that yields between slices). */
  deferred = false;
  private lastTime = Date.now();
  private lastAppliedTime = -Infinity;
  private applied = 0;

  /**
   * `windowBytes` bounds the memory of the entries waiting; `windowEntries` their number (entries
   * held long are promoted out of the young generation, which the garbage collector pays for).
   */
  constructor(private readonly store: SessionStore, private readonly note: (problem: string) => void, private readonly windowBytes = Infinity, private readonly windowEntries = Infinity) {}

  add(entry: PreparedHarEntry): void {
    this.pending.push(entry);
    this.pendingBytes += heldBytes(entry);
    if (this.pendingBytes > this.windowBytes || this.pending.length > this.windowEntries) this.applyEarliest(this.windowBytes / 2, this.windowEntries / 2);
  }

  /** Applies what is left; returns how many exchanges were made in all. */
  finish(): number {
    this.applyEarliest(0);
    this.applyReady(Infinity);
    this.store.flush();
    return this.applied;
  }

  /** Moves every entry still in the window to the ready list (in time order), to be applied by `applyReady`. */
  release(): void {
    this.applyEarliest(0);
  }

  /** Entries waiting to be applied (deferred mode). */
  get readyCount(): number {
    return this.ready.length - this.readyAt;
  }

  /** Applies ready entries in order until `until()` says stop (checked after each entry); returns how many. */
  applyReady(budget: number, until: () => boolean = () => false): number {
    let n = 0;
    while (this.readyAt < this.ready.length && n < budget) {
      this.apply(this.ready[this.readyAt]!);
      this.ready[this.readyAt++] = undefined as unknown as PreparedHarEntry;
      n++;
      if (until()) break;
    }
    if (this.readyAt === this.ready.length) {
      this.ready = [];
      this.readyAt = 0;
    }
    return n;
  }

  private applyEarliest(keepBytes: number, keepEntries = 0): void {
    this.pending.sort(byTime);
    let i = 0;
    while (i < this.pending.length && (this.pendingBytes > keepBytes || this.pending.length - i > keepEntries)) {
      const p = this.pending[i++];
      this.pendingBytes -= heldBytes(p);
      if (this.deferred) this.ready.push(p);
      else this.apply(p);
    }
    this.pending = this.pending.slice(i);
    if (this.pending.length === 0) this.pendingBytes = 0;
  }

  private apply(p: PreparedHarEntry): void {
    const store = this.store;
    if (p.startedRaw < this.lastAppliedTime) this.note('entry older than entries already applied (the HAR is far from time order): applied after them');
    const startedAt = Number.isNaN(p.startedRaw) ? this.lastTime : p.startedRaw;
    this.lastTime = startedAt;
    if (!Number.isNaN(p.startedRaw) && p.startedRaw > this.lastAppliedTime) this.lastAppliedTime = p.startedRaw;
    this.applied++;
    // Readers take the exchanges in batches of a bounded size: the store does not hold a whole HAR's changes.
    if (this.applied % APPLIED_PER_BATCH === 0) store.flush();
    const id = store.beginExchange({
      source: 'har', method: p.method, url: p.url, headers: p.requestHeaders, httpVersion: p.httpVersion, startedAt,
      ...(p.blockedCookies ? { blockedCookies: p.blockedCookies } : {}),
      ...(p.modifications ? { modifications: p.modifications } : {}),
    });
    if (p.requestBody) store.addRequestBody(id, p.requestBody);
    if (!p.response) {
      store.finishExchange(id, { state: p.brokenState, error: p.error, endedAt: startedAt + p.endedAfter });
      return;
    }
    const { status, statusText, headers, body, blockedSetCookies } = p.response;
    store.addResponse(id, {
      status, ...(statusText !== undefined ? { statusText } : {}), headers, receivedAt: startedAt + p.receivedAfter,
      ...(blockedSetCookies ? { blockedSetCookies } : {}),
    });
    store.finishExchange(id, {
      ...(p.error === undefined ? { state: 'complete' as const } : { state: p.brokenState, error: p.error }),
      endedAt: startedAt + p.endedAfter,
      ...(body ? { responseBody: body } : {}),
    });
  }
}

/** What the HAR itself says about its completeness: a journal read unterminated, a `log.comment`. */
export function logWarnings(log: Json, recoveredEntries: number | undefined): string[] {
  const out: string[] = [];
  if (recoveredEntries !== undefined) out.push(unterminatedWarning(recoveredEntries));
  if (typeof log.comment === 'string' && log.comment !== '') out.push(`the HAR says: ${log.comment}`);
  return out;
}

/** The creator of a HAR log as it says (`Chrome 131`). */
export function harCreator(log: Json): string | undefined {
  return isObject(log.creator) ? [str(log.creator.name), str(log.creator.version)].filter(Boolean).join(' ') : undefined;
}

/**
 * Imports a HAR 1.2 log (Chrome, Firefox, Insomnia, Charles...) held in memory into the store.
 * Entries are applied in `startedDateTime` order. Throws HarFormatError only when the input is
 * not a HAR at all. For files, importHarStream reads one entry at a time.
 */
export function importHar(store: SessionStore, input: string | unknown): HarImportResult {
  const parsed = typeof input === 'string' ? parseHarText(input) : { log: validateHar(input) };
  const log = parsed.log;
  const notes = new HarImportNotes();
  // The parsed HAR is in memory already: every entry waits, so the order is exact.
  const queue = new HarEntryQueue(store, notes.note);
  const entries = log.entries as unknown[];
  for (let i = 0; i < entries.length; i++) {
    const p = prepareHarEntry(entries[i], i, store.bodyAnalysisBytes, notes.note);
    if (p) queue.add(p);
  }
  const imported = queue.finish();
  const storageWarnings = applyHarStorage(store, log);
  const creator = harCreator(log);
  const summary = notes.summary();
  return { imported, skipped: summary.skipped, warnings: [...logWarnings(log, parsed.recoveredEntries), ...summary.warnings, ...storageWarnings], ...(creator ? { creator } : {}) };
}
