import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import type { CookieAttr, CookieSite, Truth } from '../cookieChecks';
import { checkCookieSite } from '../cookieChecks';
import { type KeyedItem, type KeyedSyntax, checkKeyedSite } from '../keyedSite';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { railsCustomSetting, railsForceSsl } from '../symbols/railsConfigIndex';
import { GLOBAL_MODULE, type WorkspaceSymbol, describeSymbol, symbolPlace } from '../symbols/symbolTable';
import { firstArgument, rubyHashFlags, writtenFlags } from './rubyHashFlags';

const QUERY = `
(call method: (identifier) @method (#any-of? @method "session_store" "encode" "decode" "skip_before_action" "protect_from_forgery" "skip_forgery_protection" "load_defaults") arguments: (argument_list) @args) @call
(body_statement (identifier) @bare (#eq? @bare "skip_forgery_protection"))
(assignment left: (element_reference object: (_) @jar) @target right: (_) @rhs) @assign
(assignment left: (call method: (identifier) @attr (#eq? @attr "secret_key_base")) right: (_) @rhs) @assign
(assignment left: (call receiver: (_) @cfg method: (identifier) @devise (#any-of? @devise "rememberable_options" "remember_for" "extend_remember_period")) right: (_) @rhs) @assign
(class superclass: (superclass) @super (#match? @super "Rails::Application")) @railsApp
`;

const UNITS: Readonly<Record<string, number>> = {
  second: 1, seconds: 1, minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400, week: 604800, weeks: 604800,
  month: 2592000, months: 2592000, year: 31536000, years: 31536000,
};

/** `1.year`, `30.days.from_now`, `2.weeks`, `3600`, `Time.now + 3600`. */
function seconds(ctx: AnalysisContext, n: Node): number | undefined {
  const t = ctx.src(n).replace(/\s+/g, '');
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(?:Time\.(?:now|current)\+)?(\d+)\.(\w+?)(?:\.from_now)?$/.exec(t);
  if (m && UNITS[m[2]]) return Number(m[1]) * UNITS[m[2]];
  const plus = /^Time\.(?:now|current)\+(\d+)$/.exec(t);
  return plus ? Number(plus[1]) : undefined;
}

function syntax(ctx: AnalysisContext, lifetimeKey: string): KeyedSyntax {
  return {
    keyFor: { secure: 'secure', httpOnly: 'httponly', sameSite: 'same_site', domain: 'domain', path: 'path', name: 'key' },
    lifetime: [{ key: lifetimeKey, seconds: (n) => seconds(ctx, n), render: (d) => (lifetimeKey === 'expires' ? `${d}.days.from_now` : `${d}.days`) }],
    truth: (written) => {
      if (written.type === 'identifier') {
        const reaching = reachingAssignments(ctx, written);
        if (reaching.length > 0) return truthOfBranches(ctx, ctx.src(written), reaching);
      }
      // A constant assigned earlier (`SECURE = Rails.env.production?`) reads as its value.
      const init = written.type === 'constant' ? rubyLookup(ctx, written) : undefined;
      return (init ? undefined : configuredTruth(ctx, written)) ?? literalTruth(ctx, init ?? written);
    },
    sameSite: (n) => sameSiteWritten(ctx, n),
    string: (n) => {
      const t = ctx.src(n).trim();
      if (n.type === 'simple_symbol') return t.slice(1);
      return n.type === 'string' && !namedChildren(n, ctx.text).some((c) => c.type === 'interpolation') ? t.slice(1, -1) : undefined;
    },
    render: (attr: CookieAttr, value: string) => (value === 'true' || value === 'false' ? value : attr === 'sameSite' ? `:${value}` : `'${value}'`),
    pair: (key, value) => `${key}: ${value}`,
  };
}

const ENV_CONDITION = /ENV|Rails\.env|production\?|development\?|ssl|https|secure/;

/** SameSite values from the weakest to the strongest: of several reachable values, the weakest is what a request may get. */
const SAME_SITE_ORDER = ['', 'none', 'lax', 'strict'];

/**
 * A SameSite value as written (`:strict`, `"Lax"`, `nil`), or through a local assigned earlier in
 * the method (`same_site = :strict` … `same_site: same_site`), each reachable assignment read (a
 * `case` without `else` gives nil), or a constant of the file. A value not read is 'unknown'.
 */
