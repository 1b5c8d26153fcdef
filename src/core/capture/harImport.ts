import { recoverUnterminatedHar } from './harJournal';
import type { SessionStore } from './sessionStore';
import type { ExchangeState, HeaderField } from './types';

/** States of an exchange that ended before its response was complete, as `_sessionLens.state` in our own exports. */
const BROKEN_STATES: ReadonlySet<string> = new Set<ExchangeState>(['client-aborted', 'upstream-error', 'timeout', 'aborted']);

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

function headersOf(v: unknown): HeaderField[] {
  if (!Array.isArray(v)) return [];
  const out: HeaderField[] = [];
  for (const h of v) {
    if (!isObject(h)) continue;
    const name = str(h.name);
    if (name === undefined || name === '') continue;
    out.push({ name, value: h.value === undefined || h.value === null ? '' : String(h.value) });
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
  const parts = [`${name}=${c.value === undefined || c.value === null ? '' : String(c.value)}`];
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

function bodyBytes(text: string | undefined, encoding: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  return encoding?.toLowerCase() === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

/** Parses HAR text. Throws HarFormatError with a one-line reason when it is not a HAR. */
export function parseHar(text: string): Json {
  return parseHarText(text).log;
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
    const log = validateHar(JSON.parse(recovered.text));
    return { log, recoveredEntries: recovered.entries };
  }
  return { log: validateHar(parsed) };
}

function validateHar(parsed: unknown): Json {
  if (!isObject(parsed)) throw new HarFormatError('not a HAR file: the top level is not a JSON object');
  const log = parsed.log;
  if (!isObject(log)) throw new HarFormatError('not a HAR file: no "log" object');
  if (!Array.isArray(log.entries)) throw new HarFormatError('not a HAR file: "log.entries" is not an array');
  return log;
}

/**
 * Imports a HAR 1.2 log (Chrome, Firefox, Insomnia, Charles...) into the store through the
 * same calls the proxy makes, so downstream code sees no difference. Tolerates missing
 * `cookies` arrays, base64 `content.text`, Firefox's newline-joined Set-Cookie, cookies given
 * only in `cookies`, `_`-prefixed extras and missing timings. Entries are applied in
 * `startedDateTime` order. Throws HarFormatError only when the input is not a HAR at all.
 */
export function importHar(store: SessionStore, input: string | unknown): HarImportResult {
  const parsed = typeof input === 'string' ? parseHarText(input) : { log: validateHar(input) };
  const log = parsed.log;
  const entries = (log.entries as unknown[]).map((e, i) => ({ e, i }));
  const time = (e: unknown): number => {
    const t = isObject(e) ? Date.parse(str(e.startedDateTime) ?? '') : NaN;
    return Number.isFinite(t) ? t : Number.NaN;
  };
  // Stable sort by start time; entries without a time keep their place relative to each other.
  entries.sort((a, b) => {
    const ta = time(a.e);
    const tb = time(b.e);
    return Number.isNaN(ta) || Number.isNaN(tb) ? a.i - b.i : ta - tb || a.i - b.i;
  });

  const problems = new Map<string, number>();
  const note = (p: string): void => { problems.set(p, (problems.get(p) ?? 0) + 1); };
  let imported = 0;
  let lastTime = Date.now();
  for (const { e } of entries) {
    if (!isObject(e) || !isObject(e.request)) { note('entry without a request'); continue; }
    const req = e.request;
    const url = str(req.url);
    if (!url || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) { note('entry without an absolute request URL'); continue; }
    const startedRaw = time(e);
    const startedAt = Number.isNaN(startedRaw) ? lastTime : startedRaw;
    if (Number.isNaN(startedRaw)) note('entry without a valid startedDateTime (previous time used)');
    lastTime = startedAt;

    const requestHeaders = headersOf(req.headers);
    if (!hasHeader(requestHeaders, 'cookie') && Array.isArray(req.cookies) && req.cookies.length > 0) {
      const pairs = req.cookies.filter(isObject).map((c) => `${str(c.name) ?? ''}=${c.value === undefined || c.value === null ? '' : String(c.value)}`);
      if (pairs.length > 0) requestHeaders.push({ name: 'Cookie', value: pairs.join('; ') });
    }
    const method = str(req.method)?.toUpperCase() || 'GET';
    const id = store.beginExchange({ source: 'har', method, url, headers: requestHeaders, httpVersion: httpVersionOf(req.httpVersion), startedAt });

    if (isObject(req.postData)) {
      const pd = req.postData;
      let text = str(pd.text);
      if (text === undefined && Array.isArray(pd.params)) {
        text = new URLSearchParams(pd.params.filter(isObject).map((p) => [str(p.name) ?? '', str(p.value) ?? ''])).toString();
      }
      const bytes = bodyBytes(text, str(pd.encoding));
      if (bytes) {
        const mimeType = hasHeader(requestHeaders, 'content-type') ? undefined : str(pd.mimeType);
        store.addRequestBody(id, { ...(mimeType ? { mimeType } : {}), bytes, wireBytes: num(req.bodySize) !== undefined && (req.bodySize as number) >= 0 ? (req.bodySize as number) : bytes.length, truncated: false, decoded: true });
      }
    }

    const res = isObject(e.response) ? e.response : undefined;
    const status = num(res?.status) ?? 0;
    const t = isObject(e.timings) ? e.timings : {};
    const phase = (k: string): number => Math.max(0, num(t[k]) ?? 0);
    const receivedAt = startedAt + phase('blocked') + phase('dns') + phase('connect') + phase('send') + phase('wait');
    const total = num(e.time);
    const endedAt = total !== undefined && total >= 0 ? startedAt + total : receivedAt + phase('receive');

    // How an exchange broke off, in our own exports.
    const recordedState = isObject(e._sessionLens) ? str(e._sessionLens.state) : undefined;
    const brokenState = recordedState !== undefined && BROKEN_STATES.has(recordedState) ? recordedState as Exclude<ExchangeState, 'pending'> : 'upstream-error';
    if (!res || status <= 0) {
      const reason = str(e._error) ?? str(res?._error) ?? 'no response (blocked, failed or cancelled in the browser)';
      store.finishExchange(id, { state: brokenState, error: reason, endedAt });
      imported++;
      continue;
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
    store.addResponse(id, { status, ...(str(res.statusText) !== undefined ? { statusText: str(res.statusText) } : {}), headers: responseHeaders, receivedAt });
    const bytes = bodyBytes(str(content.text), str(content.encoding));
    const bodySize = num(res.bodySize);
    const wireBytes = bodySize !== undefined && bodySize >= 0 ? bodySize : num(content.size) ?? bytes?.length ?? 0;
    // A response that broke off after its head (an `_error` on it) is not complete.
    const error = str(res._error) ?? str(e._error);
    store.finishExchange(id, {
      ...(error === undefined ? { state: 'complete' } : { state: brokenState, error }),
      endedAt,
      ...(bytes ? { responseBody: { bytes, wireBytes, truncated: false, decoded: true } } : {}),
    });
    imported++;
  }
  const creator = isObject(log.creator) ? [str(log.creator.name), str(log.creator.version)].filter(Boolean).join(' ') : undefined;
  let skipped = 0;
  const warnings: string[] = [];
  if (parsed.recoveredEntries !== undefined) {
    warnings.push(`the HAR was never closed (a capture journal left by a capture that did not stop normally): read its ${parsed.recoveredEntries} complete entries`);
  }
  if (typeof log.comment === 'string' && log.comment !== '') warnings.push(`the HAR says: ${log.comment}`);
  for (const [p, n] of problems) {
    if (!p.includes('previous time used')) skipped += n;
    warnings.push(n === 1 ? p : `${p} (×${n})`);
  }
  store.flush();
  return { imported, skipped, warnings, ...(creator ? { creator } : {}) };
}
