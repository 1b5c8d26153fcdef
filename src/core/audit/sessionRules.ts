import type { Exchange, TokenRecord } from '../session/types';
import { makeFinding } from '../findings';
import type { RuleId, Severity } from '../rules/catalog';
import type { AuditItem } from './auditItem';
import type { AuditSettings } from './auditSettings';
import { isLogout, isSsoCallback, loginReason } from './authSteps';
import { estimateSessionIdEntropy, sessionIdPart } from './sessionIdEntropy';
import { type SessionCookieInfo, isIdLike, issuedCookies, pathOnly, succeeded } from './trafficFacts';

/** What the session rules share while walking one capture. */
export interface SessionRuleContext {
  readonly exchanges: readonly Exchange[];
  readonly sessionCookies: ReadonlyMap<string, SessionCookieInfo>;
  readonly settings: AuditSettings;
  readonly tokensById: ReadonlyMap<number, TokenRecord>;
}

function item(ruleId: RuleId, subject: string, message: string, ex: Exchange, header: string | undefined, cause = '', severity?: Severity): AuditItem {
  return {
    finding: makeFinding(ruleId, subject, message, {
      evidence: { exchangeId: ex.id, ...(header !== undefined ? { header } : {}) },
      ...(severity ? { severity } : {}),
    }),
    cause,
  };
}

function requestLine(ex: Exchange): string {
  return `${ex.method} ${pathOnly(ex)}`;
}

/** Session cookies a request carried whose value is an opaque id (not a signed payload or JWT). */
function carriedSessionIds(ex: Exchange, ctx: SessionRuleContext): { name: string; value: string }[] {
  return (ex.cookiesSent ?? []).filter((c) => {
    const info = ctx.sessionCookies.get(c.name);
    return info?.isSession === true && isIdLike(c.name, info, c.value);
  });
}

/** What a response did to a cookie its request carried. */
export type CookieFate = 'deleted' | 'replaced' | 're-issued' | 'untouched';

/** What the response did to a cookie the request carried. */
export function fateOf(ex: Exchange, name: string, value: string): CookieFate {
  let fate: CookieFate = 'untouched';
  for (const c of issuedCookies(ex)) {
    if (c.parsed.name !== name) continue;
    if (c.deletion || c.parsed.value === '') fate = 'deleted';
    else fate = c.parsed.value === value ? 're-issued' : 'replaced';
  }
  return fate;
}

/** The next exchange after index `i` that sends cookie `name`, if any. */
function nextSent(ctx: SessionRuleContext, i: number, name: string): string | undefined {
  for (let j = i + 1; j < ctx.exchanges.length; j++) {
    const c = ctx.exchanges[j].cookiesSent?.find((s) => s.name === name);
    if (c) return c.value;
  }
  return undefined;
}

/**
 * `session-fixation`: a successful authentication leaves the session id the client already had
 * in place (neither replaced in the response nor changed before the next request).
 */
export function fixationItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  ctx.exchanges.forEach((ex, i) => {
    const carried = carriedSessionIds(ex, ctx);
    if (carried.length === 0) return;
    const why = loginReason(ex, ctx.settings, ctx.tokensById);
    if (why === undefined) return;
    for (const { name, value } of carried) {
      const fate = fateOf(ex, name, value);
      if (fate === 'deleted' || fate === 'replaced') continue;
      const later = nextSent(ctx, i, name);
      if (later !== undefined && later !== value) continue;
      out.push(fixationItem(ex, name, why, later === value));
    }
  });
  return out;
}

/** The `session-fixation` finding of one login that kept session cookie `name` (`why`: its {@link loginReason}). */
export function fixationItem(ex: Exchange, name: string, why: string, nextRequestSentIt: boolean): AuditItem {
  const still = nextRequestSentIt ? ' and the next request still sent it' : '';
  return item('session-fixation', name,
    `Session cookie "${name}" kept the same value across the login (${why})${still}. Someone who planted that id before login now shares the authenticated session. Issue a new session id on login (e.g. req.session.regenerate(), session_regenerate_id(true), request.changeSessionId(), cycle_key()).`,
    ex, `Cookie: ${name}=…`);
}

