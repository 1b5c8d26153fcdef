import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'media/**', 'test-results/**', 'test/fixtures/**', '**/*.js', '!esbuild.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // The engine must stay editor-free so the CLI and unit tests can run it in plain Node.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code; put editor code in src/extension.' }],
        patterns: [{ group: ['**/extension/**', '**/webview/**', '**/cli/**'], message: 'src/core must not import from the adapters.' }],
      }],
    },
  },
  {
    // The session model is what capture sources write into and readers read: it knows no source.
    files: ['src/core/session/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code; put editor code in src/extension.' }],
        patterns: [
          { group: ['**/extension/**', '**/webview/**', '**/cli/**'], message: 'src/core must not import from the adapters.' },
          { group: ['**/capture/**', '**/capture', '**/audit/**', '**/audit'], message: 'The session model knows no capture source and no reader: sources and readers import it, not the other way.' },
        ],
      }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser; talk to the extension through src/shared/protocol.ts.' }],
        patterns: [{ group: ['**/core/**', '**/extension/**', 'node:*'], message: 'The webview only imports src/shared.' }],
      }],
      'no-restricted-properties': ['error',
        { property: 'innerHTML', message: 'Render server data with textContent/DOM APIs.' },
        { property: 'outerHTML', message: 'Render server data with textContent/DOM APIs.' }],
    },
  },
);
