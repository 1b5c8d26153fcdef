import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { parseLintConfig } from '../../../src/core/lint/config';
import { listFiles, scanFiles } from '../../../src/core/lint/scanner';
import { type CliOutput, runCliInProcess } from '../../support/cliInProcess';

describe('lint scanning and session-lens scan', () => {
  let root: string;

  function write(rel: string, content: string | Buffer): void {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }

  const cli = (args: string[], cwd = root): Promise<CliOutput> => runCliInProcess(args, cwd);

  const rel = (files: readonly string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/')).sort();

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-scan-'));
    write('app.js', "res.cookie('sid', v);\n");
    write('ok.js', "res.cookie('sid', v, { secure: true, httpOnly: true, sameSite: 'lax' });\n");
    write('info.js', "res.cookie('theme', 'dark');\n");
    write('src/ümlaut dir/server.ts', "// 😀\nconst s = session({ secret: 'keyboard cat', name: 'x', cookie: { secure: true, sameSite: 'lax' } });\n");
    write('.gitignore', 'ignored/\n*.gen.js\n!keep.gen.js\n/build\n');
    write('ignored/a.js', "res.cookie('sid', v);\n");
    write('x.gen.js', "res.cookie('sid', v);\n");
    write('keep.gen.js', "res.cookie('sid', v, { secure: true, httpOnly: true, sameSite: 'lax' });\n");
    write('build/out.js', "res.cookie('sid', v);\n");
    write('sub/build/inner.js', "res.cookie('sid', v, { secure: true, httpOnly: true, sameSite: 'lax' });\n");
    write('sub/.gitignore', 'local.py\n');
    write('sub/local.py', "resp.set_cookie('sid', 'v')\n");
    write('node_modules/dep/index.js', "res.cookie('sid', v);\n");
    write('vendor/lib.js', "res.cookie('sid', v);\n");
    write('binary.js', Buffer.from([0x63, 0x6f, 0x6f, 0x6b, 0x69, 0x65, 0, 1, 2, 3]));
    write('latin1.py', Buffer.from('x = "caf\xe9 cookie"\n', 'latin1'));
    write('README.md', 'cookie');
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('file listing', () => {
    it('honours root and nested .gitignore, negation, anchored and folder patterns, and skips node_modules', async () => {
      const { files } = await listFiles(['.'], { cwd: root });
      assert.deepEqual(rel(files), [
        'app.js', 'binary.js', 'info.js', 'keep.gen.js', 'latin1.py', 'ok.js', 'src/ümlaut dir/server.ts', 'sub/build/inner.js', 'vendor/lib.js',
      ]);
    });

    it('applies exclude globs and can ignore .gitignore', async () => {
      const { files } = await listFiles(['.'], { cwd: root, exclude: ['vendor/**', '**/*.py'], gitignore: false });
      assert.ok(!rel(files).includes('vendor/lib.js'));
      assert.ok(!rel(files).some((f) => f.endsWith('.py')));
      assert.ok(rel(files).includes('ignored/a.js'));
    });

    it('keeps a file named explicitly and reports a path that does not exist', async () => {
      const { files, problems } = await listFiles(['ignored/a.js', 'missing.js', 'README.md'], { cwd: root });
      assert.deepEqual(rel(files), ['ignored/a.js']);
      assert.equal(problems.length, 2);
      assert.match(problems[0].message, /cannot read: ENOENT/);
      assert.match(problems[1].message, /not a language/);
    });
  });

  describe('scanFiles', () => {
    it('reports binary and non-UTF-8 files as problems and lints the rest', async () => {
      const result = await scanFiles(['.'], { cwd: root, workers: 0 });
      const problems = Object.fromEntries(result.problems.map((p) => [path.basename(p.file), p.message]));
      assert.match(problems['binary.js'], /binary/);
      assert.match(problems['latin1.py'], /UTF-8/);
      assert.equal(result.files, 7);
      const byFile = (f: string) => result.findings.filter((x) => path.relative(root, x.file) === f).map((x) => x.ruleId).sort();
      assert.deepEqual(byFile('app.js'), ['cookie-missing-httponly', 'cookie-missing-samesite', 'cookie-missing-secure']);
      assert.deepEqual(byFile('ok.js'), []);
      assert.deepEqual(byFile(path.join('src', 'ümlaut dir', 'server.ts')), ['session-hardcoded-secret']);
    });

    it('gives the same result on worker threads as in one thread, and falls back when workers cannot start', async () => {
      const many = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-many-'));
      try {
        for (let i = 0; i < 40; i++) {
          fs.writeFileSync(path.join(many, `f${i}.js`), `${'\n'.repeat(i)}res.cookie('sid${i}', v, { secure: ${i % 2 === 0} });\n`);
        }
        const strip = (r: Awaited<ReturnType<typeof scanFiles>>) => r.findings.map((f) => `${path.basename(f.file)}:${f.range.start.line}:${f.ruleId}`).sort();
        const single = await scanFiles([many], { workers: 0 });
        const threaded = await scanFiles([many], { workers: 2 });
        const fallback = await scanFiles([many], { workers: 2, workerEntry: path.join(many, 'no-such-worker.js') });
        assert.equal(single.findings.length, 40 * 2 + 20);
        assert.deepEqual(strip(threaded), strip(single));
        assert.deepEqual(strip(fallback), strip(single));
        assert.equal(threaded.workersUsed, 2);
        assert.equal(fallback.workersUsed, 0);
        assert.equal(threaded.files, 40);
        assert.equal(threaded.lines, single.lines);
      } finally {
        fs.rmSync(many, { recursive: true, force: true });
      }
    });

    it('serves as the worker entry when bundled as the CLI ships (the bundle evaluates the engine lazily)', async function () {
      this.timeout(120_000);
      // Inside node_modules so the bundle finds the grammars' packages as dist/cli.js does.
      const cacheDir = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache');
      fs.mkdirSync(cacheDir, { recursive: true });
      const out = fs.mkdtempSync(path.join(cacheDir, 'session-lens-cli-bundle-'));
      const many = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-many-'));
      try {
        const cliJs = path.join(out, 'cli.js');
        await build({
          entryPoints: [path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts')], outfile: cliJs,
          bundle: true, platform: 'node', format: 'cjs', target: 'node20', define: { SESSION_LENS_VERSION: '"test"' }, logLevel: 'silent',
        });
        for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(many, `f${i}.js`), `res.cookie('sid${i}', v, { secure: ${i % 2 === 0} });\n`);
        const result = await scanFiles([many], { workers: 2, workerEntry: cliJs });
        assert.equal(result.workersUsed, 2, 'both workers answered: the bundled entry started the worker loop');
        assert.equal(result.files, 30);
        assert.equal(result.findings.filter((f) => f.ruleId === 'cookie-missing-secure').length, 15);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
        fs.rmSync(many, { recursive: true, force: true });
      }
    });

    it('stops when cancelled', async () => {
      const ac = new AbortController();
      ac.abort();
      const result = await scanFiles(['.'], { cwd: root, workers: 0, signal: ac.signal });
      assert.equal(result.cancelled, true);
      assert.equal(result.findings.length, 0);
    });
  });

  describe('lint config', () => {
    it('reads rules, thresholds, excludes and languages', () => {
      const c = parseLintConfig('{"rules":{"cookie-missing-samesite":"off","jwt-verify-disabled":"warning"},"maxSessionCookieLifetimeDays":7,"exclude":["a/**"],"languages":["python"]}');
      assert.deepEqual(c, { rules: { 'cookie-missing-samesite': 'off', 'jwt-verify-disabled': 'warning' }, maxSessionCookieLifetimeDays: 7, exclude: ['a/**'], languages: ['python'] });
    });

    for (const [json, message] of [
      ['{', /not valid JSON/],
      ['[]', /expected a JSON object/],
      ['{"rule":{}}', /unknown key "rule"/],
      ['{"rules":{"cookie-nope":"off"}}', /unknown rule "cookie-nope"/],
      ['{"rules":{"session-fixation":"off"}}', /applies to traffic/],
      ['{"rules":{"jwt-alg-none":"loud"}}', /must be one of/],
      ['{"maxSessionCookieLifetimeDays":-1}', /positive number/],
      ['{"languages":["cobol"]}', /"languages" must be/],
    ] as const) {
      it(`rejects ${json} with a clear message`, () => {
        assert.throws(() => parseLintConfig(json), message);
      });
    }
  });

  describe('session-lens scan', () => {
    it('prints text grouped by file and exits 1 on warnings by default', async () => {
      const r = await cli(['scan', 'app.js', 'ok.js']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^app\.js\n {2}1:1 {2}warning {2}Add HttpOnly to cookie .sid.: res.cookie leaves it out by default/m);
      assert.match(r.stdout, /3 findings \(0 errors, 2 warnings, 1 info\) in 1 of 2 files\./);
    });

    it('exit codes follow --fail-on', async () => {
      assert.equal((await cli(['scan', 'info.js'])).code, 0);
      assert.equal((await cli(['scan', 'info.js', '--fail-on', 'info'])).code, 1);
      assert.equal((await cli(['scan', 'app.js', '--fail-on', 'error'])).code, 0);
      assert.equal((await cli(['scan', 'app.js', '--fail-on', 'never'])).code, 0);
      assert.equal((await cli(['scan', 'ok.js', '--fail-on', 'info'])).code, 0);
    });

    it('prints JSON with 1-based positions and cwd-relative paths', async () => {
      const r = await cli(['scan', 'src', '--format', 'json']);
      assert.equal(r.code, 1);
      const json = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
      assert.deepEqual(json.findings, [{
        ruleId: 'session-hardcoded-secret',
        severity: 'error',
        file: 'src/ümlaut dir/server.ts',
        line: 2,
        column: 29,
        endLine: 2,
        endColumn: 43,
        message: json.findings[0].message,
        docs: json.findings[0].docs,
      }]);
      // The rule's page inside this package.
      assert.match(String(json.findings[0].docs), /^file:\/\/.*\/docs\/rules\/session-hardcoded-secret\.md$/);
    });

    it('usage errors exit 2: bad option, bad value, missing path, bad config', async () => {
      assert.equal((await cli(['scan', '--format', 'xml'])).code, 2);
      assert.equal((await cli(['scan', '--bogus'])).code, 2);
      const missing = await cli(['scan', 'nope']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no such file or folder: nope/);
      write('bad.json', '{"rules":{"x":"off"}}');
      const bad = await cli(['scan', 'app.js', '--config', 'bad.json']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /bad\.json: unknown rule "x"/);
      assert.equal((await cli(['scan', 'app.js', '--config', 'absent.json'])).code, 2);
    });

    it('applies a config file: rules off, severities, excludes', async () => {
      write('lint.json', '{"rules":{"cookie-missing-secure":"off","cookie-missing-httponly":"info"}}');
      const r = await cli(['scan', 'app.js', '--config', 'lint.json', '--format', 'json']);
      assert.equal(r.code, 0);
      const json = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string }[] };
      assert.deepEqual(json.findings.map((f) => `${f.ruleId}:${f.severity}`).sort(), ['cookie-missing-httponly:info', 'cookie-missing-samesite:info']);
      const ex = await cli(['scan', '.', '--exclude', 'app.js', '--exclude', 'src/**', '--format', 'json']);
      const files = (JSON.parse(ex.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
      assert.ok(!files.includes('app.js') && !files.some((f) => f.startsWith('src/')));
    });

    it('reports unreadable files on stderr and goes on', async () => {
      const r = await cli(['scan', '.', '--format', 'json']);
      assert.match(r.stderr, /binary\.js: skipped: binary file/);
      assert.match(r.stderr, /latin1\.py: skipped: not valid UTF-8/);
      assert.ok((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length > 0);
    });
  });
});
