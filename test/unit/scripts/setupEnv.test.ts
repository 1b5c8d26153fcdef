import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface OfflineModule {
  setupEnv(base?: NodeJS.ProcessEnv, options?: { prependPath?: string[]; extra?: Record<string, string> }): Record<string, string>;
  testDebianPackages(): string[];
}

const load = (): Promise<OfflineModule> => import(path.resolve(__dirname, '..', '..', '..', 'scripts', 'vscode-offline.mjs')) as Promise<OfflineModule>;

/** What `npm test` puts in the environment of its script (a sample, as npm 11 on Node 20 sets it). */
const outerNpm = {
  npm_config_user_agent: 'npm/11.19.1 node/v20.0.0-outer-npm linux x64 workspaces/false',
  npm_config_nodedir: '/usr',
  npm_config_cache: '/root/.npm',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'node scripts/test-all.mjs',
  npm_package_name: 'session-lens',
  npm_package_version: '0.1.0',
  npm_command: 'run-script',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  INIT_CWD: '/work/main',
  NODE: '/usr/bin/node',
};

describe('set-up children get a clean environment (scripts/vscode-offline.mjs)', () => {
  it('drops every variable an outer npm adds and puts the given Node folder first on PATH', async () => {
    const { setupEnv } = await load();
    const env = setupEnv({
      ...outerNpm,
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      PATH: ['/work/main/node_modules/.bin', '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin', '/usr/local/bin', '/usr/bin'].join(':'),
    }, { prependPath: ['/cache/node24/bin'], extra: { npm_config_nodedir: '/cache/nodedir' } });
    assert.deepEqual(Object.keys(env).filter((k) => /^npm_|^INIT_CWD$|^NODE$/i.test(k)), ['npm_config_nodedir']);
    assert.equal(env.npm_config_nodedir, '/cache/nodedir');
    assert.equal(env.HOME, '/home/dev');
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.PATH, '/cache/node24/bin:/usr/local/bin:/usr/bin');
  });

  it('a child npm started with it does not see the outer npm\'s user agent naming Node 20', async function () {
    this.timeout(60_000);
    const { setupEnv } = await load();
    const dirty = { ...process.env, ...outerNpm };
    // A package whose script prints the user agent npm hands to it, as code-server's postinstall reads it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-setup-env-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, scripts: { ua: 'node -e "process.stdout.write(process.env.npm_config_user_agent)"' } }));
      const run = (env: NodeJS.ProcessEnv) => spawnSync('npm', ['run', '--silent', 'ua'], { cwd: dir, env, encoding: 'utf8' });
      const withOuter = run(dirty);
      assert.match(withOuter.stdout, /outer-npm/, 'without the clean environment the child takes the outer npm\'s value (the bug)');
      const clean = run(setupEnv(dirty));
      assert.equal(clean.status, 0, clean.stderr);
      assert.doesNotMatch(clean.stdout, /outer-npm/);
      assert.match(clean.stdout, new RegExp(`^npm/\\S+ node/${process.version.replace(/\./g, '\\.')} `));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const seen = spawnSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(Object.keys(process.env)))'], { env: setupEnv(dirty), encoding: 'utf8' });
    assert.deepEqual((JSON.parse(seen.stdout) as string[]).filter((k) => /^npm_/i.test(k)), []);
  });

  it('lists the Debian packages the tests need', async () => {
    const { testDebianPackages } = await load();
    const packages = testDebianPackages();
    for (const p of ['chromium', 'libkrb5-dev', 'php-cli', 'python3-flask', 'python3-django']) assert.ok(packages.includes(p), p);
    assert.ok(packages.every((p) => /^[a-z0-9][a-z0-9.+-]+$/.test(p)), packages.join(' '));
  });
});
