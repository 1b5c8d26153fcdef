import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { dependsOnTime } from '../../../src/core/audit/jwtSightingAudit';
import { StoreAudit } from '../../../src/core/audit/storeAudit';
import { SessionStore } from '../../../src/core/session/sessionStore';
import type { Finding } from '../../../src/core/findings';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const SIG = 'c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

/** Claims whose analysis depends on the time in every way the analyser reads it (exp, nbf, iat, neither). */
const claims = fc.record({
  sub: fc.constantFrom('alice', 'bob', 'carol'),
  exp: fc.option(fc.integer({ min: -7200, max: 7 * 86400 }), { nil: undefined }),
  nbf: fc.option(fc.integer({ min: -600, max: 3600 }), { nil: undefined }),
  iat: fc.option(fc.integer({ min: -3600, max: 0 }), { nil: undefined }),
});

type Step =
  | { kind: 'send'; place: 'bearer' | 'cookie'; claims: { sub: string; exp?: number; nbf?: number; iat?: number } }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), place: fc.constantFrom('bearer' as const, 'cookie' as const), claims }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3 * 86400_000 })) }),
);

const brief = (list: readonly Finding[]) => list.map((f) => `${f.ruleId} ${f.subject} #${f.evidence?.exchangeId} | ${f.message}`);

describe('JWT re-analysis as the time moves: only the JWTs whose analysis depends on it', () => {
  it('gives the findings of a full re-analysis at every step (random JWTs with and without exp/nbf/iat, two places, time jumps)', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
      let clock = START;
      const store = new SessionStore({ throttleMs: 0, now: () => clock });
      const timeOnly = new StoreAudit(store, {}, { now: START, checkWeakSecret: false });
      const full = new StoreAudit(store, {}, { now: START, checkWeakSecret: false });
      for (const s of steps) {
        if (s.kind === 'wait') clock += s.ms;
        else {
          const at = Math.floor(clock / 1000);
          const c = { sub: s.claims.sub, ...(s.claims.exp !== undefined ? { exp: at + s.claims.exp } : {}), ...(s.claims.nbf !== undefined ? { nbf: at + s.claims.nbf } : {}), ...(s.claims.iat !== undefined ? { iat: at + s.claims.iat } : {}) };
          const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(c)}.${SIG}`;
          const headers = s.place === 'bearer' ? [{ name: 'Authorization', value: `Bearer ${token}` }] : [{ name: 'Cookie', value: `auth=${token}` }];
          const id = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/api/me', headers, startedAt: clock });
          store.addResponse(id, { status: 200, headers: [], receivedAt: clock });
          store.finishExchange(id, { state: 'complete', endedAt: clock });
          store.flush();
        }
        timeOnly.reanalyseJwts(clock, 'time');
        full.reanalyseJwts(clock, 'all');
        assert.deepEqual(brief(timeOnly.findings()), brief(full.findings()));
      }
      timeOnly.dispose();
      full.dispose();
      store.dispose();
    }), { numRuns: 150 });
  });

  it('counts a JWT as time-independent only when its claims have neither exp nor nbf', () => {
    const token = (payload: string) => `${b64({ alg: 'HS256' })}.${payload}.${SIG}`;
    assert.equal(dependsOnTime(token(b64({ sub: 'a', iat: 1 }))), false);
    assert.equal(dependsOnTime(token(b64({ sub: 'a', exp: 1 }))), true);
    assert.equal(dependsOnTime(token(b64({ nbf: 1 }))), true);
    assert.equal(dependsOnTime(token(b64([1]))), true, 'not claims');
    assert.equal(dependsOnTime(token('not-json')), true);
    assert.equal(dependsOnTime('a.b'), true);
  });
});
