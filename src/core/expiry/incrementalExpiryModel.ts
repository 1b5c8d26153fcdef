import type { SessionChange } from '../session/changeFeed';
import type { CookieRecord, Exchange, SessionChangeEvent, SessionSnapshot, TokenRecord } from '../session/types';
import { type ClockSkew, DEFAULT_SKEW_THRESHOLD_MS, clockSkewFromLargest, serverHostOf } from './clockSkew';
import { type CookieSetting, CookieIssuances, type ExpiryModel, type ExpiryModelOptions, byReceipt, cookieSettingsOf, expiringSoonMsOf, isTokenCredential, receiptOf, seenCookieCredential, tokenCredential } from './expiryModel';
import { type CredentialExpiry, stateAt } from './expiryState';
import { registerCredentialChanges, registerCredentialIndex, unregisterCredentialIndex } from './credentialIndex';

/** A credential of the model by what it is made of: a cookie key or a token value (the ids name neither uniquely before they are built). */
type CredentialKey = `c:${string}` | `t:${string}`;

const cookieKey = (key: string): CredentialKey => `c:${key}`;
const tokenKey = (value: string): CredentialKey => `t:${value}`;

/**
 * The expiry model kept up to date from the session's change feed: a change updates only the
 * credentials it concerns (a Set-Cookie its cookie, a token sighting its token value, an eviction
 * the cookies that exchange set), and `model()` builds those again and nothing else. The rolling
 * (idle) vs absolute analysis of a cookie reads that cookie's Set-Cookie headers in the ring
 * buffer; the clock skew of a host keeps its Date samples per exchange, and a change of a host's
 * skew rebuilds only the credentials read with it, and only when the skew is (or was) corrected.
 *
 * After any sequence of change batches, `model(now)` equals `buildExpiryModel(store, { clock: () => now })`
 * over the store those batches came from, up to the order of `credentials` and `clocks`.
 */
export class IncrementalExpiryModel {
  private expiringSoonMs: number;
  private readonly skewThresholdMs: number;
  private readonly clock: () => number;

  private readonly exchanges = new Map<number, Exchange>();
  /** Set-Cookie headers per cookie key still in the ring buffer, in receipt order. */
  private readonly settingsByKey = new Map<string, CookieSetting[]>();
  /** What was read of each cookie's headers (told of each change of its list): a new header is read alone. */
  private readonly issuancesByKey = new Map<string, CookieIssuances>();
  /** Date-header samples (server minus local) per server host, by exchange id, and the largest (undefined: to be found again). */
  private readonly samplesByHost = new Map<string, { readonly byExchange: Map<number, number>; largest: number | undefined }>();
  private readonly skews = new Map<string, ClockSkew>();
  private readonly jar = new Map<string, CookieRecord>();
  /** Token records that are credentials of their own, by value, in the store's order. */
  private readonly tokensByValue = new Map<string, Map<number, TokenRecord>>();
  private readonly tokenValues = new Map<number, string>();
  /** Credentials that read an exchange other than by its Set-Cookie (a token's or a seen cookie's first exchange), for exchanges held. */
  private readonly readersByExchange = new Map<number, Set<CredentialKey>>();
  /** Credentials read with a host's skew, and the hosts each was read with. */
  private readonly credentialsByHost = new Map<string, Set<CredentialKey>>();
  private readonly hostsByCredential = new Map<CredentialKey, readonly string[]>();
  private readonly credentials = new Map<CredentialKey, CredentialExpiry>();
  /** The same credentials by id (the index the panel looks them up in), kept as they are built. */
  private readonly byId = new Map<string, CredentialExpiry>();
  /** No credential's state moves before this time (a lower bound: the pass over all states is skipped until then). */
  private nextStateChangeAt = -Infinity;
  private lastNow = -Infinity;

  /** Ids of credentials set or removed since the last model object; undefined: any may have (a clear). */
  private changedIds: Set<string> | undefined = new Set();
  /** The ids each of the latest model objects changed against the one before (undefined: unknown), for `credentialChangesSince`. */
  private readonly changeLog: { readonly model: ExpiryModel; readonly ids: ReadonlySet<string> | undefined }[] = [];

