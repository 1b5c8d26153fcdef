import type { CookieRecord, Exchange, TokenRecord } from '../session/types';
import type { Finding } from '../findings';
import { analyzeJwt } from '../jwt/analyze';
import type { AuditOptions } from './auditSession';
import { type AuditSettings, type AuditSettingsInput, resolveAuditSettings } from './auditSettings';
import { isLogout, loginReason } from './authSteps';
import { CookieNameAudit } from './cookieNameAudit';
import { CsrfTokenAudit } from './csrfTokenAudit';
import { corsReflectedItem, corsWildcardItem, credentialedCors } from './exchangeRules';
import { type AuditDelta, FAMILY, FindingSlots, rankOf } from './findingSlots';
import { JwtSightingAudit } from './jwtSightingAudit';
import { UrlTokenAudit } from './urlTokenAudit';

export type { AuditDelta } from './findingSlots';

/** Knobs of an incremental audit. */
export interface IncrementalAuditOptions extends AuditOptions {
  /**
   * Analyse the JWTs only when `findings()` is called, not after every step (default false). For a
   * reader that reads the findings once at the end (`session-lens audit`): each JWT location is
   * analysed once, for the token that speaks last, as in the whole-session audit. The deltas then
   * leave the JWT findings out.
   */
  readonly deferJwtAnalysis?: boolean;
}

/** Tokens by id, as the store knows them when an exchange finishes. */
export type TokenLookup = ReadonlyMap<number, TokenRecord>;

const NO_TOKENS: TokenLookup = new Map();

function startsBefore(a: Exchange, b: Exchange): boolean {
  return a.startedAt - b.startedAt < 0 || (a.startedAt === b.startedAt && a.id < b.id);
}

/**
 * True when `ex` sends the very cookies (names and values, in order) that `previous`, the exchange
 * audited just before it, sent. When neither of the two was a login nor carried a Set-Cookie, the
 * cookie-name and cookie-value rules learn nothing from the second sending: every value was
 * classified, measured and closed as a fixation by the first, and the ranks of its uses keep their
 * order (they are still the latest of all). Most exchanges of a session are such repeats: the
 * audit then skips their cookies.
 */
function repeatsCookies(previous: Exchange, ex: Exchange): boolean {
  const a = previous.cookiesSent;
  const b = ex.cookiesSent;
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  }
  return true;
}

/** Credentialed CORS per host: the first `*`/`null` answer per value, and the Origins echoed back. */
class CorsAudit {
  private readonly wildcards = new Set<string>();
  private readonly reflected = new Map<string, { rank: number; exchangeId: number; origins: string[] }>();

  constructor(private readonly slots: FindingSlots) {}

  add(ex: Exchange, seq: number): void {
    const cors = credentialedCors(ex);
    if (!cors) return;
    if (cors.wildcard) {
      const key = `c\u0000${cors.host}\u0000${cors.allowOrigin}`;
      if (this.wildcards.has(key)) return;
      this.wildcards.add(key);
      this.slots.set(key, corsWildcardItem(ex, cors).finding, [FAMILY.cors, 0, rankOf(seq, 0)]);
      return;
    }
    if (cors.reflected === undefined) return;
    let host = this.reflected.get(cors.host);
    if (!host) {
      host = { rank: rankOf(seq, 0), exchangeId: ex.id, origins: [] };
      this.reflected.set(cors.host, host);
    }
    if (host.origins.includes(cors.reflected)) return;
    host.origins.push(cors.reflected);
    if (host.origins.length >= 2) {
      this.slots.set(`c\u0000${cors.host}\u0000\u0000reflected`, corsReflectedItem(cors.host, host.origins, host.exchangeId).finding, [FAMILY.cors, 1, host.rank]);
    }
  }
}

/** The rule families' state for one audit run. */
interface AuditState {
  readonly names: CookieNameAudit;
  readonly urls: UrlTokenAudit;
  readonly cors: CorsAudit;
  readonly jwt: JwtSightingAudit | undefined;
  readonly csrf: CsrfTokenAudit;
}

/**
 * The traffic audit of a growing capture, one finished exchange at a time: `add` audits an
 * exchange once and returns the findings it added and removed (a later exchange can resolve a
 * finding, e.g. a fixation once the next request shows a new session id, or change its text).
 * Whole-session rules keep a small state per cookie name, URL value, host and JWT location.
 *
 * After every step `findings()` equals {@link auditSession} over the same exchanges (and the same
 * tokens and jar), in the same order. Exchanges should come in start order (`startedAt`, then
 * id); one that starts before an exchange already added makes the audit replay the exchanges it
 * still holds. `evict` forgets an exchange the ring buffer dropped; its findings stay.
 */
