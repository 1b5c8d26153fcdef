import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { auditSession } from '../../../src/core/audit/auditSession';
import { IncrementalAudit } from '../../../src/core/audit/incrementalAudit';
import type { Exchange } from '../../../src/core/session/types';
import type { Finding } from '../../../src/core/findings';
import { Capture, START, type Step, step } from '../session/trafficSteps';

const NOW = START + 3600_000;
const OPTIONS = { now: NOW, checkWeakSecret: false } as const;

function brief(list: readonly Finding[]): string[] {
  return list.map((f) => `${f.severity} ${f.ruleId} ${f.subject} #${f.evidence?.exchangeId} ${f.evidence?.header ?? ''} | ${f.message}`);
}

/** Feeds one finished exchange (and the store's tokens and jar) to the incremental audit, and checks the delta it returned. */
function feed(audit: IncrementalAudit, capture: Capture, ex: Exchange): void {
  const snap = capture.store.snapshot();
  const before = new Set(audit.findings());
  const tokens = new Map(snap.tokens.map((t) => [t.id, t]));
  const deltas = [audit.add(ex, tokens), audit.updateTokens(snap.tokens, tokens), audit.updateJar(snap.cookies)];
  // The deltas say exactly how the list changed.
  const after = new Set(audit.findings());
  for (const d of deltas) {
    for (const f of d.removed) before.delete(f);
    for (const f of d.added) before.add(f);
  }
  assert.deepEqual(brief([...before]).sort(), brief([...after]).sort());
}

function expected(capture: Capture, exchanges: readonly Exchange[]): string[] {
  const snap = capture.store.snapshot();
  return brief(auditSession({ ...snap, exchanges }, {}, OPTIONS));
}

describe('IncrementalAudit', function () {
  this.timeout(120000);

  it('in start order, matches the whole-session audit after every exchange', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      const capture = new Capture();
      const audit = new IncrementalAudit({}, OPTIONS);
      steps.forEach((s, i) => {
        const ex = capture.finish(capture.begin(s, i))!;
        feed(audit, capture, ex);
        assert.deepEqual(brief(audit.findings()), expected(capture, capture.finished));
      });
    }), { numRuns: 300 });
  });

  it('with requests that re-send the cookies of the one before (whose cookies the audit skips), matches the whole-session audit after every exchange', () => {
    fc.assert(fc.property(fc.array(fc.tuple(step, fc.boolean(), fc.boolean()), { minLength: 2, maxLength: 40 }), (raw) => {
      // Half the requests send the cookies of the previous one; half of those set none and log in nobody.
      const steps: Step[] = [];
      for (const [s, same, quiet] of raw) {
        const prev = steps[steps.length - 1];
        steps.push(prev && same ? { ...s, cookies: prev.cookies, ...(quiet ? { setCookies: [], password: false } : {}) } : s);
      }
      const capture = new Capture();
      const audit = new IncrementalAudit({}, OPTIONS);
      steps.forEach((s, i) => {
        const ex = capture.finish(capture.begin(s, i))!;
        feed(audit, capture, ex);
        assert.deepEqual(brief(audit.findings()), expected(capture, capture.finished));
      });
    }), { numRuns: 300 });
  });

  it('with exchanges finishing out of start order, matches the whole-session audit over the finished ones', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 30 }), (steps, picks) => {
      const capture = new Capture();
      const audit = new IncrementalAudit({}, OPTIONS);
      const pending: number[] = [];
      let next = 0;
      // Begin up to four exchanges ahead, then finish a random one of those pending.
      let p = 0;
      while (next < steps.length || pending.length > 0) {
        while (next < steps.length && pending.length < 4) pending.push(capture.begin(steps[next], next++));
        const id = pending.splice((picks[p++] ?? 0) % pending.length, 1)[0];
        const ex = capture.finish(id)!;
        feed(audit, capture, ex);
        assert.deepEqual(brief(audit.findings()), expected(capture, capture.finished));
      }
    }), { numRuns: 200 });
  });

  it('keeps the findings of evicted exchanges: equal to the whole-session audit over every exchange ever finished', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (steps, capacity) => {
      const capture = new Capture(capacity);
      const audit = new IncrementalAudit({}, OPTIONS);
      const unsubscribe = capture.store.onDidChange((e) => { for (const id of e.exchangesEvicted) audit.evict(id); });
      steps.forEach((s, i) => {
        const ex = capture.finish(capture.begin(s, i))!;
        capture.store.flush();
        feed(audit, capture, ex);
        assert.ok(audit.retainedExchanges <= capacity);
        assert.deepEqual(brief(audit.findings()), expected(capture, capture.finished));
      });
      unsubscribe.dispose();
    }), { numRuns: 200 });
  });
});
