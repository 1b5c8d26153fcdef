import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { logInThroughProxy, openSampleAppWorkbench, type SampleAppWorkbench, startCaptureFromPalette } from '../support/captureWorkbench';
import { REPO_ROOT, type WorkbenchPage } from '../support/codeServer';
import { runFromPalette, screenshot } from '../support/workbenchUi';

describe('Capture a login through the proxy and watch it in the Session panel (Chromium)', function () {
  this.timeout(240_000);
  let workbench: SampleAppWorkbench;
  let wb: WorkbenchPage;
  let panel: Frame;
  let proxyUrl: string;

  before(async () => {
    workbench = await openSampleAppWorkbench();
    wb = workbench.wb;
  });

  after(async () => {
    await workbench?.close();
  });

  it('starts a capture from the Command Palette, offering the configured target', async () => {
    ({ panel, proxyUrl } = await startCaptureFromPalette(wb.page, workbench.app.url));
  });

  it('a real browser logging in through the proxy fills the panel with masked cookies, tokens, findings and live countdowns', async () => {
    // A second tab of the same Chromium is the developer's browser, pointed at the proxy.
    await (await logInThroughProxy(wb.page, proxyUrl)).close();

    const rows = panel.locator('table.grid tbody tr');
    await panel.locator('table.grid tbody tr td.name', { hasText: 'token' }).waitFor({ timeout: 30_000 });
    const names = await rows.locator('td.name').allTextContents();
    assert.ok(names.some((n) => n.startsWith('connect.sid')), `cookies: ${names.join(', ')}`);
    const values = await rows.locator('td.value').allTextContents();
    assert.ok(values.every((v) => v.includes('•')), 'values are masked by default');

    const countdown = panel.locator('tr', { hasText: 'connect.sid' }).locator('.countdown');
    const first = await countdown.textContent();
    // express-session renews the cookie on activity: once the model has seen that, it says so.
    assert.match(first ?? '', /^(29|30) min \d\d s( \(idle timeout 30 min 00 s\))?$/);
    // The countdown ticks: wait for its text to change (no fixed sleep).
    await panel.waitForFunction((before) => {
      const row = [...document.querySelectorAll('tr')].find((r) => r.textContent?.includes('connect.sid'));
      const now = row?.querySelector('.countdown')?.textContent;
      return typeof now === 'string' && now !== before;
    }, first, { timeout: 15_000 });

    // Each cookie's history: when it was created, by which request.
    const history = panel.locator('tr', { hasText: 'token' }).locator('details.history');
    await history.locator('summary').click();
    assert.match((await history.textContent()) ?? '', /created · POST \/login/);
    // The audit's findings arrive with the session's change (the audit may lag the cookies).
    await panel.locator('.finding code', { hasText: /^session-fixation$/ }).first().waitFor({ timeout: 30_000 });
    const statusBar = wb.page.locator('.statusbar-item', { hasText: 'Session' }).first();
    assert.match((await statusBar.textContent()) ?? '', /Session .*\d/);
    await screenshot(wb.page, 'session-panel-capture');
  });

  it('the timeline shows POST /login changing the session; its detail has the cookie diff; "Show exchange" on session-fixation lands on it', async () => {
    await panel.locator('#tab-timeline').click();
    const login = panel.locator('.tl-row[role="row"]', { hasText: 'POST' }).filter({ hasText: '/login' }).first();
    await login.waitFor({ timeout: 30_000 });
    assert.equal(await login.locator('.badge.changed', { hasText: 'session changed' }).count(), 1, (await login.textContent()) ?? '');
    await login.click();
    const diffRows = panel.locator('.tl-detail .session-diff tbody tr');
    await diffRows.first().waitFor({ timeout: 30_000 });
    const changes = await diffRows.evaluateAll((rows) => rows.map((r) => `${r.querySelector('td.name')?.firstChild?.textContent ?? ''} ${r.getAttribute('data-kind') ?? ''}`));
    // The sample app sets its JWT cookie at login (and, on purpose, keeps connect.sid: session fixation).
    assert.ok(changes.some((c) => /^token (created|value-changed)$/.test(c)), `diff: ${changes.join(', ')}`);
    const before = await diffRows.locator('td.value').allTextContents();
    assert.ok(before.every((v) => v === '—' || v.includes('•')), `values in the diff are masked: ${before.join(' | ')}`);
    await runFromPalette(wb.page, 'Notifications: Clear All Notifications');
    await screenshot(wb.page, 'session-panel-timeline');

    await panel.locator('#tab-session').click();
    const show = panel.locator('.finding', { hasText: 'session-fixation' }).first().locator('button.show-exchange');
    const wanted = await show.getAttribute('data-exchange');
    await show.click();
    await panel.locator('#tab-timeline[aria-selected="true"]').waitFor();
    assert.equal(await panel.locator('.tl-row.selected').getAttribute('data-id'), wanted);
    await panel.locator('.tl-detail .finding', { hasText: 'session-fixation' }).waitFor({ timeout: 30_000 });
    assert.match((await panel.locator('.tl-detail .detail-title').textContent()) ?? '', /^POST http:\/\/\S+\/login$/);
    await panel.locator('#tab-session').click();
  });

  it('reveals values on request and renders hostile server data as text', async () => {
    await panel.locator('button', { hasText: 'Reveal values' }).click();
    await panel.locator('button', { hasText: 'Mask values' }).waitFor();
    const sid = await panel.locator('tr', { hasText: 'connect.sid' }).locator('td.value').textContent();
    assert.match(sid ?? '', /^s%3A/);
    // No element from server data: the only images/scripts are ours (none in the panel).
    assert.equal(await panel.locator('img, svg, iframe, object').count(), 0);
  });

  it('takes the README screenshot: the sample app open, the panel full of a real session', async () => {
    await panel.locator('button', { hasText: 'Mask values' }).click();
    await runFromPalette(wb.page, 'Notifications: Clear All Notifications');
    await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'server.js' }).first().click();
    await wb.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
    // Give the panel more room: drag the sash between editor and panel up.
    const box = (await wb.page.locator('.part.panel').boundingBox())!;
    await wb.page.mouse.move(box.x + box.width / 2, box.y - 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(box.x + box.width / 2, box.y - 220, { steps: 8 });
    await wb.page.mouse.up();
    // Show the session configuration with its squiggles.
    // The express-session cookie options, found in the file so that edits to the sample app keep the shot right.
    const cookieLine = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/sample-app/server.js'), 'utf8').split('\n').findIndex((l) => /cookie: \{ secure: false/.test(l)) + 1;
    assert.ok(cookieLine > 0, 'the sample app sets express-session cookie options');
    await runFromPalette(wb.page, 'Go to Line/Column');
    await wb.page.keyboard.type(String(cookieLine));
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.editor-instance .monaco-editor .squiggly-warning, .editor-instance .monaco-editor .squiggly-error').first().waitFor();
    await screenshot(wb.page, 'readme-session-panel');
  });
});
