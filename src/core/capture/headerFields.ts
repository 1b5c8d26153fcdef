import type { HeaderField } from './types';

const MAX_INTERNED = 4096;
const interned = new Map<string, HeaderField>();

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
    const key = `${name}\u0000${value}`;
    let field = interned.get(key);
    if (field === undefined) {
      if (interned.size >= MAX_INTERNED) interned.clear();
      field = Object.freeze({ name, value });
      interned.set(key, field);
    }
    out[j] = field;
  }
  return out;
}
