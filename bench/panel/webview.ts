/**
 * The Session panel measured in the real webview: code-server with the packaged extension, driven
 * through Chromium with playwright-core (the UI tests' harness). A seeded realistic HAR of 10,000
 * exchanges is imported, then a capture runs in front of the sample app and requests go through
 * it. Figures come from the webview's own performance timeline (the timeline marks
 * `session-lens:timeline-first-render` once, and `session-lens:timeline-rendered` each time its
 * rows are in the DOM):
 *  - time to first render of the 10,000-exchange session: the panel shown anew (a fresh webview),
 *    from the webview document's start to the rows' window in the DOM (the first state carries the
 *    newest rows; the bench also prints when all 10,000 are in);
 *  - update latency: from an exchange completing (its response read by the client) to its row in
 *    the webview DOM (p50/p95 over --requests requests, one at a time);
 *  - frame time while scrolling the exchange list, 600 px a frame: the webview's own main-thread
 *    work per frame (script, style + layout, paint of its frame, from a Chromium trace), p50/p95;
 *    and the rAF-to-rAF interval, which in code-server also carries the workbench's work (the
 *    webview shares its renderer main thread) and the machine's load.
 * Each phase is run once untraced for the wall figures and once under a Chromium trace, from which
 * the webview's CPU (thread) time by kind and the Long Tasks (tasks of 50 ms or more) are printed:
 * CPU work is much less sensitive to machine load than wall time. Prints figures; asserts nothing.
 * Needs the .vsix: npm run package, then
 *   SESSION_LENS_VSIX=$PWD/session-lens-0.1.0.vsix npx tsx bench/panel/webview.ts [--requests 40] [--traces DIR] [--only scroll]
 * `--only scroll` runs the scroll phase alone (after the import; no reopen, no capture).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { openWorkbench, productVsix, REPO_ROOT, startCodeServer, type WorkbenchPage } from '../../test/support/codeServer';
import { startSampleApp } from '../../test/support/sampleApp';
import { findWebviewFrame, importHarFromPalette, runFromPalette, startCaptureFromPalette } from '../../test/support/workbenchUi';
import { benchHar } from '../audit/har';
import { FrameTrace, formatWork, total, TRACE_CATEGORIES } from './traceFigures';

const ENTRIES = 10_000;
const at = process.argv.indexOf('--requests');
const REQUESTS = at >= 0 ? Number(process.argv[at + 1]) : 40;
/** Requests and frames measured again under the trace. */
const TRACED_REQUESTS = 10;
const FRAMES = 240;
const MARK = 'session-lens:timeline-rendered';
const FIRST_MARK = 'session-lens:timeline-first-render';
/** Set by the bench in each of its scroll frames, to split the trace into frames. */
const FRAME_MARK = 'bench:frame';

const q = (sorted: readonly number[], p: number, digits = 0) => (sorted.length === 0 ? 'n/a' : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(digits));
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** The latest render mark of the webview: when (its clock, ms since its time origin) and the last row then. */
function lastRender(panel: Frame): Promise<{ at: number; origin: number; rows: number; lastId: number } | undefined> {
  return panel.evaluate((name) => {
    const m = performance.getEntriesByName(name).at(-1) as PerformanceMark | undefined;
    return m ? { at: m.startTime, origin: performance.timeOrigin, ...(m.detail as { rows: number; lastId: number }) } : undefined;
  }, MARK);
}

/** `--traces DIR`: also write each phase's Chromium trace there (open in DevTools' Performance panel). */
const tracesAt = process.argv.indexOf('--traces');
const TRACES_DIR = tracesAt >= 0 ? process.argv[tracesAt + 1] : undefined;
/** `--only scroll`: the scroll phase alone. */
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (ONLY !== undefined && ONLY !== 'scroll') throw new Error(`--only takes "scroll", not "${ONLY}"`);

/** The webview's script: the trace's events name the frame that ran it. */
const WEBVIEW_SCRIPT = '/dist/webview.js';

/** Runs `fn` under a Chromium trace of the whole browser; returns the webview frame's part of it. */
async function traced(browser: Browser, page: Page, name: string, fn: () => Promise<void>): Promise<FrameTrace> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  try {
    await fn();
  } catch (err) {
    await browser.stopTracing().catch(() => undefined);
    throw err;
  }
  const trace = await browser.stopTracing();
  if (TRACES_DIR) fs.writeFileSync(path.join(TRACES_DIR, `${name}.json`), trace);
  const frame = FrameTrace.ofScript(trace, WEBVIEW_SCRIPT);
  if (!frame) throw new Error(`no frame ran ${WEBVIEW_SCRIPT} in the trace`);
  return frame;
}

