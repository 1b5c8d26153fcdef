import type { CookieHistoryEvent, CookieRecord, Exchange, SessionSnapshot } from './types';

/** What became of a cookie the session saw. */
export type CookieSeenState = 'live' | 'deleted' | 'expired' | 'evicted' | 'rejected';

/** Every cookie the session saw, with its state: the jar's live ones and those now gone. */
export interface CookieSeen {
  readonly state: CookieSeenState;
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  /** The live value, or the last value the cookie had before it went (a rejected one: the value offered). */
  readonly value: string;
  /** The live record, for live cookies. */
  readonly record?: CookieRecord;
  /** When it went (deleted, expired, evicted) or was refused, epoch ms. */
  readonly endedAt?: number;
  /** Why it was evicted or rejected, in words. */
  readonly reason?: string;
  /** The exchange that deleted or offered it. */
  readonly exchangeId?: number;
}

/**
 * The live cookies of the jar, then every cookie that is gone (its last event was a deletion,
 * an expiry or an eviction and it was not set again), then every Set-Cookie the jar refused,
 * with the browser's reason. A session cookie deleted at logout stays listed, with the value it
 * had, so its content can still be read.
 */
export function cookiesSeen(snapshot: Pick<SessionSnapshot, 'cookies' | 'cookieHistory' | 'exchanges'>): CookieSeen[] {
  const out: CookieSeen[] = snapshot.cookies.map((c) => ({ state: 'live', name: c.name, domain: c.domain, path: c.path, value: c.value, record: c }));
  const live = new Set(snapshot.cookies.map((c) => c.key));
  const last = new Map<string, { kind: string; time: number; value?: string; reason?: string; exchangeId?: number }>();
  const lastValue = new Map<string, string>();
  const where = new Map<string, { name: string; domain: string; path: string }>();
  for (const e of snapshot.cookieHistory) {
    if (e.newValue !== undefined) lastValue.set(e.cookieKey, e.newValue);
    const value = e.oldValue ?? lastValue.get(e.cookieKey);
    last.set(e.cookieKey, { kind: e.kind, time: e.time, ...(value !== undefined ? { value } : {}), ...(e.reason ? { reason: e.reason } : {}), ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}) });
    where.set(e.cookieKey, { name: e.name, domain: e.domain, path: e.path });
  }
  for (const [key, e] of last) {
    if (live.has(key) || (e.kind !== 'deleted' && e.kind !== 'expired' && e.kind !== 'evicted')) continue;
    const w = where.get(key)!;
    out.push({
      state: e.kind as CookieSeenState, ...w, value: e.value ?? '', endedAt: e.time,
      ...(e.reason ? { reason: e.reason } : {}), ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}),
    });
  }
  for (const ex of snapshot.exchanges) if (ex.cookiesSet.length > 0) out.push(...refusedCookiesOf(ex));
  return out;
}

/**
 * One cookie's entry among the gone ones of {@link cookiesSeen}, from its own history events
 * (oldest first): undefined when its last event leaves it in the jar. Callers check that the jar
 * does not hold it. Lets a reader that keeps the history by cookie update one cookie at a time.
 */
export function goneCookieOf(events: readonly CookieHistoryEvent[] | undefined): CookieSeen | undefined {
  const e = events?.[events.length - 1];
  if (!e || (e.kind !== 'deleted' && e.kind !== 'expired' && e.kind !== 'evicted')) return undefined;
  let lastValue: string | undefined;
  for (const event of events!) if (event.newValue !== undefined) lastValue = event.newValue;
  const value = e.oldValue ?? lastValue;
  return {
    state: e.kind, name: e.name, domain: e.domain, path: e.path, value: value ?? '', endedAt: e.time,
    ...(e.reason ? { reason: e.reason } : {}), ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}),
  };
}

/** The Set-Cookie headers of one exchange that the jar refused, as {@link cookiesSeen} lists them. */
export function refusedCookiesOf(ex: Exchange): CookieSeen[] {
  const out: CookieSeen[] = [];
  // The host is parsed only for the few exchanges with a refused cookie (not 10,000 URLs per call).
  let host: string | undefined;
  for (const sc of ex.cookiesSet) {
    if (sc.outcome !== 'rejected') continue;
    if (host === undefined) {
      host = '';
      try {
        host = new URL(ex.url).hostname;
      } catch {
        // an exchange without a parsable URL still lists its refused cookies
      }
    }
    out.push({ state: 'rejected', name: sc.name, domain: host, path: '', value: sc.value, endedAt: ex.responseReceivedAt ?? ex.startedAt, ...(sc.rejectReason ? { reason: sc.rejectReason } : {}), exchangeId: ex.id });
  }
  return out;
}
