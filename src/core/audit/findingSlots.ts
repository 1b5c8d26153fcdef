import type { Finding } from '../findings';
import type { Severity } from '../rules/catalog';

/** What one step of an incremental audit changed. A finding whose text or evidence changed is removed and added again. */
export interface AuditDelta {
  readonly added: readonly Finding[];
  readonly removed: readonly Finding[];
}

/** Where a finding sits in the audit's output after severity and exchange: its rule family, then its place in that family's walk. */
export type SlotOrder = readonly number[];

interface SlotEntry {
  readonly finding: Finding;
  readonly order: SlotOrder;
}

/** Rule families in the order the whole-session audit lists them: ties on severity and exchange keep this order. */
export const FAMILY = {
  setCookie: 0, fixation: 1, logout: 2, stateChangeOnGet: 3, entropy: 4, meaningfulId: 5, tokenInUrl: 6, cacheable: 7, cors: 8, jwt: 9, csrfToken: 10,
} as const;

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Ranks count from past V8's small-integer range (below 2^31, or 2^30 with pointer compression):
 * counted from 0 they crossed it at the 32,768th exchange, and every hot function that computes
 * or compares a rank was deoptimised and compiled again in the middle of a long audit (six in
 * session-lens audit on bench/audit's HAR). Only the order of ranks means anything; they stay
 * exact integers (below 2^53).
 */
const FIRST_RANKED_SEQ = 1 << 15;

/** The rank of an item: the exchange's place in start order, then a position inside it (clamped). */
export function rankOf(exchangeSeq: number, within: number): number {
  return (FIRST_RANKED_SEQ + exchangeSeq) * 65536 + Math.min(Math.max(0, within), 65535);
}

function sameFinding(a: Finding, b: Finding): boolean {
  return a === b || (a.ruleId === b.ruleId && a.severity === b.severity && a.subject === b.subject && a.message === b.message
    && a.docs === b.docs && a.evidence?.exchangeId === b.evidence?.exchangeId && a.evidence?.header === b.evidence?.header);
}

function compareEntries(a: SlotEntry, b: SlotEntry): number {
  const d = SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity]
    || (a.finding.evidence?.exchangeId ?? 0) - (b.finding.evidence?.exchangeId ?? 0);
  if (d !== 0) return d;
  const n = Math.max(a.order.length, b.order.length);
  for (let i = 0; i < n; i++) {
    const x = (a.order[i] ?? 0) - (b.order[i] ?? 0);
    if (x !== 0) return x;
  }
  return 0;
}

/**
 * The current findings of an incremental audit, one per slot (a slot is a rule's de-duplication key:
 * rule, subject and cause), with what changed since the last {@link takeDelta}. Slots whose evidence
 * left the ring buffer can be pinned: they keep their finding whatever is written to them later.
 */
export class FindingSlots {
  private readonly slots = new Map<string, SlotEntry>();
  /** Each slot written since the last delta, with the entry it had before. */
  private readonly before = new Map<string, SlotEntry | undefined>();
  private readonly pinned = new Map<string, SlotEntry>();
  private sorted: Finding[] | undefined;

  /** Writes (or, with `undefined`, empties) a slot. */
  set(key: string, finding: Finding | undefined, order: SlotOrder = []): void {
    if (this.pinned.has(key)) return;
    const old = this.slots.get(key);
    if (finding === undefined) {
      if (old === undefined) return;
      if (!this.before.has(key)) this.before.set(key, old);
      this.slots.delete(key);
      this.sorted = undefined;
      return;
    }
    if (old && sameFinding(old.finding, finding) && old.order.length === order.length && old.order.every((v, i) => v === order[i])) return;
    if (!this.before.has(key)) this.before.set(key, old);
    this.slots.set(key, { finding, order });
    this.sorted = undefined;
  }

  /** Keeps the current finding of every slot whose evidence is one of these exchanges, whatever happens later. */
  pinEvidence(exchangeIds: (id: number) => boolean): void {
    for (const [key, entry] of this.slots) {
      const id = entry.finding.evidence?.exchangeId;
      if (id !== undefined && exchangeIds(id)) this.pinned.set(key, entry);
    }
  }

  /** The pinned slots, to carry over a rebuild. */
  pinnedEntries(): ReadonlyMap<string, SlotEntry> {
    return this.pinned;
  }

  /** Restores pinned slots after a rebuild. */
  restorePinned(entries: ReadonlyMap<string, SlotEntry>): void {
    for (const [key, entry] of entries) {
      this.pinned.delete(key);
      this.set(key, entry.finding, entry.order);
      this.pinned.set(key, entry);
    }
  }

  /** Empties every slot, pinned ones included. */
  clear(): void {
    this.pinned.clear();
    for (const key of [...this.slots.keys()]) this.set(key, undefined);
  }

  /** What changed since the previous call. */
  takeDelta(): AuditDelta {
    const added: Finding[] = [];
    const removed: Finding[] = [];
    for (const [key, old] of this.before) {
      const now = this.slots.get(key);
      if (old && now && sameFinding(old.finding, now.finding)) {
        // Rewritten with an equal finding (a replay): keep the object the caller already holds.
        if (old.finding !== now.finding) {
          this.slots.set(key, { finding: old.finding, order: now.order });
          this.sorted = undefined;
        }
        continue;
      }
      if (old) removed.push(old.finding);
      if (now) added.push(now.finding);
    }
    this.before.clear();
    return { added, removed };
  }

  /** Every current finding, sorted as the whole-session audit sorts: severity, exchange, rule family, walk order. */
  findings(): Finding[] {
    this.sorted ??= [...this.slots.values()].sort(compareEntries).map((e) => e.finding);
    return this.sorted;
  }

  get size(): number {
    return this.slots.size;
  }
}
