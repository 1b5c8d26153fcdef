import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, namedChildren, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type CookieAttr, checkCookieSite } from '../cookieChecks';
import { type KeyedItem, type KeyedSyntax, checkKeyedSite } from '../keyedSite';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { describeSymbol } from '../symbols/symbolTable';
import { goCallerCookieName } from './goCookieHelpers';
import { goNumber } from './goDurations';
import { goValue, goZeroField } from './goValues';
import { externalsOf, literalsOf, truthOfValue } from './resolvedValue';

const QUERY = `
(composite_literal type: (qualified_type) @type body: (literal_value) @body) @lit
(type_conversion_expression type: (slice_type element: (type_identifier) @elem (#eq? @elem "byte")) operand: (interpreted_string_literal) @str) @bytes
(call_expression function: (selector_expression field: (field_identifier) @method (#any-of? @method "SignedString" "ParseUnverified" "WithValidMethods" "Parse" "ParseWithClaims" "NewCookieStore" "NewFilesystemStore" "NewStore" "SetCookie")) arguments: (argument_list) @args) @call
(selector_expression operand: (identifier) @pkg field: (field_identifier) @field (#any-of? @field "SigningMethodNone" "UnsafeAllowNoneSignatureType")) @none
`;

const SECRET_SINKS = /(^|\.)(SignedString|NewCookieStore|NewFilesystemStore|NewStore|New|Parse|ParseWithClaims|NewWithClaims|HMAC|NewHMAC)$/;

/** Seconds of a cookie's MaxAge (an int, `int(ttl.Seconds())`) or Expires (`time.Now().Add(…)`, `AddDate`, `time.Unix(…)`), negative when already past. */
function seconds(ctx: AnalysisContext, n: Node): number | undefined {
  const num = goNumber(ctx, n);
  if (num) return num.duration ? undefined : num.v;
  const t = ctx.src(n).replace(/\s+/g, '');
  if (n.type === 'call_expression' && /^time\.Now\(\)\.Add$/.test(ctx.src(n.childForFieldName('function') ?? n).replace(/\s+/g, ''))) {
    const arg = namedChildren(n.childForFieldName('arguments')!, ctx.text)[0];
    const d = arg ? goNumber(ctx, arg) : undefined;
    return d?.duration ? d.v : undefined;
  }
  const d = /^time\.Now\(\)\.AddDate\((-?\d+),(-?\d+),(-?\d+)\)$/.exec(t);
  if (d) return (Number(d[1]) * 365 + Number(d[2]) * 30 + Number(d[3])) * 86400;
  // `time.Unix(0, 0)`: a fixed date. One in the past deletes the cookie (the usual logout idiom); a future one is not judged.
  // The seconds may be a constant (`time.Unix(epoch, 0)`) of the file, the package or another package.
  const args = n.type === 'call_expression' && /^time\.Unix$/.test(ctx.src(n.childForFieldName('function') ?? n).replace(/\s+/g, '')) ? namedChildren(n.childForFieldName('arguments')!, ctx.text) : [];
  const unix = args.length === 2 ? goNumber(ctx, args[0]) : undefined;
  if (unix && !unix.duration && unix.v < Date.now() / 1000) return unix.v - Math.floor(Date.now() / 1000);
  return undefined;
}

