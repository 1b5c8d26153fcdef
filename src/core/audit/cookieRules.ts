import { domainMatch, getPublicSuffix } from 'tough-cookie';
import { type Finding, makeFinding } from '../findings';
import { MAX_ATTRIBUTE_VALUE_BYTES, MAX_NAME_VALUE_BYTES, type ParsedSetCookie, parseSetCookie } from '../cookies/setCookie';
import type { RuleId } from '../rules/catalog';
import type { AuditItem } from './auditItem';
import { type AuditSettings, type AuditSettingsInput, resolveAuditSettings } from './auditSettings';
import { DEFAULT_SESSION_COOKIE_NAMES, classifyCookie, unquoteCookieValue } from './classifyCookie';
import { type RequestOrigin, requestOrigin } from './requestOrigin';

/** What the cookie rules need to know about the response that carried a Set-Cookie. */
export interface CookieRuleContext {
  /** URL of the request the response answered (scheme and host matter). */
  readonly requestUrl: string | URL;
  /** Whether this is a session/auth cookie; when omitted, {@link classifyCookie} decides. */
  readonly isSession?: boolean;
  /** Local time (epoch ms) the response arrived; Max-Age counts from here. */
  readonly receivedAt: number;
  /** The response's Date header (epoch ms), used to read Expires on the server's clock. */
  readonly serverDate?: number;
  /** Exchange id for the finding's evidence. */
  readonly exchangeId?: number;
  readonly settings?: AuditSettingsInput;
}

/** Browsers cap every cookie's lifetime at 400 days (6265bis 5.7, Max-Age and Expires). */
export const MAX_COOKIE_LIFETIME_SEC = 400 * 24 * 3600;

const DAY = 24 * 3600;

/** Human duration for messages: "45 days", "3 hours", "90 seconds". */
export function formatDuration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s >= 2 * DAY) return `${Math.round(s / DAY)} days`;
  if (s >= 2 * 3600) return `${Math.round(s / 3600)} hours`;
  if (s >= 120) return `${Math.round(s / 60)} minutes`;
  return `${Math.round(s)} seconds`;
}

/**
 * Lifetime of a cookie in seconds as the browser computes it: Max-Age wins over Expires;
 * Expires is read against the server's Date when known (the same clock that wrote it).
 * Undefined for a browser-session cookie.
 */
export function cookieLifetimeSec(cookie: ParsedSetCookie, receivedAt: number, serverDate?: number): number | undefined {
  if (cookie.maxAge !== undefined) return cookie.maxAge;
  if (cookie.expires) return (cookie.expires.getTime() - (serverDate ?? receivedAt)) / 1000;
  return undefined;
}

/** True when the Set-Cookie deletes the cookie (Max-Age ≤ 0, or Expires in the past). */
export function isDeletion(cookie: ParsedSetCookie, receivedAt: number, serverDate?: number): boolean {
  const life = cookieLifetimeSec(cookie, receivedAt, serverDate);
  return life !== undefined && life <= 0;
}

// token = 1*tchar (RFC 9110); cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
// Any CTL but horizontal tab makes browsers drop the whole header (6265bis 5.7 step 1).
const FORBIDDEN_CTL = /[\x00-\x08\x0A-\x1F\x7F]/;

function describeChars(text: string, allowed: RegExp): string {
  const bad = [...new Set([...text].filter((c) => !allowed.test(c)))].slice(0, 5);
  return bad.map((c) => {
    const code = c.codePointAt(0)!;
    return code < 0x21 || code === 0x7f || code > 0x7e ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
  }).join(', ');
}

function isPublicSuffix(domain: string): boolean {
  try {
    return getPublicSuffix(domain, { allowSpecialUseDomain: true }) === undefined;
  } catch {
    return false;
  }
}

function hostDomainMatches(host: string, domain: string): boolean {
  try {
    return domainMatch(host, domain, true) === true;
  } catch {
    return false;
  }
}

interface RuleInput {
  readonly cookie: ParsedSetCookie;
  /** The request's origin: read only by the rules that need it (a URL parse, and most Set-Cookies never need it). */
  readonly origin: RequestOrigin | undefined;
  readonly isSession: boolean;
  readonly settings: AuditSettings;
  readonly receivedAt: number;
  readonly serverDate: number | undefined;
  /** Reports a finding; `cause` tells apart two findings of one rule on one cookie. */
  readonly emit: (ruleId: RuleId, message: string, severity?: Finding['severity'], cause?: string) => void;
}

