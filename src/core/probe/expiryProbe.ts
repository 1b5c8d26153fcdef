import { issuedCookies, receivedAtOf } from '../audit/trafficFacts';
import { type SigningKey, tamperJwt, verifiesWith } from '../capture/rules/jwtTamper';
import type { Exchange } from '../session/types';
import { CapturedSession, type ReplayCredentials, isPlainPageView } from './capturedSession';
import { judgeLoggedIn } from './loggedInJudge';
import { ANONYMOUS_WHY, type ProbePlan, ProbeRun, capturedAnswer, liveAnswer, replayAndJudge } from './probeRun';
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

/** How the expiry probe tampers an issued JWT instead of waiting for it to expire. */
export interface ExpiryTamper {
  /**
   * The key the server signs with (as Tamper JWT takes it: secret, PEM or JWK): the JWT is
   * re-signed with exp in the past. Without it the original signature is kept, which a server
   * that verifies signatures rejects whatever it does with exp.
   */
  readonly key?: SigningKey;
}

/** The newest JWT a page view carried (Authorization first, then a cookie), with that page view. */
function issuedJwt(session: CapturedSession): { name: string; value: string; label: string; reference: Exchange } | undefined {
  let best: { name: string; value: string; label: string; reference: Exchange } | undefined;
  for (const t of session.snapshot.tokens) {
    if (!t.isJwt || t.value.split('.').length !== 3) continue;
    let found: { name: string; value: string; label: string; reference: Exchange } | undefined;
    if (t.source === 'request-header' && t.name.toLowerCase() === 'authorization') {
      const reference = lastPageViewWith(session, (ex) => (CapturedSession.authorizationOf(ex) ?? '').includes(t.value));
      if (reference) found = { name: 'Authorization', value: t.value, label: 'the JWT in the Authorization header', reference };
    } else if (t.source === 'request-cookie') {
      const reference = lastPageViewWith(session, (ex) => ex.cookiesSent.some((s) => s.name === t.name && s.value === t.value));
      if (reference) found = { name: t.name, value: t.value, label: `the JWT in cookie ${t.name}`, reference };
    }
    if (found && (!best || found.reference.id > best.reference.id || (found.name === 'Authorization' && found.reference.id === best.reference.id))) best = found;
  }
  return best;
}

/** The page view's credentials with the JWT set to `token` and nothing else of the session. */
function withJwt(session: CapturedSession, jwt: { name: string; value: string; reference: Exchange }, token: string): ReplayCredentials {
  const base = session.withoutSession(jwt.reference);
  if (jwt.name === 'Authorization') return { ...base, authorization: CapturedSession.authorizationOf(jwt.reference)!.replace(jwt.value, token) };
  return { cookies: [...base.cookies.filter((c) => c.name !== jwt.name), { name: jwt.name, value: token }] };
}

/**
 * Expired session really ends, via a tampered JWT: replays a page view with the newest JWT the
 * capture carried, as issued (the control that it still logs in) and with `exp` an hour in the
 * past, re-signed with the user's key or with its original signature kept. Verdicts:
 * - the tampered JWT is still answered as logged in → confirmed (without a key, the server
 *   checks neither the signature nor exp);
 * - with the key, answered as logged out → refuted: the server checks exp;
 * - without a key, answered as logged out → inconclusive: the signature no longer matches the
 *   payload, and a server that verifies signatures rejects it for that alone;
 * - the JWT as issued no longer logs in, or the answers do not tell → inconclusive.
 */
