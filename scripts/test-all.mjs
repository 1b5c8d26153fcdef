// `npm test`: static checks, then the three test layers (unit in Node, extension host in
// code-server, UI through Chromium). Fails if any layer fails or runs zero tests.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function runStreaming(label, cmd, args, env = {}) {
  console.log(`\n=== ${label} ===`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function mochaCounts(out) {
  const n = (re) => Number(out.match(re)?.[1] ?? 0);
  return { passed: n(/(\d+) passing/), failed: n(/(\d+) failing/), pending: n(/(\d+) pending/) };
}

const layers = [];
let failedStatic = false;

// The Debian packages the layers need (real dev servers, Chromium, code-server's build):
// installed here when root, otherwise the apt-get line to run is printed.
{
  const { ensureDebianPackages, testDebianPackages } = await import('./vscode-offline.mjs');
  try {
    ensureDebianPackages(testDebianPackages());
  } catch (err) {
    console.error(`npm test: ${err.message}`);
    process.exit(1);
  }
}

for (const [label, cmd, args] of [
  ['type check (tsc --noEmit)', bin('tsc'), ['--noEmit']],
  ['lint (eslint)', bin('eslint'), ['src', 'test', 'bench', 'scripts']],
]) {
  const r = await runStreaming(label, cmd, args);
  if (r.code !== 0) { failedStatic = true; console.error(`${label} failed`); }
}

// Unit layer: the VS Code-free core in plain Node.
{
  const r = await runStreaming('unit tests (mocha, plain Node)', bin('mocha'), []);
  layers.push({ name: 'unit', code: r.code, ...mochaCounts(r.out) });
}

// Package once; the host and UI layers test exactly this .vsix.
console.log('\n=== package (.vsix) ===');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const vsix = path.join(root, `session-lens-${version}.vsix`);
const pack = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
if (pack.status !== 0 || !fs.existsSync(vsix)) {
  console.error('packaging failed: the host and UI layers cannot run');
  layers.push({ name: 'package', code: 1, passed: 0, failed: 1, pending: 0 });
} else {
  const env = { SESSION_LENS_VSIX: vsix };
  const host = await runStreaming('extension host tests (code-server, packaged .vsix)', bin('tsx'), ['test/host/codeServerLauncher.ts'], env);
  const hm = host.out.match(/host: (\d+) passed, (\d+) failed/);
  layers.push({ name: 'host', code: host.code, passed: Number(hm?.[1] ?? 0), failed: Number(hm?.[2] ?? (host.code ? 1 : 0)), pending: 0 });
  const ui = await runStreaming('UI tests (Playwright + Chromium on the workbench)', bin('mocha'), ['--config', 'test/ui/.mocharc.json'], env);
  layers.push({ name: 'ui', code: ui.code, ...mochaCounts(ui.out) });
}

console.log('\n=== summary ===');
let ok = !failedStatic;
let passed = 0;
let failed = failedStatic ? 1 : 0;
for (const l of layers) {
  const zero = l.passed + l.failed === 0;
  if (l.code !== 0 || l.failed > 0 || zero) ok = false;
  passed += l.passed;
  failed += l.failed + (l.code !== 0 && l.failed === 0 ? 1 : 0);
  console.log(`${l.name.padEnd(6)} ${l.passed} passed, ${l.failed} failed${l.pending ? `, ${l.pending} pending` : ''}${zero ? '  <- ran zero tests' : ''}${l.code !== 0 ? `  (exit ${l.code})` : ''}`);
}
if (failedStatic) console.log('static checks failed (tsc or eslint)');
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
