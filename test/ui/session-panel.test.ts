import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { type CodeServer, openWorkbench, productVsix, REPO_ROOT, startCodeServer, type WorkbenchPage } from '../support/codeServer';
import { findWebviewFrame, runFromPalette, screenshot } from '../support/workbenchUi';

describe('Session panel in the real workbench (Chromium)', function () {
  this.timeout(180_000);
  let server: CodeServer;
  let wb: WorkbenchPage;

  before(async () => {
    server = await startCodeServer({ vsixes: [productVsix()] });
    wb = await openWorkbench(server, path.join(REPO_ROOT, 'test', 'fixtures'));
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('runs "Session Lens: Show Session Panel" from the Command Palette and shows the empty state', async () => {
    await runFromPalette(wb.page, 'Session Lens: Show Session Panel');
    const frame = await findWebviewFrame(wb.page, '#root h2');
    const heading = await frame.locator('#root h2').first().textContent();
    assert.equal(heading, 'No cookies or tokens yet');
    const body = await frame.locator('#root').textContent();
    assert.match(body ?? '', /Command Palette/);
    await screenshot(wb.page, 'session-panel-empty');
  });

  it('the panel tab is titled Session Lens and lives in the panel area', async () => {
    // The webview lives in the Panel part (bottom), not in a sidebar.
    const panel = wb.page.locator('.part.panel');
    await panel.waitFor({ state: 'visible' });
    const titles = await panel.locator('.composite.title:visible').allTextContents();
    assert.ok(titles.some((t) => /SESSION LENS|Session Lens/.test(t)), `panel title was ${JSON.stringify(titles)}`);
    const box = await panel.boundingBox();
    const viewport = wb.page.viewportSize()!;
    assert.ok(box && box.y > viewport.height / 3, 'the Session view is in the bottom panel');
  });
});
