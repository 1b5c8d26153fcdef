import { access } from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from '../args';
import { type CliCommand, type CliIo, UsageError, errorLine } from '../command';
import {
  CaptureConfigError, type CookieHistoryEvent, type Exchange, HarJournal, type HarJournalClose, InFlightRuleError, type InFlightRuleSpec, InFlightRules, RULE_SPEC_GRAMMAR,
  type SessionChangeEvent, journalPathOf, parseRuleSpec, SessionStore, type TokenRecord, startCaptureProxy,
  SessionActionError, type PendingKeepAlive, checkKeepAlivePath, keepAliveWhenReady, requireLoopbackTarget,
} from '../../core/capture';
import { shortValue } from './audit';
import { StoreAudit } from '../../core/audit/storeAudit';
import type { Finding } from '../../core/findings';
import { safeText } from '../../core/safeText';
import { browserUsage, runBrowserCapture, wantsBrowserCapture } from './browserCapture';

const usage = `Usage: session-lens capture --target URL [--port N] [--host 127.0.0.1] [--har FILE [--redact]]
                           [--max-exchanges N] [--rule SPEC]... [--json]
                           [--keep-alive [--keep-alive-interval S] [--keep-alive-url PATH]]

Runs the capture proxy headless: browse http://127.0.0.1:<port> instead of your
dev server and every cookie and token that flows is recorded. Prints one line
per new or changed cookie and per new token. Stop with Ctrl+C (SIGINT) or
SIGTERM; a second Ctrl+C stops at once (the HAR is still closed and kept).
It also stops, HAR written, when the reader of its output goes away
(session-lens capture ... | head).

Options:
  --target URL          the dev server, e.g. http://localhost:3000 (required)
  --port N              port to listen on (default: a free one, printed at start)
  --host ADDR           address to listen on (default 127.0.0.1; loopback only
                        unless --allow-non-loopback)
  --allow-non-loopback  permit a non-loopback --host (exposes your dev server
                        and its cookies to the network)
  --rewrite-host        send Host: <target> upstream instead of the browser's
  --strict-tls          require a valid certificate from an https target, also on
                        loopback
  --har FILE            write every exchange as HAR 1.2 to FILE (values in full,
                        so 'session-lens audit FILE' can check them; mode 0600).
                        Entries are written as exchanges end, to the journal
                        FILE.<pid>.journal in the same folder; on stop it is
                        closed and renamed to FILE, which is replaced whole or
                        not at all. If the capture is killed, FILE is untouched
                        and the journal stays: 'session-lens audit' reads it.
  --redact              with --har: replace cookie and token values by [redacted]
  --stop-grace S        on stop, let requests in progress finish for up to S
                        seconds (default 3); the rest are recorded as aborted
  --response-timeout S  answer 504 when the dev server sends no response head
                        within S seconds of the request (default 120; 0: never)
  --body-timeout S      answer 408 when a request body stalls for S seconds
                        (default 60; 0: never)
  --idle-timeout S      close a browser connection idle between requests for S
                        seconds (default 300; 0: never)
  --max-exchanges N     exchanges kept in memory (default 5000, 10-1000000); the
                        oldest are dropped beyond that (said once on stderr),
                        cookies and tokens are kept, --har still gets them all
  --rule SPEC           change traffic in flight while the capture runs (repeatable;
                        rules live in memory and end with the capture). Every
                        exchange a rule touched is printed ("modified ...") and
                        marked in the HAR. SPEC is one of:
${RULE_SPEC_GRAMMAR}
  --keep-alive          keep the session alive while you debug elsewhere: once a
                        logged-in page was captured (a GET answered 2xx that sent
                        a session cookie), repeat a GET through the proxy, with
                        the cookies the browser holds, every interval. Loopback
                        targets only. Each request is said on standard error and
                        printed as modified ("sent by Session Lens: keep-alive").
  --keep-alive-interval S
                        seconds between two keep-alive requests (1 or more;
                        default: half the idle timeout detected for the session
                        cookie, else half its lifetime, else 300). Implies
                        --keep-alive.
  --keep-alive-url PATH the path to GET, e.g. /api/me (default: the last page
                        that sent the session cookie). Implies --keep-alive.
  --json                JSON lines on stdout: {"type":"listening",...},
                        {"type":"rule",...}, {"type":"cookie",...}, {"type":"token",...},
                        {"type":"modified",...}, {"type":"stopped",...}
                        {"type":"cookie",...}, {"type":"token",...},
                        {"type":"finding","event":"added"|"removed",...},
                        {"type":"stopped",...}

Cookie changes, new tokens and the traffic audit's findings (added, and
removed when a later exchange resolves or rewords one) are printed as they
happen, one line each, in the order of the session's change feed.

${browserUsage}
Exit status:
  0  stopped by SIGINT/SIGTERM, a closed output, or (browser capture) the
     browser closing (HAR written if asked)
  1  the HAR could not be written (the journal named on stderr keeps what was)
  2  bad option, bad target URL, bad --rule, or the port cannot be used
`;

