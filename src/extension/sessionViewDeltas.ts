import { type CookieRow, type ExchangeRow, type FindingRow, OLDER_EXCHANGES_PER_DELTA, type RowChanges, type SessionViewDelta, type SessionViewState, type ToWebview, type TokenRow } from '../shared/protocol';
import { firstRowAtOrAbove } from '../shared/rowSearch';
import { type ExchangeRowChanges, type ExchangeRowList, exchangeRowsOf, RowChangeLog } from './sessionExchangeRows';

/**
 * What one short list (cookies, tokens, findings) looked like when it was last sent: row key → the
 * row object, and its JSON once it had to be compared. Kept rows (SessionViewRows) are the same
 * object when unchanged, so most rows are compared by identity and never serialised.
 */
interface Sent<Row, Key> {
  readonly byKey: Map<Key, { row: Row; json?: string }>;
  /** The list last sent: a row at the same index that is the same object needs no lookup (most of 10,000). */
  rows: readonly Row[];
}

/** The timeline as last sent: the list and its version then (the webview holds its rows from `olderBelow` on). */
interface SentExchanges {
  readonly list: ExchangeRowList;
  version: number;
}

interface SentLists {
  readonly exchanges: SentExchanges;
  readonly cookies: Sent<CookieRow, string>;
  readonly tokens: Sent<TokenRow, string>;
  readonly findings: Sent<FindingRow, string>;
}

/** Exchanges in the first state of a webview; the older ones follow in the next deltas, a slice in each. */
export const FIRST_STATE_EXCHANGES = 500;

function findingKey(f: FindingRow): string {
  return f.key ?? `${f.ruleId}|${f.exchangeId ?? ''}|${f.subject}|${f.message}`;
}

/** What changed in a short list since it was last sent, with its display order (not its keys'). */
function changes<Row, Key>(rows: readonly Row[], keyOf: (row: Row) => Key, sentList: Sent<Row, Key>): RowChanges<Row, Key> | undefined {
  const upsert: Row[] = [];
  const sent = sentList.byKey;
  const previous = sentList.rows;
  // The ring buffer dropped the oldest rows: the list is the same shifted by as many.
  const shift = rows.length > 0 && previous.length > 0 && previous[0] !== rows[0] ? Math.max(0, previous.indexOf(rows[0])) : 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (previous[i + shift] === row) continue;
    const key = keyOf(row);
    const before = sent.get(key);
    if (before?.row === row) continue;
    if (!before) {
      // A new key: sent as it is; its JSON is made only if a rebuilt row must be compared with it.
      upsert.push(row);
      sent.set(key, { row });
      continue;
    }
    // Another object: a rebuilt row may still be equal to what was sent.
    const json = JSON.stringify(row);
    if ((before.json ??= JSON.stringify(before.row)) === json) {
      sent.set(key, { row, json });
      continue;
    }
    upsert.push(row);
    sent.set(key, { row, json });
  }
  sentList.rows = rows;
  const remove: Key[] = [];
  // Every current key is in `sent` now: more entries than rows means some keys are gone.
  if (sent.size !== rows.length) {
    const current = new Set(rows.map(keyOf));
    for (const key of sent.keys()) if (!current.has(key)) remove.push(key);
    for (const key of remove) sent.delete(key);
  }
  if (upsert.length === 0 && remove.length === 0) return undefined;
  return { upsert, remove, order: rows.map(keyOf) };
}

function index<Row, Key>(rows: readonly Row[], keyOf: (row: Row) => Key): Sent<Row, Key> {
  return { byKey: new Map(rows.map((row) => [keyOf(row), { row }])), rows };
}

/**
 * Turns successive panel states into the messages for one webview: the full state first (and
 * after `reset()`), then deltas of the keyed lists, each with the version it applies to. The
 * timeline's part is read from its list's log of changes since the version last sent (no pass
 * over the rows; see `withExchangeRows`); the short lists are compared with the rows last sent.
 * Remembers only what it sent, never the webview's own state.
 */
