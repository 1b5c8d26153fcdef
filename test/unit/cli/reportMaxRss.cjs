// Preloaded into CLI processes by the tests: reports the peak resident memory (KiB) on pipe 3.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeSync } = require('node:fs');

process.on('exit', () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // Not started by the tests (no pipe 3): nothing to report.
  }
});
