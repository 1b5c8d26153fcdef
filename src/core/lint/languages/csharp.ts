import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, removeListItem, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type CookieAttr, type CookieSite, checkCookieSite } from '../cookieChecks';
import { type KeyedItem, type KeyedSyntax, canon, checkKeyedSite } from '../keyedSite';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { describeSymbol } from '../symbols/symbolTable';
import { csharpConfigValue } from './crossFileConstants';
import { configuredSameSite, configuredSeconds, configuredTruth } from './csharpConfiguredCookie';
import { callerCookieName } from './csharpCookieHelpers';
import { parsedSameSite } from './csharpEnumParse';
import { constModifierOf, csharpValue } from './csharpValues';
import { type ResolvedValue, externalsOf, literalsOf, truthOfValue } from './resolvedValue';

const QUERY = `
(object_creation_expression type: (identifier) @type
  (#any-of? @type "CookieOptions" "CookieBuilder" "SymmetricSecurityKey" "TokenValidationParameters" "HMACSHA256" "IgnoreAntiforgeryTokenAttribute")) @new
(invocation_expression
  function: (member_access_expression name: (identifier) @method
    (#any-of? @method "AddSession" "ConfigureApplicationCookie" "AddCookie" "AddAntiforgery" "DisableAntiforgery" "AddJwtBearer" "Append"))
  arguments: (argument_list) @args) @call
(invocation_expression
  function: (member_access_expression name: (generic_name (identifier) @configure (type_argument_list) @optionsType
    (#any-of? @configure "Configure" "PostConfigure" "ConfigureAll" "PostConfigureAll")))
  arguments: (argument_list) @args) @call
(method_declaration name: (identifier) @configureMethod (#any-of? @configureMethod "Configure" "PostConfigure")) @configureClass
(implicit_object_creation_expression) @implicitNew
(attribute name: (identifier) @attrName (#any-of? @attrName "IgnoreAntiforgeryToken" "IgnoreAntiforgeryTokenAttribute")) @attribute
`;

