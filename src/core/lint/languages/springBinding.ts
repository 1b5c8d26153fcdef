import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import type { AnalysisContext } from '../analysis';
import type { WorkspaceSymbol } from '../symbols/symbolTable';
import { isDevelopmentProfile, isProductionProfile, springActiveModule, springCanonicalKey, springConfigModule, springGroupsModule, springLaunchModule, springLocationModule, springProfilesModule, springVariable } from '../symbols/springIndexer';
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
  readonly activation?: { readonly by: string; readonly profile: string; readonly at: string; readonly launch?: true };
  /**
   * Set when `profile` is a profile expression (`!dev`, `prod & cloud`): whether it holds for the
   * profiles the project runs without choosing its own (`activation` says who activates them; none:
   * a deployment that activates no profile, where Spring's `default` profile is active).
   */
  readonly expression?: { readonly holds: boolean; readonly active: readonly string[] };
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
      if (holds(springConfigModule(dir)) || holds(springProfilesModule(dir)) || holds(springActiveModule(dir)) || holds(springLocationModule(dir)) || holds(springLaunchModule(dir))) return dir;
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
    const leaning = expressionLeaning(p);
    if (leaning) return leaning === 'production' ? 0 : leaning === 'development' ? 2 : 1;
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

/** A parsed profile expression: a name, `!x`, `a & b`, `a | b`. */
type ProfileTerm = { name: string } | { not: ProfileTerm } | { and: ProfileTerm[] } | { or: ProfileTerm[] };

/**
 * A Spring profile expression (`!dev`, `prod & cloud`, `prod | staging`, `(eu | us) & !dev`; a comma
 * list holds when any of its members does), as Spring's `Profiles.of` evaluates it, as a predicate on
 * the active profiles. Undefined for a plain profile name, and for text that is no expression.
 */
export function profileExpression(text: string): ((active: ReadonlySet<string>) => boolean) | undefined {
  if (!/[!&|(),]/.test(text)) return undefined;
  const tokens = text.toLowerCase().match(/[\w.-]+|[!&|(),]/g) ?? [];
  let at = 0;
  const term = (): ProfileTerm | undefined => {
    const t = tokens[at++];
    if (t === '!') {
      const inner = term();
      return inner && { not: inner };
    }
    if (t === '(') {
      const inner = expr();
      return tokens[at++] === ')' ? inner : undefined;
    }
    return t && /^[\w.-]+$/.test(t) ? { name: t } : undefined;
  };
  // & binds before | (Spring rejects mixing them without parentheses; this reads such text the usual way).
  const conj = (): ProfileTerm | undefined => {
    const parts = [term()];
    while (tokens[at] === '&') {
      at++;
      parts.push(term());
    }
    return parts.every(Boolean) ? (parts.length === 1 ? parts[0] : { and: parts as ProfileTerm[] }) : undefined;
  };
  const expr = (): ProfileTerm | undefined => {
    const parts = [conj()];
    while (tokens[at] === '|' || tokens[at] === ',') {
      at++;
      parts.push(conj());
    }
    return parts.every(Boolean) ? (parts.length === 1 ? parts[0] : { or: parts as ProfileTerm[] }) : undefined;
  };
  const parsed = expr();
  if (!parsed || at !== tokens.length) return undefined;
  const evaluate = (t: ProfileTerm, active: ReadonlySet<string>): boolean =>
    'name' in t ? active.has(t.name) : 'not' in t ? !evaluate(t.not, active) : 'and' in t ? t.and.every((x) => evaluate(x, active)) : t.or.some((x) => evaluate(x, active));
  return (active) => evaluate(parsed, active);
}

/**
 * How a deployment uses the documents of a profile expression: `production` when it holds for the
 * expression's profiles that are not development ones and either names a production profile or holds
 * with none active (`!dev`, `prod & cloud`, `prod | staging`), `development` when it only holds with a
 * development profile (`local | test`, `!prod`), `other` else; undefined for a plain profile name.
 */
function expressionLeaning(text: string): 'production' | 'development' | 'other' | undefined {
  const holds = profileExpression(text);
  if (!holds) return undefined;
  const names = text.toLowerCase().match(/[\w.-]+/g) ?? [];
  const deployed = names.filter((n) => !isDevelopmentProfile(n));
  if (holds(new Set(deployed)) && (deployed.some(isProductionProfile) || holds(new Set(['default'])))) return 'production';
  if (holds(new Set(deployed))) return 'other';
  return holds(new Set(names.filter(isDevelopmentProfile))) ? 'development' : 'other';
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
  const activeNames = active.map((a) => a.profile);
  const others = profilesOf(ctx, project).filter((p) => !activeNames.includes(p));
  // A document for a profile expression that holds for them loads like an active profile's (`!dev` in production).
  const holding = others.filter((p) => profileExpression(p)?.(new Set(activeNames.length ? activeNames : ['default'])));
  const order = [...holding, ...activeNames.slice().reverse(), undefined, ...others.filter((p) => !holding.includes(p))];
  for (const profile of order) {
    const symbol = table.lookup(springLocationModule(project, profile), canonical) ?? table.lookup(springConfigModule(project, profile), canonical);
    if (!symbol) continue;
    if (symbol.value === '') return { k: 'env', text: `\${${key}}` };
    const group = profile ? groupOf(ctx, project, profile) : undefined;
    const expression = profile && profileExpression(profile) ? { holds: holding.includes(profile), active: activeNames } : undefined;
    // An expression that holds is named with what activates the profiles it holds for (the strongest source).
    const activation = profile ? active.find((a) => a.profile === profile) ?? (expression?.holds ? active[0] : undefined) : undefined;
    const spring: SpringSymbol = { ...symbol, spring: { key, ...(profile ? { profile } : {}), ...(group ? { group } : {}), ...(activation ? { activation: activation.activation } : {}), ...(expression ? { expression } : {}) } };
    return { k: 'external', symbol: spring, node: at };
  }
  return undefined;
}

