import { holdsIds, isPlaceholderValue, issuedCookies } from '../audit/trafficFacts';
import type { ParsedSetCookie } from '../cookies/setCookie';
import type { Exchange } from '../session/types';
import { CapturedSession, isPlainPageView } from './capturedSession';
import { madeUpIdLike } from './madeUpId';
import { type ProbeResponse } from './probeHttp';
import { type ProbePlan, ProbeRun } from './probeRun';
import { ProbeInputError } from './types';

/** A session id cookie of the capture: its name, a value the server issued, and where it issued it. */
export interface SessionIdCookie {
  readonly name: string;
  readonly sample: string;
  /** The exchange whose answer set it (a page where the server hands out ids), or one that carried it. */
  readonly issuedAt: Exchange;
}

/** True when `name` holds opaque server-side session ids (not a signed payload or a JWT). */
export function isSessionIdCookie(session: CapturedSession, name: string, value: string): boolean {
  const info = session.cookieInfo(name);
  return info?.isSession === true && !isPlaceholderValue(value) && holdsIds(name, info);
}

/** The first session id cookie a response of the capture set (preferring `preferred` when it is one). */
export function firstSessionIdCookie(session: CapturedSession, preferred?: (name: string) => boolean): SessionIdCookie | undefined {
  let first: SessionIdCookie | undefined;
  for (const ex of session.exchanges) {
    for (const c of issuedCookies(ex)) {
      if (c.deletion || !isSessionIdCookie(session, c.parsed.name, c.parsed.value)) continue;
      const found = { name: c.parsed.name, sample: c.parsed.value, issuedAt: ex };
      if (!preferred || preferred(found.name)) return found;
      first ??= found;
    }
  }
  if (first) return first;
  for (const ex of session.exchanges) {
    for (const c of ex.cookiesSent) if (isSessionIdCookie(session, c.name, c.value) && (!preferred || preferred(c.name))) return { name: c.name, sample: c.value, issuedAt: ex };
  }
  return undefined;
}

/** The Set-Cookie of `name` in an answer (the last, as the browser keeps the last). */
export function setCookieOf(res: ProbeResponse, name: string): ParsedSetCookie | undefined {
  return res.setCookies.filter((c) => c.name === name).pop();
}

/** True when the Set-Cookie removes the cookie (empty value, Max-Age ≤ 0 or an Expires in the past). */
export function isRemoval(c: ParsedSetCookie, now: number): boolean {
  return c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.maxAge === undefined && c.expires !== undefined && c.expires.getTime() <= now);
}

/** The page to send a made-up id to: where the server hands out ids (a GET), or a page view that carried one, or the site root. */
function pageFor(session: CapturedSession, cookie: SessionIdCookie): { method: string; path: string; exchange?: Exchange } {
  if (cookie.issuedAt.method.toUpperCase() === 'GET') return { method: 'GET', path: cookie.issuedAt.path, exchange: cookie.issuedAt };
  const view = session.exchanges.find((ex) => isPlainPageView(ex, session) && ex.cookiesSent.some((c) => c.name === cookie.name));
  return view ? { method: 'GET', path: view.path, exchange: view } : { method: 'GET', path: '/' };
}

/**
 * Server adopts a session id it never issued: sends a made-up id shaped like the captured one,
 * and the same request without any (the control). The server kept it when it sets the cookie to
 * that very value, or when it hands a fresh id to the visitor without one but not to the one
 * with the made-up id (it took that id as a session of its own): `session-id-accepted-unissued`.
 */
export function planUnissuedProbe(session: CapturedSession): ProbePlan {
  const cookie = firstSessionIdCookie(session);
  if (!cookie) throw new ProbeInputError('the capture has no cookie holding an opaque session id (a signed-cookie or JWT session keeps its state in the cookie: there is no server-side id to plant)');
  const page = pageFor(session, cookie);
  const url = `${session.origin}${page.path}`;
  const madeUp = madeUpIdLike(cookie.sample);
  const plantedWhy = `with ${cookie.name}=${madeUp}: a made-up id shaped like the ones the server issues, never issued by it`;
  const controlWhy = `without ${cookie.name}: does the server hand a new id to a visitor without one? (the control)`;
  const request = (cookies: readonly { readonly name: string; readonly value: string }[]) => (page.exchange
    ? session.replay(page.exchange, { cookies })
    : { method: 'GET', url, headers: cookies.length ? [{ name: 'Cookie', value: cookies.map((c) => `${c.name}=${c.value}`).join('; ') }] : [] });
  const others = page.exchange ? session.withoutSession(page.exchange).cookies : [];
  return {
    probe: 'unissued',
    ruleId: 'session-id-accepted-unissued',
    target: session.origin,
    steps: [{ method: page.method, url, why: controlWhy }, { method: page.method, url, why: plantedWhy }],
    run: (limits) => {
      const run = new ProbeRun('unissued', 'session-id-accepted-unissued', limits);
      return run.guard(async () => {
        const control = await run.send(request(others), controlWhy);
        const planted = await run.send(request([...others, { name: cookie.name, value: madeUp }]), plantedWhy);
        const now = Date.now();
        const answer = setCookieOf(planted, cookie.name);
        const fresh = setCookieOf(control, cookie.name);
        const sent = `GET ${page.path.split('?')[0]} with a made-up ${cookie.name}`;
        const confirm = (why: string) => run.result('confirmed', `${sent}: ${why}.`, {
          subject: cookie.name,
          severity: 'warning',
          ...(page.exchange ? { exchangeId: page.exchange.id } : {}),
          message: `Confirmed on the server: the server adopts a session id it never issued (${why}). Whoever plants an id in a victim's browser (a subdomain cookie, a link on servers that take ids from URLs) knows the id of the victim's session: the precondition of session fixation. Reject ids the session store does not know and issue a fresh one (PHP: session.use_strict_mode=1; custom stores: never create a session under a client-supplied id), and renew the id at login.`,
        });
        if (answer && !isRemoval(answer, now) && answer.value === madeUp) return confirm('its answer set the cookie to the made-up value');
        if (answer) {
          return run.result('refuted', `${sent}: the server ${isRemoval(answer, now) ? 'cleared it' : 'replaced it with an id of its own'}, so it does not adopt ids it never issued.`);
        }
        if (fresh && !isRemoval(fresh, now)) return confirm('it hands a new id to a visitor without one, but kept the made-up one without replacing it');
        return run.result('inconclusive', `${sent}: the server set no ${cookie.name} in either answer, so its answers do not tell whether it took the id (run the fixation probe: it checks whether a planted id survives a login).`);
      });
    },
  };
}