const ENV = /Environment\.|Configuration\[|IsDevelopment|IsProduction|builder\.Environment|env\./;

function secondsOf(ctx: AnalysisContext, n: Node): number | undefined {
  const configured = configuredSeconds(ctx, n);
  if (configured !== undefined) return configured;
  const t = ctx.src(n).replace(/\s+/g, '');
  const ts = /^TimeSpan\.From(Days|Hours|Minutes|Seconds)\((\d+(?:\.\d+)?)\)$/.exec(t);
  if (ts) return Number(ts[2]) * { Days: 86400, Hours: 3600, Minutes: 60, Seconds: 1 }[ts[1] as 'Days'];
  const add = /^(?:DateTime(?:Offset)?\.(?:Utc)?Now)\.Add(Years|Months|Days|Hours|Minutes|Seconds)\((\d+)\)$/.exec(t);
  if (add) return Number(add[2]) * { Years: 365 * 86400, Months: 30 * 86400, Days: 86400, Hours: 3600, Minutes: 60, Seconds: 1 }[add[1] as 'Days'];
  return undefined;
}

function syntax(ctx: AnalysisContext, prefix: string): KeyedSyntax {
  return {
    keyFor: {
      secure: prefix === 'Cookie.' ? 'Cookie.SecurePolicy' : 'Secure', httpOnly: `${prefix}HttpOnly`, sameSite: `${prefix}SameSite`,
      domain: `${prefix}Domain`, path: `${prefix}Path`, name: prefix ? `${prefix}Name` : undefined,
    },
    lifetime: [
      { key: `${prefix}MaxAge`, seconds: (n) => secondsOf(ctx, n), render: (d) => `TimeSpan.FromDays(${d})` },
      { key: 'Expires', seconds: (n) => secondsOf(ctx, n), render: (d) => `DateTimeOffset.UtcNow.AddDays(${d})` },
      { key: 'ExpireTimeSpan', seconds: (n) => secondsOf(ctx, n), render: (d) => `TimeSpan.FromDays(${d})` },
    ],
    truth: (n) => {
      const leaf = (node: Node): boolean | { env: string } | undefined => {
        const text = ctx.src(node).trim();
        if (text === 'CookieSecurePolicy.Always') return true;
        if (text === 'CookieSecurePolicy.None') return false;
        // SameAsRequest: Secure only when the request came over HTTPS, which a TLS-terminating proxy hides.
        if (text === 'CookieSecurePolicy.SameAsRequest' || ENV.test(text)) return { env: text };
        return undefined;
      };
      // `HttpOnly = settings.HttpOnly`, `settings.Secure ? … : …` with the flag in appsettings*.json.
      const configured = configuredTruth(ctx, n, (node) => {
        const l = node.type === 'boolean_literal' ? ctx.src(node) === 'true' : leaf(node);
        return l === undefined ? undefined : typeof l === 'boolean' ? (l ? 'true' : 'false') : 'env';
      });
      if (configured) return configured;
      const t = truthOfValue(csharpValue(ctx, n), (v) => leaf(v.node));
      return { value: t.truth, ...(t.envText ? { envText: t.envText } : {}), ...(t.branch ? { branch: t.branch } : {}) };
    },
    sameSite: (n) => {
      const configured = configuredSameSite(ctx, n);
      if (configured !== undefined) return configured;
      // `Enum.Parse<SameSiteMode>(Configuration["Cookie:SameSite"])`, `Enum.TryParse(…, out var mode)`.
      const parsed = parsedSameSite(ctx, n);
      if (parsed !== undefined) return parsed;
      const modes = new Set<string>();
      const read = (v: ResolvedValue): boolean => {
        if (v.k === 'choice') return v.branches.every((b) => read(b.value));
        const m = v.k === 'other' ? /SameSiteMode\.(\w+)/.exec(ctx.src(v.node)) : null;
        if (m) modes.add(m[1] === 'Unspecified' ? '' : m[1].toLowerCase());
        return !!m;
      };
      const v = csharpValue(ctx, n);
      // `SameSite = CookieModes.Receipt` with `const SameSiteMode Receipt = SameSiteMode.Unspecified;` in another class: named in the message.
      const member = v.k === 'external' && typeof v.symbol.value === 'string' ? /^SameSiteMode\.(Unspecified|None|Lax|Strict)$/.exec(v.symbol.value) : null;
      if (member && v.k === 'external' && ctx.workspace) return { value: member[1] === 'Unspecified' ? '' : member[1].toLowerCase(), via: describeSymbol(ctx.workspace.filePath, ctx.src(n), v.symbol) };
      if (!read(v) || modes.size === 0) return 'unknown';
      // Modes that differ by path: the environment decides, or the code does in a way not judged here.
      return modes.size === 1 ? [...modes][0] : v.k === 'choice' && v.env ? 'env' : 'unknown';
    },
    string: (n) => {
      const v = csharpValue(ctx, n);
      return v.k === 'str' ? v.v : v.k === 'external' && typeof v.symbol.value === 'string' ? v.symbol.value : undefined;
    },
    render: (attr: CookieAttr, value: string) => {
      if (attr === 'secure' && prefix === 'Cookie.') return value === 'true' ? 'CookieSecurePolicy.Always' : 'CookieSecurePolicy.None';
      if (attr === 'sameSite') return `SameSiteMode.${value.charAt(0).toUpperCase()}${value.slice(1)}`;
      if (value === 'true' || value === 'false') return value;
      return `"${value}"`;
    },
    pair: (key, value) => `${key} = ${value}`,
  };
}

/** C#: CookieOptions initialisers, AddSession/ConfigureApplicationCookie/AddCookie options, JWT keys and validation. */
export const csharpAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['compilation_unit', 'namespace_declaration', 'file_scoped_namespace_declaration', 'declaration_list', 'class_declaration']),
  keywords: /Cookie|Session|Jwt|SecurityKey|TokenValidation|Antiforgery/,
  anchors: /\bnew\s+(CookieOptions|CookieBuilder|SymmetricSecurityKey|TokenValidationParameters|HMACSHA256|IgnoreAntiforgeryTokenAttribute)\b|\.\s*(AddSession|ConfigureApplicationCookie|AddCookie|AddAntiforgery|DisableAntiforgery|AddJwtBearer)\s*\(|\bCookies\s*\.\s*Append\s*\(|\b(?:CookieOptions|SymmetricSecurityKey|TokenValidationParameters|HMACSHA256)\s*(?:\s@?\w+\s*)?=\s*new\s*\(|\b(?:CookieOptions|SymmetricSecurityKey|TokenValidationParameters)\s+@?\w+\s*\([^()]*\)\s*=>\s*new\s*\(|\breturn\s+new\s*\(|\bIgnoreAntiforgeryToken\b|\.\s*(?:Post)?Configure(?:All)?\s*<\s*(?:[\w.]+\.)?(?:CookieAuthenticationOptions|SessionOptions|AntiforgeryOptions)\s*>|\b(?:Post)?Configure\s*\(\s*(?:string\??\s+\w+\s*,\s*)?(?:[\w.]+\.)?(?:CookieAuthenticationOptions|SessionOptions|AntiforgeryOptions)\s+\w+\s*\)/g,
  declares: (chunk, ctx) => {
    // Fields (`const string Key = "…"`) are read by the checks of other members.
    // Top-level locals (`var httpOnly = false;` in Program.cs) are read by the statements after them.
    if (chunk.type === 'global_statement' && chunk.firstNamedChild?.type === 'local_declaration_statement') {
      return chunk.descendantsOfType('variable_declarator').flatMap((d) => (d?.firstNamedChild ? [ctx.src(d.firstNamedChild)] : []));
    }
    if (chunk.type !== 'field_declaration') return [];
    return chunk.descendantsOfType('variable_declarator').flatMap((d) => (d?.firstNamedChild ? [ctx.src(d.firstNamedChild)] : []));
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const attribute = capture(m, 'attribute');
  if (attribute) {
    ignoreAntiforgery(ctx, attribute);
    return;
  }
  const implicit = capture(m, 'implicitNew');
  const created = capture(m, 'new') ?? implicit;
  const type = capture(m, 'type');
  if (created && (type || implicit)) {
    const t = type ? ctx.src(type) : targetType(ctx, created);
    if (t === undefined) return;
    if (t === 'CookieOptions') cookieOptions(ctx, created);
    else if (t === 'IgnoreAntiforgeryTokenAttribute') ignoreAntiforgery(ctx, created);
    // A CookieBuilder is judged with the options it is assigned to (optionsLambda), or where a method returns it.
    else if (t === 'CookieBuilder') returnedCookieBuilder(ctx, created);
    else if (t === 'SymmetricSecurityKey' || t === 'HMACSHA256') keyMaterial(ctx, created);
    else if (t === 'TokenValidationParameters') tokenValidation(ctx, created);
    return;
  }
  const configureMethod = capture(m, 'configureMethod');
  if (configureMethod) {
    configureOptionsClass(ctx, capture(m, 'configureClass')!);
    return;
  }
  const call = capture(m, 'call');
  const args = capture(m, 'args');
  const optionsType = capture(m, 'optionsType');
  if (call && args && optionsType) {
    // `services.Configure<CookieAuthenticationOptions>(scheme, o => …)`, `PostConfigure<SessionOptions>(o => …)`.
    const key = OPTIONS_TYPES[ctx.src(optionsType).replace(/[<>\s]/g, '').replace(/^.*\./, '')];
    if (key) optionsLambda(ctx, call, key, args);
    return;
  }
  const method = capture(m, 'method');
  if (call && method && args && ctx.src(method) === 'DisableAntiforgery') ignoreAntiforgery(ctx, call, method);
  else if (call && method && args && ctx.src(method) === 'AddJwtBearer') jwtBearerOptions(ctx, args);
  else if (call && method && args && ctx.src(method) === 'Append') appendWithoutOptions(ctx, call, args);
  else if (call && method && args) optionsLambda(ctx, call, ctx.src(method), args);
}

/** The argument list of `new T(…)` or of a target-typed `new(…)` (whose children have no field names). */
function creationArgs(n: Node): Node | undefined {
  return n.childForFieldName('arguments') ?? n.namedChildren.find((c) => c?.type === 'argument_list') ?? undefined;
}

/** The `{ … }` initializer of `new T { … }` or of a target-typed `new() { … }`. */
function creationInit(n: Node): Node | null {
  return n.childForFieldName('initializer') ?? n.namedChildren.find((c) => c?.type === 'initializer_expression') ?? null;
}

/** Types whose target-typed `new(…)` is judged as the written `new T(…)` is. */
const TARGET_TYPES = /^(?:[\w.]+\.)?(CookieOptions|CookieBuilder|SymmetricSecurityKey|TokenValidationParameters|HMACSHA256)$/;

/**
 * The type a target-typed `new(…)` creates, where the code says it: the declared type of a local or
 * field (`SymmetricSecurityKey key = new(…)`), the `TokenValidationParameters` property, or the
 * CookieOptions argument of `Cookies.Append(name, value, new() { … })`. Undefined elsewhere.
 */
function targetType(ctx: AnalysisContext, n: Node): string | undefined {
  const p = n.parent;
  let t: string | undefined;
  if (p?.type === 'variable_declarator' && p.parent?.type === 'variable_declaration') {
    const type = p.parent.childForFieldName('type');
    t = type ? ctx.src(type) : undefined;
  } else if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    if (left && /(^|\.)TokenValidationParameters$/.test(ctx.src(left).replace(/\s+/g, ''))) t = 'TokenValidationParameters';
  } else {
    // `static CookieOptions AuthCookie() => new() { … }`, `return new() { … };`: the method's return type.
    const method = returningMethod(n);
    const returns = method ? method.childForFieldName('returns') ?? method.childForFieldName('type') : null;
    t = returns ? ctx.src(returns) : undefined;
  }
  // Append(name, value, new() { … }) is judged from the Append call (appendWithoutOptions).
  return t && TARGET_TYPES.exec(t.trim())?.[1];
}

/**
 * The method or local function whose value `n` is: its expression body (`=> n`) or a `return n;`
 * (not one of a lambda inside it). Undefined elsewhere.
 */
function returningMethod(n: Node): Node | undefined {
  const p = n.parent;
  const owner = p?.type === 'arrow_expression_clause' ? p.parent : p?.type === 'return_statement' ? ancestorsOf(p).reverse().find((a) => /^(method_declaration|local_function_statement|lambda_expression|anonymous_method_expression|property_declaration|accessor_declaration)$/.test(a.type)) : undefined;
  return owner?.type === 'method_declaration' || owner?.type === 'local_function_statement' ? owner : undefined;
}

const CSRF_MESSAGE = 'turns antiforgery (CSRF) validation off: any site can make a logged-in browser post forms to this application with its cookies. Remove it and validate the token ([ValidateAntiForgeryToken], or AutoValidateAntiforgeryTokenAttribute globally); only endpoints authenticated by a bearer header alone may skip it.';

/**
 * `[IgnoreAntiforgeryToken]` on a controller or action, `new IgnoreAntiforgeryTokenAttribute()` as a
 * global filter, `.DisableAntiforgery()` on a minimal API endpoint. API controllers ([ApiController],
 * ControllerBase) get no antiforgery validation anyway and usually authenticate by a bearer header.
 */
function ignoreAntiforgery(ctx: AnalysisContext, node: Node, method?: Node): void {
  const up = ancestorsOf(node);
  const cls = [...up].reverse().find((n) => n.type === 'class_declaration');
  if (cls) {
    const body = cls.childForFieldName('body');
    const headEnd = body?.startIndex ?? cls.endIndex;
    ctx.touch(cls.startIndex, headEnd);
    const head = ctx.text.slice(cls.startIndex, headEnd);
    if (/\[\s*(\w+\s*,\s*)*ApiController\b|:\s*ControllerBase\b/.test(head)) return;
  }
  if (method) {
    const dot = ctx.text.lastIndexOf('.', method.startIndex);
    ctx.report({
      ruleId: 'csrf-protection-disabled', start: method.startIndex, end: node.endIndex,
      message: `DisableAntiforgery() ${CSRF_MESSAGE}`,
      ...(dot !== -1 && /^\s*$/.test(ctx.text.slice(dot + 1, method.startIndex)) ? { fix: { title: 'Keep antiforgery validation (remove DisableAntiforgery())', edits: [{ start: dot, end: node.endIndex, newText: '' }] } } : {}),
    });
    return;
  }
  if (node.type === 'object_creation_expression') {
    ctx.report({ ruleId: 'csrf-protection-disabled', ...span(node), message: `A global IgnoreAntiforgeryTokenAttribute filter ${CSRF_MESSAGE}` });
    return;
  }
  const list = node.parent;
  const fix = list?.type === 'attribute_list' ? removeAttribute(ctx, list, node) : undefined;
  ctx.report({
    ruleId: 'csrf-protection-disabled', ...span(node),
    message: `[IgnoreAntiforgeryToken] ${CSRF_MESSAGE}`,
    ...(fix ? { fix: { title: 'Remove [IgnoreAntiforgeryToken]', edits: [fix] } } : {}),
  });
}

/** Removes one attribute: the whole `[…]` (and its line, when alone on it) or the attribute with its comma. */
function removeAttribute(ctx: AnalysisContext, list: Node, attr: Node): OffsetEdit | undefined {
  const attrs = namedChildren(list, ctx.text).filter((a) => a.type === 'attribute');
  if (attrs.length > 1) {
    const i = attrs.findIndex((a) => a.id === attr.id);
    return i < 0 ? undefined : removeListItem(ctx, attrs.map(span), i);
  }
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', list.startIndex - 1) + 1;
  const eol = text.indexOf('\n', list.endIndex);
  if (/^[ \t]*$/.test(text.slice(lineStart, list.startIndex)) && eol !== -1 && /^[ \t]*(\/\/[^\n]*)?\r?$/.test(text.slice(list.endIndex, eol))) return { start: lineStart, end: eol + 1, newText: '' };
  const after = /^[ \t]*/.exec(text.slice(list.endIndex))![0];
  return { start: list.startIndex, end: list.endIndex + after.length, newText: '' };
}

/**
 * `v.Prop = value;` statements from `first` on, up to the first statement that uses `v` in
 * another way (appending it: what is set afterwards does not reach that cookie).
 */
function assignmentsTo(ctx: AnalysisContext, v: string, first: Node | null): KeyedItem[] {
  const out: KeyedItem[] = [];
  const mentions = new RegExp(`(^|[^\\w.])@?${v}\\b`);
  for (let s = first; s; s = s.nextNamedSibling) {
    if (!mentions.test(ctx.src(s))) continue;
    ctx.touch(s.startIndex, s.endIndex);
    const a = s.type === 'expression_statement' ? s.firstNamedChild : null;
    const left = a?.type === 'assignment_expression' ? a.childForFieldName('left') : null;
    const right = a?.childForFieldName('right');
    const lt = left ? ctx.src(left).replace(/\s+/g, '') : '';
    if (!left || !right || !lt.startsWith(`${v}.`) || mentions.test(ctx.src(right))) break;
    out.push({ key: lt.slice(v.length + 1), value: right, item: s });
  }
  return out;
}

function initializerItems(ctx: AnalysisContext, init: Node | null): KeyedItem[] {
  if (!init) return [];
  return namedChildren(init, ctx.text).flatMap((a) => {
    if (a.type !== 'assignment_expression') return [];
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    return left && right ? [{ key: ctx.src(left), value: right, item: a }] : [];
  });
}

/** `new CookieOptions { … }`, with the cookie name from the Append call it goes to. */
function cookieOptions(ctx: AnalysisContext, created: Node): void {
  const init = creationInit(created);
  const items = initializerItems(ctx, init);
  let name: { value: string; node: Node; via?: string } | undefined;
  let nameHint: string | undefined;
  let valueNode: Node | undefined;
  const findAppend = (matchArg: (a: Node) => boolean, scope: Node | null) => {
    for (let s = scope; s; s = s.nextNamedSibling) {
      ctx.touch(s.startIndex, s.endIndex);
      for (const inv of s.type === 'invocation_expression' ? [s] : s.descendantsOfType('invocation_expression')) {
        if (!inv) continue;
        const fn = inv.childForFieldName('function');
        const al = inv.childForFieldName('arguments');
        if (!fn || !al || !/\.Append$/.test(ctx.src(fn))) continue;
        const a = namedChildren(al, ctx.text).map((x) => x.firstNamedChild ?? x);
        if (a.length >= 3 && matchArg(a[2])) {
          valueNode = a[1];
          return a[0];
        }
      }
    }
    return undefined;
  };
  let nameNode: Node | undefined;
  const arg = created.parent;
  // `Cookies.Append(name, value, AuthCookie())` anywhere in the file, for options a method returns.
  const appendOfMethod = (method: Node | undefined) => {
    const called = method?.childForFieldName('name');
    if (!called) return undefined;
    const callee = ctx.src(called);
    ctx.lookups.add(callee);
    return findAppend((a) => a.type === 'invocation_expression' && /^(this\.)?\w+$/.test(ctx.src(a.childForFieldName('function') ?? a).replace(/\s+/g, '').replace(/^this\./, '')) && ctx.src(a.childForFieldName('function') ?? a).replace(/\s+/g, '').replace(/^this\./, '') === callee, created.tree.rootNode.firstNamedChild);
  };
  if (arg?.type === 'argument' && arg.parent?.parent?.type === 'invocation_expression') {
    nameNode = findAppend((a) => a.startIndex === created.startIndex, arg.parent.parent);
  } else if (arg?.type === 'variable_declarator') {
    const v = namedChildren(arg, ctx.text)[0];
    let stmt: Node | null = arg;
    while (stmt && !/statement$/.test(stmt.type)) stmt = stmt.parent;
    if (v && stmt) {
      nameNode = findAppend((a) => ctx.src(a) === ctx.src(v), stmt.nextNamedSibling);
      // `options.Secure = true;` after the declaration: later settings win over the initializer's.
      const later = assignmentsTo(ctx, ctx.src(v), stmt.nextNamedSibling);
      for (const l of later) {
        const i = items.findIndex((x) => canon(x.key) === canon(l.key));
        if (i !== -1) items.splice(i, 1);
        items.push(l);
      }
      // `return options;` right after those settings: the method's callers append it.
      const after = later.length ? later[later.length - 1].item.nextNamedSibling : stmt.nextNamedSibling;
      if (!nameNode && after?.type === 'return_statement' && ctx.src(namedChildren(after, ctx.text)[0] ?? after) === ctx.src(v)) nameNode = appendOfMethod(returningMethod(namedChildren(after, ctx.text)[0]));
    }
  } else {
    nameNode = appendOfMethod(returningMethod(created));
  }
  if (nameNode) {
    if (nameNode.type === 'string_literal') name = { value: ctx.src(nameNode).slice(1, -1), node: nameNode };
    // A helper's parameter: the names its callers pass.
    else name = callerCookieName(ctx, nameNode);
    if (!name) nameHint = ctx.src(nameNode);
  }
  const argsEnd = creationArgs(created);
  checkKeyedSite(ctx, {
    framework: 'CookieOptions',
    session: false,
    anchor: created,
    items,
    ...(init ? { list: init } : {}),
    create: (pairs) => {
      const at = (argsEnd ?? created.childForFieldName('type')!).endIndex;
      return { start: at, end: at, newText: ` { ${pairs.join(', ')} }` };
    },
    ...(name ? { name } : {}),
    ...(nameHint ? { nameHint } : {}),
    ...(valueNode ? { valueHint: ctx.src(valueNode) } : {}),
    complete: true,
    defaults: { secure: 'false', httpOnly: 'false', path: '/' },
    syntax: syntax(ctx, ''),
  });
}

/**
 * `Response.Cookies.Append(name, value)` with no CookieOptions: ASP.NET Core writes the cookie with
 * `new CookieOptions()`'s defaults (no Secure, no HttpOnly, no SameSite, Path=/), unless a
 * CookiePolicy middleware configured elsewhere rewrites it.
 */
function appendWithoutOptions(ctx: AnalysisContext, call: Node, args: Node): void {
  const fn = call.childForFieldName('function');
  const list = namedChildren(args, ctx.text);
  if (!fn || !/\bCookies\s*\.\s*Append$/.test(ctx.src(fn))) return;
  // Append(name, value, new() { … }): the parameter's type makes the target-typed new a CookieOptions.
  const third = list.length === 3 ? list[2].firstNamedChild ?? list[2] : undefined;
  if (third?.type === 'implicit_object_creation_expression') cookieOptions(ctx, third);
  if (third?.type === 'identifier') changedByCaller(ctx, call, list, third);
  if (list.length !== 2) return;
  const nameArg = list[0].firstNamedChild ?? list[0];
  const nameValue = csharpValue(ctx, nameArg);
  const callerName = nameValue.k === 'str' ? undefined : callerCookieName(ctx, nameArg);
  const render: Partial<Record<CookieAttr, (v: string) => string>> = {
    secure: (v) => `Secure = ${v}`, httpOnly: (v) => `HttpOnly = ${v}`, sameSite: (v) => `SameSite = SameSiteMode.${v.charAt(0).toUpperCase()}${v.slice(1)}`,
  };
  // A cookie policy configured in this file (app.UseCookiePolicy) rewrites the flags of every cookie.
  ctx.touch(0, ctx.text.length);
  const policy = ctx.memo('cs.cookiePolicy', () => /\bCookiePolicyOptions\b|\bUseCookiePolicy\s*\(/.test(ctx.text));
  checkCookieSite(ctx, {
    framework: 'Cookies.Append without CookieOptions',
    ...(nameValue.k === 'str' ? { name: { value: nameValue.v, ...span(nameValue.node) } } : callerName ? { name: { value: callerName.value, ...span(callerName.node), via: callerName.via } } : { nameHint: ctx.src(nameArg) }),
    valueHint: ctx.src(list[1].firstNamedChild ?? list[1]),
    session: false,
    anchor: span(call),
    complete: !policy,
    defaults: { secure: 'false', httpOnly: 'false', sameSite: '', path: '/' },
    writer: {
      set(changes) {
        const parts = changes.map(([attr, v]) => render[attr]?.(v));
        if (parts.some((p) => p === undefined)) return undefined;
        const at = args.endIndex - 1;
        return [{ start: at, end: at, newText: `, new CookieOptions { ${parts.join(', ')} }` }];
      },
    },
  });
}

/**
 * `var o = CookieDefaults.Auth(); o.HttpOnly = false; Response.Cookies.Append(n, v, o);`: options a
 * method (of this class, another class, an injected service) returns, changed by the caller before
 * the cookie is written. What the caller sets is judged there, with the name and value of the
 * Append; what the method itself sets is judged where it builds the options (new CookieOptions { … }).
 */
function changedByCaller(ctx: AnalysisContext, call: Node, args: readonly Node[], options: Node): void {
  const v = ctx.src(options);
  let stmt: Node | null = call;
  while (stmt && !/statement$/.test(stmt.type)) stmt = stmt.parent;
  let decl: Node | undefined;
  for (let s = stmt?.previousNamedSibling ?? null; s; s = s.previousNamedSibling) {
    if (s.type !== 'local_declaration_statement') continue;
    const d = s.descendantsOfType('variable_declarator').find((x) => x && ctx.src(x.childForFieldName('name') ?? x.firstNamedChild!) === v);
    if (!d) continue;
    const init = namedChildren(d, ctx.text).pop();
    // `new CookieOptions { … }` and `new() { … }` are judged with their later settings by cookieOptions.
    if (init?.type === 'invocation_expression' || init?.type === 'member_access_expression') decl = s;
    break;
  }
  if (!decl) return;
  ctx.touch(decl.startIndex, call.endIndex);
  const items = assignmentsTo(ctx, v, decl.nextNamedSibling).filter((i) => i.item.endIndex <= call.startIndex);
  if (!items.length) return;
  const nameArg = args[0].firstNamedChild ?? args[0];
  const nameValue = csharpValue(ctx, nameArg);
  checkKeyedSite(ctx, {
    framework: 'CookieOptions',
    session: false,
    anchor: call,
    items,
    ...(nameValue.k === 'str' ? { name: { value: nameValue.v, node: nameValue.node } } : { nameHint: ctx.src(nameArg) }),
    valueHint: ctx.src(args[1].firstNamedChild ?? args[1]),
    // What the method set is not known here: only what the caller writes is judged.
    complete: false,
    defaults: { secure: 'unknown', httpOnly: 'unknown' },
    syntax: syntax(ctx, ''),
  });
}

/**
 * `public static CookieBuilder SessionCookie() => new CookieBuilder { … }` (or `return new() { … };`):
 * a builder a method hands to `options.Cookie = …` of some registration. A new CookieBuilder starts
 * from HttpOnly false, SameSite Unspecified and SecurePolicy SameAsRequest; it carries a framework's
 * session, authentication or antiforgery cookie.
 */
function returnedCookieBuilder(ctx: AnalysisContext, created: Node): void {
  if (!returningMethod(created)) return;
  const init = creationInit(created);
  const argsEnd = creationArgs(created);
  checkKeyedSite(ctx, {
    framework: 'CookieBuilder',
    session: true,
    anchor: created,
    items: initializerItems(ctx, init).map((i) => ({ ...i, key: `Cookie.${i.key.trim()}` })),
    ...(init ? { list: init } : {}),
    create: (pairs) => {
      const at = (argsEnd ?? created.childForFieldName('type') ?? created.firstChild!).endIndex;
      return { start: at, end: at, newText: ` { ${pairs.map((x) => x.replace(/^Cookie\./, '')).join(', ')} }` };
    },
    complete: true,
    defaults: { secure: 'unknown', httpOnly: 'false', sameSite: '', path: '/' },
    syntax: builderSyntax(ctx),
  });
}

/** The CookieBuilder's own keys (`HttpOnly`, `SecurePolicy`), read as the options lambda's `Cookie.*`. */
function builderSyntax(ctx: AnalysisContext): KeyedSyntax {
  const base = syntax(ctx, 'Cookie.');
  return { ...base, pair: (key, value) => base.pair(key.replace(/^Cookie\./, ''), value) };
}

const OPTION_DEFAULTS: Readonly<Record<string, { framework: string; defaults: CookieSite['defaults']; idle?: number }>> = {
  AddSession: { framework: 'ASP.NET Core session', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'lax', path: '/', name: '.AspNetCore.Session' }, idle: 20 * 60 },
  ConfigureApplicationCookie: { framework: 'ASP.NET Core Identity cookie', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'lax', path: '/' } },
  AddCookie: { framework: 'ASP.NET Core authentication cookie', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'lax', path: '/', name: '.AspNetCore.Cookies' } },
  AddAntiforgery: { framework: 'ASP.NET Core antiforgery cookie', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'strict', path: '/' } },
  // Any cookie scheme (AddCookie, Identity's): its default name depends on the scheme.
  // The session cookie's name is AddSession's business: configured later, an unnamed cookie keeps whatever it was given.
  'Configure<SessionOptions>': { framework: 'ASP.NET Core session', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'lax', path: '/' }, idle: 20 * 60 },
  'Configure<CookieAuthenticationOptions>': { framework: 'ASP.NET Core authentication cookie', defaults: { secure: 'unknown', httpOnly: 'true', sameSite: 'lax', path: '/' } },
};

/** The options classes `Configure<T>`/`PostConfigure<T>` and `IConfigureNamedOptions<T>` set up, by the registration whose defaults they start from. */
const OPTIONS_TYPES: Readonly<Record<string, string>> = {
  CookieAuthenticationOptions: 'Configure<CookieAuthenticationOptions>',
  SessionOptions: 'Configure<SessionOptions>',
  AntiforgeryOptions: 'AddAntiforgery',
};

/**
 * `class ConfigureShopCookies : IConfigureNamedOptions<CookieAuthenticationOptions>` (or
 * IConfigureOptions, IPostConfigureOptions): its `Configure(string? name, T options)` /
 * `PostConfigure(…)` sets the framework's options like a registration lambda does.
 */
function configureOptionsClass(ctx: AnalysisContext, method: Node): void {
  const params = method.childForFieldName('parameters');
  const body = method.childForFieldName('body');
  const last = params ? namedChildren(params, ctx.text).filter((p) => p.type === 'parameter').pop() : undefined;
  const type = last?.childForFieldName('type');
  const name = last?.childForFieldName('name');
  const key = type ? OPTIONS_TYPES[ctx.src(type).replace(/\s+/g, '').replace(/^.*\./, '')] : undefined;
  if (!key || !name || body?.type !== 'block') return;
  optionsBody(ctx, method, key, ctx.src(name), body);
}

/** `services.AddSession(options => { options.Cookie.HttpOnly = …; options.IdleTimeout = …; })`. */
function optionsLambda(ctx: AnalysisContext, call: Node, method: string, args: Node): void {
  const lambda = namedChildren(args, ctx.text).map((a) => a.firstNamedChild ?? a).find((a) => a.type === 'lambda_expression');
  if (!lambda) return;
  const params = lambda.childForFieldName('parameters');
  const p = params ? ctx.src(params).replace(/[()\s]/g, '').split(':').pop()!.split(/\s+/).pop()! : '';
  const body = lambda.childForFieldName('body');
  if (!p || !body) return;
  optionsBody(ctx, call, method, p, body);
}

/** The `p.Cookie.* = …` statements of an options lambda or Configure method, from the registration's defaults. */
function optionsBody(ctx: AnalysisContext, call: Node, method: string, p: string, body: Node): void {
  const statements = body.type === 'block' ? namedChildren(body, ctx.text) : [body];
  let items: KeyedItem[] = [];
  let info = OPTION_DEFAULTS[method];
  let builder: Node | undefined;
  for (const s of statements) {
    const a = s.type === 'expression_statement' ? s.firstNamedChild : s.type === 'assignment_expression' ? s : null;
    if (a?.type !== 'assignment_expression') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) continue;
    const lt = ctx.src(left).replace(/\s+/g, '');
    if (!lt.startsWith(`${p}.`)) continue;
    const key = lt.slice(p.length + 1);
    const builderType = right.type === 'object_creation_expression' ? ctx.src(right.childForFieldName('type')!) : right.type === 'implicit_object_creation_expression' ? 'CookieBuilder' : '';
    if (key === 'Cookie' && /^(Microsoft\.AspNetCore\.Http\.)?CookieBuilder$/.test(builderType)) {
      // A new CookieBuilder replaces the framework's cookie: its own defaults apply (HttpOnly false,
      // SameSite Unspecified, SecurePolicy SameAsRequest), and earlier options.Cookie.* settings are gone.
      items = items.filter((i) => !i.key.startsWith('Cookie.'));
      for (const i of initializerItems(ctx, creationInit(right))) items.push({ ...i, key: `Cookie.${i.key.trim()}` });
      info = { ...info, defaults: { secure: 'unknown', httpOnly: 'false', sameSite: '', path: '/' } };
      builder = right;
      continue;
    }
    if (key === 'Cookie') {
      // `options.Cookie = CookieDefaults.SessionCookie()`: a builder made elsewhere (judged where a method returns it)
      // replaces the framework's cookie; what it sets is not known here.
      items = items.filter((i) => !i.key.startsWith('Cookie.'));
      info = { ...info, defaults: { secure: 'unknown', httpOnly: 'unknown', sameSite: 'unknown' } };
      continue;
    }
    items.push({ key, value: right, item: s.type === 'expression_statement' ? s : a });
  }
  const last = statements[statements.length - 1];
  const idle = items.find((i) => canon(i.key) === 'idletimeout');
  const builderInit = (builder && creationInit(builder)) ?? undefined;
  checkKeyedSite(ctx, {
    framework: info.framework,
    session: true,
    anchor: builder ?? call,
    items,
    create: (pairs) => {
      if (builder) {
        // Into the builder's initializer, where the other cookie settings are.
        const inner = pairs.map((x) => x.replace(/^Cookie\./, ''));
        if (builderInit) {
          const members = namedChildren(builderInit, ctx.text).map(span);
          return insertListItem(ctx, span(builderInit), members, inner, ' ');
        }
        const at = builder.endIndex;
        return { start: at, end: at, newText: ` { ${inner.join(', ')} }` };
      }
      if (body.type !== 'block') return undefined;
      const indent = last ? ctx.indentAt(last.startIndex) : `${ctx.indentAt(body.startIndex)}    `;
      const at = last ? last.endIndex : body.startIndex + 1;
      return { start: at, end: at, newText: pairs.map((x) => `\n${indent}${p}.${x};`).join('') };
    },
    complete: true,
    defaults: info.defaults,
    syntax: syntax(ctx, 'Cookie.'),
  });
  if (idle) {
    const s = secondsOf(ctx, idle.value);
    if (s !== undefined && s > ctx.thresholds.maxSessionIdleTimeoutSeconds) {
      ctx.report({
        ruleId: 'session-long-idle-timeout', ...span(idle.item),
        message: `IdleTimeout keeps idle sessions for ${Math.round(s / 60)} minutes; the maximum allowed is ${Math.round(ctx.thresholds.maxSessionIdleTimeoutSeconds / 60)}. Lower it.`,
      });
    }
  }
}

