import { parseCookieHeader, parseSetCookie } from '../cookies/setCookie';
import type { Exchange, HeaderField, SessionSnapshot, StorageItemRecord } from '../session/types';

/** What replaces a secret in a redacted export. */
export const REDACTED = '[redacted]';

/** Options of `exportHar`. */
export interface HarExportOptions {
  /** Replace cookie values, token values, Authorization credentials and login form bodies (default true). */
  readonly redact?: boolean;
  /** `log.creator` (default Session Lens). */
  readonly creator?: { readonly name: string; readonly version: string };
}

/** A HAR 1.2 document as plain data (serialise with JSON.stringify). */
export interface HarDocument {
  readonly log: {
    readonly version: '1.2';
    readonly creator: { readonly name: string; readonly version: string };
    readonly pages: readonly unknown[];
    readonly entries: readonly Record<string, unknown>[];
    /** Set when the export is incomplete (see `droppedExchangesComment`). */
    readonly comment?: string;
    /** Web storage entries of a browser capture (see `harStorage`). */
    readonly _storage?: readonly Record<string, unknown>[];
  };
}

const TOKEN_HEADERS = /^(?:authorization|proxy-authorization|x-auth-token|x-csrf-token|x-csrftoken|x-xsrf-token|x-access-token|x-session-token|x-api-key)$/i;
/** Shorter values are redacted only where they sit (cookie, header), not searched for everywhere. */
const MIN_GLOBAL_SECRET = 8;

/** Up to this many secrets, each is searched for with the native string search. */
const FEW_SECRETS = 32;
/** Distinct secret values a journal's redactor remembers (the oldest are forgotten first). */
const MAX_REMEMBERED_SECRETS = 50_000;

/**
 * Replaces secrets in exported text. Values are searched for wherever they appear (URLs, bodies,
 * other headers), longest match first, through an index by their first characters: the cost per
 * string does not grow with the number of secrets (a cookie flood brings tens of thousands).
 */
export class HarRedactor {
  /** First MIN_GLOBAL_SECRET characters → secrets starting with them, longest first. */
  private readonly byPrefix = new Map<string, string[]>();
  /** Every remembered secret, oldest first. */
  private readonly remembered = new Set<string>();
  /** First two characters of every secret (c0 << 16 | c1): most text positions are ruled out by one lookup. */
  private readonly pairs = new Map<number, number>();
  /** How many secrets start with each UTF-16 code unit: the cheapest first test. */
  private readonly firsts = new Uint32Array(65536);
  /** Few secrets: searched one by one (native string search), longest first; rebuilt when stale. */
  private few: string[] | undefined = [];

  constructor(readonly enabled: boolean) {}

  /** A redactor knowing every value of a snapshot. */
  static forSnapshot(snapshot: SessionSnapshot, enabled: boolean): HarRedactor {
    const r = new HarRedactor(enabled);
    if (!enabled) return r;
    for (const t of snapshot.tokens) r.remember(t.value);
    for (const c of snapshot.cookies) r.remember(c.value);
    for (const e of snapshot.cookieHistory) {
      if (e.oldValue) r.remember(e.oldValue);
      if (e.newValue) r.remember(e.newValue);
    }
    for (const ex of snapshot.exchanges) r.rememberExchange(ex);
    for (const item of snapshot.storage ?? []) r.remember(item.value);
    return r;
  }

  /** Remembers the cookie values an exchange sent and received. */
  rememberExchange(ex: Exchange): void {
    if (!this.enabled) return;
    for (const c of ex.cookiesSent) this.remember(c.value);
    for (const c of ex.cookiesSet) this.remember(c.value);
    for (const c of ex.blockedRequestCookies ?? []) this.remember(c.value);
  }

  /** Remembers one secret value; short ones are redacted only where they sit. */
  remember(secret: string): void {
    if (!this.enabled || secret.length < MIN_GLOBAL_SECRET || this.remembered.has(secret)) return;
    this.remembered.add(secret);
    this.few = undefined;
    this.firsts[secret.charCodeAt(0)]++;
    const pair = (secret.charCodeAt(0) << 16) | secret.charCodeAt(1);
    this.pairs.set(pair, (this.pairs.get(pair) ?? 0) + 1);
    const prefix = secret.slice(0, MIN_GLOBAL_SECRET);
    const list = this.byPrefix.get(prefix);
    if (list === undefined) this.byPrefix.set(prefix, [secret]);
    else {
      list.push(secret);
      list.sort((a, b) => b.length - a.length);
    }
    if (this.remembered.size > MAX_REMEMBERED_SECRETS) this.forget(this.remembered.values().next().value as string);
  }

