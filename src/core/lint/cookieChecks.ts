import type { AnalysisContext, CookieSiteRecord, OffsetEdit } from './analysis';

/** What code says about one boolean attribute. */
export type Truth = 'true' | 'false' | 'env' | 'unknown';

/** One attribute value as written, with where it is. */
export interface AttrAt<T> {
  readonly value: T;
  readonly start: number;
  readonly end: number;
  /** The expression text when the value depends on the environment. */
  readonly envText?: string;
  /**
   * When only some code paths give the insecure value: which one, in words (`when clientReadsToken`,
   * `false when preview is true`, `secure is set to false in the else branch`).
   */
  readonly branch?: string;
  /** How a value written elsewhere reaches the setter (`through Security::SAME_SITE from ../lib/security.rb:2`). */
  readonly via?: string;
}

/** Attribute names the writers understand. */
export type CookieAttr = 'secure' | 'httpOnly' | 'sameSite' | 'path' | 'domain' | 'name' | 'partitioned';

/**
 * Knows how to change one cookie setter in its own syntax (object literal, keyword arguments,
 * array, header string, builder chain, settings file). Returns undefined when it cannot.
 * Values are canonical: 'true', 'lax', '/', or a cookie name.
 */
export interface AttrWriter {
  set(changes: ReadonlyArray<readonly [CookieAttr, string]>): OffsetEdit[] | undefined;
  remove?(attr: CookieAttr): OffsetEdit[] | undefined;
  /** Rewrites the written lifetime (maxAge, expires…) to `days` days, in the framework's unit. */
  setLifetime?(days: number): OffsetEdit[] | undefined;
}

/** A place in code that sets a cookie (or configures a framework's session cookie). */
export interface CookieSite {
  /** Shown in messages: "res.cookie", "express-session", "setcookie()". */
  readonly framework: string;
  /** The cookie name when it is a literal. */
  readonly name?: AttrAt<string>;
  /** The source text of a non-literal name, to guess whether it is a session cookie. */
  readonly nameHint?: string;
  /**
   * The source text of the value the code sets, when it is an argument or entry (`'1'`, `true`,
   * `token`): a flag or preference value (`remember=1`, `logged_in=true`) is not a credential.
   */
  readonly valueHint?: string;
  /** Session middleware/config: always a session cookie. */
  readonly session: boolean;
  /** Offsets of the call or block, for findings about something missing. */
  readonly anchor: { readonly start: number; readonly end: number };
  /** False when options come partly from somewhere the engine cannot see: absent attributes are unknown. */
  readonly complete: boolean;
  readonly secure?: AttrAt<Truth>;
  readonly httpOnly?: AttrAt<Truth>;
  /**
   * Lower-cased SameSite value; 'strict' for Express's `true`, '' for an explicit `false`/unset, 'env'/'unknown' when computed.
   * A value chosen on one branch carries `branch` (or `envText` when the environment chooses it: then at most info).
   */
  readonly sameSite?: AttrAt<string>;
  readonly maxAgeSeconds?: AttrAt<number | undefined>;
  readonly domain?: AttrAt<string | undefined>;
  readonly path?: AttrAt<string | undefined>;
  readonly partitioned?: AttrAt<Truth>;
  /** What the framework does when an attribute is not written. */
  readonly defaults: {
    readonly secure: Truth;
    readonly httpOnly: Truth;
    readonly sameSite?: string;
    readonly path?: string;
    /** The session cookie name used when none is configured (connect.sid, PHPSESSID…). */
    readonly name?: string;
    /** Why Secure is off when not written, beyond the framework's default (`config.force_ssl = false in …`): for the message. */
    readonly secureNote?: string;
  };
  readonly writer: AttrWriter;
}

/** Cookie names that look like they carry a session or credentials. */
const SENSITIVE_NAME = /sess|sid|auth|token|jwt|login|remember|identity|account|user|csrf|xsrf|credential|bearer|refresh|access/i;

