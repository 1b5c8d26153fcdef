import * as path from 'node:path';
import type { SymbolTable, WorkspaceSymbol } from './symbolTable';
import { lineCounter } from './indexText';

/*
 * Spring Boot configuration files as the symbol table holds them: `application.properties`,
 * `application.yml` and their profile files (`application-dev.yml`), each property by its
 * canonical key (Spring's relaxed binding: `jwt.signing-key`, `jwt.signingKey` and
 * `jwt.signing_key` are one key), so that `@Value("${jwt.secret}")`, a
 * `@ConfigurationProperties(prefix = "jwt")` getter or `environment.getProperty("jwt.secret")`
 * in a Java file finds the literal behind it. A text pass like the other indexers: a value that
 * spans lines (a YAML block scalar, a properties continuation) is not indexed.
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
function moduleFor(table: SymbolTable, file: string, projectDir: string, profile: string | undefined): string {
  if (profile) table.add(springProfilesModule(projectDir), profile.toLowerCase(), { value: profile.toLowerCase(), file, line: 1 });
  return springConfigModule(projectDir, profile);
}

/** Indexes one Spring Boot configuration file (see isSpringConfigFile); other files add nothing. */
export function indexSpringConfig(table: SymbolTable, file: string, text: string): void {
  if (!isSpringConfigFile(file)) return;
  const m = SPRING_CONFIG_FILE.exec(path.basename(file))!;
  const projectDir = projectDirOf(file);
  const fileProfile = m[1];
  if (/^prop/i.test(m[2])) indexProperties(table, file, text, projectDir, fileProfile);
  else indexYaml(table, file, text, projectDir, fileProfile);
}

/** `key=value`, `key: value`; `#---` starts another document, which `spring.config.activate.on-profile` assigns to a profile. */
function indexProperties(table: SymbolTable, file: string, text: string, projectDir: string, fileProfile: string | undefined): void {
  const lineOf = lineCounter(text);
  for (const [index, doc] of documents(text, /^#---[ \t]*$/m)) {
    const profile = fileProfile ?? /^[ \t]*spring\.(?:config\.activate\.on-profile|profiles)[ \t]*[=:][ \t]*([\w-]+)[ \t]*$/m.exec(doc)?.[1];
    const module = moduleFor(table, file, projectDir, profile);
    for (const p of doc.matchAll(/^[ \t]*([\w.[\]-]+)[ \t]*[=:][ \t]*([^\n]*?)[ \t]*$/gm)) {
      if (p[2].endsWith('\\')) continue;
      const v = propertyValue(p[2]);
      if (v) table.add(module, springCanonicalKey(p[1]), { ...v, file, line: lineOf(index + p.index) });
    }
  }
}

/** Nested keys flattened (`jwt:\n  secret: x` is `jwt.secret`); `---` starts another document. */
function indexYaml(table: SymbolTable, file: string, text: string, projectDir: string, fileProfile: string | undefined): void {
  const lineOf = lineCounter(text);
  for (const [index, doc] of documents(text, /^---[ \t]*$/m)) {
    const entries: { key: string; raw: string; at: number }[] = [];
    const stack: { indent: number; key: string }[] = [];
    for (const l of doc.matchAll(/^([ \t]*)([^\s#:-][^:#\n]*?|"[^"\n]+"|'[^'\n]+')[ \t]*:(?:[ \t]+([^\n]*?))?[ \t]*$/gm)) {
      const indent = l[1].length;
      while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
      const key = l[2].replace(/^["']|["']$/g, '');
      const raw = (l[3] ?? '').replace(/[ \t]+#.*$/, '');
      if (raw === '') {
        stack.push({ indent, key });
        continue;
      }
      entries.push({ key: [...stack.map((s) => s.key), key].join('.'), raw, at: index + l.index });
    }
    const activation = entries.find((e) => /^spring\.(config\.activate\.onprofile|profiles)$/.test(springCanonicalKey(e.key)));
    const profile = fileProfile ?? activation?.raw.replace(/^["']|["']$/g, '').trim();
    const module = moduleFor(table, file, projectDir, profile || undefined);
    for (const e of entries) {
      const v = propertyValue(e.raw);
      if (v) table.add(module, springCanonicalKey(e.key), { ...v, file, line: lineOf(e.at) });
    }
  }
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
