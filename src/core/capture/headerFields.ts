import type { HeaderField } from './types';

const MAX_INTERNED = 4096;
/** name → value → field; nested so a lookup needs no string concatenation. */
let interned = new Map<string, Map<string, HeaderField>>();
let internedCount = 0;

/**
 * Turns Node's flat `rawHeaders` (`[name, value, name, value, ...]`) into header fields, in
 * order, case kept, duplicates kept. Identical fields are shared between exchanges: most
 * headers repeat on every request, and a ring buffer of 5000 exchanges then holds far fewer
 * objects (less garbage-collector work on the proxy's hot path). The objects are frozen.
 */
export function headerFields(raw: readonly string[]): HeaderField[] {
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
  return out;
}
