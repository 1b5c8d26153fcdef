import * as path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../support/codeServer';

/** Bundles the host suite to out/host/suite.js; mocha and vscode come from the host at run time. */
export async function buildHostSuite(): Promise<string> {
  const outfile = path.join(REPO_ROOT, 'out', 'host', 'suite.js');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'test', 'host', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
