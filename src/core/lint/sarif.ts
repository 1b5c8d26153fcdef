import type * as Sarif from 'sarif';
import { RULES, type RuleId } from '../rules/catalog';
import { SRCROOT, sarifLog, sarifRelativeUri as toUri } from '../rules/sarifLog';
import { SARIF_LEVEL as LEVEL, type SarifRuleDocs, sarifRuleDescriptor } from '../rules/sarifRule';
import type { ScanResult } from './scanner';

/** Where the scan ran, and how the log documents its rules. */
export interface SarifOptions extends SarifRuleDocs {
  readonly cwd: string;
  readonly version: string;
}

/**
 * A SARIF 2.1.0 log of a scan, for code-scanning tools: every code rule with its help embedded
 * (`help.text`, `help.markdown`, `fullDescription`) and a `helpUri` only when a web base URL is
 * given, results with 1-based UTF-16 regions relative to `%SRCROOT%` (= cwd), quick fixes as
 * SARIF fixes, and files that could not be read as tool notifications (as are findings left out
 * by a per-rule cap: how many, of which rule, in which file).
 */
export function toSarif(result: ScanResult, options: SarifOptions): Sarif.Log {
  const ruleIds = [...RULES.values()].filter((r) => r.modes.includes('C')).map((r) => r.id as RuleId);
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => sarifRuleDescriptor(id, options));
  // A summary of findings left out by the per-rule cap is not a result (code scanning would show
  // it as an alert): it is a tool notification that names the rule, the file and the count.
  const results: Sarif.Result[] = result.findings.filter((f) => f.omitted === undefined).map((f) => {
    const uri = toUri(f.file, options.cwd);
    const location: Sarif.ArtifactLocation = { uri, uriBaseId: SRCROOT };
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) ?? -1,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{
        physicalLocation: {
          artifactLocation: location,
          region: {
            startLine: f.range.start.line + 1,
            startColumn: f.range.start.character + 1,
            endLine: f.range.end.line + 1,
            endColumn: f.range.end.character + 1,
          },
        },
      }],
      ...(f.fix ? {
        fixes: [{
          description: { text: f.fix.title },
          artifactChanges: [{
            artifactLocation: location,
            replacements: f.fix.edits.map((e) => ({
              deletedRegion: {
                startLine: e.range.start.line + 1,
                startColumn: e.range.start.character + 1,
                endLine: e.range.end.line + 1,
                endColumn: e.range.end.character + 1,
              },
              insertedContent: { text: e.newText },
            })),
          }],
        }],
      } : {}),
    };
  });
  return sarifLog({
    cwd: options.cwd,
    version: options.version,
    rules,
    results,
    extra: {
      columnKind: 'utf16CodeUnits',
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: [
          ...result.problems.map((p): Sarif.Notification => ({
            level: 'warning',
            message: { text: p.message },
            locations: [{ physicalLocation: { artifactLocation: { uri: toUri(p.file, options.cwd), uriBaseId: SRCROOT } } }],
          })),
          ...result.findings.filter((f) => f.omitted !== undefined).map((f): Sarif.Notification => ({
            level: 'note',
            message: { text: `Results not listed: ${f.message}` },
            associatedRule: { id: f.ruleId, index: index.get(f.ruleId) ?? -1 },
            locations: [{
              physicalLocation: {
                artifactLocation: { uri: toUri(f.file, options.cwd), uriBaseId: SRCROOT },
                region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
              },
            }],
            properties: { omitted: f.omitted },
          })),
        ],
      }],
    },
  });
}
