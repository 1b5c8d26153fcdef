/** The cookie table's model without the DOM (unit-tested in Node): columns, sorting, filtering. */
import type { CookieRow } from '../shared/protocol';

/** The sortable columns of the cookie table, in display order. */
export const COOKIE_COLUMNS = ['name', 'value', 'domain', 'path', 'expires', 'size', 'httpOnly', 'secure', 'sameSite', 'partitioned', 'priority', 'expiresIn', 'findings'] as const;
export type CookieColumn = (typeof COOKIE_COLUMNS)[number];

export interface CookieSort {
  readonly column: CookieColumn;
  readonly descending: boolean;
}

/** What the cookie table shows; survives hide/show with the rest of the panel's state. */
export interface CookieView {
  /** Undefined: the order the extension sent (live cookies as the jar holds them). */
  readonly sort?: CookieSort;
  readonly findingsOnly: boolean;
  readonly showGone: boolean;
}

export const DEFAULT_COOKIE_VIEW: CookieView = { findingsOnly: false, showGone: false };

/** A cookie view from saved state, with anything malformed dropped. */
export function sanitizeCookieView(value: unknown): CookieView {
  if (value === null || typeof value !== 'object') return DEFAULT_COOKIE_VIEW;
  const v = value as Record<string, unknown>;
  const s = v.sort as Record<string, unknown> | undefined;
  const sort = s !== null && typeof s === 'object' && (COOKIE_COLUMNS as readonly unknown[]).includes(s.column) ? { column: s.column as CookieColumn, descending: s.descending === true } : undefined;
  return { ...(sort ? { sort } : {}), findingsOnly: v.findingsOnly === true, showGone: v.showGone === true };
}

/** True for a cookie that is no longer in the jar (deleted, expired, evicted) or that the browser refused. */
export function isGone(c: CookieRow): boolean {
  return c.state !== undefined && c.state !== 'live';
}

/** True when the cookie has findings or a browser would refuse it or not send it. */
export function hasProblems(c: CookieRow): boolean {
  return (c.findings ?? 0) > 0 || (c.browserNotes?.length ?? 0) > 0 || c.state === 'rejected';
}

const PRIORITY_ORDER: Record<string, number> = { Low: 0, Medium: 1, High: 2 };

/** The value a column sorts by: numbers and booleans compare as numbers, the rest as text. Missing last. */
function sortValue(c: CookieRow, column: CookieColumn): string | number | undefined {
  switch (column) {
    case 'name': return c.name;
    case 'value': return c.value;
    case 'domain': return c.domain;
    case 'path': return c.path;
    // Session cookies (no expiry) sort after every dated one.
    case 'expires': return c.expiresAt ?? Number.MAX_SAFE_INTEGER;
    case 'size': return c.size;
    case 'httpOnly': return c.httpOnly ? 1 : 0;
    case 'secure': return c.secure ? 1 : 0;
    case 'sameSite': return c.sameSite;
    case 'partitioned': return c.partitioned ? 1 : 0;
    // Browsers treat a missing Priority as Medium.
    case 'priority': return PRIORITY_ORDER[c.priority ?? 'Medium'] ?? 1;
    case 'expiresIn': return c.expiry.expiresAt ?? (c.expiry.kind === 'session' ? Number.MAX_SAFE_INTEGER : undefined);
    case 'findings': return (c.findings ?? 0) + (c.browserNotes?.length ?? 0);
  }
}

function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { sensitivity: 'base', numeric: true });
}

/**
 * The rows to show: gone cookies only when asked for, only those with problems when asked for,
 * sorted by the chosen column (stable: equal rows keep the extension's order). Live rows come
 * before gone ones whatever the sort, so the jar reads first.
 */
export function cookiesToShow(rows: readonly CookieRow[], view: CookieView): CookieRow[] {
  const shown = rows.filter((c) => (view.showGone || !isGone(c)) && (!view.findingsOnly || hasProblems(c)));
  const sort = view.sort;
  if (!sort) return shown;
  const indexed = shown.map((row, i) => ({ row, i }));
  indexed.sort((x, y) => {
    const gone = Number(isGone(x.row)) - Number(isGone(y.row));
    if (gone !== 0) return gone;
    const c = compare(sortValue(x.row, sort.column), sortValue(y.row, sort.column));
    // Missing values stay last in both directions.
    const missing = sortValue(x.row, sort.column) === undefined || sortValue(y.row, sort.column) === undefined;
    return (c !== 0 ? (sort.descending && !missing ? -c : c) : 0) || x.i - y.i;
  });
  return indexed.map((x) => x.row);
}

/** The next sort after activating a column's header: ascending, then descending, then the original order. */
export function nextSort(current: CookieSort | undefined, column: CookieColumn): CookieSort | undefined {
  if (current?.column !== column) return { column, descending: false };
  return current.descending ? undefined : { column, descending: true };
}

/** The Expires / Max-Age cell: the raw attributes as received, then the computed expiry. */
export function expiresText(c: Pick<CookieRow, 'expiresRaw' | 'maxAge' | 'expiresAt'>, formatTime: (ms: number) => string): { raw: string; computed: string } {
  const raw = [c.maxAge !== undefined ? `Max-Age=${c.maxAge}` : '', c.expiresRaw !== undefined ? `Expires=${c.expiresRaw}` : ''].filter(Boolean).join('; ');
  return { raw: raw || 'Session', computed: c.expiresAt !== undefined ? formatTime(c.expiresAt) : 'when the browser closes' };
}
