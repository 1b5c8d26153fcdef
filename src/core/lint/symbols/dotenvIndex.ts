import * as fs from 'node:fs';
import * as path from 'node:path';
import { addLiteral, lineCounter } from './indexText';
import { GLOBAL_MODULE, type SymbolTable, type WorkspaceSymbol } from './symbolTable';

/*
 * Dotenv files as configuration input, by project. A monorepo holds several apps, each with its own
 * `.env`: a value is read from the dotenv files of the reading file's own project (the nearest folder
 * upwards that holds one, not above the project's root), never from another app's file of the same name.
 */

/** `env:<absolute file>:<KEY>` in GLOBAL_MODULE: one variable a dotenv file sets. */
const VARIABLE_PREFIX = 'env:';
/** `envfile:<absolute file>` in GLOBAL_MODULE: the workspace holds that dotenv file (any folder can be asked). */
const FILE_PREFIX = 'envfile:';

/**
 * A dotenv file's `KEY=value` lines, the value unquoted, under `env:<absolute file>:<KEY>`
 * (see projectDotenv for how they are read).
 */
export function indexDotenv(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  // Keyed by the name as loaders match it (`.ENV` on a case-insensitive disk is `.env`).
  const key = path.join(path.dirname(file), path.basename(file).toLowerCase());
  addLiteral(table, GLOBAL_MODULE, `${FILE_PREFIX}${key}`, { value: true }, file, 1);
  for (const m of text.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^#\n]*?))[ \t]*(?:#[^\n]*)?\r?$/gm)) {
    addLiteral(table, GLOBAL_MODULE, `${VARIABLE_PREFIX}${key}:${m[1]}`, { value: m[2] ?? m[3] ?? m[4] ?? '' }, file, lineOf(m.index));
  }
}

/**
 * Which dotenv files a framework loads, in precedence order (the first that sets a variable wins).
 *
 * - `laravel`: Laravel reads `.env` (vlucas/phpdotenv, one file, on every host); `.env.production`
 *   and `.env.staging` replace it only where the host sets APP_ENV to that name, so they come after.
 *   Development: `.env.local`, `.env.development`, `.env.testing`… (what `APP_ENV=local|testing` loads).
 * - `node`: Next.js, Vite and dotenv-flow for a production build or start (`next build`/`next start`,
 *   `vite build`, NODE_ENV=production): `.env.production.local` > `.env.local` > `.env.production` > `.env`.
 *   Development: `.env.development.local` > `.env.local` > `.env.development` > `.env`.
 */
export type DotenvFramework = 'laravel' | 'node';

const PRODUCTION: Readonly<Record<DotenvFramework, readonly string[]>> = {
  laravel: ['.env', '.env.production', '.env.prod', '.env.staging'],
  node: ['.env.production.local', '.env.local', '.env.production', '.env'],
};
const DEVELOPMENT: Readonly<Record<DotenvFramework, readonly string[]>> = {
  laravel: ['.env.local', '.env.development', '.env.dev', '.env.development.local', '.env.testing', '.env.test'],
  node: ['.env.development.local', '.env.development', '.env.test.local', '.env.test'],
};

/** Files whose folder is the root of a project: the search for a dotenv folder stops there. */
const PROJECT_MARKERS = ['package.json', 'composer.json', 'manage.py', 'Gemfile', 'pyproject.toml', 'artisan', 'go.mod', 'pom.xml'];

/** Folders known to be (or not be) a project's root, by a marker file in them: asked once per folder and process. */
const projectRoots = new Map<string, boolean>();

function isProjectRoot(dir: string): boolean {
  let known = projectRoots.get(dir);
  if (known === undefined) {
    known = PROJECT_MARKERS.some((m) => {
      try {
        return fs.statSync(path.join(dir, m), { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        return false;
      }
    });
    // Bounded: a long-lived editor process asks for the folders of the files it lints.
    if (projectRoots.size > 10_000) projectRoots.clear();
    projectRoots.set(dir, known);
  }
  return known;
}

/**
 * The folder whose dotenv files the project of `fromFile` loads: the nearest folder upwards holding
 * one of `names`, stopping at the project's root (a folder with package.json, composer.json,
 * manage.py, Gemfile…): an app without its own `.env` does not read its neighbour's or the monorepo's.
 */
function dotenvFolder(table: SymbolTable, fromFile: string, names: readonly string[]): string | undefined {
  let dir = path.dirname(fromFile);
  for (let i = 0; i < 32; i++) {
    if (names.some((n) => table.lookup(GLOBAL_MODULE, `${FILE_PREFIX}${path.join(dir, n)}`))) return dir;
    if (isProjectRoot(dir)) return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** A variable as the project's dotenv files set it, and whether a file production loads sets it. */
export interface DotenvValue {
  readonly symbol: WorkspaceSymbol;
  readonly production: boolean;
}

/**
 * The value of `variable` for the project of `fromFile`, as `framework` loads dotenv files: from a
 * file production loads (by its precedence), else from one only development and tests load.
 */
export function projectDotenv(table: SymbolTable, fromFile: string, variable: string, framework: DotenvFramework): DotenvValue | undefined {
  const production = PRODUCTION[framework];
  const development = DEVELOPMENT[framework];
  const dir = dotenvFolder(table, fromFile, [...production, ...development]);
  if (dir === undefined) return undefined;
  for (const [names, isProduction] of [[production, true], [development, false]] as const) {
    for (const n of names) {
      const symbol = table.lookup(GLOBAL_MODULE, `${VARIABLE_PREFIX}${path.join(dir, n)}:${variable}`);
      if (symbol) return { symbol, production: isProduction };
    }
  }
  return undefined;
}
