/**
 * How secret values (cookie values, tokens) are shown in the UI: a short prefix, only for values
 * long enough that the prefix reveals little, and never the rest.
 */

function prefix(value: string): string {
  return value.length > 12 ? value.slice(0, 4) : '';
}

/** For the panel: prefix, dots and the length, e.g. `s%3A•••••••• (84 chars)`. */
export function maskValue(value: string): string {
  if (value.length === 0) return '';
  return `${prefix(value)}${'•'.repeat(8)} (${value.length} chars)`;
}

/** For one-line evidence in diagnostics: prefix and an ellipsis, e.g. `eyJh…`. */
export function maskValueShort(value: string): string {
  return `${prefix(value)}…`;
}

/** `sid=abc; Path=/; HttpOnly` → `sid=<masked>; Path=/; HttpOnly`: the attributes are what the user debugs. */
export function maskSetCookie(value: string): string {
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const eq = pair.indexOf('=');
  const masked = eq < 0 ? maskValue(pair) : `${pair.slice(0, eq)}=${maskValue(pair.slice(eq + 1))}`;
  return semi < 0 ? masked : masked + value.slice(semi);
}
