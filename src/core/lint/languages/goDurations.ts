import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, namedChildren } from '../analysis';
import { goValue } from './goValues';

/** A number a Go expression stands for; `duration` when it is a time.Duration (then `v` is seconds). */
interface GoNumber {
  readonly v: number;
  readonly duration: boolean;
}

/** Seconds in one of each time unit a lifetime is written in. */
export const GO_TIME_UNITS: Readonly<Record<string, number>> = { Hour: 3600, Minute: 60, Second: 1 };

/**
 * What a Go integer or duration expression computes, followed through constants: products and sums
 * of literals and time units (`24 * 30 * time.Hour`, `time.Duration(days) * 24 * time.Hour`), a
 * constant of the file, of another file of the package or of another package, `int(ttl.Seconds())`.
 */
export function goNumber(ctx: AnalysisContext, n: Node, depth = 0): GoNumber | undefined {
  if (depth > 8) return undefined;
  switch (n.type) {
    case 'int_literal':
      return /^\d+$/.test(ctx.src(n).replace(/_/g, '')) ? { v: Number(ctx.src(n).replace(/_/g, '')), duration: false } : undefined;
    case 'parenthesized_expression': {
      const inner = namedChildren(n, ctx.text)[0];
      return inner ? goNumber(ctx, inner, depth + 1) : undefined;
    }
    case 'unary_expression': {
      const operand = n.childForFieldName('operand');
      const x = operand && ctx.src(n.childForFieldName('operator')!) === '-' ? goNumber(ctx, operand, depth + 1) : undefined;
      return x && { v: -x.v, duration: x.duration };
    }
    case 'binary_expression': {
      const op = ctx.src(n.childForFieldName('operator')!);
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const a = l ? goNumber(ctx, l, depth + 1) : undefined;
      const b = r ? goNumber(ctx, r, depth + 1) : undefined;
      if (!a || !b) return undefined;
      // A duration times a duration is not a lifetime; a sum keeps the unit only when both have it.
      if (op === '*' && !(a.duration && b.duration)) return { v: a.v * b.v, duration: a.duration || b.duration };
      if ((op === '+' || op === '-') && a.duration === b.duration) return { v: op === '+' ? a.v + b.v : a.v - b.v, duration: a.duration };
      return undefined;
    }
    case 'call_expression': {
      const fn = ctx.src(n.childForFieldName('function') ?? n).replace(/\s+/g, '');
      const args = n.childForFieldName('arguments');
      const first = args ? namedChildren(args, ctx.text)[0] : undefined;
      // time.Duration(n) counts nanoseconds: only a factor of a unit (`time.Duration(n) * time.Hour`) is read.
      if (/^(int|int32|int64|time\.Duration)$/.test(fn) && first) return goNumber(ctx, first, depth + 1);
      const seconds = /^(.+)\.Seconds$/.exec(fn);
      if (seconds && !first) {
        const recv = n.childForFieldName('function')?.childForFieldName('operand');
        const d = recv ? goNumber(ctx, recv, depth + 1) : undefined;
        return d?.duration ? { v: d.v, duration: false } : undefined;
      }
      return undefined;
    }
    case 'selector_expression': {
      const m = /^time\.(Hour|Minute|Second)$/.exec(ctx.src(n).replace(/\s+/g, ''));
      if (m) return { v: GO_TIME_UNITS[m[1]], duration: true };
      return constantNumber(ctx, n, depth);
    }
    case 'identifier':
      return constantNumber(ctx, n, depth);
    default:
      return undefined;
  }
}

function constantNumber(ctx: AnalysisContext, n: Node, depth: number): GoNumber | undefined {
  const v = goValue(ctx, n);
  if (v.k === 'other' && v.node.id !== n.id) return goNumber(ctx, v.node, depth + 1);
  if (v.k === 'external' && typeof v.symbol.value === 'number') return { v: v.symbol.value, duration: v.symbol.duration === true };
  return undefined;
}