/** A Domain computed from the request's Host header (Express, Django/Flask, Rails, PHP). */
const HOST_DERIVED = /\breq(uest)?\.(hostname|host|headers\.host|get_host\(\))|\$_SERVER\[\s*['"](HTTP_HOST|SERVER_NAME)['"]\s*\]|\brequest\.(host|domain|url_root)\b|\bgetHost\(\)/;

/** Names that fingerprint a stack: the default session cookie of a framework. */
export const DEFAULT_SESSION_NAMES: Readonly<Record<string, string>> = {
  'connect.sid': 'express-session',
  PHPSESSID: 'PHP',
  JSESSIONID: 'Java servlet containers',
  'ASP.NET_SessionId': 'ASP.NET',
  '.AspNetCore.Session': 'ASP.NET Core',
  sessionid: 'Django',
  '_session_id': 'Rails',
  'laravel_session': 'Laravel',
  'rack.session': 'Rack',
};

const MAX_BROWSER_LIFETIME_SECONDS = 400 * 24 * 3600;

/**
 * Preference and analytics cookies: the page's look, language or consent, never a credential.
 * (CSRF cookies are not here: where the code sets one, Secure still matters.)
 */
const PREFERENCE_NAME = /(^|[._-])(theme|color[._-]?scheme|dark[._-]?mode|locale|lang|language|tz|timezone|currency|consent|cookie[._-]?consent|prefs?|preferences|layout|sidebar|_ga|_gid|_gat|_fbp)($|[._-])/i;

/**
 * A value that is a flag, not a credential: `remember=1` (the "keep me signed in" box was
 * ticked), `logged_in=true` (a hint for the front end). A literal in the source is never a
 * session id anyway; these are the spellings of yes/no.
 */
const FLAG_VALUE = /^(['"`]?)(0|1|true|false|yes|no|on|off|y|n)\1$/i;

/**
 * Whether session-cookie severity applies: session middleware, a name that says session or
 * authentication (or a __Secure-/__Host- prefix), unless the name is a preference's or the value
 * written is a yes/no flag. Preference cookies then get at most info (SameSite, >400-day lifetime).
 * Framework default session names (connect.sid…) stay sensitive whatever the value.
 */
function isSensitive(site: CookieSite): boolean {
  if (site.session) return true;
  if (site.name) {
    const name = site.name.value;
    if (/^__(secure|host)-/i.test(name) || Object.hasOwn(DEFAULT_SESSION_NAMES, name)) return true;
    // A name that says both (`lang_session`) stays a session cookie.
    if (PREFERENCE_NAME.test(name) && !/sess|sid|auth|token|jwt/i.test(name)) return false;
    if (site.valueHint !== undefined && FLAG_VALUE.test(site.valueHint.trim())) return false;
    return SENSITIVE_NAME.test(name);
  }
  // A computed name: trust its spelling when it says something, else assume it may be a session cookie.
  return site.nameHint === undefined || SENSITIVE_NAME.test(site.nameHint) || !/^[\w$.]+$/.test(site.nameHint) || /name|key|cookie/i.test(site.nameHint);
}

/** Whether a cookie of this literal name (with this value written, if known) gets session-cookie severity. */
export function isSessionCookieName(name: string, valueHint?: string): boolean {
  return isSensitive({ name: { value: name, start: 0, end: 0 }, ...(valueHint !== undefined ? { valueHint } : {}), session: false } as CookieSite);
}

function effective(attr: AttrAt<Truth> | undefined, fallback: Truth, complete: boolean): Truth {
  if (attr) return attr.value;
  return complete ? fallback : 'unknown';
}

function cookieLabel(site: CookieSite): string {
  if (site.name) return `cookie '${site.name.value}'${site.name.via ? ` (${site.name.via})` : ''}`;
  if (site.session) return `the ${site.framework} session cookie`;
  return 'this cookie';
}

function days(seconds: number): string {
  const d = seconds / 86400;
  return d >= 1 ? `${Math.round(d * 10) / 10} days` : `${Math.round(seconds / 60)} minutes`;
}

/** Runs every cookie-* rule on one setter site and records it for findCookieSetters. */
export function checkCookieSite(ctx: AnalysisContext, site: CookieSite): void {
  // Setting an already expired cookie deletes it: state, not a problem to report (the setter is still recorded).
  if (isDeletion(site)) {
    ctx.cookieSites.push({
      ...(site.name ? { name: site.name.value } : {}),
      framework: site.framework,
      start: site.anchor.start,
      end: site.anchor.end,
      attributes: { maxAgeSeconds: site.maxAgeSeconds!.value! },
    });
    return;
  }
  const label = cookieLabel(site);
  const sensitive = isSensitive(site);
  const at = (a: { start: number; end: number } | undefined) => a ?? site.anchor;
  const fix = (title: string, edits: OffsetEdit[] | undefined) => (edits && edits.length ? { title, edits } : undefined);

  const secure = effective(site.secure, site.defaults.secure, site.complete);
  const httpOnly = effective(site.httpOnly, site.defaults.httpOnly, site.complete);
  const name = site.name?.value ?? (site.session && site.complete ? site.defaults.name : undefined);

  if (sensitive && secure === 'false') {
    const r = at(site.secure);
    if (!ctx.omits('cookie-missing-secure', r.start, r.end)) ctx.report({
      ruleId: 'cookie-missing-secure', ...r,
      message: site.secure
        ? `Turn Secure on for ${label}${viaNote(site.secure)}${branchNote(site.secure)}: without it the cookie also travels over plain HTTP.`
        : `Add Secure to ${label}: ${site.session ? 'it is off' : `${site.framework} leaves it out`} by default${site.defaults.secureNote ? ` (${site.defaults.secureNote})` : ''}, so the cookie also travels over plain HTTP.`,
      fix: fix('Set Secure', site.writer.set([['secure', 'true']])),
    });
  } else if (sensitive && secure === 'env' && site.secure) {
    if (!ctx.omits('cookie-missing-secure', site.secure.start, site.secure.end, 'info')) ctx.report({
      ruleId: 'cookie-missing-secure', start: site.secure.start, end: site.secure.end, severity: 'info',
      message: `Secure for ${label} depends on the environment (${site.secure.envText ?? 'a runtime value'}): where it is false (local development, plain HTTP) the cookie is sent without Secure. Make sure it is true wherever the app is reachable over HTTPS.`,
    });
  }

  if (sensitive && httpOnly === 'false') {
    const r = at(site.httpOnly);
    if (!ctx.omits('cookie-missing-httponly', r.start, r.end)) ctx.report({
      ruleId: 'cookie-missing-httponly', ...r,
      message: site.httpOnly
        ? `Turn HttpOnly on for ${label}${viaNote(site.httpOnly)}${branchNote(site.httpOnly)}: scripts (and any XSS) can read it now.`
        : `Add HttpOnly to ${label}: ${site.session ? 'it is off' : `${site.framework} leaves it out`} by default, so scripts (and any XSS) can read it.`,
      fix: fix('Set HttpOnly', site.writer.set([['httpOnly', 'true']])),
    });
  } else if (sensitive && httpOnly === 'env' && site.httpOnly) {
    if (!ctx.omits('cookie-missing-httponly', site.httpOnly.start, site.httpOnly.end, 'info')) ctx.report({
      ruleId: 'cookie-missing-httponly', start: site.httpOnly.start, end: site.httpOnly.end, severity: 'info',
      message: `HttpOnly for ${label} depends on the environment (${site.httpOnly.envText ?? 'a runtime value'}): make sure it is always true.`,
    });
  }

  const sameSite = site.sameSite ? site.sameSite.value : site.complete ? (site.defaults.sameSite ?? '') : undefined;
  if (sameSite !== undefined && sameSite !== 'env' && sameSite !== 'unknown') {
    if (sameSite === '' || !['strict', 'lax', 'none'].includes(sameSite)) {
      const r = at(site.sameSite);
      if (!ctx.omits('cookie-missing-samesite', r.start, r.end)) ctx.report({
        ruleId: 'cookie-missing-samesite', ...r,
        // A mode written elsewhere (a settings file, a constant, a parse of configuration) is named: that is what to change.
        message: sameSite === ''
          ? `Set SameSite=Lax (or Strict) on ${label}${whereNote(site.sameSite)}: without it the browser default applies, and some browsers send it on cross-site requests.`
          : `SameSite '${sameSite}'${whereNote(site.sameSite)} is not Strict, Lax or None, so browsers ignore it. Use Lax or Strict.`,
        fix: fix("Set SameSite to 'lax'", site.writer.set([['sameSite', 'lax']])),
      });
    } else if (sameSite === 'none' && secure === 'false') {
      const ss = site.sameSite;
      const where = [ss?.via, ss?.branch ?? ss?.envText].filter(Boolean).join(', ');
      const r = at(site.sameSite);
      const info = !!ss?.envText && !ss.branch;
      if (!ctx.omits('cookie-samesite-none-insecure', r.start, r.end, info ? 'info' : undefined)) ctx.report({
        ruleId: 'cookie-samesite-none-insecure', ...r,
        // An environment switch: the environments where it is None reject the cookie, the others work.
        ...(info ? { severity: 'info' as const } : {}),
        message: `SameSite=None${where ? ` (${where})` : ''} without Secure: browsers reject ${label}${ss?.envText && !ss.branch ? ' there' : ''}. Add Secure (or use SameSite=Lax).`,
        fix: fix('Set Secure', site.writer.set([['secure', 'true']])),
      });
    }
  }

  const partitioned = site.partitioned?.value;
  if (partitioned === 'true' && secure === 'false' && site.partitioned) {
    ctx.report({
      ruleId: 'cookie-partitioned-insecure', start: site.partitioned.start, end: site.partitioned.end,
      message: `Partitioned without Secure: browsers reject ${label}. Add Secure.`,
      fix: fix('Set Secure', site.writer.set([['secure', 'true']])),
    });
  }

  if (name !== undefined) checkPrefix(ctx, site, name, secure, label);

  const maxAge = site.maxAgeSeconds?.value;
  if (site.maxAgeSeconds && maxAge !== undefined) {
    const limit = ctx.thresholds.maxSessionCookieLifetimeSeconds;
    const allowedDays = Math.max(1, Math.floor((sensitive ? Math.min(limit, MAX_BROWSER_LIFETIME_SECONDS) : MAX_BROWSER_LIFETIME_SECONDS) / 86400));
    const shorten = () => fix(`Shorten to ${allowedDays} days`, site.writer.setLifetime?.(allowedDays));
    if (maxAge > MAX_BROWSER_LIFETIME_SECONDS) {
      ctx.report({
        ruleId: 'cookie-long-lifetime', start: site.maxAgeSeconds.start, end: site.maxAgeSeconds.end,
        message: `${cap(label)} lives ${days(maxAge)}${whereNote(site.maxAgeSeconds)}; browsers cap cookie lifetimes at 400 days. Use a shorter lifetime${sensitive ? ` (at most ${days(limit)} for a session cookie)` : ''}.`,
        fix: shorten(),
      });
    } else if (sensitive && maxAge > limit) {
      ctx.report({
        ruleId: 'cookie-long-lifetime', start: site.maxAgeSeconds.start, end: site.maxAgeSeconds.end,
        message: `${cap(label)} lives ${days(maxAge)}${whereNote(site.maxAgeSeconds)}, longer than the ${days(limit)} allowed for session cookies. Shorten it.`,
        fix: shorten(),
      });
    }
  }

  if (sensitive && site.domain && !site.domain.value && site.domain.envText && HOST_DERIVED.test(site.domain.envText)) {
    // The browser only stores a Domain the request host domain-matches, so a Domain taken from the
    // request's Host cannot reach another site; it does widen the cookie to every subdomain of that host.
    ctx.report({
      ruleId: 'cookie-broad-domain', start: site.domain.start, end: site.domain.end, severity: 'info',
      message: `Domain for ${label} is the request's host (${site.domain.envText}): the cookie then also goes to every subdomain of whichever host served it. Leave Domain out so it stays host-only, or set the one parent domain you mean.`,
      fix: fix('Remove Domain', site.writer.remove?.('domain')),
    });
  }

  if (sensitive && site.domain && site.domain.value) {
    ctx.report({
      ruleId: 'cookie-broad-domain', start: site.domain.start, end: site.domain.end,
      message: `Domain=${site.domain.value}${whereNote(site.domain)} sends ${label} to every subdomain too. Leave Domain out so it stays host-only.`,
      fix: fix('Remove Domain', site.writer.remove?.('domain')),
    });
  }

  // Cookie names are case-sensitive: only the exact default spelling fingerprints the stack.
  if (name !== undefined && Object.hasOwn(DEFAULT_SESSION_NAMES, name)) {
    ctx.report({
      ruleId: 'cookie-default-session-name', ...(site.name ? site.name : site.anchor),
      message: `The session cookie is called '${name}', the ${DEFAULT_SESSION_NAMES[name]} default, which tells attackers the stack. Give it a neutral name.`,
      // Renaming a cookie the code sets by hand breaks its readers; only offer it for session configuration.
      ...(site.session ? { fix: fix("Rename to 'id'", site.writer.set([['name', 'id']])) } : {}),
    });
  }

  // Built by assignment rather than conditional spreads: this runs for every setter of a scan.
  const attributes: { -readonly [K in keyof CookieSiteRecord['attributes']]: CookieSiteRecord['attributes'][K] } = {};
  const secureAttr = truthAttr(secure);
  if (secureAttr !== undefined) attributes.secure = secureAttr;
  const httpOnlyAttr = truthAttr(httpOnly);
  if (httpOnlyAttr !== undefined) attributes.httpOnly = httpOnlyAttr;
  if (sameSite !== undefined && sameSite !== 'env' && sameSite !== 'unknown' && sameSite !== '') attributes.sameSite = sameSite;
  if (maxAge !== undefined) attributes.maxAgeSeconds = maxAge;
  if (site.domain?.value) attributes.domain = site.domain.value;
  if (site.path?.value) attributes.path = site.path.value;
  else if (site.complete && site.defaults.path) attributes.path = site.defaults.path;
  if (partitioned === 'true') attributes.partitioned = true;
  const record: { -readonly [K in keyof CookieSiteRecord]: CookieSiteRecord[K] } = name !== undefined
    ? { name, framework: site.framework, start: site.anchor.start, end: site.anchor.end, attributes }
    : { framework: site.framework, start: site.anchor.start, end: site.anchor.end, attributes };
  ctx.cookieSites.push(record);
}

/**
 * A cookie written already expired. Session configuration never deletes (a lifetime of 0 there
 * means "until the browser closes"); the Servlet API deletes at 0 only (negative = session cookie);
 * Go deletes below 0 only (0 = no Max-Age).
 */
function isDeletion(site: CookieSite): boolean {
  const v = site.maxAgeSeconds?.value;
  if (v === undefined || site.session) return false;
  if (site.framework === 'new Cookie()') return v === 0;
  if (site.framework === 'http.Cookie') return v < 0;
  return v <= 0;
}

function truthAttr(t: Truth): boolean | 'env' | undefined {
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'env') return 'env';
  return undefined;
}

/** ` (it is false on one branch: when clientReadsToken)` for a value that is insecure on one code path only. */
const branchNote = (a: AttrAt<Truth> | undefined): string => (a?.branch ? ` (it is false on one branch: ${a.branch})` : '');

/** ` (cookieOptions() from ./cookies.ts:3, cookieOptions() sets it on line 5 (if (embedded)))`: where a value written elsewhere, or on one path only, comes from. */
const whereNote = (a: AttrAt<unknown> | undefined): string => {
  const parts = [a?.via, a?.branch].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

/** ` (as SESSION_SECURE_COOKIE=false from ../.env:4 sets it)` for a value written elsewhere. */
const viaNote = (a: AttrAt<Truth> | undefined): string => (a?.via ? ` (${a.via})` : '');

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function checkPrefix(ctx: AnalysisContext, site: CookieSite, name: string, secure: Truth, label: string): void {
  const lower = name.toLowerCase();
  const isHost = lower.startsWith('__host-');
  if (!isHost && !lower.startsWith('__secure-')) return;
  const problems: string[] = [];
  const changes: [CookieAttr, string][] = [];
  const edits: OffsetEdit[] = [];
  if (secure === 'false') {
    problems.push('Secure');
    changes.push(['secure', 'true']);
  }
  if (isHost) {
    if (site.domain?.value) {
      problems.push('no Domain');
      edits.push(...(site.writer.remove?.('domain') ?? []));
    }
    const path = site.path ? site.path.value : site.complete ? site.defaults.path : '/';
    if (path !== '/') {
      problems.push('Path=/');
      changes.push(['path', '/']);
    }
  }
  if (problems.length === 0) return;
  if (changes.length) edits.push(...(site.writer.set(changes) ?? []));
  const r = site.name ?? site.anchor;
  ctx.report({
    ruleId: 'cookie-prefix-violation', start: r.start, end: r.end,
    message: `Browsers reject ${label}: the ${isHost ? '__Host-' : '__Secure-'} prefix requires ${problems.join(', ')}.`,
    ...(edits.length ? { fix: { title: `Meet the ${isHost ? '__Host-' : '__Secure-'} requirements`, edits: sortEdits(edits) } } : {}),
  });
}

function sortEdits(edits: OffsetEdit[]): OffsetEdit[] {
  return [...edits].sort((a, b) => a.start - b.start);
}
