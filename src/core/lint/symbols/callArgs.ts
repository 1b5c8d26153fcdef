/** Reading a call's arguments from the text, for the indexers of cookie helpers' callers (C#, Go). */

/**
 * The top-level arguments from just after `(` to the matching `)`, at most 1 K characters
 * (strings skipped; a `;` before the end is no call).
 */
export function splitCallArgs(text: string, from: number): { list: string[]; end: number } | undefined {
  const list: string[] = [];
  let depth = 0;
  let start = from;
  const limit = Math.min(text.length, from + 1024);
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < limit && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '`') {
      for (i++; i < limit && text[i] !== '`'; i++);
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        if (c !== ')') return undefined;
        if (text.slice(start, i).trim() || list.length) list.push(text.slice(start, i));
        return { list, end: i + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      list.push(text.slice(start, i));
      start = i + 1;
    } else if (c === ';') return undefined;
  }
  return undefined;
}

