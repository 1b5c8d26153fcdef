import type { RuleId, Severity } from '../rules/catalog';
import type { RawFinding } from './analysis';

/** A finding kept because it may be among the first of its rule, with its place in the report order. */
export interface CappedFinding {
  readonly finding: RawFinding;
  /** Order of reporting (the tie-break after start and rule). */
  readonly seq: number;
}

/** What a capped rule left out: how many, the first of them, the highest severity among them. */
export interface OmittedFindings {
  readonly ruleId: RuleId;
  readonly count: number;
  readonly start: number;
  readonly end: number;
  readonly severity: Severity;
}

/** A FindingCap's tallies in a form that crosses threads (structured clone). */
export interface FindingCapData {
  /** Findings reported (and counted) in all. */
  readonly reported: number;
  readonly rules: readonly {
    readonly ruleId: RuleId;
    readonly starts: Float64Array;
    readonly ends: Float64Array;
    readonly ranks: Uint8Array;
    readonly seqs: Float64Array;
    readonly kept: readonly { readonly finding: RawFinding; readonly seq: number }[];
  }[];
}

const RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, error: 3 };
const SEVERITY: readonly Severity[] = ['info', 'info', 'warning', 'error'];

/** One rule's findings: every one as three numbers (for the exact count), the first `cap` whole. */
class RuleTally {
  starts: number[] = [];
  ends: number[] = [];
  ranks: number[] = [];
  seqs: number[] = [];
  /** The first findings by (start, seq), at most `cap`, no two at the same start and end. */
  readonly kept: (CappedFinding & { readonly start: number; readonly end: number })[] = [];
}

/**
 * The per-rule cap of a one-shot lint, applied as findings are reported: a finding that cannot be
 * among the first `cap` of its rule (document order, then order of reporting) is dropped at once
 * and only its start, end and severity are kept, so the count of what was left out stays exact
 * (duplicates at the same start and end counted once, as findings() does) while the findings
 * themselves die young instead of being held to the end of the file (75,000 of them in a minified
 * bundle). Rules switched off are not recorded. Only for texts without disable comments: which
 * findings a comment hides depends on their lines, which this does not look up.
 */
export class FindingCap {
  private readonly rules = new Map<RuleId, RuleTally>();
  private seq = 0;

  constructor(
    readonly cap: number,
    private readonly severityOf: (ruleId: RuleId, proposed: Severity | undefined) => Severity | undefined,
  ) {}

  /** Takes one reported finding. */
  offer(f: RawFinding): void {
    const severity = this.severityOf(f.ruleId, f.severity);
    if (!severity) return;
    let t = this.rules.get(f.ruleId);
    if (!t) {
      t = new RuleTally();
      this.rules.set(f.ruleId, t);
    }
    const seq = this.seq++;
    const { start, end } = f;
    t.starts.push(start);
    t.ends.push(end);
    t.ranks.push(RANK[severity]);
    t.seqs.push(seq);
    this.keep(t, f, seq, start, end);
  }

  /** Puts a finding among its rule's first `cap` when it is one of them (and no duplicate of one). */
  private keep(t: RuleTally, f: RawFinding, seq: number, start: number, end: number): void {
    const kept = t.kept;
    const n = kept.length;
    // Reported in document order mostly: a full list whose last starts no later is the common exit.
    if (n === this.cap && kept[n - 1].start <= start) return;
    let i = n;
    while (i > 0 && kept[i - 1].start > start) i--;
    // A later finding at the same start and end as a kept one is its duplicate (found after it).
    for (let k = i - 1; k >= 0 && kept[k].start === start; k--) if (kept[k].end === end) return;
    kept.splice(i, 0, { finding: f, seq, start, end });
    if (kept.length > this.cap) kept.pop();
  }

  /** What this cap holds, to hand to another thread (see absorb). */
  toData(): FindingCapData {
    const rules: FindingCapData['rules'][number][] = [];
    for (const [ruleId, t] of this.rules) {
      rules.push({
        ruleId, starts: Float64Array.from(t.starts), ends: Float64Array.from(t.ends), ranks: Uint8Array.from(t.ranks), seqs: Float64Array.from(t.seqs),
        kept: t.kept.map((k) => ({ finding: k.finding, seq: k.seq })),
      });
    }
    return { reported: this.seq, rules };
  }

  /**
   * Takes what another cap (of the same options) tallied over a later part of the same text, as if
   * its findings had been reported here after everything reported so far: a segment of a large text
   * linted on a worker thread. Its findings past its own first `cap` are past the first `cap` here too.
   */
  absorb(data: FindingCapData): void {
    const base = this.seq;
    for (const r of data.rules) {
      let t = this.rules.get(r.ruleId);
      if (!t) {
        t = new RuleTally();
        this.rules.set(r.ruleId, t);
      }
      for (let i = 0; i < r.starts.length; i++) {
        t.starts.push(r.starts[i]);
        t.ends.push(r.ends[i]);
        t.ranks.push(r.ranks[i]);
        t.seqs.push(r.seqs[i] + base);
      }
      for (const k of r.kept) this.keep(t, k.finding, k.seq + base, k.finding.start, k.finding.end);
    }
    this.seq += data.reported;
  }

  /**
   * Before a finding is built: true when it cannot be among the first `cap` of its rule (the
   * common exit of offer(), a finding after a full list) or its rule is off; it is then counted as
   * offer() would count it and need not be built at all (its message, its fix). False: build it and
   * offer() it. 75,000 findings of a minified bundle are only counted.
   */
  skips(ruleId: RuleId, start: number, end: number, proposed: Severity | undefined): boolean {
    const t = this.rules.get(ruleId);
    if (!t || t.kept.length < this.cap || t.kept[t.kept.length - 1].start > start) return false;
    const severity = this.severityOf(ruleId, proposed);
    if (!severity) return true;
    t.starts.push(start);
    t.ends.push(end);
    t.ranks.push(RANK[severity]);
    t.seqs.push(this.seq++);
    return true;
  }

  /** The findings to list, every rule's, in no particular order. */
  listed(): CappedFinding[] {
    const out: CappedFinding[] = [];
    for (const t of this.rules.values()) for (const k of t.kept) out.push(k);
    return out;
  }

  /** Per rule over the cap: how many distinct findings were left out, the first of them, the highest severity. */
  omitted(): OmittedFindings[] {
    const out: OmittedFindings[] = [];
    for (const [ruleId, t] of this.rules) {
      const total = t.starts.length;
      if (total <= this.cap) continue;
      const { starts, ends, ranks, seqs } = t;
      const order = new Uint32Array(total);
      for (let i = 0; i < total; i++) order[i] = i;
      let sorted = true;
      for (let i = 1; i < total && sorted; i++) sorted = starts[i - 1] <= starts[i];
      const ordered = sorted ? order : Uint32Array.from([...order].sort((a, b) => starts[a] - starts[b] || seqs[a] - seqs[b]));
      let distinct = 0;
      let count = 0;
      let first = -1;
      let rank = 0;
      let groupStart = -1;
      const groupEnds: number[] = [];
      for (let k = 0; k < total; k++) {
        const i = ordered[k];
        if (starts[i] !== groupStart) {
          groupStart = starts[i];
          groupEnds.length = 0;
        } else if (groupEnds.includes(ends[i])) continue;
        groupEnds.push(ends[i]);
        if (distinct++ < this.cap) continue;
        if (first === -1) first = i;
        count++;
        if (ranks[i] > rank) rank = ranks[i];
      }
      if (count !== 0) out.push({ ruleId, count, start: starts[first], end: ends[first], severity: SEVERITY[rank] });
    }
    return out;
  }
}
