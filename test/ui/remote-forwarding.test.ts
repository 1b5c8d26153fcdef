import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import CDP from 'chrome-remote-interface';
import { openSampleAppWorkbench, type SampleAppWorkbench, startCaptureFromPalette } from '../support/captureWorkbench';
import { type CodeServer, CHROMIUM_PATH, type WorkbenchPage } from '../support/codeServer';
import { startDebuggableBrowser, type DebuggableBrowser } from '../support/debuggableBrowser';
import type { SampleApp } from '../support/sampleApp';
import { runFromPalette, screenshot } from '../support/workbenchUi';

/** The source badge's words in a row: "Source: proxy" (its hidden prefix and visible text). */
async function sourceOf(row: ReturnType<Frame['locator']>): Promise<string> {
  return ((await row.locator('.badge.source').first().textContent()) ?? '').trim();
}

/** Resolves when a DevTools client (the capture) is attached to a page of the browser: the event, not a poll. */
async function attached(port: number): Promise<void> {
  const client = await CDP({ port });
  try {
    await new Promise<void>((resolve) => {
      client.on('Target.targetInfoChanged', (e: { targetInfo: { type: string; attached: boolean } }) => {
        if (e.targetInfo.type === 'page' && e.targetInfo.attached) resolve();
      });
      void client.send('Target.setDiscoverTargets', { discover: true }).then(async () => {
        const { targetInfos } = await client.send('Target.getTargets');
        if (targetInfos.some((t) => t.type === 'page' && t.attached)) resolve();
      });
    });
  } finally {
    await client.close();
  }
}

describe('Remote workspaces: a page loaded through code-server\'s forwarded address is captured, and each row says its source (Chromium)', function () {
  this.timeout(300_000);
  let workbench: SampleAppWorkbench;
  let app: SampleApp;
  let server: CodeServer;
  let wb: WorkbenchPage;
  let panel: Frame;
  let browser: DebuggableBrowser | undefined;

  before(async () => {
    workbench = await openSampleAppWorkbench();
    ({ app, server, wb } = workbench);
  });

  after(async () => {
    await browser?.close();
    await workbench?.close();
  });

  it('Open Proxied App in Browser opens code-server\'s /proxy/<port>/ address; a Playwright page logs in there and the panel shows its cookies from the proxy', async () => {
    const started = await startCaptureFromPalette(wb.page, app.url);
    panel = started.panel;
    const proxyPort = new URL(started.proxyUrl).port;

    // The command opens the address asExternalUri resolved: in code-server a new tab of the same browser.
    const opened = wb.page.context().waitForEvent('page', { timeout: 60_000 });
    await runFromPalette(wb.page, 'Session Lens: Open Proxied App in Browser');
    const forwarded: Page = await opened;
    await forwarded.waitForLoadState('domcontentloaded');
    const url = new URL(forwarded.url());
    assert.equal(url.origin, new URL(server.url).origin, `the forwarded address is code-server's own origin (${forwarded.url()})`);
    assert.match(url.pathname, new RegExp(`^/proxy/${proxyPort}/`), `code-server's path form for the proxy port (${forwarded.url()})`);

    // Log in through the forwarded address, as a user of a remote workspace would.
    await forwarded.locator('h1', { hasText: 'Welcome' }).waitFor({ timeout: 30_000 });
    await forwarded.locator('nav a', { hasText: 'Log in' }).click();
    await forwarded.locator('button[type=submit]').click();
    await forwarded.locator('h1', { hasText: 'Profile' }).waitFor({ timeout: 30_000 });
    assert.match(forwarded.url(), new RegExp(`/proxy/${proxyPort}/profile$`), 'the redirect stays under the forwarded prefix');
    await forwarded.close();

    const sid = panel.locator('table.grid tbody tr', { hasText: 'connect.sid' }).first();
    await sid.waitFor({ timeout: 30_000 });
    await panel.locator('table.grid tbody tr td.name', { hasText: 'token' }).first().waitFor({ timeout: 30_000 });
    assert.equal(await sourceOf(sid), 'Source: proxy');
    assert.equal(await sid.locator('.badge.source').getAttribute('title'), 'Source: the capture proxy');

    await panel.locator('#tab-timeline').click();
    const login = panel.locator('.tl-row[role="row"]', { hasText: 'POST' }).filter({ hasText: '/login' }).first();
    await login.waitFor({ timeout: 30_000 });
    assert.equal(await sourceOf(login), 'Source: proxy');
    await screenshot(wb.page, 'remote-forwarding-proxy');
    await panel.locator('#tab-session').click();
    await runFromPalette(wb.page, 'Session Lens: Stop Capture');
    await panel.locator('#root .status', { hasText: 'Capturing' }).waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
  });

  it('a browser capture (Attach to Browser…) marks its rows CDP, the cookie a script set as from the browser\'s jar, and the localStorage token', async () => {
    browser = await startDebuggableBrowser(CHROMIUM_PATH);
    await runFromPalette(wb.page, 'Session Lens: Attach to Browser…');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(String(browser.port));
    await input.press('Enter');
    // The second box offers the configured target as the origin to record.
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Attach to Browser' }).waitFor();
    await wb.page.waitForFunction((expected) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === expected, app.url);
    await input.press('Enter');

    // The user browses in the browser they started, once the capture is attached to it.
    await attached(browser.port);
    const tab = await CDP.New({ port: browser.port, url: 'about:blank' });
    const page = await CDP({ port: browser.port, target: tab.id });
    try {
      await page.send('Page.navigate', { url: `${app.url}/spa` });
      const theme = panel.locator('table.grid tbody tr', { hasText: 'ui_theme' }).first();
      await theme.waitFor({ timeout: 60_000 });
      assert.equal(await sourceOf(theme), 'Source: jar');
      assert.match((await theme.locator('.badge.source').getAttribute('title')) ?? '', /browser's own cookie jar/);

      const token = panel.locator('details', { hasText: 'access_token' }).first();
      await token.waitFor({ timeout: 60_000 });
      assert.equal(await sourceOf(token), 'Source: localStorage');

      await panel.locator('#tab-timeline').click();
      const spa = panel.locator('.tl-row[role="row"]', { hasText: 'GET' }).filter({ hasText: '/spa' }).first();
      await spa.waitFor({ timeout: 30_000 });
      assert.equal(await sourceOf(spa), 'Source: CDP');
      // The proxy's rows keep theirs.
      const proxied = panel.locator('.tl-row[role="row"]', { hasText: 'POST' }).filter({ hasText: '/login' });
      const sources = await proxied.locator('.badge.source').allTextContents();
      assert.ok(sources.includes('Source: proxy') && sources.includes('Source: CDP'), `POST /login rows: ${sources.join(', ')}`);
      await screenshot(wb.page, 'remote-forwarding-browser');
      await panel.locator('#tab-session').click();
    } finally {
      await page.close();
      await CDP.Close({ port: browser.port, id: tab.id }).catch(() => undefined);
      await runFromPalette(wb.page, 'Session Lens: Stop Browser Capture').catch(() => undefined);
    }
  });
});