/**
 * `new SymmetricSecurityKey(Encoding.UTF8.GetBytes("secret"))`, the key reached through a local, a
 * field, a constant of another class of the file, or a `??` fallback after a configuration read.
 */
function keyMaterial(ctx: AnalysisContext, created: Node): void {
  const args = creationArgs(created);
  const first = args ? namedChildren(args, ctx.text)[0] : undefined;
  if (!first) return;
  const resolved = csharpValue(ctx, first);
  // A configuration read whose key appsettings.json fills with a literal: that literal is the key in every environment without an override.
  const configured = resolved.k === 'env' ? csharpConfigValue(ctx, resolved.text, first) : undefined;
  if (configured && typeof configured.value.symbol.value === 'string' && ctx.workspace) {
    const where = describeSymbol(ctx.workspace.filePath, configured.key, configured.value.symbol).replace(/^.* from /, '');
    const env = configured.environment;
    const variable = configured.key.replace(/:/g, '__');
    // Only appsettings.Development.json sets it: a development key; production does not read that file.
    ctx.report(env === 'Development'
      ? {
          ruleId: 'jwt-hardcoded-secret', ...span(first), severity: 'info',
          message: `The JWT signing key is configuration key ${configured.key}, which only ${where} sets to a literal: the Development environment signs with a key committed with the code. Other environments do not read that file; make sure production provides its own key (the variable ${variable}, a key vault) and never reuses this one.`,
        }
      : {
          ruleId: 'jwt-hardcoded-secret', ...span(first),
          message: env
            ? `The JWT signing key is configuration key ${configured.key}, which ${where} sets to a literal committed with the code: the ${env} environment signs with it, and anyone with the repository can forge tokens. Remove it from appsettings.${env}.json and provide it through the variable ${variable} or a key vault.`
            : `The JWT signing key is configuration key ${configured.key}, which ${where} sets to a literal committed with the code: every environment without an override (the variable ${variable}, user-secrets, a key vault) signs with it, and anyone with the repository can forge tokens. Remove it from appsettings.json and provide it per environment.`,
        });
  }
  for (const { value, when } of externalsOf(resolved)) {
    reportExternalSecret(ctx, { kind: 'jwt', ...span(value.node), what: `The JWT signing key${when ? ` (${when})` : ''}`, envName: 'JWT_SECRET', symbol: value.symbol, expression: ctx.src(value.node) });
  }
  for (const { value, when } of literalsOf(resolved)) {
    if (value.v === '') continue;
    const what = `The JWT signing key${when ? ` (${when})` : ''}`;
    if (value.k === 'fallback') {
      const envName = /"([^"]+)"/.exec(value.replacement)?.[1] ?? 'JWT_SECRET';
      reportHardcodedSecret(ctx, { kind: 'jwt', ...span(value.whole), what, envName, replacement: value.replacement, fallback: true });
      continue;
    }
    const constModifier = constModifierOf(ctx, value.node);
    reportHardcodedSecret(ctx, {
      kind: 'jwt', ...span(value.node), what, envName: 'JWT_SECRET', replacement: 'Environment.GetEnvironmentVariable("JWT_SECRET")!',
      // A const cannot hold a value read at run time.
      ...(constModifier ? { extraEdits: [{ ...span(constModifier), newText: 'static readonly' }] } : {}),
    });
  }
}

