import type { Node } from '@vscode/tree-sitter-wasm';
import { isSessionCookieName } from '../cookieChecks';

/** A cookie name one caller of a helper passes, and where (`line 32`, `../Controllers/X.cs:27`). */
export interface CallerName {
  readonly value: string;
  readonly where: string;
}

/**
 * The name a cookie helper is judged with, from the names its callers pass: the first session or
 * authentication name (session severity applies when any caller writes one), else the first name;
 * `via` names that caller and lists what the others pass.
 */
export function chooseCallerName(names: readonly CallerName[], helper: string, node: Node): { value: string; node: Node; via: string } | undefined {
  if (!names.length) return undefined;
  const chosen = names.find((n) => isSessionCookieName(n.value)) ?? names[0];
  const others = [...new Set(names.filter((n) => n !== chosen).map((n) => `'${n.value}'`))];
  const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? `, ${others.length - 3} more` : '');
  return { value: chosen.value, node, via: `the name ${chosen.where} passes to ${helper}()${others.length ? `; other callers pass ${shown}` : ''}` };
}
