import * as assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => { out += d; });
  stderr.on('data', (d) => { err += d; });
  const code = await runCli(argv, { stdout, stderr, stdin: new PassThrough(), cwd: process.cwd() });
  return { code, out, err };
}

describe('session-lens command line', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await run('--help');
    assert.equal(r.code, 0);
    for (const name of ['scan', 'decode', 'capture', 'audit']) assert.match(r.out, new RegExp(`^  ${name} `, 'm'));
  });

  it('no arguments prints the overview and exits 2', async () => {
    const r = await run();
    assert.equal(r.code, 2);
    assert.match(r.out, /Usage: session-lens <command>/);
  });

  it('an unknown command or option is one line on stderr, exit 2, no stack trace', async () => {
    for (const argv of [['frobnicate'], ['--frobnicate'], ['decode', '--frobnicate', 'x'], ['scan', '--format', 'xml']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, /^session-lens: /);
      assert.ok(!/\n\s+at /.test(r.err), 'no stack trace');
    }
  });

  it('<command> --help prints that command\'s usage', async () => {
    for (const name of ['scan', 'decode', 'capture', 'audit']) {
      const r = await run(name, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`Usage: session-lens ${name}`));
    }
  });

  it('an output that cannot be written (ENOSPC) is one line on stderr and exit 74', async () => {
    const full = new Writable({
      write(_chunk, _enc, cb) { cb(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })); },
    });
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (d) => { err += d; });
    const code = await runCli(['--version'], { stdout: full, stderr, stdin: new PassThrough(), cwd: process.cwd() });
    assert.equal(code, 74);
    assert.equal(err, 'session-lens: cannot write standard output: ENOSPC\n');
  });

  it('--version prints a version', async () => {
    const r = await run('--version');
    assert.equal(r.code, 0);
    assert.match(r.out.trim(), /^\d+\.\d+\.\d+/);
  });
});
