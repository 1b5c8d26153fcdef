import type { Exchange } from '../session/types';
import type { AuditItem } from './auditItem';
import type { AuditSettings } from './auditSettings';
import { isLogout } from './authSteps';
import { type CookieClassification, classifyCookie, isNeverSessionName } from './classifyCookie';
import { setCookieAuditItems } from './cookieRules';
import { cacheableItem, isCacheableResponse } from './exchangeRules';
import { FAMILY, type FindingSlots, rankOf } from './findingSlots';
import { entropyItem, fateOf, fixationItem, isAuthStep, isGetLike, logoutItem, meaningfulIdItem, stateChangeOnGetItem } from './sessionRules';
import type { TokenRecord } from '../session/types';
import { type IssuedCookie, type SessionCookieInfo, holdsIds, isPlaceholderValue, issuedCookies, receivedAtOf, succeeded } from './trafficFacts';

interface Ranked {
  readonly rank: number;
  readonly item: AuditItem;
}

/** A login that kept a cookie value: a fixation once the next request shows the value was not renewed. */
interface OpenFixation {
  readonly rank: number;
  readonly ex: Exchange;
  readonly value: string;
  readonly why: string;
}

/** What the audit keeps about one cookie name: enough to say its findings at any time, a few records whatever the traffic. */
class CookieNameState {
  firstInfo: CookieClassification | undefined;
  firstSessionInfo: CookieClassification | undefined;
  lastClassified: string | undefined;
  promotedByChange = false;
  promotedByIssue = false;
  /** First finding per (rule, cause) of its Set-Cookie headers, judged as a session cookie and as any other cookie. */
  readonly sessionItems = new Map<string, Ranked>();
  plainItems: Map<string, Ranked> | undefined = new Map();
  fixation: Ranked | undefined;
  openFixations: OpenFixation[] = [];
  logout: Ranked | undefined;
  readonly stateChanges = new Map<string, Ranked>();
  firstId: { rank: number; entropy: AuditItem | undefined; meaning: AuditItem | undefined } | undefined;
  cacheable: Ranked | undefined;
  /** The slots this name fills now. */
  slotKeys: string[] = [];
  signature = '';
  /** The info `signature` was made from (the same object: the same signature). */
  signatureOf: SessionCookieInfo | undefined;
  /** {@link CookieNameAudit.info} as of the last change (undefined until computed). */
  info: SessionCookieInfo | undefined;
  infoStale = true;
  /** The step of {@link CookieNameAudit.add} that last touched the name, and its place among the names touched then. */
  touchedIn = -1;
  touchOrder = 0;
  /** The step that last marked the classification stale, and the signature before it. */
  restatedIn = -1;
  signatureBefore = '';
}

const NO_SENT: readonly { readonly name: string; readonly value: string }[] = [];

function keepFirst(map: Map<string, Ranked>, key: string, rank: number, item: AuditItem): boolean {
  const old = map.get(key);
  if (old && old.rank <= rank) return false;
  map.set(key, { rank, item });
  return true;
}

function firstOf(old: Ranked | undefined, rank: number, item: () => AuditItem): Ranked | undefined {
  return old && old.rank <= rank ? undefined : { rank, item: item() };
}

/**
 * The cookie-name rules of the traffic audit, kept up to date one exchange at a time: which names
 * are session cookies (by name and value, or because a login changed them), the Set-Cookie rules,
 * fixation, logout, state change on GET, entropy, meaningful ids and cacheable responses.
 * Every rule reports the first exchange (in start order) that shows its problem, like the
 * whole-session audit; a name that becomes a session cookie later has its findings re-judged.
 */
export class CookieNameAudit {
  private readonly names = new Map<string, CookieNameState>();
  /** Names whose findings changed in the current step (reused: one exchange touches a handful of names). */
  private readonly dirty = new Set<string>();
  /** Names marked stale in the current step (see {@link restate}). */
  private readonly restated: string[] = [];
  /** The current step (one per `add`), and the names touched in it so far. */
  private step = 0;
  private touches = 0;

  constructor(
    private readonly settings: AuditSettings,
    private readonly slots: FindingSlots,
    /** Told when the session-cookie classification of a name changes. */
    private readonly onInfoChange: (name: string) => void,
  ) {}

  /** The classification of a name as the whole-session audit's `sessionCookies` would give it now. */
  info(name: string): SessionCookieInfo | undefined {
    const s = this.names.get(name);
    return s ? this.effectiveInfo(s) : undefined;
  }

