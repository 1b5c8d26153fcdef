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
/** Hosts of the findings HAR: each sets its own session cookie without Secure, HttpOnly, SameSite or Cache-Control. */
const FINDING_HOSTS = 600;

/** A HAR of `hosts` logins, each on its own host setting session_<i> plainly: five findings per cookie (3,000). */
function manyFindingsHar(hosts: number): string {
  const t0 = Date.UTC(2026, 10, 23, 12);
  const entries = [];
  for (let i = 1; i <= hosts; i++) {
    entries.push({
      startedDateTime: new Date(t0 + i * 1000).toISOString(), time: 5,
      request: { method: 'GET', url: `http://app${i}.example.test/login`, httpVersion: 'HTTP/1.1', headers: [], cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
      response: {
        status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Set-Cookie', value: `session_${i}=s${i}abcdefghij; Path=/` }],
        cookies: [], content: { size: 2, mimeType: 'text/plain', text: 'ok' }, redirectURL: '', headersSize: -1, bodySize: 2,
      },
      cache: {}, timings: { send: 1, wait: 3, receive: 1 },
    });
  }
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'session-lens ui test', version: '1' }, entries } });
}

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

describe('Session tab with 3,000 findings: virtualised, counted, reachable by keyboard (Chromium)', function () {
  this.timeout(300_000);
  let dir: string;
  let server: CodeServer;
  let wb: WorkbenchPage;
  let panel: Frame;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-findings-'));
    fs.writeFileSync(path.join(dir, 'findings.har'), manyFindingsHar(FINDING_HOSTS));
    server = await startCodeServer({ vsixes: [productVsix()] });
    wb = await openWorkbench(server, dir);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a HAR with thousands of findings: the Session tab lists them all (count, set size) with only a window of them in the DOM, and the keyboard reaches the last one', async () => {
    panel = await importHarFromPalette(wb.page, 'findings.har', FINDING_HOSTS, 120_000);
    await panel.locator('#tab-session').click();
    const heading = panel.locator('.findings-section h2');
    await heading.waitFor({ timeout: 30_000 });
    // The import's findings come as the file is read (the audit may lag the cookies): wait for all five per cookie.
    try {
      await panel.waitForFunction((least) => Number(/\((\d+)\)/.exec(document.querySelector('.findings-section h2')?.textContent ?? '')?.[1] ?? 0) >= least, FINDING_HOSTS * 5, { timeout: 60_000 });
    } finally {
      await screenshot(wb.page, 'session-panel-findings-imported');
    }
    const total = Number(/\((\d+)\)/.exec((await heading.textContent()) ?? '')?.[1]);
    const items = panel.locator('.findings-section ul.findings > li.finding');
    const inDom = await items.count();
    assert.ok(inDom > 3 && inDom < 150, `${inDom} finding elements in the DOM for ${total} findings`);
    assert.equal(await items.first().getAttribute('aria-setsize'), String(total));

    // Keyboard: the list takes focus, End goes to the last finding (drawn on the way), Home back to the first.
    await panel.locator('.findings-section .vlist').focus();
    await panel.locator('.findings-section .vlist').press('End');
    const last = panel.locator(`.findings-section li.finding[aria-posinset="${total}"]`);
    await last.waitFor({ timeout: 10_000 });
    assert.equal(await last.evaluate((e) => e === document.activeElement), true, 'the last finding has the focus');
    assert.ok((await items.count()) < 150, 'still only a window of findings in the DOM at the end');
    await panel.locator('.findings-section .vlist').press('Home');
    await panel.locator('.findings-section li.finding[aria-posinset="1"]').waitFor({ timeout: 10_000 });
    await panel.locator('.findings-section li.finding[aria-posinset="1"]').press('ArrowDown');
    assert.equal(await panel.locator('.findings-section li.finding[aria-posinset="2"]').evaluate((e) => e === document.activeElement), true, 'ArrowDown moves to the second finding');
    await screenshot(wb.page, 'session-panel-scale-findings');
  });
});