function syntax(ctx: AnalysisContext): KeyedSyntax {
  return {
    keyFor: { secure: 'Secure', httpOnly: 'HttpOnly', sameSite: 'SameSite', domain: 'Domain', path: 'Path', name: 'Name', partitioned: 'Partitioned' },
    lifetime: [
      { key: 'MaxAge', seconds: (n) => seconds(ctx, n), render: (d) => `86400 * ${d}` },
      { key: 'Expires', seconds: (n) => seconds(ctx, n), render: (d) => `time.Now().AddDate(0, 0, ${d})` },
    ],
    truth: (n) => {
      // `Secure: cfg.CookieSecure` where the struct literal behind cfg leaves CookieSecure out: Go's zero value, false.
      const zero = goZeroField(ctx, n);
      if (zero) return { value: 'false', via: `${ctx.src(n).replace(/\s+/g, '')} is false: ${zero.holder} leaves ${zero.field} out of its struct literal, and a bool left out is false` };
      const v = goValue(ctx, n);
      const t = truthOfValue(v, (leaf) => {
        const text = ctx.src(leaf.node).trim();
        return /os\.Getenv|env|prod|Prod|TLS|tls/.test(text) ? { env: text } : undefined;
      });
      // A flag written in another file: say where (`config.Session.Secure from ../../cmd/api/main.go:14`).
      const via = v.k === 'external' && ctx.workspace ? describeSymbol(ctx.workspace.filePath, ctx.src(n), v.symbol) : undefined;
      return { value: t.truth, ...(t.envText ? { envText: t.envText } : {}), ...(t.branch ? { branch: t.branch } : {}), ...(via ? { via } : {}) };
    },
    sameSite: (n) => {
      const m = /SameSite(Strict|Lax|None|Default)Mode/.exec(ctx.src(n));
      if (!m) return 'unknown';
      return m[1] === 'Default' ? '' : m[1].toLowerCase();
    },
    string: (n) => {
      const v = goValue(ctx, n);
      return v.k === 'str' ? v.v : v.k === 'external' && typeof v.symbol.value === 'string' ? v.symbol.value : undefined;
    },
    render: (attr: CookieAttr, value: string) => {
      if (attr === 'sameSite') return `http.SameSite${value.charAt(0).toUpperCase()}${value.slice(1)}Mode`;
      if (value === 'true' || value === 'false') return value;
      return `"${value}"`;
    },
    pair: (key, value) => `${key}: ${value}`,
  };
}

