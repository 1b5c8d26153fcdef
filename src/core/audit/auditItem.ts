import type { Finding } from '../findings';

/**
 * A finding plus what makes it "the same problem" as another: findings with equal rule,
 * subject and cause are reported once, at their first exchange.
 */
export interface AuditItem {
  readonly finding: Finding;
  readonly cause: string;
}

/** Keeps the first finding per (rule, subject, cause), in order. */
export function dedupeFindings(items: Iterable<AuditItem>): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const { finding, cause } of items) {
    const key = `${finding.ruleId}\u0000${finding.subject}\u0000${cause}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding);
  }
  return out;
}