function checkSecure(input: RuleInput): void {
  const { cookie, isSession, emit } = input;
  if (!isSession || cookie.secure) return;
  const origin = input.origin;
  const n = cookie.name;
  if (origin?.loopback && !origin.encrypted) {
    emit('cookie-missing-secure',
      `Session cookie "${n}" has no Secure attribute. Reported as info on ${origin.host}: browsers treat localhost as a secure origin, so this works today and adding Secure breaks nothing here; production over HTTPS must set Secure so the cookie is never sent over plain HTTP.`,
      'info', 'loopback');
    return;
  }
  if (origin && !origin.encrypted) {
    emit('cookie-missing-secure',
      `Session cookie "${n}" has no Secure attribute and was set over plain ${origin.scheme.toUpperCase()} on ${origin.host}, so anyone on the network can read it. Serve the site over HTTPS and add Secure.`, undefined, 'plain-http');
    return;
  }
  emit('cookie-missing-secure',
    `Session cookie "${n}" has no Secure attribute, so the browser also sends it over plain HTTP (one http:// link or a downgrade is enough to leak it). Add Secure.`);
}

function checkHttpOnly({ cookie, isSession, emit }: RuleInput): void {
  if (!isSession || cookie.httpOnly) return;
  emit('cookie-missing-httponly',
    `Session cookie "${cookie.name}" has no HttpOnly attribute, so any script on the page (including injected XSS) can read it with document.cookie. Add HttpOnly unless client code truly needs the value.`);
}

function checkSameSite({ cookie, isSession, emit }: RuleInput): void {
  if (cookie.sameSiteRaw !== undefined && cookie.sameSite === undefined) {
    emit('cookie-missing-samesite',
      `Cookie "${cookie.name}" has SameSite=${cookie.sameSiteRaw}, which is not Strict, Lax or None; browsers ignore it and apply their default. Use SameSite=Lax (or Strict) explicitly.`, undefined, 'invalid');
    return;
  }
  if (isSession && cookie.sameSiteRaw === undefined) {
    emit('cookie-missing-samesite',
      `Session cookie "${cookie.name}" has no SameSite attribute, so cross-site protection depends on the browser's default (Lax in Chromium, None elsewhere). Set SameSite=Lax (or Strict) explicitly.`, undefined, 'missing');
  }
}

function checkSameSiteNone({ cookie, emit }: RuleInput): void {
  if (cookie.sameSite !== 'None' || cookie.secure) return;
  emit('cookie-samesite-none-insecure',
    `Cookie "${cookie.name}" has SameSite=None without Secure; browsers reject it outright, so it is never stored (on localhost too). Add Secure, or use SameSite=Lax if the cookie is not needed cross-site.`);
}

function checkPartitioned({ cookie, emit }: RuleInput): void {
  if (!cookie.partitioned || cookie.secure) return;
  emit('cookie-partitioned-insecure',
    `Cookie "${cookie.name}" is Partitioned without Secure; browsers reject partitioned cookies that are not Secure. Add Secure (the canonical form is __Host-name=value; Secure; Path=/; SameSite=None; Partitioned).`);
}

function checkPrefix({ cookie, emit }: RuleInput): void {
  const name = cookie.name;
  if (name === '') {
    // A nameless cookie whose value starts with a prefix would be read back as a prefixed name.
    if (/^__(secure|host)-/i.test(cookie.value)) {
      emit('cookie-prefix-violation',
        `A cookie without a name has the value "${cookie.value.slice(0, 16)}…", which starts with a reserved prefix; browsers reject it because it would be read back as a prefixed cookie. Give the cookie a name.`, undefined, 'nameless');
    }
    return;
  }
  const lower = name.toLowerCase();
  const written = name.slice(0, lower.startsWith('__secure-') ? 9 : 7);
  const caseNote = /^__(Secure|Host)-/.test(name) ? '' : ` (the prefix is written "${written}"; browsers match it in any case)`;
  if (lower.startsWith('__secure-')) {
    if (!cookie.secure) {
      emit('cookie-prefix-violation',
        `Cookie "${name}" uses the __Secure- prefix${caseNote} but has no Secure attribute; browsers reject it. Add Secure.`, undefined, 'secure');
    }
    return;
  }
  if (!lower.startsWith('__host-')) return;
  const problems: string[] = [];
  if (!cookie.secure) problems.push('add Secure');
  if (cookie.domain !== undefined) problems.push(`remove Domain=${cookie.domainRaw ?? cookie.domain}`);
  if (cookie.path !== '/') problems.push(cookie.path === undefined ? 'add Path=/' : `set Path=/ instead of Path=${cookie.path}`);
  if (problems.length === 0) return;
  emit('cookie-prefix-violation',
    `Cookie "${name}" uses the __Host- prefix${caseNote}, which requires Secure, no Domain and Path=/; browsers reject it. To fix: ${problems.join(', ')}.`, undefined, problems.join(','));
}

