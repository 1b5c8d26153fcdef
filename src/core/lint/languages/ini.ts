import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type AnalysisContext, type Fact, span } from '../analysis';
import { type SettingEntry, type SettingValue, checkSettings, entryFromFact, settingFact } from '../settingsSite';
import { iniSchema } from './php';
import { isDotenvName } from '../grammars';
import { WEAK_SECRETS } from '../../jwt/weakSecrets';

const QUERY = `
(setting (setting_name) @name) @setting
(section_name) @section
`;

/** Reads an ini value the way PHP does: On/Off/yes/no/true/false/none, numbers, quoted strings. */
export function iniValue(raw: string): SettingValue {
  const text = raw.trim();
  const unquoted = /^"(.*)"$|^'(.*)'$/.exec(text);
  const s = unquoted ? (unquoted[1] ?? unquoted[2]) : text.replace(/\s*;.*$/, '');
  const lower = s.toLowerCase();
  if (!unquoted && ['on', 'yes', 'true'].includes(lower)) return { kind: 'bool', bool: true, text };
  if (!unquoted && ['off', 'no', 'false', 'none', ''].includes(lower)) return { kind: lower === '' ? 'str' : 'bool', bool: false, str: '', text };
  if (/^-?\d+$/.test(s)) return { kind: 'num', num: Number(s), text };
  if (/\$\{|getenv/.test(s)) return { kind: 'env', text };
  return { kind: 'str', str: s, text };
}

/** php.ini and .user.ini: the session.* settings. */
export const iniAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['document', 'section']),
  keywords: /session\.|secret|key/i,
  declares: () => [],
  analyze(matches, ctx) {
    for (const m of matches) {
      const section = capture(m, 'section');
      if (section) {
        const header = ctx.src(section).trim();
        if (/^\[\s*session\s*\]$/i.test(header)) ctx.facts.push({ key: 'ini.sessionSection', name: 'Session', start: section.startIndex, end: section.startIndex + header.length });
        continue;
      }
      const setting = capture(m, 'setting');
      const nameNode = capture(m, 'name');
      if (!setting || !nameNode) continue;
      const rawName = ctx.src(nameNode).trim().replace(/^export\s+/, '');
      if (DOTENV_SECRET.test(rawName)) {
        // Only read as a secret in a dotenv file (finish knows the file name).
        const valueNode: Node | null = setting.namedChildren.find((c) => c?.type === 'setting_value') ?? null;
        if (valueNode) ctx.facts.push({ key: 'env.secret', name: rawName, value: ctx.src(valueNode).trim().replace(/^(['"])(.*)\1$/, '$2'), ...span(valueNode) });
        continue;
      }
      const name = rawName.toLowerCase();
      if (!name.startsWith('session.')) continue;
      const valueNode: Node | null = setting.namedChildren.find((c) => c?.type === 'setting_value') ?? null;
      const value = valueNode ? iniValue(ctx.src(valueNode)) : { kind: 'str' as const, str: '', text: '' };
      const rawValue = valueNode ? ctx.src(valueNode) : '';
      const lead = rawValue.length - rawValue.trimStart().length;
      const vs = valueNode ? valueNode.startIndex + lead : setting.endIndex;
      const ve = valueNode ? valueNode.startIndex + rawValue.replace(/\s*;.*$/s, '').trimEnd().length : setting.endIndex;
      const entry: SettingEntry = { name, value, start: setting.startIndex, end: setting.startIndex + ctx.src(setting).trimEnd().length, valueStart: vs, valueEnd: ve };
      ctx.facts.push(settingFact('ini.setting', entry));
    }
  },
  finish(facts, ctx, filePath) {
    const entries = new Map<string, SettingEntry>();
    let section: { start: number; end: number } | undefined;
    for (const f of facts) {
      if (f.key === 'ini.setting') entries.set(f.name, entryFromFact(f));
      else if (f.key === 'ini.sessionSection') section ??= { start: f.start, end: f.end };
    }
    const base = path.basename(filePath ?? '').toLowerCase();
    if (isDotenvName(base)) {
      dotenvSecrets(ctx, facts, base);
      return;
    }
    // A full php.ini shows every default it changes; .user.ini and conf.d snippets only override some.
    const complete = base === 'php.ini' || base.startsWith('php.ini-');
    if (entries.size === 0 && !complete) return;
    const first = [...entries.values()].sort((a, b) => a.start - b.start)[0];
    const anchor = section ?? (first ? { start: first.start, end: first.end } : { start: 0, end: 0 });
    const schema = iniSchema(ctx, { startIndex: anchor.start, endIndex: anchor.end }, 'php.ini', complete);
    checkSettings(ctx, {
      ...schema,
      render: (attr, v) => (v === 'true' ? '1' : v === 'false' ? '0' : attr === 'sameSite' ? `"${v.charAt(0).toUpperCase()}${v.slice(1)}"` : v),
      add: (name, valueText) => {
        const eol = section ? ctx.text.indexOf('\n', section.end) : -1;
        if (section && eol !== -1) return { start: eol + 1, end: eol + 1, newText: `${name} = ${valueText}\n` };
        const at = ctx.text.length;
        return { start: at, end: at, newText: `${ctx.text.endsWith('\n') || at === 0 ? '' : '\n'}${name} = ${valueText}\n` };
      },
      sameSiteOf: (v) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'bool' && !v.bool ? '' : 'unknown'),
    }, entries);
  },
};

/** Variables that hold a signing secret: JWT_SECRET, SESSION_SECRET, SECRET_KEY, APP_KEY, COOKIE_SECRET, NEXTAUTH_SECRET… */
const DOTENV_SECRET = /^(?:[A-Z0-9_]*_)?(?:JWT|SESSION|COOKIE|TOKEN|AUTH|SIGNING|NEXTAUTH|APP|SECRET)(?:_[A-Z0-9]+)*_?(?:SECRET|KEY)(?:_BASE)?$|^SECRET$/i;

/** Values that are placeholders rather than secrets, besides the well-known weak secrets. */
const PLACEHOLDER = /^(change[-_ ]?me|change[-_ ]?this|replace[-_ ]?me|your[-_ ].*|todo|xxx+|dev[-_ ]?secret|secret[-_ ]?key|my[-_ ]?secret|supersecret|keyboard cat|test|development|password)$/i;

const WEAK = new Set(WEAK_SECRETS.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase()));

/** How a dotenv file is used, by its name: what a secret written there exposes, and how much it matters. */
interface DotenvRole {
  readonly severity: 'error' | 'warning' | 'info';
  /** Whether any literal secret is reported (the file is committed by convention), not only guessable ones. */
  readonly committed: boolean;
  /** The file's role in a sentence, for the message. */
  readonly note: string;
}

/*
 * `.env.production`/`.env.staging` are committed by convention (Next.js, Vite, dotenv-flow read
 * them in production builds; secrets go to `.env.production.local` or the deployment): any literal
 * secret there is in the repository, an error. `.flaskenv` is committed by convention too but read
 * only by `flask run` (gunicorn, uWSGI and other WSGI servers never load it): a warning.
 * `.env.development`/`.env.test`/`.env.local` are read on developer machines and in tests: a
 * guessable value there is info. Plain `.env` and `.env.production.local` are the app's own
 * configuration: a guessable value is an error, a random one is where it belongs.
 */
function dotenvRole(base: string): DotenvRole | undefined {
  if (base === '.flaskenv') {
    return { severity: 'warning', committed: true, note: 'flask run loads .flaskenv, which is committed by convention (Flask keeps private values in .env).' };
  }
  const parts = base.split('.').slice(2);
  const local = parts.includes('local');
  if (parts.some((p) => /^(prod|production|staging|stage)$/.test(p))) {
    return local ? undefined : { severity: 'error', committed: true, note: `${base} is committed by convention (Next.js, Vite and dotenv-flow load it in production builds); secrets belong in ${base}.local or the deployment's secret store.` };
  }
  if (local || parts.some((p) => /^(dev|development|test|testing|ci)$/.test(p))) {
    return { severity: 'info', committed: false, note: `${base} is read on developer machines and in tests only; production must bring its own value.` };
  }
  return undefined;
}

/**
 * A dotenv file is configuration input: a secret there is where it belongs, unless its value is a
 * well-known default or a placeholder (JWT_SECRET=secret, SESSION_SECRET=changeme), which anyone can
 * guess, or the file is one committed by convention (see dotenvRole).
 */
function dotenvSecrets(ctx: AnalysisContext, facts: readonly Fact[], base: string): void {
  const role = dotenvRole(base);
  for (const f of facts) {
    if (f.key !== 'env.secret' || f.value === undefined || f.value === '' || /^\$\{?\w+\}?$|^\$\{\w+[:?-][^}]*\}$/.test(f.value)) continue;
    const lower = f.value.toLowerCase();
    const guessable = WEAK.has(lower) || PLACEHOLDER.test(f.value);
    if (!guessable && !role?.committed) continue;
    const jwt = /JWT|TOKEN|SIGNING/i.test(f.name);
    const forge = jwt ? 'tokens' : 'session cookies';
    ctx.report({
      ruleId: jwt ? 'jwt-hardcoded-secret' : 'session-hardcoded-secret', start: f.start, end: f.end,
      ...(role && role.severity !== 'error' ? { severity: role.severity } : {}),
      message: guessable
        ? `${f.name} in ${base} is '${f.value}', a well-known default or placeholder: anyone can guess it and forge ${forge}.${role ? ` ${role.note}` : ''} Set a long random value (e.g. openssl rand -base64 32) wherever the app runs.`
        : `${f.name} is written in ${base}: anyone with the source can read it and forge ${forge}. ${role!.note} Move the value to the server's environment (or a file kept out of the repository) and rotate it.`,
    });
  }
}
