import type * as Sarif from 'sarif';
import type { Finding } from '../findings';
import { RULES, type RuleId } from '../rules/catalog';
import { SRCROOT, sarifHarLocation, sarifLog, sarifRelatedLocations, sarifRelativeUri } from '../rules/sarifLog';
import { SARIF_LEVEL, type SarifRuleDocs, sarifRuleDescriptor } from '../rules/sarifRule';

/** What the audited session came from, for the SARIF locations. */
export interface AuditSarifOptions extends SarifRuleDocs {
  /** The HAR file audited; absent when it came on standard input (the locations are then logical only). */
  readonly har?: string;
  readonly cwd: string;
  readonly version: string;
  /** Notes of the import (entries skipped, an interrupted journal read): tool notifications. */
  readonly notes?: readonly string[];
}

/**
 * A SARIF 2.1.0 log of a traffic audit: every traffic rule with its page embedded (as scan's log
 * lists every code rule), one result per finding at the rule's severity, located in the HAR file
 * with the exchange as a logical location (`exchange #id`, as the JSON output's
 * `evidence.exchangeId`), and the further evidence of a finding that needs several exchanges as
 * related locations. The header the finding quotes is left out: it can carry a live session
 * cookie, and SARIF logs are uploaded to code-scanning services.
 */
export function auditSarif(findings: readonly Finding[], options: AuditSarifOptions): Sarif.Log {
  const ruleIds: RuleId[] = [...RULES.values()].filter((r) => r.modes.includes('T')).map((r) => r.id as RuleId);
  // A finding of a rule outside the traffic catalog still gets a descriptor to point at.
  for (const f of findings) if (!ruleIds.includes(f.ruleId)) ruleIds.push(f.ruleId);
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const harUri = options.har === undefined ? undefined : sarifRelativeUri(options.har, options.cwd);
  const results = findings.map((f): Sarif.Result => {
    const related = sarifRelatedLocations(harUri, f.relatedEvidence ?? []);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: SARIF_LEVEL[f.severity],
      message: { text: `${f.subject}: ${f.message}` },
      locations: [sarifHarLocation(harUri, f.evidence?.exchangeId, f.subject)],
      ...(related.length > 0 ? { relatedLocations: related } : {}),
    };
  });
  return sarifLog({
    cwd: options.cwd,
    version: options.version,
    rules: ruleIds.map((id) => sarifRuleDescriptor(id, options)),
    results,
    extra: {
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: (options.notes ?? []).map((text): Sarif.Notification => ({
          level: 'note',
          message: { text },
          ...(harUri !== undefined ? { locations: [{ physicalLocation: { artifactLocation: { uri: harUri, uriBaseId: SRCROOT } } }] } : {}),
        })),
      }],
    },
  });
}
