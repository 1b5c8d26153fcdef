/**
 * Lists the member names of the top-level object in a JSON text, duplicates included.
 * JSON.parse silently keeps the last of duplicate members; RFC 7515 §4 and RFC 8725 §3.x want
 * such headers rejected, so the decoder needs the names as written.
 */

/** Member names of the top-level JSON object, in order, or undefined if `json` is not an object. */
export function topLevelMemberNames(json: string): string[] | undefined {
  let i = 0;
  const n = json.length;
  const skipWs = (): void => {
    while (i < n && (json[i] === ' ' || json[i] === '\t' || json[i] === '\n' || json[i] === '\r')) i++;
  };
  const readString = (): string | undefined => {
    if (json[i] !== '"') return undefined;
    const start = i;
    i++;
    while (i < n && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    if (i >= n) return undefined;
    i++;
    try {
      return JSON.parse(json.slice(start, i)) as string;
    } catch {
      return undefined;
    }
  };
  const skipValue = (): boolean => {
    let depth = 0;
    while (i < n) {
      const ch = json[i];
      if (ch === '"') {
        if (readString() === undefined) return false;
        if (depth === 0) return true;
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) return true;
        depth--;
        if (depth === 0) {
          i++;
          return true;
        }
      } else if (ch === ',' && depth === 0) return true;
      i++;
    }
    return depth === 0;
  };

  skipWs();
  if (json[i] !== '{') return undefined;
  i++;
  const names: string[] = [];
  skipWs();
  if (json[i] === '}') return names;
  while (i < n) {
    skipWs();
    const name = readString();
    if (name === undefined) return undefined;
    names.push(name);
    skipWs();
    if (json[i] !== ':') return undefined;
    i++;
    skipWs();
    if (!skipValue()) return undefined;
    skipWs();
    if (json[i] === ',') {
      i++;
      continue;
    }
    if (json[i] === '}') return names;
    return undefined;
  }
  return undefined;
}

/** Names that occur more than once among the top-level members. */
export function duplicateMemberNames(json: string): string[] {
  const names = topLevelMemberNames(json) ?? [];
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const name of names) (seen.has(name) ? dupes : seen).add(name);
  return [...dupes];
}

/**
 * The deepest nesting of objects and arrays in a JSON text (0 for a scalar), counted in one pass
 * without recursion. Our own walkers and JSON.stringify recurse per level, so a token nested
 * 100,000 levels deep would overflow the stack; callers check this first.
 */
export function jsonNestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch === 0x22) {
      // Skip the string: to the next quote not escaped by a backslash.
      for (i++; i < json.length; i++) {
        const c = json.charCodeAt(i);
        if (c === 0x5c) i++;
        else if (c === 0x22) break;
      }
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