/**
 * `session-not-invalidated-on-logout`: after a successful logout request the session cookie it
 * carried is neither cleared nor replaced.
 */
export function logoutItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const ex of ctx.exchanges) {
    if (!succeeded(ex) || !isLogout(ex, ctx.settings)) continue;
    for (const { name, value } of ex.cookiesSent ?? []) {
      if (value === '' || ctx.sessionCookies.get(name)?.isSession !== true) continue;
      const fate = fateOf(ex, name, value);
      if (fate === 'deleted' || fate === 'replaced') continue;
      out.push(logoutItem(ex, name, fate));
    }
  }
  return out;
}

/** The `session-not-invalidated-on-logout` finding of one logout that left session cookie `name` in place. */
export function logoutItem(ex: Exchange, name: string, fate: CookieFate): AuditItem {
  return item('session-not-invalidated-on-logout', name,
    `The logout ${requestLine(ex)} left session cookie "${name}" in place (${fate === 're-issued' ? 'it was even re-issued with the same value' : 'no Set-Cookie cleared or replaced it'}). Destroy the session on the server and clear the cookie in the response (empty value with Max-Age=0 or a past Expires), with the same Path and Domain it was set with.`,
    ex, `${ex.method} ${ex.path}`);
}

/**
 * `csrf-state-change-on-get`: a GET/HEAD that deletes the session cookie, or replaces it on a
 * login/logout path; a cross-site link or image can trigger it.
 */
export function stateChangeOnGetItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const ex of ctx.exchanges) {
    if (!isGetLike(ex)) continue;
    const authPath = isAuthStep(ex, ctx.settings, ctx.tokensById);
    for (const { name, value } of ex.cookiesSent ?? []) {
      if (value === '' || ctx.sessionCookies.get(name)?.isSession !== true) continue;
      const fate = fateOf(ex, name, value);
      if (fate === 'deleted' || (fate === 'replaced' && authPath)) out.push(stateChangeOnGetItem(ex, name, fate));
    }
  }
  return out;
}

/** True for a GET or HEAD request. */
export function isGetLike(ex: Exchange): boolean {
  const method = (ex.method ?? '').toUpperCase();
  return method === 'GET' || method === 'HEAD';
}

/** True for a logout, or a login that is not an SSO callback (those must be GETs and should renew the session). */
export function isAuthStep(ex: Exchange, settings: AuditSettings, tokensById: ReadonlyMap<number, TokenRecord>): boolean {
  return isLogout(ex, settings) || (!isSsoCallback(ex) && loginReason(ex, settings, tokensById) !== undefined);
}

/** The `csrf-state-change-on-get` finding of a GET/HEAD that cleared or replaced session cookie `name`. */
export function stateChangeOnGetItem(ex: Exchange, name: string, fate: 'deleted' | 'replaced'): AuditItem {
  const method = (ex.method ?? '').toUpperCase();
  return item('csrf-state-change-on-get', name,
    `${requestLine(ex)} ${fate === 'deleted' ? 'cleared' : 'replaced'} session cookie "${name}". Any site can trigger a GET (a link, an <img>), so it can ${fate === 'deleted' ? 'log users out' : 'swap their session'} at will. Make this a POST protected by a CSRF token (and SameSite=Lax or Strict on the cookie).`,
    ex, `${ex.method} ${ex.path}`, `${method} ${pathOnly(ex)}`);
}

interface FirstValue {
  readonly name: string;
  readonly value: string;
  readonly info: SessionCookieInfo;
  readonly ex: Exchange;
  readonly header: string;
}

