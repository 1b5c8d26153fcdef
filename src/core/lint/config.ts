import { type RuleId, isRuleId, ruleInfo } from '../rules/catalog';
import { LINT_LANGUAGES, type LintLanguage, type RuleSetting } from './types';
import type { ScanOptions } from './scanner';

/** A lint configuration file is wrong; the message says where and how. */
export class LintConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintConfigError';
  }
}

const SETTINGS: readonly string[] = ['off', 'on', 'error', 'warning', 'info'];

/**
 * Reads a lint configuration (the JSON of `session-lens scan --config`), in the shape of the
 * editor settings:
 * `{ "rules": { "cookie-missing-samesite": "off", "jwt-verify-disabled": "warning" },
 *    "maxSessionCookieLifetimeDays": 14, "maxSessionIdleTimeoutMinutes": 20,
 *    "maxFindingsPerRule": 100, "exclude": ["vendor/**"], "languages": ["javascript", "python"] }`.
 * Only mode-C rules can be set. Throws LintConfigError naming the first problem.
 */
export function parseLintConfig(json: string, source = 'config'): ScanOptions {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new LintConfigError(`${source}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new LintConfigError(`${source}: expected a JSON object`);
  const o = data as Record<string, unknown>;
  const known = new Set(['rules', 'maxSessionCookieLifetimeDays', 'maxSessionIdleTimeoutMinutes', 'maxFindingsPerRule', 'exclude', 'languages', 'gitignore', '$schema']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new LintConfigError(`${source}: unknown key "${k}" (known: ${[...known].filter((x) => x !== '$schema').join(', ')})`);
  const out: { -readonly [K in keyof ScanOptions]?: ScanOptions[K] } = {};
  if (o.rules !== undefined) {
    if (typeof o.rules !== 'object' || o.rules === null || Array.isArray(o.rules)) throw new LintConfigError(`${source}: "rules" must be an object of rule id → setting`);
    const rules: Partial<Record<RuleId, RuleSetting>> = {};
    for (const [id, v] of Object.entries(o.rules as Record<string, unknown>)) {
      if (!isRuleId(id)) throw new LintConfigError(`${source}: unknown rule "${id}"`);
      if (!ruleInfo(id).modes.includes('C')) throw new LintConfigError(`${source}: rule "${id}" applies to traffic, not code`);
      if (typeof v === 'boolean') rules[id] = v;
      else if (typeof v === 'string' && SETTINGS.includes(v)) rules[id] = v as RuleSetting;
      else throw new LintConfigError(`${source}: rule "${id}" must be one of ${SETTINGS.join(', ')} or a boolean`);
    }
    out.rules = rules;
  }
  for (const key of ['maxSessionCookieLifetimeDays', 'maxSessionIdleTimeoutMinutes'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new LintConfigError(`${source}: "${key}" must be a positive number`);
    out[key] = v;
  }
  if (o.maxFindingsPerRule !== undefined) {
    const v = o.maxFindingsPerRule;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new LintConfigError(`${source}: "maxFindingsPerRule" must be a whole number, 0 or more (0 lists every finding)`);
    out.maxFindingsPerRule = v;
  }
  if (o.exclude !== undefined) {
    if (!Array.isArray(o.exclude) || o.exclude.some((g) => typeof g !== 'string')) throw new LintConfigError(`${source}: "exclude" must be an array of glob strings`);
    out.exclude = o.exclude as string[];
  }
  if (o.languages !== undefined) {
    if (!Array.isArray(o.languages) || o.languages.some((l) => !LINT_LANGUAGES.includes(l as LintLanguage))) {
      throw new LintConfigError(`${source}: "languages" must be an array of ${LINT_LANGUAGES.join(', ')}`);
    }
    out.languages = o.languages as LintLanguage[];
  }
  if (o.gitignore !== undefined) {
    if (typeof o.gitignore !== 'boolean') throw new LintConfigError(`${source}: "gitignore" must be true or false`);
    out.gitignore = o.gitignore;
  }
  return out;
}
