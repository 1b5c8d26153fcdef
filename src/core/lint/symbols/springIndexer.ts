import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SymbolTable, WorkspaceSymbol } from './symbolTable';
import { lineCounter } from './indexText';

/*
 * Spring Boot configuration files as the symbol table holds them: `application.properties`,
 * `application.yml` and their profile files (`application-dev.yml`), each property by its
 * canonical key (Spring's relaxed binding: `jwt.signing-key`, `jwt.signingKey` and
 * `jwt.signing_key` are one key), so that `@Value("${jwt.secret}")`, a
 * `@ConfigurationProperties(prefix = "jwt")` getter or `environment.getProperty("jwt.secret")`
 * in a Java file finds the literal behind it. A text pass like the other indexers: YAML anchors,
 * aliases, merge keys (`<<: *defaults`) and block scalars (`|`, `>`) are followed; a properties
 * continuation line is not. Files named by `spring.config.import` (`optional:classpath:…`, `file:…`)
 * are read and indexed with the document that imports them, and `spring.profiles.group.*` records
 * which group activates a profile.
 */

/** `application.yml`, `application-dev.properties`, `bootstrap.yaml`: the files Spring Boot reads its properties from. */
const SPRING_CONFIG_FILE = /^(?:application|bootstrap)(?:-([\w.-]+))?\.(properties|ya?ml)$/i;

/** True for a Spring Boot configuration file outside test resources (tests bring their own configuration). */
export function isSpringConfigFile(file: string): boolean {
  return SPRING_CONFIG_FILE.test(path.basename(file)) && !/[\\/]src[\\/]test[\\/]/.test(file);
}

/** Spring's relaxed binding: `signing-key`, `signingKey` and `signing_key` are one key. */
export function springCanonicalKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * `spring:/abs/project` for the properties every profile loads, `spring@dev:/abs/project` for the
 * `dev` profile's file; the project is the folder holding `src/main/resources` (or the folder of
 * the file, for a configuration next to the code or in a `config/` folder).
 */
export function springConfigModule(projectDir: string, profile?: string): string {
  return profile ? `spring@${profile.toLowerCase()}:${projectDir}` : `spring:${projectDir}`;
}

/** The module listing a project's profiles that have a configuration file: name = value = the profile. */
export function springProfilesModule(projectDir: string): string {
  return `spring-profiles:${projectDir}`;
}

/** The module of a project's profile groups: name = a member profile, value = the group that activates it (`spring.profiles.group.production=cloud`). */
export function springGroupsModule(projectDir: string): string {
  return `spring-groups:${projectDir}`;
}

/**
 * The module of the profiles a project activates without being told (name = the profile, value =
 * what activates it: `spring.profiles.active`, `spring.profiles.include` of the default document, or
 * `SPRING_PROFILES_ACTIVE` of the project's `.env`); the symbol's file and line are where that is written.
 */
export function springActiveModule(projectDir: string): string {
  return `spring-active:${projectDir}`;
}

/**
 * The module of the profiles a project's container files activate (name = `<file>#<profile>`, value =
 * how: `SPRING_PROFILES_ACTIVE`, `-Dspring.profiles.active` or `--spring.profiles.active`): the
 * project's Dockerfile (`ENV`, an `ENTRYPOINT`/`CMD`/`JAVA_OPTS` argument) and its compose files
 * (`environment:` of the service built from the project, as a map or a `- KEY=value` list).
 */
export function springLaunchModule(projectDir: string): string {
  return `spring-launch:${projectDir}`;
}

/**
 * The module of the properties a project reads from `SPRING_CONFIG_LOCATION`/`SPRING_CONFIG_ADDITIONAL_LOCATION`
 * of its `.env` (per profile like springConfigModule): they win over the files Spring finds itself.
 */
export function springLocationModule(projectDir: string, profile?: string): string {
  return profile ? `spring-location@${profile.toLowerCase()}:${projectDir}` : `spring-location:${projectDir}`;
}

