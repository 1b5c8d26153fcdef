import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, ROOT, runCliProcess } from './cliProcess';

const GiB = 1024 * 1024 * 1024;
const b64url = (text: string): string => Buffer.from(text).toString('base64url');
const token = (payload: string): string => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(payload)}.c2lnbmF0dXJl`;

/** Exit code as documented, one line on stderr starting with `session-lens: `, no stack trace, under 1 GB. */
function assertOneLineError(run: CliRun, code: number, message: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.match(run.stderr, /^session-lens: [^\n]*\n$/, 'one line on stderr');
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(run.maxRssBytes !== undefined && run.maxRssBytes < GiB, `peak memory ${run.maxRssBytes} bytes`);
}

describe('CLI under bad input (real processes)', function () {
  // A safety net for a busy machine: every test waits on its process exiting.
  this.timeout(180_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'session-lens-bad-input-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('files the user names are read bounded', () => {
    it('decode --key /dev/zero stops at the 1 MiB limit', async () => {
      const run = await runCliProcess(['decode', token('{"sub":"x"}'), '--key', '/dev/zero']);
      assertOneLineError(run, 2, /key file '\/dev\/zero' is larger than 1 MiB/);
    });

    it('decode --key of a 1 GB sparse file is refused from its size, without reading it', async () => {
      const file = join(dir, 'sparse.key');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, GiB);
      closeSync(fd);
      const run = await runCliProcess(['decode', token('{"sub":"x"}'), '--key', file]);
      assertOneLineError(run, 2, /is larger than 1 MiB \(1073741824 bytes\)/);
      // Reading the file would take its size in memory; the refusal takes a process's usual share.
      assert.ok(run.maxRssBytes! < 256 * 1024 * 1024, `peak memory ${run.maxRssBytes} bytes`);
    });

    it('decode --key of a FIFO fed without end stops at the limit', async () => {
      const fifo = join(dir, 'key.fifo');
      execFileSync('mkfifo', [fifo]);
      // A writer that never stops: it ends when the CLI closes the FIFO (EPIPE).
      const writer = spawn(process.execPath, ['-e', `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(fifo)},'w');const b=Buffer.alloc(65536,97);try{for(;;)fs.writeSync(fd,b)}catch{}`], { stdio: 'ignore' });
      try {
        const run = await runCliProcess(['decode', token('{"sub":"x"}'), '--key', fifo]);
        assertOneLineError(run, 2, /key\.fifo' is larger than 1 MiB/);
      } finally {
        if (writer.exitCode === null) writer.kill();
      }
    });

    it('audit /dev/zero says at once that it is not JSON', async () => {
      const run = await runCliProcess(['audit', '/dev/zero']);
      assertOneLineError(run, 2, /^session-lens: \/dev\/zero is not JSON \(/);
    });

    it('audit of a 1 GB sparse file is refused from its size', async () => {
      const file = join(dir, 'sparse.har');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, GiB);
      closeSync(fd);
      const run = await runCliProcess(['audit', file]);
      assertOneLineError(run, 2, /sparse\.har is larger than 512 MiB \(1073741824 bytes\)/);
    });

    it('audit of a HAR cut short says so instead of auditing part of it', async () => {
      const har = readFileSync(join(ROOT, 'test/fixtures/har/chrome.har'), 'utf8');
      const run = await runCliProcess(['audit', '-'], { stdin: har.slice(0, Math.floor(har.length * 0.6)) });
      assertOneLineError(run, 2, /^session-lens: standard input is not JSON \(the text ends inside log\.entries\[\d+\] before the JSON does: the file is cut short\)\n$/);
      assert.equal(run.stdout.length, 0);
    });

    it('scan --config /dev/zero stops at the limit', async () => {
      const run = await runCliProcess(['scan', '--config', '/dev/zero', dir]);
      assertOneLineError(run, 2, /config \/dev\/zero is larger than 1 MiB/);
    });
  });

  describe('input that drives recursion deep', () => {
    const deepJson = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

    it('decode of a payload nested 100,000 objects deep shows it as text and exits 0', async () => {
      const run = await runCliProcess(['decode', '-'], { stdin: token(deepJson(100_000)) });
      assert.equal(run.code, 0, run.stderr);
      const out = run.stdout.toString('utf8');
      assert.match(out, /Payload \(text, not JSON\)\n {2}\{"a":\{"a":/);
      assert.match(out, /payload is JSON nested 100000 levels deep/);
    });

    it('decode --format json of the same payload gives it as payloadText', async () => {
      const run = await runCliProcess(['decode', '-', '--format', 'json'], { stdin: token(deepJson(100_000)) });
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout.toString('utf8')) as { payload: unknown; payloadText: string };
      assert.equal(out.payload, null);
      assert.equal(out.payloadText, deepJson(100_000));
    });

    it('decode of a header nested 100,000 deep is not a JWT: exit 2, one line', async () => {
      const run = await runCliProcess(['decode', '-'], { stdin: `${b64url(`{"alg":"HS256","x":${deepJson(100_000)}}`)}.${b64url('{}')}.c2ln` });
      assertOneLineError(run, 2, /header is JSON nested 100001 levels deep/);
    });

    it('audit of a HAR whose request sends 200,000 cookie pairs ends normally, the jar bounded as a browser\'s', async () => {
      const pairs = Array.from({ length: 200_000 }, (_, i) => `c${i}=v${i}`).join('; ');
      const file = join(dir, 'cookies.har');
      writeFileSync(file, JSON.stringify({ log: { version: '1.2', entries: [{
        startedDateTime: '2026-01-01T00:00:00.000Z', time: 1,
        request: { method: 'GET', url: 'http://localhost:3000/', headers: [{ name: 'Cookie', value: pairs }] },
        response: { status: 200, headers: [], content: { size: 0, mimeType: 'text/plain' } },
      }] } }));
      const run = await runCliProcess(['audit', file]);
      assert.equal(run.code, 0, run.stderr);
      // 180 per domain, as browsers keep (the rest are recorded as evicted).
      assert.match(run.stdout.toString('utf8'), /^Cookies \(180\)$/m);
      assert.ok(run.maxRssBytes! < GiB, `peak memory ${run.maxRssBytes} bytes`);
    });
  });

  describe('a reader that goes away ends the CLI quietly', () => {
    const bigToken = token(JSON.stringify({ sub: 'x', note: 'n'.repeat(300_000) }));
    for (const [name, args, stdin] of [
      ['decode', ['decode', '-'], bigToken],
      ['decode --format json', ['decode', '-', '--format', 'json'], bigToken],
    ] as [string, string[], string | undefined][]) {
      it(`${name} | head -c 10: exit 0, nothing on stderr`, async () => {
        const run = await runCliProcess(args, { stdin, closeStdoutAfter: 10 });
        assert.equal(run.stderr, '');
        assert.equal(run.code, 0);
      });
    }
  });

  describe('error lines quote input with its control characters escaped', () => {
    // ESC [ 31m (colour), OSC 0 ; title BEL, a C1 CSI, DEL, a right-to-left override and a line feed.
    const hostile = '\u001b[31mred\u001b]0;owned\u0007\u009b2J\u007f\u202eevil\ntwo';
    const cases: [string, string[], string | undefined, RegExp][] = [
      ['decode: a header that is not JSON', ['decode', '-'], `${b64url(`${hostile}`)}.${b64url('{}')}.c2ln`, /header is not JSON/],
      ['decode: a key file that does not exist', ['decode', token('{}'), '--key', hostile], undefined, /cannot read key file/],
      ['decode: an unknown option', ['decode', `--${hostile}`], undefined, /unknown option/],
      ['audit: a HAR that starts with escape sequences', ['audit', '-'], `${hostile}{"log":{}}`, /standard input is not JSON/],
      ['audit: a file that does not exist', ['audit', hostile], undefined, /cannot read/],
      ['scan: a path that does not exist', ['scan', hostile], undefined, /no such file or folder/],
      ['capture: a target that is not a URL', ['capture', '--target', hostile], undefined, /target/i],
    ];
    for (const [name, args, stdin, message] of cases) {
      it(name, async () => {
        const run = await runCliProcess(args, { stdin });
        assertOneLineError(run, 2, message);
        assert.doesNotMatch(run.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, `raw control characters reached stderr: ${JSON.stringify(run.stderr)}`);
        assert.match(run.stderr, /\\u001b\[31m/, 'the input is quoted with ESC escaped');
      });
    }
  });
});
