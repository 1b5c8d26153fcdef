import * as path from 'node:path';
import type { AnalysisContext } from '../analysis';
import { DJANGO_SETTINGS_PREFIX, PY_SET_SUFFIX, PY_STAR_PREFIX } from '../symbols/indexText';
import { GLOBAL_MODULE, type SymbolTable, symbolPlace } from '../symbols/symbolTable';

/*
 * Django settings split per environment: settings/base.py holds what every environment shares,
 * settings/production.py and settings/local.py start with `from .base import *` and override. A
 * value of base.py reaches production only where the module production loads does not set it again.
 */

/** A settings module extending the linted one (directly or through another), and the modules between. */
interface Extender {
  readonly file: string;
  /** The modules from this one down to the linted file, the linted file left out (this one first). */
  readonly chain: readonly string[];
}

/** How one setting of a base module fares in the modules production loads. */
export type BaseSettingFate =
  /** Every production module sets it again to a safe value (or reads it from the environment). */
  | { readonly overridden: true; readonly text: string }
  /** A production module takes it from the base module as written. */
  | { readonly overridden: false; readonly via: string };

/** Development modules by name: what `manage.py runserver` and the tests load. */
const DEVELOPMENT_NAME = /^(?:local|dev|develop|development|test|tests|testing|ci)(?:_settings)?$/;

/** Modules a manage.py/wsgi.py/asgi.py or a dotenv file names in DJANGO_SETTINGS_MODULE, by what names them. */
function namedModules(table: SymbolTable): { production: Map<string, string>; development: Map<string, string> } {
  const production = new Map<string, string>();
  const development = new Map<string, string>();
  for (const [name, symbol] of table.namesOf(GLOBAL_MODULE)) {
    let byDevelopment: boolean;
    if (name.startsWith(DJANGO_SETTINGS_PREFIX)) byDevelopment = path.basename(symbol.file) === 'manage.py';
    else if (name.startsWith('env:') && name.endsWith(':DJANGO_SETTINGS_MODULE')) byDevelopment = /\.(?:local|dev|development|test|testing)$/i.test(path.basename(symbol.file));
    else continue;
    const file = table.resolvePythonModule(symbol.file, String(symbol.value));
    if (!file) continue;
    const by = path.basename(symbol.file);
    if (byDevelopment) {
      if (!development.has(file)) development.set(file, by);
    } else if (!production.has(file)) production.set(file, by);
  }
  return { production, development };
}

/** Every module of the workspace that star-imports `file`, directly or through others (at most four deep). */
function extendersOf(table: SymbolTable, file: string): Extender[] {
  const edges: { importer: string; target: string }[] = [];
  for (const [name, symbol] of table.namesOf(GLOBAL_MODULE)) {
    if (!name.startsWith(PY_STAR_PREFIX)) continue;
    const target = table.resolvePythonModule(symbol.file, String(symbol.value));
    if (target) edges.push({ importer: symbol.file, target });
  }
  const out: Extender[] = [];
  const seen = new Set([file]);
  let level: Extender[] = [{ file, chain: [] }];
  for (let depth = 0; depth < 4 && level.length; depth++) {
    const next: Extender[] = [];
    for (const e of level) {
      for (const edge of edges) {
        if (edge.target !== e.file || seen.has(edge.importer)) continue;
        seen.add(edge.importer);
        next.push({ file: edge.importer, chain: [edge.importer, ...e.chain] });
      }
    }
    out.push(...next);
    level = next;
  }
  return out;
}

/**
 * What becomes of `setting`, insecure as `file` writes it, where the project splits its settings:
 * undefined when no module extends `file` (it is the one loaded) or none of them is production's.
 * A module is production's when wsgi.py/asgi.py or a production dotenv file names it in
 * DJANGO_SETTINGS_MODULE, development's when manage.py (only) names it or its name says so
 * (local.py, dev.py, test.py…); any other extending module (production.py, staging.py) is
 * taken as deployed. `safe` says whether a literal another module writes is safe.
 */
export function baseSettingFate(ctx: AnalysisContext, file: string, setting: string, safe: (value: string | number | boolean) => boolean): BaseSettingFate | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  const extenders = ctx.memo('py.splitExtenders', () => extendersOf(ws.table, file));
  if (extenders.length === 0) return undefined;
  const named = ctx.memo('py.splitNamed', () => namedModules(ws.table));
  const kindOf = (m: string): 'production' | 'development' => {
    if (named.production.has(m)) return 'production';
    if (named.development.has(m) || DEVELOPMENT_NAME.test(path.basename(m, '.py'))) return 'development';
    return 'production';
  };
  const describe = (m: string): string => {
    const by = named.production.get(m) ?? named.development.get(m);
    const place = path.relative(path.dirname(file), m).split(path.sep).join('/');
    return by ? `${place} (the module ${by} names)` : place;
  };
  const production = extenders.filter((e) => kindOf(e.file) === 'production');
  if (production.length === 0) return undefined;
  const sets: string[] = [];
  for (const e of production) {
    // The nearest module to production's that writes the setting decides.
    let decided = false;
    for (const m of e.chain) {
      const lit = ws.table.lookup(m, setting);
      const computed = lit ? undefined : ws.table.lookup(m, `${setting}${PY_SET_SUFFIX}`);
      if (!lit && !computed) continue;
      if (lit && !safe(lit.value)) return { overridden: false, via: `${describe(e.file)} sets it ${String(lit.value) === 'false' ? 'False' : String(lit.value)} again at ${symbolPlace(file, lit)}` };
      sets.push(lit ? `${symbolPlace(file, lit)} sets it ${lit.value === true ? 'True' : String(lit.value)}` : `${symbolPlace(file, computed!)} sets it from ${String(computed!.value).slice(0, 60)}`);
      decided = true;
      break;
    }
    if (!decided) return { overridden: false, via: `${describe(e.file)} takes it from here` };
  }
  const development = extenders.filter((e) => kindOf(e.file) === 'development').map((e) => path.basename(e.file));
  const where = development.length ? `what ${development.join(', ')} keep${development.length === 1 ? 's' : ''} for local development and tests` : 'what local development gets';
  return { overridden: true, text: `${setting} here is ${where}; production's settings override it: ${[...new Set(sets)].join('; ')}` };
}
