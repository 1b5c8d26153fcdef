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
 *    the webview DOM, p50/p95 over requests spaced as a user's clicks (--clicks, 120) and over
 *    bursts of 6 at once (--bursts, 20), with its parts: code-server runs with
 *    SESSION_LENS_PANEL_TIMING, so each panel message carries when its change events came and when
 *    it was built and posted, and the webview marks when it received and rendered it (the proxy
 *    finished -> change event at the panel -> message begun -> posted -> received -> row in DOM);
 *  - frame time while scrolling the exchange list, 600 px a frame: the webview's own main-thread
 *    work per frame (script, style + layout, paint of its frame, from a Chromium trace), p50/p95;
 *    and the rAF-to-rAF interval, which in code-server also carries the workbench's work (the
 *    webview shares its renderer main thread) and the machine's load.
 * Each phase is run once untraced for the wall figures and once under a Chromium trace, from which
 * the webview's CPU (thread) time by kind and the Long Tasks (tasks of 50 ms or more) are printed:
 * CPU work is much less sensitive to machine load than wall time. Prints figures; asserts nothing.
 * Needs the .vsix: npm run package, then
 *   SESSION_LENS_VSIX=$PWD/session-lens-0.1.0.vsix npx tsx bench/panel/webview.ts [--clicks 120] [--bursts 20] [--traces DIR] [--only scroll|updates]
 * `--only scroll` runs the scroll phase alone (after the import; no reopen, no capture); `--only updates`
 * leaves the scroll phase out.
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
import { mulberry32 as seeded } from '../../test/support/seeded';

const ENTRIES = 10_000;
/** `--clicks N`: requests one at a time, spaced as a user's clicks. */
const CLICKS = numberArg('--clicks', 120);
/** `--bursts N`: bursts of BURST_SIZE requests sent at once. */
const BURSTS = numberArg('--bursts', 20);
const BURST_SIZE = 6;
/** Think time before each click, and pause before each burst (ms, uniform, seeded). */
const CLICK_GAP_MS = [100, 600] as const;
const BURST_GAP_MS = [300, 900] as const;
/** Requests and frames measured again under the trace. */
const TRACED_REQUESTS = 10;
const FRAMES = 240;
const MARK = 'session-lens:timeline-rendered';
const FIRST_MARK = 'session-lens:timeline-first-render';
/** The webview's mark per message, with the extension's timing (debug only: SESSION_LENS_PANEL_TIMING). */
const MESSAGE_MARK = 'session-lens:panel-message';

