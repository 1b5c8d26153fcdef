// Garbage-collection pauses of the process that loads this, for the proxy benchmark's children:
// `take()` returns what happened since the previous call (count, total and longest pause by kind).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file, loaded by an ES module and a tsx/cjs child alike
const { PerformanceObserver, constants } = require('node:perf_hooks');

const KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' };
let stats = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = KINDS[e.detail?.kind] ?? 'other';
    const s = (stats[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    s.count++;
    s.totalMs += e.duration;
    s.maxMs = Math.max(s.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

exports.take = function take() {
  const out = stats;
  stats = {};
  return out;
};
// The benchmark's children end with it, even when it is interrupted.
process.on('disconnect', () => process.exit(0));
