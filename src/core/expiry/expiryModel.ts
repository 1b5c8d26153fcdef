import type { CookieRecord, Exchange, TokenRecord } from '../session/types';
import { readSnapshotSource, type SnapshotSource } from '../session/snapshotSource';
import { parseSetCookie } from '../cookies/setCookie';
import { type ClockSkew, DEFAULT_SKEW_THRESHOLD_MS, clockSkewByHost, describeSkew, serverHostOf } from './clockSkew';
import { cookieIssuanceExpiry, jwtTimes } from './credentialTimes';
import { type CredentialExpiry, type CredentialType, type ExpiryKind, type ExpirySource, stateAt } from './expiryState';

/** Everything that counts down in a capture, plus the clocks it was read with. Plain data. */
export interface ExpiryModel {
  /** Local time the model was built (epoch ms); every `state` is as of this instant. */
  readonly generatedAt: number;
  readonly expiringSoonMs: number;
  /** Server clocks compared with the local clock, per host. */
  readonly clocks: readonly ClockSkew[];
  /** One entry per cookie (by domain, path, name) and per distinct token value. */
  readonly credentials: readonly CredentialExpiry[];
}

/** Options of {@link buildExpiryModel}. */
export interface ExpiryModelOptions {
  /** The clock (epoch ms); tests inject a fake one. Default Date.now. */
  readonly clock?: () => number;
  /** `expiring-soon` threshold in seconds (setting `sessionLens.expiringSoonSeconds`); default 300. */
  readonly expiringSoonSeconds?: number;
  /** Same as `expiringSoonSeconds` (older name, still accepted). */
  readonly expiringSoonSec?: number;
  /** Skew below this is Date-header noise and is not corrected (default 2000 ms). */
  readonly skewThresholdMs?: number;
}

/** What {@link buildExpiryModel} reads: a store (anything with `snapshot()`), a snapshot, or bare exchanges. */
export type ExpirySourceData = SnapshotSource;

/** Two expiries closer than this are "the same" (Expires has one-second resolution). */
const SAME_INSTANT_MS = 1500;