export function planTamperedExpiryProbe(session: CapturedSession, now: number, tamper: ExpiryTamper): ProbePlan {
  const jwt = issuedJwt(session);
  if (!jwt) throw new ProbeInputError('the capture has no JWT (in the Authorization header or a cookie) that a page request (a GET answered 2xx) carried: there is no token to tamper');
  const key = tamper.key;
  if (key && !verifiesWith(jwt.value, key)) {
    throw new ProbeInputError(`the key (${key.description}) does not verify the signature of ${jwt.label}: it is not the key the server signs with (or does not fit the token's alg), so a token re-signed with it would be rejected for its signature`);
  }
  const expired = tamperJwt(jwt.value, { mode: 'expired', ...(key ? { key } : {}) }, now);
  if (expired === undefined) throw new ProbeInputError(`${jwt.label} is not a signed JWT with a JSON header and payload: it cannot be tampered`);
  const expiredAt = iso(Math.floor(now / 1000) * 1000 - 3600_000);
  const issuedWhy = `with ${jwt.label} as issued (as sent by request #${jwt.reference.id}) and no other session credential: the control that it still logs in`;
  const tamperedWhy = key
    ? `with ${jwt.label} re-signed with your key (${key.description}) and exp set to ${expiredAt}, and no other session credential`
    : `with ${jwt.label} with exp set to ${expiredAt} and its original signature kept (no key given), and no other session credential`;
  const url = session.targetUrl(jwt.reference);
  const method = jwt.reference.method;
  return {
    probe: 'expiry',
    ruleId: 'session-expiry-not-enforced',
    target: session.origin,
    steps: [{ method, url, why: issuedWhy }, { method, url, why: tamperedWhy }, { method, url, why: ANONYMOUS_WHY }],
    run: (limits) => {
      const run = new ProbeRun('expiry', 'session-expiry-not-enforced', limits);
      return run.guard(async () => {
        const asIssued = await run.send(session.replay(jwt.reference, withJwt(session, jwt, jwt.value)), issuedWhy);
        const tampered = await run.send(session.replay(jwt.reference, withJwt(session, jwt, expired)), tamperedWhy);
        const anonymous = await run.send(session.replay(jwt.reference, session.withoutSession(jwt.reference)), ANONYMOUS_WHY);
        const captured = capturedAnswer(jwt.reference);
        const control = judgeLoggedIn(captured, liveAnswer(asIssued), liveAnswer(anonymous));
        const line = CapturedSession.line(jwt.reference);
        if (control.state !== 'logged-in') {
          return run.result('inconclusive', `${line} with ${jwt.label} as issued is not answered as logged in now (${control.why}): the token may have expired or been revoked, or the server restarted with another key, so its answer to the tampered token proves nothing. Capture a fresh token and probe again.`);
        }
        const judgement = judgeLoggedIn(captured, liveAnswer(tampered), liveAnswer(anonymous));
        const replayed = `${line} replayed with ${jwt.label} ${key ? 're-signed with your key' : 'with its original signature'} and exp set to ${expiredAt}`;
        if (judgement.state === 'logged-in') {
          return run.result('confirmed', `${replayed}, is still answered as logged in: ${judgement.why}.${key ? '' : ' The signature no longer matches the changed payload either, so the server verifies neither the signature nor exp.'}`, {
            subject: jwt.name,
            severity: 'error',
            exchangeId: jwt.reference.id,
            message: key
              ? `Confirmed on the server: ${jwt.label}, re-signed with the server's key and exp an hour in the past, still logs in (${line}: ${judgement.why}). The server does not enforce exp: a copied token works forever. Verify exp (and nbf) on every request; do not switch the expiry check off or use a large clock tolerance.`
              : `Confirmed on the server: ${jwt.label} with exp an hour in the past and a signature that no longer matches still logs in (${line}: ${judgement.why}). The server verifies neither the signature nor exp (decoded, not verified): anyone can forge a token. Verify the signature with an allow-listed algorithm, then exp and nbf, on every request.`,
          });
        }
        if (judgement.state === 'logged-out' && key) {
          return run.result('refuted', `The server enforces exp: ${replayed}, is answered as logged out (${judgement.why}), while the token as issued still logs in.`, {
            subject: jwt.name,
            severity: 'info',
            exchangeId: jwt.reference.id,
            message: `Server rejects the expired token: ${jwt.label}, re-signed with the server's key and exp in the past, no longer logs in (${judgement.why}).`,
          });
        }
        if (judgement.state === 'logged-out') {
          return run.result('inconclusive', `${replayed}, is answered as logged out (${judgement.why}), but its signature no longer matches the changed payload: a server that verifies signatures rejects it for that alone, so whether it checks exp is not shown. Give the key the server signs with (--jwt-key) to re-sign the expired token.`);
        }
        return run.result('inconclusive', `${replayed}: cannot tell logged in from logged out, ${judgement.why}.`);
      });
    },
  };
}