/** A fresh webview: the panel hidden (the webview is torn down) and shown again; resolves once its 10,000 rows are drawn. */
async function reopenPanel(page: Page): Promise<Frame> {
  await runFromPalette(page, 'View: Hide Panel');
  await page.locator('.part.panel').waitFor({ state: 'hidden' });
  await runFromPalette(page, 'Session Lens: Show Session Panel');
  const panel = await findWebviewFrame(page, '#tab-timeline[aria-selected="true"]', 60_000);
  await panel.waitForFunction((name) => performance.getEntriesByName(name).some((m) => (m as PerformanceMark).detail?.rows >= 10_000), MARK, { timeout: 120_000 });
  return panel;
}

/** Scrolls the exchange list from the top, 600 px a frame; the rAF-to-rAF intervals. */
function scrollFrames(panel: Frame): Promise<number[]> {
  // A string, not a function: the bench runs through tsx, whose helpers the page does not have.
  return panel.evaluate<number[]>(`new Promise((resolve) => {
    const scroller = document.querySelector('.tl-scroller');
    scroller.scrollTop = 0;
    const times = [];
    let last = 0;
    const step = (t) => {
      performance.mark(${JSON.stringify(FRAME_MARK)});
      if (last) times.push(t - last);
      last = t;
      scroller.scrollTop += 600;
      if (times.length < ${FRAMES}) requestAnimationFrame(step);
      else resolve(times);
    };
    requestAnimationFrame(step);
  })`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-panel-webview-'));
  fs.writeFileSync(path.join(dir, 'day.har'), JSON.stringify(benchHar(ENTRIES)));
  const app = await startSampleApp(REPO_ROOT);
  const server = await startCodeServer({ vsixes: [productVsix()], settings: { 'sessionLens.capture.maxExchanges': 20_000, 'sessionLens.target': app.url } });
  const wb = await openWorkbench(server, dir);
  try {
    let panel = await importHarFromPalette(wb.page, 'day.har', ENTRIES);
    await panel.locator('#tab-timeline').click();
    await panel.locator('.tl-window .tl-row').first().waitFor();
    console.log(`Session panel in the real webview (code-server + Chromium), ${ENTRIES} exchanges (seeded realistic HAR)\n`);

    if (ONLY !== 'scroll') panel = await firstRenderAndUpdates(wb, app.url, panel);
    await scrollPhase(wb, panel);
  } finally {
    await wb.close();
    await server.stop();
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Time to first render (a reopened panel) and update latency (a capture, one request at a time); resolves to the reopened panel. */
async function firstRenderAndUpdates(wb: WorkbenchPage, appUrl: string, panel: Frame): Promise<Frame> {
  // Time to first render: a fresh webview gets the full state. Untraced, then traced.
  panel = await reopenPanel(wb.page);
  const firstRender = await panel.evaluate(([first, rendered]) => {
    const m = performance.getEntriesByName(first)[0] as PerformanceMark;
    const all = performance.getEntriesByName(rendered).at(-1) as PerformanceMark;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { rendered: m.startTime, rows: (m.detail as { rows: number; older: number }).rows, older: (m.detail as { older: number }).older, complete: all.startTime, domLoaded: nav?.domContentLoadedEventEnd ?? 0 };
  }, [FIRST_MARK, MARK] as const);
  console.log(`time to first render of a ${ENTRIES}-exchange session: ${firstRender.rendered.toFixed(0)} ms  (fresh webview: document start -> the rows' window in the DOM, with the newest ${firstRender.rows} rows in and ${firstRender.older} older ones to come; script run by ${firstRender.domLoaded.toFixed(0)} ms; target <= 300 ms)`);
  console.log(`  all ${ENTRIES} rows in the webview by ${firstRender.complete.toFixed(0)} ms`);
  let page!: Frame;
  const firstTrace = await traced(wb.browser, wb.page, 'first-render', async () => { page = await reopenPanel(wb.page); });
  const renderedAt = firstTrace.markTimes(FIRST_MARK)[0]!;
  const pageMark = await page.evaluate((name) => (performance.getEntriesByName(name)[0] as PerformanceMark).startTime, FIRST_MARK);
  const firstLong = firstTrace.longTasks(-Infinity, renderedAt + 1);
  const firstTasks = sorted(firstTrace.frameTasks(-Infinity, renderedAt + 1));
  console.log(`  traced (first render at ${pageMark.toFixed(0)} ms): the webview's own work until then (CPU) ${formatWork(firstTrace.work(-Infinity, renderedAt + 1))}; its longest task ${q(firstTasks, 1, 1)} ms; Long Tasks: ${firstLong.withFrame} with webview work (${firstLong.all} on the main thread it shares with the workbench)`);

  // Update latency: a capture in front of the sample app; one request at a time.
  panel = page;
  const proxyUrl = await startCaptureFromPalette(wb.page, panel, appUrl);
  const request = async (i: number): Promise<number> => {
    const before = (await lastRender(panel))?.lastId ?? 0;
    const res = await fetch(`${proxyUrl}/?n=${i}`);
    await res.arrayBuffer();
    const completedAt = performance.timeOrigin + performance.now();
    // The webview's mark for the render that first had a newer last row than before, complete.
    // (A row drawn while its exchange was still pending does not count: the completed exchange must be in.)
    await panel.waitForFunction(([name, id]) => {
      const detail = (performance.getEntriesByName(name as string).at(-1) as PerformanceMark | undefined)?.detail as { lastId: number; lastPending?: boolean } | undefined;
      return detail !== undefined && detail.lastId > (id as number) && detail.lastPending !== true;
    }, [MARK, before] as const, { timeout: 30_000 });
    const r = (await lastRender(panel))!;
    return r.origin + r.at - completedAt;
  };
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i++) latencies.push(await request(i));
  const lat = sorted(latencies);
  console.log(`update latency (an exchange completing -> its row in the webview DOM), ${REQUESTS} requests: p50 ${q(lat, 0.5)} ms  p95 ${q(lat, 0.95)} ms  max ${q(lat, 1)} ms  (target p95 <= 100 ms)`);
  const updateTrace = await traced(wb.browser, wb.page, 'updates', async () => { for (let i = 0; i < TRACED_REQUESTS; i++) await request(REQUESTS + i); });
  const updateTasks = sorted(updateTrace.frameTasks());
  const updateLong = updateTrace.longTasks();
  console.log(`  traced, ${TRACED_REQUESTS} requests: the webview's work per request (CPU) ${formatWork(updateTrace.work(), TRACED_REQUESTS)}; its work per task p95 ${q(updateTasks, 0.95, 2)} ms, max ${q(updateTasks, 1, 2)} ms; Long Tasks: ${updateLong.withFrame} with webview work (${updateLong.all} on the shared main thread)`);
  return panel;
}

/** Frame time while scrolling the exchange list. */
async function scrollPhase(wb: WorkbenchPage, panel: Frame): Promise<void> {

  // Frame time while scrolling: from the top, 600 px a frame. Untraced (rAF intervals), then traced (work per frame).
  await panel.locator('.tl-grid').focus();
  await panel.locator('.tl-grid').press('Home');
  const intervals = sorted(await scrollFrames(panel));
  const rowsInDom = await panel.locator('.tl-window .tl-row').count();
  const scrollTrace = await traced(wb.browser, wb.page, 'scroll', async () => { await scrollFrames(panel); });
  const marks = scrollTrace.markTimes(FRAME_MARK);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    wall.push(total(scrollTrace.work(marks[i], marks[i + 1], true)));
    cpu.push(total(scrollTrace.work(marks[i], marks[i + 1])));
  }
  const frames = sorted(wall);
  const frameCpu = sorted(cpu);
  const [from, to] = [marks[0] ?? 0, marks.at(-1) ?? 0];
  const scrollLong = scrollTrace.longTasks(from, to);
  console.log(`frame time while scrolling the exchange list (the webview's work per frame, 600 px a frame, ${frames.length} frames, traced): p50 ${q(frames, 0.5, 1)} ms  p95 ${q(frames, 0.95, 1)} ms  max ${q(frames, 1, 1)} ms  (target p95 <= 16 ms); ${rowsInDom} rows in the DOM`);
  console.log(`  CPU per frame: p50 ${q(frameCpu, 0.5, 2)} ms  p95 ${q(frameCpu, 0.95, 2)} ms; mean ${formatWork(scrollTrace.work(from, to), Math.max(1, marks.length - 1))}; Long Tasks: ${scrollLong.withFrame} with webview work (${scrollLong.all} on the shared main thread)`);
  const layouts = scrollTrace.layouts(from, to);
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const roots = new Map<number, number>();
  for (const l of layouts) for (const d of l.rootDepths) roots.set(d, (roots.get(d) ?? 0) + 1);
  console.log(`  Layout passes: ${layouts.length} in ${Math.max(0, marks.length - 1)} frames; layout objects dirty per pass: mean ${mean(layouts.map((l) => l.dirtyObjects)).toFixed(0)} of ${mean(layouts.map((l) => l.totalObjects)).toFixed(0)}; layout roots by depth (0 = the document): ${[...roots].sort((a, b) => a[0] - b[0]).map(([d, n]) => `${d}: ${n}`).join(', ') || 'none recorded'}`);
  console.log(`  rAF-to-rAF interval (untraced, ${intervals.length} frames): p50 ${q(intervals, 0.5, 1)} ms  p95 ${q(intervals, 0.95, 1)} ms  max ${q(intervals, 1, 1)} ms (16.7 ms = every frame at 60 Hz)`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