interface Issuance {
  readonly ex: Exchange;
  readonly receivedAt: number;
  /** The skew correction `expiresAt` was computed with. */
  readonly skewMs: number;
  readonly expiresAt?: number;
  readonly source: 'max-age' | 'expires' | 'browser-session';
  readonly deletion: boolean;
  readonly clamped: boolean;
  readonly value: string;
  readonly name: string;
  readonly maxAge?: number;
  /** The header also carried a (valid) Expires. */
  readonly hasExpires: boolean;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 86400 === 0 && s >= 86400) return `${s / 86400} d`;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60} min`;
  return describeSkew(ms);
}


function defaultPath(url: string): string {
  try {
    const p = new URL(url).pathname;
    const last = p.lastIndexOf('/');
    return last <= 0 ? '/' : p.slice(0, last);
  } catch {
    return '/';
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * The configured lifetime behind an Expires-based measurement. Expires is truncated to the second
 * and written before the response travels, so `Expires − receipt` reads up to a second plus
 * latency short: round up to the second, and to the minute when within two seconds of one
 * (people configure minutes, not 59.2 s).
 */
function expiresLifetime(measuredMs: number): number {
  const seconds = Math.ceil((measuredMs - 50) / 1000) * 1000;
  const minute = Math.ceil(seconds / 60_000) * 60_000;
  return seconds >= 58_000 && minute - seconds <= 2000 ? minute : seconds;
}

/**
 * Rolling/absolute analysis of one cookie's issuances since it was last deleted, as a fold: each
 * issuance is added in receipt order, so a cookie re-issued on every response adds its new
 * issuances to what was already read instead of reading them all again.
 */
class RollingFold {
  /** The last issuance compared (at least a second after the one before it). */
  private anchor: Issuance | undefined;
  private idleTimeoutMs: number | undefined;
  private fixedAt: number | undefined;

  add(b: Issuance): void {
    const anchor = this.anchor;
    if (!anchor) {
      this.anchor = b;
      return;
    }
    // Compare issuances at least a second apart: a burst of responses within one second says
    // nothing about whether the expiry moves (Expires has one-second resolution).
    if (b.receivedAt - anchor.receivedAt < 1000) return;
    this.anchor = b;
    if (anchor.expiresAt === undefined || b.expiresAt === undefined) return;
    const tolerance = b.source === 'max-age' ? 1000 : 2 * SAME_INSTANT_MS;
    const lifeA = anchor.expiresAt - anchor.receivedAt;
    const lifeB = b.expiresAt - b.receivedAt;
    const moved = b.expiresAt - anchor.expiresAt;
    if (moved > SAME_INSTANT_MS / 3 && Math.abs(lifeB - lifeA) <= tolerance) {
      const measured = b.source === 'expires' ? expiresLifetime(Math.max(lifeA, lifeB)) : Math.round(lifeB / 1000) * 1000;
      this.idleTimeoutMs = Math.max(this.idleTimeoutMs ?? 0, measured);
      this.fixedAt = undefined;
    } else if (Math.abs(moved) <= SAME_INSTANT_MS && b.receivedAt - anchor.receivedAt > SAME_INSTANT_MS) {
      this.fixedAt = b.expiresAt;
    } else if (this.idleTimeoutMs !== undefined && lifeB < this.idleTimeoutMs - tolerance) {
      // Rolling until now, then a shorter lifetime: an absolute cap has been reached.
      this.fixedAt = b.expiresAt;
    }
  }

  result(): RollingAnalysis {
    const { idleTimeoutMs, fixedAt } = this;
    const notes: string[] = [];
    if (idleTimeoutMs !== undefined) {
      notes.push(`Re-issued with a later expiry on each response: a rolling (idle) timeout of ${durationText(idleTimeoutMs)}; it dies after ${durationText(idleTimeoutMs)} without a response that renews it.`);
    }
    if (fixedAt !== undefined) {
      notes.push(`Re-issued without extending its expiry: an absolute limit at ${iso(fixedAt)}.`);
    }
    return { ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}), ...(fixedAt !== undefined ? { fixedAt } : {}), notes };
  }
}

interface RollingAnalysis {
  readonly idleTimeoutMs?: number;
  readonly fixedAt?: number;
  readonly notes: readonly string[];
}

function minDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return defined.length === 0 ? undefined : defined.reduce((min, v) => (v < min ? v : min), Infinity);
}

function skewFor(skews: ReadonlyMap<string, ClockSkew>, ex: Exchange | undefined): ClockSkew | undefined {
  return ex ? skews.get(serverHostOf(ex)) : undefined;
}

function applied(skew: ClockSkew | undefined): number {
  return skew?.corrected ? skew.skewMs : 0;
}

/** JWT exp/nbf moved to the local clock, with notes. */
function jwtLimits(token: string, skewMs: number, notes: string[]): { exp?: number; nbf?: number } {
  const times = jwtTimes(token);
  if (!times) return {};
  const exp = times.exp !== undefined ? times.exp - skewMs : undefined;
  const nbf = times.nbf !== undefined ? times.nbf - skewMs : undefined;
  if (exp !== undefined) notes.push(`The JWT's exp is ${iso(times.exp!)} on the server clock${skewMs !== 0 ? ` (${iso(exp)} here)` : ''}.`);
  else notes.push('The JWT has no exp: nothing in the token bounds its life.');
  if (nbf !== undefined) notes.push(`The JWT is not valid before ${iso(times.nbf!)} (nbf).`);
  return { ...(exp !== undefined ? { exp } : {}), ...(nbf !== undefined ? { nbf } : {}) };
}

function finish(
  base: Omit<CredentialExpiry, 'state' | 'serverExpiresAt' | 'expiringSoonMs'>,
  expiringSoonMs: number,
  now: number,
): CredentialExpiry {
  const withSoon = { ...base, expiringSoonMs };
  return {
    ...withSoon,
    ...(base.expiresAt !== undefined ? { serverExpiresAt: base.expiresAt + base.skewMs } : {}),
    state: stateAt(withSoon, now),
  };
}

/** Issuances per Set-Cookie, with the skew they were computed with (settings are never mutated). */
const issuances = new WeakMap<CookieSetting, Issuance>();

