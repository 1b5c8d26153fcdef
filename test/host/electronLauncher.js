// `npm run test:electron`: the same host suite through @vscode/test-electron, for machines that
// can download VS Code (this project's CI cannot; it uses code-server, see codeServerLauncher.ts).
const path = require('node:path');
const { runTests } = require('@vscode/test-electron');

async function main() {
  const root = path.resolve(__dirname, '..', '..');
  require('tsx/cjs');
  const { buildHostSuite } = require('./buildSuite.ts');
  const suite = await buildHostSuite();
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [path.join(root, 'test', 'fixtures', 'sample-app'), '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((err) => {
  console.error(`test:electron failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
