import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, removeListItem, span } from '../analysis';
import type { LanguageAnalyzer } from '../analyzer';
import { capture } from '../analyzer';
import { type AttrAt, type AttrWriter, type CookieAttr, type CookieSite, type Truth, checkCookieSite } from '../cookieChecks';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { checkSetCookieString } from '../setCookieSite';
import { type JsProp, type JsValue, calledName, contextFor, evaluate, evaluateReturns, externalConstant, importSourceOf, isLocal, lookupVariable, memberTarget, nodeTable, propValue, returnSites, sourceOf, stringContent, truthOf, unwrap } from './jsValues';

type JsObj = Extract<JsValue, { k: 'obj' }>;
type ReturnValue = NonNullable<ReturnType<typeof evaluateReturns>>['returns'][number];

const QUERY = `
(call_expression
  function: (member_expression object: (_) @obj property: (property_identifier) @method
    (#any-of? @method "cookie" "setCookie" "setHeader" "append" "header" "set" "writeHead" "sign" "verify" "decode" "register" "decodeJwt" "jwtVerify"))
  arguments: (arguments) @args) @call
(call_expression
  function: (identifier) @fn
    (#any-of? @fn "session" "expressSession" "cookieSession" "cookieParser" "koaSession" "jwtVerify" "sign" "verify" "decode" "decodeJwt" "createSecretKey"
      "expressjwt" "expressJwt" "getIronSession" "withIronSessionApiRoute" "withIronSessionSsr" "ironSession" "sealData" "NextAuth")
  arguments: (arguments) @args) @call
(assignment_expression left: (member_expression property: (property_identifier) @prop (#eq? @prop "keys")) right: (_) @rhs) @assign
(new_expression constructor: (identifier) @ctor (#eq? @ctor "UnsecuredJWT")) @new
`;

/** Key names of cookie options in the JavaScript frameworks (all use the same spelling). */
const JS_KEYS: Readonly<Record<CookieAttr, string>> = {
  secure: 'secure', httpOnly: 'httpOnly', sameSite: 'sameSite', path: 'path', domain: 'domain', name: 'name', partitioned: 'partitioned',
};

interface Framework {
  readonly label: string;
  readonly defaults: CookieSite['defaults'];
  /** Unit of maxAge in this framework's options. */
  readonly maxAgeUnit: 'ms' | 's';
}

const EXPRESS: Framework = { label: 'res.cookie', defaults: { secure: 'false', httpOnly: 'false', path: '/' }, maxAgeUnit: 'ms' };
const FASTIFY: Framework = { label: 'reply.setCookie', defaults: { secure: 'false', httpOnly: 'false' }, maxAgeUnit: 's' };
// Koa's cookies module sets Secure from the request protocol: unknown from code alone.
const KOA: Framework = { label: 'ctx.cookies.set', defaults: { secure: 'unknown', httpOnly: 'true', path: '/' }, maxAgeUnit: 'ms' };
const NEXT: Framework = { label: 'cookies().set', defaults: { secure: 'false', httpOnly: 'false', path: '/' }, maxAgeUnit: 's' };
const EXPRESS_SESSION: Framework = { label: 'express-session', defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'connect.sid' }, maxAgeUnit: 'ms' };
const COOKIE_SESSION: Framework = { label: 'cookie-session', defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'session' }, maxAgeUnit: 'ms' };
const KOA_SESSION: Framework = { label: 'koa-session', defaults: { secure: 'unknown', httpOnly: 'true', path: '/', name: 'koa.sess' }, maxAgeUnit: 'ms' };
const FASTIFY_SESSION: Framework = { label: '@fastify/session', defaults: { secure: 'true', httpOnly: 'true', path: '/', name: 'sessionId' }, maxAgeUnit: 'ms' };
// iron-session 6+: cookieOptions default to httpOnly, secure, SameSite=Lax, Path=/.
const IRON_SESSION: Framework = { label: 'iron-session', defaults: { secure: 'true', httpOnly: 'true', path: '/', sameSite: 'lax' }, maxAgeUnit: 's' };
// next-auth: a cookie's options object replaces the defaults as a whole.
const NEXT_AUTH: Framework = { label: 'next-auth', defaults: { secure: 'false', httpOnly: 'false', path: '/' }, maxAgeUnit: 's' };
const FASTIFY_SECURE_SESSION: Framework = { label: '@fastify/secure-session', defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'session' }, maxAgeUnit: 's' };

const HS = /^HS(256|384|512)$/i;
const ASYM = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^ES256K$/i;

