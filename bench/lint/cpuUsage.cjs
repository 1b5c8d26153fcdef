// Preloaded (node -r) into a measured child: at exit, writes the process's own CPU time and peak
// memory as one JSON line to the file named by SESSION_LENS_BENCH_USAGE. Worker threads count.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- preloaded with node -r into the bundled CLI (CommonJS)
const fs = require('node:fs');
const out = process.env.SESSION_LENS_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ userMs: r.userCPUTime / 1000, systemMs: r.systemCPUTime / 1000, maxRssMB: r.maxRSS / 1024 }));
  });
}
