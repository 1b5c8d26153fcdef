#!/usr/bin/env node
// Proxy benchmark: direct vs npm http-proxy (keep-alive) vs Session Lens recording, in
// interleaved rounds; then latency at equal open-loop load, and RSS across 100k requests.
// Prints figures only; no assertions. Usage: node bench/proxy/run.mjs [--duration S] [--rounds N] [--rss-requests N]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pacedLoad, percentile } from './pacedLoad.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const here = dirname(fileURLToPath(import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const duration = option('duration', 5);
const rounds = option('rounds', 3);
const rssRequests = option('rss-requests', 100_000);

/** Starts a child that prints {"port":N} on its first line; resolves to { port, child }. */
function startChild(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...env } });
    let buffered = '';
    child.stdout.on('data', (c) => {
      buffered += c.toString();
      const nl = buffered.indexOf('\n');
      if (nl !== -1) resolve({ port: JSON.parse(buffered.slice(0, nl)).port, child });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Asks a child for a figure ('rss' or 'gc': pauses since the last ask) over IPC. */
function ask(child, what) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(what);
  });
}
const rssOf = (child) => ask(child, 'rss');
const gcOf = (child) => ask(child, 'gc');

function run(url, connections, seconds, amount) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, pipelining: 1, ...(amount ? { amount } : { duration: seconds }) }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const upstream = await startChild([join(here, 'upstream.mjs')]);
const target = `http://127.0.0.1:${upstream.port}`;
const httpProxy = await startChild(['--expose-gc', join(here, 'httpProxyChild.mjs'), target]);
const sessionLens = await startChild(['--expose-gc', '--require', 'tsx/cjs', join(here, 'sessionLensChild.ts'), target]);
const forwardOnly = await startChild(['--require', 'tsx/cjs', join(here, 'sessionLensChild.ts'), target, '--forward-only']);

const variants = [
  { name: 'direct', port: upstream.port, pid: upstream.child.pid, child: upstream.child },
  { name: 'http-proxy (keep-alive)', port: httpProxy.port, pid: httpProxy.child.pid, child: httpProxy.child },
  { name: 'Session Lens (recording)', port: sessionLens.port, pid: sessionLens.child.pid, child: sessionLens.child },
];
const scenarios = [
  { name: 'small response, two Set-Cookie', path: '/small', connections: 50 },
  { name: '1 MiB body', path: '/big', connections: 10 },
];

console.log(`Proxy benchmark: ${rounds} interleaved rounds × ${duration} s per run, autocannon, loopback, node ${process.version}`);
// Warm-up so JIT and keep-alive pools are in place before measuring.
for (const s of scenarios) for (const v of variants) await run(`http://127.0.0.1:${v.port}${s.path}`, s.connections, 1);

const results = new Map();
for (let round = 1; round <= rounds; round++) {
  for (const s of scenarios) {
    for (const v of variants) {
      const cpu0 = cpuMs(v.pid);
      const r = await run(`http://127.0.0.1:${v.port}${s.path}`, s.connections, duration);
      // CPU per request of the server under test (the upstream itself for 'direct'): steadier than req/s on a busy machine.
      const cpuPerReq = ((cpuMs(v.pid) - cpu0) * 1000) / Math.max(1, r.requests.total);
      const key = `${s.name}|${v.name}`;
      const list = results.get(key) ?? [];
      list.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mibps: r.throughput.average / 1048576, cpu: cpuPerReq, errors: r.errors + r.non2xx });
      results.set(key, list);
    }
  }
  process.stdout.write(`  round ${round}/${rounds} done\n`);
}

for (const s of scenarios) {
  console.log(`\n${s.name} (${s.connections} connections; medians over ${rounds} rounds)`);
  console.log(`  ${'variant'.padEnd(26)} ${'req/s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'MiB/s'.padStart(9)} ${'CPU µs/req'.padStart(11)} ${'errors'.padStart(7)}`);
  const m = {};
  for (const v of variants) {
    const list = results.get(`${s.name}|${v.name}`);
    m[v.name] = { rps: median(list.map((x) => x.rps)), p50: median(list.map((x) => x.p50)), p99: median(list.map((x) => x.p99)), mibps: median(list.map((x) => x.mibps)), cpu: median(list.map((x) => x.cpu)), errors: list.reduce((a, x) => a + x.errors, 0) };
    const r = m[v.name];
    console.log(`  ${v.name.padEnd(26)} ${fmt(r.rps).padStart(10)} ${fmt(r.p50, 1).padStart(8)} ${fmt(r.p99, 1).padStart(8)} ${fmt(r.mibps, 1).padStart(9)} ${fmt(r.cpu, 1).padStart(11)} ${String(r.errors).padStart(7)}`);
  }
  const sl = m['Session Lens (recording)'];
  const hp = m['http-proxy (keep-alive)'];
  console.log(`  ratio Session Lens / http-proxy: req/s ${fmt(sl.rps / hp.rps, 2)}×, MiB/s ${fmt(sl.mibps / hp.mibps, 2)}×, p99 ${fmt(sl.p99 / hp.p99, 2)}×, CPU per request ${fmt(sl.cpu / hp.cpu, 2)}× (lower is better)`);
  console.log(`  ratio Session Lens / direct:     req/s ${fmt(sl.rps / m.direct.rps, 2)}×`);
}

