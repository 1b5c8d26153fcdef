import type { Node } from '@vscode/tree-sitter-wasm';
import type { Truth } from '../cookieChecks';
import type { WorkspaceSymbol } from '../symbols/symbolTable';

/** A branch of a value: what it is and when it is taken (`when clientReadsToken`, `when not debug`). */
export interface ValueBranch {
  readonly value: ResolvedValue;
  readonly when: string;
}

/**
 * An expression of Java, C# or Go, followed as far as the lint needs within one file (locals,
 * fields, constants, branches, fallbacks, wrappers around a literal). Each language has its own
 * resolver (javaValues, csharpValues, goValues); the checks read this shape.
 */
export type ResolvedValue =
  /** A string literal, or an expression made only of literals (`node` is what a fix replaces). */
  | { readonly k: 'str'; readonly v: string; readonly node: Node }
  | { readonly k: 'bool'; readonly v: boolean; readonly node: Node }
  /**
   * A literal used when an environment value is missing (`?? "dev"`, `orElse("dev")`, `@Value("${k:dev}")`):
   * what production gets when the variable is unset. `whole` is replaced by `replacement` to drop it.
   */
  | { readonly k: 'fallback'; readonly v: string; readonly node: Node; readonly whole: Node; readonly replacement: string }
  /** Different values on different paths; `env` when the switch is the environment (profile, TLS, debug). */
  | { readonly k: 'choice'; readonly branches: readonly ValueBranch[]; readonly env: boolean; readonly text: string }
  | { readonly k: 'env'; readonly text: string }
  /**
   * A constant of another workspace file (a Java `static final` of another class, a C# `const`, a
   * Go package-level `const`), as the last scan indexed it; `node` is where this file uses it.
   */
  | { readonly k: 'external'; readonly symbol: WorkspaceSymbol; readonly node: Node }
  /** An expression the resolver does not interpret (an enum member, a call): the language's own reading applies. */
  | { readonly k: 'other'; readonly node: Node }
  | { readonly k: 'unknown' };

export const UNKNOWN_VALUE: ResolvedValue = { k: 'unknown' };

/** A condition that switches on the environment: a profile, TLS, a debug or production flag. */
export const ENV_SWITCH = /getenv|GetEnvironmentVariable|getProperty|environment|profile|isSecure|IsHttps|\bsecure\b|ssl|https|tls|debug|\bdev|development|prod|production|local/i;

/** Branch labels that say nothing about a path (the value every path gets). */
const UNCONDITIONAL = new Set(['as declared', 'as assigned']);

/** Every literal a value can take, with the path it is on (`undefined` when every path). */
export function literalsOf(v: ResolvedValue): { value: Extract<ResolvedValue, { k: 'str' | 'fallback' }>; when?: string }[] {
  if (v.k === 'str' || v.k === 'fallback') return [{ value: v }];
  if (v.k !== 'choice') return [];
  return v.branches.flatMap((b) => literalsOf(b.value).map((l) => ({ value: l.value, when: l.when ?? (UNCONDITIONAL.has(b.when) ? undefined : b.when) })));
}

/** Every constant of another file a value can take, with the path it is on (`undefined` when every path). */
export function externalsOf(v: ResolvedValue): { value: Extract<ResolvedValue, { k: 'external' }>; when?: string }[] {
  if (v.k === 'external') return [{ value: v }];
  if (v.k !== 'choice') return [];
  return v.branches.flatMap((b) => externalsOf(b.value).map((l) => ({ value: l.value, when: l.when ?? (UNCONDITIONAL.has(b.when) ? undefined : b.when) })));
}

/**
 * A boolean as the code decides it. A value false on one path is false, with that path named,
 * unless the switch is the environment (a profile, TLS, a debug flag): then it depends on the
 * environment, which the checks report as info at most.
 */
export function truthOfValue(
  v: ResolvedValue,
  /** Reads a leaf the shape leaves open (`CookieSecurePolicy.Always`); true, false, 'env' or undefined. */
  leaf: (v: Extract<ResolvedValue, { k: 'other' }>) => boolean | { env: string } | undefined = () => undefined,
): { truth: Truth; envText?: string; branch?: string } {
  if (v.k === 'bool') return { truth: v.v ? 'true' : 'false' };
  if (v.k === 'external') return typeof v.symbol.value === 'boolean' ? { truth: v.symbol.value ? 'true' : 'false' } : { truth: 'unknown' };
  if (v.k === 'other') {
    const b = leaf(v);
    if (b === undefined) return { truth: 'unknown' };
    return typeof b === 'boolean' ? { truth: b ? 'true' : 'false' } : { truth: 'env', envText: b.env };
  }
  if (v.k === 'env') return { truth: 'env', envText: v.text };
  if (v.k !== 'choice') return { truth: 'unknown' };
  const each = v.branches.map((x) => ({ t: truthOfValue(x.value, leaf), when: x.when }));
  if (each.every((x) => x.t.truth === 'true')) return { truth: 'true' };
  if (each.every((x) => x.t.truth === 'false')) return { truth: 'false' };
  const off = each.find((x) => x.t.truth === 'false');
  if (off && !v.env) return { truth: 'false', branch: off.t.branch ?? off.when };
  return { truth: v.env ? 'env' : 'unknown', envText: v.text };
}

/** `!value`: a boolean flipped, each branch of a choice flipped, an environment read kept. */
export function negateValue(v: ResolvedValue, node: Node): ResolvedValue {
  if (v.k === 'bool') return { k: 'bool', v: !v.v, node };
  if (v.k === 'choice') return { ...v, branches: v.branches.map((b) => ({ value: negateValue(b.value, node), when: b.when })) };
  return v.k === 'env' ? v : UNKNOWN_VALUE;
}

/** How a language's grammar names the statements that run code conditionally, for `conditionOf`. */
export interface ConditionGrammar {
  /** Node types (from their start) that make the code inside them run on some paths only: loops, switches, try. */
  readonly loops: RegExp;
  /** What to cut from such a type to name it (`for_statement` → `for`). */
  readonly suffix: RegExp;
  /** Text around an if condition to drop (Java's parentheses). */
  readonly trim?: RegExp;
}

/**
 * The condition under which `node` runs inside `block` (`when clientReadsToken`, `when not debug,
 * in for`), or undefined when it always runs there. `if_statement` with `condition` and
 * `alternative` fields is what the Java, C# and Go grammars share.
 */
export function conditionOf(src: (n: Node) => string, node: Node, block: Node, ancestors: readonly Node[], grammar: ConditionGrammar): string | undefined {
  const parts: string[] = [];
  for (let i = ancestors.length - 1; i >= 0 && ancestors[i].id !== block.id; i--) {
    const p = ancestors[i];
    const child = i + 1 < ancestors.length ? ancestors[i + 1] : node;
    if (p.type === 'if_statement') {
      const raw = src(p.childForFieldName('condition')!);
      const cond = (grammar.trim ? raw.replace(grammar.trim, '') : raw).trim();
      parts.push(p.childForFieldName('alternative')?.id === child.id ? `when not ${cond}` : `when ${cond}`);
    } else if (grammar.loops.test(p.type)) {
      parts.push(`in ${p.type.replace(grammar.suffix, '')}`);
    }
  }
  return parts.length ? parts.join(', ') : undefined;
}
