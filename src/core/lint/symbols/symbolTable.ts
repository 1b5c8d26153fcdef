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
  /** A Go time.Duration constant (`24 * time.Hour`): `value` is its length in seconds. */
  readonly duration?: true;
}

/** A tsconfig `paths` entry: `@app/*` → `src/app/*`, resolved against baseUrl. */
export interface PathAlias {
  readonly prefix: string;
  readonly wildcard: boolean;
  readonly targets: readonly string[];
}

/**
 * A JavaScript/TypeScript re-export: `export { X as Y } from './consts'` (names: exported → imported),
 * `export * from './consts'` (names: '*'), `export { default as cfg } from './config'`.
 */
export interface JsReexport {
  readonly from: string;
  /**
   * `'*'` for `export * from`; else [exported, imported] pairs, where an imported `'*'` is a
   * namespace (`export * as keys from './keys'`: `keys.X` is X of that file).
   */
  readonly names: '*' | readonly (readonly [string, string])[];
}

/** The table in plain data, as it crosses to scan workers. */
export interface SymbolTableData {
  readonly modules: [string, [string, WorkspaceSymbol][]][];
  readonly aliases: PathAlias[];
  readonly reexports?: [string, JsReexport[]][];
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

  /** Every name a module holds, with its symbol (the go.mod list, a class's constants). */
  namesOf(module: string): Iterable<[string, WorkspaceSymbol]> {
    return this.modules.get(module) ?? [];
  }

  /** A symbol of a module file (absolute path), or of GLOBAL_MODULE. */
  lookup(module: string, name: string): WorkspaceSymbol | undefined {
    return this.modules.get(module)?.get(name);
  }

  private readonly reexports = new Map<string, JsReexport[]>();

  /** Records a re-export of a JavaScript/TypeScript file (barrels: index.ts re-exporting its folder). */
  addReexport(module: string, reexport: JsReexport): void {
    const list = this.reexports.get(module) ?? [];
    list.push(reexport);
    this.reexports.set(module, list);
    // A file that only re-exports is still a module imports can resolve to.
    if (!this.modules.has(module)) this.modules.set(module, new Map());
  }

  /**
   * A symbol of a JavaScript/TypeScript file, its own or re-exported (`export { X } from`,
   * `export * from`, barrels of barrels), at most 8 files deep.
   */
  lookupJs(module: string, name: string, depth = 0): WorkspaceSymbol | undefined {
    const own = this.lookup(module, name);
    if (own || depth > 8) return own;
    const dot = name.indexOf('.');
    const head = dot === -1 ? name : name.slice(0, dot);
    const rest = dot === -1 ? '' : name.slice(dot);
    for (const r of this.reexports.get(module) ?? []) {
      const target = this.resolveJsImport(module, r.from);
      if (!target || target === module) continue;
      if (r.names === '*') {
        // `export *` does not pass on the default export.
        if (head === 'default') continue;
        const found = this.lookupJs(target, name, depth + 1);
        if (found) return found;
        continue;
      }
      for (const [exported, imported] of r.names) {
        if (exported !== head) continue;
        if (imported === '*') {
          const found = rest ? this.lookupJs(target, rest.slice(1), depth + 1) : undefined;
          if (found) return found;
          continue;
        }
        const found = this.lookupJs(target, `${imported}${rest}`, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
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
    for (const [m, list] of data.reexports ?? []) for (const r of list) this.addReexport(m, r);
    this.aliases = [...this.aliases, ...data.aliases];
    return this;
  }

  toData(): SymbolTableData {
    return { modules: [...this.modules].map(([m, names]) => [m, [...names]]), aliases: this.aliases, reexports: [...this.reexports] };
  }

  static fromData(data: SymbolTableData): SymbolTable {
    const t = new SymbolTable();
    for (const [m, names] of data.modules) {
      if (names.length === 0 && !t.modules.has(m)) t.modules.set(m, new Map());
      for (const [n, s] of names) t.add(m, n, s);
    }
    for (const [m, list] of data.reexports ?? []) for (const r of list) t.addReexport(m, r);
    t.setAliases(data.aliases);
    return t;
  }
}

/** The pseudo-module holding names that are global in their language (PHP define() and class constants). */
export const GLOBAL_MODULE = '<global>';

/** "JWT_SECRET from ../config/constants.ts:2": an expression and where its constant is written, relative to the using file. */
export function describeSymbol(fromFile: string, expression: string, symbol: WorkspaceSymbol): string {
  const place = symbolPlace(fromFile, symbol);
  return `${expression.replace(/(?<!\bnew)\s+/g, '')} from ${place.startsWith('.') ? '' : './'}${place}`;
}

/** Where `symbol` is written, from `fromFile`'s folder: `../Controllers/Home.cs:27` (forward slashes). */
export function symbolPlace(fromFile: string, symbol: WorkspaceSymbol): string {
  return `${path.relative(path.dirname(fromFile), symbol.file).split(path.sep).join('/')}:${symbol.line}`;
}