/** Bounds of --max-exchanges (those of the sessionLens.capture.maxExchanges setting). */
const DEFAULT_EXCHANGES = 5000;
/** Exchanges kept in memory when --max-exchanges is not given. */
export const DEFAULT_CAPTURE_EXCHANGES = DEFAULT_EXCHANGES;
const MIN_EXCHANGES = 10;
const MAX_EXCHANGES = 1_000_000;

export const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export function cookieLine(e: CookieHistoryEvent, store: SessionStore, json: boolean): string {
  const ex = e.exchangeId === undefined ? undefined : store.getExchange(e.exchangeId);
  if (json) {
    return JSON.stringify({
      type: 'cookie', event: e.kind, name: e.name, domain: e.domain, path: e.path,
      value: e.newValue ?? null, oldValue: e.oldValue ?? null, ...(e.changedAttributes ? { changedAttributes: e.changedAttributes } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      via: e.via, time: iso(e.time), exchangeId: e.exchangeId ?? null,
      request: ex ? `${ex.method} ${ex.path}` : null, status: ex?.status ?? null,
    });
  }
  const value = e.newValue !== undefined ? `=${shortValue(e.newValue)}` : '';
  const what = e.changedAttributes?.length ? ` (${e.changedAttributes.join(', ')})` : e.reason ? ` (${e.reason})` : '';
  const where = ex ? `  ← ${ex.method} ${ex.path}${ex.status !== undefined ? ` ${ex.status}` : ''}` : '';
  return `cookie ${e.kind.padEnd(18)} ${e.name}${value}  ${e.domain}${e.path}${what}${where}`;
}

function findingLine(f: Finding, event: 'added' | 'removed', json: boolean): string {
  if (json) {
    return JSON.stringify({ type: 'finding', event, ruleId: f.ruleId, severity: f.severity, subject: f.subject, message: f.message, exchangeId: f.evidence?.exchangeId ?? null, docs: f.docs });
  }
  return `finding ${event.padEnd(17)} ${f.severity.padEnd(7)} ${f.ruleId}  ${f.subject}: ${f.message}`;
}

export function tokenLine(t: TokenRecord, json: boolean): string {
  if (json) {
    return JSON.stringify({ type: 'token', kind: t.kind, source: t.source, name: t.name, value: t.value, expiresAt: iso(t.expiresAt), isJwt: t.isJwt, flags: t.flags, exchangeId: t.exchangeId });
  }
  const expiry = t.expiresAt === undefined ? '' : `  expires ${iso(t.expiresAt)}`;
  return `token  ${t.kind.padEnd(18)} ${t.source}${t.name ? ` ${t.name}` : ''}  ${shortValue(t.value)}${expiry}${t.flags.length ? `  [${t.flags.join(', ')}]` : ''}`;
}

function modifiedLines(ex: Exchange, json: boolean): string[] {
  return (ex.modifications ?? []).map((m) => (json
    ? JSON.stringify({ type: 'modified', exchangeId: ex.id, request: `${ex.method} ${ex.path}`, status: ex.status ?? null, ruleId: m.ruleId ?? null, kind: m.kind, side: m.side, description: m.description })
    : `modified ${ex.method} ${ex.path}${ex.status !== undefined ? ` ${ex.status}` : ''}  ${m.description}`));
}

/** The --rule options as rules; a bad one is a usage error that names it. */
function parseRules(texts: readonly string[], io: CliIo): InFlightRuleSpec[] {
  return texts.map((text) => {
    try {
      return parseRuleSpec(text, (path) => readFileSync(resolve(io.cwd, path), 'utf8'));
    } catch (err) {
      if (err instanceof InFlightRuleError) throw new UsageError(`--rule ${err.message}`);
      throw err;
    }
  });
}

/**
 * SIGINT/SIGTERM handling for the whole capture: the first signal resolves `first` (a clean
 * stop); every later one calls `again` synchronously (the user wants out now). The handlers stay
 * installed until `dispose`, so a second Ctrl+C never falls through to Node's default, which
 * kills the process with nothing written.
 */
export function watchStopSignals(again: (signal: NodeJS.Signals) => void): { readonly first: Promise<NodeJS.Signals>; dispose(): void } {
  let received = false;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolvePromise) => { resolveFirst = resolvePromise; });
  const handler = (signal: NodeJS.Signals): void => {
    if (received) again(signal);
    else {
      received = true;
      resolveFirst(signal);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    first,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** A `--name S` option in seconds (fractions allowed) as milliseconds; undefined when absent. */
function secondsOption(options: Record<string, unknown>, name: string): number | undefined {
  const text = options[name] as string | undefined;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text) || !Number.isFinite(seconds)) throw new UsageError(`--${name} must be a number of seconds, 0 or more (got '${text}')`);
  return Math.round(seconds * 1000);
}