/** The environment variable Spring binds to a property: dots to underscores, dashes dropped, upper case (`partner.api.signing-key` → `PARTNER_API_SIGNINGKEY`). */
export function springVariable(key: string): string {
  return key.replace(/[-\s]/g, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** The project folder of a configuration file: above `src/main/resources[/config]`, or above a `config/` folder. */
function projectDirOf(file: string): string {
  const dir = path.dirname(file);
  const m = /^(.*?)[\\/]src[\\/]main[\\/]resources(?:[\\/]config)?$/.exec(dir);
  if (m) return m[1];
  return path.basename(dir) === 'config' ? path.dirname(dir) : dir;
}

/**
 * What a property's value means for the lint: a literal, `${JWT_SECRET:changeme}` (a fallback of
 * the variable: what runs when it is missing), or a value the environment decides (`${JWT_SECRET}`,
 * recorded as an empty value with the variable, so that the property counts as set).
 */
function propertyValue(raw: string): Omit<WorkspaceSymbol, 'file' | 'line'> | undefined {
  let s = raw.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$|^'((?:[^']|'')*)'$/.exec(s);
  if (quoted) s = quoted[1] ?? quoted[2].replace(/''/g, "'");
  else if (/^["'|>]/.test(s)) return undefined;
  if (s === '') return undefined;
  const placeholder = /^\$\{([^:}]+)(?::([^}]*))?\}$/.exec(s);
  if (placeholder) return { value: placeholder[2] ?? '', fallbackFor: placeholder[1] };
  if (s.includes('${')) return { value: '', fallbackFor: s };
  return { value: s };
}

/** Records a project's profile file and returns the module its properties go to. */
function moduleFor(table: SymbolTable, file: string, projectDir: string, profile: string | undefined, location = false): string {
  if (profile) table.add(springProfilesModule(projectDir), profile.toLowerCase(), { value: profile.toLowerCase(), file, line: 1 });
  return location ? springLocationModule(projectDir, profile) : springConfigModule(projectDir, profile);
}

/**
 * `spring.profiles.active=local` / `spring.profiles.include=kafka` of a document: in the default
 * document, profiles every deployment runs unless it chooses its own (active) or always (include);
 * `spring.profiles.include` in a profile's document adds its members whenever that profile is active
 * (indexed like a profile group).
 */
