import * as path from 'node:path';
import type { AnalysisContext } from '../analysis';
import type { LanguageAnalyzer } from '../analyzer';
import { CSHARP_OPTIONS, CSHARP_SECTION_CONSTANT } from '../symbols/typeIndexers';

/** A scalar value of a JSON document, with its key path (`Jwt:Key`, as .NET configuration names it). */
export interface JsonValue {
  readonly path: readonly string[];
  readonly value: string | number | boolean;
  /** The literal, quotes included. */
  readonly start: number;
  readonly end: number;
}

/** A string value of a JSON document, with its key path. */
type JsonString = JsonValue & { readonly value: string };

/**
 * The string values of a JSON document with their key paths. Tolerates what .NET's configuration
 * reader accepts (comments, trailing commas); stops quietly at anything else, keeping what it read.
 */
export function jsonStrings(text: string): JsonString[] {
  return jsonValues(text).filter((v): v is JsonString => typeof v.value === 'string');
}

/** The string, number and boolean values of a JSON document with their key paths (`null` left out), as jsonStrings reads them. */
export function jsonValues(text: string): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  const skip = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text.startsWith('//', i)) {
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? text.length : eol + 1;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        i = end === -1 ? text.length : end + 2;
      } else return;
    }
  };
  const str = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    const start = i++;
    let s = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) {
        const c = text[i + 1];
        s += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'u' ? String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16) || 0) : c;
        i += c === 'u' ? 6 : 2;
      } else s += text[i++];
    }
    if (i >= text.length) {
      i = start;
      return undefined;
    }
    i++;
    return s;
  };
  /** Reads one value at `path`; false when the text is not JSON there. */
  const value = (path: readonly string[], depth: number): boolean => {
    skip();
    if (depth > 64) return false;
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      for (let index = 0; ; index++) {
        skip();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          return true;
        }
        let key = String(index);
        if (c === '{') {
          const k = str();
          if (k === undefined) return false;
          key = k;
          skip();
          if (text[i] !== ':') return false;
          i++;
        }
        if (!value([...path, key], depth + 1)) return false;
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== (c === '{' ? '}' : ']')) return false;
      }
    }
    if (c === '"') {
      const start = i;
      const s = str();
      if (s === undefined) return false;
      out.push({ path, value: s, start, end: i });
      return true;
    }
    const m = /^(-?\d[\d.eE+-]*|true|false|null)/.exec(text.slice(i, i + 40));
    if (!m) return false;
    const start = i;
    i += m[0].length;
    if (m[0] === 'true' || m[0] === 'false') out.push({ path, value: m[0] === 'true', start, end: i });
    else if (m[0] !== 'null' && Number.isFinite(Number(m[0]))) out.push({ path, value: Number(m[0]), start, end: i });
    return true;
  };
  value([], 0);
  return out;
}

/** Names of signing-key settings: `Jwt:Key`, `JwtSettings:Secret`, `Authentication:Schemes:Bearer:SigningKeys:0:Value`… */
const KEY_NAME = /^(key|secret|secretkey|signingkey|issuersigningkey|symmetrickey|jwtkey|jwtsecret|tokenkey|tokensecret|value)$/i;
const TOKEN_CONTEXT = /jwt|token|bearer|signing|issuer/i;

/** A value that only stands in for the real one (`""`, `<your key>`, `${JWT_KEY}`). */
const PLACEHOLDER = /^\s*$|^<.*>$|^\$\{.*\}$|^%.*%$|^\{\{.*\}\}$/;

/** ASP.NET Core appsettings*.json: JWT signing keys written into the file. */
export const appSettingsAnalyzer: LanguageAnalyzer = {
  query: '',
  containers: new Set(),
  keywords: /jwt|token|bearer|signing|cookie/i,
  declares: () => [],
  analyze: () => undefined,
  finish(_facts, ctx, filePath) {
    const development = filePath !== undefined && DEVELOPMENT_FILE.test(path.basename(filePath));
    const values = jsonValues(ctx.text);
    for (const s of values) if (typeof s.value === 'string') checkSecret(ctx, s as JsonString, development);
    const bound = boundCookieSections(ctx);
    if (bound.length) for (const v of values) checkBoundCookie(ctx, v, bound, development);
  },
};

/**
 * ASP.NET Core options classes whose `Cookie` (a CookieBuilder) the configuration binder fills from
 * a section when the code binds one to them: `Configure<SessionOptions>(….GetSection("Session"))`,
 * `AddSession(o => ….GetSection("Session").Bind(o))`. Their cookie is a session cookie.
 */
const COOKIE_OPTIONS_TYPES: Readonly<Record<string, string>> = {
  SessionOptions: 'the session cookie',
  CookieAuthenticationOptions: 'the authentication cookie',
  AntiforgeryOptions: 'the antiforgery cookie',
};

interface BoundSection {
  /** Lower-case section path (`session`). */
  readonly section: string;
  readonly type: string;
  /** `Program.cs:12`, where the code binds it. */
  readonly where: string;
}

