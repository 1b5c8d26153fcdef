import { COMMON_OPTIONS, parseArgs } from '../args';
import { type CliIo, UsageError, errorLine } from '../command';
import type { Exchange, SessionChangeEvent } from '../../core/capture';
import {
  type BrowserCapture, BrowserCaptureConfigError, BrowserLaunchError, type LaunchedBrowser, launchBrowser, parseCdpEndpoint, parseOrigins, startBrowserCapture,
} from '../../core/browser';
import { shortValue } from './audit';
import { type CaptureSourceStop, CaptureRun, DEFAULT_CAPTURE_EXCHANGES, checkHarPath, iso, parseMaxExchanges } from './captureRun';

/** The part of `session-lens capture --help` about the browser. */
export const browserUsage = `
Browser capture (Chrome DevTools Protocol; no proxy, the app keeps its own URL):
  session-lens capture --browser [PATH] --target URL [--origin URL…] [--headless]
                       [--har FILE [--redact]] [--max-exchanges N] [--json]
  session-lens capture --cdp ENDPOINT --origin URL [--origin URL…]
                       [--har FILE [--redact]] [--max-exchanges N] [--json]

  --browser [PATH]      start Chrome, Edge or Chromium (PATH, or the first found)
                        with a throwaway profile (deleted on stop, and at the next
                        start after a crash) and open --target in it; the capture
                        ends when the browser is closed
  --headless            with --browser: no window
  --cdp ENDPOINT        attach to a running browser's debugging endpoint on this
                        machine: http://127.0.0.1:PORT (or a bare PORT) of a
                        browser started with --remote-debugging-port=PORT, or
                        ws://127.0.0.1:PORT/devtools/browser/ID; the browser
                        keeps running when the capture stops
  --origin URL          record this origin's requests and web storage (repeat
                        for more); --browser records --target's origin too.
                        Browsing elsewhere in that browser is not recorded.
  Tokens kept in localStorage/sessionStorage print with "source": "localStorage"
  or "sessionStorage" and the storage key as name; cookies the browser refused
  print as {"type":"cookie","event":"blocked","blocked":true,"reasons":[…]} with
  Chrome's reasons. Cookies the page's scripts set (document.cookie), which no
  Set-Cookie line shows, are read from the browser's own jar and print with
  "via": "browser-jar". The traffic audit runs live, as in the proxy capture:
  {"type":"finding",...} lines as findings are added or removed.
`;

/** True when the arguments ask for a browser capture rather than the proxy. */
export function wantsBrowserCapture(args: readonly string[]): boolean {
  return args.some((a) => a === '--cdp' || a.startsWith('--cdp=') || a === '--browser' || a.startsWith('--browser='));
}

/** One line per cookie the browser refused to store or to send. */
function blockedLines(ex: Exchange, printed: Set<string>, json: boolean): string[] {
  const out: string[] = [];
  const request = `${ex.method} ${ex.path}`;
  ex.cookiesSet.forEach((c, i) => {
    if (!c.blockedReasons || printed.has(`${ex.id}:s${i}`)) return;
    printed.add(`${ex.id}:s${i}`);
    out.push(json
      ? JSON.stringify({ type: 'cookie', event: 'blocked', blocked: true, direction: 'set-cookie', name: c.name, value: c.value, reasons: c.blockedReasons, setCookie: c.raw, time: iso(ex.responseReceivedAt), exchangeId: ex.id, request, status: ex.status ?? null })
      : `cookie blocked            ${c.name}=${shortValue(c.value)}  Set-Cookie refused by the browser (${c.blockedReasons.join(', ')})  ← ${request}${ex.status !== undefined ? ` ${ex.status}` : ''}`);
  });
  (ex.blockedRequestCookies ?? []).forEach((c, i) => {
    if (printed.has(`${ex.id}:r${i}`)) return;
    printed.add(`${ex.id}:r${i}`);
    out.push(json
      ? JSON.stringify({ type: 'cookie', event: 'blocked', blocked: true, direction: 'request', name: c.name, value: c.value, domain: c.domain, path: c.path, reasons: c.reasons, time: iso(ex.startedAt), exchangeId: ex.id, request })
      : `cookie not-sent           ${c.name}=${shortValue(c.value)}  ${c.domain}${c.path}  not sent by the browser (${c.reasons.join(', ')})  ← ${request}`);
  });
  return out;
}