export async function checkHarPath(file: string, io: CliIo): Promise<string> {
  const path = resolve(io.cwd, file);
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write --har ${file}: the folder ${dirname(path)} does not exist or is not writable`);
  }
  return path;
}

/** Creates the journal of `--har FILE`; a folder that refuses it is a usage error. */
export async function openJournal(harPath: string, file: string, redact: boolean, io: CliIo): Promise<HarJournal> {
  // Said when it happens, not only at stop: the capture goes on, but the HAR will not be written.
  const onError = (err: Error): void => {
    io.stderr.write(`session-lens: cannot write the HAR journal ${journalPathOf(harPath)}: ${err.message}; the capture goes on, but ${file} will not be written\n`);
  };
  try {
    return await HarJournal.create(harPath, { redact, onError });
  } catch (err) {
    throw new UsageError(`cannot write --har ${file}: ${(err as Error).message}`);
  }
}

/**
 * Closes the HAR journal at the end of a capture (renamed to the user's file); a failure says
 * where what was written is. `now`: a second signal, synchronously. Resolves with the exit code.
 */
export function closeJournal(journal: HarJournal | undefined, end: HarJournalClose, harFile: string | undefined, io: CliIo, now: { signal: NodeJS.Signals }): number;
export function closeJournal(journal: HarJournal | undefined, end: HarJournalClose, harFile: string | undefined, io: CliIo): Promise<number>;
export function closeJournal(journal: HarJournal | undefined, end: HarJournalClose, harFile: string | undefined, io: CliIo, now?: { signal: NodeJS.Signals }): number | Promise<number> {
  const failed = (err: unknown): number => {
    const why = `cannot write ${harFile as string}: ${(err as Error).message}; what was written is in ${journal!.path}`;
    io.stderr.write(now ? `session-lens: ${now.signal} again: ${why}\n` : errorLine(why));
    return 1;
  };
  if (!journal) return now ? 0 : Promise.resolve(0);
  if (now) {
    try {
      journal.closeSync(end);
      return 0;
    } catch (err) {
      return failed(err);
    }
  }
  return journal.close(end).then(() => 0, failed);
}

export function parseMaxExchanges(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < MIN_EXCHANGES || n > MAX_EXCHANGES) throw new UsageError(`--max-exchanges must be a whole number from ${MIN_EXCHANGES} to ${MAX_EXCHANGES} (got '${text}')`);
  return n;
}

/** The one-time notice when the ring buffer first drops an exchange: true to what happens next. */
export function dropNotice(capacity: number, harFile: string | undefined): string {
  return harFile
    ? `session-lens: more than ${capacity} exchanges: keeping the last ${capacity} in memory (--max-exchanges); --har ${harFile} still receives every exchange\n`
    : `session-lens: more than ${capacity} exchanges: keeping the last ${capacity} in memory (--max-exchanges), older ones are dropped; use --har FILE to keep every exchange\n`;
}

/** What --keep-alive, --keep-alive-interval and --keep-alive-url ask for; undefined when none is given. */
function keepAliveOptions(options: Record<string, unknown>, target: string): { intervalMs?: number; path?: string } | undefined {
  const intervalText = options['keep-alive-interval'] as string | undefined;
  const path = options['keep-alive-url'] as string | undefined;
  if (options['keep-alive'] !== true && intervalText === undefined && path === undefined) return undefined;
  const intervalMs = secondsOption(options, 'keep-alive-interval');
  try {
    if (intervalMs !== undefined && intervalMs < 1000) throw new SessionActionError('--keep-alive-interval must be 1 second or more');
    if (path !== undefined) checkKeepAlivePath(path);
    requireLoopbackTarget({ target }, '--keep-alive');
  } catch (err) {
    if (err instanceof SessionActionError) throw new UsageError(err.message);
    // A target that is not a URL: startCaptureProxy says so.
    if (err instanceof TypeError) return undefined;
    throw err;
  }
  return { ...(intervalMs !== undefined ? { intervalMs } : {}), ...(path !== undefined ? { path } : {}) };
}

/** Starts the keep-alive of a capture; what it does goes to standard error (standard output is the change feed). */
function startKeepAlive(proxy: Parameters<typeof keepAliveWhenReady>[0], options: { intervalMs?: number; path?: string }, io: CliIo): PendingKeepAlive {
  let n = 0;
  const pending = keepAliveWhenReady(proxy, {
    ...options,
    onResult: (result) => {
      n++;
      if (result instanceof SessionActionError) io.stderr.write(safeText(`session-lens: keep-alive #${n} failed: ${result.message}`) + '\n');
      else io.stderr.write(safeText(`session-lens: keep-alive #${n} GET ${result.exchange?.path ?? options.path ?? ''} → ${result.status}`) + '\n');
    },
  });
  io.stderr.write('session-lens: keep-alive on: waiting for a logged-in page (a GET answered 2xx that sends a session cookie) to start from\n');
  void pending.started.then((k) => {
    if (k) io.stderr.write(safeText(`session-lens: keep-alive started: GET ${k.path} every ${k.intervalMs / 1000} s (${k.intervalReason}), with the cookies the browser holds; it stops with the capture`) + '\n');
  });
  return pending;
}

