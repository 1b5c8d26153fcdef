import type * as Sarif from 'sarif';
import { RULES, type RuleId, type Severity } from './catalog';
import type { RuleHelp } from './ruleHelp';

/** A finding's severity as a SARIF level. */
export const SARIF_LEVEL: Readonly<Record<Severity, Sarif.ReportingConfiguration.level>> = { error: 'error', warning: 'warning', info: 'note' };

/** How a SARIF log documents its rules. */
export interface SarifRuleDocs {
  /** Each rule's page, embedded in the log so code-scanning UIs show it without any link. */
  readonly ruleHelp?: (id: RuleId) => RuleHelp | undefined;
  /** A web base URL of the rule pages (`${base}${id}.md`); `helpUri` is written only with one. */
  readonly docsBaseUrl?: string;
}

/** The web base of the rule pages, when one is given and is http(s), ending in a slash. */
function webBase(docs: SarifRuleDocs): string | undefined {
  return docs.docsBaseUrl && /^https?:\/\//i.test(docs.docsBaseUrl) ? docs.docsBaseUrl.replace(/\/?$/, '/') : undefined;
}

/**
 * One rule of a SARIF log (scan or probe): its page embedded (`help.text`, `help.markdown`,
 * `fullDescription`), a `helpUri` only with a web base, its default level and source.
 */
export function sarifRuleDescriptor(id: RuleId, docs: SarifRuleDocs): Sarif.ReportingDescriptor {
  const info = RULES.get(id)!;
  const page = docs.ruleHelp?.(id);
  const base = webBase(docs);
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: info.title },
    fullDescription: { text: page?.fullDescription ?? info.title },
    ...(base ? { helpUri: `${base}${id}.md` } : {}),
    help: page ? { text: page.text, markdown: page.markdown } : { text: `${info.title}. Source: ${info.source}.` },
    defaultConfiguration: { level: SARIF_LEVEL[info.severity] },
    properties: { tags: ['security'], source: info.source },
  };
}
