import * as path from 'node:path';
import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type Fact, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, removeListItem, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type AttrAt, type AttrWriter, type CookieAttr, type Truth, checkCookieSite } from '../cookieChecks';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { baseSettingFate } from './pythonSplitSettings';
import { DJANGO_SETTINGS_PREFIX, PY_DECORATOR_SUFFIX, PY_FACTORY_SUFFIX, PY_LIST_SUFFIX, PY_VERIFIER_SUFFIX } from '../symbols/indexText';
import { GLOBAL_MODULE, type WorkspaceSymbol, describeSymbol } from '../symbols/symbolTable';
import { type SettingEntry, type SettingValue, type SettingsSchema, checkSettings, entryFromFact, settingFact } from '../settingsSite';

const QUERY = `
(call
  function: (attribute object: (_) @obj attribute: (identifier) @method
    (#any-of? @method "set_cookie" "set_signed_cookie" "encode" "decode" "update" "from_mapping" "add_middleware"
      "from_object" "from_pyfile" "from_envvar" "from_prefixed_env" "from_file"))
  arguments: (argument_list) @args) @call
(call function: (identifier) @fn (#any-of? @fn "Flask" "EncryptedCookieStorage" "SimpleCookieStorage" "NaClCookieStorage" "RedisStorage" "MemcachedStorage") arguments: (argument_list) @args) @call
(assignment left: (identifier) @name (#match? @name "^[A-Z][A-Z0-9_]*$") right: (_) @rhs) @assign
(assignment left: (attribute object: (_) @obj attribute: (identifier) @attr (#any-of? @attr "secret_key" "permanent_session_lifetime")) right: (_) @rhs) @assign
(assignment left: (subscript value: (attribute attribute: (identifier) @cfg (#eq? @cfg "config")) subscript: (string) @key) right: (_) @rhs) @assign
(import_from_statement) @import
(decorator) @decorator
(class_definition superclasses: (argument_list) @bases (#match? @bases "BaseSettings") body: (block) @body) @settingsClass
`;

