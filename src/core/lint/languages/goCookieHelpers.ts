import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { goCallModule, goCallerSets, goLiteralCalls } from '../symbols/goCookieCalls';
import { symbolPlace } from '../symbols/symbolTable';
import { type CallerName, chooseCallerName } from './callerNames';
import { goOwnImportPath } from './crossFileConstants';

/*
 * `func New(name, value string) *http.Cookie { return &http.Cookie{Name: name, …} }`: a helper of
 * the module that builds a cookie under a name its caller gives (`http.SetCookie(w, cookies.New("orders_auth", t))`).
 * Its fields are judged where the literal is, with the names the callers pass: this file's calls
 * (read from its text) and the calls of the module the last scan indexed (symbols/goCookieCalls.ts).
 */
export function goCallerCookieName(ctx: AnalysisContext, nameNode: Node): { value: string; node: Node; via: string; overridden?: ReadonlySet<string> } | undefined {
  if (nameNode.type !== 'identifier') return undefined;
  const param = ctx.src(nameNode);
  const fn = ancestorsOf(nameNode).reverse().find((a) => a.type === 'function_declaration' || a.type === 'method_declaration' || a.type === 'func_literal');
  if (fn?.type !== 'function_declaration') return undefined;
  const fnName = ctx.src(fn.childForFieldName('name') ?? fn);
  const names: string[] = [];
  for (const p of fn.childForFieldName('parameters')?.descendantsOfType('parameter_declaration') ?? []) {
    const type = p?.childForFieldName('type');
    for (const n of p ? namedChildren(p, ctx.text) : []) if (n.type === 'identifier' && n.id !== type?.id) names.push(ctx.src(n));
  }
  const index = names.indexOf(param);
  const body = fn.childForFieldName('body');
  if (index < 0 || !body || new RegExp(`(^|[^\\w.])${param}\\s*(=[^=]|\\+=)`).test(ctx.src(body))) return undefined;
  const callers: CallerName[] = [];
  // The fields each caller sets on the returned cookie before sending it (`c.Secure = true`).
  const sets: (ReadonlyMap<string, string> | undefined)[] = [];
  for (const call of ctx.memo(`go.calls.${fnName}`, () => goLiteralCalls(ctx.text, new Set(), true, fnName))) {
    if (call.offset >= fn.startIndex && call.offset < fn.endIndex) continue;
    const lit = call.literals.find((l) => l.index === index);
    if (!lit) continue;
    ctx.touch(call.offset, call.end);
    callers.push({ value: lit.value, where: `line ${ctx.lineOf(call.offset) + 1}` });
    sets.push(goCallerSets(ctx.text, call.offset, call.end));
  }
  const ws = ctx.workspace;
  const importPath = ws ? goOwnImportPath(ctx, path.dirname(ws.filePath)) : undefined;
  if (ws && importPath) {
    const module = goCallModule(importPath, fnName);
    const setsAt = new Map<string, Map<string, string>>();
    for (const [key, sym] of ws.table.namesOf(module)) {
      const set = /^(\d+):set\.(\w+):(.*)$/.exec(key);
      if (!set || sym.file === ws.filePath) continue;
      const at = `${set[1]}:${set[3]}`;
      setsAt.set(at, (setsAt.get(at) ?? new Map<string, string>()).set(set[2], String(sym.value)));
    }
    for (const [key, sym] of ws.table.namesOf(module)) {
      const m = /^(\d+):(\d+):(.*)$/.exec(key);
      if (!m || sym.file === ws.filePath || typeof sym.value !== 'string' || Number(m[2]) !== index) continue;
      callers.push({ value: sym.value, where: symbolPlace(ws.filePath, sym) });
      sets.push(setsAt.get(`${m[1]}:${m[3]}`));
    }
  }
  const chosen = chooseCallerName(callers, fnName, nameNode);
  // A field every caller sets itself is judged at the callers (changedByCaller), not here.
  const overridden = new Set([...(sets[0]?.keys() ?? [])].filter((f) => sets.every((s) => s?.has(f))));
  return chosen && overridden.size ? { ...chosen, overridden } : chosen;
}
