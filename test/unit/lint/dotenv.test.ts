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
  for (const name of ['/srv/shop/.env', '/srv/shop/.env.local', '/srv/shop/.env.production.local', '/srv/shop/.ENV']) {
    it(`${name} reports well-known secrets and placeholders`, async () => {
      assert.deepEqual(await lintAsOpened(name, 'dotenv', ENV), ['3:jwt-hardcoded-secret', '4:session-hardcoded-secret']);
      // Without a dotenv language (plain text), the file name still decides.
      assert.deepEqual(await lintAsOpened(name, 'plaintext', ENV), ['3:jwt-hardcoded-secret', '4:session-hardcoded-secret']);
    });
  }

  it('/srv/shop/.env.production, committed by convention, reports every literal secret', async () => {
    assert.deepEqual(await lintAsOpened('/srv/shop/.env.production', 'dotenv', ENV), ['3:jwt-hardcoded-secret', '4:session-hardcoded-secret', '6:session-hardcoded-secret']);
  });

  it('/srv/shop/.flaskenv is read as a dotenv file (VS Code may open it as ini or plain text)', async () => {
    for (const id of ['dotenv', 'ini', 'plaintext']) {
      assert.deepEqual(await lintAsOpened('/srv/shop/.flaskenv', id, 'FLASK_APP=shop\nSECRET_KEY=changeme\n'), ['2:session-hardcoded-secret']);
    }
  });

  /* The severity says how far the file travels: see dotenvRole in languages/ini.ts and docs/rules/session-hardcoded-secret.md. */
  for (const [name, severity] of [
    ['.env', 'error'], ['.env.production', 'error'], ['.env.staging', 'error'], ['.env.production.local', 'error'],
    ['.flaskenv', 'warning'], ['.env.development', 'info'], ['.env.local', 'info'], ['.env.test', 'info'], ['.env.development.local', 'info'],
  ] as const) {
    it(`a guessable secret in ${name} is ${severity}`, async () => {
      const findings = await linter.lintText('SESSION_SECRET=changeme\n', { filePath: `/srv/shop/${name}` });
      assert.deepEqual(findings.map((f) => `${f.ruleId}:${f.severity}`), [`session-hardcoded-secret:${severity}`]);
    });
  }

  for (const [name, reported] of [['.env', false], ['.env.local', false], ['.env.production.local', false], ['.env.production', true], ['.flaskenv', true]] as const) {
    it(`a random secret in ${name} is ${reported ? 'reported: the file is committed by convention' : 'where it belongs'}`, async () => {
      const findings = await linter.lintText('SECRET_KEY=4kT9zQwP1sL8vN3bX6mC0rF7yH2jD5gA\nSESSION_SECRET=${VAULT_SESSION}\n', { filePath: `/srv/shop/${name}` });
      assert.deepEqual(findings.map((f) => `${f.range.start.line + 1}:${f.ruleId}`), reported ? ['1:session-hardcoded-secret'] : []);
    });
  }

  for (const name of ['/srv/shop/.env.example', '/srv/shop/.env.sample', '/srv/shop/.env.template']) {
    it(`${name} holds placeholders by design and stays silent`, async () => {
      assert.deepEqual(await lintAsOpened(name, 'dotenv', ENV), []);
    });
  }
});