function sameSiteOf(ctx: AnalysisContext, n: Node, depth = 0): string {
  const literal = (x: Node): string | undefined => {
    if (!/^(simple_symbol|delimited_symbol|string|nil|false)$/.test(x.type) || (x.type === 'string' && !isPlainString(ctx, x))) return undefined;
    const t = ctx.src(x).trim().replace(/^:|^["']|["']$/g, '').toLowerCase();
    return t === 'nil' || t === 'false' ? '' : t;
  };
  const direct = literal(n);
  if (direct !== undefined || depth > 3) return direct ?? 'unknown';
  if (n.type === 'identifier') {
    const reaching = reachingAssignments(ctx, n);
    if (reaching.length === 0) return 'unknown';
    const values = reaching.map((r) => (r.nil ? '' : sameSiteOf(ctx, r.value, depth + 1)));
    if (values.some((v) => v === 'unknown' || v === 'env')) return 'unknown';
    if (reaching.some((r) => r.env) && new Set(values).size > 1) return 'env';
    // A value outside Strict/Lax/None is reported as it is; else the weakest reachable one.
    return values.find((v) => !SAME_SITE_ORDER.includes(v)) ?? values.sort((a, b) => SAME_SITE_ORDER.indexOf(a) - SAME_SITE_ORDER.indexOf(b))[0];
  }
  if (n.type === 'constant' || n.type === 'scope_resolution') {
    const init = rubyLookup(ctx, n);
    return init ? sameSiteOf(ctx, init, depth + 1) : 'unknown';
  }
  return 'unknown';
}

/** A SameSite value and where it comes from, as CookieSite.sameSite takes it. */
type SameSiteValue = { value: string; branch?: string; envText?: string; via?: string };

/**
 * The SameSite a cookie option gets: as sameSiteOf reads it, and also a ternary
 * (`embedded? ? :none : :lax`: the weakest branch, named; chosen by the environment, as in
 * `Rails.env.production? ? :strict : :none`, it is named as envText, which keeps it at info) and a
 * constant of another workspace file (`Security::SAME_SITE` in lib/ or config/initializers/), named
 * with its file and line.
 */
function sameSiteWritten(ctx: AnalysisContext, n: Node, depth = 0): SameSiteValue {
  if (depth > 3) return { value: 'unknown' };
  if (n.type === 'parenthesized_statements' && n.firstNamedChild) return sameSiteWritten(ctx, n.firstNamedChild, depth + 1);
  if (n.type === 'conditional') {
    const [cond, a, b] = namedChildren(n, ctx.text);
    if (!cond || !a || !b) return { value: 'unknown' };
    const va = sameSiteWritten(ctx, a, depth + 1);
    const vb = sameSiteWritten(ctx, b, depth + 1);
    if (va.value === vb.value) return va;
    if ([va, vb].some((v) => v.value === 'unknown' || v.value === 'env')) return { value: 'unknown' };
    const weakA = !SAME_SITE_ORDER.includes(va.value) || (SAME_SITE_ORDER.includes(vb.value) && SAME_SITE_ORDER.indexOf(va.value) < SAME_SITE_ORDER.indexOf(vb.value));
    const weak = weakA ? va : vb;
    const c = ctx.src(cond).replace(/\s+/g, ' ');
    const where = `when ${c.length > 60 ? `${c.slice(0, 57)}…` : c} is ${weakA ? 'true' : 'false'}`;
    return ENV_CONDITION.test(c) ? { ...weak, envText: where } : { ...weak, branch: where };
  }
  if (n.type === 'identifier') {
    // `same_site = embedded? ? :none : :lax` then `same_site: same_site`: one assignment on every path, read as written.
    const reaching = reachingAssignments(ctx, n);
    if (reaching.length === 1 && !reaching[0].where && !reaching[0].nil && reaching[0].value.type === 'conditional') return sameSiteWritten(ctx, reaching[0].value, depth + 1);
  }
  const value = sameSiteOf(ctx, n, depth);
  if (value !== 'unknown' || (n.type !== 'constant' && n.type !== 'scope_resolution') || rubyLookup(ctx, n) || !ctx.workspace) return { value };
  // A constant of another file: `SAME_SITE = :none` in config/initializers, `Security::SAME_SITE` in a module.
  const written = ctx.src(n).replace(/^::/, '');
  const symbol = ctx.workspace.table.lookup(GLOBAL_MODULE, written);
  if (typeof symbol?.value !== 'string') return { value };
  return { value: symbol.value.replace(/^:/, '').toLowerCase(), via: `through ${describeSymbol(ctx.workspace.filePath, written, symbol)}` };
}

/**
 * A flag set in another file of the application: `Rails.application.config.x.session.secure` as
 * config/environments/production.rb (else application.rb or an initializer) sets it, or a constant of
 * another file (`SessionPolicy::SECURE`), named with its file and line. Undefined when neither applies.
 */
function configuredTruth(ctx: AnalysisContext, n: Node): { value: Truth; via: string } | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  const text = ctx.src(n).replace(/\s+/g, '');
  const x = /^(?:Rails\.application\.|Rails\.configuration\.)?config\.x\.([\w.]+)$|^Rails\.configuration\.x\.([\w.]+)$/.exec(text);
  let symbol: WorkspaceSymbol | undefined;
  if (x) symbol = railsCustomSetting(ws.table, ws.filePath, x[1] ?? x[2]);
  else if ((n.type === 'constant' || n.type === 'scope_resolution') && !rubyLookup(ctx, n)) symbol = ws.table.lookup(GLOBAL_MODULE, text.replace(/^::/, ''));
  if (typeof symbol?.value !== 'boolean') return undefined;
  return { value: symbol.value ? 'true' : 'false', via: `as ${describeSymbol(ws.filePath, text, symbol)} sets it` };
}

/**
 * Rails' cookie defaults for the file's application: with `config.force_ssl = true` in
 * config/environments/production.rb, ActionDispatch::SSL marks every cookie Secure (a missing
 * `secure:` is not a finding); with `false` written there, that is why the cookie lacks it (said in the message).
 */
function railsDefaults(ctx: AnalysisContext, defaults: CookieSite['defaults']): CookieSite['defaults'] {
  const ws = ctx.workspace;
  const forceSsl = ws ? railsForceSsl(ws.table, ws.filePath) : undefined;
  if (!ws || !forceSsl) return defaults;
  if (forceSsl.value === true) return { ...defaults, secure: 'true' };
  return { ...defaults, secureNote: `and config.force_ssl = false in ${symbolPlace(ws.filePath, forceSsl)}, so Rails does not add it either` };
}

function literalTruth(ctx: AnalysisContext, n: Node): { value: Truth; envText?: string } {
  const t = ctx.src(n).trim();
  if (t === 'true') return { value: 'true' };
  if (t === 'false' || t === 'nil') return { value: 'false' };
  return ENV_CONDITION.test(t) ? { value: 'env', envText: t } : { value: 'unknown' };
}

/** A value that can reach a use, and the path on which it does (none: every path). */
interface Reaching {
  readonly value: Node;
  readonly where?: string;
  /** Whether the path is chosen by the environment (a switch, not a finding at warning level). */
  readonly env: boolean;
  /** The nil a `case` without `else` gives when no `when` matches (value is then the case). */
  readonly nil?: boolean;
}

/** Node types that run their body on some paths only, and how to name the path. */
const BRANCHES = new Set(['if', 'unless', 'elsif', 'else', 'if_modifier', 'unless_modifier', 'when', 'conditional', 'while', 'until', 'for', 'rescue', 'begin']);

/**
 * The assignments to a local that can reach `use` in its method: the last one made on every path,
 * and those made after it under a condition (`secure = false unless request.ssl?`, an `if`/`else`
 * branch), each with the condition in words.
 */
function reachingAssignments(ctx: AnalysisContext, use: Node): Reaching[] {
  const name = ctx.src(use);
  ctx.lookups.add(name);
  const method = ancestorsOf(use).reverse().find((a) => a.type === 'method' || a.type === 'singleton_method');
  const found = (assignments(ctx, use.tree.rootNode).get(name) ?? [])
    .filter((a) => a.endIndex <= use.startIndex && (!method || (a.startIndex >= method.startIndex && a.endIndex <= method.endIndex)));
  const out: Reaching[] = [];
  for (const a of found) {
    const right = a.childForFieldName('right');
    if (!right) continue;
    ctx.touch(a.startIndex, a.endIndex);
    const guards = ancestorsOf(a).filter((x) => (!method || x.startIndex >= method.startIndex) && BRANCHES.has(x.type) && !(x.startIndex <= use.startIndex && x.endIndex >= use.endIndex));
    if (guards.length === 0) {
      out.length = 0;
      // `secure = case Rails.env when "development" then false else true end`: each branch's value, named.
      if (right.type === 'case') out.push(...caseValues(ctx, right));
      else out.push({ value: right, env: false });
      continue;
    }
    const g = guards[guards.length - 1];
    const caseNode = g.type === 'when' || (g.type === 'else' && g.parent?.type === 'case') ? g.parent : null;
    if (caseNode) {
      const c = caseBranch(ctx, caseNode, g);
      out.push({ value: right, where: c.where, env: ENV_CONDITION.test(c.condText) });
      continue;
    }
    const ifNode = g.type === 'else' ? g.parent : g;
    const cond = ifNode?.childForFieldName('condition');
    const condText = cond ? ctx.src(cond).replace(/\s+/g, ' ') : '';
    const negated = g.type === 'else' || g.type === 'unless' || g.type === 'unless_modifier';
    const where = cond ? `${negated ? 'unless' : 'if'} ${condText}` : `in ${g.type}`;
    if (ifNode) ctx.touch(ifNode.startIndex, (cond ?? ifNode).endIndex);
    out.push({ value: right, where, env: ENV_CONDITION.test(condText) });
  }
  return out;
}

/**
 * A `case` branch in words: `when Rails.env is "development" or "test"`, `when Rails.env is none
 * of "production"` for the `else`, `when plan is :trial` (no case value: `when the branch ….`).
 */
function caseBranch(ctx: AnalysisContext, caseNode: Node, branch: Node): { where: string; condText: string } {
  const value = caseNode.childForFieldName('value');
  const valueText = value ? ctx.src(value).replace(/\s+/g, ' ') : '';
  const patternsOf = (w: Node) => namedChildren(w, ctx.text).filter((c) => c.type === 'pattern').map((p) => ctx.src(p).replace(/\s+/g, ' '));
  ctx.touch(caseNode.startIndex, (value ?? caseNode).endIndex);
  const patterns = branch.type === 'when' ? patternsOf(branch) : namedChildren(caseNode, ctx.text).filter((c) => c.type === 'when').flatMap(patternsOf);
  for (const w of branch.type === 'when' ? [branch] : namedChildren(caseNode, ctx.text).filter((c) => c.type === 'when')) {
    ctx.touch(w.startIndex, w.childForFieldName('body')?.startIndex ?? w.endIndex);
  }
  const list = patterns.join(' or ');
  const where = value
    ? branch.type === 'when' ? `when ${valueText} is ${list}` : `when ${valueText} is none of ${patterns.join(', ')}`
    : branch.type === 'when' ? `when ${list}` : `when none of ${patterns.join(', ')} holds`;
  return { where, condText: `${valueText} ${list}` };
}

/** The value each branch of a `case` expression ends with, and the branch in words (see caseBranch). */
function caseValues(ctx: AnalysisContext, caseNode: Node): Reaching[] {
  const out: Reaching[] = [];
  for (const b of namedChildren(caseNode, ctx.text)) {
    if (b.type !== 'when' && b.type !== 'else') continue;
    const body = b.type === 'when' ? b.childForFieldName('body') : b;
    const stmts = body ? namedChildren(body, ctx.text).filter((c) => c.type !== 'comment') : [];
    const last = stmts[stmts.length - 1];
    if (!last) continue;
    const c = caseBranch(ctx, caseNode, b);
    out.push({ value: last, where: c.where, env: ENV_CONDITION.test(c.condText) });
  }
  if (out.length === 0) return [{ value: caseNode, env: false }];
  // Without an else, a case that matches nothing gives nil: what every value not listed gets, named.
  if (!namedChildren(caseNode, ctx.text).some((c) => c.type === 'else')) {
    const c = caseBranch(ctx, caseNode, caseNode);
    out.push({ value: caseNode, where: `${c.where}, for which the case has no else`, env: ENV_CONDITION.test(c.condText), nil: true });
  }
  return out;
}

/** A flag's truth over the assignments that reach its use: false on one path is false, with that path named, unless the switch is the environment. */
function truthOfBranches(ctx: AnalysisContext, name: string, reaching: readonly Reaching[]): { value: Truth; envText?: string; branch?: string } {
  const each = reaching.map((r) => ({ ...r, t: r.nil ? { value: 'false' as const } : literalTruth(ctx, r.value) }));
  if (each.every((e) => e.t.value === 'true')) return { value: 'true' };
  const off = each.find((e) => e.t.value === 'false');
  if (off) {
    if (off.env) return { value: 'env', envText: off.nil ? `${name} is nil ${off.where}` : off.where ?? name };
    if (each.length === 1 || !off.where) return each.length === 1 ? { value: 'false' } : { value: 'false', branch: `${name} starts false` };
    return { value: 'false', branch: `${name} is ${off.nil ? 'nil' : 'set to false'} ${off.where}` };
  }
  const env = each.find((e) => e.t.value === 'env' || e.env);
  return env ? { value: 'env', envText: env.t.envText ?? env.where ?? name } : { value: 'unknown' };
}

/**
 * A Rails application class without `config.load_defaults`: Rails then runs with the defaults of
 * its oldest framework version, in which cookies carry no SameSite attribute.
 */
function missingLoadDefaults(ctx: AnalysisContext, cls: Node): void {
  ctx.touch(cls.startIndex, cls.endIndex);
  const body = ctx.src(cls);
  if (/\bload_defaults\b|cookies_same_site_protection\s*=/.test(body)) return;
  const name = cls.childForFieldName('name') ?? cls;
  ctx.report({
    ruleId: 'cookie-missing-samesite', ...span(name), severity: 'info',
    message: 'This Rails application never calls config.load_defaults, so Rails runs with its oldest defaults, which send no SameSite on the session and other cookies. Add config.load_defaults with your Rails version (6.1 or later sends SameSite=Lax), or set config.action_dispatch.cookies_same_site_protection = :lax.',
  });
}

/** Devise `config.rememberable_options = { … }`, `config.remember_for = …`, `config.extend_remember_period = true`. */
function deviseRememberable(ctx: AnalysisContext, assign: Node, setting: string, rhs: Node): void {
  if (setting === 'rememberable_options') {
    // `config.rememberable_options = CookiePolicy::REMEMBER`: a constant of another file holding the hash.
    const flags = rhs.type === 'hash' ? undefined : rubyHashFlags(ctx, rhs);
    if (flags) {
      checkCookieSite(ctx, {
        framework: 'Devise remember-me',
        session: true,
        anchor: span(assign),
        complete: false,
        ...writtenFlags(flags),
        defaults: { secure: 'unknown', httpOnly: 'true' },
        writer: { set: () => undefined },
      });
      return;
    }
    if (rhs.type !== 'hash') return;
    checkKeyedSite(ctx, {
      framework: 'Devise remember-me',
      // The remember-me cookie logs the user back in: an authentication cookie.
      session: true,
      anchor: assign,
      items: pairsOf(ctx, namedChildren(rhs, ctx.text)),
      list: rhs,
      complete: false,
      // Devise sets httponly: true itself; Secure and SameSite follow the app's cookie defaults, not known here.
      defaults: { secure: 'unknown', httpOnly: 'true' },
      syntax: syntax(ctx, 'expires'),
    });
    return;
  }
  if (setting === 'remember_for') {
    const secs = seconds(ctx, rhs);
    const limit = ctx.thresholds.maxSessionCookieLifetimeSeconds;
    if (secs === undefined || secs <= limit) return;
    const allowed = Math.max(1, Math.floor(limit / 86400));
    ctx.report({
      ruleId: 'cookie-long-lifetime', ...span(assign),
      message: `Devise's remember-me cookie lives ${Math.round(secs / 86400)} days (config.remember_for), longer than the ${allowed} days allowed for session cookies: a stolen cookie logs its holder in for that long. Shorten it.`,
      fix: { title: `Shorten to ${allowed} days`, edits: [{ ...span(rhs), newText: `${allowed}.days` }] },
    });
    return;
  }
  if (setting === 'extend_remember_period' && ctx.src(rhs).trim() === 'true') {
    ctx.report({
      ruleId: 'cookie-long-lifetime', ...span(assign), severity: 'info',
      message: "config.extend_remember_period = true renews Devise's remember-me cookie on every visit: a stolen cookie then stays valid as long as it is used, with no absolute limit. Leave it false unless users must stay signed in indefinitely.",
      fix: { title: 'Set extend_remember_period = false', edits: [{ ...span(rhs), newText: 'false' }] },
    });
  }
}

/** Ruby/Rails: session_store, cookies[...] = {...}, cookies.permanent, secret_key_base, ruby-jwt. */
export const rubyAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['program']),
  keywords: /cookie|session|secret|JWT|forgery|authenticity_token|load_defaults|Rails::Application|remember/,
  anchors: /\b(skip_before_action|protect_from_forgery|skip_forgery_protection|load_defaults|rememberable_options|remember_for|extend_remember_period)\b|<\s*Rails::Application\b|\.\s*session_store\b|\bJWT\s*\.\s*(encode|decode)\b|\bcookies\b[^\n=]*\]\s*=|\.\s*secret_key_base\s*=/g,
  // Constants and instance variables a chunk assigns: secrets are looked up through them.
  declares: (chunk, ctx) => [...ctx.src(chunk).matchAll(/(?:^|\n)[ \t]*([A-Z][A-Za-z0-9_]*|@\w+)\s*(?:\|\||&&)?=[^=~>]/g)].map((m) => m[1]),
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

