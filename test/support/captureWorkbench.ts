/** The steps UI tests share: the sample app and code-server started, a capture started from the palette, a login through the proxy. */
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { type CodeServer, openWorkbench, productVsix, REPO_ROOT, startCodeServer, type WorkbenchPage } from './codeServer';
import { type SampleApp, startSampleApp } from './sampleApp';
import { findWebviewFrame, runFromPalette } from './workbenchUi';

/** The folder the workbench opens: the sample app's sources (its lint squiggles are part of some shots). */
export const SAMPLE_APP_FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-app');

/** The sample app running, and code-server with the product .vsix on its folder, the app configured as the capture target. */
export interface SampleAppWorkbench {
  readonly app: SampleApp;
  readonly server: CodeServer;
  readonly wb: WorkbenchPage;
  /** Closes the workbench page, stops code-server and the app. */
  close(): Promise<void>;
}

/** Starts the sample app and code-server (`sessionLens.target` = the app, plus `settings`) and opens the workbench. */
export async function openSampleAppWorkbench(settings: Record<string, unknown> = {}): Promise<SampleAppWorkbench> {
  const app = await startSampleApp(REPO_ROOT);
  let server: CodeServer | undefined;
  try {
    server = await startCodeServer({ vsixes: [productVsix()], settings: { 'sessionLens.target': app.url, ...settings } });
    const wb = await openWorkbench(server, SAMPLE_APP_FOLDER);
    const started = server;
    return {
      app, server, wb,
      async close() {
        await wb.close();
        await started.stop();
        await app.close();
      },
    };
  } catch (err) {
    await server?.stop();
    await app.close();
    throw err;
  }
}

/** A capture the panel reports as running. */
export interface StartedCapture {
  /** The Session panel's webview frame. */
  readonly panel: Frame;
  /** The proxy's address, as the panel's status line gives it (`http://127.0.0.1:PORT`). */
  readonly proxyUrl: string;
}

/** Runs Start Capture from the Command Palette, picks `target` in its quick pick, and waits for the panel to say Capturing. */
export async function startCaptureFromPalette(page: Page, target: string): Promise<StartedCapture> {
  await runFromPalette(page, 'Session Lens: Start Capture');
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: target }).first();
  await item.waitFor({ timeout: 30_000 });
  await item.click();
  const panel = await findWebviewFrame(page, '#root .status');
  const status = panel.locator('#root .status', { hasText: 'Capturing' });
  await status.waitFor({ timeout: 30_000 });
  const text = (await status.textContent()) ?? '';
  const proxyUrl = /through (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
  if (!proxyUrl) throw new Error(`no proxy URL in the panel's status "${text}"`);
  return { panel, proxyUrl };
}

/** Logs in to the sample app through the proxy in a new tab of the workbench's browser (the developer's browser); returns that tab, open. */
export async function logInThroughProxy(page: Page, proxyUrl: string): Promise<Page> {
  const appPage = await page.context().newPage();
  await appPage.goto(`${proxyUrl}/login`);
  await appPage.locator('button[type=submit]').click();
  await appPage.locator('h1', { hasText: 'Profile' }).waitFor();
  return appPage;
}
