/** Bodies are compared on their first 256 KiB (characters): enough for any page, bounded work. */
const COMPARED_CHARS = 256 * 1024;

/** Word tokens of a body: runs of letters or digits, lower-cased, with HTML/XML tags dropped (markup, quotes and spacing ignored). */
export function bodyWords(body: string): Map<string, number> {
  const counts = new Map<string, number>();
  const text = body.slice(0, COMPARED_CHARS).replace(/<[^<>]*>/g, ' ').toLowerCase();
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  return counts;
}

/**
 * How alike two response bodies are, from 0 (no word in common) to 1 (the same words, as often):
 * the Dice coefficient of their word multisets, 2·|A∩B| / (|A| + |B|), over {@link bodyWords}.
 * Word order and markup (tags) do not count, so a page that differs only by a counter or a timestamp
 * stays close to 1, while "Logged in as alice" against a login form falls well below. Two empty
 * bodies are alike (1).
 */
export function bodySimilarity(a: string, b: string): number {
  const wa = bodyWords(a);
  const wb = bodyWords(b);
  let sizeA = 0;
  let sizeB = 0;
  let common = 0;
  for (const n of wa.values()) sizeA += n;
  for (const [w, n] of wb) {
    sizeB += n;
    common += Math.min(n, wa.get(w) ?? 0);
  }
  return sizeA + sizeB === 0 ? 1 : (2 * common) / (sizeA + sizeB);
}