/** `new TokenValidationParameters { RequireSignedTokens = false, ValidateLifetime = false, ValidAlgorithms = … }`. */
function tokenValidation(ctx: AnalysisContext, created: Node): void {
  const items = initializerItems(ctx, creationInit(created));
  for (const i of items) {
    const key = i.key.trim();
    const v = ctx.src(i.value).trim();
    if (validationSwitch(ctx, key, i)) continue;
    if (key === 'SignatureValidator') {
      const edits = skipsValidation(ctx, i.value) ? removeMember(ctx, namedChildren(creationInit(created)!, ctx.text).map(span), span(i.item)) : undefined;
      ctx.report({
        ruleId: 'jwt-verify-disabled', ...span(i.item),
        message: 'A custom SignatureValidator replaces signature checking; returning the token without validating it accepts forgeries. Remove it and set IssuerSigningKey.',
        ...(edits ? { fix: { title: 'Remove SignatureValidator (use the default signature validation)', edits } } : {}),
      });
    } else if (key === 'ValidAlgorithms') {
      const algs = [...v.matchAll(/"([^"]+)"|SecurityAlgorithms\.(\w+)/g)].map((m) => m[1] ?? m[2]);
      if (algs.some((a) => a.toLowerCase() === 'none')) {
        ctx.report({ ruleId: 'jwt-alg-none', ...span(i.item), message: 'ValidAlgorithms allows "none": unsigned tokens pass. Remove it.' });
      }
      if (algs.some((a) => /^(HS|HmacSha)/i.test(a)) && algs.some((a) => /^(RS|ES|PS|RsaSha|EcdsaSha)/i.test(a))) {
        ctx.report({ ruleId: 'jwt-algorithm-confusion', ...span(i.item), message: 'ValidAlgorithms mixes HMAC and public-key algorithms: a token signed with HS256 using the public key as secret passes. Allow one family only.' });
      }
    }
  }
}