/** JavaScript, TypeScript and TSX: Express, sessions, Koa, Fastify, Next.js, jsonwebtoken, jose. */
export const javascriptAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['program']),
  keywords: /cookie|session|jwt|jose|jsonwebtoken|secret|keys|sign|verify/i,
  anchors: /\.\s*(cookie|setCookie|setHeader|append|header|set|writeHead|sign|verify|decode|register|decodeJwt|jwtVerify)\s*\(|\b(session|expressSession|cookieSession|cookieParser|koaSession|jwtVerify|sign|verify|decode|decodeJwt|createSecretKey|expressjwt|expressJwt|getIronSession|withIronSessionApiRoute|withIronSessionSsr|ironSession|sealData|NextAuth)\s*\(|\.\s*keys\s*=|\bUnsecuredJWT\b/g,
  declares(chunk, ctx) {
    const decl = chunk.type === 'export_statement' ? chunk.childForFieldName('declaration') : chunk;
    if (!decl) return [];
    if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
      const names: string[] = [];
      for (const d of decl.namedChildren) {
        const id = d?.type === 'variable_declarator' ? d.childForFieldName('name') : null;
        if (id) names.push(...[...ctx.src(id).matchAll(/[\w$]+/g)].map((m) => m[0]));
      }
      return names;
    }
    if (decl.type === 'import_statement') {
      const clause = decl.namedChildren.find((c) => c?.type === 'import_clause');
      return clause ? [...ctx.src(clause).matchAll(/[\w$]+/g)].map((m) => m[0]) : [];
    }
    return [];
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const call = capture(m, 'call');
  const args = capture(m, 'args');
  if (call && args) {
    const method = capture(m, 'method');
    const obj = capture(m, 'obj');
    if (method && obj) memberCall(ctx, call, obj, ctx.src(method), args);
    const fn = capture(m, 'fn');
    if (fn) functionCall(ctx, call, fn, args);
    return;
  }
  const rhs = capture(m, 'rhs');
  const assign = capture(m, 'assign');
  if (assign && rhs) {
    // Koa: app.keys = ['…'] signs cookies and sessions.
    const v = evaluate(ctx, rhs);
    if (v.k === 'arr') hardcodedArray(ctx, v, 'The Koa app.keys', 'SESSION_KEYS');
    return;
  }
  const created = capture(m, 'new');
  if (created) {
    ctx.report({
      ruleId: 'jwt-alg-none', start: created.startIndex, end: created.endIndex,
      message: 'UnsecuredJWT makes or reads tokens with alg "none": anyone can forge them. Sign with SignJWT and verify with jwtVerify.',
    });
  }
}

/**
 * The arguments of a call, read once per pass: a cookie call's checks ask for them several times
 * (the call, its options, the cookie's name and value, a fix adding options), and each read is a
 * call into the parser that makes a Node object per argument.
 */
function argList(ctx: AnalysisContext, args: Node): Node[] {
  const lists = nodeTable<Node[]>(ctx, 'js.args');
  let list = lists.get(args.id);
  if (!list) {
    list = namedChildren(args, ctx.text);
    lists.set(args.id, list);
  }
  return list;
}

function memberCall(ctx: AnalysisContext, call: Node, obj: Node, method: string, argsNode: Node): void {
  const args = argList(ctx, argsNode);
  const objText = ctx.src(obj);
  switch (method) {
    case 'cookie':
      if (args.length >= 2 && objText !== 'document') cookieCall(ctx, EXPRESS, call, argsNode, args[0], args[2]);
      return;
    case 'setCookie':
      if (args.length >= 2) cookieCall(ctx, FASTIFY, call, argsNode, args[0], args[2]);
      return;
    case 'set':
      if (/(^|\.)cookies$|cookies\(\)\)?$/.test(objText) || isCookieStore(ctx, obj)) {
        const base = unwrap(obj).type === 'member_expression' ? unwrap(obj).childForFieldName('object') : null;
        const fw = base && /^(ctx|context|this)$/.test(ctx.src(base)) ? KOA : NEXT;
        // `x.cookies.set(key, value)` may just as well be a Map: take it for a cookie jar only with a literal name or options.
        const jar = !/\)\)?$/.test(objText) && !isCookieStore(ctx, obj);
        if (jar && args.length === 2 && !(unwrap(args[0]).type === 'string')) return;
        if (args.length === 1) {
          // Next.js: cookies().set({ name, value, ...options })
          const v = evaluate(ctx, args[0]);
          if (v.k === 'obj') cookieWithOptions(ctx, fw, call, argsNode, v.props.get('name')?.value, v, args[0]);
        } else if (args.length >= 2) cookieCall(ctx, fw, call, argsNode, args[0], args[2]);
        return;
      }
      headerCall(ctx, call, args);
      return;
    case 'setHeader':
    case 'append':
    case 'header':
      headerCall(ctx, call, args);
      return;
    case 'writeHead':
      for (const a of args) {
        const v = evaluate(ctx, a);
        if (v.k !== 'obj') continue;
        for (const [k, p] of v.props) if (k.toLowerCase() === 'set-cookie') headerValues(ctx, p.value);
      }
      return;
    case 'sign':
    case 'verify':
    case 'decode':
      if (isModule(ctx, obj, 'jws', /^jws$/)) jwsCall(ctx, method, call, args);
      else if (isJwtModule(ctx, obj)) jwtCall(ctx, method, call, argsNode, args, 'jsonwebtoken');
      else if (method === 'sign' && /SignJWT/.test(objText) && args[0]) jwtSecret(ctx, args[0], 'The jose signing key');
      return;
    case 'jwtVerify':
    case 'decodeJwt':
      jwtCall(ctx, method, call, argsNode, args, 'jose');
      return;
    case 'register':
      if (objText === 'JwtModule' && args[0]) nestJwtModule(ctx, args[0]);
      else if (args.length >= 2) fastifyPlugin(ctx, args[0], args[1]);
      return;
    default:
      return;
  }
}

/** `const store = await cookies()` (Next.js) used as `store.set(…)`. */
function isCookieStore(ctx: AnalysisContext, obj: Node): boolean {
  const o = unwrap(obj);
  if (o.type !== 'identifier') return false;
  const init = lookupVariable(ctx, o, ctx.src(o));
  return !!init && /^(await\s+)?cookies\(\)$/.test(ctx.src(init).trim());
}

function isJwtModule(ctx: AnalysisContext, obj: Node): boolean {
  const o = unwrap(obj);
  if (o.type !== 'identifier') return false;
  const name = ctx.src(o);
  const source = importSourceOf(ctx, o, name);
  if (source !== undefined) return source === 'jsonwebtoken' || source === 'jose';
  return /^(jwt|jsonwebtoken|JWT|jsonWebToken)$/.test(name);
}

function functionCall(ctx: AnalysisContext, call: Node, fn: Node, argsNode: Node): void {
  const name = ctx.src(fn);
  const args = argList(ctx, argsNode);
  const source = importSourceOf(ctx, fn, name);
  const is = (mod: string, ...fallback: string[]) => (source !== undefined ? source === mod : fallback.includes(name));
  if (is('express-session', 'session', 'expressSession')) sessionMiddleware(ctx, EXPRESS_SESSION, call, argsNode, args[0], 'cookie');
  else if (is('cookie-session', 'cookieSession')) sessionMiddleware(ctx, COOKIE_SESSION, call, argsNode, args[0], undefined);
  else if (is('koa-session', 'koaSession')) sessionMiddleware(ctx, KOA_SESSION, call, argsNode, args[0], undefined, 'key');
  else if (is('cookie-parser', 'cookieParser')) {
    if (args[0]) secretValue(ctx, args[0], 'The cookie-parser secret', 'COOKIE_SECRET', 'session');
  } else if (source === 'jsonwebtoken' && ['sign', 'verify', 'decode'].includes(name)) jwtCall(ctx, name, call, argsNode, args, 'jsonwebtoken');
  else if (is('jose', 'jwtVerify', 'decodeJwt') && ['jwtVerify', 'decodeJwt'].includes(name)) jwtCall(ctx, name, call, argsNode, args, 'jose');
  else if (name === 'createSecretKey' && args[0]) jwtSecret(ctx, args[0], 'The secret key');
  else if ((name === 'expressjwt' || name === 'expressJwt') && is('express-jwt', 'expressjwt', 'expressJwt') && args[0]) expressJwt(ctx, name, call, args[0]);
  else if (/^(getIronSession|withIronSessionApiRoute|withIronSessionSsr|ironSession|sealData)$/.test(name) && is('iron-session', name) && args.length) {
    sessionMiddleware(ctx, IRON_SESSION, call, argsNode, args[args.length - 1], name === 'sealData' ? undefined : 'cookieOptions', 'cookieName');
  } else if (name === 'NextAuth' && is('next-auth', 'NextAuth') && args[args.length - 1]) nextAuth(ctx, args[args.length - 1]);
}

function isModule(ctx: AnalysisContext, obj: Node, mod: string, fallback: RegExp): boolean {
  const o = unwrap(obj);
  if (o.type !== 'identifier') return false;
  const source = importSourceOf(ctx, o, ctx.src(o));
  return source !== undefined ? source === mod : fallback.test(ctx.src(o));
}

