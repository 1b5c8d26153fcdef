import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, namedChildren, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type AttrAt, type AttrWriter, type CookieAttr, type Truth, checkCookieSite } from '../cookieChecks';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { describeSymbol } from '../symbols/symbolTable';
import { javaValue } from './javaValues';
import { springSecretFinding, springSourceOf } from './springBinding';
import { externalsOf, literalsOf, truthOfValue } from './resolvedValue';

const QUERY = `
(object_creation_expression type: (type_identifier) @type (#any-of? @type "Cookie" "MACVerifier" "MACSigner" "SecretKeySpec") arguments: (argument_list) @args) @new
(object_creation_expression type: (scoped_type_identifier) @qtype (#any-of? @qtype "javax.servlet.http.Cookie" "jakarta.servlet.http.Cookie") arguments: (argument_list) @args) @new
(method_invocation name: (identifier) @method
  (#any-of? @method "build" "signWith" "setSigningKey" "verifyWith" "hmacShaKeyFor" "HMAC256" "HMAC384" "HMAC512" "none" "parseClaimsJwt" "parsePlaintextJwt" "parseUnsecuredClaims" "unsecured" "compact" "decode" "parse" "csrf" "setHttpOnly" "setSecure")
  arguments: (argument_list) @args) @call
`;

const ENV = /System\.getenv|System\.getProperty|@Value|environment\.|env\./;