export class SessionViewDeltas {
  private version = 0;
  private sent: SentLists | undefined;
  /** The list behind plain states' exchanges (kept across them: its log says what changed). */
  private plain: ArrayRowList | undefined;
  /**
   * While older exchanges are still to send: the lowest id the webview holds. Rows below it go in
   * slices of {@link OLDER_EXCHANGES_PER_DELTA}, newest first, one per delta (a 10,000-row delta
   * was one 4 MB message: ~40 ms to build and serialise on the host, more to parse in the workbench).
   */
  private olderBelow: number | undefined;
  private readonly firstStateExchanges: number;
  private readonly olderPerDelta: number;

  /** `sizes` are for tests: rows in the first state and older rows per delta (FIRST_STATE_EXCHANGES, OLDER_EXCHANGES_PER_DELTA). */
  constructor(sizes: { readonly firstState?: number; readonly olderPerDelta?: number } = {}) {
    this.firstStateExchanges = sizes.firstState ?? FIRST_STATE_EXCHANGES;
    this.olderPerDelta = sizes.olderPerDelta ?? OLDER_EXCHANGES_PER_DELTA;
  }

  /** The webview (re)loaded or asked to resync: the next message is the full state. */
  reset(): void {
    this.sent = undefined;
    this.olderBelow = undefined;
  }

  /** True while a long session's older exchanges are still being sent (post the next delta soon). */
  get sendingOlder(): boolean {
    return this.olderBelow !== undefined;
  }

  /** The message that brings the webview from what was last sent to `state`. */
  next(state: SessionViewState): ToWebview {
    const listed = exchangeRowsOf(state);
    // A plain state (no list behind its exchanges): what changed is found by comparing with the previous one.
    const list = listed?.rows ?? (this.plain ??= new ArrayRowList()).update(state.exchanges);
    const rest = listed?.rest ?? state;
    const sent = this.sent;
    const timeline = sent?.exchanges.list === list ? list.changesSince(sent.exchanges.version) : undefined;
    if (!sent || !timeline) return this.firstState(rest, list);
    const exchanges = this.exchangeChanges(list, timeline);
    sent.exchanges.version = list.version;
    const olderExchanges = exchanges.olderExchanges;
    const cookies = changes(rest.cookies, (r) => r.key, sent.cookies);
    const tokens = changes(rest.tokens, (r) => r.key, sent.tokens);
    const findings = changes(rest.findings, findingKey, sent.findings);
    const delta: SessionViewDelta = {
      baseVersion: this.version,
      version: ++this.version,
      capture: rest.capture,
      masked: rest.masked,
      actions: rest.actions,
      now: rest.now,
      expiringSoonMs: rest.expiringSoonMs,
      ...(exchanges.changes ? { exchanges: exchanges.changes } : {}),
      ...(cookies ? { cookies } : {}),
      ...(tokens ? { tokens } : {}),
      ...(findings ? { findings } : {}),
      ...(rest.rules ? { rules: rest.rules } : {}),
      ...(olderExchanges !== undefined ? { olderExchanges } : {}),
    };
    return { type: 'delta', delta };
  }

  /**
   * The full state: a long session's first state carries the newest rows only (what the panel
   * shows first, and the only rows built for it); the next deltas bring the older ones, a slice
   * each (SessionView posts the next as soon as one is delivered).
   */
  private firstState(rest: Omit<SessionViewState, 'exchanges'>, list: ExchangeRowList): ToWebview {
    const older = Math.max(0, list.length - this.firstStateExchanges);
    const exchanges = rowsBetween(list, older, list.length);
    this.olderBelow = older > 0 ? list.idAt(older) : undefined;
    this.sent = {
      exchanges: { list, version: list.version },
      cookies: index(rest.cookies, (r: CookieRow) => r.key),
      tokens: index(rest.tokens, (r: TokenRow) => r.key),
      findings: index(rest.findings, findingKey),
    };
    const state: SessionViewState = { ...rest, exchanges, ...(older > 0 ? { olderExchanges: older } : {}) };
    return { type: 'state', state, version: ++this.version };
  }