/**
 * `skip_before_action :verify_authenticity_token`, `skip_forgery_protection` and
 * `protect_from_forgery with: :null_session` in a controller that serves pages (not an
 * `ActionController::API` controller, nor one in an `Api` namespace, which authenticate by header).
 */
function forgeryProtection(ctx: AnalysisContext, call: Node, name: string, args: Node | undefined): void {
  if (call.childForFieldName('receiver')) return;
  const list = args ? namedChildren(args, ctx.text) : [];
  if (name === 'skip_before_action' && !list.some((a) => ctx.src(a) === ':verify_authenticity_token')) return;
  if (name === 'protect_from_forgery' && !pairsOf(ctx, list).some((p) => p.key === 'with' && ctx.src(p.value) === ':null_session')) return;
  // The enclosing class and modules: an API controller has no cookie session to protect.
  const scopes: string[] = [];
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'class' || p.type === 'module') {
      const head = ctx.text.slice(p.startIndex, (p.namedChildren.find((c) => c?.type === 'body_statement') ?? p).startIndex);
      ctx.touch(p.startIndex, p.startIndex + head.length);
      scopes.push(head);
    }
  }
  if (scopes.length === 0 || scopes.some((h) => /ActionController::API\b|\bApi(::|\b)|\bAPI::/.test(h))) return;
  const nullSession = name === 'protect_from_forgery';
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', call.startIndex - 1) + 1;
  const eol = text.indexOf('\n', call.endIndex);
  const alone = /^[ \t]*$/.test(text.slice(lineStart, call.startIndex)) && eol !== -1 && /^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(call.endIndex, eol));
  const withNode = nullSession ? pairsOf(ctx, list).find((p) => p.key === 'with')?.value : undefined;
  ctx.report({
    ruleId: 'csrf-protection-disabled', ...span(call),
    // null_session empties the session and cookie jar of a forged request rather than rejecting it: weaker, not off.
    ...(nullSession ? { severity: 'info' as const } : {}),
    message: nullSession
      ? 'protect_from_forgery with: :null_session runs a request without a valid token with an empty session and cookie jar instead of rejecting it: meant for header-authenticated APIs. In a controller serving pages, forged posts then fail silently, and anything authenticated another way (HTTP Basic, a header) still runs. Use with: :exception.'
      : `${name === 'skip_before_action' ? 'Skipping verify_authenticity_token' : 'skip_forgery_protection'} switches CSRF protection off for this controller: any site can make a logged-in browser post to it with the session cookie. Remove it; API controllers that authenticate by header should inherit from ActionController::API.`,
    ...(withNode ? { fix: { title: 'Use with: :exception', edits: [{ ...span(withNode), newText: ':exception' }] } }
      : alone ? { fix: { title: 'Keep CSRF protection on (remove the skip)', edits: [{ start: lineStart, end: eol + 1, newText: '' }] } } : {}),
  });
}