/** express-jwt: `expressjwt({ secret, algorithms })` (7+) and `expressJwt({ secret })` (before 6, no algorithms needed). */
function expressJwt(ctx: AnalysisContext, name: string, call: Node, optsNode: Node): void {
  const opts = evaluate(ctx, optsNode);
  if (opts.k !== 'obj') return;
  const secret = opts.props.get('secret');
  if (secret) jwtSecret(ctx, secret.value, 'The express-jwt secret');
  const algorithms = opts.props.get('algorithms');
  const alg = secret && /public|pubkey|\.pem|cert|jwks|PUBLIC KEY/i.test(ctx.src(secret.value)) ? 'RS256' : 'HS256';
  if (!algorithms && opts.complete) {
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(call),
      message: name === 'expressJwt'
        ? `express-jwt without algorithms (versions before 6) accepts whatever alg the token names (CVE-2020-15084): pass algorithms: ['${alg}'] (the one you sign with) and upgrade.`
        : `expressjwt without algorithms trusts the token's alg header (7+ refuses to start). Pass algorithms: ['${alg}'] (the one you sign with).`,
      fix: { title: `Allow only ${alg}`, edits: [insertListItem(ctx, span(opts.node), opts.items.map(span), `algorithms: [${ctx.quote()}${alg}${ctx.quote()}]`, ' ')] },
    });
  } else if (algorithms) {
    const v = propValue(ctx, algorithms);
    if (v.k === 'arr') {
      const idx = v.elements.findIndex((e) => { const x = evaluate(ctx, e); return x.k === 'str' && x.v.toLowerCase() === 'none'; });
      if (idx !== -1) {
        ctx.report({
          ruleId: 'jwt-alg-none', ...span(v.elements[idx]),
          message: 'express-jwt accepts alg "none": unsigned tokens pass. Remove "none" from algorithms.',
          fix: { title: 'Remove "none"', edits: [removeListItem(ctx, v.elements.map(span), idx)] },
        });
      }
    }
  }
  const optional = opts.props.get('credentialsRequired');
  if (optional && truthOf(propValue(ctx, optional)) === 'false') {
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(optional.pair), severity: 'info',
      message: 'credentialsRequired: false lets requests without a token through unauthenticated: every route behind this middleware must check req.auth itself.',
    });
  }
}

/** jws: `jws.verify(signature, algorithm, key)`; the two-argument form (jws < 3) takes the algorithm from the token. */
function jwsCall(ctx: AnalysisContext, method: string, call: Node, args: Node[]): void {
  if (method === 'sign') {
    const opts = args[0] ? evaluate(ctx, args[0]) : undefined;
    const secret = opts?.k === 'obj' ? opts.props.get('secret') ?? opts.props.get('privateKey') : undefined;
    if (secret) jwtSecret(ctx, secret.value, 'The jws signing secret');
    return;
  }
  if (method !== 'verify') return;
  if (args.length === 2) {
    ctx.report({
      ruleId: 'jwt-algorithm-confusion', ...span(call),
      message: 'jws.verify(signature, key) (jws before 3) takes the algorithm from the token header: a token with alg HS256 signed with your public key passes. Pass the algorithm: jws.verify(signature, \'RS256\', key).',
    });
    if (args[1]) jwtSecret(ctx, args[1], 'The jws verification key');
    return;
  }
  const alg = args[1] ? evaluate(ctx, args[1]) : undefined;
  if (alg?.k === 'str' && alg.v.toLowerCase() === 'none') {
    ctx.report({ ruleId: 'jwt-alg-none', ...span(args[1]), message: 'jws.verify with algorithm "none" accepts unsigned tokens. Verify with the algorithm you sign with.' });
  }
  if (args[2]) jwtSecret(ctx, args[2], 'The jws verification key');
}

/** NestJS: `JwtModule.register({ secret, signOptions, verifyOptions })`. */
function nestJwtModule(ctx: AnalysisContext, optsNode: Node): void {
  const opts = evaluate(ctx, optsNode);
  if (opts.k !== 'obj') return;
  for (const key of ['secret', 'privateKey', 'secretOrPrivateKey']) {
    const p = opts.props.get(key);
    if (p) jwtSecret(ctx, p.value, 'The NestJS JwtModule secret');
  }
  const verify = opts.props.get('verifyOptions');
  const v = verify ? propValue(ctx, verify) : undefined;
  const ignore = v?.k === 'obj' ? v.props.get('ignoreExpiration') : undefined;
  if (ignore && truthOf(propValue(ctx, ignore)) === 'true') {
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(ignore.pair),
      message: 'ignoreExpiration: true accepts expired tokens forever. Remove it (or set it to false).',
      fix: { title: 'Check expiry', edits: [{ ...span(ignore.value), newText: 'false' }] },
    });
  }
}

/** next-auth: `NextAuth({ secret, useSecureCookies, cookies: { sessionToken: { name, options } } })`. */
function nextAuth(ctx: AnalysisContext, optsNode: Node): void {
  const opts = evaluate(ctx, optsNode);
  if (opts.k !== 'obj') return;
  const secret = opts.props.get('secret');
  if (secret) secretValue(ctx, secret.value, 'The next-auth secret', 'NEXTAUTH_SECRET', 'session');
  const secureCookies = opts.props.get('useSecureCookies');
  if (secureCookies && truthOf(propValue(ctx, secureCookies)) === 'false') {
    ctx.report({
      ruleId: 'cookie-missing-secure', ...span(secureCookies.pair),
      message: 'useSecureCookies: false sends the next-auth session cookie without Secure (and without the __Secure- prefix). Remove it: next-auth turns it on for https URLs.',
      fix: { title: 'Use secure cookies', edits: [{ ...span(secureCookies.value), newText: 'true' }] },
    });
  }
  const cookies = opts.props.get('cookies');
  const c = cookies ? propValue(ctx, cookies) : undefined;
  if (c?.k !== 'obj') return;
  for (const [which, entry] of c.props) {
    // The session and CSRF tokens carry authentication; callback-url, PKCE, state and nonce cookies are short-lived state.
    if (which !== 'sessionToken' && which !== 'csrfToken') continue;
    const e = propValue(ctx, entry);
    if (e.k !== 'obj') continue;
    const options = e.props.get('options');
    const o = options ? propValue(ctx, options) : undefined;
    if (!options || o?.k !== 'obj') continue;
    const nameProp = e.props.get('name');
    const nameVal = nameProp ? propValue(ctx, nameProp) : undefined;
    checkCookieSite(ctx, {
      framework: NEXT_AUTH.label,
      ...(nameVal?.k === 'str' && !nameVal.partial ? { name: { value: nameVal.v, ...span(nameProp!.value) } } : {}),
      session: true,
      anchor: span(entry.pair),
      complete: o.complete,
      ...readAttrs(ctx, o, NEXT_AUTH),
      defaults: NEXT_AUTH.defaults,
      writer: objectWriter(ctx, { obj: o, argsNode: options.value, optsNode: options.value, maxAgeUnit: 's' }),
    });
  }
}

// ---------------------------------------------------------------- cookies

function cookieCall(ctx: AnalysisContext, fw: Framework, call: Node, argsNode: Node, nameNode: Node, optsNode: Node | undefined): void {
  let opts = optsNode ? evaluate(ctx, optsNode) : undefined;
  let notes: ReturnNotes | undefined;
  if ((opts?.k === 'unknown' || opts?.k === 'env') && optsNode && unwrap(optsNode).type === 'call_expression') {
    const merged = optionsFromReturns(ctx, fw, unwrap(optsNode));
    if (merged) ({ obj: opts, notes } = merged);
  }
  if (opts && opts.k !== 'obj' && opts.k !== 'nullish') {
    // Options the engine cannot see: only the name-based checks would apply, and they need attributes.
    return;
  }
  cookieWithOptions(ctx, fw, call, argsNode, nameNode, opts?.k === 'obj' ? opts : undefined, optsNode, notes);
}

