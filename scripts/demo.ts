/**
 * `npm run demo`: packages the extension, sets up the offline VS Code on first run, starts the
 * bundled sample app, and opens code-server on 127.0.0.1 with the extension installed and the
 * sample app as workspace. Ctrl-C stops everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, killTree, productVsix, REPO_ROOT, startCodeServer } from '../test/support/codeServer';

const SAMPLE_APP = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-app');

function startSampleApp(port: number): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(SAMPLE_APP, 'server.js'), '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => reject(new Error('the sample app did not start within 15 s')), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(d.toString());
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the sample app exited with ${code}`)); });
  });
}

/** True when nothing listens on 127.0.0.1:`port` and we may bind it. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The sample app's port: DEMO_APP_PORT, else 3000, else (taken) a free one, said out loud. */
async function sampleAppPort(): Promise<number> {
  const wanted = Number(process.env.DEMO_APP_PORT ?? 3000);
  if (await portIsFree(wanted)) return wanted;
  const port = await freePort();
  console.log(`port ${wanted} is taken (another dev server?): the sample app uses port ${port} instead`);
  return port;
}

async function main(): Promise<void> {
  console.log('Session Lens demo: packaging the extension…');
  const vsix = productVsix();
  const app = await startSampleApp(await sampleAppPort());
  console.log(`sample app (Express + express-session + JWT login): ${app.url}`);
  console.log('setting up / starting the offline VS Code (code-server)…');
  const server = await startCodeServer({
    vsixes: [vsix],
    port: Number(process.env.DEMO_PORT ?? 0) || (await freePort()),
    settings: { 'sessionLens.target': app.url },
  });
  const url = server.workbenchUrl(SAMPLE_APP);
  console.log('\nSession Lens is running in VS Code (code-server). Open:\n');
  console.log(`  ${url}\n`);
  console.log('In VS Code: Command Palette (F1) → "Session Lens: Start Capture", then browse the sample app through the proxy URL it shows.');
  console.log('Press Ctrl-C to stop everything.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await server.stop();
    await killTree(app.child);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  server.process.once('exit', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
