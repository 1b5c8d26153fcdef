import { DEFAULT_AUDIT_SETTINGS } from '../audit/auditSettings';
import { isLogout } from '../audit/authSteps';
import { succeeded } from '../audit/trafficFacts';
import type { Exchange } from '../session/types';
import { CapturedSession, isPlainPageView } from './capturedSession';
import { ANONYMOUS_WHY, type ProbePlan, ProbeRun, capturedEvidence, replayAndJudge, sentEvidence } from './probeRun';
import { ProbeInputError } from './types';

/** The session cookies (with a value) and the Authorization header a request carried. */
export function sessionCredentialsOf(ex: Exchange, session: CapturedSession): { cookies: { name: string; value: string }[]; authorization?: string } {
  const cookies = ex.cookiesSent.filter((c) => c.value !== '' && session.isSessionCookie(c.name));
  const authorization = CapturedSession.authorizationOf(ex);
  return { cookies, ...(authorization !== undefined ? { authorization } : {}) };
}

function carriesAny(ex: Exchange, creds: ReturnType<typeof sessionCredentialsOf>): boolean {
  if (creds.authorization !== undefined && CapturedSession.authorizationOf(ex) === creds.authorization) return true;
  return creds.cookies.some((c) => ex.cookiesSent.some((s) => s.name === c.name && s.value === c.value));
}

function describeCredentials(creds: ReturnType<typeof sessionCredentialsOf>): string {
  const parts = creds.cookies.map((c) => `cookie ${c.name}`);
  if (creds.authorization !== undefined) parts.push(`the ${creds.authorization.split(/\s+/)[0]} Authorization header`);
  return parts.join(' and ');
}

/**
 * Logout really ends the session: replays a page seen logged in before the captured logout with
 * the credentials of then, and a control without them. Still logged in → the logout left the
 * session alive on the server (`session-not-invalidated-on-logout`, confirmed, error).
 */
export function planLogoutProbe(session: CapturedSession): ProbePlan {
  const { exchanges } = session;
  let li = exchanges.length - 1;
  while (li >= 0 && !(isLogout(exchanges[li], DEFAULT_AUDIT_SETTINGS) && succeeded(exchanges[li]))) li--;
  if (li < 0) throw new ProbeInputError('the capture has no logout (a request to a path such as /logout or /signout answered 1xx-3xx): log out during the capture, then probe');
  const logout = exchanges[li];
  const all = sessionCredentialsOf(logout, session);
  if (all.cookies.length === 0 && all.authorization === undefined) {
    throw new ProbeInputError(`the logout ${CapturedSession.line(logout)} carried no session cookie or Authorization header: there is no old session to replay`);
  }
  // The page seen last with the credentials the logout carried; else, with no login in between, the
  // last one with a session cookie of the same name: servers that re-sign their cookie on each
  // answer (Flask, signed cookie sessions with a timestamp) send another value for the same session.
  let reference: Exchange | undefined;
  let sameSession: Exchange | undefined;
  let loginBetween = false;
  const names = new Set(all.cookies.map((c) => c.name));
  for (let j = li - 1; j >= 0 && !reference; j--) {
    const ex = exchanges[j];
    if (isPlainPageView(ex, session)) {
      if (carriesAny(ex, all)) reference = ex;
      else if (!sameSession && !loginBetween && ex.cookiesSent.some((c) => c.value !== '' && names.has(c.name))) sameSession = ex;
    }
    if (session.loginReason(ex) !== undefined) loginBetween = true;
  }
  reference ??= sameSession;
  if (!reference) throw new ProbeInputError(`no page (a GET answered 2xx) was requested with the session before the logout ${CapturedSession.line(logout)}: there is nothing to replay`);
  const ref = reference;
  const creds = sessionCredentialsOf(ref, session);
  const what = describeCredentials(creds);
  const replayWhy = `with ${what} from before the logout (as sent by request #${ref.id})`;
  const url = session.targetUrl(ref);
  return {
    probe: 'logout',
    ruleId: 'session-not-invalidated-on-logout',
    target: session.origin,
    steps: [{ method: ref.method, url, why: replayWhy }, { method: ref.method, url, why: ANONYMOUS_WHY }],
    run: (limits) => {
      const run = new ProbeRun('logout', 'session-not-invalidated-on-logout', limits);
      return run.guard(async () => {
        const judgement = await replayAndJudge(run, session, ref, CapturedSession.credentialsOf(ref), replayWhy);
        const replayed = `${CapturedSession.line(ref)} replayed after the logout ${CapturedSession.line(logout)} with ${what} of before`;
        const before = capturedEvidence(ref, `before the logout, with ${what}: logged in (captured request #${ref.id})`);
        if (judgement.state === 'logged-in') {
          return run.result('confirmed', `${replayed} is still answered as logged in: ${judgement.why}.`, {
            subject: creds.cookies.map((c) => c.name).join(', ') || 'Authorization',
            severity: 'error',
            exchangeId: logout.id,
            related: [before, sentEvidence(run, 0, `replayed after the logout with the same ${what}: still logged in`)],
            message: `Confirmed on the server: after the logout ${CapturedSession.line(logout)} the old ${what} still ${creds.cookies.length + (creds.authorization !== undefined ? 1 : 0) > 1 ? 'log' : 'logs'} in (${CapturedSession.line(ref)}: ${judgement.why}). Anyone holding a copy stays logged in. Destroy the session on the server at logout (req.session.destroy(), session_destroy(), request.session.flush(), session.invalidate()) and clear the cookie; revoke or deny-list bearer tokens.`,
          });
        }
        if (judgement.state === 'logged-out') {
          return run.result('refuted', `The server rejects the old id: ${replayed} is answered as logged out (${judgement.why}).`, {
            subject: creds.cookies.map((c) => c.name).join(', ') || 'Authorization',
            severity: 'info',
            exchangeId: logout.id,
            related: [before, sentEvidence(run, 0, `replayed after the logout with the same ${what}: logged out`)],
            message: `Server rejects the old id: after the logout ${CapturedSession.line(logout)} the old ${what} no longer ${creds.cookies.length + (creds.authorization !== undefined ? 1 : 0) > 1 ? 'log' : 'logs'} in (${judgement.why}). Still clear the cookie in the logout response, so the browser drops the dead id.`,
          });
        }
        return run.result('inconclusive', `${replayed}: cannot tell logged in from logged out, ${judgement.why}.`);
      });
    },
  };
}