function checkOversize({ cookie, emit }: RuleInput): void {
  if (cookie.nameValueBytes > MAX_NAME_VALUE_BYTES) {
    emit('cookie-oversize',
      `Cookie "${cookie.name.slice(0, 64)}" has ${cookie.nameValueBytes} octets of name and value, over the ${MAX_NAME_VALUE_BYTES} browsers accept; they drop it silently. Store the data server-side and keep only an id in the cookie.`, undefined, 'name-value');
  }
  for (const attr of cookie.attributes) {
    if (attr.value === undefined) continue;
    const bytes = Buffer.byteLength(attr.value, 'utf8');
    if (bytes > MAX_ATTRIBUTE_VALUE_BYTES) {
      emit('cookie-oversize',
        `Cookie "${cookie.name.slice(0, 64)}" has a ${attr.name.slice(0, 32)} value of ${bytes} octets, over the ${MAX_ATTRIBUTE_VALUE_BYTES} browsers read; they ignore that attribute. Shorten it.`, undefined, attr.name.toLowerCase());
    }
  }
}

function checkLifetime({ cookie, isSession, settings, receivedAt, serverDate, emit }: RuleInput): void {
  const life = cookieLifetimeSec(cookie, receivedAt, serverDate);
  if (life === undefined) return;
  const max = settings.maxSessionCookieLifetimeSec;
  const clamp = life > MAX_COOKIE_LIFETIME_SEC
    ? ` Browsers clamp any cookie to 400 days, so the ${formatDuration(life)} you asked for is not what you get.` : '';
  if (isSession && life > max) {
    emit('cookie-long-lifetime',
      `Session cookie "${cookie.name}" lives ${formatDuration(life)}, longer than the ${formatDuration(max)} allowed by sessionLens.maxSessionCookieLifetime; a stolen cookie stays usable that long.${clamp} Shorten Max-Age/Expires (and expire the session server-side).`, undefined, 'session');
  } else if (clamp) {
    emit('cookie-long-lifetime',
      `Cookie "${cookie.name}" asks to live ${formatDuration(life)}.${clamp} Set Max-Age to at most 34560000 seconds.`, undefined, 'clamp');
  }
}

function checkDomain(input: RuleInput): void {
  const { cookie, isSession, emit } = input;
  if (cookie.domain === undefined) return;
  const origin = input.origin;
  if (!origin) return;
  const domain = cookie.domain;
  if (!hostDomainMatches(origin.host, domain)) {
    emit('cookie-broad-domain',
      `Cookie "${cookie.name}" has Domain=${domain}, which does not match the host ${origin.host}; browsers ignore the cookie. Remove Domain (host-only) or set it to ${origin.host} or a parent of it.`, undefined, 'mismatch');
    return;
  }
  if (domain !== origin.host && isPublicSuffix(domain)) {
    emit('cookie-broad-domain',
      `Cookie "${cookie.name}" has Domain=${domain}, a public suffix shared by unrelated sites; browsers reject it. Remove Domain so the cookie is host-only.`, undefined, 'public-suffix');
    return;
  }
  if (isSession && !origin.isIp) {
    emit('cookie-broad-domain',
      `Session cookie "${cookie.name}" has Domain=${domain}, so the browser also sends it to every subdomain of ${domain}; any of them can read or overwrite the session. Remove Domain to keep it host-only (or use the __Host- prefix).`, undefined, 'subdomains');
  }
}

function checkExpiresMaxAge({ cookie, receivedAt, serverDate, emit }: RuleInput): void {
  if (cookie.maxAge === undefined || !cookie.expires) return;
  const fromExpires = (cookie.expires.getTime() - (serverDate ?? receivedAt)) / 1000;
  // Expires has one-second resolution and the server wrote it a moment before the Date header.
  if (Math.abs(fromExpires - cookie.maxAge) <= 5) return;
  const effective = new Date(receivedAt + cookie.maxAge * 1000).toISOString();
  emit('cookie-expires-maxage-conflict',
    `Cookie "${cookie.name}" has Max-Age=${cookie.maxAge} (${formatDuration(cookie.maxAge)}) but Expires=${cookie.expiresRaw} (${formatDuration(fromExpires)}${fromExpires < 0 ? ' ago' : ''}); Max-Age wins, so it expires at ${effective}. Set both from the same value or drop Expires.`);
}

