import type { CookieHistoryEvent, Exchange, SessionChangeEvent, SessionSnapshot, TokenRecord } from '../core/session/types';
import type { Finding } from '../core/findings';
import type { ExchangeRow, SessionViewState } from '../shared/protocol';
import { exchangeHost, exchangeRow, type ExchangeSessionEffect } from './sessionViewState';

/** What changed in a list of rows after some version: rows added or changed (still held), and rows removed. */
export interface ExchangeRowChanges {
  /** Ids of rows added or built again since, in id order; each is in the list now. */
  readonly changed: readonly number[];
  /** Ids of rows removed since (the ring buffer dropped them, or a clear), that were in the list at that version. */
  readonly removed: readonly number[];
}

/**
 * The timeline rows of a session as the panel's deltas read them: by position (oldest first, in
 * id order), a row built only when it is read, and what changed after a given version, so that a
 * delta costs what changed rather than a pass over every row.
 */
export interface ExchangeRowList {
  readonly length: number;
  /** Increases with every change of a row or of the list. */
  readonly version: number;
  /** Id of the row at `index`. */
  idAt(index: number): number;
  /** The row at `index`, built now if it was not yet. */
  rowAt(index: number): ExchangeRow;
  /** Index of the first row whose id is `id` or more (`length` when none). */
  indexAtOrAbove(id: number): number;
  /** What changed after `version`; undefined when this list cannot tell (a version from before its log, or another run). */
  changesSince(version: number): ExchangeRowChanges | undefined;
  /** Every row, built (a full read: what the state's `exchanges` gives). */
  all(): ExchangeRow[];
}

/** How a row changed: added to the list, built again, or removed from it. */
const enum RowChange { Added, Changed, Removed }

/**
 * The ids of rows added, changed or removed, each at the version it made, in order; bounded (the
 * oldest entries are dropped once there are many more than rows, and a reader that far behind is
 * told it cannot be answered, so it starts over with a full state).
 */
export class RowChangeLog {
  private ids: number[] = [];
  private kinds: RowChange[] = [];
  /** The version before `ids[0]`. */
  private base = 0;

  get version(): number {
    return this.base + this.ids.length;
  }

  added(id: number): void {
    this.ids.push(id);
    this.kinds.push(RowChange.Added);
  }

  changed(id: number): void {
    this.ids.push(id);
    this.kinds.push(RowChange.Changed);
  }

  removed(id: number): void {
    this.ids.push(id);
    this.kinds.push(RowChange.Removed);
  }

  /** Keeps at most about `4 * max(rows, 1000)` entries. */
  trim(rows: number): void {
    const limit = 4 * Math.max(rows, 1000);
    if (this.ids.length <= limit) return;
    const drop = this.ids.length - (limit >> 1);
    this.ids = this.ids.slice(drop);
    this.kinds = this.kinds.slice(drop);
    this.base += drop;
  }

  /** Starts a new run: no version before now can be answered (`since` is undefined for it). */
  restart(): void {
    this.base = this.version + 1;
    this.ids = [];
    this.kinds = [];
  }

  /** The rows added or changed after `version` and still in the list, and those removed that were in it then. */
  since(version: number): ExchangeRowChanges | undefined {
    if (version < this.base || version > this.version) return undefined;
    const from = version - this.base;
    if (from === this.ids.length) return { changed: [], removed: [] };
    // Per id: whether it was in the list at `version` (its first entry since is no addition), and whether it is now.
    const fate = new Map<number, { before: boolean; now: boolean }>();
    for (let i = from; i < this.ids.length; i++) {
      const id = this.ids[i]!;
      const kind = this.kinds[i]!;
      const f = fate.get(id);
      if (f) f.now = kind !== RowChange.Removed;
      else fate.set(id, { before: kind !== RowChange.Added, now: kind !== RowChange.Removed });
    }
    const changed: number[] = [];
    const removed: number[] = [];
    for (const [id, f] of fate) {
      if (f.now) changed.push(id);
      else if (f.before) removed.push(id);
    }
    changed.sort((a, b) => a - b);
    return { changed, removed };
  }
}

/** Anything with a session store's change feed. */
export interface ChangeFeedSource {
  onDidChange(listener: (e: Pick<SessionChangeEvent, 'changes'>) => void): { dispose(): void };
}

