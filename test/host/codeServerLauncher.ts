/**
 * Runs the extension-host suite inside code-server against the packaged .vsix:
 * installs the product and a small test-runner extension, opens the workbench in Chromium
 * (the extension host starts only then), and relays mocha's output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkbench, packageFolder, productVsix, REPO_ROOT, startCodeServer } from '../support/codeServer';
import { buildHostSuite } from './buildSuite';

const TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<number> {
  const vsix = productVsix();
  const suite = await buildHostSuite();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-host-'));
  const runner = packageFolder(path.join(REPO_ROOT, 'test', 'host', 'runner-extension'), work);
  const results = path.join(work, 'results.json');
  const output = path.join(work, 'mocha.txt');
  const folder = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-app');
  const server = await startCodeServer({
    vsixes: [vsix, runner],
    env: {
      SESSION_LENS_TEST_SUITE: suite,
      SESSION_LENS_TEST_RESULTS: results,
      SESSION_LENS_TEST_OUTPUT: output,
      SESSION_LENS_REPO: REPO_ROOT,
    },
  });
  let workbench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  try {
    console.log(`host tests: code-server ${server.url}, extension ${path.basename(vsix)}`);
    workbench = await openWorkbench(server, fs.existsSync(folder) ? folder : path.join(REPO_ROOT, 'test', 'fixtures'));
    let printed = 0;
    const relay = () => {
      if (!fs.existsSync(output)) return;
      const text = fs.readFileSync(output, 'utf8');
      if (text.length > printed) {
        process.stdout.write(text.slice(printed));
        printed = text.length;
      }
    };
    const deadline = Date.now() + TIMEOUT_MS;
    while (!fs.existsSync(results)) {
      relay();
      if (Date.now() > deadline) throw new Error(`the host suite did not finish within ${TIMEOUT_MS / 60_000} min; code-server log: ${server.logFile}`);
      if (server.process.exitCode !== null) throw new Error('code-server exited during the host tests');
      await new Promise((r) => setTimeout(r, 250));
    }
    relay();
    const outcome = JSON.parse(fs.readFileSync(results, 'utf8')) as { ok: boolean; error?: string; passes?: number; failures?: number; tests?: number };
    if (!outcome.ok) {
      console.error(`host suite crashed: ${outcome.error}`);
      return 1;
    }
    console.log(`host: ${outcome.passes} passed, ${outcome.failures} failed`);
    if (!outcome.tests) {
      console.error('host suite ran zero tests');
      return 1;
    }
    return outcome.failures === 0 ? 0 : 1;
  } finally {
    await workbench?.close();
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`host tests could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