function checkInvalidChars({ cookie, emit }: RuleInput): void {
  if (FORBIDDEN_CTL.test(cookie.raw)) {
    emit('cookie-invalid-chars',
      `The Set-Cookie header for "${cookie.name.slice(0, 64)}" contains a control character (${describeChars(cookie.raw, /[^\x00-\x08\x0A-\x1F\x7F]/)}); browsers ignore the whole header. Encode the value (e.g. base64url or percent-encoding).`, undefined, 'ctl');
    return;
  }
  const problems: string[] = [];
  if (cookie.name !== '' && !TOKEN.test(cookie.name)) problems.push(`the name contains ${describeChars(cookie.name, /[!#$%&'*+\-.^_`|~0-9A-Za-z]/)}`);
  const value = unquoteCookieValue(cookie.value);
  if (!COOKIE_OCTETS.test(value)) problems.push(`the value contains ${describeChars(value, /[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/)}`);
  if (problems.length === 0) return;
  emit('cookie-invalid-chars',
    `Cookie "${cookie.name.slice(0, 64)}": ${problems.join('; ')}, outside what RFC 6265 allows; browsers and servers disagree on such cookies (truncation, quoting, rejection). Encode the value with base64url or percent-encoding.`);
}

function checkDefaultName({ cookie, isSession, emit }: RuleInput): void {
  if (!isSession) return;
  const bare = cookie.name.replace(/^__(secure|host)-/i, '').toLowerCase();
  const framework = DEFAULT_SESSION_COOKIE_NAMES.get(bare);
  if (framework === undefined || framework === 'generic') return;
  emit('cookie-default-session-name',
    `Session cookie "${cookie.name}" keeps the default name of ${framework}, which tells an attacker the stack. Rename it to something neutral such as "id" (or __Host-id).`);
}

const CHECKS: readonly ((input: RuleInput) => void)[] = [
  checkInvalidChars, checkPrefix, checkSameSiteNone, checkPartitioned, checkSecure, checkHttpOnly, checkSameSite,
  checkOversize, checkLifetime, checkDomain, checkExpiresMaxAge, checkDefaultName,
];

/**
 * Applies the cookie rules of the catalog to one Set-Cookie header value. Deletions (Max-Age ≤ 0,
 * Expires in the past) are state, not findings: they return nothing. Never throws: a header that
 * browsers would ignore outright returns no findings.
 */
export function auditSetCookie(header: string, context: CookieRuleContext): Finding[] {
  const cookie = parseSetCookie(header);
  if (!cookie) return [];
  return auditParsedSetCookie(cookie, context);
}

/** {@link auditSetCookie} on an already parsed header. */
export function auditParsedSetCookie(cookie: ParsedSetCookie, context: CookieRuleContext): Finding[] {
  return setCookieAuditItems(cookie, context).map((i) => i.finding);
}

/** What the rules of one Set-Cookie read, with the request's origin parsed on first use and the findings they emit. */
class SetCookieRuleInput implements RuleInput {
  readonly items: AuditItem[] = [];
  private parsedOrigin: RequestOrigin | undefined;
  private originRead = false;
  private evidence: { readonly exchangeId?: number; readonly header: string } | undefined;

  constructor(
    readonly cookie: ParsedSetCookie,
    private readonly context: CookieRuleContext,
    readonly isSession: boolean,
    readonly settings: AuditSettings,
    readonly receivedAt: number,
    readonly serverDate: number | undefined,
    private readonly wanted: ((ruleId: RuleId, cause: string) => boolean) | undefined,
  ) {}

  get origin(): RequestOrigin | undefined {
    if (!this.originRead) {
      this.parsedOrigin = requestOrigin(this.context?.requestUrl);
      this.originRead = true;
    }
    return this.parsedOrigin;
  }

  readonly emit = (ruleId: RuleId, message: string, severity?: Finding['severity'], cause = ''): void => {
    if (this.wanted !== undefined && !this.wanted(ruleId, cause)) return;
    this.evidence ??= {
      ...(this.context?.exchangeId !== undefined ? { exchangeId: this.context.exchangeId } : {}),
      header: `Set-Cookie: ${this.cookie.raw}`,
    };
    this.items.push({ finding: makeFinding(ruleId, this.cookie.name, message, { evidence: this.evidence, ...(severity ? { severity } : {}) }), cause });
  };
}

/**
 * The findings of {@link auditParsedSetCookie}, each with its de-duplication cause. `wanted`, when
 * given, is asked before a finding is made: one it declines (a caller that already holds that rule
 * and cause for the cookie) is left out, its finding never built.
 */
export function setCookieAuditItems(cookie: ParsedSetCookie, context: CookieRuleContext, wanted?: (ruleId: RuleId, cause: string) => boolean): AuditItem[] {
  const receivedAt = Number.isFinite(context?.receivedAt) ? context.receivedAt : Date.now();
  const serverDate = Number.isFinite(context?.serverDate) ? context.serverDate : undefined;
  if (isDeletion(cookie, receivedAt, serverDate)) return [];
  const settings = resolveAuditSettings(context?.settings);
  const isSession = context?.isSession ?? classifyCookie(cookie.name, cookie.value, settings).isSession;
  const input = new SetCookieRuleInput(cookie, context, isSession, settings, receivedAt, serverDate, wanted);
  for (const check of CHECKS) check(input);
  return input.items;
}