/** The first value of each session id cookie, from a Set-Cookie or (set before the capture) a request. */
function firstSessionIds(ctx: SessionRuleContext): FirstValue[] {
  const out = new Map<string, FirstValue>();
  const offer = (name: string, value: string, ex: Exchange, header: string): void => {
    const info = ctx.sessionCookies.get(name);
    if (out.has(name) || info?.isSession !== true || !isIdLike(name, info, value)) return;
    out.set(name, { name, value, info, ex, header });
  };
  for (const ex of ctx.exchanges) {
    for (const c of ex.cookiesSent ?? []) offer(c.name, c.value, ex, `Cookie: ${c.name}=${c.value}`);
    for (const c of issuedCookies(ex)) if (!c.deletion) offer(c.parsed.name, c.parsed.value, ex, `Set-Cookie: ${c.record.raw}`);
  }
  return [...out.values()];
}

/** `session-id-low-entropy`: the first value of each session id cookie, measured by alphabet and length. */
export function entropyItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const { name, value, ex, header } of firstSessionIds(ctx)) {
    const found = entropyItem(name, value, ex, header);
    if (found) out.push(found);
  }
  return out;
}

/** The `session-id-low-entropy` finding for the first value of session id cookie `name`, if it is too short or narrow. */
export function entropyItem(name: string, value: string, ex: Exchange, header: string): AuditItem | undefined {
  const e = estimateSessionIdEntropy(value);
  if (e.bits >= 128) return undefined;
  const severity: Severity = e.bits < 64 ? 'error' : 'warning';
  const idPart = e.measured === value ? '' : ', measuring the id part only';
  return item('session-id-low-entropy', name,
    `Session cookie "${name}" carries at most ${e.bits} bits of entropy (${e.measured.length} characters of ${e.alphabet}${idPart}). ASVS asks for at least 128 bits${severity === 'error' ? '; below 64 an attacker can guess live sessions' : ''}. Let the framework generate ids from a CSPRNG with at least 16 random bytes (e.g. 32 hex or 22 base64url characters).`,
    ex, header, '', severity);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** What a session id value reveals, when it is not opaque. */
export function meaningOf(value: string): string | undefined {
  const id = sessionIdPart(value);
  if (EMAIL.test(id)) return 'an e-mail address';
  if (/^\d{1,10}$/.test(id)) return 'a small number, such as a user or row id';
  const candidates = [id];
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(id) && id.length >= 8) {
    const text = Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (!/[\x00-\x08\x0e-\x1f\ufffd]/.test(text)) candidates.push(text);
  }
  for (const text of candidates) {
    const t = text.trim();
    if ((t.startsWith('{') || t.startsWith('[')) && t.length > 1) {
      try {
        JSON.parse(t);
        return text === id ? 'JSON' : 'base64-encoded JSON';
      } catch {
        // Not JSON.
      }
    }
    if (text !== id && EMAIL.test(text)) return 'a base64-encoded e-mail address';
    if (text !== id && /^(user|uid|id|account|name|login|admin|role)[:=|]/i.test(t)) return 'base64-encoded user data';
  }
  if (/^(user|uid|id|account|name|login|admin|role)[:=|_-]?\w+/i.test(id) && id.length < 40) return 'readable user data';
  return undefined;
}

/** `session-id-meaningful`: a session id that decodes to JSON, an e-mail or a user id. */
export function meaningfulIdItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const { name, value, ex, header } of firstSessionIds(ctx)) {
    const found = meaningfulIdItem(name, value, ex, header);
    if (found) out.push(found);
  }
  return out;
}

/** The `session-id-meaningful` finding for the first value of session id cookie `name`, if it decodes to something. */
export function meaningfulIdItem(name: string, value: string, ex: Exchange, header: string): AuditItem | undefined {
  const meaning = meaningOf(value);
  if (meaning === undefined) return undefined;
  return item('session-id-meaningful', name,
    `Session cookie "${name}" is ${meaning}, not an opaque random id: it leaks data and can be guessed or forged. Keep user data server-side and use a random id from the framework's session store.`,
    ex, header);
}
