import { type Cookie, CookieJar, MemoryCookieStore, canonicalDomain, getPublicSuffix, pathMatch } from 'tough-cookie';
import { parseSetCookie } from '../cookies/setCookie';
import type { BrowserJarCookie, CookieHistoryEvent, CookieRecord, ExchangeSource, SetCookieRecord } from './types';

/** A history event before the store numbers it. */
export type CookieEventDraft = Omit<CookieHistoryEvent, 'seq'>;

/** The exchange a cookie operation belongs to. */
export interface CookieContext {
  /** When the response (or request) was received, epoch ms. */
  readonly time: number;
  readonly exchangeId: number;
  /** The server's Date header of the response, epoch ms. */
  readonly serverDate?: number;
  /** The capture source of the exchange. */
  readonly source?: ExchangeSource;
}

/**
 * Attributes compared to tell 'attributes-changed' apart from a refresh. A rolling session
 * re-sends the cookie with a later Expires (or the same Max-Age) on every response: that moves
 * `expiresAt` in the record but is no history event. A different Max-Age, or a switch between
 * session and persistent cookie, is.
 */
const COMPARED_ATTRIBUTES = ['hostOnly', 'maxAge', 'secure', 'httpOnly', 'sameSiteRaw', 'partitioned', 'priority'] as const;
/** Entries of the repeat cache (identical Set-Cookie for the same host and directory). */
const REPEAT_CACHE_SIZE = 512;

/** Hosts (and origins per host) whose matching cookies are kept between jar changes. */
const SENT_CACHE_SIZE = 1024;

/** Cookies a browser keeps per registrable domain (Chrome's kDomainMaxCookies; Firefox also 180). */
export const MAX_COOKIES_PER_DOMAIN = 180;
/** Cookies a browser keeps in all (Chrome's kMaxCookies). */
export const MAX_COOKIES = 3300;

/** Largest time a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** Host and directory (the default-path) of a URL: equal scopes give equal cookies for the same header. */
function scopeOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^?#]*)/i.exec(url);
  if (!m) return undefined;
  const slash = m[2].lastIndexOf('/');
  return `${m[1].toLowerCase()}\u0000${slash <= 0 ? '/' : m[2].slice(0, slash)}`;
}

type MutableCookie = { -readonly [K in keyof CookieRecord]: CookieRecord[K] };
const NO_EVENTS: readonly CookieEventDraft[] = Object.freeze([]);

function keyOf(domain: string, path: string, name: string): string {
  return `${domain};${path};${name}`;
}

/**
 * The browser's cookie jar as seen from the traffic: a tough-cookie jar (domain and path
 * matching, host-only vs domain cookies, Max-Age over Expires, prefix rules) plus a record per
 * cookie with the raw attributes the audit needs and the history of each change.
 */
export class CookieMirror {
  private readonly store = new MemoryCookieStore();
  private jar = this.newJar();
  /** Current cookies; mutable inside the mirror, copied by records(). */
  private readonly byKey = new Map<string, MutableCookie>();
  private nextExpiry = Infinity;
  /** Set-Cookie header → where it last applied, for headers that repeat on every response. */
  private readonly repeats = new Map<string, { url: string; scope: string; key: string; record?: SetCookieRecord }>();
  /** Cookie key → its domain group, least recently used (set or sent) first. */
  private readonly recency = new Map<string, string>();
  /** Domain group → its cookie keys, least recently used first. */
  private readonly groups = new Map<string, Map<string, true>>();
  /** Domain → domain group (registrable domain), cached. */
  private readonly groupOfDomain = new Map<string, string>();
  /**
   * The jar's cookies of every path that a request to a scheme and host would send, per canonical
   * host and then per `scheme//host`: a request asked the jar for every exchange, and between two
   * changes of the jar the answer is the same (it is asked without the expiry check); a request
   * only filters it by path. A change of a cookie of domain D drops the hosts D can match.
   */
  private readonly sentByHost = new Map<string, Map<string, Cookie[]>>();