function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a whole number of 1 or more, not "${process.argv[i + 1]}"`);
  return n;
}
/** Set by the bench in each of its scroll frames, to split the trace into frames. */
const FRAME_MARK = 'bench:frame';

const q = (sorted: readonly number[], p: number, digits = 0) => (sorted.length === 0 ? 'n/a' : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(digits));
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** `--traces DIR`: also write each phase's Chromium trace there (open in DevTools' Performance panel). */
const tracesAt = process.argv.indexOf('--traces');
const TRACES_DIR = tracesAt >= 0 ? process.argv[tracesAt + 1] : undefined;
/** `--only scroll`: the scroll phase alone. */
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (ONLY !== undefined && ONLY !== 'scroll' && ONLY !== 'updates') throw new Error(`--only takes "scroll" or "updates", not "${ONLY}"`);

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
  // SESSION_LENS_PANEL_TIMING: each panel message carries its timing, the webview marks it (the update latency's parts).
  const server = await startCodeServer({ vsixes: [productVsix()], env: { SESSION_LENS_PANEL_TIMING: '1' }, settings: { 'sessionLens.capture.maxExchanges': 20_000, 'sessionLens.target': app.url } });
  const wb = await openWorkbench(server, dir);
  try {
    let panel = await importHarFromPalette(wb.page, 'day.har', ENTRIES);
    await panel.locator('#tab-timeline').click();
    await panel.locator('.tl-window .tl-row').first().waitFor();
    console.log(`Session panel in the real webview (code-server + Chromium), ${ENTRIES} exchanges (seeded realistic HAR)\n`);

    if (ONLY !== 'scroll') panel = await firstRenderAndUpdates(wb, app.url, panel);
    if (ONLY !== 'updates') await scrollPhase(wb, panel);
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
  // Where the first render's time went, on the webview document's clock: its first state's timing mark.
  const firstState = await panel.evaluate((name) => {
    const m = performance.getEntriesByName(name).map((e) => (e as PerformanceMark).detail as MessageMark & { type: string }).find((d) => d.type === 'state');
    return m && { postAt: m.postAt - performance.timeOrigin, sentAt: m.sentAt - performance.timeOrigin, receivedAt: m.receivedAt - performance.timeOrigin, renderedAt: m.renderedAt - performance.timeOrigin };
  }, MESSAGE_MARK);
  if (firstState) console.log(`  its parts (ms since the document's start): script run (ready sent) by ${firstRender.domLoaded.toFixed(0)}, the extension began the first state at ${firstState.postAt.toFixed(0)}, posted it at ${firstState.sentAt.toFixed(0)} (built in ${(firstState.sentAt - firstState.postAt).toFixed(0)}), the webview received it at ${firstState.receivedAt.toFixed(0)} (transit ${(firstState.receivedAt - firstState.sentAt).toFixed(0)}) and rendered it by ${firstState.renderedAt.toFixed(0)}`);
  let page!: Frame;
  const firstTrace = await traced(wb.browser, wb.page, 'first-render', async () => { page = await reopenPanel(wb.page); });
  const renderedAt = firstTrace.markTimes(FIRST_MARK)[0]!;
  const pageMark = await page.evaluate((name) => (performance.getEntriesByName(name)[0] as PerformanceMark).startTime, FIRST_MARK);
  const firstLong = firstTrace.longTasks(-Infinity, renderedAt + 1);
  const firstTasks = sorted(firstTrace.frameTasks(-Infinity, renderedAt + 1));
  console.log(`  traced (first render at ${pageMark.toFixed(0)} ms): the webview's own work until then (CPU) ${formatWork(firstTrace.work(-Infinity, renderedAt + 1))}; its longest task ${q(firstTasks, 1, 1)} ms; Long Tasks: ${firstLong.withFrame} with webview work (${firstLong.all} on the main thread it shares with the workbench)`);

  // Update latency: a capture in front of the sample app; requests as a user's clicks, then in bursts.
  panel = page;
  const proxyUrl = await startCaptureFromPalette(wb.page, panel, appUrl);
  const random = seeded(12);
  const clicks = await updates(panel, proxyUrl, 'click', clickPlan(CLICKS, random));
  const bursts = await updates(panel, proxyUrl, 'burst', burstPlan(BURSTS, BURST_SIZE, random));
  console.log(`update latency (an exchange completing -> its row in the webview DOM; target p95 <= 100 ms):`);
  printLatency(`${CLICKS} requests spaced as clicks (${CLICK_GAP_MS[0]}-${CLICK_GAP_MS[1]} ms apart)`, clicks);
  printLatency(`${BURSTS} bursts of ${BURST_SIZE} requests at once (${BURST_GAP_MS[0]}-${BURST_GAP_MS[1]} ms apart)`, bursts);
  printLatency(`all ${clicks.length + bursts.length} requests`, [...clicks, ...bursts]);
  printParts([...clicks, ...bursts]);
  const updateTrace = await traced(wb.browser, wb.page, 'updates', async () => { await updates(panel, proxyUrl, 'traced', clickPlan(TRACED_REQUESTS, random)); });
  const updateTasks = sorted(updateTrace.frameTasks());
  const updateLong = updateTrace.longTasks();
  console.log(`  traced, ${TRACED_REQUESTS} requests: the webview's work per request (CPU) ${formatWork(updateTrace.work(), TRACED_REQUESTS)}; its work per task p95 ${q(updateTasks, 0.95, 2)} ms, max ${q(updateTasks, 1, 2)} ms; Long Tasks: ${updateLong.withFrame} with webview work (${updateLong.all} on the shared main thread)`);
  return panel;
}

/** A request of the update phase: sent after `delay` ms from the previous step of its plan, with the others of its group at once. */
type Plan = readonly (readonly number[])[];

/** `n` requests one at a time, each after a think time as between a user's clicks. */
function clickPlan(n: number, random: () => number): Plan {
  return Array.from({ length: n }, () => [CLICK_GAP_MS[0] + random() * (CLICK_GAP_MS[1] - CLICK_GAP_MS[0])]);
}

/** `n` bursts of `size` requests sent at once (a page and its assets), spaced by a pause. */
function burstPlan(n: number, size: number, random: () => number): Plan {
  return Array.from({ length: n }, () => Array.from({ length: size }, () => BURST_GAP_MS[0] + random() * (BURST_GAP_MS[1] - BURST_GAP_MS[0])));
}

/** One request's latency, end to end and by part (ms), from the panel's timing marks. */
interface Update {
  /** The client read the whole response -> the row in the webview DOM (the figure the issue names). */
  readonly latency: number;
  /** The proxy finished the exchange -> the row in the DOM. */
  readonly fromProxy: number;
  readonly parts: Readonly<Record<Part, number>>;
}

/**
 * The parts of an update's latency, in order: the proxy finished the exchange -> the change event
 * reached the panel (the store's throttle, the audit and expiry model taking it in) -> the panel
 * began the message (its pacing) -> built and handed to postMessage -> received in the webview
 * (extension host -> code-server -> workbench -> webview iframe) -> its row in the DOM.
 */
const PARTS = ['throttle', 'pacing', 'build', 'transit', 'render'] as const;
type Part = (typeof PARTS)[number];

/** The webview's timing mark of one state or delta (see src/webview/main.ts, markTiming). */
interface MessageMark {
  readonly changes: readonly number[];
  readonly postAt: number;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly renderedAt: number;
  readonly applied: boolean;
  readonly rows: readonly { readonly path: string; readonly end: number; readonly drawn: boolean }[];
}

