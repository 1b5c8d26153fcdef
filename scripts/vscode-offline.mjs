// Sets up (once) and locates the offline VS Code that tests and the demo run in:
// code-server from the npm registry, on a Node 24 binary from the npm registry,
// in a cache folder outside the repository keyed by version.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';
export const CHROMIUM = '/usr/bin/chromium';

const cacheRoot = process.env.SESSION_LENS_CACHE
  ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'session-lens');
export const installDir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}`);
const doneMarker = path.join(installDir, '.installed');

function log(message) {
  process.stderr.write(`[vscode-offline] ${message}\n`);
}

/**
 * Variables an outer npm (`npm test`, `npm run demo`) puts in the environment of its scripts.
 * A child npm takes every `npm_config_*` as its own configuration: the outer npm's
 * `npm_config_user_agent` ("npm/… node/v20…") makes code-server's postinstall believe it runs
 * on Node 20, and `npm_config_nodedir` etc. point native builds at the wrong headers.
 */
const INHERITED_NPM = /^(npm_|INIT_CWD$|NODE$|COLOR$)/i;

/**
 * The environment for a set-up child: the caller's environment without anything an outer npm
 * added, with `prependPath` (Node 24's folder) first on PATH and `extra` on top.
 * @param {NodeJS.ProcessEnv} base
 * @param {{ prependPath?: string[], extra?: Record<string, string> }} [options]
 * @returns {Record<string, string>}
 */
export function setupEnv(base = process.env, { prependPath = [], extra = {} } = {}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || INHERITED_NPM.test(key)) continue;
    env[key] = value;
  }
  // npm run puts node_modules/.bin folders (and npm's own helper folder) in front of PATH.
  const pathParts = (base.PATH ?? '').split(path.delimiter).filter((p) => p && !p.includes(`${path.sep}node_modules${path.sep}.bin`) && !p.endsWith(`${path.sep}node-gyp-bin`));
  env.PATH = [...prependPath, ...pathParts].join(path.delimiter);
  return { ...env, ...extra };
}

function run(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

function debianPackageInstalled(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** The Debian packages the tests need (scripts/debian-packages.txt: the offline VS Code's and the real dev servers'). */
export function testDebianPackages() {
  const file = new URL('./debian-packages.txt', import.meta.url);
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Installs the Debian packages given (default: what the offline VS Code needs), when they are missing and we may. */
export function ensureDebianPackages(names = ['chromium', 'libkrb5-dev']) {
  const missing = names.filter((n) => !debianPackageInstalled(n));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  // Another apt-get (unattended upgrades, a second terminal) may hold the lock: wait for it.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  run('apt-get', [...wait, 'update']);
  run('apt-get', [...wait, 'install', '-y', '--no-install-recommends', ...missing], { env: setupEnv(process.env, { extra: { DEBIAN_FRONTEND: 'noninteractive' } }) });
}

function paths() {
  const nodeBin = path.join(installDir, 'node24', 'node_modules', 'node', 'bin', 'node');
  const nodeBinDir = path.join(installDir, 'node24', 'node_modules', '.bin');
  const entry = path.join(installDir, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  return { nodeBin, nodeBinDir, entry };
}

function findNodeHeaders() {
  const base = path.join(installDir, 'node24', 'node_modules');
  for (const dir of fs.readdirSync(path.join(base, 'node', 'node_modules'), { withFileTypes: true })) {
    const include = path.join(base, 'node', 'node_modules', dir.name, 'include');
    if (dir.name.startsWith('node-') && fs.existsSync(path.join(include, 'node', 'node.h'))) return include;
  }
  throw new Error('the node@24 package has no headers (include/node/node.h)');
}

/** Makes sure code-server is installed and returns how to run it. */
export function ensureCodeServer() {
  ensureDebianPackages();
  const p = paths();
  if (fs.existsSync(doneMarker) && fs.existsSync(p.entry)) return p;

  log(`setting up code-server ${CODE_SERVER_VERSION} in ${installDir} (first run only, about 2 minutes)`);
  fs.rmSync(installDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(installDir, 'node24'), { recursive: true });
  fs.mkdirSync(path.join(installDir, 'cs'), { recursive: true });
  fs.writeFileSync(path.join(installDir, 'node24', 'package.json'), '{"private":true}\n');
  fs.writeFileSync(path.join(installDir, 'cs', 'package.json'), '{"private":true}\n');

  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node@${NODE_MAJOR}`], { cwd: path.join(installDir, 'node24'), env: setupEnv() });
  const realNode = fs.realpathSync(path.join(p.nodeBinDir, 'node'));
  const version = spawnSync(realNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`node@${NODE_MAJOR} package gave ${version || 'no binary'}`);

  // node-gyp needs a nodedir with include/ plus common.gypi and config.gypi at its root;
  // this machine's npm config points it at the system Node 20 headers otherwise.
  const nodedir = path.join(installDir, 'nodedir');
  fs.mkdirSync(nodedir, { recursive: true });
  const include = findNodeHeaders();
  fs.symlinkSync(include, path.join(nodedir, 'include'));
  fs.symlinkSync(path.join(include, 'node', 'common.gypi'), path.join(nodedir, 'common.gypi'));
  fs.symlinkSync(path.join(include, 'node', 'config.gypi'), path.join(nodedir, 'config.gypi'));

  // Node 24 first on PATH: code-server's postinstall checks the Node that runs npm.
  const env = setupEnv(process.env, {
    prependPath: [path.dirname(realNode), p.nodeBinDir],
    extra: { npm_config_nodedir: nodedir, NODEDIR: nodedir },
  });
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], { cwd: path.join(installDir, 'cs'), env });
  if (!fs.existsSync(p.entry)) throw new Error(`code-server installed but ${p.entry} is missing`);
  fs.writeFileSync(doneMarker, new Date().toISOString());
  log('code-server is ready');
  return { ...p, nodeBin: realNode };
}

export function codeServerCommand() {
  const p = ensureCodeServer();
  return { node: fs.realpathSync(path.join(p.nodeBinDir, 'node')), entry: p.entry };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const c = codeServerCommand();
    console.log(JSON.stringify(c));
  } catch (err) {
    log(`error: ${err.message}`);
    process.exit(1);
  }
}
