import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame } from 'playwright-core';
import { SAMPLE_APP_FOLDER, startCaptureFromPalette } from '../support/captureWorkbench';
import { type CodeServer, openWorkbench, productVsix, startCodeServer, type WorkbenchPage } from '../support/codeServer';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT whose header and claims try to break out of the page (PROXY-AND-WEBVIEW-TESTS.md, item 11). */
const HOSTILE_JWT = `${b64({ alg: 'HS256', typ: 'JWT', kid: '"><svg onload=window.__pwned=2>' })}.${b64({ sub: '</script><script>window.__pwned=3</script>', name: '"><img src=x onerror=window.__pwned=4>', website: 'javascript:window.__pwned=5', exp: Math.floor(Date.now() / 1000) + 3600 })}.c2lnbmF0dXJl`;

/** A request path that tries to break out of the timeline row and the detail title. */
const HOSTILE_PATH = '/"><img/src=x/onerror=window.__pwned=10>?q=</script><script>window.__pwned=11</script>';

/** A dev server that answers with hostile cookie names, values, header values, body and a hostile JWT. */
function hostileServer(): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.setHeader('Set-Cookie', [
      'sid="><img src=x onerror=window.__pwned=1>; Path=/; HttpOnly',
      `jwt=${HOSTILE_JWT}; Path=/`,
      '<b>bold</b>=</style><script>window.__pwned=6</script>; Path=/',
    ]);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Hostile', '"><img src=x onerror=window.__pwned=7>');
    // Header names are tokens (no < or "): entities without ';' would still turn into markup through innerHTML.
    res.setHeader("X-&lt'b'&gt&amp", 'x');
    res.end(JSON.stringify({ access_token: HOSTILE_JWT, token_type: 'Bearer', expires_in: 3600, note: '</pre><img src=x onerror=window.__pwned=8>' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Webview security: hostile server data is text, and the CSP holds (Chromium)', function () {
  this.timeout(240_000);
  let upstream: http.Server;
  let server: CodeServer;
  let wb: WorkbenchPage;
  let panel: Frame;

  before(async () => {
    upstream = await hostileServer();
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    server = await startCodeServer({ vsixes: [productVsix()], settings: { 'sessionLens.target': target } });
    wb = await openWorkbench(server, SAMPLE_APP_FOLDER);
    const started = await startCaptureFromPalette(wb.page, target);
    panel = started.panel;
    const proxyUrl = started.proxyUrl;
    const res = await fetch(`${proxyUrl}/token`);
    assert.equal(res.status, 200);
    // A request line and a header the browser's fetch would encode or refuse: sent raw.
    const raw = await new Promise<number | undefined>((resolve, reject) => {
      // Options, not a URL string: the URL parser would percent-encode the quotes and angle brackets (no spaces: not a valid request target).
      const { hostname, port } = new URL(proxyUrl);
      const req = http.request({ hostname, port, path: HOSTILE_PATH, headers: { 'X-Evil': '<script>window.__pwned=9</script>' } }, (r) => { r.resume(); r.on('end', () => resolve(r.statusCode)); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(raw, 200);
    await panel.locator('table.grid tbody tr').first().waitFor({ timeout: 30_000 });
    await panel.locator('button', { hasText: 'Reveal values' }).click();
    await panel.locator('button', { hasText: 'Mask values' }).waitFor();
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    await new Promise((r) => upstream?.close(r));
  });

  it('renders hostile cookie names, values and JWT claims literally, executing nothing', async () => {
    // Refused and gone cookies too (the jar refuses some of these names): their rows, notes and last Set-Cookie.
    await panel.locator('button.show-gone').click();
    await panel.locator('button.show-gone[aria-pressed="true"]').waitFor();
    for (const d of await panel.locator('table.cookies details summary').all()) await d.click();
    await panel.locator('details.token summary').first().click();
    const text = (await panel.locator('#root').textContent()) ?? '';
    assert.ok(text.includes('"><img src=x onerror=window.__pwned=1>'), 'the hostile cookie value is shown as text');
    assert.ok(text.includes('</script><script>window.__pwned=3</script>'), 'the hostile claim is shown as text');
    assert.equal(await panel.locator('#root img, #root svg, #root script, #root b, #root a[href^="javascript:"]').count(), 0);
    assert.equal(await panel.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await wb.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  });

  it('renders a hostile path, header names and values, body preview and JWT claims as text in the timeline and the exchange detail', async () => {
    await panel.locator('#tab-timeline').click();
    const row = panel.locator('.tl-row[role="row"]', { hasText: '"><img/src=x/onerror=window.__pwned=10>' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.equal((await row.locator('.c-path').textContent()), HOSTILE_PATH);
    await row.click();
    const detail = panel.locator('.tl-detail');
    await detail.locator('table.heads').first().waitFor({ timeout: 30_000 });
    const text = (await detail.textContent()) ?? '';
    for (const s of ['<script>window.__pwned=9</script>', '"><img src=x onerror=window.__pwned=7>', "X-&lt'b'&gt&amp", '</pre><img src=x onerror=window.__pwned=8>', '</script><script>window.__pwned=3</script>', HOSTILE_PATH]) {
      assert.ok(text.includes(s), `the detail shows ${s} as text`);
    }
    assert.equal(await panel.locator('#root img, #root svg, #root script, #root b, #root iframe, #root a[href^="javascript:"]').count(), 0);
    assert.equal(await panel.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await wb.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await panel.locator('#tab-session').click();
  });

  it('has a strict CSP as the first element of <head>: nonce scripts only, nothing remote', async () => {
    const heads = await panel.evaluate(() => [...document.head.children].map((e) => e.outerHTML.slice(0, 120)));
    // VS Code inserts its default styles and its API script (ids _defaultStyles, _vscodeApiScript) ahead of our markup.
    const ours = heads.filter((h) => !/^<(style|script) id="_/.test(h));
    assert.match(ours[0] ?? '', /http-equiv="Content-Security-Policy"/, heads.join('\n'));
    const csp = await panel.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    for (const directive of ["default-src 'none'", "connect-src 'none'", "frame-src 'none'", "form-action 'none'", "base-uri 'none'", "object-src 'none'"]) {
      assert.ok(csp!.includes(directive), `CSP lacks ${directive}: ${csp}`);
    }
    assert.match(csp!, /script-src 'nonce-[A-Za-z0-9+/=]{20,}'/);
    assert.ok(!/unsafe-inline|unsafe-eval|http:/.test(csp!), csp!);
    const nonce = await panel.evaluate(() => (document.querySelector('script[src$="webview.js"]') as HTMLScriptElement | null)?.nonce ?? '');
    assert.ok(nonce.length >= 20, 'the script carries a nonce');
  });

  it('the CSP blocks an injected inline script and inline event handlers', async () => {
    const result = await panel.evaluate(async () => {
      const w = window as unknown as { __inline?: number; __handler?: number };
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      const img = document.createElement('img');
      img.setAttribute('src', 'data:,');
      img.setAttribute('onerror', 'window.__handler = 1');
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 300));
      return { inline: w.__inline, handler: w.__handler };
    });
    assert.deepEqual(result, { inline: undefined, handler: undefined });
  });
});
