/**
 * The bench child as it ships: bench/audit/cliChild.ts bundled by esbuild the way esbuild.js bundles
 * the CLI (dist/cli.js), not run through tsx (whose start-up compiles every module, and whose
 * transform adds a call per function definition in hot loops). Both bench/audit and bench/har run it.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/** Bundles cliChild.ts into a temporary folder; returns its path and a function that removes it. */
export function bundledCliChild(): { readonly file: string; readonly remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'session-lens-bench-child-'));
  const file = path.join(dir, 'cliChild.js');
  buildSync({
    entryPoints: [path.join(REPO, 'bench/audit/cliChild.ts')],
    outfile: file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: process.env.NO_MINIFY ? false : true,
    logLevel: 'silent',
    // `require.main === module` would start the CLI of src/cli/main.ts inside the child too.
    define: { SESSION_LENS_VERSION: JSON.stringify((JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version), 'require.main': 'undefined' },
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