function indexActivation(table: SymbolTable, file: string, line: number, projectDir: string, profile: string | undefined, key: string, members: string): void {
  const canonical = springCanonicalKey(key);
  if (canonical !== 'spring.profiles.active' && canonical !== 'spring.profiles.include') return;
  // `${SPRING_PROFILES_ACTIVE:local}`: the default is what runs where the variable is missing.
  const value = /^\$\{[^:}]+:([^}]*)\}$/.exec(members.trim())?.[1] ?? members;
  if (value.includes('${')) return;
  if (profile) {
    if (canonical === 'spring.profiles.include') indexGroup(table, file, line, projectDir, profile, value);
    return;
  }
  for (const m of value.split(',')) {
    const member = m.trim().replace(/^["']|["']$/g, '').toLowerCase();
    if (member) table.add(springActiveModule(projectDir), member, { value: key.replace(/_/g, '-'), file, line });
  }
}

/**
 * A project's `.env` (what `docker compose` and most run scripts load): `SPRING_PROFILES_ACTIVE` is
 * the profiles it runs (winning over `spring.profiles.active` of the files), and
 * `SPRING_CONFIG_LOCATION`/`SPRING_CONFIG_ADDITIONAL_LOCATION` name configuration files or folders of
 * the project, read once and indexed above the files Spring finds itself.
 */
export function indexSpringDotenv(table: SymbolTable, file: string, text: string): void {
  if (path.basename(file).toLowerCase() !== '.env' || !text.includes('SPRING_')) return;
  const projectDir = path.dirname(file);
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(/^[ \t]*(?:export[ \t]+)?(SPRING_PROFILES_ACTIVE|SPRING_CONFIG_(?:ADDITIONAL_)?LOCATION)[ \t]*=[ \t]*["']?([^"'#\n]*?)["']?[ \t]*(?:#[^\n]*)?\r?$/gm)) {
    if (m[1] === 'SPRING_PROFILES_ACTIVE') {
      for (const p of m[2].split(',')) {
        const member = p.trim().toLowerCase();
        if (member) table.add(springActiveModule(projectDir), member, { value: m[1], file, line: lineOf(m.index) });
      }
      continue;
    }
    for (const raw of m[2].split(',')) indexLocation(table, projectDir, raw.trim().replace(/^optional:/, ''));
  }
}

/** Compose files of a project (`docker-compose.yml`, `compose.prod.yaml`, JHipster's `src/main/docker/app.yml`), not those of development or tests. */
const COMPOSE_FILE = /^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/i;
/** Compose files looked for in the folder above a project (a monorepo's services). */
const PARENT_COMPOSE_NAMES = ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml', 'docker-compose.prod.yml', 'docker-compose.production.yml'];
/** Container files named for development, tests or CI: production does not run them. */
const DEV_LAUNCH_FILE = /(^|[.-])(dev|develop|development|local|test|tests|ci|override)([.-]|$)/i;

/**
 * The container files of a Spring project that decide which profiles production runs, read once
 * per table: the project's `Dockerfile`, its compose files and those of `src/main/docker/`, and the
 * compose files of the folder above whose services are built from the project (`build: ./api`).
 * A file without `SPRING_PROFILES_ACTIVE` or `spring.profiles.active` costs a directory listing.
 */
function indexLaunchFiles(table: SymbolTable, projectDir: string): void {
  const seen = importedBy(table);
  const key = `launch:${projectDir}`;
  if (seen.has(key)) return;
  seen.add(key);
  const parent = path.dirname(projectDir);
  const places: [string, boolean][] = [[projectDir, true], [path.join(projectDir, 'src', 'main', 'docker'), true], [parent, false]];
  for (const [dir, own] of places) {
    if (!own && parent === projectDir) continue;
    let names: string[];
    try {
      // The folder above may be large and is not the project's: only the usual compose names are looked for there.
      names = own ? fs.readdirSync(dir).sort() : PARENT_COMPOSE_NAMES.filter((n) => fs.existsSync(path.join(dir, n)));
    } catch {
      continue;
    }
    for (const name of names) {
      if (DEV_LAUNCH_FILE.test(name.replace(/\.ya?ml$/i, ''))) continue;
      const docker = own && dir === projectDir && /^dockerfile$|^dockerfile\.(prod|production|release)$/i.test(name);
      const compose = COMPOSE_FILE.test(name) || (own && dir !== projectDir && /\.ya?ml$/i.test(name));
      if (!docker && !compose) continue;
      const file = path.join(dir, name);
      const text = readImported(file);
      if (text === undefined || !/SPRING_PROFILES_ACTIVE|spring\.profiles\.active/.test(text)) continue;
      const found = docker ? dockerfileProfiles(text) : composeProfiles(text, dir, projectDir, own);
      for (const f of found) {
        for (const p of f.profiles.split(',')) {
          const profile = p.trim().replace(/^["']|["']$/g, '').toLowerCase();
          if (profile && !profile.includes('$')) table.add(springLaunchModule(projectDir), `${file}#${profile}`, { value: f.by, file, line: f.line });
        }
      }
    }
  }
}

/** What a launch file says about profiles: the comma-separated list, how it is passed, the line. */
interface LaunchProfiles {
  readonly profiles: string;
  readonly by: string;
  readonly line: number;
}

/** `-Dspring.profiles.active=prod` / `--spring.profiles.active=prod` in a command line or a JAVA_OPTS value. */
const PROFILE_ARGUMENT = /(-D|--)spring\.profiles\.active=["']?([\w.,-]+)/g;

/** `${VAR:-default}`, `${VAR-default}`, `${VAR}`, `$VAR` given the values known: the default or the known value; undefined when the environment decides. */
function substitute(raw: string, known: ReadonlyMap<string, string>): string | undefined {
  const m = /^\$\{(\w+)(?::?-([^}]*))?\}$|^\$(\w+)$/.exec(raw);
  if (!m) return raw.includes('$') ? undefined : raw;
  return known.get(m[1] ?? m[3]) ?? m[2];
}

/**
 * The final stage of a Dockerfile (and the stages it is built `FROM`): `ENV SPRING_PROFILES_ACTIVE=prod`
 * (or `ENV SPRING_PROFILES_ACTIVE prod`, or an `ARG` default it names), and `-Dspring.profiles.active=…` /
 * `--spring.profiles.active=…` in `ENTRYPOINT`, `CMD` or an `ENV` value (JAVA_OPTS). Continuation lines are joined.
 */
function dockerfileProfiles(text: string): LaunchProfiles[] {
  const lines: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw) && !pending) return;
    const cont = /\\\s*$/.test(raw);
    const part = raw.replace(/\\\s*$/, ' ');
    pending = pending ? { text: pending.text + part, line: pending.line } : { text: part, line: i + 1 };
    if (!cont) {
      lines.push(pending);
      pending = undefined;
    }
  });
  if (pending) lines.push(pending);
  const stages = new Map<string, LaunchProfiles[]>();
  let current: LaunchProfiles[] = [];
  const args = new Map<string, string>();
  for (const l of lines) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(l.text);
    if (from) {
      // A stage built on an earlier one inherits its environment.
      current = [...(stages.get(from[1].toLowerCase()) ?? [])];
      if (from[2]) stages.set(from[2].toLowerCase(), current);
      continue;
    }
    const arg = /^\s*ARG\s+(\w+)=["']?([^"'\s]*)/i.exec(l.text);
    if (arg) args.set(arg[1], arg[2]);
    const env = /^\s*ENV\s+(.*)$/i.exec(l.text);
    if (env) {
      const legacy = /^SPRING_PROFILES_ACTIVE\s+["']?([^"'=\s]+)["']?\s*$/.exec(env[1].trim());
      const pair = /(?:^|\s)SPRING_PROFILES_ACTIVE=("([^"]*)"|'([^']*)'|(\S*))/.exec(env[1]);
      const raw = legacy?.[1] ?? pair?.[2] ?? pair?.[3] ?? pair?.[4];
      const value = raw === undefined ? undefined : substitute(raw, args);
      if (value) current.push({ profiles: value, by: 'SPRING_PROFILES_ACTIVE', line: l.line });
    }
    if (/^\s*(ENV|ENTRYPOINT|CMD)\s/i.test(l.text)) {
      for (const a of l.text.matchAll(PROFILE_ARGUMENT)) current.push({ profiles: a[2], by: `${a[1]}spring.profiles.active`, line: l.line });
    }
  }
  return current;
}

