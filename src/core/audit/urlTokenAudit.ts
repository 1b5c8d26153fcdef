import type { Exchange, TokenRecord } from '../session/types';
import {
  MIN_URL_VALUE_LENGTH, type UrlExchange, type UrlPlace, type UrlTarget, decodedCookieValue, isJwtPathPart, isTokenInUrl, locationTargetUrl, MAX_URL_TARGET_LENGTH, tokenInUrlItem, urlParts, urlTargetHeader, urlValueItem,
} from './exchangeRules';
import { FAMILY, type FindingSlots, rankOf } from './findingSlots';
import { type SessionCookieInfo, holdsIds, isPlaceholderValue, issuedCookies } from './trafficFacts';

/** The first place a value showed up in a URL (per query, fragment or path). */
interface UrlSighting {
  readonly rank: number;
  readonly ex: UrlExchange;
  readonly target: UrlTarget;
  /** A JWT as a path segment: reported as such while no session cookie has that value. */
  readonly jwtPath: boolean;
}

/** When a cookie last carried a value (ranks of occurrences in start order), long enough to count in URLs. */
interface ValueUse {
  last: number;
  /** Last occurrence that was not a placeholder ("deleted", "null"…). */
  lastReal: number;
}

const JWT_SUBJECT = '\u0000jwt';

/**
 * Cookie values remembered with the cookies that carried them (for a URL that shows one later).
 * Past this, the oldest values never seen in a URL are forgotten (counted in `forgottenValues`):
 * every login brings a new session id, ~1,400 values per 10,000 exchanges of bench/panel's mix,
 * which grew the extension host's heap without end. A finding already made stays.
 */
export const MAX_REMEMBERED_COOKIE_VALUES = 5000;

function slotKey(subject: string, where: UrlPlace): string {
  return `u\u0000${subject}\u0000${where}`;
}

/**
 * `session-token-in-url`, kept up to date one exchange at a time: URL tokens the store flagged,
 * JWTs in paths, and values of session cookies found in any URL or Location of the capture,
 * before or after the cookie carried them. Remembers the first URL place of every value and
 * the last cookie that carried each long value, so a cookie seen later still finds an older URL.
 */
export class UrlTokenAudit {
  /** First URL token (lowest token id) per slot. */
  private readonly byToken = new Map<string, { id: number; item: ReturnType<typeof tokenInUrlItem> }>();
  private readonly urlSightings = new Map<string, Map<UrlPlace, UrlSighting>>();
  private readonly valueUses = new Map<string, Map<string, ValueUse>>();
  private readonly valuesOfName = new Map<string, Set<string>>();
  /** The session cookie each URL-worthy value belongs to now (the last one that carried it). */
  private readonly owner = new Map<string, string>();
  /** Per slot, the values whose first URL place speaks for it. */
  private readonly candidates = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  /** Values forgotten past {@link MAX_REMEMBERED_COOKIE_VALUES}. */
  forgottenValues = 0;
  /** Size at which to try forgetting again: past a pass that could not get under its target (every value in a URL), not on every new value. */
  private forgetAt = MAX_REMEMBERED_COOKIE_VALUES;

  constructor(private readonly slots: FindingSlots, private readonly infoOf: (name: string) => SessionCookieInfo | undefined) {}