function issuanceOf(setting: CookieSetting, skewMs: number): Issuance {
  const known = issuances.get(setting);
  if (known && known.skewMs === skewMs) return known;
  const { ex, record, parsed } = setting;
  const receivedAt = receiptOf(ex);
  const e = cookieIssuanceExpiry(parsed, receivedAt, skewMs);
  const issuance: Issuance = {
    ex, receivedAt, skewMs, source: e.source, deletion: e.deletion || record.outcome === 'deleted', clamped: e.clamped,
    value: parsed.value, name: parsed.name, hasExpires: parsed.expires !== undefined,
    ...(e.expiresAt !== undefined ? { expiresAt: e.expiresAt } : {}),
    ...(parsed.maxAge !== undefined ? { maxAge: parsed.maxAge } : {}),
  };
  issuances.set(setting, issuance);
  return issuance;
}

/** One accepted Set-Cookie of an exchange, parsed, with the cookie key it sets. */
export interface CookieSetting {
  readonly ex: Exchange;
  readonly record: Exchange['cookiesSet'][number];
  readonly parsed: NonNullable<ReturnType<typeof parseSetCookie>>;
  readonly key: string;
  /** The server host whose clock stamped it. */
  readonly host: string;
}

/** An exchange's accepted Set-Cookie headers, parsed once (exchanges are never mutated). */
const parsedSets = new WeakMap<Exchange, readonly CookieSetting[]>();

/** The accepted Set-Cookie headers of `ex`, parsed (cached per exchange object). */
export function cookieSettingsOf(ex: Exchange): readonly CookieSetting[] {
  let list = parsedSets.get(ex);
  if (!list) {
    const out: CookieSetting[] = [];
    for (const record of ex.cookiesSet ?? []) {
      if (record.outcome === 'rejected') continue;
      const parsed = parseSetCookie(record.raw);
      if (!parsed) continue;
      out.push({ ex, record, parsed, host: serverHostOf(ex), key: record.cookieKey ?? `${parsed.domain ?? hostOf(ex.url)};${parsed.path ?? defaultPath(ex.url)};${parsed.name}` });
    }
    list = out;
    parsedSets.set(ex, list);
  }
  return list;
}

/** Local receipt time of an exchange's response (its start when none came): the order issuances are read in. */
export function receiptOf(ex: Exchange): number {
  return ex.responseReceivedAt ?? ex.startedAt;
}

/** Receipt order, then id: the order the model reads exchanges in. */
export function byReceipt(a: Exchange, b: Exchange): number {
  return receiptOf(a) - receiptOf(b) || a.id - b.id;
}

/**
 * The expiry of one cookie from its Set-Cookie headers still in the ring buffer (`settings`, in
 * receipt order, at least one): the last wins, a deletion ends it, earlier ones since the last
 * deletion tell a rolling from an absolute limit.
 */
export function cookieCredential(key: string, settings: readonly CookieSetting[], skews: ReadonlyMap<string, ClockSkew>, expiringSoonMs: number, now: number): CredentialExpiry {
  return new CookieIssuances().credential(key, settings, skews, expiringSoonMs, now);
}

/**
 * One cookie's issuances (its Set-Cookie headers in the ring buffer, in receipt order) and their
 * rolling analysis, kept while its headers come and go: headers added after those already read are
 * read alone (a rolling cookie has one per response, and reading all again was most of the
 * incremental model's cost per update); headers dropped from the front up to its last deletion
 * change nothing the analysis read; anything else (a header inserted before the end, one dropped
 * after the last deletion, a skew that moved) reads them all again. Tell it of each change of the
 * list (`inserted`, `removed`) before asking for the credential.
 */
export class CookieIssuances {
  private read: Issuance[] = [];
  private lastDeletion = -1;
  private fold = new RollingFold();
  /** The skew correction each host's headers were read with. */
  private readonly skewByHost = new Map<string, number>();
  private stale = false;

  /** `count` headers were inserted into the list at `at`. */
  inserted(at: number, count: number): void {
    if (count > 0 && at < this.read.length) this.stale = true;
  }

  /** `count` headers were removed from the list at `start`. */
  removed(start: number, count: number): void {
    if (this.stale || count === 0 || start >= this.read.length) return;
    if (start === 0 && count <= this.lastDeletion + 1) {
      this.read.splice(0, count);
      this.lastDeletion -= count;
    } else {
      this.stale = true;
    }
  }

  /** The hosts whose clocks the headers read were stamped with (those a skew change concerns; may include hosts of headers since removed). */
  hosts(): string[] {
    return [...this.skewByHost.keys()];
  }