/** The sections the workspace binds to a cookie-carrying options class (as the last scan indexed them). */
function boundCookieSections(ctx: AnalysisContext): BoundSection[] {
  const ws = ctx.workspace;
  if (!ws) return [];
  const out: BoundSection[] = [];
  for (const type of Object.keys(COOKIE_OPTIONS_TYPES)) {
    const sym = ws.table.lookup(CSHARP_OPTIONS, type);
    // A section named by a constant is not resolved here (the class holding it is named in the code).
    if (typeof sym?.value !== 'string' || sym.value.startsWith(CSHARP_SECTION_CONSTANT)) continue;
    out.push({ section: sym.value.toLowerCase(), type, where: `${path.basename(sym.file)}:${sym.line}` });
  }
  return out;
}

/**
 * `"Session": { "Cookie": { "HttpOnly": false, "SecurePolicy": "None", "SameSite": "None" } }` in a
 * section the code binds to SessionOptions (or the cookie authentication or antiforgery options):
 * the binder writes these over the framework's safe defaults.
 */
function checkBoundCookie(ctx: AnalysisContext, v: JsonValue, bound: readonly BoundSection[], development: boolean): void {
  const key = v.path.join(':').toLowerCase();
  const b = bound.find((x) => key.startsWith(`${x.section}:cookie:`));
  if (!b) return;
  const attr = key.slice(b.section.length + ':cookie:'.length);
  const name = v.path.join(':');
  const cookie = COOKIE_OPTIONS_TYPES[b.type];
  const binds = `the app binds section ${v.path.slice(0, b.section.split(':').length).join(':')} to ${b.type} (${b.where})`;
  const severity = development ? { severity: 'info' as const } : {};
  const only = development ? ' Only the Development environment loads this file; make sure no other environment sets it.' : '';
  const text = String(v.value).trim().toLowerCase();
  if (attr === 'httponly' && v.value === false) {
    ctx.report({
      ruleId: 'cookie-missing-httponly', start: v.start, end: v.end, ...severity,
      message: `${name} is false and ${binds}: scripts (and any XSS) can read ${cookie}. Set it to true, or remove it (HttpOnly is the default).${only}`,
      fix: { title: 'Set HttpOnly to true', edits: [{ start: v.start, end: v.end, newText: 'true' }] },
    });
  } else if (attr === 'securepolicy' && (text === 'none' || text === '2' || text === 'sameasrequest' || text === '0')) {
    const none = text === 'none' || text === '2';
    ctx.report({
      ruleId: 'cookie-missing-secure', start: v.start, end: v.end, ...(none ? severity : { severity: 'info' as const }),
      message: none
        ? `${name} is "None" and ${binds}: ${cookie} is sent without Secure, also over plain HTTP. Set it to "Always".${only}`
        : `${name} is "SameAsRequest" and ${binds}: ${cookie} gets Secure only when the request reached the app over HTTPS, which a TLS-terminating proxy hides. Set it to "Always".`,
      fix: { title: 'Set SecurePolicy to "Always"', edits: [{ start: v.start, end: v.end, newText: '"Always"' }] },
    });
  } else if (attr === 'samesite' && (text === 'unspecified' || text === '-1')) {
    ctx.report({
      ruleId: 'cookie-missing-samesite', start: v.start, end: v.end, severity: 'info',
      message: `${name} is "Unspecified" and ${binds}: ${cookie} is sent without SameSite, and some browsers send it on cross-site requests. Set it to "Lax" (or "Strict").`,
      fix: { title: 'Set SameSite to "Lax"', edits: [{ start: v.start, end: v.end, newText: '"Lax"' }] },
    });
  }
}

/** The file only the Development environment loads (the environment name is matched case-insensitively, as .NET does on Windows). */
const DEVELOPMENT_FILE = /^appsettings\.development\.json$/i;

function checkSecret(ctx: AnalysisContext, s: JsonString, development: boolean): void {
  const last = s.path[s.path.length - 1] ?? '';
  if (!KEY_NAME.test(last) || !s.path.some((p) => TOKEN_CONTEXT.test(p)) || PLACEHOLDER.test(s.value)) return;
  // `SigningKeys:0:Value` is .NET's user-jwts layout; a bare `Value` elsewhere is not a key.
  if (/^value$/i.test(last) && !s.path.some((p) => /signingkeys/i.test(p))) return;
  const name = s.path.join(':');
  const variable = s.path.join('__');
  if (development) {
    // Only `ASPNETCORE_ENVIRONMENT=Development` loads this file: the key signs nothing in production unless it is copied there.
    ctx.report({
      ruleId: 'jwt-hardcoded-secret', start: s.start, end: s.end, severity: 'info',
      message: `The JWT signing key ${name} is written in appsettings.Development.json: only the Development environment loads this file, so production does not sign with it, but the key is public to anyone with the repository. Keep it a throwaway key that no other environment reuses (production brings its own through ${variable} or a key vault), or move it to dotnet user-secrets.`,
    });
    return;
  }
  ctx.report({
    ruleId: 'jwt-hardcoded-secret', start: s.start, end: s.end,
    message: `The JWT signing key ${name} is written in the settings file, which is committed with the code: anyone with the repository can forge tokens. Keep it out of the file: dotnet user-secrets in development, the environment variable ${variable} or a key vault in production.`,
  });
}
