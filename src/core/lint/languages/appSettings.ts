import * as path from 'node:path';
import type { AnalysisContext } from '../analysis';
import type { LanguageAnalyzer } from '../analyzer';

/** A string value of a JSON document, with its key path (`Jwt:Key`, as .NET configuration names it). */
interface JsonString {
  readonly path: readonly string[];
  readonly value: string;
  /** The literal, quotes included. */
  readonly start: number;
  readonly end: number;
}

/**
 * The string values of a JSON document with their key paths. Tolerates what .NET's configuration
 * reader accepts (comments, trailing commas); stops quietly at anything else, keeping what it read.
 */
export function jsonStrings(text: string): JsonString[] {
  const out: JsonString[] = [];
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
    i += m[0].length;
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
  keywords: /jwt|token|bearer|signing/i,
  declares: () => [],
  analyze: () => undefined,
  finish(_facts, ctx, filePath) {
    const development = filePath !== undefined && DEVELOPMENT_FILE.test(path.basename(filePath));
    for (const s of jsonStrings(ctx.text)) checkSecret(ctx, s, development);
  },
};

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
