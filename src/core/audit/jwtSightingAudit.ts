import type { CookieRecord, Exchange, TokenRecord } from '../session/types';
import type { Finding } from '../findings';
import type { TokenLocation } from '../jwt/analyze';
import { dedupeFindings } from './auditItem';
import { FAMILY, type FindingSlots, rankOf } from './findingSlots';
import {
  type JwtSighting, isJwtTokenRecord, setCookieJwtSightings, sightingItems, sightingKey, sightingPlace, tokenJwtSighting,
} from './jwtTrafficFindings';

/** Analyser answers remembered (see `JwtSightingAudit.analyses`); past this, they are forgotten at once and the cache refills. */
const MAX_REMEMBERED_ANALYSES = 4096;

/**
 * JWT sightings remembered (token sightings, and Set-Cookie ones apart): twice the store's token
 * cap. Past this, the oldest that speak for no place are forgotten (counted in `forgotten`), so a
 * capture of any length holds a bounded audit: about 560 new JWT sightings per 10,000 exchanges of
 * bench/panel's mix grew the heap without end. What a forgotten sighting found stays found.
 */
export const MAX_REMEMBERED_JWT_SIGHTINGS = 4000;

/** A sighting with its place in the whole-session audit's list: Set-Cookie ones first (in start order), then tokens (by id). */
interface Listed {
  readonly sighting: JwtSighting;
  /** 0 for a Set-Cookie, 1 for a token. */
  readonly phase: 0 | 1;
  readonly order: number;
}

/** One location (a cookie name, a header, a body field…): only its newest token speaks. */
interface Place {
  bestSetCookie: Listed | undefined;
  readonly tokenKeys: Set<string>;
  /** The newest token sighting of the place, or undefined when it must be searched again. */
  bestToken: Listed | undefined;
  /** The analyser's findings for the token that speaks, what they were computed for, and whether they depend on the time. */
  analysis: { findings: Finding[]; timed: boolean; of: AnalysedFor } | undefined;
  slotKeys: string[];
}

/** What an analysis was made for: compared field by field before a key holding the whole token is built. */
interface AnalysedFor {
  readonly generation: number;
  readonly token: string;
  readonly kind: string;
  readonly name: string | undefined;
  readonly httpOnly: boolean | undefined;
}

/**
 * False only when a JWT's analysis cannot change with the time: its payload decodes to claims
 * without exp and nbf (nothing expires, nothing starts). Anything else (a nested or undecodable
 * token) counts as depending on it.
 */
export function dependsOnTime(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return true;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return true;
    return 'exp' in claims || 'nbf' in claims;
  } catch {
    return true;
  }
}

/** True when two jar readings give every cookie the same HttpOnly answer. */
function sameAnswers(a: ReadonlyMap<string, boolean>, b: ReadonlyMap<string, boolean>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, httpOnly] of a) if (b.get(key) !== httpOnly) return false;
  return true;
}

function newer(a: Listed, b: Listed | undefined): boolean {
  if (!b) return true;
  return a.sighting.time > b.sighting.time || (a.sighting.time === b.sighting.time && (a.phase - b.phase || a.order - b.order) < 0);
}

/**
 * The JWT findings of the traffic audit, kept up to date as exchanges finish and tokens are seen
 * again: every JWT with where it was seen (Set-Cookie values; the store's header, body, URL and
 * Cookie tokens), and per location only the newest one, analysed once and re-analysed when the
 * time, the jar's HttpOnly answer or a weak-secret result changes.
 */
export class JwtSightingAudit {
  private readonly places = new Map<string, Place>();
  private readonly setCookieKeys = new Set<string>();
  private readonly tokens = new Map<string, { record: TokenRecord; listed: Listed }>();
  private readonly tokenKeyById = new Map<number, string>();
  private jar = new Map<string, boolean>();
  private readonly dirty = new Set<string>();
  private analysisGeneration = 0;
  /**
   * The analyser's answers by token and location (and generation): when the speaker of a place
   * changes back and forth (users with their own Bearer JWTs taking turns), a token already
   * analysed there is not analysed again (the weak-secret search alone costs milliseconds).
   */
  private readonly analyses = new Map<string, { findings: Finding[]; timed: boolean }>();
  /** Sightings forgotten past {@link MAX_REMEMBERED_JWT_SIGHTINGS}. */
  forgotten = 0;

  constructor(
    private readonly slots: FindingSlots,
    private readonly analyze: (token: string, location: TokenLocation) => Finding[],
  ) {}

  private place(key: string): Place {
    let p = this.places.get(key);
    if (!p) {
      p = { bestSetCookie: undefined, tokenKeys: new Set(), bestToken: undefined, analysis: undefined, slotKeys: [] };
      this.places.set(key, p);
    }
    return p;
  }

