/**
 * The webview's model of the session, without the DOM (unit-tested in Node): the full state
 * and the deltas applied to it, the timeline filter, the virtual window and the selection.
 */
import type { CookieRow, ExchangeRow, FindingRow, RowChanges, SessionViewDelta, SessionViewState, StatusClass, TokenRow } from '../shared/protocol';
import { firstRowAtOrAbove } from '../shared/rowSearch';
import { STATUS_CLASSES } from '../shared/protocol';

/** A short keyed list (cookies, tokens, findings): rows by key plus the display order. */
function applyKeyed<Row, Key>(rows: readonly Row[], changes: RowChanges<Row, Key> | undefined, keyOf: (row: Row) => Key): readonly Row[] {
  if (!changes) return rows;
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  for (const key of changes.remove) byKey.delete(key);
  for (const row of changes.upsert) byKey.set(keyOf(row), row);
  if (!changes.order) return [...byKey.values()];
  const out: Row[] = [];
  for (const key of changes.order) {
    const row = byKey.get(key);
    if (row !== undefined) out.push(row);
  }
  return out;
}

/** A finding's identity across updates: its key, or what makes it one when it has none. */
export const findingKey = (f: FindingRow): string => f.key ?? `${f.ruleId}|${f.exchangeId ?? ''}|${f.subject}|${f.message}`;

/** Result of applying a delta: 'gap' means a message was missed and the full state must be asked for. */
export type DeltaResult = 'applied' | 'gap';

/** The session as the webview holds it: a full state, kept current by versioned deltas. */
export class SessionModel {
  private current: SessionViewState | undefined;
  private versionSeen = -1;

  get state(): SessionViewState | undefined {
    return this.current;
  }

  get version(): number {
    return this.versionSeen;
  }

  applyState(state: SessionViewState, version: number): void {
    // The exchanges are kept sorted by id (the extension sends them oldest first; sort defensively).
    const sorted = state.exchanges.every((r, i, a) => i === 0 || a[i - 1]!.id < r.id) ? state.exchanges : [...state.exchanges].sort((a, b) => a.id - b.id);
    this.current = { ...state, exchanges: sorted };
    this.versionSeen = version;
  }

  /** Applies a delta made against the version this model holds; anything else is a gap. */
  applyDelta(delta: SessionViewDelta): DeltaResult {
    const base = this.current;
    if (!base || delta.baseVersion !== this.versionSeen) return 'gap';
    const { olderExchanges: _older, ...complete } = base;
    const older = olderStillToCome(base, delta);
    this.current = {
      ...complete,
      ...(older > 0 ? { olderExchanges: older } : {}),
      capture: delta.capture,
      masked: delta.masked,
      actions: delta.actions,
      now: delta.now,
      expiringSoonMs: delta.expiringSoonMs,
      exchanges: applyExchanges(base.exchanges, delta.exchanges),
      cookies: applyKeyed<CookieRow, string>(base.cookies, delta.cookies, (r) => r.key),
      tokens: applyKeyed<TokenRow, string>(base.tokens, delta.tokens, (r) => r.key),
      findings: applyKeyed<FindingRow, string>(base.findings, delta.findings, findingKey),
    };
    this.versionSeen = delta.version;
    return 'applied';
  }
}

/**
 * Exchanges older than the model's first row still to come after `delta`. The older rows of a long
 * session's first state may come in one delta or in any number of slices (newest first or not),
 * with live deltas between them: the delta's own count when it has one (`olderExchanges`), else
 * what the state said less the rows each delta brought from below the first row.
 */
export function olderStillToCome(base: SessionViewState, delta: SessionViewDelta): number {
  const announced: unknown = delta.olderExchanges;
  if (typeof announced === 'number' && Number.isFinite(announced)) return Math.max(0, announced);
  const before = base.olderExchanges ?? 0;
  if (before === 0 || !delta.exchanges) return before;
  const first = base.exchanges[0]?.id ?? Infinity;
  let came = 0;
  for (const r of delta.exchanges.upsert) if (r.id < first) came++;
  // Never more than the capture has beyond the rows held (older rows evicted before they were sent never come).
  const held = base.exchanges.length + delta.exchanges.upsert.length - delta.exchanges.remove.length;
  return Math.max(0, Math.min(before - came, delta.capture.exchanges - held));
}

/**
 * Rows sorted by id after removing and upserting, in one merge: O(rows + changes) whether the
 * changes append (the common case), update in place, or bring thousands of older rows at once.
 */
export function applyExchanges(rows: readonly ExchangeRow[], changes: RowChanges<ExchangeRow, number> | undefined): readonly ExchangeRow[] {
  if (!changes) return rows;
  const gone = changes.remove.length > 0 ? new Set(changes.remove) : undefined;
  const byId = (a: ExchangeRow, b: ExchangeRow) => a.id - b.id;
  const upsert = changes.upsert.every((r, i, a) => i === 0 || a[i - 1]!.id < r.id) ? changes.upsert : [...changes.upsert].sort(byId);
  const out: ExchangeRow[] = [];
  let u = 0;
  for (const row of rows) {
    while (u < upsert.length && upsert[u]!.id < row.id) out.push(upsert[u++]!);
    if (u < upsert.length && upsert[u]!.id === row.id) out.push(upsert[u++]!);
    else if (!gone?.has(row.id)) out.push(row);
  }
  while (u < upsert.length) out.push(upsert[u++]!);
  return out;
}