  /** The expiry of the cookie from `settings` (at least one), the list these changes were told of. */
  credential(key: string, settings: readonly CookieSetting[], skews: ReadonlyMap<string, ClockSkew>, expiringSoonMs: number, now: number): CredentialExpiry {
    if (!this.stale) for (const [host, ms] of this.skewByHost) if (applied(skews.get(host)) !== ms) this.stale = true;
    if (this.stale || this.read.length > settings.length) {
      this.read = [];
      this.lastDeletion = -1;
      this.fold = new RollingFold();
      this.skewByHost.clear();
      this.stale = false;
    }
    // A rolling cookie has an issuance per response: each is computed once per skew it is read with.
    for (let i = this.read.length; i < settings.length; i++) {
      const setting = settings[i]!;
      const skewMs = applied(skews.get(setting.host));
      this.skewByHost.set(setting.host, skewMs);
      const issuance = issuanceOf(setting, skewMs);
      this.read.push(issuance);
      if (issuance.deletion) {
        this.lastDeletion = i;
        this.fold = new RollingFold();
      } else {
        this.fold.add(issuance);
      }
    }
    return cookieCredentialOf(key, this.read[this.read.length - 1]!, this.fold, skews, expiringSoonMs, now);
  }
}

/** A cookie's credential from its last issuance and the rolling analysis of its issuances since its last deletion. */
function cookieCredentialOf(key: string, last: Issuance, fold: RollingFold, skews: ReadonlyMap<string, ClockSkew>, expiringSoonMs: number, now: number): CredentialExpiry {
  const skew = skewFor(skews, last.ex);
  const skewMs = applied(skew);
  const notes: string[] = [];
  if (last.deletion) {
    notes.push(`Deleted by the server at ${iso(last.receivedAt)} (${last.source === 'max-age' ? `Max-Age=${last.maxAge}` : 'Expires in the past'}).`);
    return finish({
      id: `cookie:${key}`, type: 'cookie', label: last.name, kind: 'none', source: last.source === 'browser-session' ? 'unknown' : last.source,
      expiresAt: last.receivedAt, issuedAt: last.receivedAt, skewMs, deleted: true, notes, exchangeId: last.ex.id,
    }, expiringSoonMs, now);
  }
  if (last.source === 'max-age') notes.push(`Max-Age=${last.maxAge} counts from when the response arrived${last.hasExpires ? ' and wins over Expires' : ''}.`);
  if (last.source === 'expires') notes.push('Expires is an instant on the server clock.');
  if (last.source === 'browser-session') notes.push('A browser-session cookie: no Max-Age or Expires, it lives until the browser session ends.');
  if (last.clamped) notes.push('The requested lifetime is over 400 days; browsers clamp it to 400 days.');
  const rolling = fold.result();
  notes.push(...rolling.notes);
  const jwt = jwtLimits(safeDecode(last.value), skewMs, notes);
  if (skew?.corrected && (last.source === 'expires' || jwt.exp !== undefined || jwt.nbf !== undefined)) notes.push(skew.note);
  const absoluteExpiresAt = minDefined(rolling.fixedAt, jwt.exp);
  const expiresAt = minDefined(last.expiresAt, absoluteExpiresAt);
  let kind: ExpiryKind;
  if (rolling.idleTimeoutMs !== undefined) kind = 'idle';
  else if (expiresAt !== undefined) kind = 'absolute';
  else kind = last.source === 'browser-session' ? 'session' : 'none';
  const source: ExpirySource = expiresAt !== undefined && expiresAt === jwt.exp && expiresAt !== last.expiresAt ? 'jwt-exp' : last.source;
  return finish({
    id: `cookie:${key}`, type: 'cookie', label: last.name, kind, source,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(jwt.nbf !== undefined ? { notBefore: jwt.nbf } : {}),
    issuedAt: last.receivedAt, skewMs,
    ...(rolling.idleTimeoutMs !== undefined ? { idleTimeoutMs: rolling.idleTimeoutMs } : {}),
    ...(absoluteExpiresAt !== undefined ? { absoluteExpiresAt } : {}),
    deleted: false, notes, exchangeId: last.ex.id,
  }, expiringSoonMs, now);
}

