import type { Node } from '@vscode/tree-sitter-wasm';
import type { AnalysisContext } from '../analysis';
import type { Truth } from '../cookieChecks';
import { describeSymbol } from '../symbols/symbolTable';
import { csharpConfigValue } from './crossFileConstants';
import { csharpValue } from './csharpValues';

/*
 * Cookie options whose value is in appsettings*.json: `options.Cookie.HttpOnly = settings.HttpOnly`
 * where `settings` is an options class bound to a section (`CookieSettings { Secure, HttpOnly,
 * SameSite, ExpireMinutes }`), `Configuration.GetValue<bool>("Cookies:Secure")`, or a `?:` on such
 * a flag (`settings.Secure ? CookieSecurePolicy.Always : CookieSecurePolicy.None`). The value is
 * the literal the project's settings file holds (appsettings.json first, which every environment
 * loads, then Production, Staging, Development), named in the message.
 */

/** A configuration read at `n` whose value a settings file of the project writes. */
export interface ConfiguredValue {
  readonly value: string | number | boolean;
  /** The configuration key (`CookieSettings:HttpOnly`). */
  readonly key: string;
  /** `../appsettings.json:7`, relative to the file being linted. */
  readonly where: string;
  /** Set when only appsettings.{environment}.json writes it. */
  readonly environment?: string;
}

export function configuredValue(ctx: AnalysisContext, n: Node): ConfiguredValue | undefined {
  if (!ctx.workspace) return undefined;
  const v = csharpValue(ctx, n);
  if (v.k !== 'env') return undefined;
  const c = csharpConfigValue(ctx, v.text, n);
  if (!c) return undefined;
  const where = describeSymbol(ctx.workspace.filePath, c.key, c.value.symbol).replace(/^.* from /, '');
  return { value: c.value.symbol.value, key: c.key, where, ...(c.environment ? { environment: c.environment } : {}) };
}

const unwrap = (n: Node): Node => (n.type === 'parenthesized_expression' && n.firstNamedChild ? unwrap(n.firstNamedChild) : n);

/**
 * The truth of a cookie flag decided by a settings file, or undefined when the code does not read
 * one. A value only appsettings.Development.json gives is the environment's (info at most): the
 * other environments do not load that file.
 */
export function configuredTruth(
  ctx: AnalysisContext,
  node: Node,
  /** Reads a written leaf (`CookieSecurePolicy.Always`, `true`). */
  leaf: (n: Node) => Truth | undefined,
): { value: Truth; envText?: string; via?: string } | undefined {
  const n = unwrap(node);
  let c: ConfiguredValue | undefined;
  let truth: Truth | undefined;
  if (n.type === 'conditional_expression') {
    const cond = n.childForFieldName('condition');
    c = cond ? configuredValue(ctx, cond) : undefined;
    if (typeof c?.value !== 'boolean') return undefined;
    const chosen = n.childForFieldName(c.value ? 'consequence' : 'alternative');
    truth = chosen ? leaf(unwrap(chosen)) : undefined;
  } else {
    c = configuredValue(ctx, n);
    if (typeof c?.value === 'boolean') truth = c.value ? 'true' : 'false';
  }
  if (!c || truth === undefined || truth === 'unknown') return undefined;
  const said = `${c.key} is ${String(c.value)} in ${c.where}`;
  if (truth === 'true') return { value: 'true' };
  if (truth === 'env' || c.environment === 'Development') {
    return { value: 'env', envText: c.environment === 'Development' ? `${said}, which only the Development environment loads` : said };
  }
  return { value: 'false', via: `${said}${c.environment ? `, which the ${c.environment} environment loads` : ', which every environment loads unless it overrides it'}: set it to true there, or write the flag here` };
}

/** `SameSite = settings.SameSite` bound from `"SameSite": "None"`: the mode, lower case ('' for Unspecified), with where it is written; or undefined. */
export function configuredSameSite(ctx: AnalysisContext, node: Node): { value: string; via: string } | undefined {
  const c = configuredValue(ctx, unwrap(node));
  const m = typeof c?.value === 'string' ? /^(Strict|Lax|None|Unspecified)$/i.exec(c.value.trim()) : null;
  // Named in the message: the key and the file that hold the mode (`CookieSettings:SameSite is Unspecified in ../appsettings.json:9`).
  return m ? { value: m[1].toLowerCase() === 'unspecified' ? '' : m[1].toLowerCase(), via: `${c!.key} is ${String(c!.value)} in ${c!.where}` } : undefined;
}

/** `TimeSpan.FromMinutes(settings.ExpireMinutes)` with the number in a settings file: seconds, or undefined. */
export function configuredSeconds(ctx: AnalysisContext, node: Node): number | undefined {
  const n = unwrap(node);
  if (n.type !== 'invocation_expression') return undefined;
  const m = /^TimeSpan\.From(Days|Hours|Minutes|Seconds)$/.exec(ctx.src(n.childForFieldName('function') ?? n).replace(/\s+/g, ''));
  const args = n.childForFieldName('arguments');
  const first = args?.namedChildren.find((a) => a?.type === 'argument');
  if (!m || !first || args!.namedChildren.filter((a) => a?.type === 'argument').length !== 1) return undefined;
  const c = configuredValue(ctx, first);
  return typeof c?.value === 'number' ? c.value * { Days: 86400, Hours: 3600, Minutes: 60, Seconds: 1 }[m[1] as 'Days'] : undefined;
}