/** `session-lens capture --browser …` / `--cdp …`: records a browser through the DevTools Protocol. */
export async function runBrowserCapture(rawArgs: readonly string[], io: CliIo): Promise<number> {
  // `--browser=PATH` is `--browser PATH`; a lone --browser takes the first word that is not an option.
  const args = rawArgs.flatMap((a) => (a.startsWith('--browser=') ? ['--browser', a.slice('--browser='.length)] : [a]));
  const { options, positionals } = parseArgs(args, {
    browser: { type: 'boolean' },
    cdp: { type: 'string' },
    origin: { type: 'string', multiple: true },
    target: COMMON_OPTIONS.target,
    headless: { type: 'boolean' },
    har: COMMON_OPTIONS.har,
    redact: { type: 'boolean' },
    json: { type: 'boolean' },
    'max-exchanges': { type: 'string' },
  });
  const launch = options.browser === true;
  const cdp = options.cdp as string | undefined;
  if (launch && cdp !== undefined) throw new UsageError('--browser starts a browser and --cdp attaches to one: give one of them');
  if (positionals.length > (launch ? 1 : 0)) throw new UsageError(`unexpected argument '${positionals[launch ? 1 : 0]}'`);
  const executablePath = launch ? positionals[0] : undefined;
  const target = options.target as string | undefined;
  if (launch && !target) throw new UsageError('--browser needs --target URL: the page to open (e.g. --target http://localhost:3000)');
  if (!launch && target) throw new UsageError('--target is the page --browser opens; with --cdp name the origins to record with --origin URL');
  if (!launch && options.headless) throw new UsageError('--headless only applies to --browser');
  if (options.redact && !options.har) throw new UsageError('--redact only applies to --har FILE');
  const originArgs = (options.origin as string[] | undefined) ?? [];
  if (!launch && originArgs.length === 0) throw new UsageError('--cdp needs --origin URL: the origin of your app (e.g. --origin http://localhost:3000), so that nothing else of the browser is recorded');
  let origins: string[];
  try {
    if (cdp !== undefined) parseCdpEndpoint(cdp);
    origins = parseOrigins([...(target ? [target] : []), ...originArgs]);
  } catch (err) {
    if (err instanceof BrowserCaptureConfigError) throw new UsageError(err.message.replace(/^the origin/, '--target/--origin'));
    throw err;
  }
  const capacity = parseMaxExchanges(options['max-exchanges'] as string | undefined) ?? DEFAULT_CAPTURE_EXCHANGES;
  const harFile = options.har as string | undefined;
  const harPath = harFile ? await checkHarPath(harFile, io) : undefined;
  const json = options.json === true;

  const run = new CaptureRun({ io, json, capacity, ...(harPath && harFile ? { har: { file: harFile, path: harPath, redact: options.redact === true } } : {}), stopKey: 'reason' });
  const { store, logger } = run;
  await run.openHar().catch((err: unknown) => {
    run.discard();
    throw err;
  });

  let browser: LaunchedBrowser | undefined;
  let capture: BrowserCapture;
  try {
    if (launch) browser = await launchBrowser({ url: 'about:blank', headless: options.headless === true, ...(executablePath ? { executablePath } : {}) });
    capture = await startBrowserCapture({ endpoint: browser ? browser.wsEndpoint : cdp!, origins, store, logger });
  } catch (err) {
    run.discard();
    await browser?.close();
    if (err instanceof BrowserCaptureConfigError || err instanceof BrowserLaunchError) {
      io.stderr.write(errorLine(err.message));
      return 2;
    }
    throw err;
  }

  const printed = new Set<string>();
  run.follow((e: SessionChangeEvent) => {
    const out: string[] = [];
    for (const id of [...e.exchangesAdded, ...e.exchangesUpdated]) {
      const ex = store.getExchange(id);
      if (ex) out.push(...blockedLines(ex, printed, json));
    }
    return out;
  });
  const source: CaptureSourceStop = {
    ended: capture.ended.then((why) => (why === 'stopped' ? 'stopped' : 'browser closed')),
    close: async () => {
      await capture.close();
      await browser?.close();
    },
    // A second signal while stopping: the browser is killed.
    abort: () => { browser?.killSync(); },
    extraCounts: () => {
      const storage = store.storageItems().length;
      return { json: { storage }, text: `${storage} storage entries` };
    },
  };
  const signals = run.watchSignals(source);

  const attached = { type: 'attached', endpoint: capture.wsEndpoint, origins: capture.origins, ...(browser ? { browserPid: browser.pid, executable: browser.executablePath, profile: browser.profileDir } : {}) };
  if (json) io.stdout.write(`${JSON.stringify(attached)}\n`);
  else io.stdout.write(`Session Lens browser capture: recording ${origins.join(', ')}${browser ? ` in ${browser.executablePath} (close the browser or Ctrl+C to stop)` : ' (Ctrl+C to stop)'}\n`);
  if (browser && target) {
    try {
      await capture.openPage(target);
    } catch (err) {
      io.stderr.write(errorLine(`warning: cannot open ${target}: ${(err as Error).message}`));
    }
  }

  return run.untilStopped(source, signals);
}
