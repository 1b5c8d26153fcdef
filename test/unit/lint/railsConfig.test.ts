import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { scanFiles } from '../../../src/core/lint/scanner';

/*
 * A Rails application's configuration read across files (lint-workspace/rails-shop, two applications):
 * config.x settings, constants of lib/, and config.force_ssl of config/environments/production.rb.
 */
describe('lint (Ruby): Rails configuration of the application', () => {
  const root = path.resolve(__dirname, '../../fixtures/lint-workspace/rails-shop');
  const scan = async () => (await scanFiles(['.'], { cwd: root, workers: 0 })).findings.map((f) => ({
    at: `${path.relative(root, f.file).split(path.sep).join('/')}:${f.range.start.line + 1}`, rule: f.ruleId, severity: f.severity, message: f.message,
  }));

  it('session_store secure: through Rails.application.config.x is what production.rb sets, named there', async () => {
    const f = (await scan()).find((x) => x.at === 'storefront/config/initializers/session_store.rb:5')!;
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /\(as Rails\.application\.config\.x\.session\.secure from \.\.\/environments\/production\.rb:11 sets it\)/);
  });

  it('a cookie without secure: says config.force_ssl = false is why Rails does not add it', async () => {
    const f = (await scan()).find((x) => x.at === 'storefront/app/controllers/carts_controller.rb:4')!;
    assert.equal(f.rule, 'cookie-missing-secure');
    assert.match(f.message, /\(and config\.force_ssl = false in \.\.\/\.\.\/config\/environments\/production\.rb:10, so Rails does not add it either\)/);
  });

  it('with config.force_ssl = true Rails marks every cookie Secure: a cookie without secure: of that application is quiet', async () => {
    assert.deepEqual((await scan()).filter((x) => x.at.startsWith('admin/')), []);
  });

  it('an httponly: constant of another file is read, named where it is written', async () => {
    const f = (await scan()).find((x) => x.at === 'storefront/app/controllers/carts_controller.rb:9')!;
    assert.equal(f.rule, 'cookie-missing-httponly');
    assert.match(f.message, /as SessionPolicy::CAROUSEL_HTTPONLY from \.\.\/\.\.\/lib\/session_policy\.rb:5 sets it/);
  });
});
