import type { CookieHistoryEvent, Exchange, SessionSnapshot, TokenRecord } from '../core/session/types';
import type { CredentialExpiry, ExpiryModel } from '../core/expiry/index';
import type { Finding } from '../core/findings';
import type { CookieRow, FindingRow, SessionViewState, TokenRow } from '../shared/protocol';
import { goneCookieOf } from '../core/session/cookiesSeen';
import { credentialChangesSince } from '../core/expiry/credentialIndex';
import { type CookieHistoryByKey, cookieRows, exchangeById, expiryView, findingRows, goneCookieRow, type JwtDecodings, modelIndex, refusedCookieRows, type SignedCookieDecoder, tokenGroups, tokenRow, type TokenVerifications } from './sessionViewState';
import { type ChangeFeedSource, ExchangeRowCache, type ExchangeRowList } from './sessionExchangeRows';

/**
 * The cookie history by cookie key, kept across updates from the history's sequence numbers: each
 * update takes in only the events new since the last one and drops those the history ring dropped
 * (or a clear removed), and says which cookies they concern. Equal to grouping the history by key.
 */
export class CookieHistoryIndex {
  private readonly byKey = new Map<string, CookieHistoryEvent[]>();
  private history: readonly CookieHistoryEvent[] = [];
  private nextSeq = 0;
  /** Cookie keys whose events changed in the last `take`. */
  touched: ReadonlySet<string> = new Set();

  /** The events of each cookie, oldest first. */
  get events(): CookieHistoryByKey {
    return this.byKey;
  }

  take(history: readonly CookieHistoryEvent[]): void {
    if (history === this.history) {
      this.touched = new Set();
      return;
    }
    const touched = new Set<string>();
    const firstSeq = history[0]?.seq ?? Infinity;
    for (const e of this.history) {
      if (e.seq >= firstSeq) break;
      // The oldest events leave first: each is at the front of its cookie's list.
      const list = this.byKey.get(e.cookieKey);
      if (list?.[0] === e) list.shift();
      if (list?.length === 0) this.byKey.delete(e.cookieKey);
      touched.add(e.cookieKey);
    }
    let i = history.length;
    while (i > 0 && history[i - 1]!.seq >= this.nextSeq) i--;
    for (; i < history.length; i++) {
      const e = history[i]!;
      const list = this.byKey.get(e.cookieKey);
      if (list) list.push(e);
      else this.byKey.set(e.cookieKey, [e]);
      touched.add(e.cookieKey);
    }
    this.nextSeq = Math.max(this.nextSeq, (history[history.length - 1]?.seq ?? -1) + 1);
    this.history = history;
    this.touched = touched;
  }

  /** True when the cookie's last event in the history took it out of the jar. */
  endsGone(key: string): boolean {
    const list = this.byKey.get(key);
    const kind = list?.[list.length - 1]?.kind;
    return kind === 'deleted' || kind === 'expired' || kind === 'evicted';
  }
}

/** A gone cookie's row, where it stands in the list, and the oldest request its history names. */
interface GoneEntry {
  readonly row: CookieRow;
  /** Sequence number of its oldest event in the history: gone cookies are listed in the order they first appear there. */
  readonly firstSeq: number;
  /** The lowest exchange id its history rows name a request for (Infinity: none): once the ring drops it, the row changes. */
  readonly oldestRequest: number;
}

/**
 * The gone cookies' rows (deleted, expired, evicted) and the refused ones, kept across updates and
 * equal to `goneCookieRows()` after each: a gone cookie's row is built again only when an event
 * of the history concerns it (or left the history) or the ring dropped a request its history
 * names; a refusing exchange's rows only when the exchange changed. Nothing passes over the whole
 * history or every exchange (a logout deleting the session cookie made one such pass over 10,000
 * events and exchanges, ~15 ms, the panel's slowest updates).
 */
export class GoneCookieRowCache {
  private readonly byKey = new Map<string, GoneEntry>();
  /** Keys of `byKey` in list order; undefined when to sort again. */
  private order: string[] | undefined = [];
  /** The smallest `oldestRequest` of the entries. */
  private oldestRequest = Infinity;
  private readonly refused = new Map<number, { exchange: Exchange; rows: CookieRow[] }>();
  private settings: { masked: boolean; isSession: SessionViewInputs['isSession']; decode: SignedCookieDecoder | undefined } | undefined;
  private out: CookieRow[] = [];

