import type { HeaderField } from '../session/types';

const MAX_INTERNED = 4096;
/** name → value → field; nested so a lookup needs no string concatenation. */
let interned = new Map<string, Map<string, HeaderField>>();
let internedCount = 0;

/** Recently built header lists, compared field by field (fields are shared, so by identity). */
const RECENT_LISTS = 16;
const recentLists: (readonly HeaderField[] | undefined)[] = new Array<readonly HeaderField[] | undefined>(RECENT_LISTS).fill(undefined);
let nextRecent = 0;

function sameFields(a: readonly HeaderField[], b: readonly HeaderField[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Turns a flat `[name, value, name, value, ...]` list into header fields, in order, case kept,
 * duplicates kept. Identical fields are shared between exchanges, and so is a whole list equal
 * to one of the last few: most headers, and often whole heads, repeat from request to request,
 * and a ring buffer of 5000 exchanges then holds far fewer objects (less garbage-collector work
 * on the proxy's hot path: every object an exchange keeps is copied by each young collection it
 * lives through). Fields and lists are frozen.
 */
export function headerFields(raw: readonly string[]): readonly HeaderField[] {
  const out = new Array<HeaderField>(raw.length >> 1);
  for (let i = 0, j = 0; i + 1 < raw.length; i += 2, j++) {
    const name = raw[i];
    const value = raw[i + 1];
    // Long values (cookies, tokens) rarely repeat exactly; do not let them crowd the cache.
    if (value.length > 256) {
      out[j] = { name, value };
      continue;
    }
    let byValue = interned.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      interned.set(name, byValue);
    }
    let field = byValue.get(value);
    if (field === undefined) {
      if (internedCount >= MAX_INTERNED) {
        interned = new Map();
        internedCount = 0;
        byValue = new Map();
        interned.set(name, byValue);
      }
      field = Object.freeze({ name, value });
      byValue.set(value, field);
      internedCount++;
    }
    out[j] = field;
  }
  for (const list of recentLists) if (list !== undefined && sameFields(list, out)) return list;
  const list = Object.freeze(out);
  recentLists[nextRecent] = list;
  nextRecent = (nextRecent + 1) % RECENT_LISTS;
  return list;
}