/** Attributes that differ between the returns of an options function: the reachable weak one, named by its return. */
interface ReturnNotes {
  secure?: AttrAt<Truth>;
  httpOnly?: AttrAt<Truth>;
  /** Where the SameSite, Domain or lifetime a site reports comes from, in words: merged into readAttrs' result. */
  paths?: Partial<Record<'sameSite' | 'domain' | 'maxAgeSeconds', { branch?: string; envText?: string }>>;
}

/** The keys an options object may spell each merged attribute with. */
const RETURN_KEYS = {
  secure: ['secure'], httpOnly: ['httpOnly', 'httponly'], sameSite: ['sameSite', 'samesite'], domain: ['domain'], maxAge: ['maxAge', 'max_age', 'expires'],
} as const;

/**
 * Cookie options built by a function with several returns (`function cookieOptions(env) { if
 * (env === 'test') return { secure: false }; return { secure: true, httpOnly: true }; }`), of this
 * file or imported from another: one options object whose attributes are the weakest any
 * reachable return gives (Secure/HttpOnly off or left to a default that is off, SameSite None or
 * missing, a Domain, the longest lifetime), each named by its return's line and path; a return
 * chosen by the environment makes it environment-dependent (info). The call's arguments decide
 * which returns are reachable. Undefined unless every reachable return is an object literal.
 */
function optionsFromReturns(ctx: AnalysisContext, fw: Framework, call: Node): { obj: JsObj; notes: ReturnNotes } | undefined {
  const evaluated = evaluateReturns(ctx, call);
  if (!evaluated || evaluated.returns.length < 2) return undefined;
  const objs: { site: ReturnValue['site']; obj: JsObj }[] = [];
  for (const { site, value } of evaluated.returns) {
    if (value.k !== 'obj') return undefined;
    objs.push({ site, obj: value });
  }
  const local = isLocal(ctx, objs[0].obj.node);
  // Another file's function: the attribute's `via` names the file, the note the line there.
  const fnName = local ? calledName(ctx, call) : evaluated.fnName;
  const notes: ReturnNotes = {};
  const props = new Map<string, JsProp>(objs[0].obj.props);
  let target = objs[0].obj;
  const propOf = (obj: JsObj, keys: readonly string[]) => keys.map((k) => obj.props.get(k)).find((p) => !!p);
  const whereOf = (e: { site: ReturnValue['site']; prop?: JsProp }, how: string) => {
    // The line goes into the message: any edit above the return moves it.
    if (local) ctx.touch(0, e.site.expr.endIndex);
    return `${fnName} ${how} on line ${e.site.line}${e.site.guard ? ` (${e.site.guard})` : ''}`;
  };
  const choose = (keys: readonly string[], prop: JsProp | undefined) => {
    for (const k of keys) props.delete(k);
    if (prop) props.set(keys[0], prop);
  };
  for (const attr of ['secure', 'httpOnly'] as const) {
    const each = objs.map(({ site, obj }) => {
      const prop = propOf(obj, RETURN_KEYS[attr]);
      const v = prop ? propValue(ctx, prop) : undefined;
      return { site, obj, prop, truth: v ? truthOf(v) : fw.defaults[attr] };
    });
    const weak = each.find((e) => e.truth === 'false');
    if (!weak || each.every((e) => e.truth === 'false' && !e.site.env)) continue;
    const where = whereOf(weak, weak.prop ? 'returns it false' : 'leaves it out');
    const at = local ? span(weak.prop?.pair ?? weak.obj.node) : span(call);
    notes[attr] = weak.site.env ? { value: 'env', ...at, envText: where } : { value: 'false', ...at, branch: where };
    if (weak.prop) choose(RETURN_KEYS[attr], weak.prop);
    else target = weak.obj;
  }
  // SameSite: None, then missing, is the weakest; a Domain anywhere widens the cookie; the longest lifetime wins.
  const paths: NonNullable<ReturnNotes['paths']> = {};
  const rank = (p: JsProp | undefined): number => {
    if (!p) return fw.defaults.sameSite ? 3 : 1;
    const v = propValue(ctx, p);
    const value = v.k === 'bool' ? (v.v ? 'strict' : '') : v.k === 'str' ? v.v.toLowerCase() : undefined;
    return value === 'none' ? 0 : value === '' || (value !== undefined && !['lax', 'strict'].includes(value)) ? 1 : value === undefined ? 4 : value === 'lax' ? 2 : 3;
  };
  const note = (attr: 'sameSite' | 'domain' | 'maxAgeSeconds', e: { site: ReturnValue['site']; prop?: JsProp }, how: string) => {
    const where = whereOf(e, how);
    paths[attr] = e.site.env ? { envText: where } : { branch: where };
  };
  const sameSites = objs.map((o) => ({ ...o, prop: propOf(o.obj, RETURN_KEYS.sameSite) })).map((o) => ({ ...o, rank: rank(o.prop) }));
  const weakest = sameSites.reduce((a, b) => (b.rank < a.rank ? b : a));
  if (sameSites.some((o) => o.rank !== weakest.rank) && weakest.rank < 2) {
    choose(RETURN_KEYS.sameSite, weakest.prop);
    note('sameSite', weakest, weakest.prop ? 'sets it' : 'leaves it out');
  }
  const domains = objs.map((o) => ({ ...o, prop: propOf(o.obj, RETURN_KEYS.domain) }));
  const withDomain = domains.find((o) => o.prop && propValue(ctx, o.prop).k === 'str');
  if (withDomain && domains.some((o) => !o.prop)) {
    choose(RETURN_KEYS.domain, withDomain.prop);
    note('domain', withDomain, 'sets it');
  }
  const lifetimes = objs.map((o) => ({ ...o, prop: propOf(o.obj, RETURN_KEYS.maxAge) })).map((o) => ({ ...o, v: o.prop ? propValue(ctx, o.prop) : undefined }));
  const longest = lifetimes.filter((o) => o.v?.k === 'num').sort((a, b) => (b.v as { v: number }).v - (a.v as { v: number }).v)[0];
  if (longest && lifetimes.some((o) => o !== longest && !(o.v?.k === 'num' && o.v.v === (longest.v as { v: number }).v))) {
    choose(RETURN_KEYS.maxAge, longest.prop);
    note('maxAgeSeconds', longest, 'sets the longest');
  }
  if (Object.keys(paths).length) notes.paths = paths;
  const obj: JsObj = { k: 'obj', node: target.node, props, items: target.items, complete: objs.every((o) => o.obj.complete) };
  return { obj, notes };
}

/** readAttrs' attributes with where the returns of an options function give them (see optionsFromReturns). */
function withNotes(attrs: Partial<CookieSite>, notes: ReturnNotes | undefined): Partial<CookieSite> {
  if (!notes) return attrs;
  const out: { -readonly [K in keyof CookieSite]?: CookieSite[K] } = { ...attrs };
  if (notes.secure) out.secure = { ...notes.secure, ...(attrs.secure?.via ? { via: attrs.secure.via } : {}) };
  if (notes.httpOnly) out.httpOnly = { ...notes.httpOnly, ...(attrs.httpOnly?.via ? { via: attrs.httpOnly.via } : {}) };
  for (const attr of ['sameSite', 'domain', 'maxAgeSeconds'] as const) {
    const p = notes.paths?.[attr];
    const a = out[attr];
    if (p && a) (out as Record<string, unknown>)[attr] = { ...a, ...p };
  }
  return out;
}

