import * as assert from 'node:assert/strict';
import { Linter } from '../../../src/core/lint/engine';

/*
 * `.env` files as the editor opens them: the extension picks the lint language from the file name,
 * else from the language id VS Code gives the document (`dotenv` for `.env`, `.env.*` and `.flaskenv`
 * in current VS Code). This is that choice, outside the extension host.
 */
const linter = new Linter();

async function lintAsOpened(fileName: string, languageId: string, text: string): Promise<string[]> {
  const language = linter.languageOf(fileName) ?? linter.languageOf(languageId);
  if (!language) return [];
  const doc = await linter.open(text, { filePath: fileName, language });
  try {
    return doc ? doc.findings().map((f) => `${f.range.start.line + 1}:${f.ruleId}`) : [];
  } finally {
    doc?.dispose();
  }
}

const ENV = [
  '# API settings for docker compose',
  'NODE_ENV=production',
  'JWT_SECRET=secret',
  "SESSION_SECRET='changeme'",
  'COOKIE_SECRET=${VAULT_COOKIE_SECRET}',
  'APP_KEY=base64:Q2hhbmdlZCBieSB0aGUgaW5zdGFsbGVyIG9uIGRlcGxveQ==',
  '',
].join('\n');

describe('lint of .env files as the editor opens them', () => {
  for (const name of ['/srv/shop/.env', '/srv/shop/.env.local', '/srv/shop/.env.production', '/srv/shop/.ENV']) {
    it(`${name} reports well-known secrets and placeholders`, async () => {
      assert.deepEqual(await lintAsOpened(name, 'dotenv', ENV), ['3:jwt-hardcoded-secret', '4:session-hardcoded-secret']);
      // Without a dotenv language (plain text), the file name still decides.
      assert.deepEqual(await lintAsOpened(name, 'plaintext', ENV), ['3:jwt-hardcoded-secret', '4:session-hardcoded-secret']);
    });
  }

  for (const name of ['/srv/shop/.env.example', '/srv/shop/.env.sample', '/srv/shop/.env.template']) {
    it(`${name} holds placeholders by design and stays silent`, async () => {
      assert.deepEqual(await lintAsOpened(name, 'dotenv', ENV), []);
    });
  }
});
