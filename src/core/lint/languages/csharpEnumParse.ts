import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { describeSymbol } from '../symbols/symbolTable';
import { configuredValue } from './csharpConfiguredCookie';
import { csharpValue } from './csharpValues';

/*
 * SameSite parsed from text: `Enum.Parse<SameSiteMode>(s)`, `Enum.Parse(typeof(SameSiteMode), s, true)`,
 * `(SameSiteMode)Enum.Parse(…)`, and `Enum.TryParse(s, out SameSiteMode mode)` followed by
 * `SameSite = mode`. The text `s` is a literal, a constant (of this file or another class of the
 * workspace) or a configuration read that appsettings*.json fills. Enum.Parse and TryParse match
 * names case-sensitively unless told to ignore case, and accept the numbers too (SameSiteMode:
 * Unspecified = -1, None = 0, Lax = 1, Strict = 2). A failed TryParse leaves default(SameSiteMode),
 * which is None.
 */

/** What the checks read: the mode in lower case ('' for Unspecified), and where it came from. */
export interface ParsedSameSite {
  readonly value: string;
  readonly via?: string;
  readonly envText?: string;
}

const MODES: Readonly<Record<string, string>> = { unspecified: '', none: 'none', lax: 'lax', strict: 'strict', '-1': '', '0': 'none', '1': 'lax', '2': 'strict' };
const CANONICAL: Readonly<Record<string, string>> = { Unspecified: '', None: 'none', Lax: 'lax', Strict: 'strict' };

const unwrap = (n: Node): Node => ((n.type === 'parenthesized_expression' || n.type === 'argument') && n.firstNamedChild ? unwrap(n.firstNamedChild) : n);

/** The parse call's text argument and whether it ignores case, or undefined when `call` parses no SameSiteMode. */
function parseCall(ctx: AnalysisContext, call: Node): { text: Node; ignoreCase: boolean; method: string; out?: Node } | undefined {
  if (call.type !== 'invocation_expression') return undefined;
  const fn = ctx.src(call.childForFieldName('function') ?? call).replace(/\s+/g, '');
  const m = /^(?:System\.)?Enum\.(Parse|TryParse)(<(?:[\w.]+\.)?SameSiteMode>)?$/.exec(fn);
  const args = call.childForFieldName('arguments');
  if (!m || !args) return undefined;
  let list = namedChildren(args, ctx.text).filter((a) => a.type === 'argument');
  if (!m[2]) {
    const typeArg = list[0] ? unwrap(list[0]) : undefined;
    const typed = typeArg?.type === 'typeof_expression' && /^typeof\((?:[\w.]+\.)?SameSiteMode\)$/.test(ctx.src(typeArg).replace(/\s+/g, ''));
    // `Enum.TryParse(s, out SameSiteMode mode)`: the out variable's type names the enum.
    const outTyped = m[1] === 'TryParse' && list.some((a) => /^out\s+(?:[\w.]+\.)?SameSiteMode\s+\w+$/.test(ctx.src(a).trim()));
    if (typed) list = list.slice(1);
    else if (!outTyped) return undefined;
  }
  const out = m[1] === 'TryParse' ? list.find((a) => /^out\b/.test(ctx.src(a).trim())) : undefined;
  const rest = list.filter((a) => a !== out);
  if (!rest[0]) return undefined;
  const flag = rest[1] ? ctx.src(rest[1]).replace(/\s+/g, '').replace(/^ignoreCase:/, '') : 'false';
  return { text: rest[0], ignoreCase: flag === 'true', method: m[1], ...(out ? { out } : {}) };
}

/** The string a parse call reads, with where it is written; undefined when the code does not say. */
function parsedText(ctx: AnalysisContext, arg: Node): { text: string; where?: string; envText?: string } | undefined {
  const v = csharpValue(ctx, unwrap(arg));
  if (v.k === 'str') return { text: v.v };
  if (v.k === 'external' && typeof v.symbol.value === 'string' && ctx.workspace) {
    return { text: v.symbol.value, where: describeSymbol(ctx.workspace.filePath, ctx.src(v.node), v.symbol) };
  }
  const c = configuredValue(ctx, unwrap(arg));
  if (typeof c?.value !== 'string') return undefined;
  const said = `${c.key} is "${c.value}" in ${c.where}`;
  // Only appsettings.Development.json writes it: the environment's value, not every deployment's.
  return c.environment === 'Development' ? { text: c.value, envText: `${said}, which only the Development environment loads` } : { text: c.value, where: said };
}

