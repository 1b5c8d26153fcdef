import { type ParsedSetCookie, parseSetCookie } from '../cookies/setCookie';
import type { Exchange, HeaderField, SetCookieRecord } from '../session/types';
import type { AuditSettings } from './auditSettings';
import { type CookieClassification, classifyCookie, isNeverSessionName } from './classifyCookie';
import { isDeletion } from './cookieRules';

/** Every value of a header, case-insensitive, in order. */
export function headerValues(headers: readonly HeaderField[] | undefined, name: string): string[] {
  const out: string[] = [];
  if (!headers) return out;
  const lower = name.toLowerCase();
  // Names of another length cannot match: most headers are passed over without a lower-case copy.
  for (const h of headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) out.push(h.value);
  return out;
}

/** The first value of a header, case-insensitive (no list made: most lookups want one value). */
export function firstHeaderValue(headers: readonly HeaderField[] | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const h of headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) return h.value;
  return undefined;
}

/** When the response arrived (Max-Age counts from here), falling back to the request time. */
export function receivedAtOf(ex: Exchange): number {
  return ex.responseReceivedAt ?? ex.startedAt;
}

/** True for a response that says the request worked (1xx-3xx). */
export function succeeded(ex: Exchange): boolean {
  return ex.status !== undefined && ex.status >= 100 && ex.status < 400;
}

/** The path of an exchange without query and fragment. */
export function pathOnly(ex: Pick<Exchange, 'path'>): string {
  const p = ex.path ?? '/';
  const q = p.indexOf('?');
  const hash = p.indexOf('#');
  const end = q === -1 ? hash : hash === -1 ? q : Math.min(q, hash);
  return end === -1 ? p : p.slice(0, end);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const wordPatterns = new WeakMap<readonly string[], RegExp | null>();

/** True when one of `words` appears in `path` as a whole word (between /, ., -, _, ; or the ends). */
export function pathHasWord(path: string, words: readonly string[]): boolean {
  let re = wordPatterns.get(words);
  if (re === undefined) {
    const alternatives = words.filter((w) => w !== '').map((w) => escapeRegExp(w.toLowerCase()));
    re = alternatives.length === 0 ? null : new RegExp(`(^|[/._;-])(${alternatives.join('|')})($|[/._;-])`);
    wordPatterns.set(words, re);
  }
  return re !== null && re.test(path.toLowerCase());
}

/** A Set-Cookie of an exchange, parsed, with what it did. */
export interface IssuedCookie {
  readonly record: SetCookieRecord;
  readonly parsed: ParsedSetCookie;
  /** The Set-Cookie removes the cookie (Max-Age ≤ 0, Expires in the past, or the jar said so). */
  readonly deletion: boolean;
}

const NO_ISSUED: readonly IssuedCookie[] = Object.freeze([]);

// Exchanges from the store are never mutated, so parsing once per exchange object is safe.
const issuedCache = new WeakMap<Exchange, readonly IssuedCookie[]>();

/** The Set-Cookie headers of an exchange, parsed; headers browsers ignore outright are left out. */
export function issuedCookies(ex: Exchange): readonly IssuedCookie[] {
  // Most responses set no cookie.
  if (ex.cookiesSet === undefined || ex.cookiesSet.length === 0) return NO_ISSUED;
  const cached = issuedCache.get(ex);
  if (cached) return cached;
  const out: IssuedCookie[] = [];
  for (const record of ex.cookiesSet ?? []) {
    const parsed = parseSetCookie(record.raw);
    if (!parsed) continue;
    const deletion = record.outcome === 'deleted' || isDeletion(parsed, receivedAtOf(ex), ex.serverDate);
    out.push({ record, parsed, deletion });
  }
  issuedCache.set(ex, out);
  return out;
}

/** A session cookie as the timeline audit sees it. */
export interface SessionCookieInfo extends CookieClassification {
  /** True when the name alone did not make it a session cookie but its change at login did. */
  readonly promoted: boolean;
}

/** True when a cookie value can serve as an opaque server-side session id worth measuring. */
export function isIdLike(name: string, info: CookieClassification, value: string): boolean {
  return !isPlaceholderValue(value) && holdsIds(name, info);
}

/** True for empty and placeholder values (and redacted exports: "[redacted]", "****"), which are not ids to measure. */
export function isPlaceholderValue(value: string): boolean {
  return value === '' || /^(deleted|null|undefined|true|false|0|1|yes|no|\[redacted\]|\*+)$/i.test(value);
}

/** True when the values of cookie `name`, classified as `info`, are ids ({@link isIdLike} without the value check). */
export function holdsIds(name: string, info: CookieClassification): boolean {
  if (info.valueKind === 'id') return true;
  if (info.valueKind !== 'other') return false;
  // A short or plain value only counts when the name says it is the session id itself.
  return info.framework !== undefined || /(^|[._-])(sess|session|sessid|sessionid|sid)($|[._-])|session/i.test(name.replace(/^__(secure|host)-/i, ''));
}

/**
 * Decides which cookie names of a capture are session cookies: by name and value
 * ({@link classifyCookie}), plus cookies whose value a successful login replaced or created.
 */
export function sessionCookies(
  exchanges: readonly Exchange[],
  settings: AuditSettings,
  isLogin: (ex: Exchange) => boolean,
): Map<string, SessionCookieInfo> {
  const out = new Map<string, SessionCookieInfo>();
  const consider = (name: string, value: string): void => {
    const existing = out.get(name);
    if (existing?.isSession) return;
    const info = classifyCookie(name, value, settings);
    if (info.isSession || !existing) out.set(name, { ...info, promoted: false });
  };
  for (const ex of exchanges) {
    for (const c of ex.cookiesSent ?? []) consider(c.name, c.value);
    for (const c of issuedCookies(ex)) if (!c.deletion) consider(c.parsed.name, c.parsed.value);
  }
  for (const ex of exchanges) {
    if (!isLogin(ex)) continue;
    const sent = new Map((ex.cookiesSent ?? []).map((c) => [c.name, c.value]));
    for (const c of issuedCookies(ex)) {
      if (c.deletion) continue;
      const info = out.get(c.parsed.name);
      // Anti-CSRF tokens rotate on login by design; signature companions follow their cookie.
      if (!info || info.isSession || isNeverSessionName(c.parsed.name)) continue;
      const before = sent.get(c.parsed.name);
      const looksLikeCredential = info.valueKind !== 'other';
      if ((before !== undefined && before !== c.parsed.value) || (before === undefined && looksLikeCredential)) {
        out.set(c.parsed.name, {
          ...info,
          isSession: true,
          promoted: true,
          reason: `"${c.parsed.name}" was ${before === undefined ? 'issued' : 'changed'} by the login at ${pathOnly(ex)}, so it is treated as a session cookie.`,
        });
      }
    }
  }
  return out;
}