  rows(snapshot: SessionSnapshot, history: CookieHistoryIndex, exchanges: ExchangeRowCache, inputs: SessionViewInputs): CookieRow[] {
    const s = this.settings;
    const all = !s || s.masked !== inputs.masked || s.isSession !== inputs.isSession || s.decode !== inputs.decode;
    let changed = all;
    if (all) {
      this.settings = { masked: inputs.masked, isSession: inputs.isSession, decode: inputs.decode };
      this.byKey.clear();
      this.refused.clear();
      this.order = undefined;
    }
    const keys = all ? history.events.keys() : history.touched;
    let live: Set<string> | undefined;
    for (const key of keys) {
      live ??= new Set(snapshot.cookies.map((c) => c.key));
      this.build(key, live.has(key) ? undefined : history.events.get(key), snapshot.exchanges, inputs);
      changed = true;
    }
    // A history row names its request while the ring holds the exchange.
    const firstExchange = snapshot.exchanges[0]?.id ?? Infinity;
    if (this.oldestRequest < firstExchange) {
      for (const [key, e] of this.byKey) if (e.oldestRequest < firstExchange) this.build(key, history.events.get(key), snapshot.exchanges, inputs);
      changed = true;
    }
    if (all || exchanges.refusalsChanged) {
      const refusing = exchanges.refusingIds;
      for (const id of this.refused.keys()) if (!refusing.has(id)) this.refused.delete(id);
      for (const id of refusing) {
        const ex = exchangeById(snapshot.exchanges, id);
        if (ex && this.refused.get(id)?.exchange !== ex) this.refused.set(id, { exchange: ex, rows: refusedCookieRows(ex, inputs.masked, inputs.isSession, inputs.decode) });
      }
      changed = true;
    }
    if (!changed) return this.out;
    this.order ??= [...this.byKey.keys()].sort((a, b) => this.byKey.get(a)!.firstSeq - this.byKey.get(b)!.firstSeq);
    this.oldestRequest = Infinity;
    const out: CookieRow[] = [];
    for (const key of this.order) {
      const e = this.byKey.get(key)!;
      out.push(e.row);
      if (e.oldestRequest < this.oldestRequest) this.oldestRequest = e.oldestRequest;
    }
    for (const id of [...this.refused.keys()].sort((a, b) => a - b)) out.push(...this.refused.get(id)!.rows);
    this.out = out;
    return out;
  }

  /** Builds the row of one cookie key from its events (undefined: it is live or has none left), or drops it. */
  private build(key: string, events: readonly CookieHistoryEvent[] | undefined, exchanges: readonly Exchange[], inputs: SessionViewInputs): void {
    const seen = goneCookieOf(events);
    const before = this.byKey.get(key);
    if (!seen) {
      if (before) {
        this.byKey.delete(key);
        this.order = undefined;
      }
      return;
    }
    const row = goneCookieRow(seen, events, exchanges, inputs.masked, inputs.isSession, inputs.decode);
    let oldestRequest = Infinity;
    for (const h of row.history) if (h.request !== undefined && h.exchangeId !== undefined && h.exchangeId < oldestRequest) oldestRequest = h.exchangeId;
    const firstSeq = events![0]!.seq;
    if (before?.firstSeq !== firstSeq) this.order = undefined;
    this.byKey.set(key, { row, firstSeq, oldestRequest });
  }
}

/** Everything `SessionViewRows.lists` needs besides the snapshot. */
export interface SessionViewInputs {
  readonly findings: readonly Finding[];
  readonly masked: boolean;
  readonly isSession: (c: { name: string; value: string }) => boolean;
  readonly model?: ExpiryModel;
  readonly decode?: SignedCookieDecoder;
  /** The last signature check per token value (Verify…). */
  readonly verifications?: TokenVerifications;
  /** Runs each part of the update (a benchmark passes one that times them: bench/panel/run.ts). */
  readonly measure?: PhaseMeter;
}

/** Runs one named part of a panel update and returns its result. */
export type PhaseMeter = <T>(phase: string, work: () => T) => T;

const unmeasured: PhaseMeter = (_phase, work) => work();

/** True when two values made of JSON data (rows) are equal, without serialising them. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** True when two records of a token give the same row. */
function sameTokenRecord(x: TokenRecord, y: TokenRecord): boolean {
  return x === y || (x.id === y.id && x.value === y.value && x.source === y.source && x.kind === y.kind && x.name === y.name && x.capturedBy === y.capturedBy
    && x.exchangeId === y.exchangeId && x.expiresAt === y.expiresAt && x.expiresAtSource === y.expiresAtSource && x.isJwt === y.isJwt);
}

/** A token group's row and what it was built from. */
interface KeptTokenRow {
  readonly first: TokenRecord;
  readonly sources: string;
  readonly capturedBy: TokenRecord['capturedBy'];
  readonly expiry: CredentialExpiry | undefined;
  readonly verification: unknown;
  readonly masked: boolean;
  /** Undefined while the group was just regrouped and its row is not built yet. */
  readonly row: TokenRow | undefined;
}