  private forget(secret: string): void {
    this.remembered.delete(secret);
    this.firsts[secret.charCodeAt(0)]--;
    const pair = (secret.charCodeAt(0) << 16) | secret.charCodeAt(1);
    const left = (this.pairs.get(pair) ?? 1) - 1;
    if (left === 0) this.pairs.delete(pair);
    else this.pairs.set(pair, left);
    const prefix = secret.slice(0, MIN_GLOBAL_SECRET);
    const list = (this.byPrefix.get(prefix) ?? []).filter((s) => s !== secret);
    if (list.length === 0) this.byPrefix.delete(prefix);
    else this.byPrefix.set(prefix, list);
  }

  text(s: string): string {
    if (!this.enabled || this.remembered.size === 0 || s.length < MIN_GLOBAL_SECRET) return s;
    if (this.remembered.size <= FEW_SECRETS) {
      this.few ??= [...this.remembered].sort((a, b) => b.length - a.length);
      let out = s;
      for (const secret of this.few) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      return out;
    }
    let out: string[] | undefined;
    let copied = 0;
    for (let i = 0; i + MIN_GLOBAL_SECRET <= s.length;) {
      const first = s.charCodeAt(i);
      if (this.firsts[first] === 0 || !this.pairs.has((first << 16) | s.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      const candidates = this.byPrefix.get(s.slice(i, i + MIN_GLOBAL_SECRET));
      const hit = candidates?.find((secret) => s.startsWith(secret, i));
      if (hit === undefined) {
        i++;
        continue;
      }
      (out ??= []).push(s.slice(copied, i), REDACTED);
      i += hit.length;
      copied = i;
    }
    if (out === undefined) return s;
    out.push(s.slice(copied));
    return out.join('');
  }

  header(h: HeaderField): HeaderField {
    if (!this.enabled) return h;
    const lower = h.name.toLowerCase();
    if (lower === 'cookie') return { name: h.name, value: parseCookieHeader(h.value).map((c) => `${c.name}=${REDACTED}`).join('; ') };
    if (lower === 'set-cookie') return { name: h.name, value: this.setCookie(h.value) };
    if (TOKEN_HEADERS.test(h.name)) {
      const m = /^(\s*(?:bearer|basic|token|digest|negotiate)\s+)/i.exec(h.value);
      return { name: h.name, value: m ? `${m[1].trim()} ${REDACTED}` : REDACTED };
    }
    return { name: h.name, value: this.text(h.value) };
  }

  setCookie(raw: string): string {
    if (!this.enabled) return raw;
    const semi = raw.indexOf(';');
    const pair = semi === -1 ? raw : raw.slice(0, semi);
    const eq = pair.indexOf('=');
    return `${eq === -1 ? '' : pair.slice(0, eq)}=${REDACTED}${semi === -1 ? '' : raw.slice(semi)}`;
  }

  value(v: string): string {
    return this.enabled ? REDACTED : v;
  }
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

function queryString(url: string, r: HarRedactor): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value: r.text(value) }));
  } catch {
    return [];
  }
}

/**
 * One HAR 1.2 entry of an exchange. The redactor must already know the exchange's secrets
 * (`rememberExchange`, plus its tokens) when redaction is on.
 */
