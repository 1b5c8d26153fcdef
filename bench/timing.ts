/** Shared by the benchmarks: run a function many times and read quantiles of its wall time. */

/** Runs `fn` `warmup` times unmeasured, then `runs` times; returns the times in ms, sorted. */
export function sampleMs(runs: number, warmup: number, fn: () => void): number[] {
  for (let i = 0; i < Math.min(warmup, runs); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

/** The `q` quantile (0..1) of sorted samples, as text with `digits` decimals. */
export function quantile(samples: readonly number[], q: number, digits: number): string {
  return samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(digits);
}