/** `session-lens capture`: the capture proxy without the editor. */
export const captureCommand: CliCommand = {
  name: 'capture',
  summary: 'run the capture proxy and print cookies and tokens as they change',
  usage,
  async run(args, io) {
    if (wantsBrowserCapture(args)) return runBrowserCapture(args, io);
    const { options, positionals } = parseArgs(args, {
      target: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      har: { type: 'string' },
      json: { type: 'boolean' },
      redact: { type: 'boolean' },
      'max-exchanges': { type: 'string' },
      'allow-non-loopback': { type: 'boolean' },
      'rewrite-host': { type: 'boolean' },
      'strict-tls': { type: 'boolean' },
      'stop-grace': { type: 'string' },
      'response-timeout': { type: 'string' },
      'body-timeout': { type: 'string' },
      'idle-timeout': { type: 'string' },
      rule: { type: 'string', multiple: true },
      'keep-alive': { type: 'boolean' },
      'keep-alive-interval': { type: 'string' },
      'keep-alive-url': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (the target is given with --target URL)`);
    const target = options.target as string | undefined;
    if (!target) throw new UsageError('capture needs --target URL (e.g. --target http://localhost:3000)');
    const portText = options.port as string | undefined;
    const port = portText === undefined ? 0 : Number(portText);
    if (!/^\d+$/.test(portText ?? '0') || port > 65535) throw new UsageError(`--port must be a TCP port number 0-65535 (got '${portText}')`);
    if (options.redact && !options.har) throw new UsageError('--redact only applies to --har FILE');
    const capacity = parseMaxExchanges(options['max-exchanges'] as string | undefined) ?? DEFAULT_EXCHANGES;
    const harFile = options.har as string | undefined;
    const harPath = harFile ? await checkHarPath(harFile, io) : undefined;
    const json = options.json === true;
    const stopGraceMs = secondsOption(options, 'stop-grace');
    const timeouts = {
      responseMs: secondsOption(options, 'response-timeout'),
      requestBodyMs: secondsOption(options, 'body-timeout'),
      idleMs: secondsOption(options, 'idle-timeout'),
    };

    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      warn: (m: string) => { warnings.push(m); io.stderr.write(errorLine(`warning: ${m}`)); },
      error: (m: string) => { io.stderr.write(errorLine(m)); },
    };
    const ruleSpecs = parseRules((options.rule as string[] | undefined) ?? [], io);
    const keepAlive = keepAliveOptions(options, target);
    const store = new SessionStore({ logger, throttleMs: 50, capacity });
    const rules = new InFlightRules({ cookies: () => store.getCookies() });
    for (const spec of ruleSpecs) {
      try {
        rules.add(spec);
      } catch (err) {
        // A key that does not parse: said before anything listens.
        if (err instanceof InFlightRuleError) throw new UsageError(`--rule ${err.message}`);
        throw err;
      }
    }
    // Subscribes first: its findings join the batch of the exchange that caused them.
    const audit = new StoreAudit(store, undefined, { publish: true });
    // Attached before the proxy listens, so not even the first exchange can miss the HAR.
    const journal = harPath && harFile ? await openJournal(harPath, harFile, options.redact === true, io) : undefined;
    const journaling = journal?.attach(store);
    let proxy;
    try {
      proxy = await startCaptureProxy({
        target, port, store, logger, rules,
        ...(options.host ? { host: options.host as string } : {}),
        allowNonLoopback: options['allow-non-loopback'] === true,
        rewriteHost: options['rewrite-host'] === true,
        ...(options['strict-tls'] ? { rejectUnauthorized: true } : {}),
        ...(stopGraceMs !== undefined ? { stopGraceMs } : {}),
        timeouts,
      });
    } catch (err) {
      // Nothing was captured: a bad port or address leaves no journal behind.
      journal?.discard();
      audit.dispose();
      if (err instanceof CaptureConfigError) throw new UsageError(err.message);
      throw err;
    }

    let dropAnnounced = false;
    /** One line per change of the feed that a user follows; text lines never carry control characters from the traffic. */
    const print = (e: SessionChangeEvent): void => {
      let out = '';
      for (const c of e.changes) {
        let line: string | undefined;
        if (c.kind === 'cookie') line = cookieLine(c.event, store, json);
        else if (c.kind === 'token-seen' && c.first) line = tokenLine(c.token, json);
        else if (c.kind === 'finding-added' || c.kind === 'finding-removed') line = findingLine(c.finding, c.kind === 'finding-added' ? 'added' : 'removed', json);
        else if (c.kind === 'exchange-evicted' && !dropAnnounced) {
          dropAnnounced = true;
          io.stderr.write(dropNotice(capacity, harFile));
        }
        if (line !== undefined) out += `${json ? line : safeText(line)}\n`;
      }
      if (out) io.stdout.write(out);
    };
    const subscription = store.onDidChange(print);
    const modified = store.onDidFinishExchange((ex) => {
      if (ex.modifications !== undefined) for (const line of modifiedLines(ex, json)) io.stdout.write(`${line}\n`);
    });

    const harWritten = (): string => `HAR written to ${harFile as string} (${journal?.entries ?? 0} entries)`;
    /** The last line: what was captured, and where the HAR is. */
    const printStopped = (signal: NodeJS.Signals | 'EPIPE', harOk: boolean, atOnce: boolean): void => {
      const summary = { exchanges: store.exchangeCount + store.evictedExchangeCount, cookies: store.getCookies().length, tokens: store.getTokens().length, findings: audit.findings().length };
      const written = harPath !== undefined && harOk;
      if (json) {
        io.stdout.write(`${JSON.stringify({ type: 'stopped', signal, ...(atOnce ? { atOnce } : {}), ...summary, har: written ? harPath : null, ...(written ? { harEntries: journal?.entries ?? 0 } : {}) })}\n`);
      } else {
        io.stdout.write(`Stopped (${signal}${atOnce ? ', at once' : ''}): ${summary.exchanges} exchanges, ${summary.cookies} cookies, ${summary.tokens} tokens, ${summary.findings} findings${written ? `; ${harWritten()}` : ''}\n`);
      }
    };
    /**
     * A second signal while stopping: stop at once. The only place that cuts the capture short:
     * the proxy's in-flight requests are dropped (a proxy.close() that skips any grace goes here)
     * and the journal is closed synchronously with every exchange that ended, then the process
     * exits.
     */
    let closed = false;
    const stopNow = (signal: NodeJS.Signals): void => {
      // The HAR is already closed: the clean stop is only printing its last line.
      if (closed) return;
      void proxy.close({ graceMs: 0 });
      store.flush();
      const code = closeJournal(journal, { unfinished: store.unfinishedExchanges() }, harFile, io, { signal });
      printStopped(signal, code === 0, true);
      process.exit(code);
    };
    const signals = watchStopSignals(stopNow);

    if (json) io.stdout.write(`${JSON.stringify({ type: 'listening', url: proxy.url, browseUrl: proxy.browseUrl, target: proxy.target })}\n`);
    else io.stdout.write(`Session Lens capture: browse ${proxy.browseUrl} (→ ${proxy.target}); Ctrl+C to stop\n`);
    for (const rule of rules.list()) io.stdout.write(json ? `${JSON.stringify({ type: 'rule', id: rule.id, kind: rule.kind, label: rule.label })}\n` : `rule ${rule.id}: ${rule.label}\n`);
    const keepingAlive = keepAlive ? startKeepAlive(proxy, keepAlive, io) : undefined;

    // A signal, or the reader of standard output going away (stopped as by SIGTERM).
    const signal = await Promise.race([signals.first, ...(io.outputGone ? [io.outputGone.then(() => 'EPIPE' as const)] : [])]);
    keepingAlive?.dispose();
    if (journal) io.stderr.write(`session-lens: writing ${journal.entries + store.unfinishedExchanges().length} exchanges to ${harFile as string}… (${signal === 'EPIPE' ? 'SIGINT' : signal} again to stop at once)\n`);
    await proxy.close();
    await proxy.recorded();
    store.flush();
    subscription.dispose();
    modified.dispose();
    journaling?.dispose();
    const code = await closeJournal(journal, { unfinished: store.unfinishedExchanges() }, harFile, io);
    closed = true;
    printStopped(signal, code === 0, false);
    audit.dispose();
    store.dispose();
    // Last: a signal that comes while the stop finishes is ignored rather than killing the process.
    signals.dispose();
    return code;
  },
};