function cookieWithOptions(
  ctx: AnalysisContext, fw: Framework, call: Node, argsNode: Node, nameNode: Node | undefined, opts: JsObj | undefined, optsNode: Node | undefined,
  notes?: ReturnNotes,
): void {
  const nameVal = nameNode ? evaluate(ctx, nameNode) : undefined;
  const name: AttrAt<string> | undefined = nameVal?.k === 'str' && !nameVal.partial ? { value: nameVal.v, ...span(nameVal.node) } : undefined;
  const writer = objectWriter(ctx, { obj: opts, argsNode, optsNode, maxAgeUnit: fw.maxAgeUnit });
  // `res.cookie(name, value, …)`, or `cookies().set({ name, value, … })`.
  const first = argList(ctx, argsNode)[0];
  const valueNode = nameNode && first?.id === nameNode.id ? argList(ctx, argsNode)[1] : opts?.props.get('value')?.value;
  checkCookieSite(ctx, {
    framework: fw.label,
    ...(name ? { name } : {}),
    ...(nameNode && !name ? { nameHint: ctx.src(nameNode) } : {}),
    ...(valueNode ? { valueHint: ctx.src(valueNode) } : {}),
    session: false,
    anchor: span(call),
    complete: opts ? opts.complete : true,
    ...withNotes(readAttrs(ctx, opts, fw, span(optsNode ?? call)), notes),
    defaults: fw.defaults,
    writer,
  });
}

/**
 * The cookie attributes an options object sets. A property written in another file (a spread
 * constant, an imported options function) is reported at `anchor` (the options in the call) and
 * says where it comes from; a value a parameter took from an argument is reported at the argument.
 */
function readAttrs(ctx: AnalysisContext, opts: JsObj | undefined, fw: Framework, anchor = opts ? span(opts.node) : { start: 0, end: 0 }): Partial<CookieSite> {
  if (!opts) return {};
  const out: { -readonly [K in keyof CookieSite]?: CookieSite[K] } = {};
  const locate = (p: JsProp): { start: number; end: number; via?: string } => {
    const r = p.resolved?.node;
    const via = p.via ? { via: p.via } : {};
    if (r && isLocal(ctx, r) && !(r.tree === p.pair.tree && r.startIndex >= p.pair.startIndex && r.endIndex <= p.pair.endIndex)) return { ...span(r), ...via };
    return { ...(isLocal(ctx, p.pair) ? span(p.pair) : anchor), ...via };
  };
  const truth = (p: JsProp): AttrAt<Truth> => {
    const v = propValue(ctx, p);
    return { value: truthOf(v), ...locate(p), ...(v.k === 'env' ? { envText: v.text } : {}), ...(v.k === 'bool' && v.branch ? { branch: v.branch } : {}) };
  };
  const get = (k: string) => opts.props.get(k);
  const secure = get('secure');
  if (secure) out.secure = truth(secure);
  const httpOnly = get('httpOnly') ?? get('httponly');
  if (httpOnly) out.httpOnly = truth(httpOnly);
  const partitioned = get('partitioned');
  if (partitioned) out.partitioned = truth(partitioned);
  const sameSite = get('sameSite') ?? get('samesite');
  if (sameSite) {
    const v = propValue(ctx, sameSite);
    const value = v.k === 'bool' ? (v.v ? 'strict' : '') : v.k === 'str' ? v.v.toLowerCase() : v.k === 'env' ? 'env' : 'unknown';
    out.sameSite = { value, ...locate(sameSite) };
  }
  const maxAge = get('maxAge') ?? get('max_age');
  if (maxAge) {
    const v = propValue(ctx, maxAge);
    out.maxAgeSeconds = { value: v.k === 'num' ? (fw.maxAgeUnit === 'ms' ? v.v / 1000 : v.v) : undefined, ...locate(maxAge) };
  } else {
    const expires = get('expires');
    const ms = expires ? expiresInMs(contextFor(ctx, expires.value), expires.value) : undefined;
    if (expires && ms !== undefined) out.maxAgeSeconds = { value: ms / 1000, ...locate(expires) };
  }
  const domain = get('domain');
  if (domain) {
    const v = propValue(ctx, domain);
    out.domain = { value: v.k === 'str' ? v.v : undefined, ...locate(domain), ...(v.k !== 'str' ? { envText: sourceOf(ctx, domain.value) } : {}) };
  }
  const path = get('path');
  if (path) {
    const v = propValue(ctx, path);
    out.path = { value: v.k === 'str' ? v.v : undefined, ...locate(path) };
  }
  return out;
}

/** `new Date(Date.now() + N)` → N milliseconds. */
function expiresInMs(ctx: AnalysisContext, node: Node): number | undefined {
  const n = unwrap(node);
  if (n.type !== 'new_expression') return undefined;
  const args = n.childForFieldName('arguments');
  const arg = args ? argList(ctx, args)[0] : undefined;
  if (!arg || unwrap(arg).type !== 'binary_expression') return undefined;
  const b = unwrap(arg);
  const left = b.childForFieldName('left');
  const right = b.childForFieldName('right');
  if (!left || !right || !/^Date\.now\(\)$|^new Date\(\)\.getTime\(\)$/.test(ctx.src(left))) return undefined;
  const v = evaluate(ctx, right);
  return v.k === 'num' ? v.v : undefined;
}

function renderJs(ctx: AnalysisContext, _attr: CookieAttr, value: string): string {
  if (value === 'true' || value === 'false') return value;
  const q = ctx.quote();
  return `${q}${value}${q}`;
}

/** Where an object literal and its items are, read once per object: every fix a cookie site offers asks again. */
const objectSpans = new WeakMap<JsObj, { node: { start: number; end: number }; items: { start: number; end: number }[] }>();

function spansOf(obj: JsObj): { node: { start: number; end: number }; items: { start: number; end: number }[] } {
  let s = objectSpans.get(obj);
  if (!s) {
    s = { node: span(obj.node), items: obj.items.map(span) };
    objectSpans.set(obj, s);
  }
  return s;
}

function objectSpan(obj: JsObj): { start: number; end: number } {
  return spansOf(obj).node;
}

function itemSpans(obj: JsObj): { start: number; end: number }[] {
  return spansOf(obj).items;
}

/**
 * Writes cookie options in an object literal: flips a property in place, adds missing ones
 * after the last property in the object's own layout, or adds an options object to the call.
 */
