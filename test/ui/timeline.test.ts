import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { type CodeServer, openWorkbench, productVsix, startCodeServer, type WorkbenchPage } from '../support/codeServer';
import { findWebviewFrame, importHarFromPalette, runFromPalette, screenshot } from '../support/workbenchUi';

const ENTRIES = 10_000;

/** A HAR of `count` exchanges, one a second; every 50th sets a cookie, every 13th is a 404. */
function bigHar(count: number): string {
  const t0 = Date.UTC(2026, 10, 22, 12);
  const entries = [];
  for (let i = 1; i <= count; i++) {
    entries.push({
      startedDateTime: new Date(t0 + i * 1000).toISOString(),
      time: 5 + (i % 40),
      request: { method: i % 7 === 0 ? 'POST' : 'GET', url: `http://localhost:3000/items/${i}`, httpVersion: 'HTTP/1.1', headers: [{ name: 'Cookie', value: 'sid=abcdefghijklmnop' }], cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
      response: {
        status: i % 13 === 0 ? 404 : 200, statusText: i % 13 === 0 ? 'Not Found' : 'OK', httpVersion: 'HTTP/1.1',
        headers: i % 50 === 0 ? [{ name: 'Set-Cookie', value: `seen=${i}; Path=/` }] : [],
        cookies: [], content: { size: 100 + i, mimeType: 'text/plain', text: `item ${i}` }, redirectURL: '', headersSize: -1, bodySize: 100 + i,
      },
      cache: {},
      timings: { send: 1, wait: 3 + (i % 40), receive: 1 },
    });
  }
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'session-lens ui test', version: '1' }, entries } });
}

describe('Session timeline: 10,000 imported exchanges, virtualised (Chromium)', function () {
  this.timeout(300_000);
  let dir: string;
  let harFile: string;
  let server: CodeServer;
  let wb: WorkbenchPage;
  let panel: Frame;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-timeline-'));
    harFile = path.join(dir, 'big.har');
    fs.writeFileSync(harFile, bigHar(ENTRIES));
    server = await startCodeServer({ vsixes: [productVsix()], settings: { 'sessionLens.capture.maxExchanges': 20_000 } });
    wb = await openWorkbench(server, dir);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the HAR and lists every exchange with only a window of rows in the DOM', async () => {
    panel = await importHarFromPalette(wb.page, path.basename(harFile), ENTRIES, 60_000);

    await panel.locator('#tab-timeline').click();
    const rows = panel.locator('.tl-window .tl-row');
    // Following the tail: the newest exchange is in view.
    const last = panel.locator(`.tl-row[aria-rowindex="${ENTRIES + 1}"]`);
    await last.waitFor({ timeout: 30_000 });
    assert.match((await last.locator('.c-path').textContent()) ?? '', new RegExp(`/items/${ENTRIES}$`));
    assert.equal(await panel.locator('.tl-grid').getAttribute('aria-rowcount'), String(ENTRIES + 1));
    const inDom = await rows.count();
    assert.ok(inDom > 5 && inDom < 100, `${inDom} row elements in the DOM`);
    await screenshot(wb.page, 'session-timeline-10k');
  });

  it('scrolls to the top and back to the bottom with the keyboard; the window moves, the DOM stays small', async () => {
    await panel.locator('.tl-grid').focus();
    await panel.locator('.tl-grid').press('Home');
    const first = panel.locator('.tl-row[aria-rowindex="2"]');
    await first.waitFor();
    assert.match((await first.locator('.c-path').textContent()) ?? '', /\/items\/1$/);
    assert.equal(await panel.locator(`.tl-row[aria-rowindex="${ENTRIES + 1}"]`).count(), 0, 'the last row is not in the DOM at the top');
    await panel.locator('button.follow[aria-pressed="false"]').waitFor();
    assert.ok((await panel.locator('.tl-window .tl-row').count()) < 100);

    await panel.locator('.tl-grid').press('End');
    const last = panel.locator(`.tl-row[aria-rowindex="${ENTRIES + 1}"]`);
    await last.waitFor();
    assert.equal(await last.getAttribute('aria-selected'), 'true');
    await panel.locator('button.follow[aria-pressed="true"]').waitFor();
    assert.ok((await panel.locator('.tl-window .tl-row').count()) < 100);
  });

  it('filters 10,000 rows by text and status, and the filter, tab and selection survive hiding the panel', async () => {
    await panel.locator('.tl-filters input[type=search]').fill('/items/5000');
    await panel.locator('.tl-filters .count', { hasText: `1 of ${ENTRIES}` }).waitFor();
    await panel.locator('.tl-row[role="row"]', { hasText: '/items/5000' }).click();
    await panel.locator('.tl-detail .detail-title', { hasText: '/items/5000' }).waitFor();

    await panel.locator('.tl-filters input[type=search]').fill('');
    await panel.locator('button.toggle[data-status="4xx"]').click();
    await panel.locator('.tl-filters .count', { hasText: `${Math.floor(ENTRIES / 13)} of ${ENTRIES}` }).waitFor();
    const statuses = await panel.locator('.tl-window .tl-row .c-status').allTextContents();
    assert.ok(statuses.length > 0 && statuses.every((s) => s === '404'), statuses.join(','));

    // Hidden, the webview is torn down; shown again it restores from getState.
    await runFromPalette(wb.page, 'View: Hide Panel');
    await wb.page.locator('.part.panel').waitFor({ state: 'hidden' });
    await runFromPalette(wb.page, 'Session Lens: Show Session Panel');
    panel = await findWebviewFrame(wb.page, '#tab-timeline[aria-selected="true"]', 60_000);
    await panel.locator('button.toggle[data-status="4xx"][aria-pressed="true"]').waitFor();
    await panel.locator('.tl-filters .count', { hasText: `${Math.floor(ENTRIES / 13)} of ${ENTRIES}` }).waitFor({ timeout: 30_000 });
    await panel.locator('.tl-detail .detail-title', { hasText: '/items/5000' }).waitFor({ timeout: 30_000 });
  });
});