/**
 * `RequireSignedTokens`, `ValidateLifetime`, `RequireExpirationTime`, `ValidateIssuerSigningKey`
 * set to false, written or through a constant, a local or a branch. True when `key` is one of them.
 */
function validationSwitch(ctx: AnalysisContext, key: string, i: KeyedItem): boolean {
  if (!/^(RequireSignedTokens|ValidateLifetime|RequireExpirationTime|ValidateIssuerSigningKey)$/.test(key)) return false;
  const t = truthOfValue(csharpValue(ctx, i.value));
  if (t.truth !== 'false') return true;
  const path = t.branch ? ` (${t.branch})` : '';
  const fix = { title: `Set ${key} = true`, edits: [{ ...span(i.value), newText: 'true' }] };
  if (key === 'ValidateIssuerSigningKey') {
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(i.item), severity: 'warning',
      message: `ValidateIssuerSigningKey = false${path} skips the checks on the key that signed the token (its validity period, IssuerSigningKeyValidator); the signature itself is still checked. Set it to true.`,
      fix,
    });
    return true;
  }
  ctx.report({
    ruleId: 'jwt-verify-disabled', ...span(i.item),
    message: key === 'RequireSignedTokens'
      ? `RequireSignedTokens = false${path} accepts unsigned tokens. Remove it.`
      : `${key} = false${path} accepts expired tokens forever. Remove it.`,
    fix,
  });
  return true;
}

