import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanFiles } from '../../../src/core/lint/scanner';
import { projectDotenv } from '../../../src/core/lint/symbols/dotenvIndex';
import { buildSymbolTable } from '../../../src/core/lint/symbols/indexers';

/*
 * Dotenv files of a monorepo: each app reads its own project's `.env` (the nearest folder upwards
 * holding one, not above the app's composer.json/package.json), never another app's file of the same name.
 */
const MONOREPO = path.resolve(__dirname, '../../fixtures/lint-workspace/laravel-monorepo');

describe('dotenv files by project', () => {
  it("each Laravel app of a monorepo is judged by its own .env, and its finding cites that file's line", async () => {
    const result = await scanFiles(['.'], { cwd: MONOREPO, workers: 0 });
    const secure = result.findings.filter((f) => f.ruleId === 'cookie-missing-secure')
      .map((f) => `${path.relative(MONOREPO, f.file)}: ${f.message}`).sort();
    assert.equal(secure.length, 2);
    // The back office's own .env sets false, on its line 8.
    assert.match(secure[0], /^apps\/backoffice\/config\/session\.php: .*SESSION_SECURE_COOKIE=false from \.\.\/\.env:8 /);
    // The partners app has no .env: the monorepo root's docker compose .env is not its own; the default decides.
    assert.match(secure[1], /^apps\/partners\/config\/session\.php: .*false is the default of env\('SESSION_SECURE_COOKIE', false\)/);
    // The storefront's .env sets true: neither its session config nor the cookie following it is reported.
    assert.ok(!result.findings.some((f) => f.file.includes(`${path.sep}storefront${path.sep}`)), 'the storefront reads its own SESSION_SECURE_COOKIE=true');
  });

  it('reads the files of a Node app in the order Next.js, Vite and dotenv-flow load them for production', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-dotenv-'));
    try {
      const web = path.join(dir, 'apps', 'web');
      const api = path.join(dir, 'apps', 'api');
      fs.mkdirSync(path.join(web, 'src', 'lib'), { recursive: true });
      fs.mkdirSync(path.join(api, 'src'), { recursive: true });
      fs.writeFileSync(path.join(web, 'package.json'), '{"name":"web"}\n');
      fs.writeFileSync(path.join(api, 'package.json'), '{"name":"api"}\n');
      const write = (file: string, text: string) => {
        fs.writeFileSync(file, text);
        return file;
      };
      const files = [
        write(path.join(web, '.env'), 'COOKIE_SECURE=false\nSESSION_NAME=web\nONLY_DEV=x\n'),
        write(path.join(web, '.env.production'), 'COOKIE_SECURE=true\nSESSION_NAME=web-prod\n'),
        write(path.join(web, '.env.local'), 'SESSION_NAME=web-local\n'),
        write(path.join(web, '.env.development'), 'DEBUG_COOKIES=true\n'),
        write(path.join(api, '.env'), 'COOKIE_SECURE=false\n'),
        write(path.join(web, 'src', 'lib', 'session.ts'), 'export const x = 1;\n'),
        write(path.join(api, 'src', 'app.js'), 'module.exports = {};\n'),
      ];
      const { table } = buildSymbolTable(files, [dir], 1 << 20);
      const read = (from: string, name: string) => {
        const v = projectDotenv(table, from, name, 'node');
        return v && `${path.relative(dir, v.symbol.file)}:${v.symbol.line}=${String(v.symbol.value)}${v.production ? '' : ' (development)'}`;
      };
      const webFile = path.join(web, 'src', 'lib', 'session.ts');
      // .env.production overrides .env; .env.local overrides .env.production.
      assert.equal(read(webFile, 'COOKIE_SECURE'), 'apps/web/.env.production:1=true');
      assert.equal(read(webFile, 'SESSION_NAME'), 'apps/web/.env.local:1=web-local');
      assert.equal(read(webFile, 'ONLY_DEV'), 'apps/web/.env:3=x');
      assert.equal(read(webFile, 'DEBUG_COOKIES'), 'apps/web/.env.development:1=true (development)');
      // The API is another project: its own .env, whatever the web app's files say.
      assert.equal(read(path.join(api, 'src', 'app.js'), 'COOKIE_SECURE'), 'apps/api/.env:1=false');
      assert.equal(read(path.join(api, 'src', 'app.js'), 'SESSION_NAME'), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
