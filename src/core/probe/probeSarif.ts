import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { RelatedEvidence } from '../findings';
import { SARIF_LEVEL as LEVEL, type SarifRuleDocs, sarifRuleDescriptor } from '../rules/sarifRule';
import type { ProbeResult } from './types';

/** Where the probed session came from, for the SARIF locations. */
export interface ProbeSarifOptions extends SarifRuleDocs {
  /** The HAR file the session was read from. */
  readonly har: string;
  readonly cwd: string;
  readonly version: string;
}

function requestText(r: RelatedEvidence['request']): string {
  return `${r.method} ${r.url} → ${r.status ?? 'no answer'}`;
}

/**
 * A SARIF 2.1.0 log of one probe run. Confirmed: a `fail` result at the rule's severity;
 * refuted: a `pass`; inconclusive: an `open` result (level none). The main location is the HAR
 * entry of the finding's exchange; every related piece of evidence (a captured exchange, in the
 * HAR, or a request the probe sent, at its URL) is a related location with what it shows.
 */
export function probeSarif(result: ProbeResult, options: ProbeSarifOptions): Sarif.Log {
  const harUri = path.relative(options.cwd, path.resolve(options.cwd, options.har)).split(path.sep).map(encodeURIComponent).join('/');
  const harLocation = (exchangeId: number | undefined, name: string): Sarif.Location => ({
    physicalLocation: { artifactLocation: { uri: harUri, uriBaseId: '%SRCROOT%' } },
    logicalLocations: [{ name, ...(exchangeId !== undefined ? { fullyQualifiedName: `exchange #${exchangeId}` } : {}), kind: 'request' }],
  });
  const f = result.finding;
  const related: Sarif.Location[] = (f?.relatedEvidence ?? []).map((e, i) => ({
    id: i + 1,
    message: { text: `${e.label}: ${requestText(e.request)}` },
    ...(e.exchangeId !== undefined
      ? harLocation(e.exchangeId, `${e.request.method} ${e.request.url}`)
      : { physicalLocation: { artifactLocation: { uri: e.request.url } } }),
  }));
  const kind: Sarif.Result.kind = result.verdict === 'confirmed' ? 'fail' : result.verdict === 'refuted' ? 'pass' : 'open';
  const sarifResult: Sarif.Result = {
    ruleId: result.ruleId,
    ruleIndex: 0,
    kind,
    level: result.verdict === 'confirmed' && f ? LEVEL[f.severity] : 'none',
    message: { text: f ? `${f.subject}: ${f.message}` : result.reason },
    locations: [harLocation(f?.evidence?.exchangeId, f?.subject ?? result.probe)],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    properties: {
      probe: result.probe,
      verdict: result.verdict,
      reason: result.reason,
      requests: result.requests.map((r) => ({ method: r.method, url: r.url, status: r.status ?? null })),
    },
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Session Lens',
          version: options.version,
          rules: [sarifRuleDescriptor(result.ruleId, options)],
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(options.cwd.endsWith(path.sep) ? options.cwd : options.cwd + path.sep).href } },
      results: [sarifResult],
    }],
  };
}
