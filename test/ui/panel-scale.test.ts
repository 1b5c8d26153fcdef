import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { benchHar } from '../../bench/audit/har';
import { type CodeServer, openWorkbench, productVsix, REPO_ROOT, startCodeServer, type WorkbenchPage } from '../support/codeServer';
import { type SampleApp, startSampleApp } from '../support/sampleApp';
import { importHarFromPalette, screenshot, startCaptureFromPalette } from '../support/workbenchUi';

const ENTRIES = 10_000;

describe('Session panel with 10,000 exchanges: a new exchange shows up, the DOM holds a window (Chromium)', function () {
  this.timeout(300_000);
  let dir: string;
  let app: SampleApp;
  let server: CodeServer;
  let wb: WorkbenchPage;
  let panel: Frame;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-scale-'));
    // A realistic day (logins, logouts, rolling cookies, JWTs, OAuth responses) on app.example.test.
    fs.writeFileSync(path.join(dir, 'day.har'), JSON.stringify(benchHar(ENTRIES)));
    app = await startSampleApp(REPO_ROOT);
    server = await startCodeServer({ vsixes: [productVsix()], settings: { 'sessionLens.capture.maxExchanges': 20_000, 'sessionLens.target': app.url } });
    wb = await openWorkbench(server, dir);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports 10,000 exchanges, then a capture\'s new exchange sets a cookie: the cookie and its row appear, and the DOM holds only a window of rows', async () => {
    panel = await importHarFromPalette(wb.page, 'day.har', ENTRIES, 120_000);
    const proxyUrl = await startCaptureFromPalette(wb.page, panel, app.url);
    assert.equal(await panel.locator('table.grid tbody tr td.name', { hasText: 'connect.sid' }).count(), 0, 'no connect.sid before the new exchange');

    // The new exchange: the sample app's home page starts a session (Set-Cookie connect.sid).
    const res = await fetch(`${proxyUrl}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie') ?? '', /connect\.sid=/);
    await res.arrayBuffer();

    // Its effect in the Session tab: the new cookie, among the 10,000 exchanges' cookies.
    await panel.locator('table.grid tbody tr td.name', { hasText: 'connect.sid' }).waitFor({ timeout: 30_000 });
    await panel.locator('#root .status', { hasText: `${ENTRIES + 1} requests` }).waitFor({ timeout: 30_000 });

    // And in the Timeline: the newest row (followed at the tail) says it set a cookie.
    await panel.locator('#tab-timeline').click();
    const newest = panel.locator(`.tl-row[aria-rowindex="${ENTRIES + 2}"]`);
    await newest.waitFor({ timeout: 30_000 });
    assert.match((await newest.locator('.c-path').textContent()) ?? '', /^\/$/);
    assert.match((await newest.locator('.c-session').textContent()) ?? '', /\+1 set/);
    assert.equal(await panel.locator('.tl-grid').getAttribute('aria-rowcount'), String(ENTRIES + 2));
    const inDom = await panel.locator('.tl-window .tl-row').count();
    assert.ok(inDom > 5 && inDom < 100, `${inDom} row elements in the DOM for ${ENTRIES + 1} exchanges`);
    await screenshot(wb.page, 'session-panel-scale-new-exchange');
  });
});