/**
 * The services of a compose file whose environment sets the profiles: `environment:` as a map
 * (`SPRING_PROFILES_ACTIVE: prod`) or a list (`- SPRING_PROFILES_ACTIVE=prod`), `${VAR:-prod}` read
 * as its default, and `--spring.profiles.active` in `command:`/`entrypoint:` or `-D…` in JAVA_OPTS.
 * A compose file of the folder above counts only for services built from the project (`build: ./api`,
 * `build: { context: ./api }`); one of the project's own folders for services built from it or from an image.
 */
function composeProfiles(text: string, dir: string, projectDir: string, own: boolean): LaunchProfiles[] {
  const out: LaunchProfiles[] = [];
  const lineOf = lineCounter(text);
  let services = -1;
  let service: { indent: number; builtHere: boolean | undefined; found: LaunchProfiles[] } | undefined;
  const flush = () => {
    if (service && (service.builtHere ?? own)) out.push(...service.found);
  };
  let buildIndent = -1;
  for (const m of text.matchAll(/^([ \t]*)(-[ \t]+)?([^\n#]*?)[ \t]*(?:#[^\n]*)?\r?$/gm)) {
    const indent = m[1].length;
    const body = m[3];
    if (body === '' && !m[2]) continue;
    if (indent === 0 && !m[2]) {
      flush();
      service = undefined;
      services = /^services:$/.test(body) ? 0 : -1;
      continue;
    }
    if (services === -1) continue;
    const key = /^([\w.-]+):(?:[ \t]+(.*))?$/.exec(body);
    if (!m[2] && key && (services === 0 || indent <= services)) {
      flush();
      services = indent;
      service = { indent, builtHere: undefined, found: [] };
      continue;
    }
    if (!service) continue;
    if (!m[2] && key?.[1] === 'build') {
      buildIndent = indent;
      if (key[2]) service.builtHere = path.resolve(dir, key[2].replace(/^["']|["']$/g, '')) === projectDir;
      continue;
    }
    if (!m[2] && key?.[1] === 'context' && buildIndent !== -1 && indent > buildIndent && key[2]) {
      service.builtHere = path.resolve(dir, key[2].replace(/^["']|["']$/g, '')) === projectDir;
      continue;
    }
    if (!m[2] && key && indent <= buildIndent) buildIndent = -1;
    const line = lineOf(m.index);
    const item = m[2] ? /^["']?SPRING_PROFILES_ACTIVE=([^"'\n]*)["']?$/.exec(body) : /^["']?SPRING_PROFILES_ACTIVE["']?:[ \t]*["']?([^"'\n]*?)["']?$/.exec(body);
    if (item) {
      const value = substitute(item[1].trim(), new Map());
      if (value) service.found.push({ profiles: value, by: 'SPRING_PROFILES_ACTIVE', line });
    }
    for (const a of body.matchAll(PROFILE_ARGUMENT)) service.found.push({ profiles: a[2], by: `${a[1]}spring.profiles.active`, line });
  }
  flush();
  return out;
}

/** A `spring.config.location` entry of the project: a properties/YAML file, or a folder (`file:./deploy/`) whose application*.properties/yml are read with their profiles. */
function indexLocation(table: SymbolTable, projectDir: string, location: string): void {
  if (!location || /^(configtree|https?):|[*]/.test(location)) return;
  const classpath = /^classpath\*?:\/?(.*)$/.exec(location);
  const target = classpath ? path.join(projectDir, 'src', 'main', 'resources', classpath[1]) : path.resolve(projectDir, location.replace(/^file:/, ''));
  const rel = path.relative(projectDir, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return;
  let files: string[];
  try {
    files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).filter((f) => SPRING_CONFIG_FILE.test(f)).sort().map((f) => path.join(target, f)) : [target];
  } catch {
    return;
  }
  const seen = importedBy(table);
  for (const f of files) {
    const format = /\.properties$/i.test(f) ? 'properties' : /\.ya?ml$/i.test(f) ? 'yaml' : undefined;
    const key = `${f}@location:${projectDir}`;
    if (!format || seen.has(key)) continue;
    seen.add(key);
    const text = readImported(f);
    if (text === undefined) continue;
    indexConfigText(table, f, text, projectDir, SPRING_CONFIG_FILE.exec(path.basename(f))?.[1], format, true);
  }
}

/** Indexes one Spring Boot configuration file (see isSpringConfigFile); other files add nothing. */
export function indexSpringConfig(table: SymbolTable, file: string, text: string): void {
  if (!isSpringConfigFile(file)) return;
  const m = SPRING_CONFIG_FILE.exec(path.basename(file))!;
  const projectDir = projectDirOf(file);
  importedBy(table).add(path.resolve(file));
  indexLaunchFiles(table, projectDir);
  indexConfigText(table, file, text, projectDir, m[1], /^prop/i.test(m[2]) ? 'properties' : 'yaml');
}

function indexConfigText(table: SymbolTable, file: string, text: string, projectDir: string, fileProfile: string | undefined, format: 'properties' | 'yaml', location = false): void {
  if (format === 'properties') indexProperties(table, file, text, projectDir, fileProfile, location);
  else indexYaml(table, file, text, projectDir, fileProfile, location);
}

/** Configuration files already read for a table (by the scan or an import): each once. */
const readFor = new WeakMap<SymbolTable, Set<string>>();

function importedBy(table: SymbolTable): Set<string> {
  let seen = readFor.get(table);
  if (!seen) {
    seen = new Set();
    readFor.set(table, seen);
  }
  return seen;
}

/**
 * `spring.config.import=optional:classpath:config/signing.yml,file:./secrets.properties`: reads each
 * properties/YAML file of the workspace it names and indexes its properties as the importing
 * document's (its profile, if any). `classpath:` is the project's `src/main/resources`, `file:` and
 * a bare path the folder of the importing file; a folder, a `configtree:` or a missing file is skipped.
 */
function indexImports(table: SymbolTable, file: string, value: string, projectDir: string, profile: string | undefined): void {
  for (const raw of value.split(',')) {
    const location = raw.trim().replace(/^["']|["']$/g, '').replace(/^optional:/, '');
    const format = /\.properties$/i.test(location) ? 'properties' : /\.ya?ml$/i.test(location) ? 'yaml' : undefined;
    if (!format || /^(configtree|https?):|[*]/.test(location)) continue;
    const classpath = /^classpath\*?:\/?(.*)$/.exec(location);
    const target = classpath ? path.join(projectDir, 'src', 'main', 'resources', classpath[1]) : path.resolve(path.dirname(file), location.replace(/^file:/, ''));
    // Only the project's own files: an import of /etc/… or ../other is not the workspace's to read.
    if (path.relative(projectDir, target).startsWith('..') || path.isAbsolute(path.relative(projectDir, target))) continue;
    const seen = importedBy(table);
    if (seen.has(target)) continue;
    seen.add(target);
    const text = readImported(target);
    if (text === undefined) continue;
    indexConfigText(table, target, text, projectDir, profile, format);
  }
}

/** An imported configuration file larger than this is not read (the scan's own limit is not known here). */
const MAX_IMPORTED_BYTES = 1024 * 1024;

/** A configuration file another one names (an import, a location), read once; undefined when missing, unreadable or over MAX_IMPORTED_BYTES. */
function readImported(file: string): string | undefined {
  try {
    return fs.statSync(file).size > MAX_IMPORTED_BYTES ? undefined : fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `spring.profiles.group.production=cloud,postgres`: each member profile with the group that activates it. */
function indexGroup(table: SymbolTable, file: string, line: number, projectDir: string, group: string, members: string): void {
  for (const m of members.split(',')) {
    const member = m.trim().replace(/^["']|["']$/g, '').toLowerCase();
    if (member) table.add(springGroupsModule(projectDir), member, { value: group.toLowerCase(), file, line });
  }
}

/** `key=value`, `key: value`; `#---` starts another document, which `spring.config.activate.on-profile` assigns to a profile. */
function indexProperties(table: SymbolTable, file: string, text: string, projectDir: string, fileProfile: string | undefined, location = false): void {
  const lineOf = lineCounter(text);
  for (const [index, doc] of documents(text, /^#---[ \t]*$/m)) {
    // A profile name or a profile expression (`!dev`, `prod & cloud`), read as written (springBinding evaluates it).
    const activation = /^[ \t]*spring\.(?:config\.activate\.on-profile|profiles)[ \t]*[=:][ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?\r?$/m.exec(doc)?.[1];
    const profile = fileProfile ?? (activation ? profileText(activation) : undefined);
    const module = moduleFor(table, file, projectDir, profile, location);
    const own: { key: string; value: Omit<WorkspaceSymbol, 'file' | 'line'>; line: number }[] = [];
    for (const p of doc.matchAll(/^[ \t]*([\w.[\]-]+)[ \t]*[=:][ \t]*([^\n]*?)[ \t]*$/gm)) {
      if (p[2].endsWith('\\')) continue;
      const canonical = springCanonicalKey(p[1]);
      const line = lineOf(index + p.index);
      // Imported files win over the file that imports them (the table keeps the first definition).
      if (canonical === 'spring.config.import') indexImports(table, file, p[2], projectDir, profile);
      const group = /^spring\.profiles\.group\.([\w-]+)$/i.exec(p[1]);
      if (group) indexGroup(table, file, line, projectDir, group[1], p[2]);
      indexActivation(table, file, line, projectDir, profile, p[1], p[2]);
      const v = propertyValue(p[2]);
      if (v) own.push({ key: canonical, value: v, line });
    }
    for (const o of own) table.add(module, o.key, { ...o.value, file, line: o.line });
  }
}

/** A YAML key line: indent, key, and the rest of the line after `:`. */
const YAML_KEY = /^([ \t]*)([^\s#:-][^:#\n]*?|"[^"\n]+"|'[^'\n]+')[ \t]*:(?:[ \t]+([^\n]*?))?[ \t]*$/gm;
/** The lines of a YAML list (and blank lines) from where it is run (sticky). */
const LIST_ITEMS = /(?:[ \t]*(?:-[ \t]+[^\n]*)?\n)*/y;
/** `|`, `>-`, `|2+`: a block scalar's header. */
const BLOCK_SCALAR = /^[|>](?:[1-9][+-]?|[+-][1-9]?)?$/;

/** A YAML property as the indexer reads it: the flattened key, its raw value (or a block scalar's text), where it is. */
interface YamlEntry {
  readonly key: string;
  readonly raw: string;
  readonly at: number;
  /** The text of a block scalar (`raw` is then its header). */
  readonly block?: string;
}

/**
 * Nested keys flattened (`jwt:\n  secret: x` is `jwt.secret`); `---` starts another document.
 * `&name` anchors a scalar or a mapping, `*name` repeats it, `<<: *name` merges an anchored
 * mapping under the keys the mapping does not set itself; `|`/`>` block scalars are read whole.
 */
function indexYaml(table: SymbolTable, file: string, text: string, projectDir: string, fileProfile: string | undefined, location = false): void {
  for (const [index, doc] of documents(text, /^---[ \t]*$/m)) {
    const entries: YamlEntry[] = [];
    const stack: { indent: number; key: string }[] = [];
    const scalars = new Map<string, YamlEntry>();
    const mappings = new Map<string, string>();
    const merges: { into: string; from: string }[] = [];
    const lists = new Map<string, { raw: string; at: number }>();
    let skipUntil = -1;
    for (const l of doc.matchAll(YAML_KEY)) {
      if (l.index < skipUntil) continue;
      const indent = l[1].length;
      while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
      const key = l[2].replace(/^["']|["']$/g, '');
      const parent = stack.map((s) => s.key).join('.');
      const full = parent ? `${parent}.${key}` : key;
      let raw = (l[3] ?? '').replace(/[ \t]+#.*$/, '');
      const anchor = /^&([^\s,[\]{}]+)(?:[ \t]+|$)/.exec(raw);
      if (anchor) raw = raw.slice(anchor[0].length);
      const alias = /^\*([^\s,[\]{}]+)$/.exec(raw);
      if (key === '<<' && alias) {
        merges.push({ into: parent, from: alias[1] });
        continue;
      }
      if (raw === '') {
        if (anchor) mappings.set(anchor[1], full);
        stack.push({ indent, key });
        // A list under spring.config.import, a profile group or the active/included profiles: the names, comma-separated.
        if (/^spring\.(config\.import|config\.activate\.on-profile|profiles(\.(group\.[\w-]+|active|include))?)$/i.test(full)) {
          LIST_ITEMS.lastIndex = l.index + l[0].length + 1;
          const list = LIST_ITEMS.exec(doc)?.[0] ?? '';
          const items = [...list.matchAll(/^([ \t]*)-[ \t]+([^\n#]*?)[ \t]*(?:#.*)?$/gm)].filter((i) => i[1].length > indent).map((i) => i[2]);
          if (items.length > 0) lists.set(full, { raw: items.join(','), at: index + l.index });
        }
        continue;
      }
      if (alias) {
        const scalar = scalars.get(alias[1]);
        if (scalar) entries.push({ ...scalar, key: full });
        else merges.push({ into: full, from: alias[1] });
        continue;
      }
      let entry: YamlEntry = { key: full, raw, at: index + l.index };
      if (BLOCK_SCALAR.test(raw)) {
        const body = blockScalar(doc, l.index + l[0].length + 1, indent, raw);
        skipUntil = body.end;
        entry = { ...entry, block: body.text };
      }
      if (anchor) scalars.set(anchor[1], entry);
      entries.push(entry);
    }
    // Merged keys: what the mapping sets itself wins over what it merges.
    const own = new Set(entries.map((e) => e.key));
    // Bounded: each anchored mapping's entries are gathered once, and a document gains at most MAX_MERGED entries.
    const written = entries.slice();
    const under = new Map<string, YamlEntry[]>();
    let merged = 0;
    for (const m of merges) {
      if (merged >= MAX_MERGED) break;
      const from = mappings.get(m.from);
      if (from === undefined) continue;
      let source = under.get(from);
      if (!source) {
        source = written.filter((x) => x.key.startsWith(`${from}.`));
        under.set(from, source);
      }
      for (const e of source) {
        const key = `${m.into ? `${m.into}.` : ''}${e.key.slice(from.length + 1)}`;
        // Named where the literal is written (the anchored mapping), which is what a fix changes.
        if (own.has(key)) continue;
        own.add(key);
        entries.push({ ...e, key });
        merged++;
      }
    }
    // `on-profile: prod` or a block list (`- prod` / `- cloud`: any of them).
    const activation = entries.find((e) => /^spring\.(config\.activate\.onprofile|profiles)$/.test(springCanonicalKey(e.key)))
      ?? [...lists].map(([key, l]) => ({ key, raw: l.raw })).find((e) => /^spring\.(config\.activate\.onprofile|profiles)$/.test(springCanonicalKey(e.key)));
    const profile = fileProfile ?? (activation ? profileText(activation.raw) : undefined);
    const module = moduleFor(table, file, projectDir, profile || undefined, location);
    const listed = [...lists].map(([key, { raw, at }]): YamlEntry => ({ key, raw, at }));
    // Imported files win over the file that imports them (the table keeps the first definition).
    for (const e of [...entries, ...listed]) {
      // Only spring.* keys, a few per document: each counts its line from the top.
      if (!/^spring\./i.test(e.key)) continue;
      if (springCanonicalKey(e.key) === 'spring.config.import') indexImports(table, file, e.raw, projectDir, profile || undefined);
      const group = /^spring\.profiles\.group\.([\w-]+)$/i.exec(e.key);
      if (group) indexGroup(table, file, lineCounter(text)(e.at), projectDir, group[1], e.raw);
      indexActivation(table, file, lineCounter(text)(e.at), projectDir, profile || undefined, e.key, e.raw.replace(/^\[|\]$/g, ''));
    }
    const lineAt = lineCounter(text);
    for (const e of entries.slice().sort((a, b) => a.at - b.at)) {
      const v = e.block !== undefined ? (e.block.includes('${') ? undefined : { value: e.block }) : propertyValue(e.raw);
      if (v) table.add(module, springCanonicalKey(e.key), { ...v, file, line: lineAt(e.at) });
    }
  }
}

/** The profile (or profile expression) of a document as the table keys it: unquoted, a YAML flow list as a comma list, spaces around operators kept single. */
function profileText(raw: string): string {
  return raw.trim().replace(/^\[(.*)\]$/, '$1').split(',').map((p) => p.trim().replace(/^["']|["']$/g, '').replace(/\s+/g, ' ')).filter(Boolean).join(',');
}

/** Keys a document may gain from merge keys and mapping aliases: far more than a real file holds, bounded for one that is not. */
const MAX_MERGED = 4096;

/**
 * The text of a block scalar whose header ends at `start` (the key at `indent`): the lines indented
 * deeper, less the first line's indentation; `|` keeps line breaks, `>` folds them into spaces.
 * Trailing line breaks are dropped (the key material is the text). `end`: where the next key may start.
 */
function blockScalar(doc: string, start: number, indent: number, header: string): { text: string; end: number } {
  const lines: string[] = [];
  let at = start;
  let body = -1;
  while (at < doc.length) {
    const nl = doc.indexOf('\n', at);
    const line = doc.slice(at, nl === -1 ? doc.length : nl);
    const lead = /^[ \t]*/.exec(line)![0].length;
    if (line.trim() !== '') {
      if (lead <= indent) break;
      if (body === -1) body = lead;
    }
    lines.push(line);
    at = nl === -1 ? doc.length : nl + 1;
  }
  const content = lines.map((l) => l.slice(Math.min(body === -1 ? 0 : body, /^[ \t]*/.exec(l)![0].length)));
  const text = (header.startsWith('>') ? content.join(' ').replace(/ {2,}/g, ' ') : content.join('\n')).replace(/\s+$/, '');
  return { text, end: at };
}

/** The documents of a file with their offsets, split at lines matching `separator`. */
function documents(text: string, separator: RegExp): [number, string][] {
  const out: [number, string][] = [];
  const re = new RegExp(separator.source, 'gm');
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push([start, text.slice(start, m.index)]);
    start = m.index + m[0].length;
  }
  out.push([start, text.slice(start)]);
  return out;
}

/** Profiles by how a deployment uses them: development and test profiles last (production does not activate them). */
export function isDevelopmentProfile(profile: string): boolean {
  return /^(dev|develop|development|local|test|tests|testing|it|h2|demo|sandbox)([-_.]|$)/i.test(profile);
}

/** Profiles that read as production (or its rehearsal). */
export function isProductionProfile(profile: string): boolean {
  return /^(prod|production|live|release|staging|stage|preprod|uat)([-_.]|$)/i.test(profile);
}