/**
 * `AddJwtBearer(options => { options.TokenValidationParameters.ValidateLifetime = false; })`: the
 * validation switches set one by one on the framework's parameters.
 */
function jwtBearerOptions(ctx: AnalysisContext, args: Node): void {
  const lambda = namedChildren(args, ctx.text).map((a) => a.firstNamedChild ?? a).find((a) => a.type === 'lambda_expression');
  const params = lambda?.childForFieldName('parameters');
  const body = lambda?.childForFieldName('body');
  const p = params ? ctx.src(params).replace(/[()\s]/g, '').split(':').pop()!.split(/\s+/).pop()! : '';
  if (!p || !body) return;
  for (const a of body.descendantsOfType('assignment_expression')) {
    const left = a?.childForFieldName('left');
    const right = a?.childForFieldName('right');
    if (!a || !left || !right) continue;
    const m = new RegExp(`^${p}\\.TokenValidationParameters\\.(\\w+)$`).exec(ctx.src(left).replace(/\s+/g, ''));
    const stmt = a.parent?.type === 'expression_statement' ? a.parent : a;
    if (m) validationSwitch(ctx, m[1], { key: m[1], value: right, item: stmt });
  }
}

/**
 * A SignatureValidator that visibly checks nothing: a lambda or anonymous method whose only result
 * is the raw token parsed without validation (`new JsonWebToken(token)`, `new JwtSecurityToken(token)`,
 * `handler.ReadJwtToken(token)`). A validator doing anything else may be a real check: no fix.
 */