/**
 * The token rows, one per token value (`tokenGroups`), kept per group across updates and equal to
 * `tokenRows()` after each: the store's token list is compared with the last one record by record
 * (both in id order, no grouping), and only the values whose records came, went or changed are
 * grouped again. A group's row is built again when its group, its expiry entry, its signature
 * check or the masking changed; otherwise the row is the object sent before. Each JWT is decoded
 * once while the store holds it. (Grouping every token again whenever one was new cost p50 1.4 ms,
 * p99 6 ms of the panel's update at 10,000 exchanges.)
 */
export class TokenRowCache {
  private tokens: readonly TokenRecord[] = [];
  private readonly groups = new Map<string, KeptTokenRow>();
  /** Token values in row order (the order of their first records); undefined when to sort again. */
  private order: string[] | undefined = [];
  private out: TokenRow[] = [];
  private last: { masked: boolean; model: ExpiryModel | undefined; checked: boolean } | undefined;
  private readonly decodings: JwtDecodings = new Map();
  /** Each group's value by the id of its first record (its expiry entry is `token:<id>`). */
  private readonly valueOfFirst = new Map<number, string>();

  rows(tokens: readonly TokenRecord[], inputs: Pick<SessionViewInputs, 'masked' | 'model' | 'verifications'>): TokenRow[] {
    const dirty = this.changedValues(tokens);
    this.tokens = tokens;
    // A signature check (rare, asked for by the user) shows on its token's row: every row is looked at while there are any.
    const checked = (inputs.verifications?.size ?? 0) > 0;
    const last = this.last;
    // A new expiry model: the rows of the tokens whose entry it changed (the incremental model says which), else every row.
    const expiryChanged = last && last.model !== inputs.model ? credentialChangesSince(inputs.model, last.model) : new Set<string>();
    const all = !last || last.masked !== inputs.masked || !expiryChanged || checked || last.checked;
    this.last = { masked: inputs.masked, model: inputs.model, checked };
    if (dirty.size > 0) this.regroup(tokens, dirty);
    if (!all) {
      for (const id of expiryChanged!) {
        const value = id.startsWith('token:') ? this.valueOfFirst.get(Number(id.slice(6))) : undefined;
        if (value !== undefined) dirty.add(value);
      }
    }
    if (dirty.size === 0 && !all) return this.out;
    const expiries = modelIndex(inputs.model);
    let changed = false;
    for (const value of all ? this.groups.keys() : dirty) {
      const g = this.groups.get(value);
      if (!g) continue;
      const expiry = expiries.get(`token:${g.first.id}`);
      const verification = inputs.verifications?.get(value);
      const before = g.row;
      const same = before !== undefined && g.masked === inputs.masked && g.verification === verification
        // A credential the expiry model built again (or whose state moved) is a new entry: the row stays when what it shows is the same.
        && (g.expiry === expiry || (g.expiry !== undefined && expiry !== undefined && sameData(before.expiry, expiryView(expiry))));
      if (same && g.expiry === expiry) continue;
      let row = same ? before : tokenRow(g.first, g.sources, inputs.masked, expiry, verification, this.decodings, g.capturedBy);
      if (!same && before !== undefined && sameData(before, row)) row = before;
      if (row !== before) changed = true;
      this.groups.set(value, { ...g, expiry, verification, masked: inputs.masked, row });
    }
    if (!changed && this.order) return this.out;
    this.order ??= [...this.groups.keys()].sort((a, b) => this.groups.get(a)!.first.id - this.groups.get(b)!.first.id);
    this.out = this.order.map((value) => this.groups.get(value)!.row!);
    return this.out;
  }

  /**
   * The values whose records differ from the last list's: one walk over both lists together by id.
   * Every record of either list is either paired with the other list's record of its id and
   * compared, or counted as come or gone: no change is missed, whatever the order.
   */
  private changedValues(tokens: readonly TokenRecord[]): Set<string> {
    const dirty = new Set<string>();
    const before = this.tokens;
    if (tokens === before) return dirty;
    let i = 0;
    let j = 0;
    while (i < before.length || j < tokens.length) {
      const x = before[i];
      const y = tokens[j];
      if (x && (!y || x.id < y.id)) {
        dirty.add(x.value);
        i++;
      } else if (y && (!x || y.id < x.id)) {
        dirty.add(y.value);
        j++;
      } else {
        if (!sameTokenRecord(x!, y!)) {
          dirty.add(x!.value);
          dirty.add(y!.value);
        }
        i++;
        j++;
      }
    }
    return dirty;
  }

