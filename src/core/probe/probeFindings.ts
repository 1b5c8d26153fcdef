import type { Finding } from '../findings';

/**
 * The findings to show once probes ran: each probe finding (confirmed, or refuted and lowered)
 * stands in for the passive findings of its rule, which guessed what the probe checked on the
 * server; the other passive findings stay as they are. `probed` holds the latest probe finding
 * per rule.
 */
export function withProbeFindings(passive: readonly Finding[], probed: readonly Finding[]): readonly Finding[] {
  if (probed.length === 0) return passive;
  const rules = new Set(probed.map((f) => f.ruleId));
  return [...passive.filter((f) => !rules.has(f.ruleId)), ...probed];
}
