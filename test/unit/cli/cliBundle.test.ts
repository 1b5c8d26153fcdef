import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { findBrowser } from '../../../src/core/browser';
import { startDebuggableBrowser } from '../../support/debuggableBrowser';
import { spawnCapture, waitForLine } from '../capture/captureChild';

const ROOT = path.join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is CommonJS, outside the TypeScript project
const shipped = require(path.join(ROOT, 'esbuild.js')) as {
  cliBuildOptions(outfile: string): BuildOptions;
  copyCdpProtocol(outdir: string): void;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

describe('the session-lens CLI bundle as it ships (esbuild.js)', function () {
  this.timeout(120_000);
  let out: string;
  let cliJs: string;

  before(async () => {
    // Outside the repository: whatever the bundle requires at run time must be beside it.
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-cli-shipped-'));
    cliJs = path.join(out, 'cli.js');
    const options = shipped.cliBuildOptions(cliJs);
    // The build's own options, less the problem matcher's console lines.
    await build({ ...options, absWorkingDir: ROOT, plugins: (options.plugins ?? []).filter((p: Plugin) => p.name !== 'esbuild-problem-matcher') });
    shipped.copyCdpProtocol(out);
  });

  after(() => {
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('leaves the 1 MB DevTools protocol description beside the bundle, read only by a browser capture', async () => {
    const bundle = fs.readFileSync(cliJs, 'utf8');
    assert.ok(bundle.includes('require("./cdp-protocol.json")'), 'the bundle requires the file beside it');
    // A domain name that only the protocol description spells out in full.
    assert.ok(!bundle.includes('"BackgroundService"'), 'the protocol description is not inlined');
    const beside = JSON.parse(fs.readFileSync(path.join(out, 'cdp-protocol.json'), 'utf8')) as { domains: { domain: string }[] };
    assert.ok(beside.domains.some((d) => d.domain === 'Network'));
    const { stdout } = await promisify(execFile)(process.execPath, [cliJs, '--version']);
    assert.match(stdout, /^\S+\n$/);
  });

  it('capture --cdp attaches with the protocol description beside the bundle and detaches on SIGINT', async function () {
    const executable = findBrowser();
    if (!executable) this.skip();
    const app = await sampleApp.start(0);
    const browser = await startDebuggableBrowser(executable);
    const capture = spawnCapture(['--cdp', `http://127.0.0.1:${browser.port}`, '--origin', app.url], cliJs);
    try {
      await waitForLine(capture.child, capture.lines, (l) => l.type === 'attached');
      capture.child.kill('SIGINT');
      assert.equal(await capture.exited, 0, capture.stderr());
      assert.equal(capture.lines.at(-1)?.reason, 'SIGINT', capture.stderr());
    } finally {
      if (capture.child.exitCode === null) {
        capture.child.kill('SIGKILL');
        await capture.exited;
      }
      await browser.close();
      await app.close();
    }
  });
});