function pairsOf(ctx: AnalysisContext, nodes: readonly Node[]): KeyedItem[] {
  return nodes.flatMap((p) => {
    if (p.type !== 'pair') return [];
    const k = p.childForFieldName('key');
    const v = p.childForFieldName('value');
    if (!k || !v) return [];
    return [{ key: ctx.src(k).replace(/^:|:$|^["']|["']$/g, '').replace(/["']$/, ''), value: v, item: p }];
  });
}

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const railsApp = capture(m, 'railsApp');
  if (railsApp) {
    missingLoadDefaults(ctx, railsApp);
    return;
  }
  const devise = capture(m, 'devise');
  if (devise) {
    deviseRememberable(ctx, capture(m, 'assign')!, ctx.src(devise), capture(m, 'rhs')!);
    return;
  }
  const bare = capture(m, 'bare');
  if (bare) {
    forgeryProtection(ctx, bare, 'skip_forgery_protection', undefined);
    return;
  }
  const call = capture(m, 'call');
  const args = capture(m, 'args');
  const method = capture(m, 'method');
  if (call && args && method) {
    const name = ctx.src(method);
    if (name === 'session_store') sessionStore(ctx, call, args);
    else if (name === 'load_defaults') loadDefaults(ctx, call, args);
    else if (name === 'skip_before_action' || name === 'protect_from_forgery' || name === 'skip_forgery_protection') forgeryProtection(ctx, call, name, args);
    else {
      const receiver = call.childForFieldName('receiver');
      if (receiver && ctx.src(receiver) === 'JWT') rubyJwt(ctx, call, name, args);
    }
    return;
  }
  const assign = capture(m, 'assign');
  const rhs = capture(m, 'rhs');
  if (!assign || !rhs) return;
  if (capture(m, 'attr')) {
    rubySecret(ctx, rhs, 'The secret_key_base', 'SECRET_KEY_BASE', 'session');
    return;
  }
  const jar = capture(m, 'jar');
  const target = capture(m, 'target');
  if (jar && target) cookieJar(ctx, assign, jar, target, rhs);
}