function objectWriter(
  ctx: AnalysisContext,
  t: { obj: JsObj | undefined; argsNode: Node; optsNode: Node | undefined; nested?: { outer: JsObj; key: string }; outerKeys?: Partial<Record<CookieAttr, string>>; maxAgeUnit?: 'ms' | 's' },
): AttrWriter {
  const keyOf = (attr: CookieAttr) => t.outerKeys?.[attr] ?? JS_KEYS[attr];
  const targetFor = (attr: CookieAttr): JsObj | undefined => (t.outerKeys?.[attr] && t.nested ? t.nested.outer : t.obj);
  // Options written in another file, or a value a parameter takes from the caller: no edit here says what to change.
  const editable = (p: JsProp | undefined) => !p || (isLocal(ctx, p.pair) && !p.via && !(p.resolved && !(p.resolved.node.tree === p.pair.tree && p.resolved.node.startIndex >= p.pair.startIndex && p.resolved.node.endIndex <= p.pair.endIndex)));
  return {
    set(changes) {
      const edits: OffsetEdit[] = [];
      const inserts = new Map<JsObj | undefined, string[]>();
      for (const [attr, value] of changes) {
        const target = targetFor(attr);
        const key = keyOf(attr);
        const rendered = renderJs(ctx, attr, value);
        const prop = target?.props.get(key);
        if (!editable(prop) || (target && !isLocal(ctx, target.node))) return undefined;
        if (prop) {
          if (prop.pair === prop.value) edits.push({ start: prop.pair.startIndex, end: prop.pair.endIndex, newText: `${key}: ${rendered}` });
          else edits.push({ start: prop.value.startIndex, end: prop.value.endIndex, newText: rendered });
        } else {
          const list = inserts.get(target) ?? [];
          list.push(`${key}: ${rendered}`);
          inserts.set(target, list);
        }
      }
      for (const [target, items] of inserts) {
        if (target) {
          edits.push(insertListItem(ctx, objectSpan(target), itemSpans(target), items, ' '));
        } else if (t.nested) {
          const outer = t.nested.outer;
          edits.push(insertListItem(ctx, objectSpan(outer), itemSpans(outer), `${t.nested.key}: { ${items.join(', ')} }`, ' '));
        } else if (!t.optsNode) {
          const args = argList(ctx, t.argsNode);
          const last = args[args.length - 1];
          if (!last) return undefined;
          edits.push({ start: last.endIndex, end: last.endIndex, newText: `, { ${items.join(', ')} }` });
        } else return undefined;
      }
      return edits.sort((a, b) => a.start - b.start);
    },
    setLifetime(days) {
      const maxAge = t.obj?.props.get('maxAge') ?? t.obj?.props.get('max_age');
      if (!editable(maxAge) || !editable(t.obj?.props.get('expires'))) return undefined;
      if (maxAge && maxAge.pair !== maxAge.value) {
        return [{ ...span(maxAge.value), newText: `${days} * 24 * 60 * 60${t.maxAgeUnit === 's' ? '' : ' * 1000'}` }];
      }
      const expires = t.obj?.props.get('expires');
      if (expires && expires.pair !== expires.value) return [{ ...span(expires.value), newText: `new Date(Date.now() + ${days} * 24 * 60 * 60 * 1000)` }];
      return undefined;
    },
    remove(attr) {
      const target = targetFor(attr);
      const prop = target?.props.get(keyOf(attr));
      if (!target || !prop || !editable(prop)) return undefined;
      const idx = target.items.findIndex((i) => i.startIndex === prop.pair.startIndex);
      if (idx === -1) return undefined;
      return [removeListItem(ctx, itemSpans(target), idx)];
    },
  };
}

function sessionMiddleware(
  ctx: AnalysisContext, fw: Framework, call: Node, argsNode: Node, optsNode: Node | undefined, cookieKey: string | undefined, nameKey = 'name',
): void {
  const opts = optsNode ? evaluate(ctx, optsNode) : undefined;
  if (opts && opts.k !== 'obj') return;
  const outer = opts;
  if (outer) {
    for (const key of ['secret', 'keys', ...(fw === IRON_SESSION ? ['password'] : [])]) {
      const p = outer.props.get(key);
      if (p) secretValue(ctx, p.value, `The ${fw.label} ${key}`, fw === IRON_SESSION ? 'SESSION_PASSWORD' : 'SESSION_SECRET', 'session');
    }
  }
  let cookieObj: JsObj | undefined = outer;
  let complete = outer ? outer.complete : true;
  let notes: ReturnNotes | undefined;
  if (cookieKey && outer) {
    const c = outer.props.get(cookieKey);
    let v = c ? propValue(ctx, c) : undefined;
    // `cookie: cookieOptions()`, a function with several returns.
    if ((v?.k === 'unknown' || v?.k === 'env') && c && unwrap(c.value).type === 'call_expression') {
      const merged = optionsFromReturns(ctx, fw, unwrap(c.value));
      if (merged) ({ obj: v, notes } = merged);
    }
    if (v && v.k !== 'obj') return;
    cookieObj = v;
    complete = complete && (v ? v.complete : true);
  } else if (cookieKey) cookieObj = undefined;
  const nameProp = outer?.props.get(nameKey);
  const nameVal = nameProp ? propValue(ctx, nameProp) : undefined;
  const name: AttrAt<string> | undefined = nameVal?.k === 'str' ? { value: nameVal.v, ...(isLocal(ctx, nameProp!.value) ? span(nameProp!.value) : span(optsNode ?? call)) } : undefined;
  const writer = cookieKey
    ? objectWriter(ctx, { obj: cookieObj, argsNode, optsNode, ...(outer ? { nested: { outer, key: cookieKey } } : {}), outerKeys: { name: nameKey }, maxAgeUnit: fw.maxAgeUnit })
    : objectWriter(ctx, { obj: outer, argsNode, optsNode, outerKeys: { name: nameKey }, maxAgeUnit: fw.maxAgeUnit });
  const fixedWriter: AttrWriter = outer || !cookieKey ? writer : {
    // session() with no options at all: create { cookie: { … } }.
    set(changes) {
      const items = changes.filter(([a]) => a !== 'name').map(([a, v]) => `${JS_KEYS[a]}: ${renderJs(ctx, a, v)}`);
      const named = changes.find(([a]) => a === 'name');
      const parts = [...(named ? [`${nameKey}: ${renderJs(ctx, 'name', named[1])}`] : []), ...(items.length ? [`${cookieKey}: { ${items.join(', ')} }`] : [])];
      return [{ start: argsNode.startIndex + 1, end: argsNode.endIndex - 1, newText: `{ ${parts.join(', ')} }` }];
    },
  };
  const cookieAt = cookieKey ? outer?.props.get(cookieKey)?.value : undefined;
  const attrs = withNotes(readAttrs(ctx, cookieObj, fw, span(cookieAt ?? optsNode ?? call)), notes);
  checkCookieSite(ctx, {
    framework: fw.label,
    ...(name ? { name } : {}),
    ...(nameProp && !name ? { nameHint: sourceOf(ctx, nameProp.value) } : {}),
    session: true,
    anchor: span(call),
    complete: nameProp && !name ? false : complete,
    ...attrs,
    defaults: fw.defaults,
    writer: fixedWriter,
  });
  const rolling = outer?.props.get('rolling');
  const idle = attrs.maxAgeSeconds?.value;
  if (rolling && propValue(ctx, rolling).k === 'bool' && truthOf(propValue(ctx, rolling)) === 'true' && idle !== undefined && idle > ctx.thresholds.maxSessionIdleTimeoutSeconds) {
    ctx.report({
      ruleId: 'session-long-idle-timeout', start: attrs.maxAgeSeconds!.start, end: attrs.maxAgeSeconds!.end,
      message: `With rolling sessions maxAge is the idle timeout: ${Math.round(idle / 60)} minutes exceeds the ${Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)} allowed. Lower it.`,
    });
  }
}

function headerCall(ctx: AnalysisContext, call: Node, args: Node[]): void {
  if (args.length < 2) return;
  const first = evaluate(ctx, args[0]);
  if (first.k !== 'str' || first.v.toLowerCase() !== 'set-cookie') return;
  void call;
  headerValues(ctx, args[1]);
}

