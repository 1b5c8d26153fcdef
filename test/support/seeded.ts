/**
 * Small deterministic pseudo-random sources for tests and benches: the same sequence in every
 * run, so a plan, a corpus or a HAR is the same each time (not for anything secret).
 */

/** mulberry32: a well-mixed 32-bit generator, values in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A linear congruential generator (Numerical Recipes' constants), values in [0, 1): what the bench corpora and HARs are made from. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