  private newJar(): CookieJar {
    // Strict prefix checks so a rejected __Host-/__Secure- cookie is reported, not silently dropped.
    return new CookieJar(this.store, { looseMode: true, rejectPublicSuffixes: true, allowSpecialUseDomain: true, prefixSecurity: 'strict' });
  }

  /** Current cookies, sorted by domain, path, name. */
  records(): CookieRecord[] {
    return [...this.byKey.values()].map((c): CookieRecord => ({ ...c })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The current record of one cookie (a copy), if it is in the jar. */
  record(key: string): CookieRecord | undefined {
    const c = this.byKey.get(key);
    return c === undefined ? undefined : { ...c };
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Forgets every cookie. */
  clear(): void {
    this.byKey.clear();
    this.repeats.clear();
    this.recency.clear();
    this.groups.clear();
    this.sentByHost.clear();
    this.jar.removeAllCookiesSync();
    this.jar = this.newJar();
    this.nextExpiry = Infinity;
  }

  /** Applies one Set-Cookie header received for `url`. Never throws. */
  applySetCookie(raw: string, url: string, ctx: CookieContext): { record: SetCookieRecord; events: readonly CookieEventDraft[] } {
    const seen = this.repeats.get(raw);
    const known = seen === undefined ? undefined : seen.url === url || seen.scope === scopeOf(url) ? seen.key : undefined;
    if (known !== undefined) {
      const old = this.byKey.get(known);
      // The very same header for the same host and directory: tough-cookie would store the same
      // cookie again, so only the receipt time and the expiry it anchors move (a busy app's hot path).
      if (old && old.setCookie === raw && old.receivedAt <= ctx.time) {
        const expiresAt = old.maxAge !== undefined ? Math.min(ctx.time + old.maxAge * 1000, MAX_DATE_MS) : old.expiresAt;
        if (expiresAt === undefined || expiresAt > ctx.time) {
          old.receivedAt = ctx.time;
          old.lastSeen = ctx.time;
          this.used(known);
          if (expiresAt !== undefined) old.expiresAt = expiresAt;
          if (ctx.serverDate !== undefined) old.serverDate = ctx.serverDate;
          if (expiresAt !== undefined && expiresAt < this.nextExpiry) this.nextExpiry = expiresAt;
          // The record is plain data and the same for every repeat: one frozen object serves them all.
          let record = (seen as { record?: SetCookieRecord }).record;
          if (record === undefined || record.name !== old.name || record.value !== old.value || record.cookieKey !== known) {
            record = Object.freeze({ raw, name: old.name, value: old.value, outcome: 'stored', cookieKey: known });
            (seen as { record?: SetCookieRecord }).record = record;
          }
          return { record, events: NO_EVENTS };
        }
      }
    }
    const result = this.applySlow(raw, url, ctx);
    if (result.record.outcome === 'stored' && result.record.cookieKey) {
      const scope = scopeOf(url);
      if (scope !== undefined) {
        if (this.repeats.size >= REPEAT_CACHE_SIZE) this.repeats.clear();
        this.repeats.set(raw, { url, scope, key: result.record.cookieKey });
      }
    }
    return result;
  }

  private applySlow(raw: string, url: string, ctx: CookieContext): { record: SetCookieRecord; events: CookieEventDraft[] } {
    const parsed = parseSetCookie(raw);
    if (!parsed) {
      return { record: { raw, name: '', value: '', outcome: 'rejected', rejectReason: 'ignored by browsers: empty name and value' }, events: [] };
    }
    const base = { raw, name: parsed.name, value: parsed.value };
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(`${parsed.name}=${parsed.value}`)) {
      return { record: { ...base, outcome: 'rejected', rejectReason: 'ignored by browsers: control character in name or value' }, events: [] };
    }
    let cookie: Cookie | undefined;
    try {
      cookie = this.setInJar(raw, url, ctx.time);
    } catch (err) {
      return { record: { ...base, outcome: 'rejected', rejectReason: err instanceof Error ? err.message : String(err) }, events: [] };
    }
    if (!cookie || !cookie.domain || !cookie.path) {
      return { record: { ...base, outcome: 'rejected', rejectReason: 'not a valid cookie for this URL' }, events: [] };
    }
    const key = keyOf(cookie.domain, cookie.path, cookie.key);
    const old = this.byKey.get(key);
    const rawExpiry = typeof cookie.maxAge === 'number'
      ? (cookie.maxAge <= 0 ? -Infinity : ctx.time + cookie.maxAge * 1000)
      : cookie.expires instanceof Date ? cookie.expires.getTime() : undefined;
    // A huge Max-Age stays representable as a Date (the 400-day browser clamp is the audit's call).
    const expiresAt = rawExpiry === undefined || rawExpiry === -Infinity ? rawExpiry : Math.min(rawExpiry, MAX_DATE_MS);
    const where = { cookieKey: key, name: cookie.key, domain: cookie.domain, path: cookie.path };

    if (expiresAt !== undefined && expiresAt <= ctx.time) {
      // Max-Age <= 0 or an Expires in the past: the browser deletes the cookie.
      this.removeFromJar(cookie.domain, cookie.path, cookie.key);
      this.byKey.delete(key);
      this.forget(key);
      const events: CookieEventDraft[] = old
        ? [{ kind: 'deleted', ...where, time: ctx.time, exchangeId: ctx.exchangeId, oldValue: old.value, setCookie: raw, via: 'set-cookie' }]
        : [];
      return { record: { ...base, outcome: 'deleted', cookieKey: key }, events };
    }

    const record: CookieRecord = {
      key,
      name: cookie.key,
      value: cookie.value,
      domain: cookie.domain,
      path: cookie.path,
      hostOnly: cookie.hostOnly === true,
      ...(parsed.expires ? { expires: parsed.expires.getTime() } : {}),
      ...(parsed.expiresRaw !== undefined ? { expiresRaw: parsed.expiresRaw } : {}),
      ...(parsed.maxAge !== undefined ? { maxAge: parsed.maxAge } : {}),
      receivedAt: ctx.time,
      ...(ctx.serverDate !== undefined ? { serverDate: ctx.serverDate } : {}),
      ...(expiresAt !== undefined && Number.isFinite(expiresAt) ? { expiresAt } : {}),
      secure: cookie.secure,
      httpOnly: cookie.httpOnly,
      ...(parsed.sameSite ? { sameSite: parsed.sameSite } : {}),
      ...(parsed.sameSiteRaw !== undefined ? { sameSiteRaw: parsed.sameSiteRaw } : {}),
      partitioned: parsed.partitioned,
      ...(parsed.priority ? { priority: parsed.priority } : {}),
      size: parsed.nameValueBytes,
      firstSeen: old?.firstSeen ?? ctx.time,
      lastSeen: ctx.time,
      origin: 'set-by-response',
      setCookie: raw,
      exchangeId: ctx.exchangeId,
      ...(ctx.source ? { capturedBy: ctx.source } : {}),
    };
    const events: CookieEventDraft[] = [];
    const common = { ...where, time: ctx.time, exchangeId: ctx.exchangeId, setCookie: raw, via: 'set-cookie' as const };
    if (!old) {
      events.push({ kind: 'created', ...common, newValue: record.value });
    } else {
      const changed: string[] = COMPARED_ATTRIBUTES.filter((a) => old[a] !== record[a]);
      if ((old.expiresAt === undefined) !== (record.expiresAt === undefined)) changed.push('expires');
      if (old.origin !== record.origin) changed.push('origin');
      if (old.value !== record.value) {
        events.push({ kind: 'value-changed', ...common, oldValue: old.value, newValue: record.value, ...(changed.length ? { changedAttributes: changed } : {}) });
      } else if (changed.length > 0) {
        events.push({ kind: 'attributes-changed', ...common, changedAttributes: changed });
      }
    }
    // An unchanged refresh keeps pointing at the exchange that produced the state.
    this.byKey.set(key, events.length === 0 && old ? { ...record, exchangeId: old.exchangeId } : record);
    if (record.expiresAt !== undefined && record.expiresAt < this.nextExpiry) this.nextExpiry = record.expiresAt;
    this.used(key, record.domain);
    if (!old) events.push(...this.evictBeyondLimits(key, record.domain, ctx));
    return { record: { ...base, outcome: 'stored', cookieKey: key }, events };
  }

  /**
   * Records the cookies a request sent. Cookies the jar does not know were set before the
   * capture began (or by page script): they become 'seen-in-request' records. A known cookie
   * sent with another value was changed by script (document.cookie). Keys of known cookies whose
   * `lastSeen` moved are added to `touched`, when given.
   */
  observeRequestCookies(url: string, sent: readonly { name: string; value: string }[], ctx: CookieContext, touched?: string[]): CookieEventDraft[] {
    if (sent.length === 0) return [];
    const known = this.cookiesFor(url);
    if (known === undefined) return [];
    const used = new Set<Cookie>();
    const events: CookieEventDraft[] = [];
    for (const { name, value } of sent) {
      const same = known.find((c) => !used.has(c) && c.key === name && c.value === value);
      if (same) {
        used.add(same);
        const key = this.touch(same, ctx.time);
        if (key !== undefined) touched?.push(key);
        continue;
      }
      const other = known.find((c) => !used.has(c) && c.key === name);
      if (other?.domain && other.path) {
        used.add(other);
        const key = keyOf(other.domain, other.path, name);
        const old = this.byKey.get(key);
        other.value = value;
        if (old) {
          this.used(key);
          const oldValue = old.value;
          // Changed by page script: no Set-Cookie produced this state any more.
          delete old.setCookie;
          old.value = value;
          old.size = Buffer.byteLength(name + value);
          old.lastSeen = ctx.time;
          old.exchangeId = ctx.exchangeId;
          events.push({ kind: 'value-changed', cookieKey: key, name, domain: other.domain, path: other.path, time: ctx.time, exchangeId: ctx.exchangeId, oldValue, newValue: value, via: 'request-cookie' });
        }
        continue;
      }
      let created: Cookie | undefined;
      try {
        created = this.setInJar(`${name}=${value}; Path=/`, url, ctx.time);
      } catch {
        created = undefined;
      }
      if (!created?.domain || !created.path) continue;
      const key = keyOf(created.domain, created.path, created.key);
      const record: CookieRecord = {
        key, name, value, domain: created.domain, path: created.path, hostOnly: true,
        receivedAt: ctx.time, secure: false, httpOnly: false, partitioned: false,
        size: Buffer.byteLength(name + value), firstSeen: ctx.time, lastSeen: ctx.time,
        origin: 'seen-in-request', exchangeId: ctx.exchangeId, ...(ctx.source ? { capturedBy: ctx.source } : {}),
      };
      this.byKey.set(key, record);
      events.push({ kind: 'created', cookieKey: key, name, domain: record.domain, path: record.path, time: ctx.time, exchangeId: ctx.exchangeId, newValue: value, via: 'request-cookie' });
      this.used(key, record.domain);
      events.push(...this.evictBeyondLimits(key, record.domain, ctx));
    }
    return events;
  }

  /**
   * Makes the mirror agree with the browser's own jar (a browser capture read it at
   * `ctx.readAt`): cookies the jar holds that no Set-Cookie showed (set by `document.cookie`, or
   * before the capture) are created as 'browser-jar' records, values changed by script are
   * updated, and cookies of `inScope` domains the jar no longer holds are deleted, unless they
   * were set or sent at or after `ctx.readAt` (the read may have raced them: the next one tells)
   * or came from another capture source (proxy, HAR) sharing the store. Every event says
   * `via: 'browser-jar'`. Returns the events and the keys of records that only gained
   * `inBrowserJar`. Never throws.
   */
  syncBrowserJar(jar: readonly BrowserJarCookie[], inScope: (domain: string) => boolean, ctx: CookieContext & { readonly readAt: number }): { events: CookieEventDraft[]; touched: string[] } {
    const events: CookieEventDraft[] = [];
    const touched: string[] = [];
    const held = new Set<string>();
    for (const c of jar) {
      const domain = c.domain.replace(/^\./, '').toLowerCase();
      if (!c.name && !c.value) continue;
      if (!domain || !inScope(domain)) continue;
      const key = keyOf(domain, c.path, c.name);
      held.add(key);
      // No exchange caused it: the timeline must not credit the latest one with it.
      const where = { cookieKey: key, name: c.name, domain, path: c.path, time: ctx.time, via: 'browser-jar' as const };
      const old = this.byKey.get(key);
      // Set or sent since the read began: the traffic is newer than this read.
      if (old && old.value !== c.value && old.lastSeen >= ctx.readAt) continue;
      if (old && old.value === c.value) {
        if (old.origin === 'seen-in-request') {
          // Only seen sent so far (a page script set it, then a request carried it before this read):
          // the jar knows where it came from and its attributes, which a Cookie header does not tell.
          const expiresAt = c.expires !== undefined && Number.isFinite(c.expires) ? Math.min(c.expires, MAX_DATE_MS) : undefined;
          this.byKey.set(key, {
            ...old, hostOnly: !c.domain.startsWith('.'), ...(expiresAt !== undefined ? { expires: expiresAt, expiresAt } : {}),
            secure: c.secure, httpOnly: c.httpOnly, ...(c.sameSite ? { sameSite: c.sameSite, sameSiteRaw: c.sameSite } : {}),
            partitioned: c.partitioned === true, ...(c.priority ? { priority: c.priority } : {}),
            // Its state is now the jar's (origin and attributes): the source shown is the jar, as for a cookie the jar showed first.
            origin: 'browser-jar', inBrowserJar: true, capturedBy: 'browser-jar',
          });
          this.putInJar(c, domain);
          touched.push(key);
          continue;
        }
        if (old.inBrowserJar !== true) {
          old.inBrowserJar = true;
          touched.push(key);
        }
        continue;
      }
      this.putInJar(c, domain);
      if (old) {
        const oldValue = old.value;
        // Changed by page script: no Set-Cookie produced this state any more.
        delete old.setCookie;
        old.value = c.value;
        old.size = Buffer.byteLength(c.name + c.value);
        old.lastSeen = ctx.time;
        old.exchangeId = ctx.exchangeId;
        old.inBrowserJar = true;
        this.used(key);
        events.push({ kind: 'value-changed', ...where, oldValue, newValue: c.value });
        continue;
      }
      const expiresAt = c.expires !== undefined && Number.isFinite(c.expires) ? Math.min(c.expires, MAX_DATE_MS) : undefined;
      const record: CookieRecord = {
        key, name: c.name, value: c.value, domain, path: c.path, hostOnly: !c.domain.startsWith('.'),
        receivedAt: ctx.time, ...(expiresAt !== undefined ? { expires: expiresAt, expiresAt } : {}),
        secure: c.secure, httpOnly: c.httpOnly, ...(c.sameSite ? { sameSite: c.sameSite, sameSiteRaw: c.sameSite } : {}),
        partitioned: c.partitioned === true, ...(c.priority ? { priority: c.priority } : {}),
        size: Buffer.byteLength(c.name + c.value), firstSeen: ctx.time, lastSeen: ctx.time,
        origin: 'browser-jar', exchangeId: ctx.exchangeId, inBrowserJar: true, capturedBy: 'browser-jar',
      };
      this.byKey.set(key, record);
      if (expiresAt !== undefined && expiresAt < this.nextExpiry) this.nextExpiry = expiresAt;
      this.used(key, domain);
      events.push({ kind: 'created', ...where, newValue: c.value });
    }
    for (const [key, r] of this.byKey) {
      if (held.has(key) || r.lastSeen >= ctx.readAt || !inScope(r.domain)) continue;
      // Another source's cookie (the proxy's browser, an imported HAR): this browser's jar does not speak for it.
      if (r.capturedBy === 'proxy' || r.capturedBy === 'har') continue;
      this.byKey.delete(key);
      this.forget(key);
      this.removeFromJar(r.domain, r.path, r.name);
      events.push({ kind: 'deleted', cookieKey: key, name: r.name, domain: r.domain, path: r.path, time: ctx.time, oldValue: r.value, via: 'browser-jar' });
    }
    return { events, touched };
  }

  /** Stores a cookie of the browser's jar in the tough-cookie jar, so the requests that send it match it. */
  private putInJar(c: BrowserJarCookie, domain: string): void {
    const attributes = [
      `Path=${c.path}`,
      ...(c.domain.startsWith('.') ? [`Domain=${domain}`] : []),
      ...(c.expires !== undefined && Number.isFinite(c.expires) ? [`Expires=${new Date(Math.min(c.expires, MAX_DATE_MS)).toUTCString()}`] : []),
      ...(c.secure ? ['Secure'] : []),
      ...(c.httpOnly ? ['HttpOnly'] : []),
    ];
    try {
      this.setInJar(`${c.name}=${c.value}; ${attributes.join('; ')}`, `${c.secure ? 'https' : 'http'}://${domain}${c.path}`);
    } catch {
      // The browser holds it; the mirror's record is what matters.
    }
  }

  /**
   * The cookies the jar would send to `url` (expired ones included: the mirror sweeps those
   * itself), in the jar's order; undefined when tough-cookie cannot read the URL.
   */
  private cookiesFor(url: string): Cookie[] | undefined {
    // What getCookies reads of the URL, parsed the same way.
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const host = canonicalDomain(parsed.hostname);
    if (host === undefined) return undefined;
    let path = parsed.pathname;
    try {
      path = decodeURI(path);
    } catch {
      // tough-cookie keeps the raw path too.
    }
    if (path === '') path = '/';
    // The cookies of every path for this scheme and host (domain match and Secure depend on nothing else), in the jar's order.
    const origin = `${parsed.protocol}//${parsed.hostname}`;
    let byOrigin = this.sentByHost.get(host);
    let all = byOrigin?.get(origin);
    if (all === undefined) {
      try {
        all = this.jar.getCookiesSync(url, { expire: false, http: true, allPaths: true });
      } catch {
        return undefined;
      }
      if (byOrigin === undefined) {
        if (this.sentByHost.size >= SENT_CACHE_SIZE) this.sentByHost.clear();
        this.sentByHost.set(host, byOrigin = new Map());
      }
      byOrigin.set(origin, all);
    }
    // Filtering a sorted list keeps the jar's order: the same answer as asking for this path.
    const known: Cookie[] = [];
    for (const c of all) if (typeof c.path !== 'string' || pathMatch(path, c.path)) known.push(c);
    return known;
  }

  /** Drops the cached answers a change of a cookie of `domain` may alter (every one when unknown). */
  private jarChanged(domain: string | null | undefined): void {
    if (this.sentByHost.size === 0) return;
    if (!domain) {
      this.sentByHost.clear();
      return;
    }
    // A superset of the hosts tough-cookie's domainMatch lets a cookie of `domain` reach.
    const dotted = `.${domain}`;
    for (const host of this.sentByHost.keys()) {
      if (host === domain || host.endsWith(dotted)) this.sentByHost.delete(host);
    }
  }

  /** Stores a Set-Cookie in the tough-cookie jar (throws what tough-cookie throws). */
  private setInJar(raw: string, url: string, time?: number): Cookie | undefined {
    let cookie: Cookie | undefined;
    try {
      cookie = this.jar.setCookieSync(raw, url, time === undefined ? { loose: true } : { now: new Date(time), loose: true });
    } catch (err) {
      // A throw may still have come after the store changed: forget every answer.
      this.jarChanged(undefined);
      throw err;
    }
    this.jarChanged(cookie === undefined ? undefined : cookie.domain);
    return cookie;
  }

  private removeFromJar(domain: string, path: string, name: string): void {
    this.store.removeCookie(domain, path, name, () => undefined);
    this.jarChanged(domain);
  }

  /** Marks a known cookie as sent at `time`; returns its key when its `lastSeen` moved. */
  private touch(c: Cookie, time: number): string | undefined {
    if (!c.domain || !c.path) return undefined;
    const key = keyOf(c.domain, c.path, c.key);
    const old = this.byKey.get(key);
    if (!old) return undefined;
    this.used(key);
    if (old.lastSeen >= time) return undefined;
    old.lastSeen = time;
    return key;
  }

  /**
   * Marks a cookie as just used (set or sent): it moves to the end of the eviction order.
   * `domain` is given for a cookie that may be new.
   */
  private used(key: string, domain?: string): void {
    let group = this.recency.get(key);
    if (group === undefined) {
      if (domain === undefined) return;
      group = this.groupOf(domain);
    } else {
      this.recency.delete(key);
      this.groups.get(group)?.delete(key);
    }
    this.recency.set(key, group);
    let members = this.groups.get(group);
    if (members === undefined) this.groups.set(group, members = new Map());
    members.set(key, true);
  }

  private forget(key: string): void {
    const group = this.recency.get(key);
    if (group === undefined) return;
    this.recency.delete(key);
    const members = this.groups.get(group);
    members?.delete(key);
    if (members?.size === 0) this.groups.delete(group);
  }

  /** The registrable domain (eTLD+1) a browser counts a cookie's domain under; the domain itself for IPs and localhost. */
  private groupOf(domain: string): string {
    let group = this.groupOfDomain.get(domain);
    if (group === undefined) {
      try {
        group = getPublicSuffix(domain, { allowSpecialUseDomain: true, ignoreError: true }) ?? domain;
      } catch {
        group = domain;
      }
      if (this.groupOfDomain.size >= REPEAT_CACHE_SIZE) this.groupOfDomain.clear();
      this.groupOfDomain.set(domain, group);
    }
    return group;
  }

  /**
   * Evicts cookies beyond the browser limits after `added` was stored: more than
   * MAX_COOKIES_PER_DOMAIN for its registrable domain, or more than MAX_COOKIES in all. The least
   * recently used (set or sent) go first, one at a time, as Firefox does; Chrome also weighs
   * Priority and Secure and purges in batches (down to 150 and 3000), which this does not. The
   * new cookie itself is never the one evicted. One 'evicted' event each, with the reason.
   */
  private evictBeyondLimits(added: string, domain: string, ctx: CookieContext): CookieEventDraft[] {
    const events: CookieEventDraft[] = [];
    const group = this.groupOf(domain);
    const members = this.groups.get(group);
    while (members !== undefined && members.size > MAX_COOKIES_PER_DOMAIN) {
      const victim = firstOtherThan(members.keys(), added);
      if (victim === undefined) break;
      events.push(this.evict(victim, `more than ${MAX_COOKIES_PER_DOMAIN} cookies for ${group}`, ctx));
    }
    while (this.recency.size > MAX_COOKIES) {
      const victim = firstOtherThan(this.recency.keys(), added);
      if (victim === undefined) break;
      events.push(this.evict(victim, `more than ${MAX_COOKIES} cookies in all`, ctx));
    }
    return events;
  }

  private evict(key: string, reason: string, ctx: CookieContext): CookieEventDraft {
    const r = this.byKey.get(key) as MutableCookie;
    this.byKey.delete(key);
    this.forget(key);
    this.removeFromJar(r.domain, r.path, r.name);
    return {
      kind: 'evicted', cookieKey: key, name: r.name, domain: r.domain, path: r.path, time: ctx.time, exchangeId: ctx.exchangeId,
      oldValue: r.value, via: 'limit', reason,
    };
  }

  /** Removes cookies whose expiry is at or before `now`; one 'expired' event each. */
  sweepExpired(now: number, exchangeId?: number): CookieEventDraft[] {
    if (now < this.nextExpiry) return [];
    const events: CookieEventDraft[] = [];
    let next = Infinity;
    for (const [key, r] of this.byKey) {
      if (r.expiresAt === undefined) continue;
      if (r.expiresAt > now) {
        if (r.expiresAt < next) next = r.expiresAt;
        continue;
      }
      this.byKey.delete(key);
      this.forget(key);
      this.removeFromJar(r.domain, r.path, r.name);
      events.push({
        kind: 'expired', cookieKey: key, name: r.name, domain: r.domain, path: r.path, time: r.expiresAt,
        ...(exchangeId !== undefined ? { exchangeId } : {}), oldValue: r.value, via: 'expiry',
      });
    }
    this.nextExpiry = next;
    return events;
  }
}

function firstOtherThan(keys: IterableIterator<string>, excluded: string): string | undefined {
  for (const key of keys) if (key !== excluded) return key;
  return undefined;
}