/** A cookie the browser already had (only seen in requests, attributes unknown); `ex` is the exchange that first carried it, if still held. */
export function seenCookieCredential(c: CookieRecord, ex: Exchange | undefined, skews: ReadonlyMap<string, ClockSkew>, expiringSoonMs: number, now: number): CredentialExpiry {
  const skewMs = applied(skewFor(skews, ex));
  const notes = ['Set before the capture began (only seen in requests): its Max-Age/Expires are unknown.'];
  const jwt = jwtLimits(safeDecode(c.value), skewMs, notes);
  return finish({
    id: `cookie:${c.key}`, type: 'cookie', label: c.name, kind: jwt.exp !== undefined ? 'absolute' : 'none',
    source: jwt.exp !== undefined ? 'jwt-exp' : 'unknown',
    ...(jwt.exp !== undefined ? { expiresAt: jwt.exp, absoluteExpiresAt: jwt.exp } : {}),
    ...(jwt.nbf !== undefined ? { notBefore: jwt.nbf } : {}),
    issuedAt: c.firstSeen, skewMs, deleted: false, notes, exchangeId: c.exchangeId,
  }, expiringSoonMs, now);
}

function cookieCredentials(
  exchanges: readonly Exchange[],
  jar: readonly CookieRecord[],
  skews: ReadonlyMap<string, ClockSkew>,
  expiringSoonMs: number,
  now: number,
): CredentialExpiry[] {
  const byKey = new Map<string, CookieSetting[]>();
  for (const ex of exchanges) {
    if (!ex.cookiesSet || ex.cookiesSet.length === 0) continue;
    for (const setting of cookieSettingsOf(ex)) {
      const list = byKey.get(setting.key);
      if (list) list.push(setting);
      else byKey.set(setting.key, [setting]);
    }
  }
  const out: CredentialExpiry[] = [];
  for (const [key, settings] of byKey) out.push(cookieCredential(key, settings, skews, expiringSoonMs, now));
  // Cookies the browser already had: only seen in requests, their attributes unknown.
  const byId = new Map(exchanges.map((ex) => [ex.id, ex]));
  for (const c of jar) {
    if (byKey.has(c.key) || c.origin !== 'seen-in-request') continue;
    out.push(seenCookieCredential(c, byId.get(c.exchangeId), skews, expiringSoonMs, now));
  }
  return out;
}

const TOKEN_KIND_LABEL: Record<TokenRecord['kind'], string> = {
  'bearer': 'Bearer token',
  'basic': 'Basic credentials',
  'custom-header': 'Token header',
  'oauth-access': 'OAuth access token',
  'oauth-refresh': 'OAuth refresh token',
  'oauth-id': 'OpenID Connect ID token',
  'url-query': 'Token in URL',
  'jwt-in-body': 'JWT in body',
  'jwt-in-header': 'JWT in header',
  'jwt-in-cookie': 'JWT in cookie',
  'jwt-in-url': 'JWT in URL',
  'jwt-in-storage': 'JWT in web storage',
  'storage-token': 'Token in web storage',
};

/** Tokens that are credentials of their own (a cookie's token is part of the cookie's credential). */
export function isTokenCredential(t: TokenRecord): boolean {
  return t.source !== 'set-cookie' && t.source !== 'request-cookie' && typeof t.value === 'string';
}

/**
 * The expiry of one token value from its records (in the store's order, at least one); `exchange`
 * finds an exchange the ring buffer still holds.
 */
