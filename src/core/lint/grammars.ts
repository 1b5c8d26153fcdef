import * as fs from 'node:fs';
import * as path from 'node:path';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import type { Language, Parser } from '@vscode/tree-sitter-wasm';
import type { GrammarLanguage, LintLanguage } from './types';

/** The wasm file of each grammar, as shipped by its npm package and copied flat into dist/grammars. */
export const GRAMMAR_FILES: Readonly<Record<GrammarLanguage, string>> = {
  javascript: 'tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  python: 'tree-sitter-python.wasm',
  php: 'tree-sitter-php.wasm',
  java: 'tree-sitter-java.wasm',
  csharp: 'tree-sitter-c-sharp.wasm',
  go: 'tree-sitter-go.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  ini: 'tree-sitter-ini.wasm',
  properties: 'tree-sitter-properties.wasm',
  yaml: 'tree-sitter-yaml.wasm',
};

/** The web-tree-sitter runtime module. */
export const RUNTIME_WASM = 'tree-sitter.wasm';

/** Where each wasm file lives inside node_modules (package, sub-folder). */
const PACKAGE_HOMES: Readonly<Record<string, readonly [string, string]>> = {
  'tree-sitter-properties.wasm': ['tree-sitter-properties', ''],
  'tree-sitter-yaml.wasm': ['@tree-sitter-grammars/tree-sitter-yaml', ''],
};
const VSCODE_WASM_HOME: readonly [string, string] = ['@vscode/tree-sitter-wasm', 'wasm'];

/** A grammar or the runtime could not be found or loaded. */
export class GrammarLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrammarLoadError';
  }
}

/**
 * The folder a bundle ships its grammars in: `dist/grammars` next to `dist/extension.js` or `dist/cli.js`.
 * Undefined when running from sources (tests, tsx), where node_modules is used.
 */
export function bundledGrammarDir(): string | undefined {
  const dir = path.join(__dirname, 'grammars');
  return fs.existsSync(path.join(dir, RUNTIME_WASM)) ? dir : undefined;
}

/** Absolute path of one wasm file: in `grammarDir` when given, else the bundled folder, else node_modules. */
export function locateWasm(file: string, grammarDir?: string): string {
  const dir = grammarDir ?? bundledGrammarDir();
  if (dir !== undefined) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
    if (grammarDir !== undefined) throw new GrammarLoadError(`grammar file ${file} not found in ${grammarDir}`);
  }
  const [pkg, sub] = PACKAGE_HOMES[file] ?? VSCODE_WASM_HOME;
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new GrammarLoadError(`grammar file ${file} not found: no grammar folder and package ${pkg} is not installed`);
  }
  const p = path.join(pkgDir, sub, file);
  if (!fs.existsSync(p)) throw new GrammarLoadError(`grammar file ${file} missing from ${pkg}`);
  return p;
}

let runtime: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();

function initRuntime(grammarDir?: string): Promise<void> {
  runtime ??= (async () => {
    const wasm = locateWasm(RUNTIME_WASM, grammarDir);
    await TreeSitter.Parser.init({ locateFile: () => wasm });
  })().catch((err: unknown) => {
    runtime = undefined;
    throw err instanceof GrammarLoadError ? err : new GrammarLoadError(`tree-sitter runtime failed to load: ${String(err)}`);
  });
  return runtime;
}

/** Loads a grammar the first time it is asked for; later calls share the same promise. */
export function loadLanguage(language: GrammarLanguage, grammarDir?: string): Promise<Language> {
  const key = `${grammarDir ?? ''}\u0000${language}`;
  let p = languages.get(key);
  if (!p) {
    p = (async () => {
      await initRuntime(grammarDir);
      const file = locateWasm(GRAMMAR_FILES[language], grammarDir);
      try {
        return await TreeSitter.Language.load(fs.readFileSync(file));
      } catch (err) {
        throw new GrammarLoadError(`grammar ${file} failed to load: ${String(err)}`);
      }
    })();
    p.catch(() => languages.delete(key));
    languages.set(key, p);
  }
  return p;
}

/** A parser set to the language. Parsers are cheap; callers keep one per language. */
export function newParser(language: Language): Parser {
  const parser = new TreeSitter.Parser();
  parser.setLanguage(language);
  return parser;
}

const EXTENSIONS: Readonly<Record<string, LintLanguage>> = {
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
  '.tsx': 'tsx',
  '.py': 'python',
  '.php': 'php', '.phtml': 'php',
  '.java': 'java',
  '.cs': 'csharp',
  '.go': 'go',
  '.rb': 'ruby', '.rake': 'ruby',
  '.ini': 'ini',
  '.properties': 'properties',
  '.yml': 'yaml', '.yaml': 'yaml',
};

/**
 * `.env`, `.env.local`, `.env.production`…, and Flask's `.flaskenv`; not
 * `.env.example`/`.sample`/`.template`/`.dist`/`.defaults`.
 */
export function isDotenvName(base: string): boolean {
  return (/^\.env(\.[\w-]+)*$/i.test(base) || /^\.flaskenv$/i.test(base)) && !/\.(example|sample|template|dist|defaults?|schema)$/i.test(base);
}

/** The language of a file by its name, or undefined when the engine does not read it. */
export function languageForPath(filePath: string): LintLanguage | undefined {
  const base = path.basename(filePath).toLowerCase();
  if (base.endsWith('.d.ts')) return undefined;
  if (base === 'php.ini' || base === '.user.ini' || /^php\.ini-/.test(base)) return 'ini';
  // dotenv files are KEY=value lines, which the ini grammar reads; templates (.env.example…) hold placeholders by design.
  if (isDotenvName(base)) return 'ini';
  // Only the files whose settings the engine knows: other XML and JSON files are not linted.
  if (base === 'web.xml' || base === 'web-fragment.xml') return 'xml';
  if (/^appsettings(\.[\w-]+)?\.json$/.test(base)) return 'json';
  return EXTENSIONS[path.extname(base)];
}

/** Maps VS Code language ids (and our own) to a lint language. */
export function languageForId(languageId: string): LintLanguage | undefined {
  switch (languageId) {
    case 'javascript': case 'javascriptreact': return 'javascript';
    case 'typescript': return 'typescript';
    case 'typescriptreact': case 'tsx': return 'tsx';
    case 'python': return 'python';
    case 'php': return 'php';
    case 'java': return 'java';
    case 'csharp': return 'csharp';
    case 'go': return 'go';
    case 'ruby': return 'ruby';
    case 'ini': case 'dotenv': return 'ini';
    case 'properties': case 'java-properties': case 'spring-boot-properties': return 'properties';
    case 'yaml': case 'spring-boot-properties-yaml': return 'yaml';
    default: return undefined;
  }
}
