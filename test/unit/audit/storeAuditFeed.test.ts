import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { auditSession } from '../../../src/core/audit/auditSession';
import { StoreAudit } from '../../../src/core/audit/storeAudit';
import type { Exchange } from '../../../src/core/session/types';
import type { Finding } from '../../../src/core/findings';
import { Capture, START, step } from '../session/trafficSteps';

const OPTIONS = { now: START + 3600_000, checkWeakSecret: false } as const;

function brief(list: Iterable<Finding>): string[] {
  return [...list].map((f) => `${f.severity} ${f.ruleId} ${f.subject} #${f.evidence?.exchangeId} ${f.evidence?.header ?? ''} | ${f.message}`);
}

type Op = { op: 'begin'; s: typeof step extends fc.Arbitrary<infer S> ? S : never } | { op: 'finish'; pick: number } | { op: 'flush' | 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: step.map((s) => ({ op: 'begin' as const, s })) },
  { weight: 5, arbitrary: fc.nat().map((pick) => ({ op: 'finish' as const, pick })) },
  { weight: 3, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

describe('StoreAudit on the change feed', function () {
  this.timeout(120000);

  it('gives the findings of the whole-session audit over every exchange finished since the last clear (logins, logouts, rolling cookies, evictions, out of order), and publishes them onto the feed', () => {
    // In start order the ring buffer may evict (findings of evicted exchanges stay); out of order it holds everything.
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 50 }), fc.boolean(), fc.integer({ min: 1, max: 6 }), (ops, inOrder, smallCapacity) => {
      const capture = new Capture(inOrder ? smallCapacity : 5000);
      const store = capture.store;
      const audit = new StoreAudit(store, {}, { ...OPTIONS, holdMs: 0, publish: true });
      const published = new Set<Finding>();
      /** store.modelVersion at the last batch: it moves with a batch that changes the model, never with one of findings only. */
      let modelVersion = store.modelVersion;
      // The store isolates a throwing listener: keep its failure for the check.
      let failure: unknown;
      store.onDidChange((e) => {
        try {
          const modelChanged = e.changes.some((c) => c.kind !== 'finding-added' && c.kind !== 'finding-removed');
          assert.equal(store.modelVersion !== modelVersion, modelChanged, `the model version moves with the model's changes only (${e.changes.map((c) => c.kind).join(', ')})`);
          assert.ok(store.modelVersion <= e.version);
          modelVersion = store.modelVersion;
          for (const c of e.changes) {
            if (c.kind === 'cleared') published.clear();
            else if (c.kind === 'finding-removed') assert.ok(published.delete(c.finding), 'a removed finding was published before');
            else if (c.kind === 'finding-added') published.add(c.finding);
          }
        } catch (err) {
          failure ??= err;
        }
      });
      let finished: Exchange[] = [];
      const pending: number[] = [];
      let begun = 0;
      const check = (): void => {
        store.flush();
        if (failure) throw failure;
        const snap = store.snapshot();
        assert.deepEqual(brief(audit.findings()), brief(auditSession({ ...snap, exchanges: finished }, {}, OPTIONS)));
        assert.deepEqual(brief(published).sort(), brief(audit.findings()).sort(), 'the feed carries every finding change');
      };
      for (const o of ops) {
        if (o.op === 'begin') pending.push(capture.begin(o.s, begun++));
        else if (o.op === 'finish' && pending.length > 0) {
          const id = pending.splice(inOrder ? 0 : o.pick % pending.length, 1)[0];
          // An exchange pushed out of the ring before it finished is not in the feed: nobody audits it.
          const ex = capture.finish(id);
          if (ex) finished.push(ex);
        } else if (o.op === 'clear') {
          store.clear();
          pending.length = 0;
          finished = [];
        } else if (o.op === 'flush') {
          check();
        }
      }
      check();
      audit.dispose();
      store.dispose();
    }), { numRuns: 150 });
  });

  it('audits an exchange that finished and left the ring buffer within one batch, and keeps its findings', () => {
    const capture = new Capture(1);
    const audit = new StoreAudit(capture.store, {}, { ...OPTIONS, holdMs: 0 });
    const base = { status: 200, cookies: [], password: false } as const;
    const login = capture.begin({ ...base, method: 'POST', path: '/login', setCookies: ['sid=Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc; Path=/'] }, 0);
    capture.finish(login);
    capture.finish(capture.begin({ ...base, method: 'GET', path: '/', setCookies: [] }, 1));
    capture.store.flush();
    assert.equal(capture.store.getExchange(login), undefined, 'the login left the ring before the batch was delivered');
    assert.ok(audit.findings().some((f) => f.ruleId === 'cookie-missing-httponly' && f.evidence?.exchangeId === login), brief(audit.findings()).join('\n'));
    audit.dispose();
    capture.store.dispose();
  });

  it('changes nothing in the store unless asked to publish', () => {
    const capture = new Capture();
    const audit = new StoreAudit(capture.store, {}, { ...OPTIONS, holdMs: 0 });
    capture.finish(capture.begin({ method: 'POST', path: '/login', status: 200, cookies: [], password: true, setCookies: ['sid=Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc'] }, 0));
    capture.store.flush();
    const version = capture.store.version;
    assert.ok(audit.findings().length > 0);
    assert.equal(capture.store.version, version);
    audit.dispose();
    capture.store.dispose();
  });
});
