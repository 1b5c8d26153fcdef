import * as path from 'node:path';

/** A constant one workspace file gives others: its literal value and where it is written. */
export interface WorkspaceSymbol {
  readonly value: string | number | boolean;
  /** Absolute path of the file that writes it. */
  readonly file: string;
  /** 1-based line of the literal. */
  readonly line: number;
  /** Set when the literal is a fallback after an environment read (`process.env.X || 'dev'`): the variable. */
  readonly fallbackFor?: string;
}

/** A tsconfig `paths` entry: `@app/*` → `src/app/*`, resolved against baseUrl. */
export interface PathAlias {
  readonly prefix: string;
  readonly wildcard: boolean;
  readonly targets: readonly string[];
}

/** The table in plain data, as it crosses to scan workers. */
export interface SymbolTableData {
  readonly modules: [string, [string, WorkspaceSymbol][]][];
  readonly aliases: PathAlias[];
}

/** What building the table cost, printed by bench/lint. */
export interface SymbolTableStats {
  readonly files: number;
  readonly symbols: number;
  readonly ms: number;
  /** CPU time of this thread spent indexing (ms): unlike `ms`, not inflated by other work on the machine. */
  readonly cpuMs?: number;
}

/** Extensions tried, in order, for a JavaScript/TypeScript import without one. */
const JS_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.mts', '.cts'];

/**
 * The constants of one workspace scan, by the file that exports them: `export const JWT_SECRET = '…'`,
 * `module.exports = { cookieSecret: '…' }`, a Python settings module's `SECRET_KEY = '…'`, PHP
 * `define()` and class constants, Ruby constants. Filled once per scan (each file read once,
 * before linting) and kept afterwards, so a keystroke re-lint resolves imports against what the
 * last scan indexed. Languages plug in through an indexer (see indexers.ts) and a resolver of
 * their own module rules (`resolveJsImport`, `resolvePythonModule`); names that are global in
 * a language (PHP constants) live under the pseudo-module `GLOBAL_MODULE`.
 */
export class SymbolTable {
  private readonly modules = new Map<string, Map<string, WorkspaceSymbol>>();
  private aliases: PathAlias[] = [];
  /** Python module names (`app.settings`) → file, built on first use. */
  private pythonModules: Map<string, string> | undefined;

  /** Records a symbol of a file (or of GLOBAL_MODULE). The first definition of a name wins. */
  add(module: string, name: string, symbol: WorkspaceSymbol): void {
    let names = this.modules.get(module);
    if (!names) {
      names = new Map();
      this.modules.set(module, names);
    }
    if (!names.has(name)) names.set(name, symbol);
    this.pythonModules = undefined;
  }

  /** tsconfig/jsconfig `paths` (with baseUrl applied) for non-relative imports. */
  setAliases(aliases: readonly PathAlias[]): void {
    this.aliases = [...aliases];
  }

  get size(): number {
    let n = 0;
    for (const m of this.modules.values()) n += m.size;
    return n;
  }

  /** A symbol of a module file (absolute path), or of GLOBAL_MODULE. */
  lookup(module: string, name: string): WorkspaceSymbol | undefined {
    return this.modules.get(module)?.get(name);
  }

  /**
   * The file a JavaScript/TypeScript import names, among the indexed files: relative paths with
   * the usual extensions and index files, and tsconfig `paths` aliases.
   */
  resolveJsImport(fromFile: string, specifier: string): string | undefined {
    const bases: string[] = [];
    if (specifier.startsWith('.')) bases.push(path.resolve(path.dirname(fromFile), specifier));
    else {
      for (const a of this.aliases) {
        if (a.wildcard ? specifier.startsWith(a.prefix) : specifier === a.prefix) {
          const rest = a.wildcard ? specifier.slice(a.prefix.length) : '';
          for (const t of a.targets) bases.push(a.wildcard ? t + rest : t);
        }
      }
    }
    for (const base of bases) {
      // `./config.js` in TypeScript sources names config.ts.
      const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
      const candidates = [base, ...JS_EXTENSIONS.map((e) => stem + e), ...JS_EXTENSIONS.map((e) => path.join(base, `index${e}`))];
      for (const c of candidates) if (this.modules.has(c)) return c;
    }
    return undefined;
  }

  /**
   * The file of a Python module: a dotted name (`config.settings`) matched against the indexed
   * files' paths from their end (the package root is not known), relative imports (`.settings`)
   * from the importing file's package.
   */
  resolvePythonModule(fromFile: string, dotted: string): string | undefined {
    if (dotted.startsWith('.')) {
      const ups = /^\.+/.exec(dotted)![0].length;
      let dir = path.dirname(fromFile);
      for (let i = 1; i < ups; i++) dir = path.dirname(dir);
      const rest = dotted.slice(ups).split('.').filter(Boolean);
      const base = path.join(dir, ...rest);
      for (const c of [`${base}.py`, path.join(base, '__init__.py')]) if (this.modules.has(c)) return c;
      return undefined;
    }
    if (!this.pythonModules) {
      this.pythonModules = new Map();
      for (const file of this.modules.keys()) {
        if (!file.endsWith('.py')) continue;
        const parts = file.slice(0, -3).split(/[\\/]/).filter(Boolean);
        if (parts[parts.length - 1] === '__init__') parts.pop();
        // Every dotted suffix of the path names the module for some package root.
        for (let i = parts.length - 1; i >= 0; i--) {
          const key = parts.slice(i).join('.');
          if (!this.pythonModules.has(key)) this.pythonModules.set(key, file);
        }
      }
    }
    return this.pythonModules.get(dotted);
  }

  /** Adds another table's symbols and aliases (a multi-root workspace scans each folder); returns this table. */
  mergeFrom(other: SymbolTable): SymbolTable {
    const data = other.toData();
    for (const [m, names] of data.modules) for (const [n, sym] of names) this.add(m, n, sym);
    this.aliases = [...this.aliases, ...data.aliases];
    return this;
  }

  toData(): SymbolTableData {
    return { modules: [...this.modules].map(([m, names]) => [m, [...names]]), aliases: this.aliases };
  }

  static fromData(data: SymbolTableData): SymbolTable {
    const t = new SymbolTable();
    for (const [m, names] of data.modules) for (const [n, s] of names) t.add(m, n, s);
    t.setAliases(data.aliases);
    return t;
  }
}

/** The pseudo-module holding names that are global in their language (PHP define() and class constants). */
export const GLOBAL_MODULE = '<global>';

/** "JWT_SECRET from ../config/constants.ts:2": an expression and where its constant is written, relative to the using file. */
export function describeSymbol(fromFile: string, expression: string, symbol: WorkspaceSymbol): string {
  let rel = path.relative(path.dirname(fromFile), symbol.file).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `${expression.replace(/\s+/g, '')} from ${rel}:${symbol.line}`;
}
