import { type CookieRow, type ExchangeRow, type FindingRow, OLDER_EXCHANGES_PER_DELTA, type RowChanges, type SessionViewDelta, type SessionViewState, type ToWebview, type TokenRow } from '../shared/protocol';
import { firstRowAtOrAbove } from '../shared/rowSearch';

/**
 * What one list looked like when it was last sent: row key → the row object, and its JSON once
 * it had to be compared. Rows kept across updates (ExchangeRowCache) are the same object when
 * unchanged, so most rows are compared by identity and never serialised.
 */
interface Sent<Row, Key> {
  readonly byKey: Map<Key, { row: Row; json?: string }>;
  /** The list last sent: a row at the same index that is the same object needs no lookup (most of 10,000). */
  rows: readonly Row[];
}

interface SentLists {
  readonly exchanges: Sent<ExchangeRow, number>;
  readonly cookies: Sent<CookieRow, string>;
  readonly tokens: Sent<TokenRow, string>;
  readonly findings: Sent<FindingRow, string>;
}

/** Exchanges in the first state of a webview; the older ones follow in the next deltas, a slice in each. */
export const FIRST_STATE_EXCHANGES = 500;

function findingKey(f: FindingRow): string {
  return f.key ?? `${f.ruleId}|${f.exchangeId ?? ''}|${f.subject}|${f.message}`;
}

function changes<Row, Key>(rows: readonly Row[], keyOf: (row: Row) => Key, sentList: Sent<Row, Key>, ordered: boolean): RowChanges<Row, Key> | undefined {
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
  return ordered ? { upsert, remove, order: rows.map(keyOf) } : { upsert, remove };
}

function index<Row, Key>(rows: readonly Row[], keyOf: (row: Row) => Key): Sent<Row, Key> {
  return { byKey: new Map(rows.map((row) => [keyOf(row), { row }])), rows };
}

/**
 * Turns successive panel states into the messages for one webview: the full state first (and
 * after `reset()`), then deltas of the keyed lists, each with the version it applies to.
 * Remembers only what it sent (row JSON per key), never the webview's own state.
 */
export class SessionViewDeltas {
  private version = 0;
  private sent: SentLists | undefined;
  /**
   * While older exchanges are still to send: the lowest id the webview holds. Rows below it go in
   * slices of {@link OLDER_EXCHANGES_PER_DELTA}, newest first, one per delta (a 10,000-row delta
   * was one 4 MB message: ~40 ms to build and serialise on the host, more to parse in the workbench).
   */
  private olderBelow: number | undefined;

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
    const sent = this.sent;
    if (!sent) {
      // A long session's first state carries the newest rows only (what the panel shows first); as they are
      // all that `sent` records, the next delta brings the older ones (SessionView posts it right away).
      const older = Math.max(0, state.exchanges.length - FIRST_STATE_EXCHANGES);
      if (older > 0) {
        state = { ...state, exchanges: state.exchanges.slice(older), olderExchanges: older };
        this.olderBelow = state.exchanges[0]!.id;
      }
      this.sent = {
        exchanges: index(state.exchanges, (r: ExchangeRow) => r.id),
        cookies: index(state.cookies, (r: CookieRow) => r.key),
        tokens: index(state.tokens, (r: TokenRow) => r.key),
        findings: index(state.findings, findingKey),
      };
      return { type: 'state', state, version: ++this.version };
    }
    // Exchanges are ordered by id; the short lists carry their order.
    let rows = state.exchanges;
    let olderExchanges: number | undefined;
    if (this.olderBelow !== undefined) {
      // What the webview holds, and the next slice of the older rows below it (new to `sent`, so all upserted).
      const below = firstRowAtOrAbove(rows, this.olderBelow);
      const from = Math.max(0, below - OLDER_EXCHANGES_PER_DELTA);
      olderExchanges = from;
      if (from > 0) {
        rows = rows.slice(from);
        this.olderBelow = rows[0]!.id;
      } else {
        this.olderBelow = undefined;
      }
    }
    const exchanges = changes(rows, (r) => r.id, sent.exchanges, false);
    const cookies = changes(state.cookies, (r) => r.key, sent.cookies, true);
    const tokens = changes(state.tokens, (r) => r.key, sent.tokens, true);
    const findings = changes(state.findings, findingKey, sent.findings, true);
    const delta: SessionViewDelta = {
      baseVersion: this.version,
      version: ++this.version,
      capture: state.capture,
      masked: state.masked,
      actions: state.actions,
      now: state.now,
      expiringSoonMs: state.expiringSoonMs,
      ...(exchanges ? { exchanges } : {}),
      ...(cookies ? { cookies } : {}),
      ...(tokens ? { tokens } : {}),
      ...(findings ? { findings } : {}),
      ...(state.rules ? { rules: state.rules } : {}),
      ...(olderExchanges !== undefined ? { olderExchanges } : {}),
    };
    return { type: 'delta', delta };
  }
}