/** `config.session_store :cookie_store, key: …, secure: …, expire_after: …`. */
function sessionStore(ctx: AnalysisContext, call: Node, args: Node): void {
  const list = namedChildren(args, ctx.text);
  const items = pairsOf(ctx, list);
  const parens = ctx.text[args.startIndex] === '(';
  const last = list[list.length - 1];
  checkKeyedSite(ctx, {
    framework: 'Rails session_store',
    session: true,
    anchor: call,
    items,
    ...(parens ? { list: args } : {}),
    create: (pairs) => (last ? { start: last.endIndex, end: last.endIndex, newText: `, ${pairs.join(', ')}` } : undefined),
    complete: !list.some((a) => a.type === 'hash_splat_argument'),
    defaults: railsDefaults(ctx, { secure: 'false', httpOnly: 'true', sameSite: 'lax', path: '/' }),
    syntax: syntax(ctx, 'expire_after'),
  });
}

/** `cookies[:name] = value | { value:, secure:, … }`, through `.permanent`, `.signed`, `.encrypted`. */
function cookieJar(ctx: AnalysisContext, assign: Node, jar: Node, target: Node, rhs: Node): void {
  const jarText = ctx.src(jar).replace(/\s+/g, '');
  if (!/^cookies(\.(permanent|signed|encrypted))*$/.test(jarText)) return;
  const keyNode = namedChildren(target, ctx.text).filter((c) => c.startIndex > jar.endIndex)[0];
  const keyText = keyNode ? ctx.src(keyNode).replace(/^:|^["']|["']$/g, '') : undefined;
  const permanent = jarText.includes('.permanent');
  const defaults: CookieSite['defaults'] = railsDefaults(ctx, { secure: 'false', httpOnly: 'false', sameSite: 'lax', path: '/' });
  const name = keyNode && (keyNode.type === 'simple_symbol' || keyNode.type === 'string') && keyText ? { value: keyText, node: keyNode } : undefined;
  if (rhs.type === 'hash') {
    const items = pairsOf(ctx, namedChildren(rhs, ctx.text));
    const valueItem = items.find((i) => i.key === 'value');
    checkKeyedSite(ctx, {
      framework: 'Rails cookies',
      session: false,
      anchor: assign,
      items,
      list: rhs,
      ...(name ? { name } : keyNode ? { nameHint: ctx.src(keyNode) } : {}),
      ...(valueItem ? { valueHint: ctx.src(valueItem.value) } : {}),
      complete: !namedChildren(rhs, ctx.text).some((c) => c.type === 'hash_splat_argument'),
      defaults,
      syntax: syntax(ctx, 'expires'),
    });
    if (permanent) permanentFinding(ctx, jar, rhs);
    return;
  }
  // `remember_cookie(token)`, `auth_cookie.merge(value: token)`: a hash of another file's helper or constant.
  const flags = rubyHashFlags(ctx, rhs);
  if (flags) {
    const valueHint = flags.valueHint ?? firstArgument(ctx, rhs);
    checkCookieSite(ctx, {
      framework: 'Rails cookies',
      ...(name ? { name: { value: name.value, ...span(name.node) } } : keyNode ? { nameHint: ctx.src(keyNode) } : {}),
      ...(valueHint !== undefined ? { valueHint } : {}),
      session: false,
      anchor: span(assign),
      // Only the flags the other file writes as literals are known.
      complete: false,
      ...writtenFlags(flags),
      defaults,
      writer: { set: () => undefined },
    });
    if (permanent) permanentFinding(ctx, jar, rhs);
    return;
  }
  // A plain value: every attribute is the default; a fix turns it into the hash form.
  const value = ctx.src(rhs);
  checkCookieSite(ctx, {
    framework: 'Rails cookies',
    ...(name ? { name: { value: name.value, ...span(name.node) } } : keyNode ? { nameHint: ctx.src(keyNode) } : {}),
    valueHint: value,
    session: false,
    anchor: span(assign),
    complete: true,
    defaults,
    writer: {
      set(changes) {
        const pairs = changes.map(([a, v]) => `${syntax(ctx, 'expires').keyFor[a] ?? a}: ${syntax(ctx, 'expires').render(a, v)}`);
        return [{ ...span(rhs), newText: `{ value: ${value}, ${pairs.join(', ')} }` } satisfies OffsetEdit];
      },
    },
  });
  if (permanent) permanentFinding(ctx, jar, rhs);
}

function permanentFinding(ctx: AnalysisContext, jar: Node, rhs: Node): void {
  const at = ctx.src(jar).indexOf('permanent');
  const fix = permanentFix(ctx, jar, at, rhs);
  ctx.report({
    ruleId: 'cookie-long-lifetime', start: jar.startIndex + at, end: jar.startIndex + at + 'permanent'.length,
    message: 'cookies.permanent sets a 20-year expiry; browsers cap it at 400 days and a stolen cookie stays valid that long. Set an explicit, short expires instead.',
    ...(fix ? { fix } : {}),
  });
}

/** Values that can stand as a hash value as written; anything else is wrapped in parentheses. */
const PLAIN_VALUE = new Set([
  'identifier', 'constant', 'scope_resolution', 'instance_variable', 'class_variable', 'global_variable', 'string', 'simple_symbol',
  'delimited_symbol', 'integer', 'float', 'true', 'false', 'nil', 'self', 'element_reference', 'parenthesized_statements', 'array', 'hash',
]);

/**
 * `cookies.permanent[:k] = v` → `cookies[:k] = { value: v, expires: 30.days }` (the configured
 * maximum): drops `.permanent` from the jar and writes the lifetime. A hash that already says
 * `expires:`/`max_age:` only loses `.permanent` (permanent overrode it; now it applies). No fix
 * when the hash has a `**splat` (it may carry a shorter expires) or the value is a list.
 */
function permanentFix(ctx: AnalysisContext, jar: Node, at: number, rhs: Node): { title: string; edits: OffsetEdit[] } | undefined {
  const jarText = ctx.src(jar);
  if (at < 0 || jarText.indexOf('permanent', at + 1) !== -1) return undefined;
  const dot = jarText.lastIndexOf('.', at);
  if (dot < 0 || jarText.slice(dot + 1, at).trim() !== '') return undefined;
  const drop: OffsetEdit = { start: jar.startIndex + dot, end: jar.startIndex + at + 'permanent'.length, newText: '' };
  const days = Math.max(1, Math.floor(Math.min(ctx.thresholds.maxSessionCookieLifetimeSeconds, 400 * 86400) / 86400));
  const expires = `expires: ${days}.days`;
  const title = `Expire in ${days} days instead of permanent`;
  if (rhs.type === 'hash') {
    const children = namedChildren(rhs, ctx.text);
    if (children.some((c) => c.type !== 'pair')) return undefined;
    if (pairsOf(ctx, children).some((p) => p.key === 'expires' || p.key === 'max_age')) return { title: 'Remove permanent (use the written expiry)', edits: [drop] };
    return { title, edits: [drop, insertListItem(ctx, span(rhs), children.map(span), expires, ' ')] };
  }
  if (rhs.type === 'right_assignment_list' || rhs.type === 'splat_argument' || rhs.type === 'heredoc_beginning') return undefined;
  const src = ctx.src(rhs);
  const isPlainCall = rhs.type === 'call' && (!rhs.childForFieldName('arguments') || ctx.src(rhs.childForFieldName('arguments')!).startsWith('(')) && !rhs.childForFieldName('block');
  const value = PLAIN_VALUE.has(rhs.type) || isPlainCall ? src : `(${src})`;
  return { title, edits: [drop, { ...span(rhs), newText: `{ value: ${value}, ${expires} }` }] };
}

/** `JWT.encode(payload, 'secret', 'HS256')`, `JWT.decode(token, key, false)`. */
function rubyJwt(ctx: AnalysisContext, call: Node, method: string, args: Node): void {
  const list = namedChildren(args, ctx.text);
  const key = list[1];
  if (key) rubySecret(ctx, key, 'The JWT key', 'JWT_SECRET', 'jwt');
  if (method === 'encode') {
    const alg = list[2];
    if (alg && /^["']none["']$/i.test(ctx.src(alg).trim())) {
      ctx.report({ ruleId: 'jwt-alg-none', ...span(alg), message: 'Tokens signed with algorithm "none" carry no signature: anyone can forge them. Use HS256 with a strong key or an asymmetric algorithm.', fix: { title: 'Sign with HS256', edits: [{ ...span(alg), newText: "'HS256'" }] } });
    }
    return;
  }
  const verify = list[2];
  if (verify && ctx.src(verify).trim() === 'false') {
    ctx.report({ ruleId: 'jwt-verify-disabled', ...span(verify), message: 'JWT.decode with verify = false accepts any token, forged or not. Pass true and the algorithm you sign with.', fix: { title: 'Verify the signature', edits: [{ ...span(verify), newText: 'true' }] } });
  }
  const opts = list.find((a) => a.type === 'hash') ?? list.filter((a) => a.type === 'pair');
  const optText = Array.isArray(opts) ? opts.map((o) => ctx.src(o)).join(' ') : ctx.src(opts);
  const algs = [...optText.matchAll(/["']([A-Za-z0-9]+)["']/g)].map((x) => x[1]);
  if (/algorithms?/.test(optText)) {
    if (algs.some((a) => a.toLowerCase() === 'none')) ctx.report({ ruleId: 'jwt-alg-none', ...span(call), message: 'The verifier accepts alg "none": unsigned tokens pass. Remove it.' });
    if (algs.some((a) => /^HS/.test(a)) && algs.some((a) => /^(RS|ES|PS)/.test(a))) {
      ctx.report({ ruleId: 'jwt-algorithm-confusion', ...span(call), message: 'The verifier accepts both HMAC and public-key algorithms: a token signed with HS256 using the public key as secret passes. Allow one family only.' });
    }
  }
}

// ---------------------------------------------------------------- secrets

const isPlainString = (ctx: AnalysisContext, n: Node): boolean => n.type === 'string' && !namedChildren(n, ctx.text).some((c) => c.type === 'interpolation');

/** Assignments of the file by their left side, read once per pass. */
function assignments(ctx: AnalysisContext, root: Node): Map<string, Node[]> {
  return ctx.memo('rb.assignments', () => {
    const out = new Map<string, Node[]>();
    for (const a of root.descendantsOfType(['assignment', 'operator_assignment'])) {
      const left = a?.childForFieldName('left');
      if (!a || !left) continue;
      const key = ctx.src(left);
      const list = out.get(key) ?? [];
      list.push(a);
      out.set(key, list);
    }
    return out;
  });
}

/**
 * What a name holds: a local assigned earlier in the same method, a constant (`SECRET`, `Config::SECRET`)
 * or an instance variable assigned anywhere in the file (`@secret` in initialize).
 */
function rubyLookup(ctx: AnalysisContext, n: Node): Node | undefined {
  const root = n.tree.rootNode;
  const type = n.type;
  const name = type === 'scope_resolution' ? ctx.src(n.childForFieldName('name') ?? n) : ctx.src(n);
  ctx.lookups.add(name);
  const found = assignments(ctx, root).get(name) ?? [];
  if (type === 'identifier') {
    const method = ancestorsOf(n).reverse().find((a) => a.type === 'method' || a.type === 'singleton_method');
    const before = found.filter((a) => a.endIndex <= n.startIndex && (!method || (a.startIndex >= method.startIndex && a.endIndex <= method.endIndex)));
    const last = before[before.length - 1];
    if (last) ctx.touch(last.startIndex, last.endIndex);
    return last?.childForFieldName('right') ?? undefined;
  }
  const first = found[0];
  if (first) ctx.touch(first.startIndex, first.endIndex);
  return first?.childForFieldName('right') ?? undefined;
}

/**
 * Reports a literal secret, followed through locals, constants, instance variables, `ENV['X'] || 'dev'`
 * and `ENV.fetch('X', 'dev')` fallbacks, ternaries, concatenation, literal arrays and `.freeze`/Base64 wrappers.
 */
function rubySecret(ctx: AnalysisContext, node: Node, what: string, envName: string, kind: 'session' | 'jwt', via?: string, depth = 0): void {
  if (depth > 6) return;
  const n = node.type === 'parenthesized_statements' && node.firstNamedChild ? node.firstNamedChild : node;
  const next = (x: Node, how: string | undefined) => rubySecret(ctx, x, what, envName, kind, how ?? via, depth + 1);
  const viaPart = via ? { via } : {};
  const fetch = `ENV.fetch("${envName}")`;
  switch (n.type) {
    case 'string':
      if (isPlainString(ctx, n)) reportHardcodedSecret(ctx, { kind, ...span(n), what, envName, replacement: fetch, ...viaPart });
      return;
    case 'identifier':
    case 'constant':
    case 'scope_resolution':
    case 'instance_variable': {
      const init = rubyLookup(ctx, n);
      if (init && init.startIndex !== n.startIndex) next(init, `through ${ctx.src(n)}`);
      else if (!init && (n.type === 'constant' || n.type === 'scope_resolution') && ctx.workspace) {
        // A constant of another workspace file (config/initializers, a module of constants).
        const symbol = ctx.workspace.table.lookup(GLOBAL_MODULE, ctx.src(n).replace(/^::/, ''));
        // A Symbol constant (`SAME_SITE = :none`) is no secret.
        if (symbol && !(typeof symbol.value === 'string' && /^:\w+$/.test(symbol.value))) reportExternalSecret(ctx, { kind, ...span(n), what, envName, ...(via ? { via } : {}), symbol, expression: ctx.src(n) });
      }
      return;
    }
    case 'conditional': {
      const [cond, a, b] = namedChildren(n, ctx.text);
      if (!cond || !a || !b) return;
      const c = ctx.src(cond).replace(/\s+/g, ' ');
      next(a, `on the branch where ${c} is true`);
      next(b, `on the branch where ${c} is false`);
      return;
    }
    case 'binary': {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const op = n.childForFieldName('operator');
      if (!left || !right || !op) return;
      const o = ctx.src(op);
      if ((o === '||' || o === 'or') && isPlainString(ctx, right)) {
        const m = /ENV\[\s*['"]([^'"]+)['"]\s*\]/.exec(ctx.src(left));
        if (m || /\bENV\b|credentials/.test(ctx.src(left))) {
          const credential = /credentials\b\.?(.*)$/.exec(ctx.src(left).replace(/\s+/g, ''));
          const missing = m ? m[1] : credential ? `the credential ${credential[1] || 'it reads'}` : envName;
          reportHardcodedSecret(ctx, { kind, ...span(n), what, envName: missing, replacement: ctx.src(left), fallback: true, ...viaPart });
        }
        return;
      }
      if (o === '+' && rubyString(ctx, n) !== undefined) reportHardcodedSecret(ctx, { kind, ...span(n), what, envName, replacement: fetch, ...viaPart });
      return;
    }
    case 'element_reference': {
      const obj = n.firstNamedChild;
      const idx = namedChildren(n, ctx.text)[1];
      if (!obj || !idx || idx.type !== 'integer') return;
      let arr = obj.type === 'array' ? obj : obj.type === 'constant' || obj.type === 'identifier' ? rubyLookup(ctx, obj) : undefined;
      if (arr?.type === 'call' && ctx.src(arr.childForFieldName('method') ?? arr) === 'freeze') arr = arr.childForFieldName('receiver') ?? undefined;
      const el = arr?.type === 'array' ? namedChildren(arr, ctx.text)[Number(ctx.src(idx))] : undefined;
      if (el) next(el, `through ${ctx.src(n)}`);
      return;
    }
    case 'call': {
      const receiver = n.childForFieldName('receiver');
      const method = ctx.src(n.childForFieldName('method') ?? n);
      const args = n.childForFieldName('arguments');
      const list = args ? namedChildren(args, ctx.text) : [];
      if (receiver && ctx.src(receiver) === 'ENV' && method === 'fetch' && list[1] && isPlainString(ctx, list[1])) {
        const name = rubyString(ctx, list[0]) ?? envName;
        reportHardcodedSecret(ctx, { kind, ...span(n), what, envName: name, replacement: `ENV.fetch(${ctx.src(list[0])})`, fallback: true, ...viaPart });
        return;
      }
      if (receiver && /credentials\b/.test(ctx.src(receiver)) && method === 'fetch' && list[1] && isPlainString(ctx, list[1])) {
        // `Rails.application.credentials.fetch(:secret_key_base, 'dev')`: the literal when the credential is missing.
        reportHardcodedSecret(ctx, {
          kind, ...span(n), what, envName: `the credential ${ctx.src(list[0]).replace(/^:/, '')}`, replacement: `${ctx.src(receiver)}.fetch(${ctx.src(list[0])})`, fallback: true, ...viaPart,
        });
        return;
      }
      if (receiver && /^(freeze|to_s|b|dup|encode)$/.test(method)) next(receiver, undefined);
      else if (receiver && /^(Base64|Digest::SHA256|OpenSSL::Digest::SHA256)$/.test(ctx.src(receiver)) && list[0]) next(list[0], undefined);
      return;
    }
    default:
      return;
  }
}

/** A string literal or a concatenation of them. */
function rubyString(ctx: AnalysisContext, n: Node): string | undefined {
  if (isPlainString(ctx, n)) return ctx.src(n).slice(1, -1);
  if (n.type === 'binary' && ctx.src(n.childForFieldName('operator') ?? n) === '+') {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const a = l ? rubyString(ctx, l) : undefined;
    const b = r ? rubyString(ctx, r) : undefined;
    return a !== undefined && b !== undefined ? a + b : undefined;
  }
  return undefined;
}

/**
 * `config.load_defaults 5.2`: Rails sends SameSite=Lax on its cookies only from the 6.1 defaults
 * (action_dispatch.cookies_same_site_protection); below that, and unless the app sets it, no SameSite is sent.
 */
function loadDefaults(ctx: AnalysisContext, call: Node, args: Node): void {
  const v = Number(ctx.src(namedChildren(args, ctx.text)[0] ?? args).replace(/['"]/g, ''));
  if (!Number.isFinite(v) || v >= 6.1) return;
  // The setting may be anywhere in the file (read once per pass).
  if (ctx.memo('rb.sameSiteProtection', () => /cookies_same_site_protection\s*=/.test(ctx.text))) return;
  ctx.report({
    ruleId: 'cookie-missing-samesite', ...span(call),
    message: `With config.load_defaults ${ctx.src(args).trim()} Rails sends no SameSite on its cookies (SameSite=Lax comes with the 6.1 defaults). Load 6.1 or later defaults, or set config.action_dispatch.cookies_same_site_protection = :lax.`,
  });
}