/**
 * How strongly a source of `spring.profiles.active` binds, as Spring and the container runtime order
 * them: a `--spring.profiles.active` argument, then a `-D` system property, then SPRING_PROFILES_ACTIVE
 * of a compose file (it replaces the image's), of the Dockerfile, of `.env`, then the property in a file.
 * The strongest source present decides; the others are not read.
 */
function activationRank(by: string, file: string): number {
  if (by === '--spring.profiles.active') return 6;
  if (by === '-Dspring.profiles.active') return 5;
  if (by !== 'SPRING_PROFILES_ACTIVE') return 0;
  const base = path.basename(file).toLowerCase();
  return /^dockerfile/.test(base) ? 3 : /\.ya?ml$/.test(base) ? 4 : 2;
}

/**
 * The profiles a project runs when the deployment does not choose them, in the order they are
 * activated: the strongest of its launch files (compose, Dockerfile: activationRank), `SPRING_PROFILES_ACTIVE`
 * of its `.env` and `spring.profiles.active` of the default file, then `spring.profiles.include`,
 * then the members of an active profile's group.
 */
function activeProfiles(ctx: AnalysisContext, project: string): { profile: string; activation: NonNullable<SpringSource['activation']> }[] {
  return ctx.memo('spring.active', () => {
    const table = ctx.workspace!.table;
    const launched: [string, WorkspaceSymbol][] = [...table.namesOf(springLaunchModule(project))].map(([name, s]) => [name.slice(name.lastIndexOf('#') + 1), s]);
    const listed = [...launched, ...table.namesOf(springActiveModule(project))];
    const rankOf = (s: WorkspaceSymbol) => activationRank(String(s.value), s.file);
    const strongest = Math.max(-1, ...listed.filter(([, s]) => s.value !== 'spring.profiles.include').map(([, s]) => rankOf(s)));
    const out: { profile: string; activation: NonNullable<SpringSource['activation']> }[] = [];
    const rank = (by: unknown) => (by === 'spring.profiles.include' ? 1 : 0);
    for (const [profile, s] of listed.sort((a, b) => rank(a[1].value) - rank(b[1].value))) {
      if (s.value !== 'spring.profiles.include' && rankOf(s) < strongest) continue;
      if (out.some((a) => a.profile === profile)) continue;
      const launch = rankOf(s) > 2 || String(s.value).startsWith('-');
      out.push({ profile, activation: { by: String(s.value), profile, at: `${path.basename(s.file)}:${s.line}`, ...(launch ? { launch: true as const } : {}) } });
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
  if (profile && source.expression) return expressionFinding(what, source, where, symbol, variable);
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
      : a.launch ? `${a.at} starts the application with the ${a.profile} profile (${a.by}=${a.profile})${a.profile !== profile ? `, which activates ${profile}` : ''}`
      : `${a.at} activates the ${a.profile} profile by default (${a.by === 'SPRING_PROFILES_ACTIVE' || a.by.startsWith('-') ? a.by : 'spring.profiles.active'}=${a.profile})${a.profile !== profile ? `, which activates ${profile}` : ''}, so every deployment that does not set SPRING_PROFILES_ACTIVE itself runs it`;
    return { message: `${what} is property ${source.key}, which ${where} sets to a literal committed with the code, and ${how}: tokens are signed with that key, and anyone with the repository can forge them. Write \${${variable}} there and provide the key through the environment or a secret store${a.by === 'spring.profiles.include' || a.launch ? '' : `, or stop activating ${a.profile} by default`}.` };
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

/** springSecretFinding for a property of a document whose `on-profile` is a profile expression: who loads it, and so how much it matters. */
function expressionFinding(what: string, source: SpringSource, where: string, symbol: WorkspaceSymbol, variable: string): { severity?: 'info' | 'warning'; message: string } {
  const expression = source.expression!;
  const doc = `a document for the profile expression "${source.profile}" (spring.config.activate.on-profile)`;
  const fix = symbol.fallbackFor !== undefined
    ? `Remove the default (\${${symbol.fallbackFor}}) so that the application fails to start without the variable.`
    : `Write \${${variable}} there and provide the key through the environment or a secret store.`;
  const sets = symbol.fallbackFor !== undefined ? `sets to \${${symbol.fallbackFor}:…} in ${doc}: wherever ${symbol.fallbackFor} is missing, the default written there is the key` : `sets to a literal committed with the code in ${doc}`;
  if (expression.holds) {
    const a = source.activation;
    const why = a && expression.active.length
      ? `which holds for the profiles ${a.at} ${a.launch ? 'starts the application with' : 'activates by default'} (${a.by === 'SPRING_PROFILES_ACTIVE' || a.by.startsWith('-') ? a.by : 'spring.profiles.active'}=${expression.active.join(',')})`
      : 'which holds in a deployment that activates no profile (Spring\'s default profile)';
    return { message: `${what} is property ${source.key}, which ${where} ${sets}, ${why}: tokens are signed with that key, and anyone with the repository can forge them. ${fix}` };
  }
  const leaning = expressionLeaning(source.profile!);
  const message = `${what} is property ${source.key}, which ${where} ${sets}: wherever the expression holds${leaning === 'development' ? ' (development and test profiles only)' : ''}, tokens are signed with it, and anyone with the repository can forge them. ${fix}`;
  return { ...(leaning === 'development' ? { severity: 'info' as const } : leaning === 'other' ? { severity: 'warning' as const } : {}), message };
}
