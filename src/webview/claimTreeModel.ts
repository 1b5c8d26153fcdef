/** JWT header and claims as tree nodes, without the DOM (unit-tested in Node). */
import { formatRelative } from './format';

/** Registered claims that hold NumericDate seconds (RFC 7519 4.1, OIDC auth_time, updated_at). */
const DATE_CLAIMS = new Set(['iat', 'nbf', 'exp', 'auth_time', 'updated_at']);

export interface ClaimNode {
  /** The claim name, or `[i]` for an array item. */
  readonly label: string;
  /** The value as JSON text, for leaves; a short summary (`{3}`, `[2]`) for objects and arrays. */
  readonly text: string;
  /** For NumericDate claims: the date (ISO, UTC) and how far it is from now. */
  readonly date?: { readonly iso: string; readonly relative: string; readonly past: boolean };
  readonly children?: readonly ClaimNode[];
}

/** Objects and arrays deeper than this are shown as JSON text (a hostile token may nest deeply). */
const MAX_DEPTH = 12;
/** Children listed per object or array before "… N more". */
const MAX_CHILDREN = 500;

function node(label: string, value: unknown, now: number, depth: number): ClaimNode {
  if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value);
    const children = entries.slice(0, MAX_CHILDREN).map(([k, v]) => node(k, v, now, depth + 1));
    if (entries.length > MAX_CHILDREN) children.push({ label: '…', text: `${entries.length - MAX_CHILDREN} more` });
    return { label, text: Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`, children };
  }
  const text = JSON.stringify(value) ?? String(value);
  if (depth === 1 && DATE_CLAIMS.has(label) && typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11) {
    const at = value * 1000;
    return { label, text, date: { iso: new Date(at).toISOString().replace('.000Z', 'Z'), relative: formatRelative(at, now), past: at <= now } };
  }
  return { label, text };
}

/**
 * The top-level claims (or header parameters) of a decoded JWT part as tree nodes. `json` is
 * the pretty JSON text the extension sent; text that is not a JSON object gives one leaf.
 */
export function claimNodes(json: string, now: number): ClaimNode[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [{ label: '(not JSON)', text: json }];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ label: '(value)', text: JSON.stringify(value) }];
  return Object.entries(value).slice(0, MAX_CHILDREN).map(([k, v]) => node(k, v, now, 1));
}