  /** Takes in the Set-Cookie JWTs of one finished exchange (the next in start order). */
  addExchange(ex: Exchange, seq: number): void {
    // Most responses set no cookie.
    if (ex.cookiesSet !== undefined && ex.cookiesSet.length > 0) this.addSetCookies(ex, seq);
    if (this.setCookieKeys.size > MAX_REMEMBERED_JWT_SIGHTINGS) this.forgetSetCookies();
  }

  private addSetCookies(ex: Exchange, seq: number): void {
    setCookieJwtSightings(ex).forEach((sighting, i) => {
      const key = sightingKey(sighting);
      if (this.setCookieKeys.has(key)) return;
      this.setCookieKeys.add(key);
      const placeKey = sightingPlace(sighting);
      const p = this.place(placeKey);
      const listed: Listed = { sighting, phase: 0, order: rankOf(seq, i) };
      if (newer(listed, p.bestSetCookie)) p.bestSetCookie = listed;
      // A token with the same key is now the Set-Cookie's: mark its own place too.
      if (this.tokens.has(key)) this.dirty.add(sightingPlace(this.tokens.get(key)!.listed.sighting));
      this.dirty.add(placeKey);
    });
  }

  /** Takes in token records that are new or were seen again (their last sighting moved). */
  updateTokens(records: Iterable<TokenRecord>): void {
    for (const t of records) {
      if (!t || !isJwtTokenRecord(t)) continue;
      // The same record again (nothing moved): nothing to do, and nothing to build.
      const known = this.tokenKeyById.get(t.id);
      if (known !== undefined && this.tokens.get(known)?.record === t) continue;
      const sighting = tokenJwtSighting(t, (name, value) => this.jar.get(`${name}\u0000${value}`));
      const key = sightingKey(sighting);
      const old = this.tokens.get(key);
      if (old && old.record.id < t.id) continue;
      if (old && old.record === t) continue;
      const listed: Listed = { sighting, phase: 1, order: t.id };
      this.tokens.set(key, { record: t, listed });
      this.tokenKeyById.set(t.id, key);
      const placeKey = sightingPlace(sighting);
      const p = this.place(placeKey);
      p.tokenKeys.add(key);
      // A record seen again only gets newer: it can only take the lead. Anything else searches again.
      if (old && old.record.id !== t.id) p.bestToken = undefined;
      else if (p.bestToken && (p.bestToken.order === t.id || newer(listed, p.bestToken))) p.bestToken = listed;
      this.dirty.add(placeKey);
    }
    if (this.tokens.size > MAX_REMEMBERED_JWT_SIGHTINGS) this.forgetTokens();
  }

  /** Keys of the sightings that speak for a place now (or may: a token that leads its place's tokens). */
  private speakingKeys(): Set<string> {
    const keys = new Set<string>();
    for (const p of this.places.values()) {
      this.speaker(p);
      if (p.bestSetCookie) keys.add(sightingKey(p.bestSetCookie.sighting));
      if (p.bestToken) keys.add(sightingKey(p.bestToken.sighting));
    }
    return keys;
  }

  /** Forgets the oldest token sightings down to 90% of the cap (not one per call), except those that speak. */
  private forgetTokens(): void {
    const keep = this.speakingKeys();
    const target = Math.floor(MAX_REMEMBERED_JWT_SIGHTINGS * 0.9);
    for (const [key, { record, listed }] of this.tokens) {
      if (this.tokens.size <= target) break;
      if (keep.has(key)) continue;
      this.tokens.delete(key);
      this.tokenKeyById.delete(record.id);
      this.places.get(sightingPlace(listed.sighting))?.tokenKeys.delete(key);
      this.forgotten++;
    }
    // Ids of other records of a forgotten token point nowhere: drop them too.
    if (this.tokenKeyById.size > 2 * MAX_REMEMBERED_JWT_SIGHTINGS) {
      for (const [id, key] of this.tokenKeyById) if (!this.tokens.has(key)) this.tokenKeyById.delete(id);
    }
  }

  /** Forgets the oldest Set-Cookie sightings down to 90% of the cap, except those that speak. */
  private forgetSetCookies(): void {
    const keep = this.speakingKeys();
    const target = Math.floor(MAX_REMEMBERED_JWT_SIGHTINGS * 0.9);
    for (const key of this.setCookieKeys) {
      if (this.setCookieKeys.size <= target) break;
      if (keep.has(key)) continue;
      this.setCookieKeys.delete(key);
      this.forgotten++;
    }
  }

