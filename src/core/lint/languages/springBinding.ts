import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import type { AnalysisContext } from '../analysis';
import type { WorkspaceSymbol } from '../symbols/symbolTable';
import { isDevelopmentProfile, isProductionProfile, springActiveModule, springCanonicalKey, springConfigModule, springGroupsModule, springLocationModule, springProfilesModule, springVariable } from '../symbols/springIndexer';
import type { ResolvedValue } from './resolvedValue';

/*
 * Spring Boot properties behind Java code: `@Value("${jwt.secret}")`, a getter of a
 * `@ConfigurationProperties(prefix = "jwt")` class, `environment.getProperty("jwt.secret")`, read
 * in the `application*.properties`/`.yml` files the last scan indexed (symbols/springIndexer.ts).
 */

/** Where a property's value was found: the key as written in the code, and the profile whose file sets it (none: every profile loads it). */
export interface SpringSource {
  readonly key: string;
  readonly profile?: string;
  /** The profile group that activates `profile` (`spring.profiles.group.production=cloud`), when the profile's own name says nothing. */
  readonly group?: string;
  /**
   * What activates `profile` in every deployment that does not choose its own profiles:
   * `spring.profiles.active=local` of the default file (`application.properties:3`), `spring.profiles.include`,
   * or `SPRING_PROFILES_ACTIVE` of the project's `.env`.
   */
  readonly activation?: { readonly by: string; readonly profile: string; readonly at: string };
}

/** A table symbol read from a Spring configuration file. */
export type SpringSymbol = WorkspaceSymbol & { readonly spring: SpringSource };

/** The Spring source of a resolved constant, when it came from a configuration file. */
export function springSourceOf(symbol: WorkspaceSymbol): SpringSource | undefined {
  return (symbol as Partial<SpringSymbol>).spring;
}

/** How many folders above the Java file the project (the folder of src/main/resources) may be. */
const MAX_DEPTH = 16;