function headerValues(ctx: AnalysisContext, node: Node): void {
  const v = evaluate(ctx, node);
  const strings = v.k === 'arr' ? v.elements.map((e) => evaluate(ctx, e)) : [v];
  for (const s of strings) {
    if (s.k !== 'str') continue;
    const raw = ctx.src(s.node);
    const firstSemi = raw.indexOf(';');
    const lastHole = raw.lastIndexOf('${');
    const complete = !s.partial || (firstSemi !== -1 && lastHole < firstSemi) || (firstSemi !== -1 && !raw.slice(firstSemi).includes('${'));
    const content = stringContent(ctx, s.node);
    if (!content) continue;
    checkSetCookieString(ctx, { content: content.v, contentStart: s.node.startIndex + 1, anchor: span(s.node), framework: 'Set-Cookie header', complete });
  }
}

// ---------------------------------------------------------------- secrets

function envRead(ctx: AnalysisContext, name: string): string {
  return ctx.isTypeScript ? `process.env.${name} as string` : `process.env.${name}`;
}

/** A literal string, Buffer.from('…') or new TextEncoder().encode('…'): the literal node. */
function literalIn(ctx: AnalysisContext, node: Node): Node | undefined {
  const n = unwrap(node);
  if (n.type === 'string' || (n.type === 'template_string' && !n.namedChildren.some((c) => c?.type === 'template_substitution'))) return n;
  if (n.type === 'call_expression') {
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    if (fn && args && /^(Buffer\.from|newTextEncoder\(\)\.encode|\(newTextEncoder\(\)\)\.encode)$/.test(ctx.src(fn).replace(/\s+/g, ''))) {
      const a = argList(ctx, args)[0];
      return a ? literalIn(ctx, a) : undefined;
    }
  }
  return undefined;
}

/**
 * Reports a secret whose value is a literal, followed from the call through variables, `||`/`??`
 * fallbacks, ternaries, concatenation, constant objects, literal arrays, class fields and
 * Buffer.from/TextEncoder wrappers. `via` says how the value reaches the call.
 */
function secretValue(ctx: AnalysisContext, node: Node, what: string, envName: string, kind: 'session' | 'jwt', via?: string, depth = 0): void {
  // Written in another file's definition (options built there): its offsets are not this file's.
  if (depth > 6 || !isLocal(ctx, node)) return;
  const n = unwrap(node);
  const type = n.type;
  const next = (x: Node, how: string | undefined) => secretValue(ctx, x, what, envName, kind, how ?? via, depth + 1);
  if (type === 'array') {
    hardcodedArray(ctx, evaluate(ctx, n), what, envName === 'SESSION_SECRET' ? 'SESSION_KEYS' : envName);
    return;
  }
  if (type === 'binary_expression') {
    const op = n.childForFieldName('operator');
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!op || !left || !right) return;
    const o = ctx.src(op);
    if (o === '||' || o === '??') {
      const fallback = evaluate(ctx, right);
      if (literalIn(ctx, right) || (fallback.k === 'str' && !fallback.partial)) {
        const named = /process\.env(?:\.([\w$]+)|\[\s*['"]([^'"]+)['"]\s*\])/.exec(ctx.src(left));
        const fromEnv = named ? (named[1] ?? named[2]) : envName;
        reportHardcodedSecret(ctx, {
          kind, ...span(n), what, envName: fromEnv, replacement: ctx.isTypeScript ? `${ctx.src(left)} as string` : ctx.src(left), fallback: true,
          ...(via ? { via } : {}),
        });
      }
      return;
    }
    const v = o === '+' ? evaluate(ctx, n) : undefined;
    if (v?.k === 'str' && !v.partial) reportHardcodedSecret(ctx, { kind, ...span(n), what, envName, replacement: envRead(ctx, envName), ...(via ? { via } : {}) });
    return;
  }
  if (type === 'ternary_expression') {
    const cond = n.childForFieldName('condition');
    const condText = cond ? ctx.src(cond).replace(/\s+/g, ' ') : '';
    const a = n.childForFieldName('consequence');
    const b = n.childForFieldName('alternative');
    if (a) next(a, `on the branch where ${condText} is true`);
    if (b) next(b, `on the branch where ${condText} is false`);
    return;
  }
  if (type === 'identifier') {
    const name = ctx.src(n);
    const init = lookupVariable(ctx, n, name);
    if (init) next(init, `through ${name}`);
    else externalSecret(ctx, n, what, envName, kind, via);
    return;
  }
  if (type === 'member_expression' || type === 'subscript_expression') {
    if (/\bprocess\.env\b/.test(ctx.src(n))) return;
    const target = memberTarget(ctx, n);
    if (target) next(target, `through ${ctx.src(n).replace(/\s+/g, '')}`);
    else if (type === 'member_expression') externalSecret(ctx, n, what, envName, kind, via);
    return;
  }
  const lit = literalIn(ctx, n);
  if (!lit) {
    if (type === 'call_expression') {
      // A function of this file returning a literal (`getSecret()`), or `config.get('secret')` of a workspace module.
      const sites = returnSites(ctx, n);
      if (sites?.length === 1) next(sites[0].expr, `returned by ${calledName(ctx, n)}`);
      else if (sites) {
        // Several returns: each one reachable is what some callers get; the message says which (by line).
        ctx.touch(0, n.startIndex);
        for (const r of sites) {
          ctx.touch(0, r.expr.endIndex);
          next(r.expr, `returned by ${calledName(ctx, n)} on line ${r.line}${r.guard ? ` (${r.guard})` : ''}`);
        }
      } else externalSecret(ctx, n, what, envName, kind, via);
    }
    return;
  }
  const text = ctx.src(lit);
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)) return;
  reportHardcodedSecret(ctx, { kind, ...span(lit), what, envName, replacement: envRead(ctx, envName), ...(via ? { via } : {}) });
}

/** A secret that is a constant of another workspace file: reported where it is used. */
function externalSecret(ctx: AnalysisContext, n: Node, what: string, envName: string, kind: 'session' | 'jwt', via: string | undefined): void {
  const ext = externalConstant(ctx, n);
  if (ext) reportExternalSecret(ctx, { kind, ...span(n), what, envName, ...(via ? { via } : {}), symbol: ext.symbol, expression: ctx.src(n) });
}

function hardcodedArray(ctx: AnalysisContext, v: JsValue, what: string, envName: string): void {
  if (v.k !== 'arr' || v.elements.length === 0) return;
  if (!v.elements.some((e) => literalIn(ctx, e))) return;
  const read = ctx.isTypeScript ? `(process.env.${envName} as string).split(',')` : `process.env.${envName}.split(',')`;
  reportHardcodedSecret(ctx, { kind: 'session', ...span(v.node), what, envName, replacement: read });
}

function jwtSecret(ctx: AnalysisContext, node: Node, what: string): void {
  secretValue(ctx, node, what, 'JWT_SECRET', 'jwt');
}

// ---------------------------------------------------------------- JWT