  private effectiveInfo(s: CookieNameState): SessionCookieInfo | undefined {
    if (s.infoStale) {
      s.info = this.computeInfo(s);
      s.infoStale = false;
    }
    return s.info;
  }

  private computeInfo(s: CookieNameState): SessionCookieInfo | undefined {
    if (s.firstSessionInfo) return { ...s.firstSessionInfo, promoted: false };
    if (!s.firstInfo) return undefined;
    if (s.promotedByChange || (s.promotedByIssue && s.firstInfo.valueKind !== 'other')) return { ...s.firstInfo, isSession: true, promoted: true };
    return { ...s.firstInfo, promoted: false };
  }

  private state(name: string): CookieNameState {
    let s = this.names.get(name);
    if (!s) {
      s = new CookieNameState();
      this.names.set(name, s);
    }
    return s;
  }

  private consider(s: CookieNameState, name: string, value: string): void {
    if (s.firstSessionInfo || s.lastClassified === value) return;
    s.lastClassified = value;
    const info = classifyCookie(name, value, this.settings);
    if (info.isSession) s.firstSessionInfo = info;
    else if (!s.firstInfo) s.firstInfo = info;
    else return;
    this.restate(s, name);
  }

  /**
   * Marks the classification of a name stale (its first values or a login changed it), noting the
   * signature it had before this step: only such names can change signature in a step (every
   * step ends with no stale name), so only they are compared at its end.
   */
  private restate(s: CookieNameState, name: string): void {
    s.infoStale = true;
    if (s.restatedIn === this.step) return;
    s.restatedIn = this.step;
    s.signatureBefore = s.signature;
    this.restated.push(name);
  }

  /** The state of a name, stamped with its first touch in this step (the order names are re-read in). */
  private touch(name: string): CookieNameState {
    const s = this.state(name);
    if (s.touchedIn !== this.step) {
      s.touchedIn = this.step;
      s.touchOrder = this.touches++;
    }
    return s;
  }

  /**
   * Takes in one finished exchange (the next in start order); `seq` is its place in that order.
   * `repeat`: it re-sends the previous exchange's cookies and neither is a login or sets a cookie
   * (see IncrementalAudit): its cookies have nothing new to say, only a logout can. `logout`:
   * {@link isLogout} of the exchange (the caller asked it already for the login).
   */
  add(ex: Exchange, seq: number, why: string | undefined, tokensById: ReadonlyMap<number, TokenRecord>, repeat = false, logout = isLogout(ex, this.settings)): void {
    const sent = ex.cookiesSent ?? NO_SENT;
    const issued = issuedCookies(ex);
    // No closures and no per-name bookkeeping for names nothing changes: this runs for every
    // exchange, and most re-send the cookies the previous one sent. The parts that only some
    // exchanges need (a Set-Cookie, a login, a logout) are methods of their own, so that the
    // optimising compiler gets the common path small and early.
    this.step++;
    this.touches = 0;
    this.restated.length = 0;
    if (this.dirty.size > 0) this.dirty.clear();
    if (!repeat) this.takeSent(ex, sent, seq);
    if (issued.length > 0) this.takeIssued(ex, sent, issued, seq, why);
    if (this.restated.length > 0) this.rereadRestated();
    if (issued.length > 0) this.judgeSetCookies(ex, issued, seq);
    if (why !== undefined) this.openFixations(ex, sent, seq, why);
    if (sent.length > 0 && logout && succeeded(ex)) this.takeLogout(ex, sent, seq);
    if (issued.length > 0) this.takeIssuedEffects(ex, sent, issued, seq, tokensById);
    if (this.dirty.size > 0) {
      for (const name of this.dirty) this.publish(name);
      this.dirty.clear();
    }
  }

  /** Who sent what: classification, first id value, and the end of an open fixation. */
  private takeSent(ex: Exchange, sent: readonly { readonly name: string; readonly value: string }[], seq: number): void {
    const dirty = this.dirty;
    for (let i = 0; i < sent.length; i++) {
      const c = sent[i];
      const s = this.touch(c.name);
      this.consider(s, c.name, c.value);
      if (!s.firstId && !isPlaceholderValue(c.value)) {
        s.firstId = { rank: rankOf(seq, i), entropy: entropyItem(c.name, c.value, ex, `Cookie: ${c.name}=${c.value}`), meaning: meaningfulIdItem(c.name, c.value, ex, `Cookie: ${c.name}=${c.value}`) };
        dirty.add(c.name);
      }
      // The first time the request sends the name (the list is emptied then: a repeat finds none).
      if (s.openFixations.length > 0) {
        // The next request that sends the cookie decides: a new value means the login did renew it.
        for (const open of s.openFixations) {
          if (c.value !== open.value) continue;
          const found = firstOf(s.fixation, open.rank, () => fixationItem(open.ex, c.name, open.why, true));
          if (found) s.fixation = found;
        }
        s.openFixations = [];
        dirty.add(c.name);
      }
    }
  }