  /**
   * Takes in one finished exchange (the next in start order). `repeat`: it re-sends the previous
   * exchange's cookies, and neither sets one (see IncrementalAudit): the uses of those values keep
   * their order, so they are not counted again.
   */
  add(ex: Exchange, seq: number, tokensById: ReadonlyMap<number, TokenRecord>, repeat = false): void {
    // Indexed loops (no iterator objects): this runs for every exchange.
    const tokenIds = ex.tokenIds;
    if (tokenIds) for (let i = 0; i < tokenIds.length; i++) this.addToken(ex, tokensById.get(tokenIds[i]));
    if (!repeat) {
      const sent = ex.cookiesSent;
      let n = 0;
      if (sent) for (let i = 0; i < sent.length; i++) this.useValue(sent[i].name, sent[i].value, rankOf(seq, n++));
      const issued = issuedCookies(ex);
      for (let j = 0; j < issued.length; j++) this.useValue(issued[j].parsed.name, issued[j].parsed.value, rankOf(seq, n++));
    }

    // The request's URL, then each redirect's (urlTargets without the list: most exchanges show no value worth keeping).
    this.at = undefined;
    let ti = 0;
    const path = ex.path ?? '';
    if (path.length <= MAX_URL_TARGET_LENGTH) this.addUrl(ex, seq, ti++, path, undefined);
    const headers = ex.responseHeaders;
    if (headers) {
      for (let h = 0; h < headers.length; h++) {
        // Location headers only (headerValues without its list).
        if (headers[h].name.length !== 8 || headers[h].name.toLowerCase() !== 'location') continue;
        const location = headers[h].value;
        const url = locationTargetUrl(location);
        if (url.length <= MAX_URL_TARGET_LENGTH) this.addUrl(ex, seq, ti++, url, location);
      }
    }
    if (this.dirty.size > 0) this.publish();
  }

  /** A URL token of the store first seen in `ex` (tokens re-sent from an earlier exchange are not its own). */
  private addToken(ex: Exchange, t: TokenRecord | undefined): void {
    if (!t || t.exchangeId !== ex.id || !isTokenInUrl(t)) return;
    const item = tokenInUrlItem(t, ex);
    const key = slotKey(t.name, item.cause as UrlPlace);
    const old = this.byToken.get(key);
    if (old && old.id <= t.id) return;
    this.byToken.set(key, { id: t.id, item });
    this.dirty.add(key);
  }

  /** What sightings of the current exchange name as their exchange (made with the first of them). */
  private at: UrlExchange | undefined;

  /** Remembers the first place of each long value in one URL of `ex`, the `ti`-th it has. */
  private addUrl(ex: Exchange, seq: number, ti: number, url: string, location: string | undefined): void {
    // Only values as long as a session value looked for (a JWT is longer) can ever match: shorter ones are not kept.
    const parts = urlParts(url, MIN_URL_VALUE_LENGTH);
    let target: UrlTarget | undefined;
    for (let pi = 0; pi < parts.length; pi++) {
      const part = parts[pi];
      let places = this.urlSightings.get(part.value);
      if (places?.has(part.where)) continue;
      if (!places) {
        places = new Map();
        this.urlSightings.set(part.value, places);
      }
      target ??= { url, header: urlTargetHeader(ex, location), redirect: location !== undefined };
      this.at ??= { id: ex.id, method: ex.method, path: ex.path };
      const sighting: UrlSighting = { rank: rankOf(seq, ti * 1024 + pi), ex: this.at, target, jwtPath: isJwtPathPart(part) };
      places.set(part.where, sighting);
      this.attach(part.value, part.where, sighting, this.owner.get(part.value));
    }
  }

  /** Re-reads which values belong to session cookie `name` (its classification changed). */
  nameChanged(name: string): void {
    for (const value of this.valuesOfName.get(name) ?? []) this.reassign(value);
  }

  private useValue(name: string, raw: string, rank: number): void {
    if (raw.length < MIN_URL_VALUE_LENGTH) return;
    const value = decodedCookieValue(raw);
    if (value.length < MIN_URL_VALUE_LENGTH) return;
    let uses = this.valueUses.get(value);
    if (!uses) {
      if (this.valueUses.size >= this.forgetAt) this.forgetValues();
      uses = new Map();
      this.valueUses.set(value, uses);
    }
    let use = uses.get(name);
    if (use === undefined) {
      use = { last: -1, lastReal: -1 };
      uses.set(name, use);
      let values = this.valuesOfName.get(name);
      if (!values) {
        values = new Set();
        this.valuesOfName.set(name, values);
      }
      values.add(value);
    }
    use.last = rank;
    if (!isPlaceholderValue(raw)) use.lastReal = rank;
    // Ranks only grow: the owner keeps the value, and a name that is not a session cookie cannot take it.
    if (this.owner.get(value) === name || this.infoOf(name)?.isSession !== true) return;
    this.reassign(value);
  }