function jwtCall(ctx: AnalysisContext, method: string, call: Node, argsNode: Node, args: Node[], lib: 'jsonwebtoken' | 'jose'): void {
  if (method === 'decode' || method === 'decodeJwt') {
    // Decoding a token the same function verifies (to read its header or kid, or after verify) is fine.
    if (args[0] && verifiedInSameFunction(ctx, call, ctx.src(args[0]))) return;
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(call), severity: 'info',
      message: `${lib === 'jose' ? 'decodeJwt' : 'jwt.decode'} does not check the signature: if this token decides who the user is, verify it instead (${lib === 'jose' ? 'jwtVerify' : 'jwt.verify'} with an algorithms allow-list).`,
    });
    return;
  }
  if (method === 'sign') {
    if (args[1]) jwtSecret(ctx, args[1], 'The JWT signing secret');
    const opts = args[2] ? evaluate(ctx, args[2]) : undefined;
    const alg = opts?.k === 'obj' ? opts.props.get('algorithm') : undefined;
    const algV = alg ? propValue(ctx, alg) : undefined;
    if (alg && algV?.k === 'str' && algV.v.toLowerCase() === 'none') {
      const q = ctx.quote();
      ctx.report({
        ruleId: 'jwt-alg-none', ...span(alg.pair),
        message: 'Tokens signed with algorithm "none" carry no signature: anyone can forge them. Use HS256 with a strong secret or an asymmetric algorithm.',
        fix: { title: 'Sign with HS256', edits: [{ ...span(alg.value), newText: `${q}HS256${q}` }] },
      });
    }
    return;
  }
  // verify / jwtVerify
  const keyNode = args[1];
  if (keyNode) jwtSecret(ctx, keyNode, lib === 'jose' ? 'The jwtVerify key' : 'The JWT verification secret');
  const optsNode = args[2] && !['arrow_function', 'function_expression', 'function'].includes(unwrap(args[2]).type) ? args[2] : undefined;
  const opts = optsNode ? evaluate(ctx, optsNode) : undefined;
  if (opts && opts.k !== 'obj') return;
  const keyText = keyNode ? ctx.src(keyNode) : '';
  const looksPublic = /public|pubkey|\.pem|cert|jwks|PUBLIC KEY/i.test(keyText);
  const q = ctx.quote();
  const suggested = looksPublic ? 'RS256' : 'HS256';
  const algorithms = opts?.props.get('algorithms');
  if (!algorithms) {
    if (lib === 'jose' || (opts && !opts.complete)) return;
    const edit: OffsetEdit = opts
      ? insertListItem(ctx, span(opts.node), opts.items.map(span), `algorithms: [${q}${suggested}${q}]`, ' ')
      : { start: keyNode ? keyNode.endIndex : argsNode.endIndex - 1, end: keyNode ? keyNode.endIndex : argsNode.endIndex - 1, newText: `, { algorithms: [${q}${suggested}${q}] }` };
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(opts ? opts.node : call),
      message: looksPublic
        ? `jwt.verify with a public key and no algorithms allow-list trusts the token's alg header: a token with alg HS256, signed with the public key as HMAC secret, passes (algorithm confusion). Pass algorithms: ['${suggested}'].`
        : `jwt.verify without an algorithms allow-list trusts the token's own alg header. Pass algorithms: ['${suggested}'] (the algorithm you sign with).`,
      fix: { title: `Allow only ${suggested}`, edits: [edit] },
    });
  } else {
    const v = propValue(ctx, algorithms);
    if (v.k === 'arr') {
      const algs = v.elements.map((e) => ({ e, v: evaluate(ctx, e) }));
      const none = algs.find((a) => a.v.k === 'str' && a.v.v.toLowerCase() === 'none');
      if (none) {
        const idx = algs.indexOf(none);
        ctx.report({
          ruleId: 'jwt-alg-none', ...span(none.e),
          message: 'The verifier accepts alg "none": unsigned tokens pass. Remove "none" from algorithms.',
          fix: { title: 'Remove "none"', edits: [removeListItem(ctx, v.elements.map(span), idx)] },
        });
      }
      const names = algs.filter((a) => a.v.k === 'str').map((a) => (a.v as { v: string }).v);
      const hasHs = names.some((n) => HS.test(n));
      const hasAsym = names.some((n) => ASYM.test(n));
      if (hasHs && hasAsym) {
        const keep = names.filter((n) => ASYM.test(n));
        ctx.report({
          ruleId: 'jwt-algorithm-confusion', ...span(algorithms.pair),
          message: 'The verifier accepts both HMAC (HS*) and public-key algorithms: a token signed with HS256 using the public key as secret passes. Allow one family only.',
          fix: { title: `Allow only ${keep.join(', ')}`, edits: [{ ...span(v.node), newText: `[${keep.map((k) => `${q}${k}${q}`).join(', ')}]` }] },
        });
      } else if (hasHs && looksPublic) {
        ctx.report({
          ruleId: 'jwt-algorithm-confusion', ...span(algorithms.pair),
          message: 'A public key is used as an HMAC secret: anyone holding the public key can sign tokens. Verify with RS256/ES256 instead.',
        });
      }
    }
  }
  const ignoreExp = opts?.props.get('ignoreExpiration');
  if (ignoreExp && truthOf(propValue(ctx, ignoreExp)) === 'true') {
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(ignoreExp.pair),
      message: 'ignoreExpiration: true accepts expired tokens forever. Remove it (or set it to false).',
      fix: { title: 'Check expiry', edits: [{ ...span(ignoreExp.value), newText: 'false' }] },
    });
  }
}

/** Whether the function around `call` also passes `token` to a verify call (jwt.verify, jwtVerify, jws.verify…). */
function verifiedInSameFunction(ctx: AnalysisContext, call: Node, token: string): boolean {
  const fn = ancestorsOf(call).reverse().find((a) => /^(function_declaration|function_expression|arrow_function|method_definition|function)$/.test(a.type));
  if (!fn) return false;
  ctx.touch(fn.startIndex, fn.endIndex);
  const body = ctx.src(fn);
  const t = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b(?:verify|jwtVerify|verifyAsync)\\s*\\(\\s*${t}\\s*[,)]`).test(body);
}

function fastifyPlugin(ctx: AnalysisContext, plugin: Node, optsNode: Node): void {
  const p = unwrap(plugin);
  let source: string | undefined;
  if (p.type === 'identifier') source = importSourceOf(ctx, p, ctx.src(p)) ?? ctx.src(p);
  else {
    const m = /require\(\s*['"]([^'"]+)['"]\s*\)/.exec(ctx.src(p));
    source = m?.[1];
  }
  if (!source) return;
  const opts = evaluate(ctx, optsNode);
  if (opts.k !== 'obj') return;
  const call = optsNode.parent?.parent ?? optsNode;
  if (/secure-session|secureSession/i.test(source)) {
    sessionMiddleware(ctx, FASTIFY_SECURE_SESSION, call, optsNode.parent!, optsNode, 'cookie', 'cookieName');
  } else if (/session/i.test(source)) {
    sessionMiddleware(ctx, FASTIFY_SESSION, call, optsNode.parent!, optsNode, 'cookie', 'cookieName');
  } else if (/jwt/i.test(source)) {
    const s = opts.props.get('secret');
    if (s) jwtSecret(ctx, s.value, 'The @fastify/jwt secret');
  } else if (/cookie/i.test(source)) {
    const s = opts.props.get('secret');
    if (s) secretValue(ctx, s.value, 'The @fastify/cookie secret', 'COOKIE_SECRET', 'session');
  }
}
