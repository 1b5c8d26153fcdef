import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { logInThroughProxy, openSampleAppWorkbench, type SampleAppWorkbench, startCaptureFromPalette } from '../support/captureWorkbench';
import type { WorkbenchPage } from '../support/codeServer';
import type { SampleApp } from '../support/sampleApp';
import { runFromPalette, screenshot } from '../support/workbenchUi';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT typed into Decode JWT… (not from the traffic), issued 3 h ago, expiring in 14 min. */
function typedJwt(): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'typed-in-user', iat: now - 3 * 3600, exp: now + 14 * 60 })}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
}

/** The Session tab of the panel after a real login: cookie columns, sorting, gone cookies, claim trees, Verify…, Copy as curl, themes, reflow. */
describe('Session tab: cookies as DevTools shows them, tokens as trees, in every theme and width (Chromium)', function () {
  this.timeout(300_000);
  let app: SampleApp;
  let workbench: SampleAppWorkbench;
  let wb: WorkbenchPage;
  let panel: Frame;
  let proxyUrl: string;

  /** Picks a colour theme as a user does (Preferences: Color Theme) and waits for the webview to follow. */
  async function setTheme(theme: string, bodyClass: string): Promise<void> {
    await runFromPalette(wb.page, 'Preferences: Color Theme');
    await wb.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
    await wb.page.keyboard.type(theme);
    await wb.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).waitFor({ timeout: 30_000 });
    await wb.page.keyboard.press('Enter');
    await panel.waitForFunction((cls) => document.body.classList.contains(cls), bodyClass, { timeout: 60_000 });
  }

  /** True when nothing in the panel sticks out to the right of its viewport (the panel reflows instead). */
  async function overflow(): Promise<string[]> {
    return panel.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out: string[] = [];
      if (document.documentElement.scrollWidth > width + 1) out.push(`page ${document.documentElement.scrollWidth} > ${width}`);
      for (const e of document.querySelectorAll<HTMLElement>('#root header, .cookie-tools, table.cookies tr, .tabs, .token summary')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.right > width + 1) out.push(`${e.tagName}.${e.className} right ${Math.round(r.right)} > ${width}`);
      }
      return out;
    });
  }

  before(async () => {
    workbench = await openSampleAppWorkbench({ 'workbench.colorTheme': 'Default Dark Modern' });
    ({ app, wb } = workbench);
    ({ panel, proxyUrl } = await startCaptureFromPalette(wb.page, app.url));
    await (await logInThroughProxy(wb.page, proxyUrl)).close();
    await panel.locator('table.cookies tbody tr td.name', { hasText: /^token/ }).waitFor({ timeout: 30_000 });
    await runFromPalette(wb.page, 'Notifications: Clear All Notifications');
  });

  after(async () => {
    await workbench?.close();
  });

  it('the toolbar offers only what the view title does not (no Start/Stop/Import/Export/Clear twins)', async () => {
    const labels = await panel.locator('header .toolbar button').allTextContents();
    for (const twin of ['Start Capture…', 'Stop Capture', 'Open in Browser', 'Import HAR…', 'Export HAR…', 'Clear']) assert.ok(!labels.includes(twin), `toolbar repeats ${twin}: ${labels.join(', ')}`);
    assert.ok(labels.includes('Reveal values'), labels.join(', '));
    // The view title has them as icons.
    const titleActions = await wb.page.locator('.part.panel .title-actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.ok(titleActions.some((a) => /Stop Capture/.test(a)), titleActions.join(', '));
  });

  it('shows every DevTools column, with raw Expires/Max-Age and the computed time, and sorts by a header with the keyboard', async () => {
    const headers = await panel.locator('table.cookies thead th button.sort').allTextContents();
    assert.deepEqual(headers.map((h) => h.replace(/ [▲▼]$/, '')), ['Name', 'Value', 'Domain', 'Path', 'Expires / Max-Age', 'Size', 'HttpOnly', 'Secure', 'SameSite', 'Partitioned', 'Priority', 'Expires in', 'Findings']);
    const sid = panel.locator('table.cookies tbody tr', { hasText: 'connect.sid' });
    // express-session sends Expires (and no Max-Age) for a 30-minute cookie.
    assert.match((await sid.locator('td.expires').textContent()) ?? '', /^(Max-Age=\d+; )?Expires=.+GMT/);
    assert.equal(await sid.locator('td[data-label="HttpOnly"]').textContent(), '✓');
    assert.equal(await sid.locator('td[data-label="Priority"]').textContent(), 'Medium');

    const size = panel.locator('th[data-column="size"] button');
    await size.focus();
    await size.press('Enter');
    await panel.locator('th[data-column="size"][aria-sort="ascending"]').waitFor();
    const sizes = async () => (await panel.locator('table.cookies tbody tr:not(.gone) td[data-label="Size"]').allTextContents()).map(Number);
    const up = await sizes();
    assert.deepEqual(up, [...up].sort((a, b) => a - b));
    // Focus stays on the header after the redraw: Enter again sorts the other way.
    await panel.locator('th[data-column="size"] button:focus').waitFor();
    await panel.locator('th[data-column="size"] button').press('Enter');
    await panel.locator('th[data-column="size"][aria-sort="descending"]').waitFor();
    assert.deepEqual(await sizes(), [...up].sort((a, b) => b - a));
  });

  it('"only with findings" keeps cookies with findings; a cookie deleted at logout appears greyed behind "show gone", with its history', async () => {
    await panel.locator('button.findings-only').click();
    await panel.locator('button.findings-only[aria-pressed="true"]').waitFor();
    const rows = panel.locator('table.cookies tbody tr');
    const n = await rows.count();
    assert.ok(n > 0, 'the sample app has cookie findings');
    for (let i = 0; i < n; i++) {
      const row = rows.nth(i);
      assert.ok((await row.locator('.finding-count, .browser-notes').count()) > 0, (await row.textContent()) ?? '');
    }
    await panel.locator('button.findings-only').click();

    const appPage = await wb.page.context().newPage();
    await appPage.goto(`${proxyUrl}/logout`);
    await appPage.close();
    await panel.locator('button.show-gone', { hasText: 'Show gone (1)' }).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('table.cookies tr.gone').count(), 0, 'gone cookies are hidden by default');
    await panel.locator('button.show-gone').click();
    const gone = panel.locator('table.cookies tr.gone[data-state="deleted"]', { hasText: 'token' });
    await gone.waitFor();
    assert.equal(await gone.locator('.badge.gone-state').textContent(), 'deleted');
    await gone.locator('details.history summary').click();
    assert.match((await gone.locator('details.history').textContent()) ?? '', /deleted · GET \/logout[\s\S]*created · POST \/login/);
    assert.match((await gone.locator('td.value').textContent()) ?? '', /•/, 'its last value is masked like the live ones');
    await gone.locator('details.last-set-cookie summary').click();
    assert.match((await gone.locator('details.last-set-cookie pre').textContent()) ?? '', /^token=.*Expires=Thu, 01 Jan 1970/);
  });

  it('shows a JWT\'s header and claims as a keyboard-navigable tree with human and relative dates; Verify… opens the key picker for it', async () => {
    const token = panel.locator('details.token', { has: panel.locator('[role="tree"]') }).first();
    await token.locator('summary').click();
    const claims = token.locator('ul[role="tree"][aria-label^="Claims"]');
    await claims.waitFor();
    const exp = claims.locator('[role="treeitem"]', { has: panel.locator('.claim-name', { hasText: /^exp$/ }) });
    assert.match((await exp.locator('.claim-date').textContent()) ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match((await exp.locator('.claim-relative').textContent()) ?? '', /^in \d+ (min|h)$/);
    const iat = claims.locator('[role="treeitem"]', { has: panel.locator('.claim-name', { hasText: /^iat$/ }) });
    assert.match((await iat.locator('.claim-relative').textContent()) ?? '', /(just now|ago)$/);

    const first = claims.locator('[role="treeitem"]').first();
    await first.focus();
    await first.press('ArrowDown');
    assert.equal(await claims.locator('[role="treeitem"]').nth(1).evaluate((e) => e === document.activeElement), true, 'ArrowDown moves to the next claim');
    assert.equal(await claims.locator('[role="treeitem"][tabindex="0"]').count(), 1, 'one tab stop per tree');

    await token.locator('button.verify').click();
    const paste = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Paste a secret, PEM, JWK or JWKS' });
    await paste.waitFor({ timeout: 30_000 });
    await wb.page.keyboard.press('Escape');
    await paste.waitFor({ state: 'hidden' });
  });

  it('Decode JWT… puts a typed token into the panel\'s token view and opens it there', async () => {
    await runFromPalette(wb.page, 'Session Lens: Decode JWT');
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    const jwt = typedJwt();
    await input.fill(jwt);
    await wb.page.keyboard.press('Enter');
    const decoded = panel.locator('details.token[open]', { hasText: 'decoded by you' });
    await decoded.waitFor({ timeout: 30_000 });
    assert.match((await decoded.locator('summary').textContent()) ?? '', /JWT of typed-in-user/);
    assert.match((await decoded.locator('[role="treeitem"]', { hasText: /^\S*exp/ }).locator('.claim-relative').textContent()) ?? '', /^in 1[34] min$/);
    assert.match((await decoded.locator('[role="treeitem"]', { hasText: /^\S*iat/ }).locator('.claim-relative').textContent()) ?? '', /^3 h ago$/);
    assert.ok(!((await decoded.locator('.value').textContent()) ?? '').includes(jwt.slice(20, 60)), 'masked like every token');
    await runFromPalette(wb.page, 'View: Close All Editors');
  });

  it('the exchange detail copies its request as curl (the existing command, for this exchange)', async () => {
    await panel.locator('#tab-timeline').click();
    const login = panel.locator('.tl-row[role="row"]', { hasText: 'POST' }).filter({ hasText: '/login' }).first();
    await login.waitFor({ timeout: 30_000 });
    await login.click();
    await panel.locator('.tl-detail button.copy-curl').click();
    await wb.page.locator('.notifications-toasts', { hasText: 'copied POST /login as curl' }).waitFor({ timeout: 30_000 });
    await runFromPalette(wb.page, 'Notifications: Clear All Notifications');
    await panel.locator('.tl-detail button.close').click();
    await panel.locator('#tab-session').click();
  });

  it('reflows: nothing is cut off in a narrow sidebar-like width nor in the wide bottom panel', async () => {
    assert.deepEqual(await overflow(), [], 'wide');
    await wb.page.setViewportSize({ width: 520, height: 900 });
    await panel.waitForFunction(() => document.documentElement.clientWidth <= 640);
    assert.deepEqual(await overflow(), [], 'narrow');
    await panel.evaluate(() => document.querySelector('.session-panel')?.scrollTo(0, 0));
    await screenshot(wb.page, 'session-tab-narrow');
    await wb.page.setViewportSize({ width: 1400, height: 900 });
    await panel.waitForFunction(() => document.documentElement.clientWidth > 640);
  });

  it('is readable in dark, light and high-contrast themes (screenshots in test-results/)', async () => {
    // Room for the panel: the sash between editor and panel dragged up.
    const box = (await wb.page.locator('.part.panel').boundingBox())!;
    await wb.page.mouse.move(box.x + box.width / 2, box.y - 2);
    await wb.page.mouse.down();
    await wb.page.mouse.move(box.x + box.width / 2, 120, { steps: 8 });
    await wb.page.mouse.up();
    await panel.locator('details.token summary').first().click();
    for (const [theme, cls, name] of [['Dark Modern', 'vscode-dark', 'dark'], ['Light Modern', 'vscode-light', 'light'], ['Dark High Contrast', 'vscode-high-contrast', 'high-contrast']] as const) {
      await setTheme(theme, cls);
      // Themed through --vscode-* variables only: the page's text colour is the theme's foreground.
      const colors = await panel.evaluate(() => ({ fg: getComputedStyle(document.body).color, bg: getComputedStyle(document.body).backgroundColor, themeFg: getComputedStyle(document.documentElement).getPropertyValue('--vscode-foreground').trim() }));
      assert.ok(colors.themeFg !== '', `${name}: --vscode-foreground is set`);
      await screenshot(wb.page, `session-tab-${name}`);
    }
    await setTheme('Dark Modern', 'vscode-dark');
  });
});