  /** The first id values of issued cookies, and the cookies a login replaces or hands out (they become session cookies). */
  private takeIssued(ex: Exchange, sent: readonly { readonly name: string; readonly value: string }[], issued: readonly IssuedCookie[], seq: number, why: string | undefined): void {
    const dirty = this.dirty;
    for (let j = 0; j < issued.length; j++) {
      const c = issued[j];
      if (c.deletion) continue;
      const s = this.touch(c.parsed.name);
      this.consider(s, c.parsed.name, c.parsed.value);
      if (!s.firstId && !isPlaceholderValue(c.parsed.value)) {
        s.firstId = { rank: rankOf(seq, sent.length + j), entropy: entropyItem(c.parsed.name, c.parsed.value, ex, `Set-Cookie: ${c.record.raw}`), meaning: meaningfulIdItem(c.parsed.name, c.parsed.value, ex, `Set-Cookie: ${c.record.raw}`) };
        dirty.add(c.parsed.name);
      }
    }
    if (why === undefined) return;
    // A login that replaces or hands out a cookie makes it a session cookie.
    const sentValues = new Map(sent.map((c) => [c.name, c.value]));
    for (const c of issued) {
      if (c.deletion || isNeverSessionName(c.parsed.name)) continue;
      const s = this.touch(c.parsed.name);
      const was = sentValues.get(c.parsed.name);
      if (was !== undefined && was !== c.parsed.value && !s.promotedByChange) {
        s.promotedByChange = true;
        this.restate(s, c.parsed.name);
      } else if (was === undefined && !s.promotedByIssue) {
        s.promotedByIssue = true;
        this.restate(s, c.parsed.name);
      }
    }
  }

  /** Names whose classification may have changed, in the order they were first touched: their findings are re-read. */
  private rereadRestated(): void {
    const restated = this.restated;
    if (restated.length > 1) restated.sort((a, b) => this.names.get(a)!.touchOrder - this.names.get(b)!.touchOrder);
    for (const name of restated) {
      const s = this.names.get(name)!;
      const info = this.effectiveInfo(s);
      if (info !== s.signatureOf || info === undefined) {
        s.signatureOf = info;
        s.signature = info ? `${info.isSession}\u0000${info.valueKind}\u0000${info.framework ?? ''}` : '';
      }
      if (s.signature !== s.signatureBefore) {
        this.dirty.add(name);
        // Once a session cookie, always one: the other reading of its Set-Cookie headers is not needed again.
        if (info?.isSession) s.plainItems = undefined;
        this.onInfoChange(name);
      }
    }
  }

  /** Set-Cookie rules: judged both ways while the name may still turn out to be a session cookie. */
  private judgeSetCookies(ex: Exchange, issued: readonly IssuedCookie[], seq: number): void {
    const context = {
      requestUrl: ex.upstreamUrl ?? ex.url,
      receivedAt: receivedAtOf(ex),
      ...(ex.serverDate !== undefined ? { serverDate: ex.serverDate } : {}),
      exchangeId: ex.id,
      settings: this.settings,
    };
    const asSession = { ...context, isSession: true };
    const asPlain = { ...context, isSession: false };
    for (let j = 0; j < issued.length; j++) {
      const c = issued[j];
      const s = this.state(c.parsed.name);
      const isSession = this.effectiveInfo(s)?.isSession ?? false;
      // Only findings of a (rule, cause) not held yet: a later one never comes first, so its message is not built.
      const sessionItems = s.sessionItems;
      this.record(sessionItems, setCookieAuditItems(c.parsed, asSession, (ruleId, cause) => !sessionItems.has(`${ruleId}\u0000${cause}`)), seq, j, c.parsed.name);
      const plainItems = s.plainItems;
      if (!isSession && plainItems) this.record(plainItems, setCookieAuditItems(c.parsed, asPlain, (ruleId, cause) => !plainItems.has(`${ruleId}\u0000${cause}`)), seq, j, c.parsed.name);
    }
  }