/**
 * The timeline rows of a session, kept across updates as an {@link ExchangeRowList}. A row is
 * built when it is first read (a long session's first state reads only the newest rows; the
 * older ones are built as their slices are sent) and then kept; an update looks only at what
 * changed: the exchanges the change feed names (got their response, finished), those the ring
 * buffer added at the end or dropped at the front, those whose jar changes (history events added,
 * or dropped from the history ring), first token sightings (a token the store then dropped) or
 * findings count changed. A row built again that shows the same is kept as the same object, and
 * every row added, changed or removed is logged for the deltas. What rows depend on is kept
 * incrementally. Store objects are never mutated (a changed exchange is a new object).
 * Without a followed feed (`follow`), each update compares every exchange instead.
 * After every update, `all()` equals `exchangeRows(snapshot, findings)` of that update's snapshot
 * once the store has delivered its changes.
 */
export class ExchangeRowCache implements ExchangeRowList {
  /** Exchanges held, in id order, from `head` on; `rows[i]` is the row of `exchanges[i]` once built. */
  private exchanges: (Exchange | undefined)[] = [];
  private rows: (ExchangeRow | undefined)[] = [];
  private head = 0;
  private readonly log = new RowChangeLog();
  /** Ids the change feed named since the last update; undefined while no feed is followed. */
  private named: Set<number> | undefined;
  /** The next update compares every exchange (no feed yet, or it was taken up after changes it did not see). */
  private walkNext = true;
  private readonly effects = new Map<number, ExchangeSessionEffect>();
  /** The history as last seen (immutable snapshot array) and the next sequence number not yet counted. */
  private history: readonly CookieHistoryEvent[] = [];
  private nextSeq = 0;
  /** Token id → the exchange it was first seen in, for the tokens the store holds. */
  private readonly firstSeenIn = new Map<number, number>();
  private tokens: readonly TokenRecord[] = [];
  private findings: readonly Finding[] | undefined;
  private findingCounts = new Map<number, number>();
  private mainHost = '';
  /** Exchanges with a refused Set-Cookie (the gone cookie rows list them). */
  private readonly refusing = new Set<number>();

  /** Ids of the exchanges held whose response had a Set-Cookie the jar refused. */
  get refusingIds(): ReadonlySet<number> {
    return this.refusing;
  }
  /** True when the last update changed which exchanges refused a cookie, or how. */
  refusalsChanged = true;

  get length(): number {
    return this.exchanges.length - this.head;
  }

  get version(): number {
    return this.log.version;
  }

  /**
   * Follows the change feed of the session's store: an update then looks only at the exchanges it
   * named, and at both ends of the ring buffer. The next update still compares every exchange (what
   * changed before this call is not on the feed it gets).
   */
  follow(feed: ChangeFeedSource): { dispose(): void } {
    const named = new Set<number>();
    this.named = named;
    this.walkNext = true;
    const subscription = feed.onDidChange((e) => {
      for (const c of e.changes) {
        if (c.kind === 'exchange-added' || c.kind === 'exchange-updated' || c.kind === 'exchange-finished') named.add(c.exchange.id);
      }
    });
    return {
      dispose: () => {
        subscription.dispose();
        if (this.named === named) this.named = undefined;
      },
    };
  }

  /** Brings the rows to `snapshot` (rows not read yet stay unbuilt); returns this list. */
  update(snapshot: SessionSnapshot, findings: readonly Finding[]): ExchangeRowList {
    const dirty = this.named ?? new Set<number>();
    this.takeHistory(snapshot.cookieHistory, dirty);
    this.takeTokens(snapshot.tokens, dirty);
    this.takeFindings(findings, dirty);
    const first = snapshot.exchanges[0];
    const mainHost = first ? exchangeHost(first) : '';
    const all = mainHost !== this.mainHost;
    this.mainHost = mainHost;
    this.refusalsChanged = false;
    if (this.walkNext || this.named === undefined || all || !this.takeEnds(snapshot.exchanges)) this.walk(snapshot.exchanges, dirty, all);
    else this.takeNamed(snapshot.exchanges, dirty);
    this.walkNext = false;
    dirty.clear();
    this.log.trim(this.length);
    return this;
  }

  idAt(index: number): number {
    return this.exchanges[this.head + index]!.id;
  }

  rowAt(index: number): ExchangeRow {
    const at = this.head + index;
    return (this.rows[at] ??= this.build(this.exchanges[at]!));
  }