/** Java: Servlet/Jakarta Cookie, Spring ResponseCookie, jjwt, auth0 java-jwt. */
export const javaAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['program', 'class_declaration', 'class_body', 'interface_body', 'enum_body']),
  keywords: /cookie|jwt|jws|session|secret|csrf/i,
  anchors: /\bnew\s+(?:(?:javax|jakarta)\s*\.\s*servlet\s*\.\s*http\s*\.\s*)?Cookie\s*\(|\bnew\s+(MAC(Verifier|Signer)|SecretKeySpec)\s*\(|\bgetSessionCookieConfig\s*\(|\.\s*(build|signWith|setSigningKey|verifyWith|hmacShaKeyFor|HMAC256|HMAC384|HMAC512|none|parseClaimsJwt|parsePlaintextJwt|parseUnsecuredClaims|unsecured|compact|decode|parse|csrf|setHttpOnly|setSecure)\s*\(/g,
  declares: (chunk, ctx) => {
    if (chunk.type !== 'field_declaration') return [];
    return chunk.namedChildren.filter((c) => c?.type === 'variable_declarator').map((d) => ctx.src(d!.childForFieldName('name')!));
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const args = capture(m, 'args');
  const created = capture(m, 'new');
  if (created && args) {
    const type = capture(m, 'type');
    if (type && ctx.src(type) !== 'Cookie') {
      // Nimbus MACSigner/MACVerifier: the HMAC secret; `new SecretKeySpec(bytes, "HmacSHA256")`: an HMAC key.
      const [first, alg] = namedChildren(args, ctx.text);
      if (ctx.src(type) === 'SecretKeySpec' && !(alg && /hmac|HS\d{3}|getJcaName/i.test(ctx.src(alg)))) return;
      if (first) secretIn(ctx, first, ctx.src(type) === 'SecretKeySpec' ? 'The HMAC key' : 'The JWT key');
      return;
    }
    servletCookie(ctx, created, args);
    return;
  }
  const call = capture(m, 'call');
  const method = capture(m, 'method');
  if (!call || !method || !args) return;
  const name = ctx.src(method);
  const list = namedChildren(args, ctx.text);
  const obj = call.childForFieldName('object');
  const objText = obj ? ctx.src(obj) : '';
  switch (name) {
    case 'build':
      if (/^ResponseCookie\s*\.\s*from/.test(objText.replace(/\s+/g, ' ').trim())) responseCookie(ctx, call);
      return;
    case 'signWith':
    case 'setSigningKey':
    case 'verifyWith':
    case 'hmacShaKeyFor':
    case 'HMAC256':
    case 'HMAC384':
    case 'HMAC512':
      for (const a of list) secretIn(ctx, a);
      return;
    case 'none':
      if (objText === 'Algorithm') {
        ctx.report({ ruleId: 'jwt-alg-none', ...span(call), message: 'Algorithm.none() makes unsigned tokens that anyone can forge. Use Algorithm.HMAC256 with a secret from the environment, or RSA/ECDSA.' });
      }
      return;
    case 'parse':
      unverifiedParse(ctx, call, obj, objText, list);
      return;
    case 'csrf':
      csrfDisabled(ctx, call, method, list);
      return;
    case 'setHttpOnly':
    case 'setSecure':
      if (list.length === 1 && obj && sessionCookieConfig(ctx, call, obj)) sessionCookieFlag(ctx, call, name, list[0]);
      return;
    case 'unsecured':
    case 'parseClaimsJwt':
    case 'parsePlaintextJwt':
    case 'parseUnsecuredClaims':
      if (/Jwts|parser|Parser/.test(objText)) {
        ctx.report({
          ruleId: 'jwt-alg-none', ...span(call),
          message: `${name}() accepts tokens without a signature: anyone can forge them. Parse signed tokens (parseSignedClaims / parseClaimsJws) with a verification key.`,
        });
      }
      return;
    case 'compact':
      // Jwts.builder()…compact() with neither signWith nor encryptWith makes an unsigned JWT.
      if (/^Jwts\s*\.\s*builder\s*\(/.test(objText.trim()) && !/\.\s*(signWith|encryptWith)\s*\(/.test(objText)) {
        ctx.report({ ruleId: 'jwt-alg-none', ...span(call), message: 'This JWT is built without signWith: it is unsigned (alg "none") and anyone can forge one. Add .signWith(key).' });
      }
      return;
    case 'decode':
      // Decoding to route (a tenant, a key id) and then verifying in the same method is fine.
      if (objText === 'JWT' && !methodVerifies(ctx, call)) {
        ctx.report({ ruleId: 'jwt-verify-disabled', ...span(call), severity: 'info', message: 'JWT.decode does not check the signature: if this token decides who the user is, verify it with JWT.require(algorithm).build().verify(token).' });
      }
      return;
    default:
      return;
  }
}

/**
 * Spring Security `http.csrf().disable()`, `csrf(AbstractHttpConfigurer::disable)`,
 * `csrf(c -> c.disable())`. A configuration that also makes sessions stateless (bearer-token APIs,
 * where the browser adds no credential by itself) is not CSRF-prone and is left alone.
 */
function csrfDisabled(ctx: AnalysisContext, call: Node, method: Node, args: readonly Node[]): void {
  let whole: Node = call;
  if (args.length === 0) {
    const parent = call.parent;
    if (parent?.type !== 'method_invocation' || parent.childForFieldName('object')?.id !== call.id || ctx.src(parent.childForFieldName('name')!) !== 'disable') return;
    whole = parent;
  } else {
    const a = args[0];
    const t = ctx.src(a).replace(/\s+/g, '');
    const lambda = /^\(?(\w+)\)?->\1\.disable\(\)$/.exec(t);
    if (args.length !== 1 || !(a.type === 'method_reference' && /::disable$/.test(t)) && !lambda) return;
  }
  const up = ancestorsOf(call);
  const scope = [...up].reverse().find((n) => n.type === 'method_declaration' || n.type === 'class_body') ?? up[0];
  ctx.touch(scope.startIndex, scope.endIndex);
  if (/SessionCreationPolicy\s*\.\s*STATELESS/.test(ctx.src(scope))) return;
  const dot = ctx.text.lastIndexOf('.', method.startIndex);
  const fix = removeChainStep(ctx, whole, dot);
  ctx.report({
    ruleId: 'csrf-protection-disabled', start: method.startIndex, end: whole.endIndex,
    message: 'CSRF protection is switched off: any site can make a logged-in browser submit requests to this application with its session cookie. Remove this and keep Spring Security\'s CSRF protection (for a bearer-token API, make it stateless and exempt only its paths with csrf(c -> c.ignoringRequestMatchers("/api/**"))).',
    ...(fix ? { fix: { title: 'Keep CSRF protection on (remove the disable)', edits: [fix] } } : {}),
  });
}

/**
 * True when `obj` is the container's SessionCookieConfig: `servletContext.getSessionCookieConfig()`,
 * or a local or field assigned from it.
 */
function sessionCookieConfig(ctx: AnalysisContext, call: Node, obj: Node): boolean {
  const t = ctx.src(obj);
  if (/getSessionCookieConfig\s*\(\s*\)\s*$/.test(t)) return true;
  if (obj.type !== 'identifier') return false;
  const up = ancestorsOf(call);
  const scope = [...up].reverse().find((n) => n.type === 'class_body') ?? up[0];
  ctx.touch(scope.startIndex, scope.endIndex);
  return new RegExp(`\\b${t.replace(/\$/g, '\\$')}\\s*=\\s*[^;]*getSessionCookieConfig\\s*\\(`).test(ctx.src(scope));
}

/** `getSessionCookieConfig().setHttpOnly(false)` / `.setSecure(false)`: the container's session cookie (JSESSIONID). */
function sessionCookieFlag(ctx: AnalysisContext, call: Node, method: string, arg: Node): void {
  const t = truthOf(ctx, arg);
  const attr = method === 'setSecure' ? 'Secure' : 'HttpOnly';
  const rule = method === 'setSecure' ? 'cookie-missing-secure' : 'cookie-missing-httponly';
  const path = t.branch ? ` (it is off ${t.branch})` : '';
  if (t.truth === 'false') {
    ctx.report({
      ruleId: rule, ...span(call),
      message: method === 'setSecure'
        ? `Turn Secure on for the servlet session cookie${path}: without it the session id also travels over plain HTTP.`
        : `Turn HttpOnly on for the servlet session cookie${path}: scripts (and any XSS) can read the session id now.`,
      fix: { title: `Set ${attr}`, edits: [{ ...span(arg), newText: 'true' }] },
    });
  } else if (t.truth === 'env') {
    ctx.report({
      ruleId: rule, ...span(call), severity: 'info',
      message: `${attr} of the servlet session cookie depends on the environment (${t.envText ?? 'a runtime value'}): make sure it is true wherever the app is reachable over HTTPS.`,
    });
  }
}

/**
 * Removes `.step(…)` (from the dot before it to the end of `whole`) from a call chain: the whole
 * line when the step stands on a line of its own, the whole statement when nothing else is left.
 */
function removeChainStep(ctx: AnalysisContext, whole: Node, dot: number): OffsetEdit | undefined {
  const text = ctx.text;
  const parent = whole.parent;
  const receiver = text.slice(0, dot).trimEnd();
  if (parent?.type === 'expression_statement') {
    // `http.csrf().disable();`: only the receiver would be left, which is no statement.
    const head = whole.firstNamedChild;
    if (!head || head.endIndex > dot || !/^[\w.]+$/.test(ctx.src(head).trim())) return undefined;
    if (head.type === 'method_invocation') return undefined;
    const lineStart = text.lastIndexOf('\n', parent.startIndex - 1) + 1;
    const eol = text.indexOf('\n', parent.endIndex);
    if (!/^[ \t]*$/.test(text.slice(lineStart, parent.startIndex)) || !/^[ \t]*(\/\/[^\n]*)?$/.test(text.slice(parent.endIndex, eol === -1 ? text.length : eol))) return undefined;
    return { start: lineStart, end: eol === -1 ? text.length : eol + 1, newText: '' };
  }
  if (parent?.type !== 'method_invocation' || parent.childForFieldName('object')?.id !== whole.id || dot < 0 || receiver.length === 0) return undefined;
  const lineStart = text.lastIndexOf('\n', dot - 1) + 1;
  const eol = text.indexOf('\n', whole.endIndex);
  // A comment ending the step's own line is about the step: it goes with it.
  if (/^[ \t]*$/.test(text.slice(lineStart, dot)) && eol !== -1 && /^[ \t]*(\/\/[^\n]*)?$/.test(text.slice(whole.endIndex, eol))) return { start: lineStart, end: eol + 1, newText: '' };
  return { start: dot, end: whole.endIndex, newText: '' };
}

/**
 * `parse(token)` of jjwt before 0.12 (returns unsigned tokens as they are), Nimbus
 * `JWTParser.parse`/`SignedJWT.parse` with no verifier in the method, and `PlainJWT.parse`.
 */
function unverifiedParse(ctx: AnalysisContext, call: Node, obj: Node | null, objText: string, args: readonly Node[]): void {
  if (!obj || args.length !== 1) return;
  if (objText === 'PlainJWT') {
    ctx.report({ ruleId: 'jwt-alg-none', ...span(call), message: 'PlainJWT.parse reads an unsigned token (alg "none"): anyone can forge one. Parse a SignedJWT and verify it with a JWSVerifier, or use a ConfigurableJWTProcessor.' });
    return;
  }
  if (objText === 'JWTParser' || objText === 'SignedJWT') {
    if (methodVerifies(ctx, call)) return;
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(call), severity: 'info',
      message: objText === 'JWTParser'
        ? 'JWTParser.parse checks no signature and also returns unsigned PlainJWTs: if this token decides who the user is, verify it (SignedJWT.verify with a JWSVerifier, or a ConfigurableJWTProcessor that allows only your algorithm).'
        : 'SignedJWT.parse does not check the signature: if this token decides who the user is, call verify(verifier) before reading its claims.',
    });
    return;
  }
  if (legacyJjwtParser(ctx, objText)) {
    ctx.report({
      ruleId: 'jwt-alg-none', ...span(call),
      message: 'parse() returns unsigned tokens (alg "none") as they are, next to signed ones (jjwt before 0.12): anyone can forge one. Use parseClaimsJws (or upgrade and use parseSignedClaims), which rejects a token without a valid signature.',
    });
  }
}

/**
 * A jjwt parser configured with the API before 0.12 (`Jwts.parser().setSigningKey(…)`,
 * `Jwts.parserBuilder()`): written in the call, or in the field or variable it reads.
 */
function legacyJjwtParser(ctx: AnalysisContext, objText: string): boolean {
  const legacy = (t: string) => /\bJwts\s*\.\s*parser(Builder)?\s*\(/.test(t) && /\.\s*(setSigningKey|setSigningKeyResolver)\s*\(|\bparserBuilder\s*\(/.test(t) && !/\.\s*unsecured\s*\(/.test(t);
  if (/\bJwts\s*\./.test(objText)) return legacy(objText);
  const name = /^(?:this\s*\.\s*)?([A-Za-z_$][\w$]*)$/.exec(objText.trim())?.[1];
  if (!name) return false;
  ctx.lookups.add(name);
  // The parser is built where the field or variable is assigned: in its declaration or a constructor.
  const re = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\s*=\\s*([^;]+);`, 'g');
  for (let m = re.exec(ctx.text); m; m = re.exec(ctx.text)) {
    ctx.touch(m.index, m.index + m[0].length);
    if (legacy(m[1])) return true;
  }
  return false;
}

/** True when the method around a call verifies a token (`verifier.verify(…)`, `jwt.verify(…)`, `processor.process(…)`). */
function methodVerifies(ctx: AnalysisContext, call: Node): boolean {
  const up = ancestorsOf(call);
  for (let i = up.length - 1; i >= 0; i--) {
    const t = up[i].type;
    if (t === 'method_declaration' || t === 'constructor_declaration' || t === 'lambda_expression') {
      ctx.touch(up[i].startIndex, up[i].endIndex);
      return /\.\s*(verify|process)\s*\(/.test(ctx.src(up[i]));
    }
    if (t === 'class_body') break;
  }
  return false;
}

// ---------------------------------------------------------------- values

type JavaTruth = { truth: Truth; envText?: string; branch?: string };

/** A boolean as the code decides it (see truthOfValue); `Boolean.TRUE` and environment reads too. */
function truthOf(ctx: AnalysisContext, n: Node): JavaTruth {
  const t = ctx.src(n).trim();
  const v = truthOfValue(javaValue(ctx, n));
  if (v.truth !== 'unknown') return v;
  if (ENV.test(t) || /isProd|isSecure|profile/i.test(t)) return { truth: 'env', envText: t };
  return v;
}

function stringOf(ctx: AnalysisContext, node: Node): string | undefined {
  const v = javaValue(ctx, node);
  return v.k === 'str' ? v.v : v.k === 'external' && typeof v.symbol.value === 'string' ? v.symbol.value : undefined;
}

/** Seconds from `Duration.ofDays(30)`, `60 * 60 * 24`, `3600L`. */
function seconds(ctx: AnalysisContext, n: Node): number | undefined {
  const t = ctx.src(constantValue(ctx, n)).replace(/\s+/g, '');
  const d = /^Duration\.of(Days|Hours|Minutes|Seconds)\((\d+)L?\)$/.exec(t);
  if (d) return Number(d[2]) * { Days: 86400, Hours: 3600, Minutes: 60, Seconds: 1 }[d[1] as 'Days'];
  if (/^[\d*L+ ]+$/.test(t)) {
    const parts = t.replace(/L/g, '').split('*').map(Number);
    if (parts.every((p) => Number.isFinite(p))) return parts.reduce((a, b) => a * b, 1);
  }
  return undefined;
}

// ---------------------------------------------------------------- Servlet Cookie

const SETTERS: Readonly<Record<string, CookieAttr | 'maxAge'>> = {
  setSecure: 'secure', setHttpOnly: 'httpOnly', setPath: 'path', setDomain: 'domain', setMaxAge: 'maxAge',
};

/**
 * `Cookie c = new Cookie(name, value);` followed by `c.setSecure(…)`, `c.setHttpOnly(…)`,
 * `c.setAttribute("SameSite", …)` in the same block, then `response.addCookie(c)`.
 */
function servletCookie(ctx: AnalysisContext, created: Node, args: Node): void {
  const decl = created.parent;
  if (decl?.type !== 'variable_declarator') return;
  const varNode = decl.childForFieldName('name');
  const stmt = decl.parent;
  const block = stmt?.parent;
  if (!varNode || !stmt || !block) return;
  const v = ctx.src(varNode);
  ctx.touch(stmt.startIndex, block.endIndex);
  const calls = new Map<string, { call: Node; arg: Node; stmt: Node }>();
  let addCookie: Node | undefined;
  let last: Node = stmt;
  let escapes = false;
  const mentions = new RegExp(`\\b${v.replace(/\$/g, '\\$')}\\b`);
  for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
    // addCookie writes the Set-Cookie header there and then (Tomcat, Jetty, Undertow): later changes never reach the browser.
    if (addCookie) break;
    const text = ctx.src(s);
    if (!mentions.test(text) || onlyReads(ctx, s, v)) continue;
    const inv = s.type === 'expression_statement' ? s.firstNamedChild : null;
    if (inv?.type === 'method_invocation') {
      const obj = inv.childForFieldName('object');
      const name = inv.childForFieldName('name');
      const a = inv.childForFieldName('arguments');
      const argList = a ? namedChildren(a, ctx.text) : [];
      if (obj && name && ctx.src(obj) === v) {
        const n = ctx.src(name);
        if (SETTERS[n] && argList[0]) {
          calls.set(SETTERS[n], { call: inv, arg: argList[0], stmt: s });
          last = s;
          continue;
        }
        if (n === 'setAttribute' && argList.length === 2 && /^"samesite"$/i.test(ctx.src(argList[0]))) {
          calls.set('sameSite', { call: inv, arg: argList[1], stmt: s });
          last = s;
          continue;
        }
        if (n === 'setPartitioned' && argList[0]) {
          calls.set('partitioned', { call: inv, arg: argList[0], stmt: s });
          last = s;
          continue;
        }
      }
      if (name && /^addCookie$/.test(ctx.src(name)) && argList.length === 1 && ctx.src(argList[0]) === v) {
        addCookie ??= inv;
        continue;
      }
    }
    // The cookie goes somewhere the engine does not follow (a helper, a field): attributes may be set there.
    escapes = true;
  }
  const argList = namedChildren(args, ctx.text);
  const nameLit = argList[0] ? stringOf(ctx, argList[0]) : undefined;
  const indent = ctx.indentAt(stmt.startIndex);
  const insertAt = ctx.text.indexOf('\n', last.endIndex);
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      let lines = '';
      for (const [attr, value] of changes) {
        const existing = calls.get(attr);
        const rendered = attr === 'secure' || attr === 'httpOnly' || attr === 'partitioned' ? value : `"${attr === 'sameSite' ? value.charAt(0).toUpperCase() + value.slice(1) : value}"`;
        if (existing) edits.push({ ...span(existing.arg), newText: rendered });
        else if (attr === 'sameSite') lines += `\n${indent}${v}.setAttribute("SameSite", ${rendered});`;
        else if (attr === 'name') return undefined;
        else lines += `\n${indent}${v}.set${{ secure: 'Secure', httpOnly: 'HttpOnly', path: 'Path', domain: 'Domain', partitioned: 'Partitioned' }[attr]}(${rendered});`;
      }
      if (lines) {
        if (insertAt === -1) return undefined;
        edits.push({ start: insertAt, end: insertAt, newText: lines });
      }
      return edits;
    },
    setLifetime(days) {
      const m = calls.get('maxAge');
      return m ? [{ ...span(m.arg), newText: `60 * 60 * 24 * ${days}` }] : undefined;
    },
    remove(attr) {
      const existing = calls.get(attr);
      if (!existing) return undefined;
      const start = ctx.text.lastIndexOf('\n', existing.stmt.startIndex - 1);
      return [{ start: start === -1 ? existing.stmt.startIndex : start, end: existing.stmt.endIndex, newText: '' }];
    },
  };
  const truthAttr = (k: string): AttrAt<Truth> | undefined => {
    const c = calls.get(k);
    if (!c) return undefined;
    const t = truthOf(ctx, c.arg);
    return { value: t.truth, ...span(c.call), ...(t.envText ? { envText: t.envText } : {}), ...(t.branch ? { branch: t.branch } : {}) };
  };
  const ss = calls.get('sameSite');
  const maxAge = calls.get('maxAge');
  const domain = calls.get('domain');
  const pathC = calls.get('path');
  checkCookieSite(ctx, {
    framework: 'new Cookie()',
    ...(nameLit !== undefined ? { name: { value: nameLit, ...span(argList[0]) } } : argList[0] ? { nameHint: ctx.src(argList[0]) } : {}),
    ...(argList[1] ? { valueHint: ctx.src(argList[1]) } : {}),
    session: false,
    anchor: span(addCookie ?? created),
    complete: !escapes,
    ...opt('secure', truthAttr('secure')),
    ...opt('httpOnly', truthAttr('httpOnly')),
    ...opt('partitioned', truthAttr('partitioned')),
    ...(ss ? { sameSite: { value: (stringOf(ctx, ss.arg) ?? 'unknown').toLowerCase(), ...span(ss.call) } } : {}),
    ...(maxAge ? { maxAgeSeconds: { value: seconds(ctx, maxAge.arg), ...span(maxAge.call) } } : {}),
    ...(domain ? { domain: { value: stringOf(ctx, domain.arg), ...span(domain.call) } } : {}),
    ...(pathC ? { path: { value: stringOf(ctx, pathC.arg), ...span(pathC.call) } } : {}),
    defaults: { secure: 'false', httpOnly: 'false' },
    writer,
  });
}

/** Cookie getters: reading the name, value or an attribute leaves the cookie as it is. */
const GETTER = /^(get[A-Z]\w*|is(HttpOnly|Secure|Partitioned))$/;

/** True when every mention of `v` in the statement is a getter call on it (`LOG.info(c.getValue())`). */
function onlyReads(ctx: AnalysisContext, stmt: Node, v: string): boolean {
  for (const id of stmt.descendantsOfType('identifier')) {
    if (!id || ctx.src(id) !== v) continue;
    const inv = id.parent;
    if (inv?.type !== 'method_invocation' || inv.childForFieldName('object')?.id !== id.id) return false;
    const name = inv.childForFieldName('name');
    if (!name || !GETTER.test(ctx.src(name))) return false;
  }
  return true;
}

function opt<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

// ---------------------------------------------------------------- Spring ResponseCookie

/** `ResponseCookie.from(name, value).httpOnly(true).secure(true).sameSite("Lax")….build()`. */
function responseCookie(ctx: AnalysisContext, build: Node): void {
  const steps = new Map<string, { call: Node; arg: Node | undefined }>();
  let from: Node | undefined;
  for (let n: Node | null = build.childForFieldName('object'); n && n.type === 'method_invocation'; n = n.childForFieldName('object')) {
    const name = n.childForFieldName('name');
    const a = n.childForFieldName('arguments');
    if (!name) break;
    const key = ctx.src(name);
    if (key === 'from') {
      from = n;
      break;
    }
    if (!steps.has(key)) steps.set(key, { call: n, arg: a ? namedChildren(a, ctx.text)[0] : undefined });
  }
  if (!from) return;
  const fromArgs = from.childForFieldName('arguments');
  const [nameArg, valueArg] = fromArgs ? namedChildren(fromArgs, ctx.text) : [];
  const nameLit = nameArg ? stringOf(ctx, nameArg) : undefined;
  const methodFor: Readonly<Record<CookieAttr, string>> = { secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite', path: 'path', domain: 'domain', name: 'name', partitioned: 'partitioned' };
  const buildName = build.childForFieldName('name')!;
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      let chain = '';
      for (const [attr, value] of changes) {
        if (attr === 'name') return undefined;
        const rendered = attr === 'secure' || attr === 'httpOnly' || attr === 'partitioned' ? value : `"${attr === 'sameSite' ? value.charAt(0).toUpperCase() + value.slice(1) : value}"`;
        const existing = steps.get(methodFor[attr]);
        if (existing?.arg) edits.push({ ...span(existing.arg), newText: rendered });
        else chain += `${methodFor[attr]}(${rendered}).`;
      }
      // New steps go right before build(), on build's line and in its style.
      if (chain) edits.push({ start: buildName.startIndex, end: buildName.startIndex, newText: chain });
      return edits;
    },
    setLifetime(days) {
      const m = steps.get('maxAge');
      return m?.arg ? [{ ...span(m.arg), newText: `Duration.ofDays(${days})` }] : undefined;
    },
  };
  const truthStep = (k: string): AttrAt<Truth> | undefined => {
    const s = steps.get(k);
    if (!s) return undefined;
    const t = s.arg ? truthOf(ctx, s.arg) : { truth: 'true' as Truth };
    return { value: t.truth, ...span(s.call.childForFieldName('name')!), end: s.call.endIndex, ...(t.envText ? { envText: t.envText } : {}), ...(t.branch ? { branch: t.branch } : {}) };
  };
  const at = (s: { call: Node }) => ({ start: s.call.childForFieldName('name')!.startIndex, end: s.call.endIndex });
  const ss = steps.get('sameSite');
  const maxAge = steps.get('maxAge');
  const domain = steps.get('domain');
  const pathS = steps.get('path');
  checkCookieSite(ctx, {
    framework: 'ResponseCookie',
    ...(nameLit !== undefined ? { name: { value: nameLit, ...span(nameArg!) } } : nameArg ? { nameHint: ctx.src(nameArg) } : {}),
    ...(valueArg ? { valueHint: ctx.src(valueArg) } : {}),
    session: false,
    anchor: span(build),
    complete: true,
    ...opt('secure', truthStep('secure')),
    ...opt('httpOnly', truthStep('httpOnly')),
    ...opt('partitioned', truthStep('partitioned')),
    ...(ss ? { sameSite: { value: ss.arg ? (stringOf(ctx, ss.arg) ?? 'unknown').toLowerCase() : 'unknown', ...at(ss) } } : {}),
    ...(maxAge ? { maxAgeSeconds: { value: maxAge.arg ? seconds(ctx, maxAge.arg) : undefined, ...at(maxAge) } } : {}),
    ...(domain ? { domain: { value: domain.arg ? stringOf(ctx, domain.arg) : undefined, ...at(domain) } } : {}),
    ...(pathS ? { path: { value: pathS.arg ? stringOf(ctx, pathS.arg) : undefined, ...at(pathS) } } : {}),
    defaults: { secure: 'false', httpOnly: 'false' },
    writer,
  });
}

// ---------------------------------------------------------------- secrets

/**
 * Key material written in the code: a literal, or one reached through a local, a field, a constant
 * of the file, a wrapper (`"…".getBytes()`, `TextCodec.BASE64.encode("…")`, `"a" + "b"`), a branch,
 * or a literal fallback after an environment read (`orElse("dev")`, `@Value("${jwt.secret:dev}")`).
 */
function secretIn(ctx: AnalysisContext, arg: Node, what = 'The JWT key'): void {
  const resolved = javaValue(ctx, arg);
  for (const { value, when } of externalsOf(resolved)) {
    const spring = springSourceOf(value.symbol);
    if (spring && ctx.workspace && typeof value.symbol.value === 'string' && value.symbol.value !== '') {
      // A public key, or where the key is kept (`classpath:keys/jwt.key`), is no secret written down.
      if (/-----BEGIN [A-Z ]*PUBLIC KEY-----|-----BEGIN CERTIFICATE-----|^(classpath\*?|file|https?):/.test(value.symbol.value)) continue;
      // A Spring property: the configuration file (and its profile) decides who signs with it.
      const where = describeSymbol(ctx.workspace.filePath, spring.key, value.symbol).replace(/^.* from /, '');
      ctx.report({ ruleId: 'jwt-hardcoded-secret', ...span(value.node), ...springSecretFinding(`${what}${when ? ` (${when})` : ''}`, spring, where, value.symbol) });
      continue;
    }
    reportExternalSecret(ctx, { kind: 'jwt', ...span(value.node), what: `${what}${when ? ` (${when})` : ''}`, envName: 'JWT_SECRET', symbol: value.symbol, expression: ctx.src(value.node) });
  }
  for (const { value, when } of literalsOf(resolved)) {
    if (value.v === '' || /-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(value.v)) continue;
    const onPath = when ? ` (${when})` : '';
    if (value.k === 'fallback') {
      const envName = /"([^"$]+)"|\$\{([^:}]+)/.exec(value.replacement)?.slice(1).find(Boolean) ?? 'JWT_SECRET';
      reportHardcodedSecret(ctx, { kind: 'jwt', ...span(value.whole), what: `${what}${onPath}`, envName, replacement: value.replacement, fallback: true });
      continue;
    }
    reportHardcodedSecret(ctx, { kind: 'jwt', ...span(value.node), what: `${what}${onPath}`, envName: 'JWT_SECRET', replacement: 'System.getenv("JWT_SECRET")' });
  }
}

/** The initializer of a field of the enclosing class (`private static final String SECRET = "…"`). */
function fieldInitializer(ctx: AnalysisContext, from: Node, name: string, finalOnly = false): Node | undefined {
  ctx.lookups.add(name);
  const up = ancestorsOf(from);
  for (let i = up.length - 1; i >= 0; i--) {
    const p = up[i];
    if (p.type !== 'class_body') continue;
    const value = fieldIn(ctx, p, name, finalOnly);
    if (value) return value;
  }
  return undefined;
}

/** The initializer of field `name` declared in a class body. */
function fieldIn(ctx: AnalysisContext, body: Node, name: string, finalOnly: boolean): Node | undefined {
  for (const f of body.namedChildren) {
    // Interface fields (constant_declaration) are implicitly final.
    if (f?.type !== 'field_declaration' && f?.type !== 'constant_declaration') continue;
    if (finalOnly && f.type === 'field_declaration') {
      const modifiers = f.namedChildren.find((c) => c?.type === 'modifiers');
      if (!modifiers || !/\bfinal\b/.test(ctx.src(modifiers))) continue;
    }
    for (const d of f.namedChildren) {
      if (d?.type === 'variable_declarator' && ctx.src(d.childForFieldName('name')!) === name) return d.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/**
 * What a constant stands for: a `final` field of an enclosing class (`HTTP_ONLY`), or of another
 * class of the same file (`CookieNames.SESSION`), followed through up to three constants. Any
 * other node is its own value. A non-final field may be changed at run time: it is not read.
 */
function constantValue(ctx: AnalysisContext, n: Node, depth = 0): Node {
  if (depth > 3) return n;
  if (n.type === 'identifier') {
    const v = fieldInitializer(ctx, n, ctx.src(n), true);
    return v ? constantValue(ctx, v, depth + 1) : n;
  }
  if (n.type === 'field_access') {
    const obj = n.childForFieldName('object');
    const field = n.childForFieldName('field');
    if (obj?.type !== 'identifier' || !field || !/^[A-Z]/.test(ctx.src(obj))) return n;
    const cls = ctx.src(obj);
    const name = ctx.src(field);
    ctx.lookups.add(name);
    const body = ctx.memo(`java.class.${cls}`, () => classBody(n.tree.rootNode, ctx, cls));
    const v = body ? fieldIn(ctx, body, name, true) : undefined;
    return v ? constantValue(ctx, v, depth + 1) : n;
  }
  return n;
}

/** The body of the class (or interface: its fields are constants) called `name` in the file. */
function classBody(root: Node, ctx: AnalysisContext, name: string): Node | undefined {
  for (const c of root.descendantsOfType(['class_declaration', 'interface_declaration'])) {
    if (c && ctx.src(c.childForFieldName('name')!) === name) return c.childForFieldName('body') ?? undefined;
  }
  return undefined;
}