  /** Forgets the oldest values that no URL showed, down to 90% of the cap (not one per call). */
  private forgetValues(): void {
    const target = Math.floor(MAX_REMEMBERED_COOKIE_VALUES * 0.9);
    for (const [value, uses] of this.valueUses) {
      if (this.valueUses.size <= target) break;
      if (this.urlSightings.has(value)) continue;
      this.valueUses.delete(value);
      this.owner.delete(value);
      for (const name of uses.keys()) this.valuesOfName.get(name)?.delete(value);
      this.forgottenValues++;
    }
    // A pass walks every value: when values a URL showed keep the map over its target, the next pass waits for 10 % more, else each new value would walk them all again.
    this.forgetAt = this.valueUses.size > target ? this.valueUses.size + Math.ceil(MAX_REMEMBERED_COOKIE_VALUES * 0.1) : MAX_REMEMBERED_COOKIE_VALUES;
  }

  /** Gives a value to the session cookie that carried it last (or to none). */
  private reassign(value: string): void {
    let best: string | undefined;
    let bestRank = -1;
    for (const [name, use] of this.valueUses.get(value) ?? []) {
      const info = this.infoOf(name);
      if (info?.isSession !== true) continue;
      const rank = info.valueKind === 'jwt' ? use.last : holdsIds(name, info) ? use.lastReal : -1;
      if (rank > bestRank) {
        bestRank = rank;
        best = name;
      }
    }
    const was = this.owner.get(value);
    if (was === best) return;
    if (best === undefined) this.owner.delete(value);
    else this.owner.set(value, best);
    for (const [where, sighting] of this.urlSightings.get(value) ?? []) {
      this.detach(value, where, sighting, was);
      this.attach(value, where, sighting, best);
    }
  }

  private subjectOf(sighting: UrlSighting, where: UrlPlace, owner: string | undefined): string | undefined {
    if (owner !== undefined) return owner;
    return sighting.jwtPath && where === 'path' ? JWT_SUBJECT : undefined;
  }

  private attach(value: string, where: UrlPlace, sighting: UrlSighting, owner: string | undefined): void {
    const subject = this.subjectOf(sighting, where, owner);
    if (subject === undefined) return;
    const key = slotKey(subject, where);
    let set = this.candidates.get(key);
    if (!set) {
      set = new Set();
      this.candidates.set(key, set);
    }
    set.add(value);
    this.dirty.add(key);
  }

  private detach(value: string, where: UrlPlace, sighting: UrlSighting, owner: string | undefined): void {
    const subject = this.subjectOf(sighting, where, owner);
    if (subject === undefined) return;
    const key = slotKey(subject, where);
    const set = this.candidates.get(key);
    if (set?.delete(value)) this.dirty.add(key);
    if (set?.size === 0) this.candidates.delete(key);
  }

  /** Writes the changed slots: a URL token first, else the first URL place of the slot's values. */
  publish(): void {
    for (const key of this.dirty) {
      const token = this.byToken.get(key);
      if (token) {
        this.slots.set(key, token.item.finding, [FAMILY.tokenInUrl, 0, token.id]);
        continue;
      }
      let best: { sighting: UrlSighting; where: UrlPlace; subject: string } | undefined;
      for (const value of this.candidates.get(key) ?? []) {
        for (const [where, sighting] of this.urlSightings.get(value) ?? []) {
          const subject = this.subjectOf(sighting, where, this.owner.get(value));
          if (subject === undefined || slotKey(subject, where) !== key) continue;
          if (!best || sighting.rank < best.sighting.rank) best = { sighting, where, subject };
        }
      }
      if (!best) {
        this.slots.set(key, undefined);
        continue;
      }
      const item = urlValueItem(best.subject === JWT_SUBJECT ? undefined : best.subject, best.where, best.sighting.ex, best.sighting.target);
      this.slots.set(key, item.finding, [FAMILY.tokenInUrl, 1, best.sighting.rank]);
    }
    this.dirty.clear();
  }
}
