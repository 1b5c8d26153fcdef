import type { AnalysisContext, OffsetEdit } from './analysis';
import { type WorkspaceSymbol, describeSymbol } from './symbols/symbolTable';

/** A secret written as a literal: where it is and how to read it from the environment instead. */
export interface HardcodedSecret {
  readonly kind: 'session' | 'jwt';
  readonly start: number;
  readonly end: number;
  /** "The express-session secret", "The JWT signing key". */
  readonly what: string;
  readonly envName: string;
  /** Code that reads the variable, replacing [start, end). */
  readonly replacement: string;
  /** Further edits the replacement needs (an import). */
  readonly extraEdits?: readonly OffsetEdit[];
  /** True when the literal is a fallback after an environment read (`process.env.X || 'dev'`). */
  readonly fallback?: boolean;
  /** How the value reaches the call, when not written there ("through SECRET on line 3", "on the branch where isProd is false"). */
  readonly via?: string;
  /** False when no edit can be offered (the literal is in another file). */
  readonly fixable?: boolean;
}

/** Reports session-hardcoded-secret / jwt-hardcoded-secret with a fix reading an environment variable. */
export function reportHardcodedSecret(ctx: AnalysisContext, s: HardcodedSecret): void {
  const forge = s.kind === 'jwt' ? 'tokens' : 'session cookies';
  const via = s.via ? ` (${s.via})` : '';
  const message = s.fallback
    ? `${s.what}${via} falls back to a literal written in the code: wherever ${s.envName} is missing (a production host or container without it), that literal is the secret, and anyone with the source can forge ${forge}. Remove the fallback and fail when the variable is missing.`
    : `${s.what}${via} is written in the code: anyone with the source can forge ${forge}. Read it from an environment variable (${s.envName}) or a secret store.`;
  ctx.report({
    ruleId: s.kind === 'jwt' ? 'jwt-hardcoded-secret' : 'session-hardcoded-secret',
    start: s.start,
    end: s.end,
    message,
    ...(s.fixable === false ? {} : { fix: {
      title: s.fallback ? `Remove the literal fallback` : `Read the secret from ${s.envName}`,
      edits: [...(s.extraEdits ?? []), { start: s.start, end: s.end, newText: s.replacement }].sort((a, b) => a.start - b.start),
    } }),
  });
}

/**
 * Reports a secret that is a literal constant of another workspace file, where this file uses it
 * (`[start, end)`). No fix: the literal is in the other file, which the message names.
 */
export function reportExternalSecret(
  ctx: AnalysisContext,
  s: { kind: 'session' | 'jwt'; start: number; end: number; what: string; envName: string; via?: string; symbol: WorkspaceSymbol; expression: string },
): void {
  if (typeof s.symbol.value !== 'string' || s.symbol.value === '' || !ctx.workspace) return;
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(s.symbol.value)) return;
  const label = describeSymbol(ctx.workspace.filePath, s.expression, s.symbol);
  const fallbackFor = s.symbol.fallbackFor;
  reportHardcodedSecret(ctx, {
    kind: s.kind, start: s.start, end: s.end, what: s.what, envName: fallbackFor ?? s.envName, replacement: '', fixable: false,
    via: s.via ? `${s.via}, ${label}` : label, ...(fallbackFor !== undefined ? { fallback: true } : {}),
  });
}
