import { parseArgs } from '../args';
import { type CliIo, UsageError, errorLine } from '../command';
import { type Exchange, type SessionChangeEvent, SessionStore } from '../../core/capture';
import {
  type BrowserCapture, BrowserCaptureConfigError, BrowserLaunchError, type LaunchedBrowser, launchBrowser, parseCdpEndpoint, parseOrigins, startBrowserCapture,
} from '../../core/browser';
import { shortValue } from './audit';
import {
  DEFAULT_CAPTURE_EXCHANGES, checkHarPath, closeJournal, cookieLine, dropNotice, iso, openJournal, parseMaxExchanges, tokenLine, watchStopSignals,
} from './capture';

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
  Chrome's reasons.
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
    target: { type: 'string' },
    headless: { type: 'boolean' },
    har: { type: 'string' },
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

  const logger = {
    info: () => undefined,
    warn: (m: string) => { io.stderr.write(errorLine(`warning: ${m}`)); },
    error: (m: string) => { io.stderr.write(errorLine(m)); },
  };
  const store = new SessionStore({ logger, throttleMs: 50, capacity });
  const journal = harPath && harFile ? await openJournal(harPath, harFile, options.redact === true, io) : undefined;
  const journaling = journal?.attach(store);

  let browser: LaunchedBrowser | undefined;
  let capture: BrowserCapture;
  try {
    if (launch) browser = await launchBrowser({ url: 'about:blank', headless: options.headless === true, ...(executablePath ? { executablePath } : {}) });
    capture = await startBrowserCapture({ endpoint: browser ? browser.wsEndpoint : cdp!, origins, store, logger });
  } catch (err) {
    journal?.discard();
    await browser?.close();
    if (err instanceof BrowserCaptureConfigError || err instanceof BrowserLaunchError) {
      io.stderr.write(errorLine(err.message));
      return 2;
    }
    throw err;
  }

  const printed = new Set<string>();
  let dropAnnounced = false;
  const print = (e: SessionChangeEvent): void => {
    if (!dropAnnounced && e.exchangesEvicted.length > 0) {
      dropAnnounced = true;
      io.stderr.write(dropNotice(capacity, harFile));
    }
    for (const c of e.cookieEvents) io.stdout.write(`${cookieLine(c, store, json)}\n`);
    for (const id of [...e.exchangesAdded, ...e.exchangesUpdated]) {
      const ex = store.getExchange(id);
      if (ex) for (const line of blockedLines(ex, printed, json)) io.stdout.write(`${line}\n`);
    }
    for (const t of e.tokensAdded) io.stdout.write(`${tokenLine(t, json)}\n`);
  };
  const subscription = store.onDidChange(print);

  const summary = (): Record<string, number> => ({ exchanges: store.exchangeCount + store.evictedExchangeCount, cookies: store.getCookies().length, tokens: store.getTokens().length, storage: store.storageItems().length });
  const printStopped = (reason: string, harOk: boolean, atOnce: boolean): void => {
    const written = harPath !== undefined && harOk;
    const counts = summary();
    if (json) {
      io.stdout.write(`${JSON.stringify({ type: 'stopped', reason, ...(atOnce ? { atOnce } : {}), ...counts, har: written ? harPath : null, ...(written ? { harEntries: journal?.entries ?? 0 } : {}) })}\n`);
    } else {
      io.stdout.write(`Stopped (${reason}${atOnce ? ', at once' : ''}): ${counts.exchanges} exchanges, ${counts.cookies} cookies, ${counts.tokens} tokens, ${counts.storage} storage entries${written ? `; HAR written to ${harFile as string} (${journal?.entries ?? 0} entries)` : ''}\n`);
    }
  };
  let closed = false;
  /** A second signal while stopping: the browser is killed, the HAR closed synchronously, the process exits. */
  const stopNow = (signal: NodeJS.Signals): void => {
    if (closed) return;
    browser?.killSync();
    store.flush();
    const code = closeJournal(journal, { unfinished: store.unfinishedExchanges(), storage: store.storageItems() }, harFile, io, { signal });
    printStopped(signal, code === 0, true);
    process.exit(code);
  };
  const signals = watchStopSignals(stopNow);

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

  const reason = await Promise.race([
    signals.first,
    capture.ended.then((why) => (why === 'stopped' ? 'stopped' : 'browser closed')),
    ...(io.outputGone ? [io.outputGone.then(() => 'EPIPE' as const)] : []),
  ]);
  if (journal) io.stderr.write(`session-lens: writing ${journal.entries + store.unfinishedExchanges().length} exchanges to ${harFile as string}… (Ctrl+C again to stop at once)\n`);
  await capture.close();
  await browser?.close();
  store.flush();
  subscription.dispose();
  journaling?.dispose();
  const code = await closeJournal(journal, { unfinished: store.unfinishedExchanges(), storage: store.storageItems() }, harFile, io);
  closed = true;
  printStopped(reason, code === 0, false);
  store.dispose();
  signals.dispose();
  return code;
}