  /** Takes in the jar: a JWT seen in a Cookie header is HttpOnly when the jar holds it as set with HttpOnly. */
  updateJar(cookies: readonly CookieRecord[]): void {
    const jar = new Map<string, boolean>();
    for (const c of cookies) {
      const key = `${c.name}\u0000${c.value}`;
      if (c.origin === 'set-by-response' && !jar.has(key)) jar.set(key, c.httpOnly);
    }
    // The jar changes with most store events of a capture (a rolling session cookie), and the
    // sightings number thousands: walked without a copy, and only when an HttpOnly answer moved.
    const changed: TokenRecord[] = [];
    if (!sameAnswers(this.jar, jar)) {
      for (const { record } of this.tokens.values()) {
        if (record.source !== 'request-cookie') continue;
        const key = `${record.name}\u0000${record.value}`;
        if (this.jar.get(key) !== jar.get(key)) changed.push(record);
      }
    }
    this.jar = jar;
    if (changed.length === 0) return;
    for (const t of changed) this.tokens.delete(this.tokenKeyById.get(t.id)!);
    this.updateTokens(changed);
  }

  /**
   * Analyses places again on the next publish: every place when the analyser learned something (a
   * weak-secret answer: `'all'`), or when only the time moved on (`'time'`) those whose token's
   * analysis depends on the time (an exp or nbf claim, or a token that does not decode as plain
   * claims); the others' findings cannot have changed.
   */
  reanalyse(what: 'time' | 'all' = 'all'): void {
    if (what === 'all') {
      this.analysisGeneration++;
      this.analyses.clear();
      for (const key of this.places.keys()) this.dirty.add(key);
      return;
    }
    for (const [key, a] of this.analyses) if (a.timed) this.analyses.delete(key);
    for (const [key, p] of this.places) {
      if (!p.analysis?.timed) continue;
      p.analysis = undefined;
      this.dirty.add(key);
    }
  }

  private speaker(p: Place): Listed | undefined {
    if (!p.bestToken || this.setCookieKeys.has(sightingKey(p.bestToken.sighting))) {
      p.bestToken = undefined;
      for (const key of p.tokenKeys) {
        if (this.setCookieKeys.has(key)) continue;
        const t = this.tokens.get(key);
        if (t && newer(t.listed, p.bestToken)) p.bestToken = t.listed;
      }
    }
    return p.bestToken && newer(p.bestToken, p.bestSetCookie) ? p.bestToken : p.bestSetCookie;
  }

  /** Writes the findings of every place that changed. */
  publish(): void {
    for (const placeKey of this.dirty) {
      const p = this.places.get(placeKey);
      if (!p) continue;
      const listed = this.speaker(p);
      const next = new Map<string, { finding: Finding; order: number[] }>();
      if (listed) {
        const s = listed.sighting;
        // A token seen again only moves its evidence: the analysis of the same token at the same place is kept.
        let analysis = p.analysis;
        // The same token at the same place (a Bearer re-sent on every request) needs no key: building one flattens and hashes the whole token.
        if (analysis === undefined || analysis.of.generation !== this.analysisGeneration || analysis.of.token !== s.token || analysis.of.kind !== s.location.kind || analysis.of.name !== s.location.name || analysis.of.httpOnly !== s.location.httpOnly) {
          const key = `${this.analysisGeneration}\u0000${s.token}\u0000${s.location.kind}\u0000${s.location.name ?? ''}\u0000${s.location.httpOnly}`;
          let analysed = this.analyses.get(key);
          if (analysed === undefined) {
            let findings: Finding[];
            try {
              findings = this.analyze(s.token, s.location);
            } catch {
              findings = [];
            }
            analysed = { findings, timed: dependsOnTime(s.token) };
            if (this.analyses.size >= MAX_REMEMBERED_ANALYSES) this.analyses.clear();
            this.analyses.set(key, analysed);
          }
          analysis = { ...analysed, of: { generation: this.analysisGeneration, token: s.token, kind: s.location.kind, name: s.location.name, httpOnly: s.location.httpOnly } };
          p.analysis = analysis;
        }
        const cached = analysis.findings;
        const findings = dedupeFindings(sightingItems(s, () => cached));
        findings.forEach((f, i) => {
          next.set(`j\u0000${placeKey}\u0000${f.ruleId}\u0000${f.subject}`, { finding: f, order: [FAMILY.jwt, -s.time, listed.phase, listed.order, i] });
        });
      } else {
        p.analysis = undefined;
      }
      for (const key of p.slotKeys) if (!next.has(key)) this.slots.set(key, undefined);
      for (const [key, { finding, order }] of next) this.slots.set(key, finding, order);
      p.slotKeys = [...next.keys()];
    }
    this.dirty.clear();
  }
}
