import type * as Sarif from 'sarif';
import { sarifHarLocation as harLocation, sarifLog, sarifRelatedLocations, sarifRelativeUri } from '../rules/sarifLog';
import { SARIF_LEVEL as LEVEL, type SarifRuleDocs, sarifRuleDescriptor } from '../rules/sarifRule';
import type { ProbeResult } from './types';

/** Where the probed session came from, for the SARIF locations. */
export interface ProbeSarifOptions extends SarifRuleDocs {
  /** The HAR file the session was read from. */
  readonly har: string;
  readonly cwd: string;
  readonly version: string;
}

/**
 * A SARIF 2.1.0 log of one probe run. Confirmed: a `fail` result at the rule's severity;
 * refuted: a `pass`; inconclusive: an `open` result (level none). The main location is the HAR
 * entry of the finding's exchange; every related piece of evidence (a captured exchange, in the
 * HAR, or a request the probe sent, at its URL) is a related location with what it shows.
 */
export function probeSarif(result: ProbeResult, options: ProbeSarifOptions): Sarif.Log {
  const harUri = sarifRelativeUri(options.har, options.cwd);
  const f = result.finding;
  const related = sarifRelatedLocations(harUri, f?.relatedEvidence ?? []);
  const kind: Sarif.Result.kind = result.verdict === 'confirmed' ? 'fail' : result.verdict === 'refuted' ? 'pass' : 'open';
  const sarifResult: Sarif.Result = {
    ruleId: result.ruleId,
    ruleIndex: 0,
    kind,
    level: result.verdict === 'confirmed' && f ? LEVEL[f.severity] : 'none',
    message: { text: f ? `${f.subject}: ${f.message}` : result.reason },
    locations: [harLocation(harUri, f?.evidence?.exchangeId, f?.subject ?? result.probe)],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    properties: {
      probe: result.probe,
      verdict: result.verdict,
      reason: result.reason,
      requests: result.requests.map((r) => ({ method: r.method, url: r.url, status: r.status ?? null })),
    },
  };
  return sarifLog({ cwd: options.cwd, version: options.version, rules: [sarifRuleDescriptor(result.ruleId, options)], results: [sarifResult] });
}