function skipsValidation(ctx: AnalysisContext, fn: Node): boolean {
  const param = fn.childForFieldName('parameters');
  const first = param ? namedChildren(param, ctx.text)[0]?.childForFieldName('name') : undefined;
  const body = fn.type === 'lambda_expression' ? fn.childForFieldName('body') : fn.type === 'anonymous_method_expression' ? namedChildren(fn, ctx.text).find((c) => c.type === 'block') : undefined;
  if (!first || !body) return false;
  let result: Node | undefined = body;
  if (body.type === 'block') {
    const stmts = namedChildren(body, ctx.text);
    result = stmts.length === 1 && stmts[0].type === 'return_statement' ? namedChildren(stmts[0], ctx.text)[0] : undefined;
  }
  if (!result) return false;
  const t = ctx.src(result).replace(/\s+/g, ' ').trim();
  const arg = /^new (?:[\w.]+\.)?(?:JwtSecurityToken|JsonWebToken) ?\( ?(\w+) ?\)$/.exec(t)
    ?? /^(?:new (?:[\w.]+\.)?(?:JwtSecurityTokenHandler|JsonWebTokenHandler) ?\( ?\)|\w+) ?\. ?Read(?:Jwt|JsonWeb)?Token ?\( ?(\w+) ?\)$/.exec(t);
  return !!arg && arg[1] === ctx.src(first);
}