/** The project folder of the linted file whose configuration the table holds, memoized per file. */
function projectOf(ctx: AnalysisContext): string | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  return ctx.memo('spring.project', () => {
    let dir = path.dirname(ws.filePath);
    for (let up = 0; up < MAX_DEPTH; up++) {
      const holds = (module: string) => !ws.table.namesOf(module)[Symbol.iterator]().next().done;
      if (holds(springConfigModule(dir)) || holds(springProfilesModule(dir)) || holds(springActiveModule(dir)) || holds(springLocationModule(dir))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return '';
  }) || undefined;
}

/** Production-like profiles first, development and test profiles last: the order a finding names them in. */
function profilesOf(ctx: AnalysisContext, project: string): string[] {
  const all = [...ctx.workspace!.table.namesOf(springProfilesModule(project))].map(([p]) => p);
  const rank = (p: string) => {
    const as = rankedAs(p, groupOf(ctx, project, p));
    return isProductionProfile(as) ? 0 : isDevelopmentProfile(as) ? 2 : 1;
  };
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The group that activates a profile (`spring.profiles.group.production=cloud,postgres`), if the project declares one. */
function groupOf(ctx: AnalysisContext, project: string, profile: string): string | undefined {
  const v = ctx.workspace!.table.lookup(springGroupsModule(project), profile)?.value;
  return typeof v === 'string' && v !== profile ? v : undefined;
}

/** The name that says how a deployment uses a profile: its own when it says so (`prod`, `dev`), else its group's. */
function rankedAs(profile: string, group: string | undefined): string {
  return group && !isProductionProfile(profile) && !isDevelopmentProfile(profile) ? group : profile;
}

/**
 * The value of a Spring property for code at `at`: the default configuration file first (every
 * profile loads it), then the profile files. `env` when a file sets it from a placeholder without
 * a default (`${JWT_SECRET}`); undefined when no file of the project sets it.
 */
export function springPropertyValue(ctx: AnalysisContext, key: string, at: Node): ResolvedValue | undefined {
  const project = projectOf(ctx);
  if (!project) return undefined;
  const table = ctx.workspace!.table;
  const canonical = springCanonicalKey(key);
  const active = activeProfiles(ctx, project);
  // Profiles a deployment runs without choosing its own override the default file (the last activated wins).
  const order = [...active.map((a) => a.profile).reverse(), undefined, ...profilesOf(ctx, project).filter((p) => !active.some((a) => a.profile === p))];
  for (const profile of order) {
    const symbol = table.lookup(springLocationModule(project, profile), canonical) ?? table.lookup(springConfigModule(project, profile), canonical);
    if (!symbol) continue;
    if (symbol.value === '') return { k: 'env', text: `\${${key}}` };
    const group = profile ? groupOf(ctx, project, profile) : undefined;
    const activation = profile ? active.find((a) => a.profile === profile) : undefined;
    const spring: SpringSymbol = { ...symbol, spring: { key, ...(profile ? { profile } : {}), ...(group ? { group } : {}), ...(activation ? { activation: activation.activation } : {}) } };
    return { k: 'external', symbol: spring, node: at };
  }
  return undefined;
}

/**
 * The profiles a project runs when the deployment does not choose them, in the order they are
 * activated: `SPRING_PROFILES_ACTIVE` of its `.env` (else `spring.profiles.active` of the default
 * file), then `spring.profiles.include`, then the members of an active profile's group.
 */
function activeProfiles(ctx: AnalysisContext, project: string): { profile: string; activation: NonNullable<SpringSource['activation']> }[] {
  return ctx.memo('spring.active', () => {
    const table = ctx.workspace!.table;
    const listed = [...table.namesOf(springActiveModule(project))];
    const fromEnv = listed.some(([, s]) => s.value === 'SPRING_PROFILES_ACTIVE');
    const out: { profile: string; activation: NonNullable<SpringSource['activation']> }[] = [];
    const rank = (by: unknown) => (by === 'spring.profiles.include' ? 1 : 0);
    for (const [profile, s] of listed.sort((a, b) => rank(a[1].value) - rank(b[1].value))) {
      if (fromEnv && s.value === 'spring.profiles.active') continue;
      out.push({ profile, activation: { by: String(s.value), profile, at: `${path.basename(s.file)}:${s.line}` } });
    }
    for (const [member, g] of table.namesOf(springGroupsModule(project))) {
      const group = out.find((a) => a.profile === String(g.value));
      if (group && !out.some((a) => a.profile === member)) out.push({ profile: member, activation: group.activation });
    }
    return out;
  });
}

/** `getSigningKey` → `signing-key`, `isEnabled` → `enabled`; a record accessor (`secret`) is its component. Kebab case, as Spring writes property names. */
export function propertyOfAccessor(method: string): string {
  const m = /^(?:get|is)([A-Z][\w$]*)$/.exec(method);
  const name = m ? m[1].charAt(0).toLowerCase() + m[1].slice(1) : method;
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}


/**
 * The declared type of a field the code at `at` reads as a receiver (`jwtConfig` in
 * `jwtConfig.getSecret()`, `this.keys`): the field (or record component) of that name of the
 * innermost enclosing class that declares one, not the first declaration of the name in the file
 * (a local of another method, a parameter, or a field of a nested class would be another object).
 */
export function declaredTypeOf(ctx: AnalysisContext, name: string, at: Node): string | undefined {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  ctx.lookups.add(name);
  for (let n: Node | null = at.parent; n; n = n.parent) {
    if (n.type === 'class_body' || n.type === 'interface_body' || n.type === 'enum_body') {
      for (const f of n.namedChildren) {
        if (f?.type !== 'field_declaration' && f?.type !== 'constant_declaration') continue;
        if (!f.namedChildren.some((d) => d?.type === 'variable_declarator' && ctx.src(d.childForFieldName('name')!) === name)) continue;
        const type = f.childForFieldName('type');
        if (!type) return undefined;
        // An edit of the declaration changes the type.
        ctx.touch(f.startIndex, f.endIndex);
        return ctx.src(type).replace(/\s+/g, '').replace(/<.*$/, '');
      }
    }
    if (n.type === 'record_declaration') {
      const params = n.childForFieldName('parameters');
      for (const p of params?.namedChildren ?? []) {
        if (p && ctx.src(p.childForFieldName('name') ?? p) === name) {
          ctx.touch(p.startIndex, p.endIndex);
          return ctx.src(p.childForFieldName('type') ?? p).replace(/\s+/g, '').replace(/<.*$/, '');
        }
      }
    }
  }
  return undefined;
}

/** The message and severity of a signing key that a Spring configuration file sets, reported where the code reads it. */
export function springSecretFinding(what: string, source: SpringSource, where: string, symbol: WorkspaceSymbol): { severity?: 'info' | 'warning'; message: string } {
  const variable = symbol.fallbackFor ?? springVariable(source.key);
  const profile = source.profile;
  // `cloud` says nothing of where it runs; `spring.profiles.group.production=cloud` does.
  const as = profile ? rankedAs(profile, source.group) : '';
  const activatedBy = source.activation ? `, which ${source.activation.at} ${source.activation.by === 'spring.profiles.include' ? 'includes in every deployment' : 'activates by default'}` : '';
  const active = profile && as !== profile ? `the ${profile} profile (which the ${as} group activates)${activatedBy}` : `the ${profile} profile${activatedBy}`;
  if (symbol.fallbackFor !== undefined) {
    return {
      ...(isDevelopmentProfile(as) && !source.activation ? { severity: 'info' as const } : {}),
      message: `${what} is property ${source.key}, which ${where} sets to \${${symbol.fallbackFor}:…}: wherever ${symbol.fallbackFor} is missing (a production host or container without it), the default written there is the key${profile ? ` in ${active}` : ''}, and anyone with the repository can forge tokens. Remove the default (\${${symbol.fallbackFor}}) so that the application fails to start without the variable.`,
    };
  }
  if (profile && source.activation) {
    const a = source.activation;
    const how = a.by === 'spring.profiles.include'
      ? `${a.at} includes the ${a.profile} profile in every deployment (spring.profiles.include)`
      : `${a.at} activates the ${a.profile} profile by default (${a.by === 'SPRING_PROFILES_ACTIVE' ? 'SPRING_PROFILES_ACTIVE' : 'spring.profiles.active'}=${a.profile})${a.profile !== profile ? `, which activates ${profile}` : ''}, so every deployment that does not set SPRING_PROFILES_ACTIVE itself runs it`;
    return { message: `${what} is property ${source.key}, which ${where} sets to a literal committed with the code, and ${how}: tokens are signed with that key, and anyone with the repository can forge them. Write \${${variable}} there and provide the key through the environment or a secret store${a.by === 'spring.profiles.include' ? '' : `, or stop activating ${a.profile} by default`}.` };
  }
  if (!profile) {
    return { message: `${what} is property ${source.key}, which ${where} sets to a literal committed with the code: every profile without an override (the variable ${variable}, a secret store) signs with it, and anyone with the repository can forge tokens. Write \${${variable}} there and provide the key per environment.` };
  }
  if (isDevelopmentProfile(as)) {
    return {
      severity: 'info',
      message: `${what} is property ${source.key}, which only ${where} sets to a literal: ${active} signs with a key committed with the code. Production does not activate that profile; make sure it provides its own key (the variable ${variable}, a secret store) and never reuses this one.`,
    };
  }
  return {
    ...(isProductionProfile(as) ? {} : { severity: 'warning' as const }),
    message: `${what} is property ${source.key}, which ${where} sets to a literal committed with the code: wherever ${active} is active, tokens are signed with it, and anyone with the repository can forge them. Write \${${variable}} there and provide the key through the environment or a secret store.`,
  };
}