  /** Groups the records of the changed values again (a value with none left loses its row and its decoding). */
  private regroup(tokens: readonly TokenRecord[], dirty: ReadonlySet<string>): void {
    const records = new Map<string, TokenRecord[]>();
    for (const t of tokens) {
      if (!dirty.has(t.value)) continue;
      const list = records.get(t.value);
      if (list) list.push(t);
      else records.set(t.value, [t]);
    }
    for (const value of dirty) {
      const before = this.groups.get(value);
      const group = tokenGroups(records.get(value) ?? [])[0];
      if (before && this.valueOfFirst.get(before.first.id) === value) this.valueOfFirst.delete(before.first.id);
      if (!group) {
        if (before) this.order = undefined;
        this.groups.delete(value);
        this.decodings.delete(value);
        continue;
      }
      this.valueOfFirst.set(group.first.id, value);
      if (before?.first.id !== group.first.id) this.order = undefined;
      const same = before !== undefined && sameTokenRecord(before.first, group.first) && before.sources === group.sources && before.capturedBy === group.capturedBy;
      this.groups.set(value, {
        first: group.first, sources: group.sources, capturedBy: group.capturedBy,
        expiry: before?.expiry, verification: before?.verification, masked: before?.masked ?? false,
        row: same ? before.row : undefined,
      });
    }
  }
}

/** A short list whose rows are rebuilt each update: an unchanged row is returned as the object returned before. */
class KeptRows<Row> {
  private previous = new Map<string, Row>();

  constructor(private readonly keyOf: (row: Row) => string) {}

  keep(rows: readonly Row[]): Row[] {
    const next = new Map<string, Row>();
    const out = rows.map((row) => {
      const key = this.keyOf(row);
      const before = this.previous.get(key);
      const kept = before !== undefined && sameData(before, row) ? before : row;
      next.set(key, kept);
      return kept;
    });
    this.previous = next;
    return out;
  }
}

/** The four lists of the panel state, the timeline as a list read by position (rows built as they are read). */
export interface SessionViewLists extends Pick<SessionViewState, 'cookies' | 'tokens' | 'findings'> {
  readonly exchanges: ExchangeRowList;
}

/**
 * The four lists of the panel state for one session. The timeline (thousands of rows) is kept
 * across updates, follows the store's change feed and builds a row only when it is read and
 * again when its exchange changed; the short lists (cookies, tokens, findings) are kept per
 * cookie, token value or row, and unchanged rows are returned as the same objects, so the delta to
 * the webview finds them by identity.
 */
export class SessionViewRows {
  private exchanges = new ExchangeRowCache();
  private feed: { dispose(): void } | undefined;
  private readonly cookies = new KeptRows<CookieRow>((r) => r.key);
  private readonly findings = new KeptRows<FindingRow>((r) => r.key ?? '');
  private store: ChangeFeedSource | undefined;
  private history = new CookieHistoryIndex();
  /** The gone and refused cookies' rows, kept per cookie and per refusing exchange. */
  private gone = new GoneCookieRowCache();
  /** The token rows, kept per token value (a token seen again is a new record, its row unchanged). */
  private tokens = new TokenRowCache();

  /**
   * The lists of `snapshot`, the timeline as a list (see `withExchangeRows` for a state of them);
   * `owner` is the session's store (a new one starts over), whose change feed the timeline follows.
   */
  update(owner: ChangeFeedSource | undefined, snapshot: SessionSnapshot, inputs: SessionViewInputs): SessionViewLists {
    if (owner !== this.store) {
      this.store = owner;
      this.feed?.dispose();
      this.exchanges = new ExchangeRowCache();
      this.feed = owner?.onDidChange ? this.exchanges.follow(owner) : undefined;
      this.history = new CookieHistoryIndex();
      this.gone = new GoneCookieRowCache();
      this.tokens = new TokenRowCache();
    }
    const measure = inputs.measure ?? unmeasured;
    const exchanges = measure('exchange rows', () => this.exchanges.update(snapshot, inputs.findings));
    this.history.take(snapshot.cookieHistory);
    // Live cookies first, then the gone and refused ones (the panel shows those behind "show gone").
    const live = measure('cookie rows', () => cookieRows(snapshot, inputs.masked, inputs.isSession, inputs.model, inputs.decode, inputs.findings, this.history.events));
    const gone = measure('gone cookie rows', () => this.gone.rows(snapshot, this.history, this.exchanges, inputs));
    return {
      exchanges,
      cookies: this.cookies.keep([...live, ...gone]),
      tokens: measure('token rows', () => this.tokens.rows(snapshot.tokens, inputs)),
      findings: measure('finding rows', () => this.findings.keep(findingRows(inputs.findings))),
    };
  }

  /** The lists of `snapshot` with every timeline row built (a full read; the panel reads the list with `update`). */
  lists(owner: ChangeFeedSource | undefined, snapshot: SessionSnapshot, inputs: SessionViewInputs): Pick<SessionViewState, 'exchanges' | 'cookies' | 'tokens' | 'findings'> {
    const lists = this.update(owner, snapshot, inputs);
    return { ...lists, exchanges: lists.exchanges.all() };
  }

  /** Stops following the store's change feed. */
  dispose(): void {
    this.feed?.dispose();
    this.feed = undefined;
  }

}