export function tokenCredential(value: string, records: readonly TokenRecord[], exchange: (id: number) => Exchange | undefined, skews: ReadonlyMap<string, ClockSkew>, expiringSoonMs: number, now: number): CredentialExpiry {
  const first = records.reduce((a, b) => (b.firstSeen < a.firstSeen ? b : a));
  // The OAuth response (if any) names the token best: "OAuth access token" over "Bearer token".
  const namer = records.find((r) => r.kind.startsWith('oauth-')) ?? first;
  const skew = skewFor(skews, exchange(first.exchangeId));
  const skewMs = applied(skew);
  const notes: string[] = [];
  const expiresIn = records.find((r) => r.expiresAtSource === 'expires_in' && r.expiresAt !== undefined);
  if (expiresIn) notes.push(`expires_in counts from when the token response arrived: ${iso(expiresIn.expiresAt!)}.`);
  const jwt = records.some((r) => r.isJwt) ? jwtLimits(value, skewMs, notes) : {};
  if (skew?.corrected && (jwt.exp !== undefined || jwt.nbf !== undefined)) notes.push(skew.note);
  if (first.kind === 'basic') notes.push('HTTP Basic credentials are a password sent on every request: they never expire.');
  const expiresAt = minDefined(expiresIn?.expiresAt, jwt.exp);
  const source: ExpirySource = expiresAt === undefined ? 'unknown' : expiresAt === expiresIn?.expiresAt ? 'expires-in' : 'jwt-exp';
  if (expiresIn && jwt.exp !== undefined && Math.abs(expiresIn.expiresAt! - jwt.exp) > 5000) {
    notes.push(`expires_in and the JWT exp disagree by ${describeSkew(expiresIn.expiresAt! - jwt.exp)}; the earlier one counts.`);
  }
  const type: CredentialType = namer.kind.startsWith('oauth-') ? 'oauth-token' : records.some((r) => r.isJwt) ? 'jwt' : 'token';
  return finish({
    id: `token:${first.id}`, type,
    label: `${TOKEN_KIND_LABEL[namer.kind] ?? 'Token'}${namer.name ? ` (${namer.name})` : ''}`,
    kind: expiresAt !== undefined ? 'absolute' : 'none', source,
    ...(expiresAt !== undefined ? { expiresAt, absoluteExpiresAt: expiresAt } : {}),
    ...(jwt.nbf !== undefined ? { notBefore: jwt.nbf } : {}),
    issuedAt: first.firstSeen, skewMs, deleted: false, notes, exchangeId: first.exchangeId,
  }, expiringSoonMs, now);
}

function tokenCredentials(
  exchanges: readonly Exchange[],
  tokens: readonly TokenRecord[],
  skews: ReadonlyMap<string, ClockSkew>,
  expiringSoonMs: number,
  now: number,
): CredentialExpiry[] {
  const byId = new Map(exchanges.map((ex) => [ex.id, ex]));
  const groups = new Map<string, TokenRecord[]>();
  for (const t of tokens) {
    if (!isTokenCredential(t)) continue;
    const list = groups.get(t.value) ?? [];
    list.push(t);
    groups.set(t.value, list);
  }
  const out: CredentialExpiry[] = [];
  for (const [value, records] of groups) out.push(tokenCredential(value, records, (id) => byId.get(id), skews, expiringSoonMs, now));
  return out;
}

/** The `expiring-soon` threshold of `options` in ms (300 s when missing or invalid). */
export function expiringSoonMsOf(options: ExpiryModelOptions): number {
  const soonSec = options.expiringSoonSeconds ?? options.expiringSoonSec;
  return (typeof soonSec === 'number' && Number.isFinite(soonSec) && soonSec >= 0 ? soonSec : 300) * 1000;
}

/**
 * Builds the expiry model of a capture: for every cookie and token, when it dies on the local
 * clock (Max-Age from receipt over Expires; JWT exp/nbf; OAuth expires_in), whether that is a
 * rolling (idle) or an absolute limit or both, and the server clock skew it was corrected for.
 * Pure apart from the injected clock; never throws.
 */
export function buildExpiryModel(source: ExpirySourceData, options: ExpiryModelOptions = {}): ExpiryModel {
  const now = (options.clock ?? Date.now)();
  const expiringSoonMs = expiringSoonMsOf(options);
  const empty: ExpiryModel = { generatedAt: now, expiringSoonMs, clocks: [], credentials: [] };
  try {
    const { exchanges, tokens, cookies } = readSnapshotSource(source);
    const objects = exchanges.filter((ex) => ex && typeof ex === 'object');
    // Usually already in order (a capture records in order): then the copy is not sorted again.
    const ordered = objects.every((ex, i) => i === 0 || byReceipt(objects[i - 1]!, ex) <= 0) ? objects : objects.sort(byReceipt);
    const skews = clockSkewByHost(ordered, options.skewThresholdMs ?? DEFAULT_SKEW_THRESHOLD_MS);
    return {
      generatedAt: now,
      expiringSoonMs,
      clocks: [...skews.values()],
      credentials: [
        ...cookieCredentials(ordered, cookies, skews, expiringSoonMs, now),
        ...tokenCredentials(ordered, tokens, skews, expiringSoonMs, now),
      ],
    };
  } catch {
    return empty;
  }
}
