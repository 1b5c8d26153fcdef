import type { Exchange } from '../session/types';
import { CapturedSession, isPlainPageView } from './capturedSession';
import { madeUpIdLike } from './madeUpId';
import { type ProbePlan, ProbeRun, ANONYMOUS_WHY, capturedAnswer, liveAnswer } from './probeRun';
import { judgeLoggedIn } from './loggedInJudge';
import { firstSessionIdCookie, isRemoval, isSessionIdCookie, setCookieOf } from './unissuedProbe';
import { ProbeInputError, type PlannedStep } from './types';

/**
 * Fixation confirmed: plants a session id (one the server hands out to a fresh visitor, as an
 * attacker would get it; else a made-up one), replays the captured login with it, and checks
 * whether the id survives: not replaced by the login's answer and, where the capture has a page
 * viewed after the login, logged in with that page. Survives → `session-fixation`, confirmed.
 */
export function planFixationProbe(session: CapturedSession): ProbePlan {
  const { exchanges } = session;
  let li = exchanges.length - 1;
  while (li >= 0 && session.loginReason(exchanges[li]) === undefined) li--;
  if (li < 0) throw new ProbeInputError('the capture has no successful login (a POST that sent a password, or to a path such as /login or /signin): log in during the capture, then probe');
  const login = exchanges[li];
  if (login.requestBody?.truncated) throw new ProbeInputError(`the body of the login ${CapturedSession.line(login)} was not captured in full: it cannot be replayed`);
  if (login.requestBody?.text?.includes('[redacted]')) throw new ProbeInputError(`the login ${CapturedSession.line(login)} comes from a redacted HAR: its form cannot be replayed (capture with --har but without --redact)`);
  const carried = (name: string) => login.cookiesSent.some((c) => c.name === name) || login.cookiesSet.some((c) => c.name === name);
  const cookie = firstSessionIdCookie(session, carried);
  if (!cookie) throw new ProbeInputError('the capture has no cookie holding an opaque session id (a signed-cookie or JWT session is renewed by the login that signs it): there is no id to plant');
  // Where the browser got its id before the login: the latest GET before it answered with the cookie.
  let issuer: Exchange | undefined;
  for (let j = li - 1; j >= 0 && !issuer; j--) {
    const ex = exchanges[j];
    if (ex.method.toUpperCase() === 'GET' && ex.cookiesSet.some((c) => c.name === cookie.name && c.value !== '')) issuer = ex;
  }
  // A page viewed with the session after the login, to see whether the planted id is logged in.
  const loggedInView = exchanges.slice(li + 1).find((ex) => isPlainPageView(ex, session) && ex.cookiesSent.some((c) => c.name === cookie.name && isSessionIdCookie(session, c.name, c.value)));
  const plantWhy = issuer ? `without cookies: take the ${cookie.name} the server hands a fresh visitor, as an attacker would, to plant it` : '';
  const madeUp = madeUpIdLike(cookie.sample);
  const loginWhy = `the captured login (request #${login.id}) replayed with the planted ${cookie.name}${issuer ? '' : ` (${madeUp}, made up: the capture shows no page that hands one out)`}`;
  const viewWhy = `with the planted ${cookie.name} after the login: is it logged in?`;
  const steps: PlannedStep[] = [];
  if (issuer) steps.push({ method: 'GET', url: session.targetUrl(issuer), why: plantWhy });
  steps.push({ method: login.method, url: session.targetUrl(login), why: loginWhy });
  if (loggedInView) steps.push({ method: loggedInView.method, url: session.targetUrl(loggedInView), why: viewWhy }, { method: loggedInView.method, url: session.targetUrl(loggedInView), why: ANONYMOUS_WHY });
  return {
    probe: 'fixation',
    ruleId: 'session-fixation',
    target: session.origin,
    steps,
    run: (limits) => {
      const run = new ProbeRun('fixation', 'session-fixation', limits);
      return run.guard(async () => {
        let planted = madeUp;
        if (issuer) {
          const fresh = setCookieOf(await run.send(session.replay(issuer, session.withoutSession(issuer)), plantWhy), cookie.name);
          if (fresh && !isRemoval(fresh, Date.now())) planted = fresh.value;
        }
        const others = session.withoutSession(login).cookies;
        const res = await run.send(session.replay(login, { cookies: [...others, { name: cookie.name, value: planted }] }), loginWhy);
        const line = CapturedSession.line(login);
        if (res.status >= 400) {
          return run.result('inconclusive', `the replayed login ${line} failed with ${res.status} (a CSRF token, a one-time code or a changed password in the form?), so fixation cannot be tested this way.`);
        }
        const answer = setCookieOf(res, cookie.name);
        if (answer && (isRemoval(answer, Date.now()) || answer.value !== planted)) {
          return run.result('refuted', `the login ${line} ${isRemoval(answer, Date.now()) ? 'cleared' : 'replaced'} the planted ${cookie.name}: the session id is renewed at login.`, {
            subject: cookie.name,
            severity: 'info',
            exchangeId: login.id,
            message: `Server renews the id at login: the login ${line} replaced a planted ${cookie.name} with a new id, so a planted id is worthless.`,
          });
        }
        const kept = `the login ${line} (answered ${res.status}) ${answer ? 're-issued' : 'kept'} the planted ${cookie.name}`;
        let afterwards = '';
        if (loggedInView) {
          const view = await run.send(session.replay(loggedInView, { cookies: [...session.withoutSession(loggedInView).cookies, { name: cookie.name, value: planted }] }), viewWhy);
          const anonymous = await run.send(session.replay(loggedInView, session.withoutSession(loggedInView)), ANONYMOUS_WHY);
          const judgement = judgeLoggedIn(capturedAnswer(loggedInView), liveAnswer(view), liveAnswer(anonymous));
          if (judgement.state === 'logged-out') {
            return run.result('inconclusive', `${kept}, but ${CapturedSession.line(loggedInView)} with it is not logged in (${judgement.why}): the replayed login may not have logged in.`);
          }
          afterwards = judgement.state === 'logged-in' ? `, and ${CapturedSession.line(loggedInView)} with it is logged in: ${judgement.why}` : '';
        }
        return run.result('confirmed', `${kept}${afterwards}.`, {
          subject: cookie.name,
          severity: 'error',
          exchangeId: login.id,
          message: `Confirmed on the server: ${kept}${afterwards}. Someone who plants an id before the login shares the authenticated session. Issue a new session id on login (req.session.regenerate(), session_regenerate_id(true), request.changeSessionId(), cycle_key()).`,
        });
      });
    },
  };
}