  /**
   * The timeline's part of a delta: the rows added or changed since the last message that the
   * webview holds or is owed, those removed that it holds, and while older rows are still to send,
   * the next slice of them (new to the webview, so all upserted) and how many are left below it.
   */
  private exchangeChanges(list: ExchangeRowList, since: ExchangeRowChanges): { changes?: RowChanges<ExchangeRow, number>; olderExchanges?: number } {
    const held = this.olderBelow;
    const upsert: ExchangeRow[] = [];
    let olderExchanges: number | undefined;
    if (held !== undefined) {
      const below = list.indexAtOrAbove(held);
      const from = Math.max(0, below - this.olderPerDelta);
      upsert.push(...rowsBetween(list, from, below));
      olderExchanges = from;
      this.olderBelow = from > 0 ? list.idAt(from) : undefined;
    }
    // Rows below what the webview holds come with their slice, built as they are then.
    for (const id of since.changed) if (held === undefined || id >= held) upsert.push(list.rowAt(list.indexAtOrAbove(id)));
    const remove = held === undefined ? since.removed : since.removed.filter((id) => id >= held);
    const changes = upsert.length > 0 || remove.length > 0 ? { upsert, remove: [...remove] } : undefined;
    return { ...(changes ? { changes } : {}), ...(olderExchanges !== undefined ? { olderExchanges } : {}) };
  }
}

/** The rows of `list` from index `from` up to `to`, built as they are read. */
function rowsBetween(list: ExchangeRowList, from: number, to: number): ExchangeRow[] {
  const rows = new Array<ExchangeRow>(Math.max(0, to - from));
  for (let i = from; i < to; i++) rows[i - from] = list.rowAt(i);
  return rows;
}

/**
 * The rows of plain states (a test's, or the state without a session) as a list: each update is
 * compared with the previous rows by id (a row that is another object but the same JSON is no
 * change), and what changed is logged as the timeline's kept rows log it.
 */
class ArrayRowList implements ExchangeRowList {
  private rows: readonly ExchangeRow[] = [];
  private readonly byId = new Map<number, { row: ExchangeRow; json?: string }>();
  private readonly log = new RowChangeLog();

  update(rows: readonly ExchangeRow[]): this {
    if (rows === this.rows) return this;
    const previous = this.rows;
    // The ring buffer dropped the oldest rows: the list is the same shifted by as many (those rows need no lookup).
    const shift = rows.length > 0 && previous.length > 0 && previous[0] !== rows[0] ? Math.max(0, previous.indexOf(rows[0]!)) : 0;
    for (let i = 0; i < shift; i++) {
      const id = previous[i]!.id;
      if (this.byId.delete(id)) this.log.removed(id);
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (previous[i + shift] === row) continue;
      const before = this.byId.get(row.id);
      if (!before) {
        this.byId.set(row.id, { row });
        this.log.added(row.id);
        continue;
      }
      if (before.row === row) continue;
      const json = JSON.stringify(row);
      if ((before.json ??= JSON.stringify(before.row)) !== json) this.log.changed(row.id);
      this.byId.set(row.id, { row, json });
    }
    if (this.byId.size !== rows.length) {
      const present = new Set(rows.map((r) => r.id));
      for (const id of [...this.byId.keys()]) {
        if (present.has(id)) continue;
        this.byId.delete(id);
        this.log.removed(id);
      }
    }
    this.rows = rows;
    this.log.trim(rows.length);
    return this;
  }

  get length(): number {
    return this.rows.length;
  }

  get version(): number {
    return this.log.version;
  }

  idAt(index: number): number {
    return this.rows[index]!.id;
  }

  rowAt(index: number): ExchangeRow {
    return this.rows[index]!;
  }

  indexAtOrAbove(id: number): number {
    return firstRowAtOrAbove(this.rows, id);
  }

  changesSince(version: number): ExchangeRowChanges | undefined {
    return this.log.since(version);
  }

  all(): ExchangeRow[] {
    return [...this.rows];
  }
}
