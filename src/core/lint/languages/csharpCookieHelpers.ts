import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { csharpCookieCallModule, csharpCookieHelperCalls } from '../symbols/csharpCookieCalls';
import { symbolPlace } from '../symbols/symbolTable';
import { type CallerName, chooseCallerName } from './callerNames';

/*
 * A helper that writes a cookie under a name its caller gives
 * (`static void AppendAuthCookie(this HttpResponse r, string name, string value) => r.Cookies.Append(name, value, new CookieOptions { … })`)
 * is judged where its flags are written, with the names its callers pass: the callers of this file
 * (read from its text) and of the rest of the workspace (as the last scan indexed them). Session
 * severity applies when one caller passes a session or authentication name; a helper every caller
 * uses for preferences (`theme`, `currency`) is a preference writer.
 */

/** The cookie name a parameter receives from the helper's callers, with the callers named. */
export interface CallerCookieName {
  readonly value: string;
  readonly node: Node;
  readonly via: string;
}

export function callerCookieName(ctx: AnalysisContext, nameNode: Node): CallerCookieName | undefined {
  if (nameNode.type !== 'identifier') return undefined;
  const param = ctx.src(nameNode);
  const method = ancestorsOf(nameNode).reverse().find((a) => a.type === 'method_declaration' || a.type === 'local_function_statement' || a.type === 'lambda_expression');
  if (!method || method.type === 'lambda_expression') return undefined;
  const methodName = ctx.src(method.childForFieldName('name') ?? method);
  const params = method.childForFieldName('parameters');
  const list = params ? namedChildren(params, ctx.text).filter((p) => p.type === 'parameter') : [];
  const index = list.findIndex((p) => ctx.src(p.childForFieldName('name') ?? p) === param);
  if (index < 0) return undefined;
  // A parameter assigned in the helper is not the caller's name any more.
  const body = method.childForFieldName('body');
  if (body && new RegExp(`(^|[^\\w.])@?${param}\\s*(=[^=>]|\\+=)`).test(ctx.src(body))) return undefined;
  const extension = /^this\s/.test(ctx.src(list[0]).trim());
  const cls = ancestorsOf(method).reverse().find((a) => a.type === 'class_declaration' || a.type === 'struct_declaration' || a.type === 'record_declaration');
  const className = cls ? ctx.src(cls.childForFieldName('name') ?? cls) : '';
  // `Response.AppendAuthCookie("n", v)` passes the receiver as the extension's first parameter.
  const argIndex = (receiver: string) => (extension && receiver !== '' && receiver !== className ? index - 1 : index);
  const names: CallerName[] = [];
  const own = ctx.memo(`cs.cookieCalls.${methodName}`, () => csharpCookieHelperCalls(ctx.text, methodName));
  for (const call of own) {
    if (call.offset >= method.startIndex && call.offset < method.endIndex) continue;
    const lit = call.literals.find((l) => l.index === argIndex(call.receiver));
    if (!lit) continue;
    ctx.touch(call.offset, call.end);
    names.push({ value: lit.value, where: `line ${ctx.lineOf(call.offset) + 1}` });
  }
  const ws = ctx.workspace;
  if (ws) {
    for (const [key, sym] of ws.table.namesOf(csharpCookieCallModule(methodName))) {
      if (sym.file === ws.filePath || typeof sym.value !== 'string') continue;
      const [, i, receiver] = /^\d+:(\d+):(\w*):/.exec(key) ?? [];
      if (i === undefined || Number(i) !== argIndex(receiver)) continue;
      names.push({ value: sym.value, where: symbolPlace(ws.filePath, sym) });
    }
  }
  return chooseCallerName(names, methodName, nameNode);
}
