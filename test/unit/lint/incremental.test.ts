import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Linter, type TextChange } from '../../../src/core/lint/engine';
import { LineIndex } from '../../../src/core/lint/lineIndex';
import { FIXTURE_ROOT, fixtureFiles } from './fixtureSupport';

const linter = new Linter();

function change(text: string, start: number, end: number, insert: string): TextChange {
  const lines = new LineIndex(text);
  return { range: lines.range(start, end), text: insert };
}

function apply(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

describe('incremental lint', () => {
  it('typing an option character by character ends where a full lint does', async () => {
    let text = `const opts = { httpOnly: true };\napp.get('/', (req, res) => {\n  res.cookie('sid', 'v', opts);\n});\n`;
    const doc = (await linter.open(text, { filePath: 'a.js' }))!;
    try {
      assert.ok(doc.findings().some((f) => f.ruleId === 'cookie-missing-secure'));
      const at = text.indexOf('httpOnly: true') + 'httpOnly: true'.length;
      let pos = at;
      for (const ch of `, secure: true, sameSite: 'lax'`) {
        doc.update([change(text, pos, pos, ch)]);
        text = apply(text, pos, pos, ch);
        pos++;
        assert.deepEqual(doc.findings(), await linter.lintText(text, { filePath: 'a.js' }));
      }
      assert.deepEqual(doc.findings(), []);
    } finally {
      doc.dispose();
    }
  });

  it('re-checks a call when the variable it reads changes in another statement', async () => {
    let text = `const opts = { httpOnly: true, secure: true, sameSite: 'lax' };\n\nfunction f(res) {\n  res.cookie('sid', 'v', opts);\n}\n`;
    const doc = (await linter.open(text, { filePath: 'a.js' }))!;
    try {
      assert.deepEqual(doc.findings(), []);
      const s = text.indexOf('secure: true');
      doc.update([change(text, s + 8, s + 12, 'false')]);
      text = apply(text, s + 8, s + 12, 'false');
      const after = doc.findings();
      assert.deepEqual(after.map((f) => f.ruleId), ['cookie-missing-secure']);
      assert.deepEqual(after, await linter.lintText(text, { filePath: 'a.js' }));
    } finally {
      doc.dispose();
    }
  });

  for (const [file, text, from, to] of [
    ['Program.cs', 'var builder = WebApplication.CreateBuilder(args);\nvar cookieHttpOnly = true;\n\nbuilder.Services.AddSession(options =>\n{\n    options.Cookie.HttpOnly = cookieHttpOnly;\n    options.Cookie.SecurePolicy = CookieSecurePolicy.Always;\n    options.Cookie.SameSite = SameSiteMode.Lax;\n    options.Cookie.Name = "id";\n});\n', 'cookieHttpOnly = true', 'cookieHttpOnly = false'],
    ['Tokens.java', 'class Tokens {\n  void set(HttpServletResponse response, boolean spa) {\n    boolean httpOnly = true;\n    if (spa) {\n      log("spa");\n    }\n    Cookie c = new Cookie("auth_token", "v");\n    c.setHttpOnly(httpOnly);\n    c.setSecure(true);\n    c.setAttribute("SameSite", "Lax");\n    response.addCookie(c);\n  }\n}\n', 'log("spa");', 'httpOnly = false;'],
    ['main.go', 'package main\n\nfunc set(w http.ResponseWriter, embedded bool) {\n\thttpOnly := true\n\tif embedded {\n\t\tlog.Print("embedded")\n\t}\n\thttp.SetCookie(w, &http.Cookie{Name: "auth_token", Value: "v", HttpOnly: httpOnly, Secure: true, SameSite: http.SameSiteLaxMode})\n}\n', 'log.Print("embedded")', 'httpOnly = false'],
  ] as const) {
    it(`re-checks a cookie flag when a local it reads changes in another statement (${file})`, async () => {
      const doc = (await linter.open(text, { filePath: file }))!;
      try {
        assert.deepEqual(doc.findings(), []);
        const s = text.indexOf(from);
        doc.update([change(text, s, s + from.length, to)]);
        const after = apply(text, s, s + from.length, to);
        assert.deepEqual(doc.findings().map((f) => f.ruleId), ['cookie-missing-httponly']);
        assert.deepEqual(doc.findings(), await linter.lintText(after, { filePath: file }));
      } finally {
        doc.dispose();
      }
    });
  }

  it('several changes in one update, a whole-text replacement, and non-ASCII text', async () => {
    let text = `// ünïcödé 😀\nres.cookie('sid', 'v');\n`;
    const doc = (await linter.open(text, { filePath: 'a.ts' }))!;
    try {
      const c1 = change(text, 0, 0, '/* 😀😀 */\n');
      text = apply(text, 0, 0, '/* 😀😀 */\n');
      const p = text.indexOf("'v'") + 3;
      const c2 = change(text, p, p, ", { secure: true, httpOnly: true, sameSite: 'strict' }");
      text = apply(text, p, p, ", { secure: true, httpOnly: true, sameSite: 'strict' }");
      assert.deepEqual(doc.update([c1, c2]), []);
      assert.deepEqual(doc.update([{ text: "res.cookie('a', 'b')" }]), await linter.lintText("res.cookie('a', 'b')", { filePath: 'a.ts' }));
    } finally {
      doc.dispose();
    }
  });

  it('an unclosed bracket in a big file re-analyses only the edit, and closing it restores a full result', async () => {
    const block = (i: number) => `app.get('/r${i}', (req, res) => {\n  const total = compute(req.query.n, ${i});\n  res.cookie('sid${i}', total, { httpOnly: true, sameSite: 'lax' });\n});\n`;
    let text = Array.from({ length: 300 }, (_, i) => block(i)).join('');
    const doc = (await linter.open(text, { filePath: 'big.js' }))!;
    try {
      const full = await linter.lintText(text, { filePath: 'big.js' });
      assert.equal(doc.findings().length, 300);
      const at = text.indexOf("app.get('/r10'");
      const typed = 'function wrap() {\n';
      doc.update([change(text, at, at, typed)]);
      text = apply(text, at, at, typed);
      assert.equal(doc.isStale(), true);
      assert.equal(doc.findings().filter((f) => f.ruleId === 'cookie-missing-secure').length, 300);
      const close = text.indexOf("app.get('/r11'");
      doc.update([change(text, close, close, '}\n')]);
      text = apply(text, close, close, '}\n');
      assert.equal(doc.isStale(), false);
      assert.deepEqual(doc.findings(), await linter.lintText(text, { filePath: 'big.js' }));
      assert.equal(doc.findings().length, full.length);
    } finally {
      doc.dispose();
    }
  });

  it('edits above findings (same line, new lines, deletions) keep findings, fixes and cookie setters exact', async () => {
    const block = (i: number) => `app.get('/r${i}', (req, res) => {\n  res.cookie('sid${i}', v, { httpOnly: true });\n});\n`;
    let text = `const v = 1;\n${Array.from({ length: 12 }, (_, i) => block(i)).join('')}`;
    const doc = (await linter.open(text, { filePath: 'big.js' }))!;
    try {
      const edits: [string, string][] = [['const v = 1;', ' // a'], ["res.cookie('sid3'", '\n'], ['/r5', 'x'], ["app.get('/r7'", '// b\n\n'], ['/r2', ''], ["res.cookie('sid9'", ' ']];
      for (const [anchor, insert] of edits) {
        const at = text.indexOf(anchor) + anchor.length;
        // An empty insert deletes the anchor's last character.
        const start = insert === '' ? at - 1 : at;
        doc.update([change(text, start, at, insert)]);
        text = apply(text, start, at, insert);
        const fresh = (await linter.open(text, { filePath: 'big.js' }))!;
        try {
          assert.deepEqual(doc.findings(), fresh.findings());
          assert.deepEqual(doc.cookieSetters(), fresh.cookieSetters());
        } finally {
          fresh.dispose();
        }
      }
      assert.ok(doc.findings().some((f) => f.fix));
    } finally {
      doc.dispose();
    }
  });

  it('a setting pulled onto the line of another by an edit under a syntax error is found as a refresh finds it (fast-check seed 4242)', async () => {
    // The counterexample of the random-edit property on django/settings.py: the second edit joins
    // `ROOT_URLCONF = 'mysite.url` and `SESSION_COOKIE_AGE = …` with a `;` and leaves a string unclosed.
    const rel = 'python/django/settings.py';
    let text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
    const doc = (await linter.open(text, { filePath: rel }))!;
    try {
      for (const [at, len, insert] of [[329455281, 6, 'x'], [924703362, 4, ';'], [0, 0, 'x']] as const) {
        const start = at % (text.length + 1);
        const end = Math.min(text.length, start + len);
        doc.update([change(text, start, end, insert)]);
        text = apply(text, start, end, insert);
        assert.equal(doc.isStale(), false);
        assert.deepEqual(doc.findings(), doc.refresh());
      }
      assert.ok(doc.hasSyntaxErrors());
      const age = text.split('\n').findIndex((l) => l.includes('SESSION_COOKIE_AGE'));
      assert.ok(doc.findings().some((f) => f.ruleId === 'cookie-long-lifetime' && f.range.start.line === age));
    } finally {
      doc.dispose();
    }
  });

  for (const rel of fixtureFiles()) {
    it(`random edits of ${rel} match a full re-lint after every step`, async () => {
      const original = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
      const snippets = ['x', '\n', ' ', '}', '{', "'", 'secure: true, ', 'false', '😀', ';', '(', ')', ',', 'é'];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom(...snippets)), { minLength: 1, maxLength: 6 }),
          async (steps) => {
            let text = original;
            const doc = (await linter.open(text, { filePath: rel }))!;
            try {
              for (const [at, len, insert] of steps) {
                let start = at % (text.length + 1);
                // Never split a surrogate pair: editors do not either.
                if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
                let end = Math.min(text.length, start + len);
                if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end])) end++;
                doc.update([change(text, start, end, insert)]);
                text = apply(text, start, end, insert);
                const incremental = doc.findings();
                // Error recovery can build a different tree incrementally than from scratch; the
                // bookkeeping must still match a full analysis of the same tree.
                if (!doc.hasSyntaxErrors()) assert.deepEqual(incremental, await linter.lintText(text, { filePath: rel }));
                // While a large error leaves the document stale, findings away from the edit lag by design.
                if (!doc.isStale()) assert.deepEqual(incremental, doc.refresh());
              }
            } finally {
              doc.dispose();
            }
          },
        ),
        { numRuns: 15, seed: 4242 },
      );
    });
  }
});
