import { pathToFileURL } from 'node:url';
import { type RuleId, setRuleDocsBase } from '../core/rules/catalog';
import { findRuleDocsDir, readRuleHelp } from '../core/rules/ruleHelp';
import type { SarifRuleDocs } from '../core/rules/sarifRule';
import { UsageError } from './command';

/** Where the CLI's rule links point and where it reads the pages it embeds (SARIF). */
export interface CliRuleDocs {
  /** docs/rules/ of the installed package, when found. */
  readonly dir?: string;
  /** A web base URL the user gave (SESSION_LENS_DOCS_BASE). */
  readonly baseUrl?: string;
}

let configured: CliRuleDocs | undefined;

/**
 * Sets every finding's `docs` link: `$SESSION_LENS_DOCS_BASE<id>.md` when the user names a web
 * base URL (a mirror of the pages), otherwise a file: URL of the page inside the installed
 * package, which exists wherever the CLI runs.
 */
export function configureRuleDocs(env: NodeJS.ProcessEnv = process.env): CliRuleDocs {
  const given = env.SESSION_LENS_DOCS_BASE?.trim();
  if (given && !/^https?:\/\/[^\s/]+/i.test(given)) {
    throw new UsageError(`SESSION_LENS_DOCS_BASE must be an http(s) URL of the rule pages (got '${given.slice(0, 80)}')`);
  }
  const dir = findRuleDocsDir(__dirname);
  const baseUrl = given ? (given.endsWith('/') ? given : `${given}/`) : undefined;
  if (baseUrl) setRuleDocsBase(baseUrl);
  else if (dir) setRuleDocsBase(`${pathToFileURL(dir).href}/`);
  configured = { ...(dir ? { dir } : {}), ...(baseUrl ? { baseUrl } : {}) };
  return configured;
}

/** The configuration made at start (configured on first use otherwise). */
export function cliRuleDocs(): CliRuleDocs {
  return configured ?? configureRuleDocs();
}

/** What a SARIF log of the CLI (scan, probe) embeds of the rule pages, and links. */
export function sarifRuleDocs(): SarifRuleDocs {
  const docs = cliRuleDocs();
  return { ...(docs.dir ? { ruleHelp: (id: RuleId) => readRuleHelp(docs.dir!, id) } : {}), ...(docs.baseUrl ? { docsBaseUrl: docs.baseUrl } : {}) };
}