/**
 * Removes one member of an object initializer, keeping the layout: a member on lines of its own
 * goes with those lines (and its trailing comment); an inline member goes with one separator.
 * Undefined when that would also delete a comment or join lines.
 */
function removeMember(ctx: AnalysisContext, items: readonly { start: number; end: number }[], it: { start: number; end: number }): OffsetEdit[] | undefined {
  const text = ctx.text;
  const index = items.findIndex((x) => x.start === it.start && x.end === it.end);
  if (index < 0) return undefined;
  const prev = items[index - 1];
  const next = items[index + 1];
  const lineStart = text.lastIndexOf('\n', it.start - 1) + 1;
  const rest = /^[ \t]*(,)?[ \t]*(?:\/\/[^\n]*)?\r?\n/.exec(text.slice(it.end));
  if (/^[ \t]*$/.test(text.slice(lineStart, it.start)) && rest && (!next || next.start >= it.end + rest[0].length)) {
    const edits: OffsetEdit[] = [];
    if (!rest[1]) {
      // No comma after it: it must be the last member; the comma before it goes too.
      if (next) return undefined;
      if (prev) {
        const comma = /^[ \t]*,/.exec(text.slice(prev.end, lineStart));
        if (!comma) return undefined;
        edits.push({ start: prev.end + comma[0].length - 1, end: prev.end + comma[0].length, newText: '' });
      }
    }
    edits.push({ start: lineStart, end: it.end + rest[0].length, newText: '' });
    return edits;
  }
  const clean = (start: number, end: number) => !/\n|\/\/|\/\*/.test(text.slice(start, end));
  if (next && clean(it.start, next.start)) return [{ start: it.start, end: next.start, newText: '' }];
  if (prev && clean(prev.end, it.end)) return [{ start: prev.end, end: it.end, newText: '' }];
  if (!prev && !next) {
    const after = /^[ \t]*,?[ \t]*/.exec(text.slice(it.end))![0];
    if (clean(it.start, it.end)) return [{ start: it.start, end: it.end + after.length, newText: '' }];
  }
  return undefined;
}
