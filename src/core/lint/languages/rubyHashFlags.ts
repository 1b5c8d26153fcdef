import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, namedChildren, span } from '../analysis';
import type { AttrAt, Truth } from '../cookieChecks';
import { RUBY_COOKIE_HASHES, RUBY_COOKIE_KEYS } from '../symbols/rubyCookieHashes';
import { describeSymbol } from '../symbols/symbolTable';

/*
 * Cookie options a Ruby file takes whole from another file: `cookies[:remember_token] = remember_cookie(token)`
 * (a method of a concern whose body is the options hash), `auth_cookie.merge(value: token)`, and
 * `config.rememberable_options = CookiePolicy::REMEMBER` (a constant holding the hash). The flags
 * the other file writes as literals, as the last scan indexed them (symbols/rubyCookieHashes.ts),
 * each named with its file and line. Keys this file overrides (`.merge(httponly: true)`) are not taken.
 */

/** The flags of the hash `rhs` stands for, or undefined when it is no hash of another file. */
export interface HashFlags {
  readonly secure?: AttrAt<Truth>;
  readonly httpOnly?: AttrAt<Truth>;
  readonly sameSite?: AttrAt<string>;
  /** `merge(value: token)`: the value the cookie is given, when written. */
  readonly valueHint?: string;
}

/** The flags of `flags` that the other file writes, as checkCookieSite takes them (absent ones left out). */
export function writtenFlags(flags: HashFlags): Pick<HashFlags, 'secure' | 'httpOnly' | 'sameSite'> {
  return {
    ...(flags.secure ? { secure: flags.secure } : {}),
    ...(flags.httpOnly ? { httpOnly: flags.httpOnly } : {}),
    ...(flags.sameSite ? { sameSite: flags.sameSite } : {}),
  };
}

export function rubyHashFlags(ctx: AnalysisContext, rhs: Node): HashFlags | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  let source = rhs;
  let merged: Node | undefined;
  if (rhs.type === 'call' && ctx.src(rhs.childForFieldName('method') ?? rhs) === 'merge' && rhs.childForFieldName('receiver')) {
    source = rhs.childForFieldName('receiver')!;
    merged = rhs.childForFieldName('arguments') ?? undefined;
  }
  let name: string | undefined;
  if (source.type === 'identifier') name = ctx.src(source);
  else if (source.type === 'call' && !source.childForFieldName('receiver')) name = ctx.src(source.childForFieldName('method') ?? source);
  else if (source.type === 'constant' || source.type === 'scope_resolution') name = ctx.src(source).replace(/^::/, '');
  if (!name) return undefined;
  // A method of this file: its text may be newer than the table.
  if (/^[a-z_]/.test(name) && new RegExp(`^[ \\t]*def[ \\t]+(?:self\\.)?${name.replace(/[?!]/g, '\\$&')}\\b`, 'm').test(ctx.text)) return undefined;
  ctx.lookups.add(name);
  const overridden = new Set<string>();
  let valueHint: string | undefined;
  for (const pair of merged ? merged.descendantsOfType('pair') : []) {
    const key = pair?.childForFieldName('key');
    const k = key ? ctx.src(key).replace(/^:|:$|["']/g, '') : '';
    overridden.add(k);
    if (k === 'value' && pair?.childForFieldName('value')) valueHint = ctx.src(pair.childForFieldName('value')!);
  }
  const at = span(rhs);
  const out: { secure?: AttrAt<Truth>; httpOnly?: AttrAt<Truth>; sameSite?: AttrAt<string>; valueHint?: string } = {};
  for (const key of RUBY_COOKIE_KEYS) {
    if (overridden.has(key)) continue;
    const symbol = ws.table.lookup(RUBY_COOKIE_HASHES, `${name}#${key}`);
    if (!symbol || symbol.file === ws.filePath) continue;
    const written = typeof symbol.value === 'string' && symbol.value.startsWith(':') ? symbol.value : JSON.stringify(symbol.value);
    const via = `${key}: ${written} in ${describeSymbol(ws.filePath, name, symbol)}`;
    if (key === 'same_site') {
      const mode = String(symbol.value).replace(/^:/, '').toLowerCase();
      out.sameSite = { value: mode, ...at, via };
    } else if (typeof symbol.value === 'boolean') {
      out[key === 'secure' ? 'secure' : 'httpOnly'] = { value: symbol.value ? 'true' : 'false', ...at, via };
    }
  }
  if (valueHint !== undefined) out.valueHint = valueHint;
  return out.secure || out.httpOnly || out.sameSite ? out : undefined;
}

/** The arguments of `rhs` when it is a call (to judge whether the cookie's value is a flag). */
export function firstArgument(ctx: AnalysisContext, rhs: Node): string | undefined {
  const args = rhs.childForFieldName('arguments');
  const first = args ? namedChildren(args, ctx.text)[0] : undefined;
  return first ? ctx.src(first) : undefined;
}
