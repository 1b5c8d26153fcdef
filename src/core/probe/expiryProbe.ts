import { issuedCookies, receivedAtOf } from '../audit/trafficFacts';
import type { Exchange } from '../session/types';
import { CapturedSession, type ReplayCredentials, isPlainPageView } from './capturedSession';
import { ANONYMOUS_WHY, type ProbePlan, ProbeRun, replayAndJudge } from './probeRun';
import { ProbeInputError } from './types';

/** A credential of the capture whose lifetime is over. */
interface ExpiredCredential {
  readonly kind: 'cookie' | 'jwt';
  /** Cookie name, or where the JWT travels (Authorization, a cookie name). */
  readonly name: string;
  readonly value: string;
  readonly expiredAt: number;
  /** The page view that carried it, to replay. */
  readonly reference: Exchange;
  /** "cookie connect.sid (expired 2026-…)". */
  readonly label: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The expiry of each session cookie value, from its latest Set-Cookie (Max-Age wins over Expires). */
function cookieExpiries(session: CapturedSession): Map<string, { name: string; value: string; expiresAt: number }> {
  const out = new Map<string, { name: string; value: string; expiresAt: number }>();
  for (const ex of session.exchanges) {
    for (const c of issuedCookies(ex)) {
      if (c.deletion || c.parsed.value === '' || !session.isSessionCookie(c.parsed.name)) continue;
      const expiresAt = c.parsed.maxAge !== undefined ? receivedAtOf(ex) + c.parsed.maxAge * 1000 : c.parsed.expires?.getTime();
      const key = `${c.parsed.name}=${c.parsed.value}`;
      if (expiresAt === undefined) out.delete(key);
      else out.set(key, { name: c.parsed.name, value: c.parsed.value, expiresAt });
    }
  }
  return out;
}

function lastPageViewWith(session: CapturedSession, carries: (ex: Exchange) => boolean): Exchange | undefined {
  for (let i = session.exchanges.length - 1; i >= 0; i--) {
    const ex = session.exchanges[i];
    if (isPlainPageView(ex, session) && carries(ex)) return ex;
  }
  return undefined;
}

/** Expired credentials of the capture that a page view carried, most recently expired first; and the next to expire. */
export function expiredCredentials(session: CapturedSession, now: number): { expired: ExpiredCredential[]; nextExpiry?: { label: string; at: number } } {
  const expired: ExpiredCredential[] = [];
  let nextExpiry: { label: string; at: number } | undefined;
  const consider = (c: Omit<ExpiredCredential, 'reference' | 'expiredAt'>, at: number, carries: (ex: Exchange) => boolean): void => {
    const reference = lastPageViewWith(session, carries);
    if (!reference) return;
    if (at <= now) expired.push({ ...c, expiredAt: at, reference });
    else if (!nextExpiry || at < nextExpiry.at) nextExpiry = { label: c.label, at };
  };
  for (const c of cookieExpiries(session).values()) {
    consider({ kind: 'cookie', name: c.name, value: c.value, label: `cookie ${c.name}` }, c.expiresAt,
      (ex) => ex.cookiesSent.some((s) => s.name === c.name && s.value === c.value));
  }
  for (const t of session.snapshot.tokens) {
    if (!t.isJwt || t.expiresAtSource !== 'jwt-exp' || t.expiresAt === undefined) continue;
    if (t.source === 'request-header' && t.name.toLowerCase() === 'authorization') {
      consider({ kind: 'jwt', name: 'Authorization', value: t.value, label: 'the JWT in the Authorization header' }, t.expiresAt,
        (ex) => (CapturedSession.authorizationOf(ex) ?? '').includes(t.value));
    } else if (t.source === 'request-cookie' && !expired.some((e) => e.kind === 'cookie' && e.value === t.value)) {
      consider({ kind: 'jwt', name: t.name, value: t.value, label: `the JWT in cookie ${t.name}` }, t.expiresAt,
        (ex) => ex.cookiesSent.some((s) => s.name === t.name && s.value === t.value));
    }
  }
  expired.sort((a, b) => b.expiredAt - a.expiredAt);
  return { expired, ...(nextExpiry ? { nextExpiry } : {}) };
}

/** The page view's credentials with only `credential` of the session: the others could keep it logged in. */
function onlyExpired(session: CapturedSession, c: ExpiredCredential): ReplayCredentials {
  const base = session.withoutSession(c.reference);
  if (c.kind === 'jwt' && c.name === 'Authorization') return { ...base, authorization: CapturedSession.authorizationOf(c.reference)! };
  return { cookies: [...base.cookies, { name: c.name, value: c.value }] };
}

/**
 * Expired session really ends: replays a page view with a session cookie or JWT whose expiry has
 * passed (and nothing else of the session), and a control without. Still logged in → the server
 * does not enforce the expiry (`session-expiry-not-enforced`).
 */
export function planExpiryProbe(session: CapturedSession, now: number): ProbePlan {
  const { expired, nextExpiry } = expiredCredentials(session, now);
  if (expired.length === 0) {
    throw new ProbeInputError(nextExpiry
      ? `no session cookie or JWT of the capture has expired yet: ${nextExpiry.label} expires at ${iso(nextExpiry.at)}; probe after that`
      : 'the capture has no session cookie or JWT with an expiry that a page request (a GET answered 2xx) carried: there is nothing expired to replay');
  }
  const c = expired[0];
  const credentials = onlyExpired(session, c);
  const replayWhy = `with ${c.label}, expired at ${iso(c.expiredAt)} (as sent by request #${c.reference.id}), and no other session credential`;
  const url = session.targetUrl(c.reference);
  return {
    probe: 'expiry',
    ruleId: 'session-expiry-not-enforced',
    target: session.origin,
    steps: [{ method: c.reference.method, url, why: replayWhy }, { method: c.reference.method, url, why: ANONYMOUS_WHY }],
    run: (limits) => {
      const run = new ProbeRun('expiry', 'session-expiry-not-enforced', limits);
      return run.guard(async () => {
        const judgement = await replayAndJudge(run, session, c.reference, credentials, replayWhy);
        const replayed = `${CapturedSession.line(c.reference)} replayed with ${c.label}, expired at ${iso(c.expiredAt)}`;
        if (judgement.state === 'logged-in') {
          return run.result('confirmed', `${replayed}, is still answered as logged in: ${judgement.why}.`, {
            subject: c.name,
            severity: 'error',
            exchangeId: c.reference.id,
            message: `Confirmed on the server: ${c.label} expired at ${iso(c.expiredAt)}, yet it still logs in (${CapturedSession.line(c.reference)}: ${judgement.why}). The lifetime the browser was told is not enforced: a copied ${c.kind === 'jwt' ? 'token' : 'cookie'} works for as long as the server keeps it. ${c.kind === 'jwt' ? 'Verify exp (and nbf) on every request; do not switch the expiry check off or use a large clock tolerance.' : 'Expire the session on the server too: an idle and an absolute timeout in the session store, not only in the cookie.'}`,
          });
        }
        if (judgement.state === 'logged-out') {
          return run.result('refuted', `The server enforces the expiry: ${replayed}, is answered as logged out (${judgement.why}).`);
        }
        return run.result('inconclusive', `${replayed}: cannot tell logged in from logged out, ${judgement.why}.`);
      });
    },
  };
}
