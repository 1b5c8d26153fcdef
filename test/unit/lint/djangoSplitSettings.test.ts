import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanFiles } from '../../../src/core/lint/scanner';

/*
 * Django settings split per environment (lint-workspace/django-helpdesk): config/settings/base.py is
 * extended by local.py, test.py and production.py (`from .base import *`); wsgi.py names production.
 */
describe('lint (Python): Django settings split per environment', () => {
  const root = path.resolve(__dirname, '../../fixtures/lint-workspace/django-helpdesk');
  const base = (findings: readonly { file: string; range: { start: { line: number } }; ruleId: string; severity: string; message: string }[]) =>
    findings.filter((f) => f.file.endsWith(`${path.sep}base.py`)).map((f) => ({ line: f.range.start.line + 1, rule: f.ruleId, severity: f.severity, message: f.message }));

  it('a False in base.py that production.py sets True again is info, naming the modules that keep it', async () => {
    const found = base((await scanFiles(['.'], { cwd: root, workers: 0 })).findings);
    const secure = found.find((f) => f.line === 34)!;
    assert.equal(secure.severity, 'info');
    assert.match(secure.message, /what local\.py, test\.py keep for local development and tests; production's settings override it: production\.py:8 sets it True/);
    const csrf = found.find((f) => f.line === 35)!;
    assert.equal(csrf.severity, 'info');
    assert.match(csrf.message, /production\.py:9 sets it from env\.bool\("DJANGO_CSRF_COOKIE_SECURE", default=True\)/);
  });

  it('a False production.py does not set again is a warning naming the module wsgi.py loads', async () => {
    const found = base((await scanFiles(['.'], { cwd: root, workers: 0 })).findings);
    const httpOnly = found.find((f) => f.line === 37)!;
    assert.equal(httpOnly.severity, 'warning');
    assert.equal(httpOnly.rule, 'cookie-missing-httponly');
    assert.match(httpOnly.message, /\(production\.py \(the module wsgi\.py names\) takes it from here\)/);
  });

  it('without the override the base module\'s False is what production gets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-django-'));
    try {
      fs.cpSync(root, dir, { recursive: true });
      const production = path.join(dir, 'config/settings/production.py');
      fs.writeFileSync(production, fs.readFileSync(production, 'utf8').replace('SESSION_COOKIE_SECURE = True\n', ''));
      const secure = base((await scanFiles(['.'], { cwd: dir, workers: 0 })).findings).find((f) => f.line === 34)!;
      assert.equal(secure.severity, 'warning');
      assert.match(secure.message, /production\.py \(the module wsgi\.py names\) takes it from here/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