/**
 * Sends the plan's requests through the capture (each group at once, after its delay) and reads,
 * from the webview's timing marks, when each completed exchange's row was in the DOM.
 */
async function updates(panel: Frame, proxyUrl: string, label: string, plan: Plan): Promise<Update[]> {
  await panel.evaluate((name) => performance.clearMarks(name), MESSAGE_MARK);
  const sent: { path: string; completedAt: number }[] = [];
  let n = 0;
  for (const group of plan) {
    await new Promise((r) => setTimeout(r, group[0]));
    await Promise.all(group.map(async () => {
      const p = `/?${label}=${n++}`;
      const res = await fetch(`${proxyUrl}${p}`);
      await res.arrayBuffer();
      sent.push({ path: p, completedAt: performance.timeOrigin + performance.now() });
    }));
  }
  const paths = sent.map((r) => r.path);
  // Every completed row in the DOM.
  const allIn = await panel.waitForFunction(([name, wanted]) => {
    const seen = new Set<string>();
    for (const m of performance.getEntriesByName(name as string)) for (const r of ((m as PerformanceMark).detail as MessageMark).rows) if (r.drawn) seen.add(r.path);
    return (wanted as string[]).every((p) => seen.has(p));
  }, [MESSAGE_MARK, paths] as const, { timeout: 60_000 }).then(() => true, () => false);
  const marks = await panel.evaluate((name) => performance.getEntriesByName(name).map((m) => (m as PerformanceMark).detail as MessageMark), MESSAGE_MARK);
  // The first message that put the completed row in the DOM (a delta that came after a missed one is not applied: the full state follows).
  const firstWith = (p: string) => marks.find((m) => m.rows.some((r) => r.path === p && r.drawn));
  const missing = paths.filter((p) => !marks.some((m) => m.rows.some((r) => r.path === p)));
  const notDrawn = paths.filter((p) => !missing.includes(p) && firstWith(p) === undefined);
  if (!allIn || notDrawn.length > 0) {
    throw new Error(`${label}: ${missing.length} of ${paths.length} completed rows never came in a timed message (${marks.length} messages marked; SESSION_LENS_PANEL_TIMING reached the extension host?), ${notDrawn.length} came but were never in the DOM: ${[...missing, ...notDrawn].slice(0, 5).join(' ')}`);
  }
  const gaps = marks.filter((m) => !m.applied).length;
  if (gaps > 0) console.log(`  (${label}: ${gaps} of ${marks.length} messages did not follow what the webview held; it asked for the full state)`);
  return sent.map(({ path: p, completedAt }) => {
    const mark = firstWith(p)!;
    const row = mark.rows.find((r) => r.path === p)!;
    // The change event that carried its end: the first after the proxy finished it (its end is whole ms).
    const changedAt = mark.changes.find((t) => t >= row.end - 1) ?? mark.postAt;
    return {
      latency: mark.renderedAt - completedAt,
      fromProxy: mark.renderedAt - row.end,
      parts: { throttle: changedAt - row.end, pacing: mark.postAt - changedAt, build: mark.sentAt - mark.postAt, transit: mark.receivedAt - mark.sentAt, render: mark.renderedAt - mark.receivedAt },
    };
  });
}

function printLatency(label: string, list: readonly Update[]): void {
  const lat = sorted(list.map((u) => u.latency));
  const proxy = sorted(list.map((u) => u.fromProxy));
  console.log(`  ${label}: p50 ${q(lat, 0.5)} ms  p95 ${q(lat, 0.95)} ms  max ${q(lat, 1)} ms  (from the proxy finishing it: p50 ${q(proxy, 0.5)}, p95 ${q(proxy, 0.95)} ms)`);
}

/** Where the time goes: each part's p50/p95/max, and the parts of the slowest 5 % of updates on average. */
function printParts(list: readonly Update[]): void {
  console.log('  parts (ms; proxy finished -> change event at the panel = throttle, -> message begun = pacing, -> posted = build, -> received in the webview = transit, -> row in the DOM = render):');
  for (const part of PARTS) {
    const xs = sorted(list.map((u) => u.parts[part]));
    console.log(`    ${part.padEnd(8)} p50 ${q(xs, 0.5, 1).padStart(6)}  p95 ${q(xs, 0.95, 1).padStart(6)}  max ${q(xs, 1, 1).padStart(6)}`);
  }
  const tail = [...list].sort((a, b) => b.latency - a.latency).slice(0, Math.max(1, Math.ceil(list.length * 0.05)));
  const mean = (part: Part) => (tail.reduce((sum, u) => sum + u.parts[part], 0) / tail.length).toFixed(1);
  console.log(`    the slowest ${tail.length} (p95 and above), mean of each part: ${PARTS.map((p) => `${p} ${mean(p)}`).join(' · ')}`);
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
