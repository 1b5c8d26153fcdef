import { parseCookieHeader, parseSetCookie } from '../cookies/setCookie';
import type { Exchange, HeaderField, SessionSnapshot } from './types';

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
  };
}

const TOKEN_HEADERS = /^(?:authorization|proxy-authorization|x-auth-token|x-csrf-token|x-csrftoken|x-xsrf-token|x-access-token|x-session-token|x-api-key)$/i;
/** Shorter values are redacted only where they sit (cookie, header), not searched for everywhere. */
const MIN_GLOBAL_SECRET = 8;

class Redactor {
  private readonly secrets: string[];

  constructor(snapshot: SessionSnapshot, readonly enabled: boolean) {
    const set = new Set<string>();
    if (enabled) {
      for (const t of snapshot.tokens) set.add(t.value);
      for (const c of snapshot.cookies) set.add(c.value);
      for (const e of snapshot.cookieHistory) {
        if (e.oldValue) set.add(e.oldValue);
        if (e.newValue) set.add(e.newValue);
      }
      for (const ex of snapshot.exchanges) {
        for (const c of ex.cookiesSent) set.add(c.value);
        for (const c of ex.cookiesSet) set.add(c.value);
      }
    }
    // Longest first, so a token containing another is replaced whole.
    this.secrets = [...set].filter((s) => s.length >= MIN_GLOBAL_SECRET).sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    if (!this.enabled) return s;
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
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

function queryString(url: string, r: Redactor): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value: r.text(value) }));
  } catch {
    return [];
  }
}

function entryOf(ex: Exchange, r: Redactor): Record<string, unknown> {
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
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait, receive },
    _sessionLens: { exchangeId: ex.id, state: ex.state, source: ex.source, ...(ex.upstreamUrl ? { upstreamUrl: r.text(ex.upstreamUrl) } : {}) },
  };
  return entry;
}

/**
 * Builds a HAR 1.2 document from a snapshot. With `redact` (the default) cookie values, token
 * values, credentials and login form bodies are replaced by `[redacted]`; names, attributes and
 * structure stay, so the audit still works on the export.
 */
export function exportHar(snapshot: SessionSnapshot, options: HarExportOptions = {}): HarDocument {
  const r = new Redactor(snapshot, options.redact ?? true);
  return {
    log: {
      version: '1.2',
      creator: options.creator ?? { name: 'Session Lens', version: '0.1.0' },
      pages: [],
      entries: snapshot.exchanges.map((ex) => entryOf(ex, r)),
    },
  };
}
