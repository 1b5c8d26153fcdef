// Builds the extension host bundle, the CLI and the webview script.
// Shape follows the official esbuild sample: problem matcher, --watch, --production.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').Plugin} */
const esbuildProblemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => {
      console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * The CLI leaves chrome-remote-interface's protocol description (1 MB of JSON, 36 % of the bundle)
 * in a file next to dist/cli.js: only the browser capture reads it, and inlined it was read and
 * parsed by every `session-lens` start (about 25 ms of each, `scan` and `--version` included).
 */
const CDP_PROTOCOL_FILE = 'cdp-protocol.json';

/** @type {import('esbuild').Plugin} */
const cdpProtocolBesidePlugin = {
  name: 'cdp-protocol-beside',
  setup(build) {
    build.onResolve({ filter: /^\.\/protocol\.json$/ }, (args) =>
      /[\\/]chrome-remote-interface[\\/]/.test(args.importer) ? { path: `./${CDP_PROTOCOL_FILE}`, external: true } : undefined);
  },
};

/** Copies the protocol description the CLI bundle requires (see cdpProtocolBesidePlugin) into `outdir`. */
function copyCdpProtocol(outdir) {
  const fs = require('fs');
  const path = require('path');
  const source = path.join(path.dirname(require.resolve('chrome-remote-interface/package.json')), 'lib', 'protocol.json');
  fs.mkdirSync(outdir, { recursive: true });
  fs.copyFileSync(source, path.join(outdir, CDP_PROTOCOL_FILE));
}

const common = {
  bundle: true,
  define: { SESSION_LENS_VERSION: JSON.stringify(require('./package.json').version) },
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [esbuildProblemMatcherPlugin],
};

/**
 * The `session-lens` CLI bundle written to `outfile` (tests build it elsewhere as it ships); its
 * folder also needs copyCdpProtocol and dist/grammars.
 * @returns {import('esbuild').BuildOptions}
 */
function cliBuildOptions(outfile) {
  return {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [...common.plugins, cdpProtocolBesidePlugin],
  };
}

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    // Lets activate() report the bundle's load time too (bench/activation).
    banner: { js: 'var __sessionLensLoadStart = typeof performance === "object" ? performance.now() : undefined;' },
    footer: { js: 'var __sessionLensLoadEnd = typeof performance === "object" ? performance.now() : undefined;' },
  },
  {
    // Engines loaded on demand by the extension (src/extension/engines/index.ts).
    ...common,
    entryPoints: {
      lint: 'src/extension/engines/lintEngine.ts',
      capture: 'src/extension/engines/captureEngine.ts',
      jwt: 'src/extension/engines/jwtEngine.ts',
      weakSecretWorker: 'src/core/jwt/weakSecretWorker.ts',
    },
    outdir: 'dist/engines',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
  },
  cliBuildOptions('dist/cli.js'),
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  },
];

/**
 * The lint engine loads tree-sitter grammars at run time: copy the web-tree-sitter runtime and
 * the grammars it uses (see src/core/lint/grammars.ts) next to the bundles, in dist/grammars.
 */
function copyTreeSitterGrammars() {
  const fs = require('fs');
  const path = require('path');
  const sources = [
    ['@vscode/tree-sitter-wasm', 'wasm', [
      'tree-sitter.wasm', 'tree-sitter-javascript.wasm', 'tree-sitter-typescript.wasm', 'tree-sitter-tsx.wasm',
      'tree-sitter-python.wasm', 'tree-sitter-php.wasm', 'tree-sitter-java.wasm', 'tree-sitter-c-sharp.wasm',
      'tree-sitter-go.wasm', 'tree-sitter-ruby.wasm', 'tree-sitter-ini.wasm',
    ]],
    ['@tree-sitter-grammars/tree-sitter-yaml', '', ['tree-sitter-yaml.wasm']],
    ['tree-sitter-properties', '', ['tree-sitter-properties.wasm']],
  ];
  const out = path.join(__dirname, 'dist', 'grammars');
  fs.mkdirSync(out, { recursive: true });
  for (const [pkg, sub, files] of sources) {
    const dir = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), sub);
    for (const f of files) fs.copyFileSync(path.join(dir, f), path.join(out, f));
  }
}

/** A production build writes no source maps: remove those a development build left in dist (`npm pack` ships dist as it is). */
function removeStaleSourceMaps() {
  const fs = require('fs');
  const path = require('path');
  for (const dir of ['dist', 'dist/engines']) {
    const full = path.join(__dirname, dir);
    if (!fs.existsSync(full)) continue;
    for (const f of fs.readdirSync(full)) if (f.endsWith('.js.map')) fs.rmSync(path.join(full, f));
  }
}

async function main() {
  if (production) removeStaleSourceMaps();
  copyTreeSitterGrammars();
  copyCdpProtocol('dist');
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { cliBuildOptions, copyCdpProtocol };