  indexAtOrAbove(id: number): number {
    let lo = this.head;
    let hi = this.exchanges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.exchanges[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  changesSince(version: number): ExchangeRowChanges | undefined {
    return this.log.since(version);
  }

  all(): ExchangeRow[] {
    const out = new Array<ExchangeRow>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.rowAt(i);
    return out;
  }

  /**
   * The ring buffer drops exchanges at the front and adds them at the end: takes both in, in what
   * they cost. False when the snapshot is not this list with exchanges dropped and added (then
   * every exchange is compared).
   */
  private takeEnds(exchanges: readonly Exchange[]): boolean {
    const firstId = exchanges[0]?.id ?? Infinity;
    while (this.head < this.exchanges.length && this.exchanges[this.head]!.id < firstId) this.drop(this.head++);
    if (this.head > 1024 && this.head * 2 > this.exchanges.length) {
      this.exchanges = this.exchanges.slice(this.head);
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
    const held = this.length;
    const lastId = held > 0 ? this.idAt(held - 1) : -Infinity;
    let k = exchanges.length;
    while (k > 0 && exchanges[k - 1]!.id > lastId) k--;
    if (k !== held || (held > 0 && (exchanges[0]!.id !== this.idAt(0) || exchanges[k - 1]!.id !== lastId))) return false;
    for (let i = k; i < exchanges.length; i++) {
      const ex = exchanges[i]!;
      this.exchanges.push(ex);
      this.rows.push(undefined);
      this.takeRefusals(ex);
      this.log.added(ex.id);
    }
    return true;
  }

  /** The exchanges named (by the feed, the history, tokens or findings): each is the snapshot's object at its index now. */
  private takeNamed(exchanges: readonly Exchange[], dirty: ReadonlySet<number>): void {
    for (const id of dirty) {
      const i = this.indexAtOrAbove(id);
      const ex = exchanges[i];
      if (ex?.id !== id) continue;
      const at = this.head + i;
      if (this.exchanges[at] !== ex) {
        this.takeRefusals(ex);
        this.exchanges[at] = ex;
      }
      const row = this.rows[at];
      if (row) this.rows[at] = this.rebuilt(row, ex);
    }
  }

  /** Compares every exchange with the list (built rows of changed or `dirty` exchanges built again; with `all`, every built row). */
  private walk(exchanges: readonly Exchange[], dirty: ReadonlySet<number>, all: boolean): void {
    const before = this.exchanges;
    const beforeRows = this.rows;
    const after = new Array<Exchange>(exchanges.length);
    const rows = new Array<ExchangeRow | undefined>(exchanges.length);
    let j = this.head;
    for (let i = 0; i < exchanges.length; i++) {
      const ex = exchanges[i]!;
      while (j < before.length && before[j]!.id < ex.id) this.drop(j++);
      after[i] = ex;
      if (j < before.length && before[j]!.id === ex.id) {
        const same = before[j] === ex;
        if (!same) this.takeRefusals(ex);
        const row = beforeRows[j];
        rows[i] = row && (!same || all || dirty.has(ex.id)) ? this.rebuilt(row, ex) : row;
        j++;
      } else {
        this.takeRefusals(ex);
        this.log.added(ex.id);
      }
    }
    while (j < before.length) this.drop(j++);
    this.exchanges = after;
    this.rows = rows;
    this.head = 0;
  }

  /** The exchange at `at` leaves the list. */
  private drop(at: number): void {
    const id = this.exchanges[at]!.id;
    this.log.removed(id);
    if (this.refusing.delete(id)) this.refusalsChanged = true;
    this.exchanges[at] = undefined;
    this.rows[at] = undefined;
  }

  /** The row of `ex` built again: the row before when it shows the same (logged as changed otherwise). */
  private rebuilt(row: ExchangeRow, ex: Exchange): ExchangeRow {
    const next = this.build(ex);
    if (sameRow(row, next)) return row;
    this.log.changed(ex.id);
    return next;
  }

  /** A new or changed exchange: whether it refuses a cookie now (any such exchange changes the gone rows). */
  private takeRefusals(ex: Exchange): void {
    const refuses = ex.cookiesSet.length > 0 && ex.cookiesSet.some((sc) => sc.outcome === 'rejected');
    if (refuses) {
      this.refusing.add(ex.id);
      this.refusalsChanged = true;
    } else if (this.refusing.delete(ex.id)) {
      this.refusalsChanged = true;
    }
  }

  private build(ex: Exchange): ExchangeRow {
    let issued = 0;
    for (const t of ex.tokenIds) if (this.firstSeenIn.get(t) === ex.id) issued++;
    return exchangeRow(ex, this.effects.get(ex.id), issued, this.findingCounts.get(ex.id) ?? 0, this.mainHost);
  }

  /** Counts history events new since the last update and uncounts those the ring dropped (or a clear removed). */
  private takeHistory(history: readonly CookieHistoryEvent[], dirty: Set<number>): void {
    if (history === this.history) return;
    const firstSeq = history[0]?.seq ?? Infinity;
    for (const e of this.history) {
      if (e.seq >= firstSeq) break;
      this.count(e, -1, dirty);
    }
    for (let i = history.length - 1; i >= 0 && history[i]!.seq >= this.nextSeq; i--) this.count(history[i]!, 1, dirty);
    this.nextSeq = Math.max(this.nextSeq, (history[history.length - 1]?.seq ?? -1) + 1);
    this.history = history;
  }

  private count(e: CookieHistoryEvent, by: 1 | -1, dirty: Set<number>): void {
    if (e.exchangeId === undefined) return;
    dirty.add(e.exchangeId);
    let c = this.effects.get(e.exchangeId);
    if (!c) this.effects.set(e.exchangeId, (c = { created: 0, changed: 0, deleted: 0 }));
    if (e.kind === 'created') c.created += by;
    else if (e.kind === 'deleted' || e.kind === 'expired') c.deleted += by;
    else c.changed += by;
    if (c.created === 0 && c.changed === 0 && c.deleted === 0) this.effects.delete(e.exchangeId);
  }

  /**
   * The store holds tokens in id order, drops the oldest first and adds new ones at the end (a token
   * seen again keeps its id and first exchange): only the ends are read. Should the list not be
   * that, every token is compared.
   */
  private takeTokens(tokens: readonly TokenRecord[], dirty: Set<number>): void {
    const before = this.tokens;
    if (tokens === before) return;
    this.tokens = tokens;
    const firstId = tokens[0]?.id ?? Infinity;
    for (let i = 0; i < before.length && before[i]!.id < firstId; i++) this.forgetToken(before[i]!.id, dirty);
    const lastId = before.length > 0 ? before[before.length - 1]!.id : -Infinity;
    for (let i = tokens.length - 1; i >= 0 && tokens[i]!.id > lastId; i--) this.seeToken(tokens[i]!, dirty);
    if (this.firstSeenIn.size === tokens.length && (tokens.length === 0 || this.firstSeenIn.get(firstId) === tokens[0]!.exchangeId)) return;
    const current = new Set<number>();
    for (const t of tokens) {
      current.add(t.id);
      this.seeToken(t, dirty);
    }
    for (const id of [...this.firstSeenIn.keys()]) if (!current.has(id)) this.forgetToken(id, dirty);
  }

  private seeToken(t: TokenRecord, dirty: Set<number>): void {
    if (this.firstSeenIn.get(t.id) === t.exchangeId) return;
    const was = this.firstSeenIn.get(t.id);
    if (was !== undefined) dirty.add(was);
    this.firstSeenIn.set(t.id, t.exchangeId);
    dirty.add(t.exchangeId);
  }

  private forgetToken(id: number, dirty: Set<number>): void {
    const exchangeId = this.firstSeenIn.get(id);
    if (exchangeId === undefined) return;
    this.firstSeenIn.delete(id);
    dirty.add(exchangeId);
  }

  private takeFindings(findings: readonly Finding[], dirty: Set<number>): void {
    // The audit hands out the same array until its findings change.
    if (findings === this.findings) return;
    this.findings = findings;
    const counts = new Map<number, number>();
    for (const f of findings) {
      const id = f.evidence?.exchangeId;
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, n] of counts) if (this.findingCounts.get(id) !== n) dirty.add(id);
    for (const id of this.findingCounts.keys()) if (!counts.has(id)) dirty.add(id);
    this.findingCounts = counts;
  }
}

/**
 * True when two rows of the same exchange show the same. Rows share their header and cookie name
 * lists while the exchange object is the same; otherwise those are compared by content.
 */
function sameRow(a: ExchangeRow, b: ExchangeRow): boolean {
  for (const key in b) {
    const x = (a as unknown as Record<string, unknown>)[key];
    const y = (b as unknown as Record<string, unknown>)[key];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  for (const key in a) if (!(key in b)) return false;
  return true;
}

/** A panel state's exchanges read from a list, and the rest of the state. */
interface ListedState {
  readonly rows: ExchangeRowList;
  readonly rest: Omit<SessionViewState, 'exchanges'>;
}

const listedStates = new WeakMap<SessionViewState, ListedState>();

/**
 * A panel state whose `exchanges` are read from `rows` only when asked for (then every row is
 * built). The deltas never ask: they read the list by position (`exchangeRowsOf`), so a long
 * session's first state builds only the rows it sends. Read `exchanges` before the next update:
 * the list moves on with it.
 */
export function withExchangeRows(rest: Omit<SessionViewState, 'exchanges'>, rows: ExchangeRowList): SessionViewState {
  let all: ExchangeRow[] | undefined;
  const state = Object.defineProperty({ ...rest }, 'exchanges', { enumerable: true, get: () => (all ??= rows.all()) }) as SessionViewState;
  listedStates.set(state, { rows, rest });
  return state;
}

/** The list a state made by {@link withExchangeRows} reads its exchanges from, and the rest of it. */
export function exchangeRowsOf(state: SessionViewState): ListedState | undefined {
  return listedStates.get(state);
}