/** Go: net/http Cookie literals, gorilla sessions.Options and stores, golang-jwt. */
export const goAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['source_file']),
  keywords: /Cookie|sessions|jwt|securecookie|SignedString|NewStore/,
  anchors: /\bhttp\s*\.\s*Cookie\s*\{|\bsessions\s*\.\s*Options\s*\{|\.\s*GinJWTMiddleware\s*\{|\[\]byte\s*\(\s*"|\.\s*(SignedString|ParseUnverified|WithValidMethods|Parse|ParseWithClaims|NewCookieStore|NewFilesystemStore|NewStore|SetCookie)\s*\(|\bjwt\s*\.\s*(SigningMethodNone|UnsafeAllowNoneSignatureType)\b/g,
  declares(chunk, ctx) {
    // Where `"os"` is added depends on the package clause and the imports, whatever shape an edit leaves them in.
    if (chunk.type === 'import_declaration' || chunk.type === 'package_clause' || chunk.type === 'ERROR' || /\b(import|package)\b/.test(ctx.src(chunk))) return ['<imports>'];
    if (chunk.type === 'var_declaration' || chunk.type === 'const_declaration') {
      return chunk.descendantsOfType('identifier').filter((i) => i?.parent?.type === 'var_spec' || i?.parent?.type === 'const_spec').map((i) => ctx.src(i!));
    }
    return [];
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const lit = capture(m, 'lit');
  const type = capture(m, 'type');
  const body = capture(m, 'body');
  if (lit && type && body) {
    const t = ctx.src(type).replace(/\s+/g, '');
    if (t === 'http.Cookie') cookieLiteral(ctx, lit, body, false);
    else if (t === 'sessions.Options') cookieLiteral(ctx, lit, body, true);
    else if (/\.GinJWTMiddleware$/.test(t)) ginJwt(ctx, lit, body);
    return;
  }
  const bytes = capture(m, 'bytes');
  const str = capture(m, 'str');
  if (bytes && str) {
    byteSecret(ctx, bytes, str);
    return;
  }
  const none = capture(m, 'none');
  if (none) {
    if (ctx.src(capture(m, 'pkg')!) !== 'jwt') return;
    ctx.report({ ruleId: 'jwt-alg-none', ...span(none), message: `${ctx.src(none)} lets unsigned tokens through: anyone can forge them. Sign with HS256/RS256/ES256 and never allow "none".` });
    return;
  }
  const call = capture(m, 'call');
  const method = capture(m, 'method');
  const args = capture(m, 'args');
  if (!call || !method || !args) return;
  const name = ctx.src(method);
  const list = namedChildren(args, ctx.text);
  if (name === 'SetCookie') {
    if (list.length === 2 && list[1].type === 'identifier' && ctx.src(call.childForFieldName('function')?.childForFieldName('operand') ?? call) === 'http') changedByCaller(ctx, call, list[1]);
  } else if (name === 'SignedString' && list[0]) {
    secretThrough(ctx, list[0], 'jwt');
  } else if (name === 'NewCookieStore' || name === 'NewFilesystemStore' || name === 'NewStore') {
    sessionStore(ctx, call, name, list);
  } else if ((name === 'Parse' || name === 'ParseWithClaims') && keyFunctionArgs(ctx, call, list)) {
    // handled in keyFunctionArgs
  } else if (name === 'ParseUnverified') {
    ctx.report({ ruleId: 'jwt-verify-disabled', ...span(call), severity: 'info', message: 'ParseUnverified does not check the signature: if this token decides who the user is, use jwt.Parse with a key function and WithValidMethods.' });
  } else if (name === 'WithValidMethods') {
    const methods = [...ctx.src(args).matchAll(/"([^"]+)"/g)].map((x) => x[1]);
    if (methods.some((x) => /^HS/.test(x)) && methods.some((x) => /^(RS|ES|PS|EdDSA)/.test(x))) {
      ctx.report({ ruleId: 'jwt-algorithm-confusion', ...span(call), message: 'WithValidMethods mixes HMAC and public-key algorithms: a token signed with HS256 using the public key as secret passes. Allow one family only.' });
    }
    if (methods.some((x) => x.toLowerCase() === 'none')) ctx.report({ ruleId: 'jwt-alg-none', ...span(call), message: 'WithValidMethods allows "none": unsigned tokens pass. Remove it.' });
  }
}

/** `http.Cookie{…}` or `sessions.Options{…}`. */
function cookieLiteral(ctx: AnalysisContext, lit: Node, body: Node, session: boolean): void {
  const items: KeyedItem[] = namedChildren(body, ctx.text).flatMap((e) => {
    if (e.type !== 'keyed_element') return [];
    const [k, v] = namedChildren(e, ctx.text);
    const value = v?.type === 'literal_element' ? v.firstNamedChild ?? v : v;
    return k && value ? [{ key: ctx.src(k).trim(), value, item: e }] : [];
  });
  // Positional literals (http.Cookie{"a", "b", …}) list every field: rare, and not judged.
  if (namedChildren(body, ctx.text).some((e) => e.type !== 'keyed_element')) return;
  if (session) ctx.lookups.add('<imports>');
  // `c := &http.Cookie{…}` then `c.Secure = true` before http.SetCookie: later fields win.
  for (const later of fieldAssignments(ctx, lit)) {
    const i = items.findIndex((x) => x.key === later.key);
    if (i !== -1) items.splice(i, 1);
    items.push(later);
  }
  // MaxAge 0 sends no Max-Age attribute: a written Expires then decides the lifetime (a past one deletes the cookie).
  const zeroMaxAge = items.find((x) => x.key === 'MaxAge' && goNumber(ctx, x.value)?.v === 0);
  if (zeroMaxAge && items.some((x) => x.key === 'Expires')) items.splice(items.indexOf(zeroMaxAge), 1);
  const valueItem = session ? undefined : items.find((x) => x.key === 'Value');
  // `Name: name` of a helper's parameter: the names its callers pass.
  const nameItem = session ? undefined : items.find((x) => x.key === 'Name');
  const callerName = nameItem ? goCallerCookieName(ctx, nameItem.value) : undefined;
  // Flags every caller sets on the returned cookie before sending it (`c.Secure = true`) are the callers' to judge.
  const overridden = callerName?.overridden;
  const base = syntax(ctx);
  const own = new Set(items.filter((i) => overridden?.has(i.key)).map((i) => i.value.id));
  const keyed = overridden?.size ? { ...base, truth: (n: Node) => (own.has(n.id) ? { value: 'unknown' as const } : base.truth(n)) } : base;
  const defaults = { secure: overridden?.has('Secure') ? 'unknown' as const : 'false' as const, httpOnly: overridden?.has('HttpOnly') ? 'unknown' as const : 'false' as const };
  checkKeyedSite(ctx, {
    ...(callerName ? { name: { value: callerName.value, node: callerName.node, via: callerName.via } } : {}),
    framework: session ? (/gin-contrib\/sessions/.test(ctx.text) ? 'gin-contrib sessions.Options' : 'gorilla sessions.Options') : 'http.Cookie',
    session,
    anchor: lit,
    items,
    ...(valueItem ? { valueHint: ctx.src(valueItem.value) } : {}),
    list: body,
    complete: true,
    defaults,
    syntax: keyed,
  });
}

/**
 * `v.Field = value` as the field and its value; undefined for any other statement, or when the
 * value reads `v` itself (`mentions` matches a use of `v`).
 */
function fieldAssignment(ctx: AnalysisContext, s: Node, v: string, mentions: RegExp): KeyedItem | undefined {
  if (s.type !== 'assignment_statement') return undefined;
  const l = s.childForFieldName('left');
  const r = s.childForFieldName('right');
  const m = l ? new RegExp(`^${v}\\.(\\w+)$`).exec(ctx.src(l).replace(/\s+/g, '')) : null;
  const value = r ? namedChildren(r, ctx.text)[0] : undefined;
  if (!m || !value || mentions.test(ctx.src(r!))) return undefined;
  return { key: m[1], value, item: s };
}

/**
 * `v.Field = value` statements right after `v := http.Cookie{…}` (or `&http.Cookie{…}`, `var v = …`),
 * up to the first statement that uses `v` another way (SetCookie sends it there and then).
 */
function fieldAssignments(ctx: AnalysisContext, lit: Node): KeyedItem[] {
  let n: Node | null = lit.parent;
  if (n?.type === 'unary_expression') n = n.parent;
  if (n?.type !== 'expression_list') return [];
  const decl = n.parent;
  if (decl?.type !== 'short_var_declaration' && decl?.type !== 'var_spec') return [];
  const left = decl.type === 'short_var_declaration' ? decl.childForFieldName('left') : decl.childForFieldName('name');
  const names = left ? (left.type === 'identifier' ? [left] : namedChildren(left, ctx.text)) : [];
  if (names.length !== 1) return [];
  const v = ctx.src(names[0]);
  const stmt = decl.type === 'var_spec' ? decl.parent : decl;
  const out: KeyedItem[] = [];
  const mentions = new RegExp(`(^|[^\\w.])${v}\\b`);
  for (let s = stmt?.nextNamedSibling ?? null; s; s = s.nextNamedSibling) {
    const text = ctx.src(s);
    if (!mentions.test(text)) continue;
    ctx.touch(s.startIndex, s.endIndex);
    const item = fieldAssignment(ctx, s, v, mentions);
    if (!item) break;
    out.push(item);
  }
  return out;
}

/**
 * `c := cookies.New("orders_auth", t); c.HttpOnly = false; http.SetCookie(w, c)`: a cookie a function
 * (of this package or another) returns, changed by the caller before it is sent. What the caller sets
 * is judged at its assignment, with the name the call passes (its first string literal); what the
 * function sets stays judged where it builds the cookie. A cookie built here (`c := &http.Cookie{…}`)
 * is judged with its later fields by cookieLiteral.
 */
function changedByCaller(ctx: AnalysisContext, call: Node, cookie: Node): void {
  const v = ctx.src(cookie);
  let stmt: Node | null = call;
  while (stmt && !/_statement$/.test(stmt.type)) stmt = stmt.parent;
  let decl: Node | undefined;
  let made: Node | undefined;
  for (let s = stmt?.previousNamedSibling ?? null; s; s = s.previousNamedSibling) {
    if (s.type !== 'short_var_declaration' && s.type !== 'var_declaration') continue;
    const left = s.type === 'short_var_declaration' ? s.childForFieldName('left') : s.descendantsOfType('var_spec')[0]?.childForFieldName('name');
    const names = left ? (left.type === 'identifier' ? [left] : namedChildren(left, ctx.text)) : [];
    if (!names.some((n) => ctx.src(n) === v)) continue;
    const right = s.type === 'short_var_declaration' ? s.childForFieldName('right') : s.descendantsOfType('var_spec')[0]?.childForFieldName('value');
    const first = right ? namedChildren(right, ctx.text)[0] : undefined;
    if (first?.type === 'call_expression') {
      decl = s;
      made = first;
    }
    break;
  }
  if (!decl || !made) return;
  ctx.touch(decl.startIndex, call.endIndex);
  const items: KeyedItem[] = [];
  const mentions = new RegExp(`(^|[^\\w.])${v}\\b`);
  for (let s = decl.nextNamedSibling; s && s.startIndex < call.startIndex; s = s.nextNamedSibling) {
    if (!mentions.test(ctx.src(s))) continue;
    const item = fieldAssignment(ctx, s, v, mentions);
    // Handed to a function, set under a branch or from itself: what it holds is no longer read here.
    if (!item) return;
    items.push(item);
  }
  if (!items.length) return;
  const args = made.childForFieldName('arguments');
  const nameArg = args ? namedChildren(args, ctx.text).find((a) => a.type === 'interpreted_string_literal' || a.type === 'raw_string_literal') : undefined;
  checkKeyedSite(ctx, {
    framework: 'http.Cookie',
    session: false,
    anchor: call,
    items,
    ...(nameArg ? { name: { value: ctx.src(nameArg).slice(1, -1), node: nameArg } } : { nameHint: ctx.src(made) }),
    // What the function set is not known here: only what the caller writes is judged.
    complete: false,
    defaults: { secure: 'unknown', httpOnly: 'unknown' },
    syntax: syntax(ctx),
  });
}

/**
 * Key material handed to a signer, a store or returned by a key function: a literal, or one reached
 * through a local, a package-level var/const, `[]byte(…)`, a helper like `getEnv("KEY", "dev")`, or
 * an `if secret == "" { secret = "dev" }` after an environment read (a fallback).
 */
function secretThrough(ctx: AnalysisContext, arg: Node, kind: 'session' | 'jwt'): void {
  const resolved = goValue(ctx, arg);
  for (const { value, when } of externalsOf(resolved)) {
    const what = `${kind === 'jwt' ? 'The JWT signing key' : 'The session store key'}${when ? ` (${when})` : ''}`;
    reportExternalSecret(ctx, { kind, ...span(value.node), what, envName: kind === 'jwt' ? 'JWT_SECRET' : 'SESSION_KEY', symbol: value.symbol, expression: ctx.src(value.node) });
  }
  for (const { value, when } of literalsOf(resolved)) {
    if (value.v === '') continue;
    const what = `${kind === 'jwt' ? 'The JWT signing key' : 'The session store key'}${when ? ` (${when})` : ''}`;
    if (value.k === 'fallback') {
      const envName = /"([^"]+)"/.exec(value.replacement)?.[1]?.replace(/ is not set$/, '') ?? (kind === 'jwt' ? 'JWT_SECRET' : 'SESSION_KEY');
      reportHardcodedSecret(ctx, {
        kind, ...span(value.whole), what, envName, replacement: value.replacement, fallback: true,
        ...(value.replacement.startsWith('os.') ? { extraEdits: importOs(ctx) } : {}),
      });
      continue;
    }
    secretAt(ctx, value.node, kind, constToVar(ctx, value.node), what);
  }
}

/**
 * gorilla/sessions `NewCookieStore`/`NewFilesystemStore` and gin-contrib/sessions `cookie.NewStore`,
 * `redis.NewStore`…: the keys, and the cookie the store writes when the file never sets its Options.
 */
function sessionStore(ctx: AnalysisContext, call: Node, name: string, args: readonly Node[]): void {
  const keys = args.filter((a) => a.type === 'type_conversion_expression' || a.type === 'identifier' || a.type === 'call_expression' || a.type === 'selector_expression');
  // A NewStore without key material ([]byte) is some other library's.
  if (name === 'NewStore' && !args.some((a) => /^\[\]byte\s*\(/.test(ctx.src(a)))) return;
  for (const k of keys) secretThrough(ctx, k, 'session');
  // Options written anywhere in the file (sessions.Options{…}, store.Options.X = …) are judged where they are.
  ctx.touch(0, ctx.text.length);
  if (/\bOptions\s*(\{|\(|\.\s*\w+\s*=|=)/.test(ctx.text)) return;
  const gin = /gin-contrib\/sessions/.test(ctx.text);
  checkCookieSite(ctx, {
    framework: `${gin ? 'gin-contrib/sessions' : 'gorilla/sessions'} store (gorilla/sessions v1.2+ defaults)`,
    session: true,
    anchor: span(call),
    complete: true,
    // gorilla/sessions v1.2 and later (which gin-contrib/sessions wraps): Options{Path: "/", MaxAge: 86400 * 30}, nothing else.
    defaults: { secure: 'false', httpOnly: 'false', sameSite: '', path: '/' },
    writer: { set: () => undefined },
  });
}

/**
 * `jwt.Parse(raw, func(t *jwt.Token) (interface{}, error) { return key, nil })`: a key function that
 * returns the key without looking at `t.Method`, with no WithValidMethods option, lets the token's
 * own `alg` header choose how it is checked. Returns true when the call was a golang-jwt parse.
 */
function keyFunctionArgs(ctx: AnalysisContext, call: Node, args: readonly Node[]): boolean {
  const fn = call.childForFieldName('function');
  const pkg = fn?.childForFieldName('operand');
  if (!pkg || ctx.src(pkg) !== 'jwt') return false;
  const body = args.slice(1).map((a) => keyFunctionBody(ctx, a)).find((b) => b !== undefined);
  if (!body) return true;
  for (const r of body.descendantsOfType('return_statement')) {
    const first = r?.firstNamedChild?.firstNamedChild ?? undefined;
    if (first) secretThrough(ctx, first, 'jwt');
  }
  if (args.some((a) => /WithValidMethods/.test(ctx.src(a))) || /\.\s*Method\b|Header\s*\[\s*"alg"\s*\]|SigningMethod/.test(ctx.src(body))) return true;
  ctx.report({
    ruleId: 'jwt-algorithm-confusion', ...span(call),
    message: 'The key function returns the key without checking t.Method, and no jwt.WithValidMethods is passed: the token\'s own alg header picks how it is verified. Pass jwt.WithValidMethods([]string{"HS256"}) (your algorithm), or check t.Method in the key function.',
  });
  return true;
}

/**
 * The body of a key function handed to jwt.Parse: a literal, a function or method of the file
 * (`keyFunc`, `s.keyFunc`), or a local holding a literal (`keyFunc := func(t *jwt.Token) …`).
 */
function keyFunctionBody(ctx: AnalysisContext, arg: Node): Node | undefined {
  if (arg.type === 'func_literal') return arg.childForFieldName('body') ?? undefined;
  if (arg.type !== 'identifier' && arg.type !== 'selector_expression') return undefined;
  if (arg.type === 'identifier') {
    const v = goValue(ctx, arg);
    if (v.k === 'other' && v.node.type === 'func_literal') return v.node.childForFieldName('body') ?? undefined;
  }
  const name = arg.type === 'identifier' ? ctx.src(arg) : ctx.src(arg.childForFieldName('field')!);
  ctx.lookups.add(name);
  const kind = arg.type === 'identifier' ? 'function_declaration' : 'method_declaration';
  for (const d of arg.tree.rootNode.namedChildren) {
    if (d?.type !== kind || ctx.src(d.childForFieldName('name')!) !== name) continue;
    // A key function takes a *jwt.Token.
    const params = d.childForFieldName('parameters');
    if (!params || !/\*\s*jwt\s*\.\s*Token\b/.test(ctx.src(params))) return undefined;
    ctx.touch(d.startIndex, d.endIndex);
    return d.childForFieldName('body') ?? undefined;
  }
  return undefined;
}

/** gin-jwt `jwt.New(&jwt.GinJWTMiddleware{ … })`: its cookie, when it sends one (SendCookie or cookie settings written). */
function ginJwt(ctx: AnalysisContext, lit: Node, body: Node): void {
  const items: KeyedItem[] = namedChildren(body, ctx.text).flatMap((e) => {
    if (e.type !== 'keyed_element') return [];
    const [k, v] = namedChildren(e, ctx.text);
    const value = v?.type === 'literal_element' ? v.firstNamedChild ?? v : v;
    return k && value ? [{ key: ctx.src(k).trim(), value, item: e }] : [];
  });
  // SigningAlgorithm (default HS256): with RS/ES/PS the middleware signs with PrivKeyFile/PrivKeyBytes and never reads Key.
  const algItem = items.find((i) => i.key === 'SigningAlgorithm');
  const alg = algItem ? goValue(ctx, algItem.value) : undefined;
  const algName = alg?.k === 'str' ? alg.v : alg?.k === 'external' && typeof alg.symbol.value === 'string' ? alg.symbol.value : undefined;
  if (algItem && algName !== undefined && /^none$/i.test(algName)) {
    ctx.report({
      ruleId: 'jwt-alg-none', ...span(algItem.item),
      message: 'gin-jwt SigningAlgorithm "none" asks for unsigned tokens: anyone could forge them (golang-jwt refuses to sign or accept them without UnsafeAllowNoneSignatureType, so logins also break). Use HS256 with a key from the environment, or RS256 with PrivKeyFile/PubKeyFile.',
      fix: { title: 'Sign with HS256', edits: [{ ...span(algItem.value), newText: '"HS256"' }] },
    });
  }
  const keyItem = items.find((i) => i.key === 'Key');
  if (keyItem && !(algName !== undefined && /^(RS|ES|PS)\d{3}$|^EdDSA$/i.test(algName))) secretThrough(ctx, keyItem.value, 'jwt');
  // Timeout is the access token's lifetime (gin-jwt's default is one hour); MaxRefresh only bounds refreshing.
  const timeoutItem = items.find((i) => i.key === 'Timeout');
  const timeout = timeoutItem ? durationSeconds(ctx, timeoutItem.value) : undefined;
  if (timeoutItem && timeout !== undefined && timeout > MAX_TOKEN_LIFETIME_SECONDS) {
    ctx.report({
      ruleId: 'jwt-long-lifetime', ...span(timeoutItem.item),
      message: `gin-jwt tokens live ${humanDuration(timeout)} (Timeout): a leaked token works that long and cannot be revoked. Keep Timeout short (15 minutes to an hour) and let clients refresh within MaxRefresh.`,
      fix: { title: 'Shorten Timeout to one hour', edits: [{ ...span(timeoutItem.value), newText: 'time.Hour' }] },
    });
  }
  const sends = items.some((i) => i.key === 'SendCookie' && ctx.src(i.value).trim() === 'true');
  if (!sends && !items.some((i) => /^(SecureCookie|CookieHTTPOnly|CookieSameSite|CookieDomain|CookieName)$/.test(i.key))) return;
  const base = syntax(ctx);
  checkKeyedSite(ctx, {
    framework: 'gin-jwt',
    session: true,
    anchor: lit,
    items,
    list: body,
    complete: true,
    // gin-jwt's zero values: no Secure, no HttpOnly, SameSite default (left out), cookie "jwt".
    defaults: { secure: 'false', httpOnly: 'false', sameSite: '', name: 'jwt' },
    syntax: {
      ...base,
      keyFor: { secure: 'SecureCookie', httpOnly: 'CookieHTTPOnly', sameSite: 'CookieSameSite', domain: 'CookieDomain', name: 'CookieName' },
      lifetime: [{ key: 'CookieMaxAge', seconds: (n) => durationSeconds(ctx, n), render: (d) => `${d * 24} * time.Hour` }],
    },
  });
}

/** Longest access-token lifetime the code check accepts: 24 hours, the default of sessionLens.maxTokenLifetime for traffic. */
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

function humanDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  return `${Math.round(seconds / 3600)} hours`;
}

/** A time.Duration written as `90 * 24 * time.Hour`, `time.Hour * 24`, `time.Minute`. */
/** Seconds of a time.Duration (`24 * time.Hour`, a constant of the file or of another package). */
function durationSeconds(ctx: AnalysisContext, n: Node): number | undefined {
  const d = goNumber(ctx, n);
  return d?.duration ? d.v : undefined;
}

/** `[]byte("literal")` handed to a signer, a cookie store or returned from a jwt key function. */
function byteSecret(ctx: AnalysisContext, bytes: Node, str: Node): void {
  const up = ancestorsOf(bytes);
  for (let i = up.length - 1; i >= 0 && i >= up.length - 10; i--) {
    const p = up[i];
    // gin-jwt's Key is judged with its SigningAlgorithm (ginJwt).
    if (p.type === 'composite_literal' && /GinJWTMiddleware$/.test(ctx.src(p.childForFieldName('type') ?? p).trim())) return;
    if (p.type === 'call_expression') {
      const fn = p.childForFieldName('function');
      if (fn && SECRET_SINKS.test(ctx.src(fn).replace(/\s+/g, ''))) {
        const f = ctx.src(fn);
        secretAt(ctx, str, /sessions|securecookie|Store/.test(f) ? 'session' : 'jwt');
        return;
      }
    }
    if (p.type === 'function_declaration' || p.type === 'source_file') return;
  }
}

function secretAt(ctx: AnalysisContext, str: Node, kind: 'session' | 'jwt', extra: readonly OffsetEdit[] = [], what?: string): void {
  const envName = kind === 'jwt' ? 'JWT_SECRET' : 'SESSION_KEY';
  reportHardcodedSecret(ctx, {
    kind, ...span(str), what: what ?? (kind === 'jwt' ? 'The JWT signing key' : 'The session store key'), envName,
    replacement: `os.Getenv("${envName}")`, extraEdits: [...importOs(ctx), ...extra],
  });
}

/**
 * A constant cannot hold os.Getenv(…): its `const` becomes `var`, when every name it declares has
 * its own value and none counts with iota (those would change meaning).
 */
function constToVar(ctx: AnalysisContext, value: Node): OffsetEdit[] {
  const decl = ancestorsOf(value).find((a) => a.type === 'const_declaration');
  if (!decl) return [];
  const specs = decl.descendantsOfType('const_spec');
  if (specs.some((sp) => !sp?.childForFieldName('value')) || /\biota\b/.test(ctx.src(decl))) return [];
  return [{ start: decl.startIndex, end: decl.startIndex + 'const'.length, newText: 'var' }];
}

/** Adds "os" to the imports when it is missing. */
function importOs(ctx: AnalysisContext): readonly OffsetEdit[] {
  ctx.lookups.add('<imports>');
  // Read from the whole text: once per pass, however many secrets the file holds.
  return ctx.memo('go.importOs', () => importOsEdits(ctx.text));
}

function importOsEdits(text: string): OffsetEdit[] {
  if (/^\s*import\s*(\(\s*[^)]*"os"[^)]*\)|"os")/m.test(text)) return [];
  const block = /^import\s*\(\s*\n/m.exec(text);
  if (block) return [{ start: block.index + block[0].length, end: block.index + block[0].length, newText: '\t"os"\n' }];
  const single = /^import\s+"[^"]+"\s*\n/m.exec(text);
  if (single) return [{ start: single.index + single[0].length, end: single.index + single[0].length, newText: 'import "os"\n' }];
  const pkg = /^package\s+\w+\s*\n/m.exec(text);
  const at = pkg ? pkg.index + pkg[0].length : 0;
  return [{ start: at, end: at, newText: '\nimport "os"\n' }];
}
