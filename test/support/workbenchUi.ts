/** Playwright helpers for driving the real VS Code workbench and our webviews in it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT } from './codeServer';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/**
 * Runs a command through the Command Palette, as a user would. Extensions' contributions
 * register a little after the workbench appears, so the palette is reopened until the command shows.
 */
export async function runFromPalette(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input.input');
  for (;;) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await page.keyboard.type(title);
      await row.waitFor({ timeout: 3_000 });
      await row.click();
      return;
    } catch (err) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`"${title}" did not appear in the Command Palette: ${String(err)}`);
      await page.waitForTimeout(1_000);
    }
  }
}

/** Finds the frame of one of our webviews by a selector that only exists inside it. */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await frame.locator(selector).count()) return frame;
      } catch {
        // frame navigated or detached while we looked
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Imports a HAR file of the workspace folder through the Command Palette (Session Lens: Import
 * HAR), then waits until the Session panel's status says `exchanges` requests (when given); returns the panel's
 * frame. code-server's open dialog is the simple one, a quick input listing the workspace folder:
 * it rewrites a typed path while it loads the folder, so the file is picked from its list.
 */
export async function importHarFromPalette(page: Page, fileName: string, exchanges?: number, timeoutMs = 300_000): Promise<Frame> {
  await runFromPalette(page, 'Session Lens: Import HAR');
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  await item.waitFor({ timeout: 30_000 });
  await item.click();
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' });
  const input = page.locator('.quick-input-widget input.input');
  if (await input.isVisible() && await ok.isVisible()) await ok.click().catch(() => undefined);
  await input.waitFor({ state: 'hidden', timeout: 30_000 });
  const panel = await findWebviewFrame(page, '#root .status', 60_000);
  if (exchanges !== undefined) await panel.locator('#root .status', { hasText: `${exchanges} requests` }).waitFor({ timeout: timeoutMs });
  return panel;
}

/** Starts a capture in front of `targetUrl` from the Command Palette; returns the proxy URL the Session panel shows. */
export async function startCaptureFromPalette(page: Page, panel: Frame, targetUrl: string): Promise<string> {
  await runFromPalette(page, 'Session Lens: Start Capture');
  const target = page.locator('.quick-input-list .monaco-list-row', { hasText: targetUrl }).first();
  await target.waitFor({ timeout: 30_000 });
  await target.click();
  await panel.locator('#root .status', { hasText: 'Capturing' }).waitFor({ timeout: 30_000 });
  const status = (await panel.locator('#root .status').textContent()) ?? '';
  const proxyUrl = /through (http:\/\/127\.0\.0\.1:\d+)/.exec(status)?.[1];
  if (!proxyUrl) throw new Error(`no proxy URL in the panel's status "${status}"`);
  return proxyUrl;
}
