import type { SymbolTable, WorkspaceSymbol } from './symbolTable';

/** What a text indexer read on the right of a constant: a literal, or a fallback of an environment variable. */
export type Literal = { value: string | number | boolean; fallbackFor?: string; duration?: true };

/** Adds a constant the indexer read to the table, as a symbol of `module`. */
export function addLiteral(table: SymbolTable, module: string, name: string, lit: Literal, file: string, line: number): void {
  const symbol: WorkspaceSymbol = {
    value: lit.value, file, line,
    ...(lit.fallbackFor !== undefined ? { fallbackFor: lit.fallbackFor } : {}),
    ...(lit.duration ? { duration: true as const } : {}),
  };
  table.add(module, name, symbol);
}

/**
 * 1-based line of an offset, counting forward from the last one asked (matches come in order); an
 * offset before the last one asked counts again from the start instead of answering the later line.
 */
export function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let at = 0;
  return (offset) => {
    if (offset < at) {
      line = 1;
      at = 0;
    }
    for (let i = text.indexOf('\n', at); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return line;
  };
}

/** Suffix of the entry a Python factory gets (`get_token_service()->`): the class it returns, `module:Class` when imported there. */
export const PY_FACTORY_SUFFIX = '()->';

/** Prefix of the GLOBAL_MODULE entry a manage.py/wsgi.py/asgi.py gives the settings module it names (`django-settings:shop.settings`). */
export const DJANGO_SETTINGS_PREFIX = 'django-settings:';

/**
 * Suffix of the entry holding a JavaScript/TypeScript definition's source text (`cookieOptions.#src`),
 * kept for the files importing it to evaluate (see indexJsDefinitions). After a dot, so barrels re-export it.
 */
export const JS_SOURCE_SUFFIX = '.#src';

/** Suffix of the entry a Python module-level function that verifies a JWT gets (`verify_token(jwt)`): never a name code can look up. */
export const PY_VERIFIER_SUFFIX = '(jwt)';

/** Suffix of the entry a Python module-level list of string literals gets (`ALGORITHMS = ["HS256"]`), its value the list as JSON. */
export const PY_LIST_SUFFIX = '[*]';

/** Suffix of the entry a Python module-level decorator gets when it wraps the view in a JWT verify (`token_required@(jwt)`). */
export const PY_DECORATOR_SUFFIX = '@(jwt)';

/**
 * Suffix of the entry recording a local name a JavaScript/TypeScript file imports (`SESSION_DEFAULTS.#from`),
 * its value `<module specifier>\n<imported name>` ('default', '*' or an export): the imports of a definition
 * another file reads, whose source alone does not hold them (see indexJsImports).
 */
export const JS_IMPORT_SUFFIX = '.#from';

/** Prefix of the GLOBAL_MODULE entry a Python module's `from <module> import *` gets (`py-star:<file>:<module>`), its value the module as written. */
export const PY_STAR_PREFIX = 'py-star:';

/** Suffix of the entry a module-level assignment that is not a literal gets in a module with a star import (`SESSION_COOKIE_SECURE#set`): a split settings module overriding a setting. */
export const PY_SET_SUFFIX = '#set';