  /** A login that kept a cookie opens a fixation, closed by the next request sending that cookie. */
  private openFixations(ex: Exchange, sent: readonly { readonly name: string; readonly value: string }[], seq: number, why: string): void {
    for (let i = 0; i < sent.length; i++) {
      const c = sent[i];
      if (isPlaceholderValue(c.value)) continue;
      const fate = fateOf(ex, c.name, c.value);
      if (fate === 'deleted' || fate === 'replaced') continue;
      const s = this.state(c.name);
      s.openFixations.push({ rank: rankOf(seq, i), ex, value: c.value, why });
      this.dirty.add(c.name);
    }
  }

  /** A successful logout that leaves a cookie it was sent alive. */
  private takeLogout(ex: Exchange, sent: readonly { readonly name: string; readonly value: string }[], seq: number): void {
    for (let i = 0; i < sent.length; i++) {
      const c = sent[i];
      if (c.value === '') continue;
      const fate = fateOf(ex, c.name, c.value);
      if (fate === 'deleted' || fate === 'replaced') continue;
      const s = this.state(c.name);
      const found = firstOf(s.logout, rankOf(seq, i), () => logoutItem(ex, c.name, fate));
      if (found) {
        s.logout = found;
        this.dirty.add(c.name);
      }
    }
  }

  /** What a Set-Cookie says beyond its own header: a GET that changes a cookie's state, a cacheable response that sets one. */
  private takeIssuedEffects(ex: Exchange, sent: readonly { readonly name: string; readonly value: string }[], issued: readonly IssuedCookie[], seq: number, tokensById: ReadonlyMap<number, TokenRecord>): void {
    // A GET changes the state of a cookie only by a Set-Cookie of it.
    if (sent.length > 0 && isGetLike(ex)) {
      let authPath: boolean | undefined;
      for (let i = 0; i < sent.length; i++) {
        const c = sent[i];
        if (c.value === '') continue;
        const fate = fateOf(ex, c.name, c.value);
        if (fate !== 'deleted' && fate !== 'replaced') continue;
        authPath ??= isAuthStep(ex, this.settings, tokensById);
        if (fate === 'replaced' && !authPath) continue;
        const it = stateChangeOnGetItem(ex, c.name, fate);
        if (keepFirst(this.state(c.name).stateChanges, it.cause, rankOf(seq, i), it)) this.dirty.add(c.name);
      }
    }
    if (isCacheableResponse(ex)) {
      for (let j = 0; j < issued.length; j++) {
        const c = issued[j];
        if (c.deletion) continue;
        const s = this.state(c.parsed.name);
        const found = firstOf(s.cacheable, rankOf(seq, j), () => cacheableItem(ex, c));
        if (found) {
          s.cacheable = found;
          this.dirty.add(c.parsed.name);
        }
      }
    }
  }

  /** Keeps the Set-Cookie items of issued cookie `j` that come first for their (rule, cause); marks the name dirty when one does. */
  private record(map: Map<string, Ranked>, items: readonly AuditItem[], seq: number, j: number, name: string): void {
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (keepFirst(map, `${it.finding.ruleId}\u0000${it.cause}`, rankOf(seq, j * 64 + k), it)) this.dirty.add(name);
    }
  }

  /** Writes the findings of one name into the slots (after any change to its state). */
  private publish(name: string): void {
    const s = this.names.get(name);
    if (!s) return;
    const info = this.effectiveInfo(s);
    const session = info?.isSession === true;
    const next = new Map<string, { item: AuditItem; order: number[] }>();
    const put = (family: number, key: string, r: Ranked | undefined): void => {
      if (r) next.set(`n\u0000${name}\u0000${family}\u0000${key}`, { item: r.item, order: [family, r.rank] });
    };
    const items = session ? s.sessionItems : s.plainItems ?? s.sessionItems;
    for (const [key, r] of items) put(FAMILY.setCookie, key, r);
    if (session) {
      if (holdsIds(name, info)) {
        const open = s.openFixations[0];
        put(FAMILY.fixation, '', s.fixation ?? (open ? { rank: open.rank, item: fixationItem(open.ex, name, open.why, false) } : undefined));
        if (s.firstId?.entropy) put(FAMILY.entropy, '', { rank: s.firstId.rank, item: s.firstId.entropy });
        if (s.firstId?.meaning) put(FAMILY.meaningfulId, '', { rank: s.firstId.rank, item: s.firstId.meaning });
      }
      put(FAMILY.logout, '', s.logout);
      for (const [cause, r] of s.stateChanges) put(FAMILY.stateChangeOnGet, cause, r);
      put(FAMILY.cacheable, '', s.cacheable);
    }
    for (const key of s.slotKeys) if (!next.has(key)) this.slots.set(key, undefined);
    for (const [key, { item, order }] of next) this.slots.set(key, item.finding, order);
    s.slotKeys = [...next.keys()];
  }
}