  private readonly dirty = new Set<CredentialKey>();
  private readonly dirtyHosts = new Set<string>();
  private last: ExpiryModel | undefined;

  constructor(options: ExpiryModelOptions = {}) {
    this.expiringSoonMs = expiringSoonMsOf(options);
    this.skewThresholdMs = options.skewThresholdMs ?? DEFAULT_SKEW_THRESHOLD_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** Starts over from a whole snapshot (a store that already held data when this model was made). */
  load(snapshot: Pick<SessionSnapshot, 'exchanges' | 'cookies' | 'tokens'>): void {
    this.clear();
    for (const ex of snapshot.exchanges) this.putExchange(ex);
    for (const c of snapshot.cookies) this.putCookie(c);
    for (const t of snapshot.tokens) this.putToken(t);
  }

  /** Takes in one batch of the change feed (`SessionStore.onDidChange`). Never throws. */
  apply(event: Pick<SessionChangeEvent, 'changes'>): void {
    for (const change of event.changes) this.applyChange(change);
  }

  /** A new `sessionLens.expiringSoonSeconds`: every credential is built again. */
  setExpiringSoonSeconds(seconds: number): void {
    const ms = expiringSoonMsOf({ expiringSoonSeconds: seconds });
    if (ms === this.expiringSoonMs) return;
    this.expiringSoonMs = ms;
    for (const key of this.credentials.keys()) this.dirty.add(key);
    this.forgetLast();
  }

  /** Credentials waiting to be built again (what the next `model()` costs is proportional to this, and to the hosts whose Date samples changed). */
  get pending(): number {
    return this.dirty.size;
  }

  /**
   * The model at `now`: the credentials changes concerned are built again, the others keep their
   * object unless their state moved. When nothing did, the previous model object is returned
   * (its `generatedAt` is then when its content last changed; every state holds at `now` too).
   */
  model(now = this.clock()): ExpiryModel {
    let changed = this.last === undefined;
    for (const host of this.dirtyHosts) changed = this.updateSkew(host) || changed;
    this.dirtyHosts.clear();
    for (const key of this.dirty) {
      changed = true;
      this.build(key, now);
    }
    this.dirty.clear();
    // A clock set back can move states back too: then every state is looked at.
    if (now >= this.nextStateChangeAt || now < this.lastNow) {
      let next = Infinity;
      for (const [key, c] of this.credentials) {
        next = Math.min(next, nextStateChange(c, now));
        const state = stateAt(c, now);
        if (state === c.state) continue;
        this.setCredential(key, { ...c, state });
        changed = true;
      }
      this.nextStateChangeAt = next;
    }
    this.lastNow = now;
    if (!changed && this.last) return this.last;
    this.forgetLast();
    this.last = { generatedAt: now, expiringSoonMs: this.expiringSoonMs, clocks: [...this.skews.values()], credentials: [...this.credentials.values()] };
    registerCredentialIndex(this.last, this.byId);
    this.logChanges(this.last);
    return this.last;
  }

  /** Notes what `model` changed against the model before it; the last few models can say what changed since any of them. */
  private logChanges(model: ExpiryModel): void {
    const log = this.changeLog;
    log.push({ model, ids: this.changedIds });
    this.changedIds = new Set();
    if (log.length > 16) log.shift();
    registerCredentialChanges(model, (since) => {
      const from = log.findIndex((e) => e.model === since);
      const to = log.findIndex((e) => e.model === model);
      if (from < 0 || to < from) return undefined;
      const ids = new Set<string>();
      for (let i = from + 1; i <= to; i++) {
        const step = log[i]!.ids;
        if (!step) return undefined;
        for (const id of step) ids.add(id);
      }
      return ids;
    });
  }

  /** The last model no longer matches what is kept (the kept index is about to change). */
  private forgetLast(): void {
    if (this.last) unregisterCredentialIndex(this.last);
    this.last = undefined;
  }

  private setCredential(key: CredentialKey, credential: CredentialExpiry): void {
    const before = this.credentials.get(key);
    if (before === credential) return;
    if (before) this.changedIds?.add(before.id);
    this.changedIds?.add(credential.id);
    if (before && before.id !== credential.id) this.byId.delete(before.id);
    this.credentials.set(key, credential);
    this.byId.set(credential.id, credential);
  }

  private deleteCredential(key: CredentialKey): void {
    const before = this.credentials.get(key);
    if (!before) return;
    this.changedIds?.add(before.id);
    this.credentials.delete(key);
    this.byId.delete(before.id);
  }

  private applyChange(c: SessionChange): void {
    switch (c.kind) {
      case 'cleared': this.clear(); break;
      case 'exchange-added':
      case 'exchange-updated':
      case 'exchange-finished': this.putExchange(c.exchange); break;
      case 'exchange-evicted': this.dropExchange(c.exchangeId); break;
      case 'cookie':
        if (c.cookie) this.putCookie(c.cookie);
        else this.dropCookie(c.event.cookieKey);
        break;
      case 'cookie-refreshed': this.putCookie(c.cookie); break;
      case 'token-seen': this.putToken(c.token); break;
      case 'token-dropped': this.dropToken(c.tokenId); break;
      case 'finding-added':
      case 'finding-removed': break;
    }
  }

  private clear(): void {
    for (const map of [this.exchanges, this.settingsByKey, this.issuancesByKey, this.samplesByHost, this.skews, this.jar, this.tokensByValue, this.tokenValues, this.readersByExchange, this.credentialsByHost, this.hostsByCredential, this.credentials]) map.clear();
    this.byId.clear();
    this.changedIds = undefined;
    this.nextStateChangeAt = -Infinity;
    this.dirty.clear();
    this.dirtyHosts.clear();
    this.forgetLast();
  }

  private putExchange(ex: Exchange): void {
    const old = this.exchanges.get(ex.id);
    this.exchanges.set(ex.id, ex);
    // Finishing an exchange whose response head was already taken in changes nothing a Set-Cookie is read with.
    const sameSettings = old !== undefined && old.cookiesSet === ex.cookiesSet && receiptOf(old) === receiptOf(ex) && old.url === ex.url && old.upstreamUrl === ex.upstreamUrl;
    if (!sameSettings) {
      if (old) this.removeSettings(ex.id, cookieSettingsOf(old));
      this.insertSettings(ex, cookieSettingsOf(ex));
    }
    this.putSample(old, ex);
    this.readersOf(ex.id);
  }

  private dropExchange(id: number): void {
    const ex = this.exchanges.get(id);
    if (!ex) return;
    this.exchanges.delete(id);
    this.removeSettings(id, cookieSettingsOf(ex));
    this.putSample(ex, undefined);
    this.readersOf(id);
    this.readersByExchange.delete(id);
  }

  /** Marks what reads exchange `id` (other than its own Set-Cookie headers) for building again. */
  private readersOf(id: number): void {
    for (const key of this.readersByExchange.get(id) ?? []) this.dirty.add(key);
  }

  private addReader(exchangeId: number, key: CredentialKey): void {
    // Only exchanges held: one the ring buffer dropped never comes back.
    if (!this.exchanges.has(exchangeId)) return;
    const set = this.readersByExchange.get(exchangeId);
    if (set) set.add(key);
    else this.readersByExchange.set(exchangeId, new Set([key]));
  }

  private removeSettings(id: number, settings: readonly CookieSetting[]): void {
    for (const key of new Set(settings.map((s) => s.key))) {
      const list = this.settingsByKey.get(key);
      if (!list) continue;
      // An exchange's headers are adjacent; usually the oldest (an eviction) or the newest (a response).
      let at = list[0].ex.id === id ? 0 : list.length - 1;
      if (at > 0) while (at >= 0 && list[at].ex.id !== id) at--;
      if (at < 0) continue;
      let start = at;
      let end = at + 1;
      while (start > 0 && list[start - 1].ex.id === id) start--;
      while (end < list.length && list[end].ex.id === id) end++;
      list.splice(start, end - start);
      this.issuancesByKey.get(key)?.removed(start, end - start);
      if (list.length === 0) {
        this.settingsByKey.delete(key);
        this.issuancesByKey.delete(key);
      }
      this.dirty.add(cookieKey(key));
    }
  }

  private insertSettings(ex: Exchange, settings: readonly CookieSetting[]): void {
    for (const key of new Set(settings.map((s) => s.key))) {
      const mine = settings.filter((s) => s.key === key);
      let list = this.settingsByKey.get(key);
      if (!list) this.settingsByKey.set(key, (list = []));
      // Receipt order; a capture records in order, so this is nearly always the end.
      let at = list.length;
      while (at > 0 && byReceipt(list[at - 1].ex, ex) > 0) at--;
      list.splice(at, 0, ...mine);
      this.issuancesByKey.get(key)?.inserted(at, mine.length);
      this.dirty.add(cookieKey(key));
    }
  }

  /** The Date sample of `before` is replaced by that of `after` (either may be missing). */
  private putSample(before: Exchange | undefined, after: Exchange | undefined): void {
    const sample = (ex: Exchange | undefined) => {
      const s = ex && ex.serverDate !== undefined && ex.responseReceivedAt !== undefined ? ex.serverDate - ex.responseReceivedAt : undefined;
      return s !== undefined && Number.isFinite(s) ? s : undefined;
    };
    const was = sample(before);
    const now = sample(after);
    if (was === now && (was === undefined || serverHostOf(before!) === serverHostOf(after!))) return;
    if (was !== undefined) {
      const host = serverHostOf(before!);
      const samples = this.samplesByHost.get(host);
      if (samples?.byExchange.delete(before!.id)) {
        if (samples.byExchange.size === 0) this.samplesByHost.delete(host);
        else if (was >= (samples.largest ?? Infinity)) samples.largest = undefined;
      }
      this.dirtyHosts.add(host);
    }
    if (now !== undefined) {
      const host = serverHostOf(after!);
      let samples = this.samplesByHost.get(host);
      if (!samples) this.samplesByHost.set(host, (samples = { byExchange: new Map(), largest: -Infinity }));
      samples.byExchange.set(after!.id, now);
      if (samples.largest !== undefined && now > samples.largest) samples.largest = now;
      this.dirtyHosts.add(host);
    }
  }

  /** Estimates a host's skew again; when what credentials read of it moved, marks them. Returns whether the clocks changed. */
  private updateSkew(host: string): boolean {
    const before = this.skews.get(host);
    const samples = this.samplesByHost.get(host);
    if (samples && samples.largest === undefined) {
      // The largest sample left (an eviction): found again among this host's samples, once for the batch.
      let largest = -Infinity;
      for (const s of samples.byExchange.values()) if (s > largest) largest = s;
      samples.largest = largest;
    }
    const after = samples ? clockSkewFromLargest(samples.largest!, samples.byExchange.size, host, this.skewThresholdMs) : undefined;
    if (after) this.skews.set(host, after);
    else this.skews.delete(host);
    const same = before !== undefined && after !== undefined && before.skewMs === after.skewMs && before.samples === after.samples && before.corrected === after.corrected;
    if (same) {
      // Keep the object: nothing of it moved.
      this.skews.set(host, before);
      return false;
    }
    // An uncorrected skew is read by no credential (no correction, no note).
    if (before?.corrected || after?.corrected) for (const key of this.credentialsByHost.get(host) ?? []) this.dirty.add(key);
    return true;
  }

  private putCookie(c: CookieRecord): void {
    const before = this.jar.get(c.key);
    this.jar.set(c.key, c);
    this.addReader(c.exchangeId, cookieKey(c.key));
    // A cookie the capture saw set is read from its Set-Cookie headers, not from the jar.
    if (!this.settingsByKey.has(c.key) || !before) this.dirty.add(cookieKey(c.key));
  }

  private dropCookie(key: string): void {
    if (this.jar.delete(key)) this.dirty.add(cookieKey(key));
  }

  private putToken(t: TokenRecord): void {
    if (!isTokenCredential(t)) return;
    let records = this.tokensByValue.get(t.value);
    if (!records) this.tokensByValue.set(t.value, (records = new Map()));
    const before = records.get(t.id);
    records.set(t.id, t);
    // Seen again (a Bearer sent on every request): its lastSeen and count moved, which its credential does not read.
    if (before && sameCredentialRecord(before, t)) return;
    this.tokenValues.set(t.id, t.value);
    this.addReader(t.exchangeId, tokenKey(t.value));
    this.dirty.add(tokenKey(t.value));
  }

  private dropToken(id: number): void {
    const value = this.tokenValues.get(id);
    if (value === undefined) return;
    this.tokenValues.delete(id);
    const records = this.tokensByValue.get(value);
    records?.delete(id);
    if (records?.size === 0) this.tokensByValue.delete(value);
    this.dirty.add(tokenKey(value));
  }

  /** Builds one credential again from what is held of it (or drops it), and notes the hosts it read. */
  private build(key: CredentialKey, now: number): void {
    let credential: CredentialExpiry | undefined;
    const hosts: string[] = [];
    const hostOf = (ex: Exchange | undefined) => {
      if (ex) hosts.push(serverHostOf(ex));
      return ex;
    };
    if (key.startsWith('c:')) {
      const k = key.slice(2);
      const settings = this.settingsByKey.get(k);
      const seen = this.jar.get(k);
      if (settings) {
        let issuances = this.issuancesByKey.get(k);
        if (!issuances) this.issuancesByKey.set(k, (issuances = new CookieIssuances()));
        credential = issuances.credential(k, settings, this.skews, this.expiringSoonMs, now);
        hosts.push(...issuances.hosts());
      } else if (seen && seen.origin === 'seen-in-request') {
        credential = seenCookieCredential(seen, hostOf(this.exchanges.get(seen.exchangeId)), this.skews, this.expiringSoonMs, now);
      }
    } else {
      const value = key.slice(2);
      const records = this.tokensByValue.get(value);
      if (records) credential = tokenCredential(value, [...records.values()], (id) => hostOf(this.exchanges.get(id)), this.skews, this.expiringSoonMs, now);
    }
    if (credential) {
      this.setCredential(key, credential);
      this.nextStateChangeAt = Math.min(this.nextStateChangeAt, nextStateChange(credential, now));
    } else this.deleteCredential(key);
    this.noteHosts(key, credential ? [...new Set(hosts)] : []);
  }

  private noteHosts(key: CredentialKey, hosts: readonly string[]): void {
    for (const host of this.hostsByCredential.get(key) ?? []) {
      const set = this.credentialsByHost.get(host);
      set?.delete(key);
      if (set?.size === 0) this.credentialsByHost.delete(host);
    }
    if (hosts.length === 0) {
      this.hostsByCredential.delete(key);
      return;
    }
    this.hostsByCredential.set(key, hosts);
    for (const host of hosts) {
      const set = this.credentialsByHost.get(host);
      if (set) set.add(key);
      else this.credentialsByHost.set(host, new Set([key]));
    }
  }
}

/** True when two records of a token give the same credential (`tokenCredential` reads no other field). */
function sameCredentialRecord(a: TokenRecord, b: TokenRecord): boolean {
  return a.value === b.value && a.firstSeen === b.firstSeen && a.kind === b.kind && a.name === b.name && a.exchangeId === b.exchangeId
    && a.expiresAt === b.expiresAt && a.expiresAtSource === b.expiresAtSource && a.isJwt === b.isJwt && a.source === b.source;
}

/** The first time after `now` at which `stateAt(c, …)` can differ from its value at `now` (Infinity: never). */
function nextStateChange(c: CredentialExpiry, now: number): number {
  if (c.deleted) return Infinity;
  let next = Infinity;
  for (const t of [c.notBefore, c.expiresAt === undefined ? undefined : c.expiresAt - c.expiringSoonMs, c.expiresAt]) {
    if (t !== undefined && t > now && t < next) next = t;
  }
  return next;
}