export class IncrementalAudit {
  private settings: AuditSettings;
  private now: number;
  private readonly slots = new FindingSlots();
  private state!: AuditState;
  /** Exchanges added and not evicted, in start order (for a replay). */
  private retained: Exchange[] = [];
  /** Start of `retained`: the ring buffer evicts the oldest, so evictions move this instead of shifting the array. */
  private retainedHead = 0;
  private last: Exchange | undefined;
  /** The last exchange applied neither was a login nor carried a Set-Cookie (see {@link repeatsCookies}). */
  private lastQuiet = false;
  /** Highest id evicted so far. */
  private lastEvictedId = 0;
  private seq = 0;
  private tokens: TokenLookup = NO_TOKENS;
  private jar: readonly CookieRecord[] = [];
  /** Ids of the exchanges in `retained`, to spot an exchange added twice. */
  private readonly seen = new Set<number>();

  /** JWT places changed since the last analysis (deferred mode). */
  private jwtsPending = false;

  constructor(settings?: AuditSettingsInput, private readonly options: IncrementalAuditOptions = {}) {
    this.settings = resolveAuditSettings(settings);
    this.now = typeof options.now === 'number' && Number.isFinite(options.now) ? options.now : Date.now();
    this.state = this.freshState();
  }

  private freshState(): AuditState {
    const urls: { audit?: UrlTokenAudit } = {};
    const names = new CookieNameAudit(this.settings, this.slots, (name) => urls.audit?.nameChanged(name));
    urls.audit = new UrlTokenAudit(this.slots, (name) => names.info(name));
    const analyzer = this.options.analyzeJwt;
    const checkWeakSecret = this.options.checkWeakSecret ?? true;
    const jwt = analyzer === false ? undefined : new JwtSightingAudit(this.slots, (token, location) =>
      (analyzer || analyzeJwt)(token, { now: this.now, maxTokenLifetimeSec: this.settings.maxTokenLifetimeSec, location, checkWeakSecret }));
    return { names, urls: urls.audit, cors: new CorsAudit(this.slots), jwt, csrf: new CsrfTokenAudit(this.settings) };
  }

  /**
   * Audits one finished exchange. `tokens` are the store's token records (at least those of this
   * exchange); JWT sightings from tokens come through {@link updateTokens}. Never throws.
   */
  add(exchange: Exchange, tokens: TokenLookup = this.tokens): AuditDelta {
    return this.addAll([exchange], tokens);
  }

  /**
   * Audits several finished exchanges (one store event's worth) and returns what they changed
   * together. The JWTs are analysed once, for what speaks at the end: a JWT that only led for a
   * moment within the batch is never analysed.
   */
  addAll(exchanges: Iterable<Exchange>, tokens: TokenLookup = this.tokens): AuditDelta {
    this.tokens = tokens;
    for (const exchange of exchanges) {
      if (!exchange || typeof exchange !== 'object' || this.seen.has(exchange.id)) continue;
      this.seen.add(exchange.id);
      if (this.last && startsBefore(exchange, this.last)) {
        this.replayWith(exchange);
      } else {
        this.retained.push(exchange);
        this.apply(exchange);
      }
    }
    this.publishJwts();
    return this.slots.takeDelta();
  }

  private publishJwts(): void {
    if (this.options.deferJwtAnalysis) {
      this.jwtsPending = true;
      return;
    }
    this.publishJwtsNow();
  }

  private publishJwtsNow(): void {
    this.jwtsPending = false;
    try {
      this.state.jwt?.publish();
    } catch {
      // The analyser failed: the JWT findings stay as they were.
    }
  }

  private apply(ex: Exchange): void {
    const seq = ++this.seq;
    const { names, urls, cors, jwt, csrf } = this.state;
    let why: string | undefined;
    // Asked once for the login and the cookie-name rules (undefined when it throws: they ask again).
    let logout: boolean | undefined;
    try {
      logout = isLogout(ex, this.settings);
    } catch { /* asked again */ }
    try {
      why = loginReason(ex, this.settings, this.tokens, logout);
    } catch {
      why = undefined;
    }
    const quiet = why === undefined && !((ex.cookiesSet?.length ?? 0) > 0);
    const repeat = quiet && this.lastQuiet && this.last !== undefined && repeatsCookies(this.last, ex);
    this.last = ex;
    this.lastQuiet = quiet;
    // One broken exchange must not stop the audit of the others: a family that throws leaves its
    // findings out, as the whole-session audit leaves out a rule that throws. (Blocks, not
    // closures: this runs for every exchange.)
    try {
      names.add(ex, seq, why, this.tokens, repeat, logout);
    } catch { /* left out */ }
    try {
      urls.add(ex, seq, this.tokens, repeat);
    } catch { /* left out */ }
    try {
      cors.add(ex, seq);
    } catch { /* left out */ }
    if (jwt) {
      try {
        jwt.addExchange(ex, seq);
      } catch { /* left out */ }
    }
    try {
      const item = csrf.add(ex, why !== undefined);
      if (item) this.slots.set(`csrf\u0000${item.finding.subject}\u0000${item.cause}`, item.finding, [FAMILY.csrfToken, rankOf(seq, 0)]);
    } catch { /* left out */ }
  }

  /** An exchange that started before one already audited: replays the retained exchanges in start order. */
  private replayWith(exchange: Exchange): void {
    let at = this.retained.length;
    while (at > this.retainedHead && startsBefore(exchange, this.retained[at - 1])) at--;
    this.retained.splice(at, 0, exchange);
    this.rebuild();
  }

