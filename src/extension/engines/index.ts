import * as path from 'node:path';

/**
 * The heavy engines ship as separate bundles next to dist/extension.js and load on first use,
 * so activation only pays for the adapter. Types come from the sources; code from the bundles.
 */
export type LintEngine = typeof import('./lintEngine');
export type CaptureEngine = typeof import('./captureEngine');
export type JwtEngine = typeof import('./jwtEngine');

function load<T>(name: string): T {
  // A runtime path: esbuild leaves this require alone, so the engine stays in its own file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, 'engines', `${name}.js`)) as T;
}

let lint: LintEngine | undefined;
let capture: CaptureEngine | undefined;
let jwt: JwtEngine | undefined;

export function lintEngine(): LintEngine {
  return (lint ??= load<LintEngine>('lint'));
}

export function captureEngine(): CaptureEngine {
  return (capture ??= load<CaptureEngine>('capture'));
}

export function jwtEngine(): JwtEngine {
  return (jwt ??= load<JwtEngine>('jwt'));
}