/** `n` read as a SameSiteMode parsed from text, or undefined when it is no such parse. 'unknown' when the text is not known. */
export function parsedSameSite(ctx: AnalysisContext, n: Node): ParsedSameSite | 'unknown' | undefined {
  let node = unwrap(n);
  if (node.type === 'cast_expression' && /^(?:[\w.]+\.)?SameSiteMode$/.test(ctx.src(node.childForFieldName('type') ?? node).trim())) {
    const inner = node.childForFieldName('value');
    if (inner) node = unwrap(inner);
  }
  if (node.type === 'identifier') {
    const tried = tryParseOf(ctx, node);
    if (tried) return tried;
    const v = csharpValue(ctx, node);
    if (v.k !== 'other') return undefined;
    node = unwrap(v.node);
    if (node.type === 'cast_expression' && node.childForFieldName('value')) node = unwrap(node.childForFieldName('value')!);
  }
  const call = parseCall(ctx, node);
  if (!call || call.method !== 'Parse') return undefined;
  const text = parsedText(ctx, call.text);
  if (!text) return 'unknown';
  const mode = modeOf(text.text, call.ignoreCase);
  // A name Enum.Parse does not know throws: no cookie is written.
  if (mode === undefined) return 'unknown';
  return { value: mode, ...via(text, 'Enum.Parse') };
}

function modeOf(text: string, ignoreCase: boolean): string | undefined {
  const t = text.trim();
  if (t in CANONICAL) return CANONICAL[t];
  if (/^-?\d+$/.test(t)) return MODES[String(Number(t))];
  return ignoreCase ? MODES[t.toLowerCase()] : undefined;
}

function via(text: { text: string; where?: string; envText?: string }, parser: string): { via?: string; envText?: string } {
  if (text.envText) return { envText: `${text.envText}, parsed by ${parser}` };
  return text.where ? { via: `${text.where}, parsed by ${parser}` } : {};
}

/**
 * `mode` set by `Enum.TryParse(s, out var mode)` earlier in an enclosing block. A later assignment
 * of `mode` (the usual `if (!Enum.TryParse(…)) mode = SameSiteMode.Lax;`) decides the failure case:
 * then only a text that parses is read.
 */
function tryParseOf(ctx: AnalysisContext, use: Node): ParsedSameSite | 'unknown' | undefined {
  const name = ctx.src(use);
  const block = ancestorsOf(use).reverse().find((a) => a.type === 'block' || a.type === 'compilation_unit');
  if (!block) return undefined;
  const outVar = new RegExp(`^out\\s+(?:(?:var|(?:[\\w.]+\\.)?SameSiteMode)\\s+)?@?${name}$`);
  let found: { call: NonNullable<ReturnType<typeof parseCall>>; node: Node } | undefined;
  for (const inv of block.descendantsOfType('invocation_expression')) {
    if (!inv || inv.startIndex >= use.startIndex) break;
    const c = parseCall(ctx, inv);
    if (c?.method === 'TryParse' && c.out && outVar.test(ctx.src(c.out).trim())) found = { call: c, node: inv };
  }
  if (!found) return undefined;
  ctx.touch(found.node.startIndex, use.startIndex);
  const text = parsedText(ctx, found.call.text);
  if (!text) return 'unknown';
  const mode = modeOf(text.text, found.call.ignoreCase);
  if (mode !== undefined) return { value: mode, ...via(text, 'Enum.TryParse') };
  const between = ctx.text.slice(found.node.endIndex, use.startIndex);
  if (new RegExp(`(^|[^\\w.])@?${name}\\s*=[^=]`).test(between)) return 'unknown';
  const said = text.where ?? text.envText ?? `"${text.text}"`;
  const why = `${said}: Enum.TryParse${found.call.ignoreCase ? '' : ', which matches case-sensitively,'} fails and leaves default(SameSiteMode), which is None`;
  return { value: 'none', ...(text.envText ? { envText: why } : { via: why }) };
}