  private rebuild(): void {
    // Findings whose evidence left the ring buffer cannot be found again: keep them as they are.
    // The ring buffer drops the oldest first: every id up to the last evicted one is gone.
    this.slots.pinEvidence((id) => id <= this.lastEvictedId);
    const pinned = new Map(this.slots.pinnedEntries());
    this.slots.clear();
    this.state = this.freshState();
    this.seq = 0;
    this.last = undefined;
    this.lastQuiet = false;
    for (let i = this.retainedHead; i < this.retained.length; i++) this.apply(this.retained[i]);
    this.slots.restorePinned(pinned);
    this.replayTokensAndJar();
  }

  private replayTokensAndJar(): void {
    const jwt = this.state.jwt;
    if (!jwt) return;
    jwt.updateJar(this.jar);
    jwt.updateTokens(this.tokens.values());
    this.publishJwts();
  }

  /** Takes in token records that are new or were seen again: JWTs in headers, bodies, URLs and Cookie headers. */
  updateTokens(records: Iterable<TokenRecord>, tokens?: TokenLookup): AuditDelta {
    if (tokens) this.tokens = tokens;
    const jwt = this.state.jwt;
    if (jwt) {
      try {
        jwt.updateTokens(records);
      } catch {
        // A broken record is left out.
      }
      this.publishJwts();
    }
    return this.slots.takeDelta();
  }

  /** Takes in the jar (after cookie changes): a JWT seen in a Cookie header is judged with the HttpOnly the jar gives it. */
  updateJar(cookies: readonly CookieRecord[]): AuditDelta {
    this.jar = cookies;
    const jwt = this.state.jwt;
    if (jwt) {
      jwt.updateJar(cookies);
      this.publishJwts();
    }
    return this.slots.takeDelta();
  }

  /**
   * Analyses the JWTs again: after the JWT analyser learned something (a weak-secret answer:
   * `'all'`, the default), or at a new time (`'time'`: only those whose analysis depends on it).
   */
  reanalyseJwts(now?: number, what: 'time' | 'all' = 'all'): AuditDelta {
    if (typeof now === 'number' && Number.isFinite(now)) this.now = now;
    const jwt = this.state.jwt;
    if (jwt) {
      jwt.reanalyse(what);
      this.publishJwts();
    }
    return this.slots.takeDelta();
  }

  /** Forgets an exchange the ring buffer dropped. Its findings stay: the user must not lose them because the buffer rolled. */
  evict(exchangeId: number): void {
    if (Number.isFinite(exchangeId)) this.lastEvictedId = Math.max(this.lastEvictedId, exchangeId);
    if (!this.seen.has(exchangeId)) return;
    const head = this.retainedHead;
    if (this.retained[head]?.id === exchangeId) {
      (this.retained as (Exchange | undefined)[])[head] = undefined;
      this.retainedHead = head + 1;
      if (this.retainedHead > 1024 && this.retainedHead * 2 > this.retained.length) {
        this.retained = this.retained.slice(this.retainedHead);
        this.retainedHead = 0;
      }
    } else {
      const i = this.retained.findIndex((ex, at) => at >= head && ex.id === exchangeId);
      if (i === -1) return;
      this.retained.splice(i, 1);
    }
    this.seen.delete(exchangeId);
  }

  /** Starts over (Clear Session, or new settings). Returns every finding as removed. */
  reset(settings?: AuditSettingsInput): AuditDelta {
    if (settings !== undefined) this.settings = resolveAuditSettings(settings);
    this.slots.clear();
    this.state = this.freshState();
    this.retained = [];
    this.retainedHead = 0;
    this.jwtsPending = false;
    this.lastEvictedId = 0;
    this.seen.clear();
    this.last = undefined;
    this.lastQuiet = false;
    this.seq = 0;
    this.tokens = NO_TOKENS;
    this.jar = [];
    return this.slots.takeDelta();
  }

  /** The current findings, sorted as {@link auditSession} sorts them (severity, exchange, rule). The list is shared: do not change it. */
  findings(): readonly Finding[] {
    if (this.jwtsPending) {
      this.publishJwtsNow();
      // Deferred mode: nobody follows the deltas.
      this.slots.takeDelta();
    }
    return this.slots.findings();
  }

  /**
   * What the audit forgot to stay bounded in a long capture (JWT sightings past
   * MAX_REMEMBERED_JWT_SIGHTINGS, cookie values past MAX_REMEMBERED_COOKIE_VALUES): 0 until a
   * session is that long. Findings already made stay; a later exchange no longer meets these.
   */
  get forgotten(): { readonly jwtSightings: number; readonly cookieValues: number } {
    return { jwtSightings: this.state.jwt?.forgotten ?? 0, cookieValues: this.state.urls.forgottenValues };
  }

  /** Number of exchanges audited and still held (not evicted). */
  get retainedExchanges(): number {
    return this.retained.length - this.retainedHead;
  }
}
