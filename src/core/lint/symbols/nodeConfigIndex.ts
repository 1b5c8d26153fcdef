import * as fs from 'node:fs';
import * as path from 'node:path';
import { JS_SOURCE_SUFFIX } from './indexText';
import type { SymbolTable } from './symbolTable';

/*
 * node-config (`const config = require('config')`, `config.get('session.cookie')`): the files of the
 * application's config/ folder as production loads them. default.json, then production.json, then
 * local.json and local-production.json, each deep-merged over the ones before (node-config's order
 * for NODE_ENV=production); a key custom-environment-variables.json maps to a variable is read from
 * the environment wherever it is set. Read once per scan, when a file of the workspace requires it.
 */

/** `<node-config><folder>`: the pseudo-module holding one application's merged configuration. */
export const NODE_CONFIG_PREFIX = '<node-config>';
/** Marker of a folder already looked at: true (its config/ was read), 'none' (look further up), 'stop' (the application's root, without one). */
const READ = '#read';

const PRODUCTION_FILES = ['default.json', 'production.json', 'local.json', 'local-production.json'];
const MAX_CONFIG_BYTES = 1 << 20;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(file: string): { json: JsonObject; text: string } | undefined {
  try {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    const json = JSON.parse(text) as Json;
    return isObject(json) ? { json, text } : undefined;
  } catch {
    return undefined;
  }
}

/** Where each leaf's value comes from: the file that set it last, and the line of its key there. */
type Origins = Map<string, { file: string; line: number }>;

/** The line of a key path's last key in a JSON text: each key searched after its parent's (a good guess for configuration files). */
function lineOfKey(text: string, keyPath: string): number {
  let at = 0;
  for (const key of keyPath.split('.')) {
    const found = text.indexOf(`"${key}"`, at);
    if (found === -1) break;
    at = found;
  }
  return text.slice(0, at).split('\n').length;
}

function merge(into: JsonObject, from: JsonObject, prefix: string, origins: Origins, file: string, text: string): void {
  for (const [k, v] of Object.entries(from)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && isObject(into[k])) merge(into[k] as JsonObject, v, p, origins, file, text);
    else {
      into[k] = isObject(v) ? structuredClone(v) : v;
      origins.set(p, { file, line: lineOfKey(text, p) });
      if (isObject(v)) for (const sub of keyPaths(v, p)) origins.set(sub, { file, line: lineOfKey(text, sub) });
    }
  }
}

/** Every key path under an object, nested objects and their keys alike. */
function keyPaths(v: JsonObject, prefix: string): string[] {
  return Object.entries(v).flatMap(([k, x]) => [`${prefix}.${k}`, ...(isObject(x) ? keyPaths(x, `${prefix}.${k}`) : [])]);
}

/** The variables custom-environment-variables.json maps, by key (`{ "session": { "secret": "SESSION_SECRET" } }`). */
function environmentKeys(json: JsonObject, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(json)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(p, v);
    else if (isObject(v) && typeof v.__name === 'string') out.set(p, v.__name);
    else if (isObject(v)) environmentKeys(v, p, out);
  }
  return out;
}

/** An object's source as JavaScript, a key mapped to a variable written as `process.env.VAR` (an environment read). */
function objectSource(v: JsonObject, prefix: string, env: ReadonlyMap<string, string>): string {
  const parts = Object.entries(v).map(([k, x]) => {
    const p = `${prefix}.${k}`;
    const variable = env.get(p);
    const value = variable ? `process.env.${variable.replace(/[^\w$]/g, '_')}` : isObject(x) ? objectSource(x, p, env) : JSON.stringify(x);
    return `${JSON.stringify(k)}: ${value}`;
  });
  return `{ ${parts.join(', ')} }`;
}

/** Records the merged configuration: leaves as literals, objects as definitions (`session.cookie.#src`) a read evaluates. */
function record(table: SymbolTable, module: string, json: JsonObject, prefix: string, origins: Origins, env: ReadonlyMap<string, string>, fallbackFile: string): void {
  for (const [k, v] of Object.entries(json)) {
    const p = prefix ? `${prefix}.${k}` : k;
    const origin = origins.get(p) ?? { file: fallbackFile, line: 1 };
    if (isObject(v)) {
      table.add(module, `${p}${JS_SOURCE_SUFFIX}`, { value: `export const config = ${objectSource(v, p, env)};`, file: origin.file, line: origin.line });
      record(table, module, v, p, origins, env, fallbackFile);
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const variable = env.get(p);
      table.add(module, p, { value: v, file: origin.file, line: origin.line, ...(variable ? { fallbackFor: variable } : {}) });
    }
  }
}

/**
 * For a JavaScript/TypeScript file requiring node-config: reads its application's config/ folder
 * (the nearest folder upwards with config/default.json or config/production.json, not above the
 * folder holding package.json) once per scan, as NODE_ENV=production merges it.
 */
export function indexNodeConfig(table: SymbolTable, file: string, text: string): void {
  if (!/\brequire\(\s*['"]config['"]\s*\)|\bfrom\s+['"]config['"]/.test(text)) return;
  let dir = path.dirname(file);
  for (let i = 0; i < 12; i++) {
    const module = `${NODE_CONFIG_PREFIX}${dir}`;
    const seen = table.lookup(module, READ)?.value;
    if (seen === true || seen === 'stop') return;
    if (seen === 'none') {
      const up = path.dirname(dir);
      if (up === dir) return;
      dir = up;
      continue;
    }
    const configDir = path.join(dir, 'config');
    const found = PRODUCTION_FILES.map((n) => ({ n, read: readJson(path.join(configDir, n)) }));
    if (found.some((f) => f.read)) {
      table.add(module, READ, { value: true, file: configDir, line: 1 });
      const merged: JsonObject = {};
      const origins: Origins = new Map();
      for (const f of found) if (f.read) merge(merged, f.read.json, '', origins, path.join(configDir, f.n), f.read.text);
      const env = environmentKeys(readJson(path.join(configDir, 'custom-environment-variables.json'))?.json ?? {});
      record(table, module, merged, '', origins, env, path.join(configDir, 'default.json'));
      return;
    }
    // The application's root (package.json) ends the search: the config/ of a folder above is another's.
    const stop = fs.existsSync(path.join(dir, 'package.json'));
    table.add(module, READ, { value: stop ? 'stop' : 'none', file: dir, line: 1 });
    if (stop) return;
    const up = path.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/** The node-config pseudo-module of a file's application, as the last scan read it. */
export function nodeConfigModule(table: SymbolTable, fromFile: string): string | undefined {
  let dir = path.dirname(fromFile);
  for (let i = 0; i < 12; i++) {
    const marker = table.lookup(`${NODE_CONFIG_PREFIX}${dir}`, READ)?.value;
    if (marker === true) return `${NODE_CONFIG_PREFIX}${dir}`;
    if (marker === 'stop') return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}