const ENV = /\bos\.environ\b|\bgetenv\b|\benviron\b|\benv\s*[.(]|\bconfig\(|\bDEBUG\b|\bsettings\.|\bIS_PROD/;
const HS = /^HS(256|384|512)$/i;
const ASYM = /^(RS|PS|ES)(256|384|512)$|^EdDSA$/i;

type PyValue = SettingValue & { readonly node: Node; /** Set when branches disagree: where the value returned is set. */ readonly branch?: string };

/** Python: Flask config and set_cookie, Django settings.py, Starlette SessionMiddleware, PyJWT. */
export const pythonAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['module']),
  keywords: /cookie|session|secret|jwt|SECRET_KEY|Flask|csrf|BaseSettings/i,
  // Every statement the query matches must hold an anchor word, or a keystroke re-lint (which
  // queries the edited lines only) misses what a full lint finds: a setting also follows `;` or `if x:`.
  anchors: /@\s*(csrf_exempt|csrf\s*\.\s*exempt|method_decorator\s*\(\s*csrf_exempt)\b|\.\s*(set_cookie|set_signed_cookie|encode|decode|update|from_mapping|add_middleware|from_object|from_pyfile|from_envvar|from_prefixed_env|from_file)\s*\(|\b(Flask|EncryptedCookieStorage|SimpleCookieStorage|NaClCookieStorage|RedisStorage|MemcachedStorage)\s*\(|\.\s*(secret_key|permanent_session_lifetime)\s*=|\.\s*config\s*\[|(?:^|[;:])[ \t]*[A-Z][A-Z0-9_]*\s*=|(?:^|;)[ \t]*from\s+\S+\s+import\s+\*|\bBaseSettings\b/gm,
  declares(chunk, ctx) {
    const t = chunk.type;
    // '<imports>': where `import os` goes depends on the imports and the module docstring.
    if (t === 'import_statement' || t === 'import_from_statement' || t === 'future_import_statement') {
      return ['<imports>', ...[...ctx.src(chunk).matchAll(/[A-Za-z_][\w]*/g)].map((m) => m[0]).filter((n) => n !== 'import' && n !== 'from' && n !== 'as')];
    }
    if (t === 'ERROR') return ['<imports>', ...[...ctx.src(chunk).matchAll(/[A-Za-z_][\w]*/g)].map((m) => m[0])];
    if (t === 'expression_statement') {
      const a = chunk.firstNamedChild;
      if (a?.type === 'string') return ['<imports>'];
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
      if (left) return [...ctx.src(left).matchAll(/[A-Za-z_][\w]*/g)].map((m) => m[0]);
    }
    return [];
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
  finish(facts, ctx, filePath) {
    finishSettings(facts, ctx, filePath);
  },
};

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const settingsClass = capture(m, 'settingsClass');
  if (settingsClass) {
    settingsClassSecrets(ctx, settingsClass, capture(m, 'body')!);
    return;
  }
  const decorator = capture(m, 'decorator');
  if (decorator) {
    csrfExempt(ctx, decorator);
    return;
  }
  const imp = capture(m, 'import');
  if (imp) {
    if (/\bimport\s+\*/.test(ctx.src(imp))) ctx.facts.push({ key: 'py.starImport', name: '*', ...span(imp) });
    return;
  }
  const call = capture(m, 'call');
  const args = capture(m, 'args');
  if (call && args) {
    const method = capture(m, 'method');
    const obj = capture(m, 'obj');
    if (method && obj) methodCall(ctx, call, obj, ctx.src(method), args);
    else if (capture(m, 'fn') && ctx.src(capture(m, 'fn')!) !== 'Flask') aiohttpStorage(ctx, ctx.src(capture(m, 'fn')!), call, args);
    else if (capture(m, 'fn')) {
      const stmt = statementOf(call);
      const a = stmt.firstNamedChild;
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
      ctx.facts.push({ key: 'flask.app', name: left ? ctx.src(left) : 'app', ...span(stmt) });
    }
    return;
  }
  const assign = capture(m, 'assign');
  const rhs = capture(m, 'rhs');
  if (!assign || !rhs) return;
  const name = capture(m, 'name');
  if (name) {
    // Settings only count at module or class level, not inside functions.
    if (insideFunction(assign)) return;
    const n = ctx.src(name);
    const entry = entryOf(ctx, n, assign, rhs);
    ctx.facts.push(settingFact('py.setting', entry));
    if (CSRF_SWITCHES.has(n)) csrfSwitch(ctx, n, assign, rhs);
    if (n === 'SECRET_KEY') secret(ctx, rhs, 'SECRET_KEY', 'SECRET_KEY', 'session');
    if (n === 'JWT_SECRET_KEY' || n === 'JWT_SECRET') secret(ctx, rhs, n, n, 'jwt');
    return;
  }
  const attr = capture(m, 'attr');
  if (attr) {
    const a = ctx.src(attr);
    if (a === 'secret_key') secret(ctx, rhs, 'The Flask secret_key', 'SECRET_KEY', 'session');
    else ctx.facts.push(settingFact('flask.setting', entryOf(ctx, 'PERMANENT_SESSION_LIFETIME', assign, rhs)));
    return;
  }
  const key = capture(m, 'key');
  if (key) {
    const k = stringOf(ctx, key);
    if (k === undefined) return;
    if (CSRF_SWITCHES.has(k)) csrfSwitch(ctx, k, assign, rhs);
    if (k === 'SECRET_KEY') secret(ctx, rhs, 'The Flask SECRET_KEY', 'SECRET_KEY', 'session');
    else if (k === 'JWT_SECRET_KEY') secret(ctx, rhs, 'The Flask-JWT-Extended JWT_SECRET_KEY', 'JWT_SECRET_KEY', 'jwt');
    ctx.facts.push(settingFact('flask.setting', entryOf(ctx, k, assign, rhs)));
  }
}

/** Settings fields that hold a signing secret (not a file, URL or algorithm naming one). */
const SECRET_FIELD = /secret|signing_key|^(jwt|session|cookie|app|auth)_key$/i;
const NOT_SECRET_FIELD = /(file|path|url|name|env|var|header|algorithm|alg|length|ttl|expire[sd]?|minutes|seconds)$/i;

/**
 * pydantic `BaseSettings` fields with a literal default (`jwt_secret: str = "changeme"`): pydantic
 * reads the environment variable of the field first, so the literal is what the app runs with
 * wherever that variable is missing. Reported as a fallback, at the default, whoever reads
 * `settings.jwt_secret` (in this file or another).
 */
function settingsClassSecrets(ctx: AnalysisContext, cls: Node, body: Node): void {
  ctx.touch(cls.startIndex, cls.endIndex);
  const prefix = /\benv_prefix\s*=\s*['"]([\w]*)['"]/.exec(ctx.src(body))?.[1] ?? '';
  const clsName = ctx.src(cls.childForFieldName('name') ?? cls);
  for (const st of namedChildren(body, ctx.text)) {
    const a = st.type === 'expression_statement' ? st.firstNamedChild : null;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const type = a.childForFieldName('type');
    let value = a.childForFieldName('right');
    if (!left || left.type !== 'identifier' || !type || !value) continue;
    const field = ctx.src(left);
    if (!SECRET_FIELD.test(field) || NOT_SECRET_FIELD.test(field)) continue;
    // `Field("dev", …)` / `Field(default="dev")`: the default is the first argument or `default=`.
    let aliased: string | undefined;
    if (value.type === 'call' && /(^|\.)Field$/.test(ctx.src(value.childForFieldName('function') ?? value))) {
      const k = kwargs(ctx, value.childForFieldName('arguments') ?? value);
      // alias=/validation_alias= (pydantic v2) and env= (v1) name the variable read, verbatim (no env_prefix).
      const named = k.named.get('validation_alias') ?? k.named.get('alias') ?? k.named.get('env');
      if (named) {
        aliased = aliasName(ctx, named.value);
        if (aliased === undefined) continue;
      }
      const d = k.named.get('default')?.value ?? k.positional[0];
      if (!d) continue;
      value = d;
    }
    const v = pyEval(ctx, value);
    if (v.kind !== 'str' || !v.str) continue;
    const envName = aliased ?? `${prefix}${field}`.toUpperCase();
    const kind = /jwt|token|signing/i.test(field) ? 'jwt' : 'session';
    const removable = value.id === a.childForFieldName('right')?.id;
    reportHardcodedSecret(ctx, {
      kind, ...span(value), what: `The ${clsName}.${field} setting`, envName, fallback: true, replacement: '',
      // Dropping the default makes pydantic refuse to start without the variable.
      ...(removable ? { extraEdits: [{ start: type.endIndex, end: value.startIndex, newText: '' }] } : { fixable: false }),
    });
  }
}

/**
 * The environment variable a pydantic alias names: a string (`alias="JWT_SECRET"`), the first of
 * `AliasChoices("JWT_SECRET", "SECRET")`, the first of a v1 `env=["A", "B"]`. Undefined otherwise.
 */
function aliasName(ctx: AnalysisContext, n: Node): string | undefined {
  const v = pyEval(ctx, n);
  if (v.kind === 'str' && v.str) return v.str;
  const first = /^(?:AliasChoices\s*\(|\[|\()\s*(['"])([\w.-]+)\1/.exec(ctx.src(n).trim());
  return first?.[2];
}

/** Flask-WTF settings that switch CSRF protection off for every view when False. */
const CSRF_SWITCHES = new Set(['WTF_CSRF_ENABLED', 'WTF_CSRF_CHECK_DEFAULT']);

/** `WTF_CSRF_ENABLED = False`, except in a test configuration (where tests post forms without tokens). */
function csrfSwitch(ctx: AnalysisContext, name: string, assign: Node, rhs: Node): void {
  if (ctx.src(rhs).trim() !== 'False') return;
  const cls = [...ancestorsOf(assign)].reverse().find((a) => a.type === 'class_definition');
  if (cls) {
    const clsName = cls.childForFieldName('name');
    ctx.touch(cls.startIndex, (cls.childForFieldName('body') ?? cls).startIndex);
    if (clsName && /test/i.test(ctx.src(clsName))) return;
  }
  ctx.report({
    ruleId: 'csrf-protection-disabled', ...span(assign),
    message: `${name} = False switches Flask-WTF's CSRF protection off for every form: any site can make a logged-in browser submit them. Keep it True (the default) and exempt only bearer-token endpoints with csrf.exempt.`,
    fix: { title: `Set ${name} = True`, edits: [{ ...span(rhs), newText: 'True' }] },
  });
}

/** Django `@csrf_exempt` / `@method_decorator(csrf_exempt, …)`, Flask-WTF `@csrf.exempt`. */
function csrfExempt(ctx: AnalysisContext, decorator: Node): void {
  // The decorator node also holds a comment ending its line.
  const expr = namedChildren(decorator, ctx.text)[0];
  if (!expr) return;
  const t = `@${ctx.src(expr).replace(/\s+/g, '')}`;
  if (!/^@(csrf_exempt|csrf\.exempt|method_decorator\(csrf_exempt(,name=["'][\w]+["'])?\))$/.test(t)) return;
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', decorator.startIndex - 1) + 1;
  const eol = text.indexOf('\n', expr.endIndex);
  const alone = /^[ \t]*$/.test(text.slice(lineStart, decorator.startIndex)) && eol !== -1 && /^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(expr.endIndex, eol));
  ctx.report({
    ruleId: 'csrf-protection-disabled', start: decorator.startIndex, end: expr.endIndex,
    message: `${t.startsWith('@csrf.') ? '@csrf.exempt' : 'csrf_exempt'} switches CSRF protection off for this view: any site can make a logged-in browser post to it with the session cookie. Remove it and send the CSRF token; exempt only endpoints that never authenticate by cookie (a signed webhook, a bearer-token API).`,
    ...(alone ? { fix: { title: 'Remove the CSRF exemption', edits: [{ start: lineStart, end: eol + 1, newText: '' }] } } : {}),
  });
}

function insideFunction(n: Node): boolean {
  const up = ancestorsOf(n);
  for (let i = up.length - 1; i >= 0; i--) {
    const t = up[i].type;
    if (t === 'function_definition' || t === 'lambda') return true;
    if (t === 'module') return false;
  }
  return false;
}

function statementOf(n: Node): Node {
  // The outermost of the node and its ancestors below the nearest module or block.
  const up = ancestorsOf(n);
  let s = n;
  for (let i = up.length - 1; i >= 0; i--) {
    const t = up[i].type;
    if (t === 'module' || t === 'block') break;
    s = up[i];
  }
  return s;
}

function entryOf(ctx: AnalysisContext, name: string, whole: Node, value: Node): SettingEntry {
  const v = pyEval(ctx, value);
  const { node: _n, ...plain } = v;
  return { name, value: plain, start: whole.startIndex, end: whole.endIndex, valueStart: value.startIndex, valueEnd: value.endIndex };
}

// ---------------------------------------------------------------- values

function stringOf(ctx: AnalysisContext, n: Node): string | undefined {
  if (n.type === 'concatenated_string') {
    let out = '';
    for (const c of namedChildren(n, ctx.text)) {
      const s = stringOf(ctx, c);
      if (s === undefined) return undefined;
      out += s;
    }
    return out;
  }
  if (n.type !== 'string') return undefined;
  let content = '';
  for (const c of namedChildren(n, ctx.text)) {
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') content += ctx.src(c);
  }
  return content;
}

/**
 * An f-string whose every interpolation is a constant of this file (`f"{PREFIX}-secret"`, `f"{'dev'}"`):
 * its value; undefined when any part is computed at run time or formatted (`{x!r}`, `{n:08}`).
 */
function constantFString(ctx: AnalysisContext, n: Node, depth: number): string | undefined {
  if (n.type === 'concatenated_string') {
    let out = '';
    for (const c of namedChildren(n, ctx.text)) {
      const part = stringOf(ctx, c) ?? constantFString(ctx, c, depth);
      if (part === undefined) return undefined;
      out += part;
    }
    return out;
  }
  if (n.type !== 'string') return undefined;
  let out = '';
  for (const c of namedChildren(n, ctx.text)) {
    if (c.type === 'string_content') out += ctx.src(c);
    else if (c.type === 'interpolation') {
      const expr = c.childForFieldName('expression');
      if (!expr || c.childForFieldName('type_conversion') || c.childForFieldName('format_specifier')) return undefined;
      const v = pyEval(ctx, expr, depth + 1);
      if (v.kind === 'str') out += v.str ?? '';
      else if (v.kind === 'num') out += String(v.num);
      else return undefined;
    }
  }
  return out;
}

function lookup(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const scopes = ancestorsOf(from);
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (scope.type !== 'block' && scope.type !== 'module') continue;
    if (scope.type === 'module') ctx.lookups.add(name);
    let found: Node | undefined;
    for (const s of scope.namedChildren) {
      if (!s) continue;
      if (s.startIndex > from.startIndex && found) break;
      const a = s.type === 'expression_statement' ? s.firstNamedChild : null;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      if (left?.type === 'identifier' && ctx.src(left) === name) found = a.childForFieldName('right') ?? undefined;
    }
    if (found) return found;
  }
  return undefined;
}

const clip = (t: string): string => (t.length > 40 ? `${t.slice(0, 37)}…` : t).replace(/\s+/g, ' ');

/**
 * Assignments to `name` inside `if`/`else` blocks between its first assignment `init` and `from`
 * (`httponly = True` then `if debug: httponly = False`), with the condition that guards each.
 */
function branchAssignments(ctx: AnalysisContext, from: Node, name: string, init: Node): { value: Node; where: string; env: boolean }[] {
  if (from.startIndex <= init.endIndex) return [];
  const between = ctx.text.slice(init.endIndex, from.startIndex);
  if (!new RegExp(`(^|\\n)[ \\t]*${name}\\s*=[^=]`).test(between)) return [];
  const scope = ancestorsOf(from).reverse().find((a) => a.type === 'block' || a.type === 'module');
  if (!scope) return [];
  ctx.touch(init.endIndex, from.startIndex);
  const out: { value: Node; where: string; env: boolean }[] = [];
  for (const a of scope.descendantsOfType('assignment', init.endPosition, from.startPosition)) {
    if (!a || a.startIndex < init.endIndex || a.endIndex > from.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left) !== name) continue;
    const guard = ancestorsOf(a).reverse().find((x) => x.startIndex >= init.endIndex && (x.type === 'if_statement' || x.type === 'elif_clause' || x.type === 'else_clause'));
    const cond = guard?.childForFieldName('condition');
    const where = guard ? (cond ? `if ${clip(ctx.src(cond))}` : 'the else branch') : 'a later assignment';
    const guardIf = guard?.type === 'else_clause' ? guard.parent : guard;
    const condText = guardIf?.childForFieldName('condition') ? ctx.src(guardIf.childForFieldName('condition')!) : '';
    out.push({ value: right, where, env: ENV.test(condText) });
  }
  return out;
}

/**
 * The expression an attribute or subscript reads when this file writes it: an element of a
 * literal list or dict (`KEYS[0]`, `CONFIG['secret']`), a class attribute or an attribute
 * `__init__` sets (`self.secret`).
 */
function memberTarget(ctx: AnalysisContext, node: Node, depth = 0): Node | undefined {
  if (depth > 6) return undefined;
  if (node.type === 'attribute') {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    if (!obj || !attr || ctx.src(obj) !== 'self') return undefined;
    return classAttribute(ctx, node, ctx.src(attr));
  }
  const value = node.childForFieldName('value');
  const sub = node.childForFieldName('subscript');
  if (!value || !sub) return undefined;
  const key = pyEval(ctx, sub, depth + 1);
  let container = value;
  if (container.type === 'identifier') container = lookup(ctx, container, ctx.src(container)) ?? container;
  if (container.type === 'list' || container.type === 'tuple') {
    return key.kind === 'num' ? namedChildren(container, ctx.text)[key.num ?? 0] : undefined;
  }
  if (container.type === 'dictionary' && key.kind === 'str') {
    for (const pair of namedChildren(container, ctx.text)) {
      const k = pair.childForFieldName('key');
      if (pair.type === 'pair' && k && stringOf(ctx, k) === key.str) return pair.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

function classAttribute(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const cls = ancestorsOf(from).reverse().find((a) => a.type === 'class_definition');
  const body = cls?.childForFieldName('body');
  if (!body) return undefined;
  ctx.touch(body.startIndex, body.endIndex);
  for (const st of namedChildren(body, ctx.text)) {
    const a = st.type === 'expression_statement' ? st.firstNamedChild : null;
    if (a?.type === 'assignment' && ctx.src(a.childForFieldName('left') ?? a) === name) return a.childForFieldName('right') ?? undefined;
    if (st.type === 'function_definition' && ctx.src(st.childForFieldName('name') ?? st) === '__init__') {
      for (const inner of namedChildren(st.childForFieldName('body') ?? st, ctx.text)) {
        const b = inner.type === 'expression_statement' ? inner.firstNamedChild : null;
        if (b?.type === 'assignment' && ctx.src(b.childForFieldName('left') ?? b).replace(/\s+/g, '') === `self.${name}`) return b.childForFieldName('right') ?? undefined;
      }
    }
  }
  return undefined;
}

const TIMEDELTA_UNITS: Readonly<Record<string, number>> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001 };

function pyEval(ctx: AnalysisContext, node: Node, depth = 0): PyValue {
  const text = ctx.src(node);
  const unknown: PyValue = { kind: ENV.test(text) ? 'env' : 'unknown', text, node };
  if (depth > 6) return unknown;
  switch (node.type) {
    case 'string':
    case 'concatenated_string': {
      const s = stringOf(ctx, node) ?? constantFString(ctx, node, depth);
      return s === undefined ? unknown : { kind: 'str', str: s, text, node };
    }
    case 'integer':
    case 'float': {
      const v = Number(text.replace(/_/g, ''));
      return Number.isFinite(v) ? { kind: 'num', num: v, text, node } : unknown;
    }
    case 'true': return { kind: 'bool', bool: true, text, node };
    case 'false': return { kind: 'bool', bool: false, text, node };
    case 'none': return { kind: 'none', text, node };
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      return inner ? pyEval(ctx, inner, depth + 1) : unknown;
    }
    case 'unary_operator': {
      const arg = node.childForFieldName('argument');
      const v = arg ? pyEval(ctx, arg, depth + 1) : undefined;
      if (v?.kind === 'num' && text.trim().startsWith('-')) return { kind: 'num', num: -(v.num ?? 0), text, node };
      return unknown;
    }
    case 'not_operator': {
      const arg = node.childForFieldName('argument');
      const v = arg ? pyEval(ctx, arg, depth + 1) : undefined;
      if (v?.kind === 'bool') return { kind: 'bool', bool: !v.bool, text, node };
      return unknown;
    }
    case 'binary_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator');
      if (!l || !r || !op) return unknown;
      const a = pyEval(ctx, l, depth + 1);
      const b = pyEval(ctx, r, depth + 1);
      if (a.kind === 'num' && b.kind === 'num') {
        const x = a.num ?? 0;
        const y = b.num ?? 0;
        switch (ctx.src(op)) {
          case '*': return { kind: 'num', num: x * y, text, node };
          case '+': return { kind: 'num', num: x + y, text, node };
          case '-': return { kind: 'num', num: x - y, text, node };
          case '/': case '//': return y ? { kind: 'num', num: x / y, text, node } : unknown;
          case '**': return { kind: 'num', num: x ** y, text, node };
          default: return unknown;
        }
      }
      if (a.kind === 'str' && b.kind === 'str' && ctx.src(op) === '+') return { kind: 'str', str: (a.str ?? '') + (b.str ?? ''), text, node };
      return a.kind === 'env' || b.kind === 'env' ? { kind: 'env', text, node } : unknown;
    }
    case 'conditional_expression': {
      // `a if cond else b`
      const [a, cond, b] = namedChildren(node, ctx.text);
      if (!a || !cond || !b) return unknown;
      if (ENV.test(ctx.src(cond)) || /\bis_secure\b|\bscheme\b/.test(ctx.src(cond))) return { kind: 'env', text, node };
      const av = pyEval(ctx, a, depth + 1);
      const bv = pyEval(ctx, b, depth + 1);
      if (av.kind === 'bool' && bv.kind === 'bool') {
        if (av.bool === bv.bool) return { ...av, node };
        return { kind: 'bool', bool: false, text, node, branch: `false when ${clip(ctx.src(cond))} is ${av.bool ? 'false' : 'true'}` };
      }
      return av.kind === 'env' || bv.kind === 'env' ? { kind: 'env', text, node } : unknown;
    }
    case 'subscript':
    case 'attribute': {
      const target = memberTarget(ctx, node, depth);
      return target ? { ...pyEval(ctx, target, depth + 1), node } : unknown;
    }
    case 'identifier': {
      const init = lookup(ctx, node, text);
      if (init) {
        const v = pyEval(ctx, init, depth + 1);
        const reassigned = branchAssignments(ctx, node, text, init);
        if (reassigned.length && v.kind === 'bool') {
          const values = reassigned.map((r) => ({ ...r, v: pyEval(ctx, r.value, depth + 1) }));
          if (values.some((r) => r.env)) return { kind: 'env', text: values.find((r) => r.env)!.where, node };
          if (!values.every((r) => r.v.kind === 'bool')) return unknown;
          const off = [{ v, where: '' }, ...values].find((r) => r.v.bool === false);
          if (!off) return { ...v, node };
          if (off.v === v && values.every((r) => r.v.bool === false)) return { ...v, node };
          return { kind: 'bool', bool: false, text, node, branch: off.v === v ? `${text} starts False` : `${text} is set to False in ${off.where}` };
        }
        return { ...v, node };
      }
      return unknown;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const args = node.childForFieldName('arguments');
      if (fn && args && /(^|\.)timedelta$/.test(ctx.src(fn))) {
        let seconds = 0;
        for (const a of namedChildren(args, ctx.text)) {
          if (a.type !== 'keyword_argument') return unknown;
          const k = a.childForFieldName('name');
          const v = a.childForFieldName('value');
          const unit = k ? TIMEDELTA_UNITS[ctx.src(k)] : undefined;
          const n = v ? pyEval(ctx, v, depth + 1) : undefined;
          if (unit === undefined || n?.kind !== 'num') return unknown;
          seconds += unit * (n.num ?? 0);
        }
        return { kind: 'num', num: seconds, text, node };
      }
      return unknown;
    }
    default:
      return unknown;
  }
}

// ---------------------------------------------------------------- secrets

function osEnv(ctx: AnalysisContext, name: string, node: Node): { replacement: string; extra: OffsetEdit[] } {
  ctx.lookups.add('os');
  ctx.lookups.add('<imports>');
  const q = ctx.quote() === "'" ? "'" : '"';
  // Read from the whole text: once per pass, however many secrets the file holds.
  const { hasOs, at } = ctx.memo('py.osImport', () => {
    if (/^\s*import\s+os\b|^\s*import\s+[\w, ]*\bos\b/m.test(ctx.text)) return { hasOs: true, at: 0 };
    // Put `import os` before the first import, or at the top after a module docstring/shebang.
    const m = /^(?:from|import)\s/m.exec(ctx.text);
    if (m) return { hasOs: false, at: m.index };
    const doc = /^(#![^\n]*\n)?(\s*("""[\s\S]*?"""|'''[\s\S]*?''')\s*\n)?/.exec(ctx.text);
    return { hasOs: false, at: doc ? doc[0].length : 0 };
  });
  const extra: OffsetEdit[] = [];
  if (!hasOs && at <= node.startIndex) extra.push({ start: at, end: at, newText: 'import os\n' });
  return { replacement: `os.environ[${q}${name}${q}]`, extra };
}

/**
 * A literal secret, followed through names, `os.environ.get(X, 'dev')` and `os.getenv(X) or 'dev'`
 * fallbacks, `a if cond else b`, concatenation, literal lists and dicts, class attributes and
 * `bytes()`/`str()`/`.encode()` wrappers. `via` says how the value reaches the setting or call.
 */
function secret(ctx: AnalysisContext, node: Node, what: string, envName: string, kind: 'session' | 'jwt', via?: string, depth = 0): void {
  if (depth > 6) return;
  const n = node.type === 'parenthesized_expression' && node.firstNamedChild ? node.firstNamedChild : node;
  const label = what.startsWith('The') ? what : `The ${what}`;
  const next = (x: Node, how: string | undefined) => secret(ctx, x, what, envName, kind, how ?? via, depth + 1);
  const viaPart = via ? { via } : {};
  if (n.type === 'string' || n.type === 'concatenated_string') {
    if (pyEval(ctx, n).kind !== 'str') return;
    const { replacement, extra } = osEnv(ctx, envName, n);
    reportHardcodedSecret(ctx, { kind, ...span(n), what: label, envName, replacement, extraEdits: extra, ...viaPart });
    return;
  }
  if (n.type === 'identifier') {
    const name = ctx.src(n);
    const init = lookup(ctx, n, name);
    if (init && init.startIndex !== n.startIndex) next(init, `through ${name}`);
    else if (!init) externalSecret(ctx, n, label, envName, kind, via);
    return;
  }
  if (n.type === 'binary_operator') {
    const v = pyEval(ctx, n);
    if (v.kind === 'str') {
      const { replacement, extra } = osEnv(ctx, envName, n);
      reportHardcodedSecret(ctx, { kind, ...span(n), what: label, envName, replacement, extraEdits: extra, ...viaPart });
    }
    return;
  }
  if (n.type === 'boolean_operator') {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const op = n.childForFieldName('operator');
    if (!left || !right || (op && ctx.src(op) !== 'or')) return;
    if (pyEval(ctx, right).kind !== 'str') return;
    const m = /^(?:os\.environ\.get|os\.getenv|getenv|environ\.get)\(\s*['"]([^'"]+)['"]\s*\)$|^os\.environ\[\s*['"]([^'"]+)['"]\s*\]$/.exec(ctx.src(left).trim());
    if (!m && !ENV.test(ctx.src(left))) return;
    reportHardcodedSecret(ctx, { kind, ...span(n), what: label, envName: m ? (m[1] ?? m[2]) : envName, replacement: ctx.src(left), fallback: true, ...viaPart });
    return;
  }
  if (n.type === 'conditional_expression') {
    const [a, cond, b] = namedChildren(n, ctx.text);
    if (!a || !cond || !b) return;
    const c = ctx.src(cond).replace(/\s+/g, ' ');
    next(a, `on the branch where ${c} is true`);
    next(b, `on the branch where ${c} is false`);
    return;
  }
  if (n.type === 'subscript' || n.type === 'attribute') {
    const target = memberTarget(ctx, n);
    if (target) next(target, `through ${ctx.src(n).replace(/\s+/g, '')}`);
    else if (n.type === 'attribute') externalSecret(ctx, n, label, envName, kind, via);
    return;
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    if (!fn || !args) return;
    const f = ctx.src(fn);
    const list = namedChildren(args, ctx.text);
    if (/^(os\.environ\.get|os\.getenv|getenv|environ\.get)$/.test(f) && list.length >= 2 && pyEval(ctx, list[1]).kind === 'str') {
      const q = ctx.quote() === "'" ? "'" : '"';
      const varName = stringOf(ctx, list[0]) ?? envName;
      reportHardcodedSecret(ctx, {
        kind, ...span(n), what: label, envName: varName,
        replacement: `os.environ[${q}${varName}${q}]`, fallback: true, ...viaPart,
      });
    } else if (/^(bytes|str)$/.test(f) && list[0]) next(list[0], undefined);
    else if (fn.type === 'attribute' && /\.encode$/.test(f)) {
      const obj = fn.childForFieldName('object');
      if (obj) next(obj, undefined);
    }
  }
}

function externalSecret(ctx: AnalysisContext, n: Node, what: string, envName: string, kind: 'session' | 'jwt', via: string | undefined): void {
  const symbol = externalConstant(ctx, n);
  if (symbol) reportExternalSecret(ctx, { kind, ...span(n), what, envName, ...(via ? { via } : {}), symbol, expression: ctx.src(n) });
}

/** What each imported local name stands for: a module and a name in it ('*' for the module itself). Read from the text once per pass. */
function importsOf(ctx: AnalysisContext): Map<string, { module: string; name: string }> {
  return ctx.memo('py.imports', () => {
    const out = new Map<string, { module: string; name: string }>();
    // `from x import a, b` on one line, or `from x import (` … `)` over several (comments allowed inside).
    for (const m of ctx.text.matchAll(/^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^(#\n]*))/gm)) {
      for (const part of (m[2] ?? m[3]).replace(/#[^\n]*/g, '').split(/[,\n]/)) {
        const b = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (b && b[1] !== '*') out.set(b[2] ?? b[1], { module: m[1], name: b[1] });
      }
    }
    for (const m of ctx.text.matchAll(/^[ \t]*import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?/gm)) out.set(m[2] ?? m[1], { module: m[1], name: '*' });
    return out;
  });
}

/** Modules imported with `from x import *`, in order. Read from the text once per pass. */
function starImportsOf(ctx: AnalysisContext): string[] {
  return ctx.memo('py.starImports', () => [...ctx.text.matchAll(/^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\*/gm)].map((m) => m[1]));
}

/**
 * The workspace constant an imported name or a module attribute names: `from config.settings import
 * JWT_SECRET`, `from . import settings` then `settings.JWT_SECRET`, `import config` then `config.SECRET`;
 * `django.conf.settings` reads the workspace's settings module.
 */
function externalConstant(ctx: AnalysisContext, n: Node, suffix = ''): WorkspaceSymbol | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  const { table, filePath } = ws;
  const imports = importsOf(ctx);
  if (n.type === 'identifier') {
    const name = ctx.src(n);
    ctx.lookups.add(name);
    const imp = imports.get(name);
    if (!imp) {
      // `from settings import *`: the name is one of the star-imported modules' constants.
      ctx.lookups.add('<imports>');
      for (const mod of starImportsOf(ctx)) {
        const file = table.resolvePythonModule(filePath, mod);
        const symbol = file ? table.lookup(file, `${name}${suffix}`) : undefined;
        if (symbol) return symbol;
      }
      return undefined;
    }
    if (imp.name === '*') return undefined;
    const file = table.resolvePythonModule(filePath, imp.module);
    return file ? table.lookup(file, `${imp.name}${suffix}`) : undefined;
  }
  const obj = n.childForFieldName('object');
  const attr = n.childForFieldName('attribute');
  if (!obj || !attr) return undefined;
  const base = ctx.src(obj);
  ctx.lookups.add(base.split('.')[0]);
  const imp = imports.get(base);
  if (!imp) return undefined;
  const modules = imp.name === '*' ? [imp.module] : [`${imp.module}${imp.module.endsWith('.') ? '' : '.'}${imp.name}`];
  if (imp.module === 'django.conf' && imp.name === 'settings') modules.push('settings');
  for (const mod of modules) {
    const file = table.resolvePythonModule(filePath, mod);
    const symbol = file ? table.lookup(file, `${ctx.src(attr)}${suffix}`) : undefined;
    if (symbol) return symbol;
  }
  return undefined;
}

// ---------------------------------------------------------------- calls

function kwargs(ctx: AnalysisContext, args: Node): { positional: Node[]; named: Map<string, { node: Node; value: Node }>; splat: boolean; items: Node[] } {
  const positional: Node[] = [];
  const named = new Map<string, { node: Node; value: Node }>();
  let splat = false;
  const items = namedChildren(args, ctx.text);
  for (const a of items) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name');
      const v = a.childForFieldName('value');
      if (k && v) named.set(ctx.src(k), { node: a, value: v });
    } else if (a.type === 'dictionary_splat' || a.type === 'list_splat') splat = true;
    else positional.push(a);
  }
  return { positional, named, splat, items };
}

const SET_COOKIE_POSITIONS = ['key', 'value', 'max_age', 'expires', 'path', 'domain', 'secure', 'httponly', 'samesite'];
const PY_KEYS: Readonly<Record<CookieAttr, string>> = {
  secure: 'secure', httpOnly: 'httponly', sameSite: 'samesite', path: 'path', domain: 'domain', name: 'key', partitioned: 'partitioned',
};

function renderPy(ctx: AnalysisContext, attr: CookieAttr, value: string): string {
  if (value === 'true') return 'True';
  if (value === 'false') return 'False';
  const q = ctx.quote() === "'" ? "'" : '"';
  return attr === 'sameSite' ? `${q}${value.charAt(0).toUpperCase()}${value.slice(1)}${q}` : `${q}${value}${q}`;
}

function methodCall(ctx: AnalysisContext, call: Node, obj: Node, method: string, args: Node): void {
  const objText = ctx.src(obj);
  switch (method) {
    case 'set_cookie':
    case 'set_signed_cookie':
      setCookie(ctx, call, args, method);
      return;
    case 'encode':
    case 'decode':
      if (objText === 'jwt' || objText === 'pyjwt' || /\bjwt$/.test(objText)) pyJwt(ctx, call, method, args);
      return;
    case 'update':
    case 'from_mapping':
      if (/(^|\.)config$/.test(objText)) configUpdate(ctx, args);
      return;
    case 'add_middleware': {
      const k = kwargs(ctx, args);
      if (k.positional[0] && ctx.src(k.positional[0]) === 'SessionMiddleware') starletteSession(ctx, call, args, k);
      return;
    }
    default:
      if (/(^|\.)config$/.test(objText)) ctx.facts.push({ key: 'flask.external', name: method, ...span(call) });
  }
}

function configUpdate(ctx: AnalysisContext, args: Node): void {
  const k = kwargs(ctx, args);
  const add = (name: string, whole: Node, value: Node) => {
    if (name === 'SECRET_KEY') secret(ctx, value, 'The Flask SECRET_KEY', 'SECRET_KEY', 'session');
    ctx.facts.push(settingFact('flask.setting', entryOf(ctx, name, whole, value)));
  };
  for (const [name, { node, value }] of k.named) add(name, node, value);
  const dict = k.positional[0];
  if (dict?.type === 'dictionary') {
    for (const p of namedChildren(dict, ctx.text)) {
      if (p.type !== 'pair') continue;
      const key = p.childForFieldName('key');
      const value = p.childForFieldName('value');
      const name = key ? stringOf(ctx, key) : undefined;
      if (name && value) add(name, p, value);
    }
  }
}

function setCookie(ctx: AnalysisContext, call: Node, args: Node, method: string): void {
  const k = kwargs(ctx, args);
  const get = (name: string): { node: Node; value: Node } | undefined => {
    const kw = k.named.get(name);
    if (kw) return kw;
    const i = SET_COOKIE_POSITIONS.indexOf(name);
    const p = method === 'set_cookie' && i >= 0 ? k.positional[i] : undefined;
    return p ? { node: p, value: p } : undefined;
  };
  const nameArg = get('key');
  const nameV = nameArg ? pyEval(ctx, nameArg.value) : undefined;
  // Starlette/FastAPI default SameSite to lax; Werkzeug and Django leave it out.
  ctx.lookups.add('fastapi');
  ctx.lookups.add('starlette');
  const starlette = ctx.memo('py.starlette', () => /^\s*(from|import)\s+(fastapi|starlette)\b/m.test(ctx.text));
  const truth = (name: string): AttrAt<Truth> | undefined => {
    const a = get(name);
    if (!a) return undefined;
    const v = pyEval(ctx, a.value);
    const t: Truth = v.kind === 'bool' ? (v.bool ? 'true' : 'false') : v.kind === 'none' ? 'false' : v.kind === 'env' ? 'env' : 'unknown';
    return { value: t, ...span(a.node), ...(v.kind === 'env' ? { envText: v.text } : {}), ...(v.branch ? { branch: v.branch } : {}) };
  };
  const ss = get('samesite');
  const ssV = ss ? pyEval(ctx, ss.value) : undefined;
  const maxAge = get('max_age');
  const maxAgeV = maxAge ? pyEval(ctx, maxAge.value) : undefined;
  const domain = get('domain');
  const domainV = domain ? pyEval(ctx, domain.value) : undefined;
  const pathA = get('path');
  const pathV = pathA ? pyEval(ctx, pathA.value) : undefined;
  const secureA = truth('secure');
  const httpOnlyA = truth('httponly');
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      const inserts: string[] = [];
      for (const [attr, value] of changes) {
        const existing = get(PY_KEYS[attr]);
        const text = renderPy(ctx, attr, value);
        if (existing) edits.push({ ...span(existing.value), newText: text });
        else inserts.push(`${PY_KEYS[attr]}=${text}`);
      }
      if (inserts.length) edits.push(insertListItem(ctx, span(args), k.items.map(span), inserts));
      return edits.sort((a, b) => a.start - b.start);
    },
    setLifetime(days) {
      const maxAge = get('max_age');
      return maxAge ? [{ ...span(maxAge.value), newText: `60 * 60 * 24 * ${days}` }] : undefined;
    },
    remove(attr) {
      const existing = k.named.get(PY_KEYS[attr]);
      if (!existing) return undefined;
      return [removeListItem(ctx, k.items.map(span), k.items.findIndex((i) => i.startIndex === existing.node.startIndex))];
    },
  };
  checkCookieSite(ctx, {
    framework: method === 'set_cookie' ? 'set_cookie()' : 'set_signed_cookie()',
    ...(nameV?.kind === 'str' ? { name: { value: nameV.str ?? '', ...span(nameArg!.value) } } : nameArg ? { nameHint: ctx.src(nameArg.value) } : {}),
    ...(get('value') ? { valueHint: ctx.src(get('value')!.value) } : {}),
    session: false,
    anchor: span(call),
    complete: !k.splat,
    ...(secureA ? { secure: secureA } : {}),
    ...(httpOnlyA ? { httpOnly: httpOnlyA } : {}),
    ...(ss && ssV ? { sameSite: { value: ssV.kind === 'str' ? (ssV.str ?? '').toLowerCase() : ssV.kind === 'none' ? '' : ssV.kind === 'env' ? 'env' : 'unknown', ...span(ss.node) } } : {}),
    ...(maxAge && maxAgeV ? { maxAgeSeconds: { value: maxAgeV.kind === 'num' ? maxAgeV.num : undefined, ...span(maxAge.node) } } : {}),
    ...(domain && domainV ? { domain: { value: domainV.kind === 'str' ? domainV.str : undefined, ...span(domain.node), ...(domainV.kind !== 'str' ? { envText: ctx.src(domain.value) } : {}) } } : {}),
    ...(pathA && pathV ? { path: { value: pathV.kind === 'str' ? pathV.str : undefined, ...span(pathA.node) } } : {}),
    defaults: { secure: 'false', httpOnly: 'false', path: '/', ...(starlette ? { sameSite: 'lax' } : {}) },
    writer,
  });
}

/**
 * aiohttp-session storages: `EncryptedCookieStorage(secret_key, cookie_name=, httponly=, secure=,
 * samesite=, max_age=, domain=, path=)` and the server-side ones with the same cookie options;
 * `SimpleCookieStorage` keeps the session as plain JSON in the cookie (its docs: for testing only).
 * Defaults: cookie AIOHTTP_SESSION, HttpOnly, no Secure, no SameSite, Path=/.
 */
function aiohttpStorage(ctx: AnalysisContext, storage: string, call: Node, args: Node): void {
  const k = kwargs(ctx, args);
  if (storage === 'SimpleCookieStorage') {
    ctx.report({
      ruleId: 'session-hardcoded-secret', ...span(call),
      message: 'SimpleCookieStorage keeps the session as unsigned JSON in the cookie: any client can edit it and become any user. Use EncryptedCookieStorage with a key from the environment (or a server-side storage).',
    });
  }
  const secretKey = storage === 'EncryptedCookieStorage' || storage === 'NaClCookieStorage' ? k.named.get('secret_key')?.value ?? k.positional[0] : undefined;
  if (secretKey) secret(ctx, secretKey, `The aiohttp-session ${storage} key`, 'SESSION_SECRET', 'session');
  const attr = (name: string): AttrAt<Truth> | undefined => {
    const a = k.named.get(name);
    if (!a) return undefined;
    const v = pyEval(ctx, a.value);
    const t: Truth = v.kind === 'bool' ? (v.bool ? 'true' : 'false') : v.kind === 'none' ? 'false' : v.kind === 'env' ? 'env' : 'unknown';
    return { value: t, ...span(a.node), ...(v.kind === 'env' ? { envText: v.text } : {}) };
  };
  const keys: Partial<Record<CookieAttr, string>> = { secure: 'secure', httpOnly: 'httponly', sameSite: 'samesite', path: 'path', domain: 'domain', name: 'cookie_name' };
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      const inserts: string[] = [];
      for (const [a, value] of changes) {
        const key = keys[a];
        if (!key) return undefined;
        const existing = k.named.get(key);
        const text = a === 'sameSite' ? renderPy(ctx, 'name', value.charAt(0).toUpperCase() + value.slice(1)) : renderPy(ctx, a, value);
        if (existing) edits.push({ ...span(existing.value), newText: text });
        else inserts.push(`${key}=${text}`);
      }
      if (inserts.length) edits.push(insertListItem(ctx, span(args), k.items.map(span), inserts));
      return edits.sort((x, y) => x.start - y.start);
    },
  };
  const ss = k.named.get('samesite');
  const ssV = ss ? pyEval(ctx, ss.value) : undefined;
  const maxAge = k.named.get('max_age');
  const maxAgeV = maxAge ? pyEval(ctx, maxAge.value) : undefined;
  const secureA = attr('secure');
  const httpOnlyA = attr('httponly');
  checkCookieSite(ctx, {
    framework: `aiohttp-session ${storage}`,
    session: true,
    anchor: span(call),
    complete: !k.splat,
    ...(secureA ? { secure: secureA } : {}),
    ...(httpOnlyA ? { httpOnly: httpOnlyA } : {}),
    ...(ss && ssV ? { sameSite: { value: ssV.kind === 'str' ? (ssV.str ?? '').toLowerCase() : ssV.kind === 'none' ? '' : 'unknown', ...span(ss.node) } } : {}),
    ...(maxAge && maxAgeV ? { maxAgeSeconds: { value: maxAgeV.kind === 'num' ? maxAgeV.num : undefined, ...span(maxAge.node) } } : {}),
    defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'AIOHTTP_SESSION' },
    writer,
  });
}

function starletteSession(ctx: AnalysisContext, call: Node, args: Node, k: ReturnType<typeof kwargs>): void {
  const sk = k.named.get('secret_key');
  if (sk) secret(ctx, sk.value, 'The SessionMiddleware secret_key', 'SESSION_SECRET', 'session');
  const https = k.named.get('https_only');
  const httpsV = https ? pyEval(ctx, https.value) : undefined;
  const ss = k.named.get('same_site');
  const ssV = ss ? pyEval(ctx, ss.value) : undefined;
  const maxAge = k.named.get('max_age');
  const maxAgeV = maxAge ? pyEval(ctx, maxAge.value) : undefined;
  const keys: Partial<Record<CookieAttr, string>> = { secure: 'https_only', sameSite: 'same_site', path: 'path', domain: 'domain', name: 'session_cookie' };
  const writer: AttrWriter = {
    set(changes) {
      const edits: OffsetEdit[] = [];
      const inserts: string[] = [];
      for (const [attr, value] of changes) {
        const key = keys[attr];
        if (!key) return undefined;
        const existing = k.named.get(key);
        const text = attr === 'sameSite' ? renderPy(ctx, 'name', value) : renderPy(ctx, attr, value);
        if (existing) edits.push({ ...span(existing.value), newText: text });
        else inserts.push(`${key}=${text}`);
      }
      if (inserts.length) edits.push(insertListItem(ctx, span(args), k.items.map(span), inserts));
      return edits;
    },
  };
  const secureT: Truth | undefined = httpsV ? (httpsV.kind === 'bool' ? (httpsV.bool ? 'true' : 'false') : httpsV.kind === 'env' ? 'env' : 'unknown') : undefined;
  checkCookieSite(ctx, {
    framework: 'Starlette SessionMiddleware',
    session: true,
    anchor: span(call),
    complete: !k.splat,
    ...(https && secureT ? { secure: { value: secureT, ...span(https.node), ...(httpsV?.kind === 'env' ? { envText: httpsV.text } : {}) } } : {}),
    ...(ss && ssV ? { sameSite: { value: ssV.kind === 'str' ? (ssV.str ?? '').toLowerCase() : 'unknown', ...span(ss.node) } } : {}),
    ...(maxAge && maxAgeV ? { maxAgeSeconds: { value: maxAgeV.kind === 'num' ? maxAgeV.num : undefined, ...span(maxAge.node) } } : {}),
    defaults: { secure: 'false', httpOnly: 'true', sameSite: 'lax', path: '/', name: 'session' },
    writer,
  });
}

function pyJwt(ctx: AnalysisContext, call: Node, method: string, args: Node): void {
  const k = kwargs(ctx, args);
  const key = k.named.get('key')?.value ?? k.positional[1];
  if (key) secret(ctx, key, method === 'encode' ? 'The JWT signing key' : 'The JWT verification key', 'JWT_SECRET', 'jwt');
  const q = ctx.quote() === "'" ? "'" : '"';
  if (method === 'encode') {
    const alg = k.named.get('algorithm')?.value ?? k.positional[2];
    const v = alg ? pyEval(ctx, alg) : undefined;
    if (alg && v?.kind === 'str' && (v.str ?? '').toLowerCase() === 'none') {
      ctx.report({
        ruleId: 'jwt-alg-none', ...span(alg),
        message: 'Tokens signed with algorithm "none" carry no signature: anyone can forge them. Use HS256 with a strong key or an asymmetric algorithm.',
        fix: { title: 'Sign with HS256', edits: [{ ...span(alg), newText: `${q}HS256${q}` }] },
      });
    }
    return;
  }
  const token = k.positional[0];
  let onPath: boolean | undefined;
  const verifiedElsewhere = () => (onPath ??= verifiedOnPath(ctx, call, token));
  const options = k.named.get('options');
  const switches = options ? verifySwitches(ctx, options.value) : [];
  let signatureOff = false;
  for (const sw of switches) {
    if (sw.name === 'verify_signature') signatureOff = true;
    if (sw.name === 'verify_signature' && verifiedElsewhere()) continue;
    const through = sw.via ? ` (${sw.via})` : '';
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(sw.at ?? options!.node),
      message: sw.name === 'verify_signature'
        ? `verify_signature: False${through} accepts any token, forged or not. Remove it and verify the signature.`
        : `${sw.name}: False${through} skips a claim check the token must pass. Remove it.`,
      ...(sw.value ? { fix: { title: 'Verify', edits: [{ ...span(sw.value), newText: 'True' }] } } : {}),
    });
  }
  // PyJWT 1.x: decode(token, verify=False) / decode(token, key, verify=False), also through a name.
  const verify = k.named.get('verify');
  const verifyOff = verify ? falseFlag(ctx, verify.value) : undefined;
  if (verify && verifyOff) {
    signatureOff = true;
    if (!verifiedElsewhere()) {
      ctx.report({
        ruleId: 'jwt-verify-disabled', ...span(verify.node),
        message: `verify=False${verifyOff.via ? ` (${verifyOff.via})` : ''} accepts any token, forged or not (the PyJWT 1.x switch). Remove it and verify the signature with the key and algorithms=[…].`,
        ...(verifyOff.literal ? { fix: { title: 'Verify', edits: [{ ...span(verify.value), newText: 'True' }] } } : {}),
      });
    }
  }
  const algs = k.named.get('algorithms');
  if (!algs) {
    if (k.splat || signatureOff) return;
    const keyText = key ? ctx.src(key) : '';
    const suggested = /public|pub|pem|cert|jwks/i.test(keyText) ? 'RS256' : 'HS256';
    ctx.report({
      ruleId: 'jwt-verify-disabled', ...span(call),
      message: `jwt.decode without algorithms lets the token choose how it is checked. Pass algorithms=["${suggested}"] (the algorithm you sign with).`,
      fix: { title: `Allow only ${suggested}`, edits: [insertListItem(ctx, span(args), k.items.map(span), `algorithms=[${q}${suggested}${q}]`)] },
    });
    return;
  }
  if (algs.value.type !== 'list') {
    algorithmsThroughName(ctx, algs.node, algs.value);
    return;
  }
  const elems = namedChildren(algs.value, ctx.text);
  const names = elems.map((e) => pyEval(ctx, e)).map((v) => (v.kind === 'str' ? v.str ?? '' : ''));
  const noneIdx = names.findIndex((n) => n.toLowerCase() === 'none');
  if (noneIdx !== -1) {
    ctx.report({
      ruleId: 'jwt-alg-none', ...span(elems[noneIdx]),
      message: 'The verifier accepts alg "none": unsigned tokens pass. Remove "none" from algorithms.',
      fix: { title: 'Remove "none"', edits: [removeListItem(ctx, elems.map(span), noneIdx)] },
    });
  }
  const hs = names.some((n) => HS.test(n));
  const asym = names.filter((n) => ASYM.test(n));
  if (hs && asym.length) {
    ctx.report({
      ruleId: 'jwt-algorithm-confusion', ...span(algs.node),
      message: 'The verifier accepts both HMAC (HS*) and public-key algorithms: a token signed with HS256 using the public key as secret passes. Allow one family only.',
      fix: { title: `Allow only ${asym.join(', ')}`, edits: [{ ...span(algs.value), newText: `[${asym.map((a) => `${q}${a}${q}`).join(', ')}]` }] },
    });
  }
}

const VERIFY_OPTION = /^verify_(signature|exp|aud|iss|iat|nbf)$/;

/**
 * The `verify_*: False` entries of PyJWT `options`: a dict literal (each entry reported where it is
 * written, with a fix), or a name holding one: a dict of this file (`NO_VERIFY = {…}`, reported at
 * `options=`, naming it) or a one-line dict constant of a workspace module (from the scan's table).
 */
function verifySwitches(ctx: AnalysisContext, value: Node): { name: string; at?: Node; value?: Node; via?: string }[] {
  const fromDict = (dict: Node, via?: string) => namedChildren(dict, ctx.text).flatMap((p) => {
    const pk = p.type === 'pair' ? p.childForFieldName('key') : null;
    const pv = p.childForFieldName('value');
    const name = pk ? stringOf(ctx, pk) : undefined;
    if (!name || !pv || !VERIFY_OPTION.test(name)) return [];
    const v = pyEval(ctx, pv);
    if (v.kind !== 'bool' || v.bool) return [];
    return [via ? { name, via } : { name, at: p, value: pv }];
  });
  if (value.type === 'dictionary') return fromDict(value);
  if (value.type !== 'identifier' && value.type !== 'attribute') return [];
  const written = ctx.src(value).replace(/\s+/g, '');
  const local = value.type === 'identifier' ? lookup(ctx, value, written) : memberTarget(ctx, value);
  if (local) return local.type === 'dictionary' ? fromDict(local, `through ${written}`) : [];
  const out: { name: string; via?: string }[] = [];
  for (const o of ['signature', 'exp', 'aud', 'iss', 'iat', 'nbf']) {
    const symbol = externalConstant(ctx, value, `.verify_${o}`);
    if (symbol?.value === false && ctx.workspace) out.push({ name: `verify_${o}`, via: `through ${describeSymbol(ctx.workspace.filePath, written, symbol)}` });
  }
  return out;
}

/** Whether a flag is False: written so (`literal`), through a name of this file, or a constant of a workspace module. */
function falseFlag(ctx: AnalysisContext, value: Node): { literal?: true; via?: string } | undefined {
  const v = pyEval(ctx, value);
  if (v.kind === 'bool') return v.bool ? undefined : value.type === 'false' ? { literal: true } : { via: `through ${ctx.src(value).replace(/\s+/g, '')}` };
  if (value.type !== 'identifier' && value.type !== 'attribute') return undefined;
  const symbol = externalConstant(ctx, value);
  return symbol?.value === false && ctx.workspace ? { via: `through ${describeSymbol(ctx.workspace.filePath, ctx.src(value), symbol)}` } : undefined;
}

/**
 * `algorithms=ALLOWED` where the name holds a list: of this file (a list literal reached through
 * names, attributes, subscripts) or a one-line list constant of a workspace module. "none" there is
 * reported at `algorithms=`, naming the list and where it is written.
 */
function algorithmsThroughName(ctx: AnalysisContext, at: Node, value: Node): void {
  if (value.type !== 'identifier' && value.type !== 'attribute') return;
  const written = ctx.src(value).replace(/\s+/g, '');
  let names: string[] | undefined;
  let where = written;
  const local = value.type === 'identifier' ? lookup(ctx, value, written) : memberTarget(ctx, value);
  if (local && (local.type === 'list' || local.type === 'tuple')) {
    names = namedChildren(local, ctx.text).map((e) => pyEval(ctx, e)).map((v) => (v.kind === 'str' ? v.str ?? '' : ''));
    where = `${written}, line ${ctx.lineOf(local.startIndex) + 1}`;
  } else if (!local) {
    const symbol = externalConstant(ctx, value, PY_LIST_SUFFIX);
    if (symbol && typeof symbol.value === 'string' && ctx.workspace) {
      try {
        names = (JSON.parse(symbol.value) as unknown[]).map(String);
      } catch {
        names = undefined;
      }
      where = describeSymbol(ctx.workspace.filePath, written, symbol);
    }
  }
  if (!names) return;
  if (names.some((n) => n.toLowerCase() === 'none')) {
    ctx.report({
      ruleId: 'jwt-alg-none', ...span(at),
      message: `The verifier accepts alg "none" (the list ${where} includes it): unsigned tokens pass. Remove "none" from that list.`,
    });
  }
  if (names.some((n) => HS.test(n)) && names.some((n) => ASYM.test(n))) {
    ctx.report({
      ruleId: 'jwt-algorithm-confusion', ...span(at),
      message: `The verifier accepts both HMAC (HS*) and public-key algorithms (the list ${where}): a token signed with HS256 using the public key as secret passes. Allow one family only.`,
    });
  }
}

/**
 * Whether the function around an unverified `jwt.decode(token, options={"verify_signature": False})`
 * also decodes the same token with a key and an algorithms allow-list, signature checked: the
 * unverified read is then a peek at the header or kid (to pick the key), not the authentication,
 * unless its result is what the function returns.
 */
function verifiedInSameFunction(ctx: AnalysisContext, call: Node, token: Node | undefined): boolean {
  if (!token) return false;
  const fn = ancestorsOf(call).reverse().find((a) => a.type === 'function_definition');
  if (!fn) return false;
  ctx.touch(fn.startIndex, fn.endIndex);
  const stmt = statementOf(call);
  if (stmt.type === 'return_statement') return false;
  const assigned = stmt.firstNamedChild?.type === 'assignment' ? stmt.firstNamedChild.childForFieldName('left') : null;
  const body = ctx.src(fn);
  if (assigned && new RegExp(`\\breturn\\s+${escapeRe(ctx.src(assigned))}\\s*$`, 'm').test(body)) return false;
  const t = escapeRe(ctx.src(token));
  for (const m of body.matchAll(new RegExp(`\\bdecode\\s*\\(\\s*${t}\\s*,(?:[^()]|\\([^()]*\\))*\\)`, 'g'))) {
    if (/\balgorithms\s*=/.test(m[0]) && !/verify_signature|\bverify\s*=\s*False/.test(m[0])) return true;
  }
  return false;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/*
 * "The same path" beyond one function, for an unverified decode:
 * - a helper of this file that verifies its parameter (`def verify_token(t): return jwt.decode(t,
 *   KEY, algorithms=[…])`) called with the same token earlier in the function: the peek after it
 *   reads a token whose signature was checked. A helper that catches the failure (a `try` whose
 *   `except` does not raise) counts only when its result is tested (`if not verify_token(t):`).
 * - an unverified decode of its own parameter in a private helper (`def _claims(t):`, private by
 *   the leading underscore, so no other module calls it) every call of which in this file comes
 *   after a verify of the same argument.
 * A helper of another module is not followed: the finding stays.
 */
function verifiedOnPath(ctx: AnalysisContext, call: Node, token: Node | undefined): boolean {
  if (!token) return false;
  if (verifiedInSameFunction(ctx, call, token)) return true;
  if (verifiedBefore(ctx, call, ctx.src(token))) return true;
  if (verifiedByDecorator(ctx, call, token)) return true;
  return peekHelperCalledAfterVerify(ctx, call, token);
}

/** A request's credentials: the token a view reads there is the one an authentication decorator checked. */
const REQUEST_TOKEN = /\brequest\s*\.\s*(headers|cookies|authorization|META)\b/;

/** A verified decode of anything (`jwt.decode(token, key, algorithms=[…])`, signature not switched off), as a decorator's body holds one. */
const VERIFIED_DECODE = /\bdecode\s*\((?:[^()]|\([^()]*\))*\balgorithms\s*=(?:[^()]|\([^()]*\))*\)/g;
const verifiesAny = (text: string): boolean => [...text.matchAll(VERIFIED_DECODE)].some((m) => !/verify_signature|\bverify\s*=\s*False/.test(m[0]));

/**
 * A view behind an authentication decorator that verifies the request's token: Flask-JWT-Extended
 * `@jwt_required()` (not `optional=True`, which lets a request without a token through), or a
 * decorator of the workspace whose body verifies a token and wraps the view (this file's, or one
 * imported from a workspace module: the scan indexes them). The peek counts as on a verified path
 * only when its token is read from the same request (`request.headers`, `request.cookies`, directly,
 * through a local, or through a helper of the file that reads them): another token (a body field, a
 * query parameter) was never checked. `@login_required` checks the session, not the token: it does not count.
 */
function verifiedByDecorator(ctx: AnalysisContext, call: Node, token: Node): boolean {
  const fn = ancestorsOf(call).reverse().find((a) => a.type === 'function_definition');
  const decorated = fn?.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  if (!fn || !decorated) return false;
  ctx.touch(decorated.startIndex, fn.startIndex);
  const verifying = namedChildren(decorated, ctx.text).filter((d) => d.type === 'decorator').some((d) => {
    const text = ctx.src(d).replace(/^@\s*/, '').replace(/\s+/g, '');
    const head = /^([\w.]+)/.exec(text)?.[1] ?? '';
    const name = head.replace(/^.*\./, '');
    if (name === 'jwt_required') return !/optional=True/.test(text);
    if (!name || /^(login_required|permission_required|route|get|post|put|patch|delete|staticmethod|classmethod|property)$/.test(name)) return false;
    return decoratorVerifies(ctx, call.tree.rootNode, head);
  });
  if (!verifying) return false;
  return tokenFromRequest(ctx, fn, call, token);
}

/** Whether a decorator (`token_required`, `auth.token_required`) wraps the view in a verify: a function of this file, or of a workspace module (indexed). */
function decoratorVerifies(ctx: AnalysisContext, root: Node, head: string): boolean {
  ctx.lookups.add(head.split('.')[0]);
  const own = !head.includes('.') ? functionsByName(ctx, root).get(head) : undefined;
  if (own) {
    ctx.touch(own.startIndex, own.endIndex);
    const body = own.childForFieldName('body');
    return !!body && body.descendantsOfType('function_definition').length > 0 && verifiesAny(ctx.src(body));
  }
  const ws = ctx.workspace;
  if (!ws) return false;
  ctx.lookups.add('<imports>');
  const imports = importsOf(ctx);
  const dot = head.lastIndexOf('.');
  const mod = dot === -1 ? undefined : imports.get(head.slice(0, dot));
  const imp = dot === -1 ? imports.get(head) : undefined;
  const name = head.slice(dot + 1);
  const modules = imp ? (imp.name === '*' ? [] : [[imp.module, imp.name]]) : mod ? (mod.name === '*' ? [[mod.module, name]] : [[submodule(mod), name]]) : [];
  return modules.some(([m, n]) => {
    const file = ws.table.resolvePythonModule(ws.filePath, m);
    return file !== undefined && ws.table.lookup(file, `${n}${PY_DECORATOR_SUFFIX}`) !== undefined;
  });
}

/** Whether the peeked token is read from the request: written so, through a local assigned so before, or a helper of the file that reads it. */
function tokenFromRequest(ctx: AnalysisContext, fn: Node, call: Node, token: Node): boolean {
  const readsRequest = (text: string, depth: number): boolean => {
    if (REQUEST_TOKEN.test(text)) return true;
    const helper = /^\s*(?:self\.)?([A-Za-z_]\w*)\s*\(/.exec(text)?.[1];
    const def = helper && depth < 2 ? functionsByName(ctx, fn.tree.rootNode).get(helper) : undefined;
    if (!def || def.id === fn.id) return false;
    ctx.touch(def.startIndex, def.endIndex);
    return readsRequest(ctx.src(def.childForFieldName('body') ?? def), depth + 1);
  };
  const t = ctx.src(token);
  if (token.type !== 'identifier') return readsRequest(t, 0);
  ctx.touch(fn.startIndex, call.startIndex);
  const before = ctx.text.slice(fn.startIndex, call.startIndex);
  const assigned = [...before.matchAll(new RegExp(`^[ \\t]*${escapeRe(t)}\\s*(?::[^=\\n]+)?=(?!=)\\s*([^\\n]+)$`, 'gm'))].pop();
  return !!assigned && readsRequest(assigned[1], 0);
}

/** Function definitions of the file by name (methods too), read once per pass. */
function functionsByName(ctx: AnalysisContext, root: Node): Map<string, Node> {
  return ctx.memo('py.functions', () => {
    const out = new Map<string, Node>();
    for (const f of root.descendantsOfType('function_definition')) {
      const name = f?.childForFieldName('name');
      if (f && name && !out.has(ctx.src(name))) out.set(ctx.src(name), f);
    }
    return out;
  });
}

/** A verified `decode(<param>, key, algorithms=[…])` (signature not switched off). */
function verifiedDecodeOf(text: string, param: string): RegExpMatchArray | undefined {
  for (const m of text.matchAll(new RegExp(`\\bdecode\\s*\\(\\s*${escapeRe(param)}\\s*,(?:[^()]|\\([^()]*\\))*\\)`, 'g'))) {
    if (/\balgorithms\s*=/.test(m[0]) && !/verify_signature|\bverify\s*=\s*False/.test(m[0])) return m;
  }
  return undefined;
}

/**
 * Whether `fn` verifies its first parameter: 'raises' when a bad token raises out of it, 'returns'
 * when it catches the failure (its result must then be tested), undefined when it does not verify.
 */
function verifyingHelper(ctx: AnalysisContext, fn: Node): 'raises' | 'returns' | undefined {
  // What the helper does decides the finding: an edit of it re-lints (outside the memo, which one chunk of the pass fills).
  ctx.touch(fn.startIndex, fn.endIndex);
  return ctx.memo(`py.verifies:${fn.id}`, () => {
    const params = fn.childForFieldName('parameters');
    const names = params ? namedChildren(params, ctx.text).map((p) => ctx.src(p).split(/[:=]/)[0].trim()).filter((p) => p !== 'self' && p !== 'cls') : [];
    const param = names[0]?.replace(/^\*+/, '');
    if (!param) return undefined;
    const body = ctx.src(fn);
    const m = verifiedDecodeOf(body, param);
    if (!m || m.index === undefined) return undefined;
    const at = fn.startIndex + m.index;
    const decode = fn.descendantForIndex(at, at + m[0].length);
    if (!decode) return undefined;
    const tries = ancestorsOf(decode).filter((a) => a.type === 'try_statement' && a.startIndex >= fn.startIndex);
    const swallowed = tries.some((t) => namedChildren(t, ctx.text).some((c) => c.type === 'except_clause' && !/\braise\b/.test(ctx.src(c))));
    return swallowed ? 'returns' : 'raises';
  });
}

/** How a function imported from a workspace module (`from .tokens import verify_token`) verifies, from the last scan's table. */
function importedVerifier(ctx: AnalysisContext, name: string): 'raises' | 'returns' | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  ctx.lookups.add(name);
  const imp = importsOf(ctx).get(name);
  if (!imp || imp.name === '*') return undefined;
  const file = ws.table.resolvePythonModule(ws.filePath, imp.module);
  const v = file ? ws.table.lookup(file, `${imp.name}${PY_VERIFIER_SUFFIX}`)?.value : undefined;
  return v === 'raises' || v === 'returns' ? v : undefined;
}

type Verifies = 'raises' | 'returns' | undefined;

/** How the table says a symbol of a workspace module verifies (`verify_token(jwt)`, `TokenService.verify(jwt)`). */
function tableVerifier(ctx: AnalysisContext, module: string, name: string): Verifies {
  const ws = ctx.workspace;
  const file = ws ? ws.table.resolvePythonModule(ws.filePath, module) : undefined;
  const v = file ? ws!.table.lookup(file, `${name}${PY_VERIFIER_SUFFIX}`)?.value : undefined;
  return v === 'raises' || v === 'returns' ? v : undefined;
}

/** The module a `from a import b` names when b is itself a module (`from app import auth`, `from . import tokens`). */
const submodule = (imp: { module: string; name: string }): string => `${imp.module}${imp.module.endsWith('.') ? '' : '.'}${imp.name}`;

/**
 * How method `method` of class `cls` verifies: a class of this file (its method read from the tree)
 * or one imported from a workspace module (`from app.auth import TokenService`, from the table).
 */
function classVerifier(ctx: AnalysisContext, root: Node, cls: string, method: string): Verifies {
  ctx.lookups.add(cls);
  const own = classesByName(ctx, root).get(cls);
  if (own) {
    const body = own.childForFieldName('body');
    const def = body ? namedChildren(body, ctx.text).map((c) => (c.type === 'decorated_definition' ? c.childForFieldName('definition') : c))
      .find((c) => c?.type === 'function_definition' && ctx.src(c.childForFieldName('name') ?? c) === method) : undefined;
    return def ? verifyingHelper(ctx, def) : undefined;
  }
  const imp = importsOf(ctx).get(cls);
  if (!imp || imp.name === '*') return undefined;
  return tableVerifier(ctx, imp.module, `${imp.name}.${method}`);
}

/** Top-level classes of the file by name, read once per pass. */
function classesByName(ctx: AnalysisContext, root: Node): Map<string, Node> {
  return ctx.memo('py.classes', () => {
    const out = new Map<string, Node>();
    for (const c of namedChildren(root, ctx.text)) {
      const d = c.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
      const name = d?.type === 'class_definition' ? d.childForFieldName('name') : null;
      if (d && name && !out.has(ctx.src(name))) out.set(ctx.src(name), d);
    }
    return out;
  });
}

/**
 * The class an object in `fn` is an instance of, when the code says so: a local built or annotated
 * before `at` (`svc = TokenService()`, `svc: TokenService`, a parameter `svc: TokenService`), or an
 * attribute of self its class sets or annotates (`self.tokens = TokenService()`, `tokens: TokenService`,
 * `self.tokens = tokens` from a parameter `tokens: TokenService` of `__init__`).
 */
function instanceClass(ctx: AnalysisContext, fn: Node, at: number, object: string): string | undefined {
  const typed = (text: string, name: string): string | undefined => {
    const n = escapeRe(name);
    const built = [...text.matchAll(new RegExp(`(?:^|[\\s(,])${n}\\s*(?::\\s*[\\w.\\[\\]]+\\s*)?=\\s*([A-Z]\\w*)\\s*\\(`, 'g'))].pop();
    if (built) return built[1];
    return new RegExp(`(?:^|[\\s(,])${n}\\s*:\\s*(?:Optional\\[)?([A-Z]\\w*)`).exec(text)?.[1];
  };
  if (!object.startsWith('self.')) {
    if (!/^[A-Za-z_]\w*$/.test(object)) return undefined;
    ctx.touch(fn.startIndex, at);
    return typed(ctx.text.slice(fn.startIndex, at), object);
  }
  const attr = object.slice(5);
  if (!/^[A-Za-z_]\w*$/.test(attr)) return undefined;
  const cls = ancestorsOf(fn).reverse().find((a) => a.type === 'class_definition');
  if (!cls) return undefined;
  ctx.touch(cls.startIndex, cls.endIndex);
  const text = ctx.src(cls);
  // `self.tokens = TokenService()` in a method, or a class-level `tokens: TokenService`.
  const direct = typed(text, `self.${attr}`) ?? typed(text, attr);
  if (direct) return direct;
  // `self.tokens = tokens` from an annotated parameter.
  const from = new RegExp(`self\\.${escapeRe(attr)}\\s*=\\s*([A-Za-z_]\\w*)\\s*$`, 'm').exec(text)?.[1];
  return from ? new RegExp(`[(,]\\s*${escapeRe(from)}\\s*:\\s*(?:Optional\\[)?([A-Z]\\w*)`).exec(text)?.[1] : undefined;
}

/**
 * How a call `<receiver>.<method>(token)` verifies when the receiver is not self: a module of the
 * workspace (`auth.verify_token(t)` after `from app import auth` or `import app.auth as auth`), a
 * class (`TokenService.verify(t)`, `TokenService().verify(t)`) or an instance whose class the code
 * names (`self.tokens.verify(t)`, `svc.verify(t)`).
 */
function memberVerifier(ctx: AnalysisContext, fn: Node, at: number, receiver: string, method: string): Verifies {
  const root = fn.tree.rootNode;
  const r = receiver.replace(/\s+/g, '');
  const ctor = /^([A-Za-z_]\w*)\([^()]*\)$/.exec(r);
  if (ctor) return classVerifier(ctx, root, ctor[1], method);
  const imports = importsOf(ctx);
  ctx.lookups.add(r.split('.')[0]);
  ctx.lookups.add('<imports>');
  const imp = imports.get(r);
  if (imp) {
    if (imp.name === '*') return tableVerifier(ctx, imp.module, method);
    // `from app import auth`: a module; `from app.auth import TokenService`: a class.
    return tableVerifier(ctx, submodule(imp), method) ?? tableVerifier(ctx, imp.module, `${imp.name}.${method}`);
  }
  if (classesByName(ctx, root).has(r)) return classVerifier(ctx, root, r, method);
  const cls = instanceClass(ctx, fn, at, r);
  return cls ? classVerifier(ctx, root, cls, method) : factoryVerifier(ctx, fn, at, r, method);
}

/**
 * How `obj.method(token)` verifies when `obj = factory(…)` before it and the factory is a function
 * of the workspace returning one class (indexed as `factory()->`): that class's method, found in the
 * factory's module or the module it imports the class from. An object reached through a registry
 * (`current_app.extensions['tokens']`) is not followed.
 */
function factoryVerifier(ctx: AnalysisContext, fn: Node, at: number, object: string, method: string): Verifies {
  const ws = ctx.workspace;
  if (!ws || !/^[A-Za-z_]\w*$/.test(object)) return undefined;
  ctx.touch(fn.startIndex, at);
  const factory = [...ctx.text.slice(fn.startIndex, at).matchAll(new RegExp(`(?:^|[\\s(,])${escapeRe(object)}\\s*(?::\\s*[\\w.\\[\\]]+\\s*)?=\\s*([A-Za-z_]\\w*)\\s*\\(`, 'g'))].pop()?.[1];
  if (!factory) return undefined;
  ctx.lookups.add(factory);
  const imp = importsOf(ctx).get(factory);
  const file = imp ? ws.table.resolvePythonModule(ws.filePath, imp.module) : ws.filePath;
  const made = file ? ws.table.lookup(file, `${imp ? imp.name : factory}${PY_FACTORY_SUFFIX}`) : undefined;
  if (!made || typeof made.value !== 'string') return undefined;
  const [from, cls] = made.value.includes(':') ? made.value.split(':') : [undefined, made.value];
  const classFile = from ? ws.table.resolvePythonModule(made.file, from) : made.file;
  if (!imp && !from) return classVerifier(ctx, fn.tree.rootNode, cls, method);
  const v = classFile ? ws.table.lookup(classFile, `${cls}.${method}${PY_VERIFIER_SUFFIX}`)?.value : undefined;
  return v === 'raises' || v === 'returns' ? v : undefined;
}

/** Whether a verifying helper (of this file, or of a workspace module) is called with `token` before `call` in the function around it. */
function verifiedBefore(ctx: AnalysisContext, call: Node, token: string): boolean {
  const fn = ancestorsOf(call).reverse().find((a) => a.type === 'function_definition');
  if (!fn) return false;
  const before = ctx.text.slice(fn.startIndex, call.startIndex);
  const t = escapeRe(token);
  const helpers = functionsByName(ctx, call.tree.rootNode);
  const calls = new RegExp(`((?:\\b[A-Za-z_]\\w*(?:\\([^()]*\\))?\\s*\\.\\s*)*)\\b([A-Za-z_]\\w*)\\s*\\(\\s*${t}\\s*[,)]`, 'g');
  for (const m of before.matchAll(calls)) {
    if (m.index === undefined) continue;
    const receiver = m[1].replace(/\s*\.\s*$/, '');
    const own = receiver === '' || receiver === 'self' || receiver === 'cls';
    const helper = own ? helpers.get(m[2]) : undefined;
    if (helper?.id === fn.id) continue;
    const how = helper ? verifyingHelper(ctx, helper)
      : receiver === '' ? importedVerifier(ctx, m[2])
      : own ? undefined : memberVerifier(ctx, fn, fn.startIndex + m.index, receiver, m[2]);
    if (!how) continue;
    ctx.touch(fn.startIndex, call.startIndex);
    // The verify must be on every path to the call: its statement sits in a block around the call, not in a branch beside it.
    const at = fn.startIndex + m.index;
    const site = fn.descendantForIndex(at, at + m[0].length);
    const block = site ? statementOf(site).parent : null;
    if (!block || !ancestorsOf(call).some((a) => a.id === block.id)) continue;
    if (how === 'raises') return true;
    // A helper that returns on failure counts when its result decides: `if not verify_token(t):`, `assert verify_token(t)`.
    const line = ctx.text.slice(ctx.text.lastIndexOf('\n', at) + 1, at);
    if (/^\s*(if|elif|assert|while)\b/.test(line)) return true;
  }
  return false;
}

/** Whether `call` decodes, unverified, the parameter of a private helper whose every call in this file follows a verify of its argument. */
function peekHelperCalledAfterVerify(ctx: AnalysisContext, call: Node, token: Node): boolean {
  const fn = ancestorsOf(call).reverse().find((a) => a.type === 'function_definition');
  const nameNode = fn?.childForFieldName('name');
  const params = fn?.childForFieldName('parameters');
  if (!fn || !nameNode || !params) return false;
  const name = ctx.src(nameNode);
  if (!name.startsWith('_') || name.startsWith('__')) return false;
  const names = namedChildren(params, ctx.text).map((p) => ctx.src(p).split(/[:=]/)[0].trim()).filter((p) => p !== 'self' && p !== 'cls');
  if (names[0] !== ctx.src(token)) return false;
  // The result must not leave the helper another way (a global, an attribute) than its return: the callers decide.
  ctx.touch(0, ctx.text.length);
  let calls = 0;
  for (const m of ctx.text.matchAll(new RegExp(`(?:\\bself\\.|\\bcls\\.|\\b)${escapeRe(name)}\\s*\\(\\s*([^,()]+?)\\s*[,)]`, 'g'))) {
    if (m.index === undefined) continue;
    const site = call.tree.rootNode.descendantForIndex(m.index, m.index + m[0].length);
    if (!site) return false;
    const caller = ancestorsOf(site).reverse().find((a) => a.type === 'function_definition');
    // The definition itself, or a call from no function (module level): not after a verify.
    if (m.index >= fn.startIndex && m.index < fn.endIndex) {
      if (caller?.id === fn.id) return false;
      continue;
    }
    if (!caller) return false;
    const before = ctx.text.slice(caller.startIndex, m.index);
    const arg = m[1];
    const verified = verifiedDecodeOf(before, arg) !== undefined || verifiedBefore(ctx, site, arg);
    if (!verified) return false;
    calls++;
  }
  return calls > 0;
}

// ---------------------------------------------------------------- settings files

const DJANGO_MARKERS = ['INSTALLED_APPS', 'MIDDLEWARE', 'ROOT_URLCONF', 'WSGI_APPLICATION'];

/**
 * Flask-Login's remember-me cookie (REMEMBER_COOKIE_*): it logs the user back in, so it is an
 * authentication cookie. Only what the file writes is checked (Flask-Login may not be in use), and
 * its defaults (HttpOnly, 365 days, no Secure) are left to the docs.
 */
function rememberCookie(
  ctx: AnalysisContext, entries: ReadonlyMap<string, SettingEntry>, render: SettingsSchema['render'], sameSiteOf: SettingsSchema['sameSiteOf'],
): void {
  const remember = [...entries.values()].filter((e) => /^REMEMBER_COOKIE_/i.test(e.name));
  if (remember.length === 0) return;
  const first = remember.sort((a, b) => a.start - b.start)[0];
  checkSettings(ctx, {
    framework: 'Flask-Login remember-me',
    keys: {
      secure: 'REMEMBER_COOKIE_SECURE', httpOnly: 'REMEMBER_COOKIE_HTTPONLY', sameSite: 'REMEMBER_COOKIE_SAMESITE',
      domain: 'REMEMBER_COOKIE_DOMAIN', path: 'REMEMBER_COOKIE_PATH', name: 'REMEMBER_COOKIE_NAME', maxAge: 'REMEMBER_COOKIE_DURATION',
    },
    defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'remember_token' },
    render,
    add: () => undefined,
    anchor: { start: first.start, end: first.end },
    complete: false,
    sameSiteOf,
    renderLifetime: (days, current) => (/timedelta/.test(current.text) ? `timedelta(days=${days})` : `60 * 60 * 24 * ${days}`),
  }, new Map(remember.map((e) => [e.name.toLowerCase(), e])));
}

/**
 * Where findings about the Django session cookie's missing settings go: the line that turns
 * sessions on (`'django.contrib.sessions'` in INSTALLED_APPS, SessionMiddleware in MIDDLEWARE),
 * else either of those settings, else the first SESSION_COOKIE_* setting (a split settings file
 * configuring the cookie), else the first setting. A cookie name written in SESSION_COOKIE_NAME
 * is reported on that line by the checks themselves.
 */
function djangoSessionAnchor(py: ReadonlyMap<string, SettingEntry>): SettingEntry {
  const apps = py.get('installed_apps');
  const middleware = py.get('middleware');
  if (apps && /django\.contrib\.sessions['"]/.test(apps.value.text)) return apps;
  if (middleware && /SessionMiddleware['"]/.test(middleware.value.text)) return middleware;
  const byOffset = [...py.values()].sort((a, b) => a.start - b.start);
  return apps ?? middleware ?? byOffset.find((e) => /^SESSION_COOKIE_/i.test(e.name)) ?? byOffset[0];
}

/** Settings only Django reads: a settings.py that writes one of them is a Django project's. */
const DJANGO_ONLY = /^(allowed_hosts|databases|session_engine|session_cookie_age|session_expire_at_browser_close|session_save_every_request|csrf_cookie_(secure|httponly|samesite|name|age)|csrf_trusted_origins|auth_user_model|auth_password_validators|templates|static_url|default_auto_field|language_code|use_tz|secure_ssl_redirect)$/;

/**
 * Whether a settings.py without INSTALLED_APPS/MIDDLEWARE is a Django project's, by what the file
 * and the project show: it imports django, extends a base module (`from .base import *`, a split
 * settings package), writes a setting only Django reads, or a manage.py/wsgi.py/asgi.py of the
 * workspace names it in DJANGO_SETTINGS_MODULE (indexed by the last scan). A settings.py of
 * constants a Flask app loads with config.from_object is not: its SESSION_COOKIE_* are Flask's.
 */
function isDjangoSettingsModule(ctx: AnalysisContext, filePath: string | undefined, py: ReadonlyMap<string, SettingEntry>, star: boolean): boolean {
  // settings.py, or a module of a split settings package (settings/production.py extending settings/base.py).
  if (path.basename(filePath ?? '') !== 'settings.py' && path.basename(path.dirname(filePath ?? '')) !== 'settings') return false;
  if (star || /^[ \t]*(?:from|import)[ \t]+django\b/m.test(ctx.text)) return true;
  if ([...py.keys()].some((k) => DJANGO_ONLY.test(k))) return true;
  return namedSettingsModule(ctx, filePath) === true;
}

/**
 * Whether the workspace's manage.py/wsgi.py/asgi.py names this file as DJANGO_SETTINGS_MODULE:
 * true; 'other' when it names another module whose folder holds this file (a component a
 * split settings module includes, e.g. django-split-settings' components/apps.py); false when
 * nothing says (no scan, or no such file).
 */
function namedSettingsModule(ctx: AnalysisContext, filePath: string | undefined): boolean | 'other' {
  const ws = ctx.workspace;
  if (!ws || !filePath) return false;
  const parts = filePath.slice(0, -3).split(/[\\/]/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    if (ws.table.lookup(GLOBAL_MODULE, `${DJANGO_SETTINGS_PREFIX}${parts.slice(i).join('.')}`)) return true;
  }
  for (const [name, symbol] of ws.table.namesOf(GLOBAL_MODULE)) {
    if (!name.startsWith(DJANGO_SETTINGS_PREFIX)) continue;
    const file = ws.table.resolvePythonModule(symbol.file, String(symbol.value));
    if (file && filePath.startsWith(path.dirname(file) + path.sep)) return 'other';
  }
  return false;
}

/** Django settings whose False a module production loads may set again (settings/production.py over settings/base.py). */
const SPLIT_OVERRIDABLE = ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE'];

/**
 * A base settings module of a split settings package: a False (or a missing setting, whose default
 * is False) that every module production loads sets True again is what development keeps
 * (an environment switch: info, naming the modules); one a production module takes as written is
 * reported naming it. See pythonSplitSettings.ts.
 */
function splitOverrides(ctx: AnalysisContext, filePath: string, all: Map<string, SettingEntry>, anchor: { start: number; end: number }): Set<string> {
  const overridden = new Set<string>();
  for (const setting of SPLIT_OVERRIDABLE) {
    const key = setting.toLowerCase();
    const e = all.get(key);
    const off = e ? (e.value.kind === 'bool' && !e.value.bool) || e.value.kind === 'none' : setting !== 'CSRF_COOKIE_SECURE';
    if (!off) continue;
    const fate = baseSettingFate(ctx, filePath, setting, (v) => v === true);
    if (!fate) continue;
    if (fate.overridden) overridden.add(key);
    if (e) all.set(key, { ...e, value: fate.overridden ? { kind: 'env', text: fate.text } : { ...e.value, via: fate.via } });
    // Not written here: the default is off, and production's module turns it on (nothing to report here).
    else if (fate.overridden) all.set(key, { name: setting, value: { kind: 'bool', bool: true, text: 'True' }, start: anchor.start, end: anchor.end, valueStart: anchor.start, valueEnd: anchor.end });
  }
  return overridden;
}

function finishSettings(facts: readonly Fact[], ctx: AnalysisContext, filePath: string | undefined): void {
  const py = new Map<string, SettingEntry>();
  const flask = new Map<string, SettingEntry>();
  let app: Fact | undefined;
  let external = false;
  let star = false;
  for (const f of facts) {
    if (f.key === 'py.setting') py.set(f.name.toLowerCase(), entryFromFact(f));
    else if (f.key === 'flask.setting') flask.set(f.name.toLowerCase(), entryFromFact(f));
    else if (f.key === 'flask.app') app ??= f;
    else if (f.key === 'flask.external') external = true;
    else if (f.key === 'py.starImport') star = true;
  }
  // The file's quote is counted over the whole text: only when a fix writes a string.
  const quote = () => (ctx.quote() === "'" ? "'" : '"');
  const render = (attr: CookieAttr, value: string) => {
    if (value === 'true') return 'True';
    if (value === 'false') return 'False';
    const q = quote();
    return attr === 'sameSite' ? `${q}${value.charAt(0).toUpperCase()}${value.slice(1)}${q}` : `${q}${value}${q}`;
  };
  const django = DJANGO_MARKERS.some((m) => py.has(m.toLowerCase())) || (py.size > 0 && isDjangoSettingsModule(ctx, filePath, py, star));
  const cookieKeys = {
    secure: 'SESSION_COOKIE_SECURE', httpOnly: 'SESSION_COOKIE_HTTPONLY', sameSite: 'SESSION_COOKIE_SAMESITE',
    domain: 'SESSION_COOKIE_DOMAIN', path: 'SESSION_COOKIE_PATH', name: 'SESSION_COOKIE_NAME',
  } as const;
  const sameSiteOf = (v: SettingValue) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'none' || (v.kind === 'bool' && !v.bool) ? '' : v.kind === 'env' ? 'env' : 'unknown');

  if (django) {
    const anchorE = djangoSessionAnchor(py);
    const eof = ctx.text.length;
    const schema: SettingsSchema = {
      framework: 'Django',
      keys: { ...cookieKeys, maxAge: 'SESSION_COOKIE_AGE' },
      defaults: { secure: 'false', httpOnly: 'true', sameSite: 'lax', path: '/', name: 'sessionid' },
      render,
      add: (name, value) => ({ start: eof, end: eof, newText: `${ctx.text.endsWith('\n') || eof === 0 ? '' : '\n'}${name} = ${value}\n` }),
      anchor: { start: anchorE.start, end: anchorE.start + (ctx.text.slice(anchorE.start).indexOf('=') > 0 ? ctx.text.slice(anchorE.start).indexOf('=') : 1) },
      // `from .base import *` brings settings this file does not show, and so does the settings module including this component.
      complete: !star && namedSettingsModule(ctx, filePath) !== 'other',
      sameSiteOf,
      renderLifetime: (days) => `60 * 60 * 24 * ${days}`,
    };
    const every = py.get('session_save_every_request');
    const all = new Map(py);
    const overridden = filePath ? splitOverrides(ctx, filePath, all, schema.anchor) : new Set<string>();
    if (every && every.value.kind === 'bool' && every.value.bool && py.get('session_cookie_age')) {
      all.set('session_idle', { ...py.get('session_cookie_age')!, name: 'SESSION_COOKIE_AGE' });
      checkSettings(ctx, { ...schema, keys: { ...schema.keys, idle: 'SESSION_IDLE' } }, all);
    } else checkSettings(ctx, schema, all);
    const csrf = all.get('csrf_cookie_secure');
    if (csrf && overridden.has('csrf_cookie_secure') && csrf.value.kind === 'env') {
      ctx.report({
        ruleId: 'cookie-missing-secure', start: csrf.start, end: csrf.end, severity: 'info',
        message: `CSRF_COOKIE_SECURE = False sends the CSRF cookie over plain HTTP where these settings apply (${csrf.value.text}). Make sure every deployed settings module sets it True.`,
      });
    } else if (csrf && csrf.value.kind === 'bool' && !csrf.value.bool) {
      ctx.report({
        ruleId: 'cookie-missing-secure', start: csrf.start, end: csrf.end,
        message: `CSRF_COOKIE_SECURE = False sends the CSRF cookie over plain HTTP${csrf.value.via ? ` (${csrf.value.via})` : ''}. Set it to True.`,
        fix: { title: 'Set CSRF_COOKIE_SECURE = True', edits: [{ start: csrf.valueStart, end: csrf.valueEnd, newText: 'True' }] },
      });
    }
    return;
  }

  const entries = new Map([...py, ...flask]);
  rememberCookie(ctx, entries, render, sameSiteOf);
  const relevant = [...entries.keys()].some((k) => k.startsWith('session_cookie_') || k === 'permanent_session_lifetime');
  if (!app && !relevant) return;
  const appName = app?.name ?? 'app';
  const anchor = app ? { start: app.start, end: app.end } : { start: Math.min(...[...entries.values()].map((e) => e.start)), end: Math.min(...[...entries.values()].map((e) => e.end)) };
  checkSettings(ctx, {
    framework: 'Flask',
    keys: { ...cookieKeys, maxAge: 'PERMANENT_SESSION_LIFETIME' },
    defaults: { secure: 'false', httpOnly: 'true', path: '/', name: 'session' },
    render,
    add: (name, value) => {
      if (!app) return undefined;
      const eol = ctx.text.indexOf('\n', app.end);
      const at = eol === -1 ? ctx.text.length : eol;
      const q = quote();
      return { start: at, end: at, newText: `\n${appName}.config[${q}${name}${q}] = ${value}` };
    },
    anchor,
    // Config loaded from another file (or no app here) may set what this file does not.
    complete: !!app && !external,
    sameSiteOf,
    renderLifetime: (days, current) => (/timedelta/.test(current.text) ? `timedelta(days=${days})` : `60 * 60 * 24 * ${days}`),
  }, entries);
}