// Latency at the same offered load: a closed loop gives the faster proxy more requests per
// second, so its p99 there also counts the extra work that buys. Here every proxy gets the same
// open-loop load (pacedLoad.mjs: evenly spaced requests, latency from when each was due) at a
// few rates: 1,000 req/s (far above a browser session on a dev server), 3,000, and 70 % of
// what http-proxy managed in the closed loop. 'forwarding only' is Session Lens with a store
// that drops everything: the relay's own cost, apart from recording. Garbage-collection pauses
// of each proxy during its runs show where a tail comes from.
const hpMax = median(results.get(`${scenarios[0].name}|http-proxy (keep-alive)`).map((x) => x.rps));
const rates = [1000, 3000, Math.round(0.7 * hpMax)];
const loaded = [variants[1], variants[2], { name: 'Session Lens (forwarding only)', port: forwardOnly.port, child: forwardOnly.child }];
console.log(`\nlatency at equal open-loop load: /small, 50 connections, ${rounds} interleaved rounds × ${duration} s per rate (medians; latency counted from when each request was due; lag: how late the generator itself sent, included in latency)`);
console.log(`  ${'rate'.padStart(7)} ${'variant'.padEnd(31)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'lag p99'.padStart(8)}   GC pauses per second of load (minor / major: count, longest)`);
for (const rate of rates) {
  const atRate = new Map(loaded.map((v) => [v.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const v of loaded) {
      await gcOf(v.child);
      const r = await pacedLoad({ port: v.port, path: '/small', rate, seconds: duration, connections: 50 });
      const gc = await gcOf(v.child);
      const l = r.latencies;
      atRate.get(v.name).push({ p50: percentile(l, 50), p90: percentile(l, 90), p99: percentile(l, 99), max: percentile(l, 100), lag: percentile(r.lags, 99), errors: r.errors + (r.sent - r.completed), gc, seconds: r.seconds });
    }
  }
  const p99 = {};
  for (const v of loaded) {
    const list = atRate.get(v.name);
    const r = { p50: median(list.map((x) => x.p50)), p90: median(list.map((x) => x.p90)), p99: median(list.map((x) => x.p99)), max: median(list.map((x) => x.max)), lag: median(list.map((x) => x.lag)) };
    p99[v.name] = r.p99;
    const seconds = list.reduce((a, x) => a + x.seconds, 0);
    const kind = (k) => {
      const count = list.reduce((a, x) => a + (x.gc[k]?.count ?? 0), 0);
      const longest = Math.max(0, ...list.map((x) => x.gc[k]?.maxMs ?? 0));
      return `${fmt(count / seconds, 1)}, ${fmt(longest, 1)} ms`;
    };
    const errors = list.reduce((a, x) => a + x.errors, 0);
    console.log(`  ${fmt(rate).padStart(7)} ${v.name.padEnd(31)} ${fmt(r.p50, 2).padStart(7)} ${fmt(r.p90, 2).padStart(7)} ${fmt(r.p99, 2).padStart(7)} ${fmt(r.max, 1).padStart(7)} ${fmt(r.lag, 2).padStart(8)}   minor ${kind('minor')} / major ${kind('major')}${errors ? `   ${errors} errors` : ''}`);
  }
  console.log(`  ${''.padStart(7)} ratio p99 Session Lens / http-proxy: recording ${fmt(p99['Session Lens (recording)'] / p99['http-proxy (keep-alive)'], 2)}×, forwarding only ${fmt(p99['Session Lens (forwarding only)'] / p99['http-proxy (keep-alive)'], 2)}× (lower is better)`);
}

// Memory: RSS and heap at checkpoints while more requests go through with the ring buffer full.
// Bounded memory shows as a plateau: growth (if any) early, none at the later checkpoints.
const mib = (b) => fmt(b / 1048576, 1);
const steps = 4;
for (const [label, v] of [['Session Lens', sessionLens], ['http-proxy', httpProxy]]) {
  const points = [await rssOf(v.child)];
  for (let i = 0; i < steps; i++) {
    await run(`http://127.0.0.1:${v.port}/small`, 50, 0, Math.round(rssRequests / steps));
    points.push(await rssOf(v.child));
  }
  console.log(`\n${label}: RSS / JS heap used (after GC) every ${fmt(Math.round(rssRequests / steps))} requests, ${fmt(rssRequests)} in all:`);
  console.log(`  RSS  ${points.map((p) => mib(p.rss)).join(' → ')} MiB (Δ ${mib(points.at(-1).rss - points[0].rss)} MiB, last ${steps / 2} steps Δ ${mib(points.at(-1).rss - points[steps / 2].rss)} MiB)`);
  console.log(`  heap ${points.map((p) => mib(p.heapUsed)).join(' → ')} MiB`);
  if (points.at(-1).exchanges !== undefined) console.log(`  the store holds ${points.at(-1).exchanges} exchanges (${points.at(-1).evicted} evicted so far), ${points.at(-1).cookies} cookies`);
}

for (const c of [sessionLens.child, forwardOnly.child, httpProxy.child, upstream.child]) {
  c.removeAllListeners('exit');
  c.kill();
}
