import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { findCookieSetters, setsCookie } from '../../../src/core/lint/cookieSetters';
import { Linter } from '../../../src/core/lint/engine';
import { FIXTURE_ROOT } from './fixtureSupport';

const linter = new Linter();

describe('findCookieSetters', () => {
  it('finds a cookie by literal name in a document, with the attributes the code sets', async () => {
    const doc = (await linter.open(
      "res.cookie('sid', v, { httpOnly: true, sameSite: 'lax', maxAge: 3600000 });\nres.cookie('theme', 'dark');\n",
      { filePath: 'a.js' },
    ))!;
    try {
      const found = await findCookieSetters(linter, { document: doc }, 'sid');
      assert.deepEqual(found, [{
        name: 'sid',
        framework: 'res.cookie',
        attributes: { secure: false, httpOnly: true, sameSite: 'lax', maxAgeSeconds: 3600, path: '/' },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 74 } },
      }]);
      assert.deepEqual(await findCookieSetters(linter, { document: doc }, 'SID'), []);
    } finally {
      doc.dispose();
    }
  });

  it('traces default session cookies to the configuration that shapes them', async () => {
    const where = { files: [FIXTURE_ROOT], cwd: FIXTURE_ROOT };
    const rel = (f: { file?: string }) => path.relative(FIXTURE_ROOT, f.file!).split(path.sep).join('/');
    const connect = await findCookieSetters(linter, where, 'connect.sid');
    // express-session configs that keep the default name, plus a res.cookie writing it by hand.
    assert.deepEqual([...new Set(connect.map(rel))], ['javascript/express-cookie.js', 'javascript/sessions.js']);
    const configs = connect.filter((s) => rel(s) === 'javascript/sessions.js');
    assert.ok(configs.length >= 1 && configs.every((s) => s.framework === 'express-session'));
    assert.deepEqual(configs[0].attributes, { secure: false, httpOnly: true, path: '/' });
    assert.deepEqual(connect.find((s) => rel(s) === 'javascript/express-cookie.js')!.framework, 'res.cookie');

    const php = await findCookieSetters(linter, where, 'PHPSESSID');
    assert.ok(php.some((s) => rel(s) === 'php/ini/php.ini' && s.attributes.secure === false && s.attributes.httpOnly === true));
    assert.ok(php.some((s) => rel(s) === 'php/sessions.php' && s.framework === 'session_set_cookie_params()'));

    const django = await findCookieSetters(linter, where, 'sessionid');
    assert.ok(django.some((s) => rel(s) === 'python/django/settings.py' && s.attributes.secure === false));

    const spring = await findCookieSetters(linter, where, 'JSESSIONID');
    assert.ok(spring.some((s) => rel(s) === 'java/spring/application.properties'));

    const flask = await findCookieSetters(linter, where, 'session');
    assert.ok(flask.some((s) => rel(s) === 'python/flask_app.py' && s.framework === 'Flask'));
  });

  it('an explicitly named session cookie is not the default one', () => {
    assert.equal(setsCookie({ name: 'app.sid', framework: 'express-session' }, 'connect.sid'), false);
    assert.equal(setsCookie({ framework: 'express-session' }, 'connect.sid'), true);
    assert.equal(setsCookie({ framework: 'express-session' }, 'toString'), false);
  });
});
