import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { logInThroughProxy, openSampleAppWorkbench, type SampleAppWorkbench, startCaptureFromPalette } from '../support/captureWorkbench';
import type { WorkbenchPage } from '../support/codeServer';
import type { SampleApp } from '../support/sampleApp';
import { runFromPalette, screenshot } from '../support/workbenchUi';

describe('In-flight rules from the panel\'s cookie row, watched in the Rules strip and in a real browser (Chromium)', function () {
  this.timeout(240_000);
  let app: SampleApp;
  let workbench: SampleAppWorkbench;
  let wb: WorkbenchPage;
  let panel: Frame;
  let proxyUrl: string;
  let browser: Page;

  before(async () => {
    workbench = await openSampleAppWorkbench();
    ({ app, wb } = workbench);
    ({ panel, proxyUrl } = await startCaptureFromPalette(wb.page, app.url));
    // A second tab of the same Chromium is the developer's browser, pointed at the proxy.
    browser = await logInThroughProxy(wb.page, proxyUrl);
    await panel.locator('table.grid tbody tr td.name', { hasText: 'connect.sid' }).waitFor({ timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await workbench?.close();
  });

  /** Clicks an in-flight rule button on the live cookie row of `name` in the Session tab. */
  async function ruleFromRow(name: string, rule: string): Promise<void> {
    const row = panel.locator('table.grid tbody tr:not(.gone)', { has: panel.locator('td.name', { hasText: name }) }).first();
    await row.locator(`button.rule-action[data-rule="${rule}"]`).click();
  }

  it('Expire on connect.sid\'s row in the panel: the strip lists it with an off switch, and the browser lands on the logged-out view', async () => {
    await ruleFromRow('connect.sid', 'expire');
    const strip = panel.locator('.rules-strip');
    await strip.locator('.rule-label', { hasText: 'Expire cookie connect.sid now' }).waitFor({ timeout: 30_000 });
    assert.equal(await strip.locator('button.rule-off').count(), 1);
    await screenshot(wb.page, 'rules-strip-expire-now');
    await browser.goto(`${proxyUrl}/`);
    assert.equal((await browser.context().cookies(proxyUrl)).some((c) => c.name === 'connect.sid'), false, 'the browser deleted the session cookie');
    await browser.goto(`${proxyUrl}/profile`);
    await browser.locator('h1', { hasText: 'Log in' }).waitFor();
    // Fired once: the strip empties.
    await strip.waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it('Shorten… on connect.sid\'s row to 5 s: the strip counts down beside the server\'s 30 minutes; at zero the next page load is logged out; Turn off removes it', async () => {
    // The row of the new session's cookie (the expired one is gone).
    await panel.locator('table.grid tbody tr:not(.gone) td.name', { hasText: 'connect.sid' }).first().waitFor({ timeout: 30_000 });
    await ruleFromRow('connect.sid', 'shorten');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.fill('5');
    await input.press('Enter');
    const strip = panel.locator('.rules-strip');
    await strip.locator('.rule-label', { hasText: 'Shorten lifetime of cookie connect.sid to 5 s' }).waitFor({ timeout: 30_000 });
    await browser.goto(`${proxyUrl}/login`);
    await browser.locator('button[type=submit]').click();
    await browser.locator('h1', { hasText: 'Profile' }).waitFor();
    const countdown = strip.locator('.rule-countdown');
    await countdown.waitFor({ timeout: 30_000 });
    assert.match((await countdown.textContent()) ?? '', /^expires in \d s \(server: (29|30) min \d\d s\)$/);
    await screenshot(wb.page, 'rules-strip-shorten');
    // Within 10 s the countdown reaches zero (the safety net is generous; the wait is on the text).
    await panel.waitForFunction(() => document.querySelector('.rules-strip .rule-countdown')?.textContent?.startsWith('expired') === true, undefined, { timeout: 15_000 });
    await browser.goto(`${proxyUrl}/profile`);
    await browser.locator('h1', { hasText: 'Log in' }).waitFor();
    await strip.locator('button.rule-off').click();
    await strip.waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it('Verify Logout on the Server from the palette: the finding gets a "server rejects the old id" badge (lowered to info) and both exchanges as evidence', async () => {
    await browser.goto(`${proxyUrl}/login`);
    await browser.locator('button[type=submit]').click();
    await browser.locator('h1', { hasText: 'Profile' }).waitFor();
    await browser.goto(`${proxyUrl}/logout`);
    await browser.locator('h1', { hasText: 'Welcome' }).waitFor();
    await runFromPalette(wb.page, 'Session Lens: Verify Logout on the Server');
    // The modal lists the requests; nothing is sent before Send Requests.
    const send = wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Send Requests' });
    await send.waitFor({ timeout: 30_000 });
    await send.click();
    const finding = panel.locator('li.finding', { has: panel.locator('.badge.confirmation') }).first();
    await finding.waitFor({ timeout: 30_000 });
    const badge = finding.locator('.badge.confirmation.refuted');
    assert.equal(await badge.textContent(), 'server rejects the old id');
    assert.equal(await badge.getAttribute('aria-label'), 'Refuted by a probe: server rejects the old id');
    assert.match((await badge.getAttribute('title')) ?? '', /^The server rejects the old id: GET \/profile replayed after the logout/);
    assert.match((await finding.getAttribute('class')) ?? '', /\binfo\b/);
    assert.match((await finding.textContent()) ?? '', /session-not-invalidated-on-logout/);
    const evidence = finding.locator('ol.finding-evidence li');
    assert.equal(await evidence.count(), 2);
    assert.match((await evidence.nth(0).textContent()) ?? '', /^before the logout, with cookie connect\.sid( and cookie token)?: logged in \(captured request #\d+\): GET http:\/\/127\.0\.0\.1:\d+\/profile → 200/);
    assert.equal(await evidence.nth(0).locator('button').count(), 1, 'the captured exchange offers Show exchange');
    assert.match((await evidence.nth(1).textContent()) ?? '', /^replayed after the logout with the same cookie connect\.sid( and cookie token)?: logged out: GET http:\/\/127\.0\.0\.1:\d+\/profile → 302$/);
    await screenshot(wb.page, 'probe-logout-refuted-badge');
  });
});
