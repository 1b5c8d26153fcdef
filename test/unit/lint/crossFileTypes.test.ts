import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { GO_MODULES, csharpClassModule, goPackageModule, javaClassModule } from '../../../src/core/lint/symbols/typeIndexers';

/*
 * The Java, C# and Go indexes of the per-scan symbol table: what a scan indexes, and keystroke
 * re-lints that resolve through the last scan's table (the workspace fixtures themselves are
 * checked by workspace.test.ts).
 */
const WORKSPACES = path.resolve(__dirname, '../../fixtures/lint-workspace');

type Finding = { ruleId: string; message: string; range: { start: { line: number } } };
const secretLines = (fs: readonly Finding[]) => fs.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => f.range.start.line + 1);

describe('lint: Java, C# and Go constants across files', () => {
  it('indexes classes by package or namespace and Go packages by directory with their go.mod module', async () => {
    const java = await scanFiles(['.'], { cwd: path.join(WORKSPACES, 'java-bank'), workers: 0 });
    assert.equal(java.symbols?.lookup(javaClassModule('com.acme.bank.config.SecurityConstants'), 'SECRET')?.value, 'SecretKeyToGenJWTs');
    // A long written with its L suffix is a number; an interface constant needs no modifiers.
    assert.equal(java.symbols?.lookup(javaClassModule('com.acme.bank.config.SecurityConstants'), 'EXPIRATION_TIME')?.value, 864000000);
    assert.equal(java.symbols?.lookup(javaClassModule('com.acme.bank.security.JwtProperties'), 'SECRET')?.value, 'mobile-legacy-secret');

    const cs = await scanFiles(['.'], { cwd: path.join(WORKSPACES, 'dotnet-shop'), workers: 0 });
    assert.equal(cs.symbols?.lookup(csharpClassModule('Shop.Core.Security.JwtDefaults'), 'LegacyKey')?.value, 'legacy-mobile-key-0001');
    assert.equal(cs.symbols?.lookup(csharpClassModule('Shop.Web.WebSettings'), 'AdminTokenKey')?.value, 'admin-panel-token-key-42');

    const root = path.join(WORKSPACES, 'go-orders');
    const go = await scanFiles(['.'], { cwd: root, workers: 0 });
    assert.equal(go.symbols?.lookup(GO_MODULES, 'github.com/acme/orders')?.value, root);
    assert.equal(go.symbols?.lookup(goPackageModule(path.join(root, 'internal/config')), 'SessionKey')?.value, 'back-office-session-key-32bytes!');
    // Computed constants: a duration (15 * time.Minute) is indexed in seconds and marked, a product of integers as its value.
    const ttl = go.symbols?.lookup(goPackageModule(path.join(root, 'internal/config')), 'TokenTTL');
    assert.deepEqual([ttl?.value, ttl?.duration], [900, true]);
    const remember = go.symbols?.lookup(goPackageModule(path.join(root, 'internal/config')), 'RememberMaxAge');
    assert.deepEqual([remember?.value, remember?.duration], [90 * 86400, undefined]);
  });

  it('indexes Go constructors over several statements or with parameters, and one-line struct literals, only where a field is one literal', async () => {
    const root = path.join(WORKSPACES, 'go-orders');
    const go = await scanFiles(['.'], { cwd: root, workers: 0 });
    const config = goPackageModule(path.join(root, 'internal/config'));
    const value = (name: string) => go.symbols?.lookup(config, name)?.value;
    // cfg := &Server{…}; cfg.X = …; return cfg: the literal fields, not those set from the parameter or under an if.
    assert.equal(value('NewServer().SessionSecret'), 'storefront-session-secret');
    assert.equal(go.symbols?.lookup(config, 'NewServer().SessionSecret')?.line, 22);
    assert.equal(value('NewServer().CookieSecure'), undefined);
    assert.equal(value('NewServer().CookieMaxAge'), undefined);
    assert.equal(value('NewServer().Addr'), undefined);
    // c := Server{}; c.Secret = "…"; return c.
    assert.deepEqual([value('StorefrontDefaults().SessionSecret'), value('StorefrontDefaults().CookieSecure')], ['storefront-dev-secret', false]);
    // Several fields on one line, in a constructor and in a package-level var.
    assert.deepEqual([value('Edge().SessionSecret'), value('Edge().CookieSecure'), value('Fallback.SessionSecret')], ['edge-session-secret', false, 'fallback-session-secret']);
    // Fields taken from parameters, and a value handed to a function that fills it from the environment: nothing.
    assert.equal(value('NewWorker().SessionSecret'), undefined);
    assert.equal(value('NewWorker().CookieSecure'), undefined);
    assert.equal(value('FromEnv().SessionSecret'), undefined);
    // A field after a commented one keeps its own line.
    assert.equal(go.symbols?.lookup(config, 'Defaults().WebhookKey')?.line, 44);
  });

  it('reads appsettings.{Environment}.json after appsettings.json: Production is an error naming the file, Development-only is info', async () => {
    const root = path.join(WORKSPACES, 'dotnet-shop');
    const result = await scanFiles(['.'], { cwd: root, workers: 0 });
    const at = (line: number) => result.findings.find((f) => f.file.endsWith('WebhookController.cs') && f.range.start.line + 1 === line && f.ruleId === 'jwt-hardcoded-secret');
    assert.equal(at(21)?.severity, 'info');
    assert.match(at(21)?.message ?? '', /only \.\.\/appsettings\.Development\.json:9 sets/);
    assert.equal(at(29)?.severity, 'error');
    assert.match(at(29)?.message ?? '', /appsettings\.Production\.json:5 sets .* the Production environment signs with it/);
    // The settings files' own findings: the Development file is info (only that environment loads it), the others errors.
    const own = (file: string) => result.findings.find((f) => path.basename(f.file) === file && f.ruleId === 'jwt-hardcoded-secret');
    assert.equal(own('appsettings.Development.json')?.severity, 'info');
    assert.match(own('appsettings.Development.json')?.message ?? '', /only the Development environment loads this file/);
    assert.equal(own('appsettings.Production.json')?.severity, 'error');
    assert.equal(own('appsettings.Staging.json')?.severity, 'error');
    assert.equal(own('appsettings.json')?.severity, 'error');
  });

  it('keystroke re-lints of a Go file resolve another package through the table of the last scan', async () => {
    const root = path.join(WORKSPACES, 'go-orders');
    const result = await scanFiles(['.'], { cwd: root, workers: 0 });
    const file = path.join(root, 'internal/auth/tokens.go');
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(secretLines(await new Linter().lintText(text, { filePath: file })), []);

    const linter = new Linter();
    linter.symbols = result.symbols;
    const doc = await linter.open(text, { filePath: file });
    assert.ok(doc);
    assert.deepEqual(secretLines(doc.findings()), [20, 26, 35]);
    assert.match(doc.findings().find((f) => f.range.start.line === 19)!.message, /config\.JWTSecret from \.\.\/config\/config\.go:8/);
    const after = doc.update([{ range: { start: { line: 11, character: 0 }, end: { line: 11, character: 0 } }, text: '// Tokens of the orders API.\n' }]);
    assert.deepEqual(secretLines(after), [21, 27, 36]);
    doc.dispose();
  });

  it('does not take a name of the file being edited from the table (it may be gone from the text)', async () => {
    const root = path.join(WORKSPACES, 'go-orders');
    const result = await scanFiles(['.'], { cwd: root, workers: 0 });
    const file = path.join(root, 'internal/auth/keys.go');
    // keys.go as typed after the scan: the constant removed, a use of the name added.
    const typed = 'package auth\n\nimport "github.com/golang-jwt/jwt/v5"\n\nfunc sign(c jwt.Claims) (string, error) {\n\treturn jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(serviceTokenKey))\n}\n';
    const linter = new Linter();
    linter.symbols = result.symbols;
    assert.deepEqual(secretLines(await linter.lintText(typed, { filePath: file })), []);
    // The same text in another file of the package does resolve it.
    assert.deepEqual(secretLines(await linter.lintText(typed, { filePath: path.join(root, 'internal/auth/sign.go') })), [6]);
  });

  it('keystroke re-lints of a Java file resolve a static import through the table of the last scan', async () => {
    const root = path.join(WORKSPACES, 'java-bank');
    const result = await scanFiles(['.'], { cwd: root, workers: 0 });
    const file = path.join(root, 'src/main/java/com/acme/bank/security/JWTAuthorizationFilter.java');
    const linter = new Linter();
    linter.symbols = result.symbols;
    const doc = await linter.open(fs.readFileSync(file, 'utf8'), { filePath: file });
    assert.ok(doc);
    assert.deepEqual(secretLines(doc.findings()), [23]);
    // The static import removed: SECRET no longer names the other class's constant.
    const after = doc.update([{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, text: '' }]);
    assert.deepEqual(secretLines(after), []);
    doc.dispose();
  });

  it('a field of a Go package var that another file of the package sets (an init()) is not its literal', async () => {
    const root = path.join(WORKSPACES, 'go-orders');
    const config = goPackageModule(path.join(root, 'internal/billing'));
    const go = await scanFiles(['.'], { cwd: root, workers: 0 });
    // var ( … ) blocks of struct vars are indexed; vault.go's init() marks Hardened.SessionSecret as set.
    assert.equal(go.symbols?.lookup(config, 'Defaults.SessionSecret')?.value, 'billing-dev-session-secret');
    assert.equal(go.symbols?.lookup(config, 'Hardened.SessionSecret')?.value, 'replaced-at-start-by-vault');
    const hardened = (r: typeof go) => r.findings.filter((f) => /Hardened/.test(f.message)).map((f) => `${path.relative(root, f.file)}:${f.range.start.line + 1}`);
    assert.deepEqual(hardened(go), []);
    // Without vault.go the literal is what production signs with: reported in the other file and the other package.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-go-'));
    try {
      fs.cpSync(root, dir, { recursive: true });
      fs.rmSync(path.join(dir, 'internal/billing/vault.go'));
      const without = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(without.findings.filter((f) => /Hardened/.test(f.message)).map((f) => `${path.relative(dir, f.file)}:${f.range.start.line + 1}`).sort(), ['cmd/billing/main.go:15', 'internal/billing/server.go:52']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads Go constructors of any length, and files not in gofmt\'s layout, function by function', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-go-'));
    try {
      fs.mkdirSync(path.join(dir, 'internal/router'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'cmd/api'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'go.mod'), 'module github.com/acme/api\n\ngo 1.22\n');
      // A generated route table: the constructor's body is far over 16 K characters.
      const routes = Array.from({ length: 600 }, (_, i) => `\tr.Routes["/api/v1/orders/${i}/items"] = "orders.items.${i}"`).join('\n');
      fs.writeFileSync(path.join(dir, 'internal/router/router.go'), [
        'package router', '', 'type Router struct {', '\tSessionSecret string', '\tRoutes        map[string]string', '}', '',
        'func New() *Router {', '\tr := &Router{Routes: map[string]string{}}', '\tr.SessionSecret = "router-session-secret"', routes, '\treturn r', '}', '',
      ].join('\n'));
      // Hand-written, not gofmt-formatted: closing braces indented or at the end of a line.
      fs.writeFileSync(path.join(dir, 'internal/router/legacy.go'), [
        'package router', '',
        'func Legacy() *Router {', '\tl := &Router{}', '\tl.SessionSecret = "legacy-session-secret"', '\treturn l }', '',
        'func Other() *Router {', '\to := &Router{}', '\to.SessionSecret = "other-session-secret"', '\treturn o', '  }', '',
      ].join('\n'));
      fs.writeFileSync(path.join(dir, 'cmd/api/main.go'), [
        'package main', '', 'import (', '\t"github.com/acme/api/internal/router"', '\t"github.com/gorilla/sessions"', ')', '',
        'func stores() []*sessions.CookieStore {', '\tr := router.New()', '\tl := router.Legacy()', '\to := router.Other()',
        '\treturn []*sessions.CookieStore{sessions.NewCookieStore([]byte(r.SessionSecret)), sessions.NewCookieStore([]byte(l.SessionSecret)), sessions.NewCookieStore([]byte(o.SessionSecret))}', '}', '',
      ].join('\n'));
      const result = await scanFiles(['.'], { cwd: dir, workers: 0 });
      const module = goPackageModule(path.join(dir, 'internal/router'));
      assert.deepEqual(['New().SessionSecret', 'Legacy().SessionSecret', 'Other().SessionSecret'].map((n) => result.symbols?.lookup(module, n)?.value),
        ['router-session-secret', 'legacy-session-secret', 'other-session-secret']);
      assert.equal(result.symbols?.lookup(module, 'New().Routes'), undefined);
      const secrets = result.findings.filter((f) => f.ruleId === 'session-hardcoded-secret').map((f) => /\(([\w.()]+) from/.exec(f.message)?.[1]).sort();
      assert.deepEqual(secrets, ['l.SessionSecret', 'o.SessionSecret', 'r.SessionSecret']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the callers of a C# cookie writer whose name lacks Cookie, and where a SameSite left unspecified comes from', async () => {
    const root = path.join(WORKSPACES, 'dotnet-shop');
    const web = path.join(root, 'src/Shop.Web');
    const { findings } = await scanFiles(['.'], { cwd: root, workers: 0 });
    const at = (file: string, line: number) => findings.filter((f) => f.file === path.join(web, file) && f.range.start.line + 1 === line);
    // _session.SignIn(Response, "shop_checkout_session", …) through the IShopSession field of another file.
    assert.match(at('Security/ShopSession.cs', 19)[0]?.message ?? '', /cookie 'shop_checkout_session' \(the name \.\.\/Controllers\/CheckoutController\.cs:22 passes to SignIn\(\)\)/);
    // Remember(…) is only ever given a layout preference: no session-cookie findings (two before).
    assert.deepEqual([...at('Security/ShopSession.cs', 29), ...at('Security/ShopSession.cs', 32)], []);
    assert.match(at('Extensions/CookieAuthenticationExtensions.cs', 43)[0]?.message ?? '', /SameSite=Lax \(or Strict\) on cookie 'shop\.instore' \(KioskCookies:SameSite is Unspecified in \.\.\/appsettings\.json:27\)/);
    // const SameSiteMode Receipt = SameSiteMode.Unspecified in another class: named; the Strict one is quiet.
    assert.match(at('Controllers/ReceiptsController.cs', 16)[0]?.message ?? '', /on cookie 'shop_receipt_session' \(CookieModes\.Receipt from \.\.\/Security\/CookieModes\.cs:7\)/);
    assert.deepEqual(at('Controllers/ReceiptsController.cs', 29), []);
  });

  it('reads a Go struct field left out of a literal as its zero value, naming the literal, and judges a returned cookie the caller changes', async () => {
    const root = path.join(WORKSPACES, 'go-orders');
    const { findings } = await scanFiles(['.'], { cwd: root, workers: 0 });
    const at = (line: number) => findings.filter((f) => f.file === path.join(root, 'internal/checkout/handlers.go') && f.range.start.line + 1 === line).map((f) => `${f.ruleId}: ${f.message}`);
    assert.match(at(21)[0] ?? '', /^cookie-missing-secure: .*cfg\.CookieSecure is false: config\.LoadWeb\(\) \(\.\.\/config\/web\.go:17\) leaves CookieSecure out of its struct literal/);
    assert.match(at(45)[0] ?? '', /config\.Wallet \(\.\.\/config\/web\.go:35\) leaves CookieHTTPOnly out/);
    assert.match(at(58)[0] ?? '', /defaultReceipt \(defaults\.go:11\) leaves httpOnly out/);
    assert.match(at(85)[0] ?? '', /opts \(line 79\) leaves CookieSecure out/);
    // The cart copies config.CartDefaults, whose literal sets every flag; Confirm sets c.Secure = true after cookies.Session.
    assert.deepEqual([...at(33), ...at(34), ...at(95)], []);
    assert.match(at(101)[0] ?? '', /^cookie-missing-httponly: Turn HttpOnly on for cookie 'checkout_auth_token'/);
  });
});
