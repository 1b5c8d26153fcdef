import * as path from 'node:path';
import { addLiteral, lineCounter } from './indexText';
import { GLOBAL_MODULE, type SymbolTable, type WorkspaceSymbol } from './symbolTable';

/*
 * What a Rails application's configuration files set for production, by application (the folder
 * holding config/application.rb): `config.force_ssl` of config/environments/production.rb, and custom
 * settings `config.x.session.secure = false` (config/application.rb, an initializer, or the production
 * environment file, which Rails loads after them and so wins).
 */

/** `rails:app:<root>`: the folder is a Rails application's root. */
const APP_PREFIX = 'rails:app:';
/** `rails:x:<root>:<setting>` (application.rb, initializers) and `rails:x:<root>:production:<setting>` (environments/production.rb). */
const X_PREFIX = 'rails:x:';
/** `rails:force_ssl:<root>`: what config/environments/production.rb sets. */
const FORCE_SSL_PREFIX = 'rails:force_ssl:';

/** What a Ruby file of an application's config/ folder is to Rails, and the application's root. */
function configRole(file: string): { root: string; role: 'application' | 'production' | 'initializer' } | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (base === 'application.rb' && path.basename(dir) === 'config') return { root: path.dirname(dir), role: 'application' };
  if (base === 'production.rb' && path.basename(dir) === 'environments' && path.basename(path.dirname(dir)) === 'config') return { root: path.dirname(path.dirname(dir)), role: 'production' };
  if (path.basename(dir) === 'initializers' && path.basename(path.dirname(dir)) === 'config') return { root: path.dirname(path.dirname(dir)), role: 'initializer' };
  return undefined;
}

const RAILS_SETTINGS = /^[ \t]*(?:Rails\.application\.)?config\.(x\.[\w.]+|force_ssl)[ \t]*=[ \t]*(true|false|nil|:\w+|\d+|"[^"\n]*"|'[^'\n]*')[ \t]*(?:#[^\n]*)?$/gm;

/** Indexes `config.force_ssl` and `config.x.…` literals of an application's configuration files. */
export function indexRailsConfig(table: SymbolTable, file: string, text: string): void {
  if (!text.includes('config.')) return;
  const where = configRole(file);
  if (!where) return;
  if (where.role === 'application') table.add(GLOBAL_MODULE, `${APP_PREFIX}${where.root}`, { value: true, file, line: 1 });
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(RAILS_SETTINGS)) {
    const raw = m[2];
    const value = raw === 'true' ? true : raw === 'false' || raw === 'nil' ? false : /^\d+$/.test(raw) ? Number(raw) : raw.replace(/^["']|["']$/g, '');
    if (m[1] === 'force_ssl') {
      if (where.role === 'production') addLiteral(table, GLOBAL_MODULE, `${FORCE_SSL_PREFIX}${where.root}`, { value }, file, lineOf(m.index));
      continue;
    }
    const setting = m[1].slice(2);
    addLiteral(table, GLOBAL_MODULE, `${X_PREFIX}${where.root}:${where.role === 'production' ? 'production:' : ''}${setting}`, { value }, file, lineOf(m.index));
  }
}

/** The Rails application a file belongs to: the nearest folder upwards holding an indexed config/application.rb. */
function appRoot(table: SymbolTable, file: string): string | undefined {
  let dir = path.dirname(file);
  for (let i = 0; i < 32; i++) {
    if (table.lookup(GLOBAL_MODULE, `${APP_PREFIX}${dir}`)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** `config.x.session.secure` as production gets it: the production environment file's value, else application.rb's or an initializer's. */
export function railsCustomSetting(table: SymbolTable, file: string, setting: string): WorkspaceSymbol | undefined {
  const root = appRoot(table, file);
  if (root === undefined) return undefined;
  return table.lookup(GLOBAL_MODULE, `${X_PREFIX}${root}:production:${setting}`) ?? table.lookup(GLOBAL_MODULE, `${X_PREFIX}${root}:${setting}`);
}

/** `config.force_ssl` as config/environments/production.rb of the file's application sets it, if it does. */
export function railsForceSsl(table: SymbolTable, file: string): WorkspaceSymbol | undefined {
  const root = appRoot(table, file);
  return root === undefined ? undefined : table.lookup(GLOBAL_MODULE, `${FORCE_SSL_PREFIX}${root}`);
}