/** What the timeline shows. An empty `statuses` list means every status. */
export interface TimelineFilter {
  readonly text: string;
  readonly statuses: readonly StatusClass[];
  /** Only exchanges that changed the session (cookies created/changed/deleted, tokens issued). */
  readonly changedOnly: boolean;
  readonly withFindings: boolean;
}

export const NO_FILTER: TimelineFilter = { text: '', statuses: [], changedOnly: false, withFindings: false };

/** True when the filter hides nothing. */
export function isEmptyFilter(f: TimelineFilter): boolean {
  return f.text.trim() === '' && f.statuses.length === 0 && !f.changedOnly && !f.withFindings;
}

/** A filter from saved state, with anything malformed dropped. */
export function sanitizeFilter(value: unknown): TimelineFilter {
  if (value === null || typeof value !== 'object') return NO_FILTER;
  const v = value as Record<string, unknown>;
  const known: readonly string[] = [...STATUS_CLASSES, 'other'];
  return {
    text: typeof v.text === 'string' ? v.text.slice(0, 500) : '',
    statuses: Array.isArray(v.statuses) ? v.statuses.filter((s): s is StatusClass => typeof s === 'string' && known.includes(s)) : [],
    changedOnly: v.changedOnly === true,
    withFindings: v.withFindings === true,
  };
}

/** Text search over the path, host, method, header names and cookie names (case-insensitive). */
export function matchesFilter(row: ExchangeRow, f: TimelineFilter): boolean {
  if (f.statuses.length > 0 && !f.statuses.includes(row.statusClass)) return false;
  if (f.changedOnly && !row.sessionChanged) return false;
  if (f.withFindings && row.findings === 0) return false;
  const text = f.text.trim().toLowerCase();
  if (text === '') return true;
  return row.path.toLowerCase().includes(text)
    || (row.host?.toLowerCase().includes(text) ?? false)
    || row.method.toLowerCase() === text
    || row.headerNames.some((h) => h.includes(text))
    || row.cookieNames.some((c) => c.toLowerCase().includes(text));
}

export function filterRows(rows: readonly ExchangeRow[], f: TimelineFilter): readonly ExchangeRow[] {
  return isEmptyFilter(f) ? rows : rows.filter((r) => matchesFilter(r, f));
}

/** Rows [start, end) to put in the DOM for a viewport over a list of fixed-height rows. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan: number): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.min(count, first + shown + overscan);
  return { start, end: Math.max(start, end) };
}

/** True when a scroll container shows its last row (within half a row): the timeline then follows new rows. */
export function isAtBottom(scrollTop: number, clientHeight: number, scrollHeight: number, rowHeight: number): boolean {
  return scrollTop + clientHeight >= scrollHeight - rowHeight / 2;
}

/** The selection after a key press: `step` rows further (clamped), or the first/last row. */
export function moveSelection(rows: readonly ExchangeRow[], selectedId: number | undefined, step: number | 'first' | 'last'): number | undefined {
  if (rows.length === 0) return undefined;
  if (step === 'first') return rows[0]!.id;
  if (step === 'last') return rows[rows.length - 1]!.id;
  const at = selectedId === undefined ? -1 : indexOfId(rows, selectedId);
  if (at < 0) return step > 0 ? rows[0]!.id : rows[rows.length - 1]!.id;
  return rows[Math.max(0, Math.min(rows.length - 1, at + step))]!.id;
}

/** Position of an exchange in rows sorted by id, or -1. */
export function indexOfId(rows: readonly ExchangeRow[], id: number): number {
  const at = firstRowAtOrAbove(rows, id);
  return rows[at]?.id === id ? at : -1;
}

/**
 * The indexes of the longest run of `positions` already in increasing order (a longest increasing
 * subsequence; negative positions, elements not placed yet, are never in it): the row elements to
 * leave where they are in the DOM when the window is put in row order, the others being moved.
 * O(n²): a window holds a few dozen rows.
 */
export function longestInOrder(positions: readonly number[]): Set<number> {
  const length = positions.map(() => 0);
  const prev = positions.map(() => -1);
  let best = -1;
  for (let i = 0; i < positions.length; i++) {
    if (positions[i]! < 0) continue;
    length[i] = 1;
    for (let j = 0; j < i; j++) {
      if (positions[j]! >= 0 && positions[j]! < positions[i]! && length[j]! + 1 > length[i]!) {
        length[i] = length[j]! + 1;
        prev[i] = j;
      }
    }
    if (best < 0 || length[i]! > length[best]!) best = i;
  }
  const stay = new Set<number>();
  for (let i = best; i >= 0; i = prev[i]!) stay.add(i);
  return stay;
}
