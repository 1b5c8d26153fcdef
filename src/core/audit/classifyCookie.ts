import { jwtShape } from '../jwt/detect';

/** How a cookie value is built, as far as it can be told without a key. */
export type CookieValueKind =
  /** An opaque random-looking identifier (a server-side session id). */
  | 'id'
  /** A compact JWS or JWE. */
  | 'jwt'
  /** A framework's signed or encrypted client-side session (cookie-session, Flask, Rails, Django). */
  | 'signed-data'
  /** Anything else: flags, preferences, short words, empty. */
  | 'other';

/** The verdict of {@link classifyCookie}. */
export interface CookieClassification {
  /** True when the cookie carries a session or authentication credential. */
  readonly isSession: boolean;
  /** One sentence saying why, for the UI and for messages. */
  readonly reason: string;
  readonly valueKind: CookieValueKind;
  /** The framework whose default name this is (`express-session`, `PHP`…), when recognised. */
  readonly framework?: string;
}

/** Options of {@link classifyCookie}. */
export interface ClassifyCookieOptions {
  /** Extra session cookie names from the settings (case-insensitive; `*` matches any run of characters). */
  readonly sessionCookieNames?: readonly string[];
}

/**
 * Default session cookie names of common stacks. Lower-cased. They fingerprint the stack
 * (`cookie-default-session-name`) and are always session cookies.
 */
export const DEFAULT_SESSION_COOKIE_NAMES: ReadonlyMap<string, string> = new Map([
  ['connect.sid', 'Express (express-session)'],
  ['express:sess', 'Express (cookie-session)'],
  ['session', 'Flask / cookie-session'],
  ['koa.sess', 'Koa (koa-session)'],
  ['koa:sess', 'Koa (koa-session)'],
  ['phpsessid', 'PHP'],
  ['laravel_session', 'Laravel'],
  ['ci_session', 'CodeIgniter'],
  ['jsessionid', 'Java Servlet (Tomcat, Jetty, Spring)'],
  ['asp.net_sessionid', 'ASP.NET'],
  ['.aspnetcore.session', 'ASP.NET Core'],
  ['.aspnetcore.cookies', 'ASP.NET Core Identity'],
  ['.aspxauth', 'ASP.NET Forms authentication'],
  ['sessionid', 'Django'],
  ['rack.session', 'Rack / Sinatra'],
  ['_session_id', 'Rails'],
  ['cfid', 'ColdFusion'],
  ['cftoken', 'ColdFusion'],
  ['next-auth.session-token', 'NextAuth.js'],
  ['__secure-next-auth.session-token', 'NextAuth.js'],
  ['authjs.session-token', 'Auth.js'],
  ['__secure-authjs.session-token', 'Auth.js'],
  ['fastify-session', 'Fastify'],
  ['sessionId', 'Fastify (@fastify/session)'],
  ['beegosessionid', 'Beego'],
  ['gsessionid', 'Go'],
  ['sid', 'generic'],
].map(([k, v]) => [k.toLowerCase(), v]));

/** Name patterns that say "session" or "authentication" without being a known default. */
const SESSION_NAME_PATTERNS: readonly { re: RegExp; why: string; framework?: string }[] = [
  { re: /^_[a-z0-9_-]+_session$/i, why: 'the Rails session name pattern _<app>_session', framework: 'Rails' },
  { re: /(^|[._-])(sess|session|sessid|sessionid|sid)($|[._-])/i, why: 'its name says session' },
  { re: /session/i, why: 'its name says session' },
  { re: /(^|[._-])(auth|authn|authentication|jwt|token|access[._-]?token|id[._-]?token|refresh[._-]?token|bearer|remember[._-]?(me|token)?|login|logged[._-]?in|user[._-]?token|identity)($|[._-])/i, why: 'its name says it carries authentication' },
];

/** Names that look like credentials but are not: CSRF tokens, analytics, consent, cookie-session's `.sig` companions. */
const NOT_SESSION_NAME = /(^|[._-])(csrf|xsrf|_csrf|csrftoken|consent|_ga|_gid|_gat|_fbp|locale|lang|theme|tz)($|[._-])|^(__cf_bm|_ga_.*|ajs_.*|amp_.*)$|\.sig$/i;

/** True for names that are never the session even when they change at login (CSRF tokens, `.sig` companions, analytics). */
export function isNeverSessionName(name: string): boolean {
  return NOT_SESSION_NAME.test(name.replace(/^__(secure|host)-/i, ''));
}

function wildcardMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === name.toLowerCase();
  const escaped = pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`, 'i').test(name);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Strips a surrounding pair of double quotes (allowed by the cookie-value grammar). */
export function unquoteCookieValue(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** The id part of a signed express-session value `s:<id>.<signature>` (URL-encoded or not). */
export function expressSessionIdPart(value: string): string | undefined {
  const decoded = safeDecode(value);
  const m = /^s:([^.]+)\.[A-Za-z0-9+/=_-]+$/.exec(decoded);
  return m ? m[1] : undefined;
}

const OPAQUE_ID = /^[A-Za-z0-9+/=_~.-]{16,}$/;

/** True when a value looks like a framework's signed client-side session rather than an id. */
function isSignedData(value: string): boolean {
  // Flask / itsdangerous: base64url(json).timestamp.signature, optionally "." + zlib payload.
  if (/^\.?eJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/.test(value)) return true;
  if (/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/.test(value) && jwtShape(value) === undefined) return true;
  // Django signing.dumps: payload:timestamp:signature (payload may start with "." when compressed).
  if (/^\.?[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]{20,}$/.test(value)) return true;
  // Rails encrypted cookie: base64--base64--base64 (URL-encoded in transit).
  if (/^[A-Za-z0-9+/=]+--[A-Za-z0-9+/=]+(--[A-Za-z0-9+/=]+)?$/.test(value) && value.length > 40) return true;
  // express cookie-session: base64 of a JSON object.
  if (/^eyJ[A-Za-z0-9+/=]*$/.test(value) && value.length >= 8) {
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (text.startsWith('{')) return true;
  }
  return false;
}

/** Classifies a cookie value by its shape. */
export function cookieValueKind(rawValue: string): CookieValueKind {
  if (typeof rawValue !== 'string') return 'other';
  const value = safeDecode(unquoteCookieValue(rawValue));
  if (value.length === 0 || value.length > 8192) return 'other';
  if (jwtShape(value)) return 'jwt';
  if (expressSessionIdPart(value) !== undefined) return 'id';
  if (isSignedData(value)) return 'signed-data';
  if (OPAQUE_ID.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && !/^(true|false|null|undefined)$/i.test(value)) return 'id';
  return 'other';
}

/**
 * Says whether a cookie is a session/auth cookie: a known default name, a configured name, a
 * name that says session/auth, or a value that looks like a session id, JWT or signed session.
 * Never throws. The timeline audit additionally promotes cookies whose value changes on login.
 */
export function classifyCookie(name: string, value: string, options: ClassifyCookieOptions = {}): CookieClassification {
  const n = typeof name === 'string' ? name : '';
  const v = typeof value === 'string' ? value : '';
  const valueKind = cookieValueKind(v);
  const configured = (options.sessionCookieNames ?? []).find((p) => typeof p === 'string' && wildcardMatch(p, n));
  if (configured !== undefined) {
    return { isSession: true, reason: `"${n}" is listed in the session cookie names setting.`, valueKind };
  }
  // Prefixes do not change what the cookie is: __Host-sid is still a sid.
  const bare = n.replace(/^__(secure|host)-/i, '');
  const framework = DEFAULT_SESSION_COOKIE_NAMES.get(bare.toLowerCase());
  if (framework === 'generic') {
    return { isSession: true, reason: `"${bare}" is a common session cookie name.`, valueKind };
  }
  if (framework !== undefined) {
    return { isSession: true, reason: `"${bare}" is the default session cookie name of ${framework}.`, valueKind, framework };
  }
  if (!NOT_SESSION_NAME.test(bare)) {
    for (const p of SESSION_NAME_PATTERNS) {
      if (p.re.test(bare)) {
        return { isSession: true, reason: `"${n}" is treated as a session cookie because ${p.why}.`, valueKind, ...(p.framework ? { framework: p.framework } : {}) };
      }
    }
    if (valueKind === 'jwt') return { isSession: true, reason: `"${n}" holds a JWT, which is a credential.`, valueKind };
    if (valueKind === 'signed-data') return { isSession: true, reason: `"${n}" holds a signed session payload.`, valueKind };
    if (valueKind === 'id' && v.length >= 20) {
      return { isSession: true, reason: `"${n}" holds a long random-looking value, typical of a session id.`, valueKind };
    }
  }
  return { isSession: false, reason: `"${n}" has neither a session cookie name nor a session-id-like value.`, valueKind };
}