export function harEntry(ex: Exchange, r: HarRedactor): Record<string, unknown> {
  const received = ex.responseReceivedAt ?? ex.endedAt ?? ex.startedAt;
  const ended = ex.endedAt ?? received;
  const wait = Math.max(0, received - ex.startedAt);
  const receive = Math.max(0, ended - received);
  const reqHeaders = ex.requestHeaders.map((h) => r.header(h));
  const resHeaders = (ex.responseHeaders ?? []).map((h) => r.header(h));
  const url = r.text(ex.url);
  const location = ex.responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value ?? '';
  const requestMime = ex.requestBody?.mimeType ?? '';
  const requestText = ex.requestBody?.text;
  const entry: Record<string, unknown> = {
    startedDateTime: iso(ex.startedAt),
    time: Math.max(0, ended - ex.startedAt),
    request: {
      method: ex.method,
      url,
      httpVersion: `HTTP/${ex.httpVersion}`,
      cookies: ex.cookiesSent.map((c) => ({ name: c.name, value: r.value(c.value) })),
      headers: reqHeaders,
      queryString: queryString(url, r),
      ...(ex.requestBody ? {
        postData: {
          mimeType: requestMime,
          // Login forms carry passwords: a redacted export drops the whole body.
          text: requestText === undefined ? '' : ex.hints.hasPasswordField && r.enabled ? REDACTED : r.text(requestText),
        },
      } : {}),
      headersSize: -1,
      bodySize: ex.requestBody?.wireBytes ?? 0,
      // Cookies the browser held but did not send, with its reasons (Chrome's BlockedCookieWithReason).
      ...(ex.blockedRequestCookies?.length ? {
        _blockedCookies: ex.blockedRequestCookies.map((c) => ({ name: c.name, value: r.value(c.value), domain: c.domain, path: c.path, blockedReasons: c.reasons })),
      } : {}),
    },
    response: {
      status: ex.status ?? 0,
      statusText: ex.statusText ?? '',
      httpVersion: `HTTP/${ex.httpVersion}`,
      cookies: ex.cookiesSet.map((c) => {
        const p = parseSetCookie(c.raw);
        return {
          name: c.name,
          value: r.value(c.value),
          ...(p?.path ? { path: p.path } : {}),
          ...(p?.domainRaw ? { domain: p.domainRaw } : {}),
          ...(p?.expires ? { expires: p.expires.toISOString() } : {}),
          httpOnly: p?.httpOnly ?? false,
          secure: p?.secure ?? false,
          ...(p?.sameSiteRaw !== undefined ? { sameSite: p.sameSiteRaw } : {}),
        };
      }),
      headers: resHeaders,
      content: {
        size: ex.responseBody?.wireBytes ?? 0,
        mimeType: ex.responseBody?.mimeType ?? '',
        ...(ex.responseBody?.text !== undefined && !ex.responseBody.truncated ? { text: r.text(ex.responseBody.text) } : {}),
        ...(ex.responseBody?.truncated ? { comment: 'body not kept in full by the capture' } : ex.responseBody && ex.error ? { comment: `body cut short: ${ex.error}` } : {}),
      },
      redirectURL: r.text(location),
      headersSize: -1,
      bodySize: ex.responseBody?.wireBytes ?? (ex.status === undefined ? -1 : 0),
      ...(ex.error ? { _error: ex.error } : {}),
      // Set-Cookie lines the browser refused, with its reasons (Chrome's BlockedSetCookieWithReason).
      ...(ex.cookiesSet.some((c) => c.blockedReasons) ? {
        _blockedCookies: ex.cookiesSet.filter((c) => c.blockedReasons).map((c) => ({ name: c.name, value: r.value(c.value), cookieLine: r.setCookie(c.raw), blockedReasons: c.blockedReasons })),
      } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait, receive },
    _sessionLens: { exchangeId: ex.id, state: ex.state, source: ex.source, ...(ex.upstreamUrl ? { upstreamUrl: r.text(ex.upstreamUrl) } : {}), ...(ex.modifications ? { modifications: ex.modifications } : {}) },
  };
  return entry;
}

/**
 * `log._storage` of a browser capture: the `localStorage`/`sessionStorage` entries of the captured
 * origins, so that an audit of the HAR sees tokens kept there (`jwt-readable-storage`).
 */
export function harStorage(items: readonly StorageItemRecord[], r: HarRedactor): Record<string, unknown>[] {
  return items.map((item) => ({ origin: item.origin, area: item.area, key: item.key, value: r.value(item.value), time: iso(item.time) }));
}

/** The default `log.creator`. */
export const HAR_CREATOR = { name: 'Session Lens', version: '0.1.0' } as const;

/** What `log.comment` says when the session had dropped exchanges before this export. */
export function droppedExchangesComment(evicted: number, kept: number): string {
  return `Incomplete: the capture kept the last ${kept} exchanges in memory and had already dropped ${evicted} older ones, which are not in this file. `
    + 'Raise sessionLens.capture.maxExchanges, or use session-lens capture --har FILE, which writes every exchange.';
}

/**
 * Builds a HAR 1.2 document from a snapshot. With `redact` (the default) cookie values, token
 * values, credentials and login form bodies are replaced by `[redacted]`; names, attributes and
 * structure stay, so the audit still works on the export. When the session had dropped old
 * exchanges (`evictedExchanges`), `log.comment` says so: an export is never silently partial.
 */
export function exportHar(snapshot: SessionSnapshot, options: HarExportOptions = {}): HarDocument {
  const r = HarRedactor.forSnapshot(snapshot, options.redact ?? true);
  return {
    log: {
      version: '1.2',
      creator: options.creator ?? HAR_CREATOR,
      pages: [],
      entries: snapshot.exchanges.map((ex) => harEntry(ex, r)),
      ...(snapshot.evictedExchanges > 0 ? { comment: droppedExchangesComment(snapshot.evictedExchanges, snapshot.exchanges.length) } : {}),
      ...(snapshot.storage?.length ? { _storage: harStorage(snapshot.storage, r) } : {}),
    },
  };
}
