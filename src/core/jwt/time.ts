/** Human-readable times for token claims: ISO 8601 plus a relative phrase. */

/** The largest epoch-ms value a JavaScript Date can hold (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

export interface TimeDescription {
  /** ISO 8601 in UTC, or undefined when the value is outside what a Date can represent. */
  readonly iso: string | undefined;
  /** "in 3 h 12 min", "2 days ago", "now". */
  readonly relative: string;
  /** Both together, e.g. "2011-03-22T18:43:00.000Z (15 years ago)". */
  readonly text: string;
}

/** ISO 8601 of an epoch-ms value, or undefined when it is not a representable date. */
export function isoOrUndefined(epochMs: number | undefined): string | undefined {
  if (epochMs === undefined || !Number.isFinite(epochMs) || Math.abs(epochMs) > MAX_DATE_MS) return undefined;
  return new Date(epochMs).toISOString();
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A duration as the user reads it: "45 s", "12 min", "3 h 12 min", "2 days 4 h", "40 days", "15 years". */
export function describeDuration(ms: number): string {
  const d = Math.abs(ms);
  if (!Number.isFinite(d)) return 'forever';
  if (d < MINUTE) return `${Math.floor(d / 1000)} s`;
  if (d < HOUR) return `${Math.floor(d / MINUTE)} min`;
  if (d < DAY) {
    const h = Math.floor(d / HOUR);
    const min = Math.floor((d % HOUR) / MINUTE);
    return min ? `${h} h ${min} min` : `${h} h`;
  }
  if (d < 7 * DAY) {
    const days = Math.floor(d / DAY);
    const h = Math.floor((d % DAY) / HOUR);
    return h ? `${plural(days, 'day')} ${h} h` : plural(days, 'day');
  }
  if (d < 2 * YEAR) return plural(Math.floor(d / DAY), 'day');
  return plural(Math.floor(d / YEAR), 'year');
}

/** Describes `epochMs` relative to `now` (both epoch milliseconds). */
export function describeTime(epochMs: number, now: number = Date.now()): TimeDescription {
  const iso = isoOrUndefined(epochMs);
  if (iso === undefined) {
    return { iso, relative: 'not a representable date', text: `${String(epochMs)} ms (not a representable date)` };
  }
  const delta = epochMs - now;
  const relative = Math.abs(delta) < 1000 ? 'now' : delta > 0 ? `in ${describeDuration(delta)}` : `${describeDuration(delta)} ago`;
  return { iso, relative, text: `${iso} (${relative})` };
}
