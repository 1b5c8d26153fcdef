import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMON_OPTIONS, parseArgs } from '../args';
import { type CliCommand, type CliIo, UsageError } from '../command';
import { safeText } from '../../core/safeText';
import {
  CaptureConfigError, type Exchange, InFlightRuleError, type InFlightRuleSpec, InFlightRules, RULE_SPEC_GRAMMAR, parseRuleSpec, startCaptureProxy,
  SessionActionError, type PendingKeepAlive, checkKeepAlivePath, keepAliveWhenReady, requireLoopbackTarget,
} from '../../core/capture';
import { browserUsage, runBrowserCapture, wantsBrowserCapture } from './browserCapture';
import { type CaptureSourceStop, CaptureRun, DEFAULT_CAPTURE_EXCHANGES, checkHarPath, parseMaxExchanges } from './captureRun';

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

/** A `--name S` option in seconds (fractions allowed) as milliseconds; undefined when absent. */
function secondsOption(options: Record<string, unknown>, name: string): number | undefined {
  const text = options[name] as string | undefined;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text) || !Number.isFinite(seconds)) throw new UsageError(`--${name} must be a number of seconds, 0 or more (got '${text}')`);
  return Math.round(seconds * 1000);
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
      target: COMMON_OPTIONS.target,
      port: { type: 'string' },
      host: { type: 'string' },
      har: COMMON_OPTIONS.har,
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
    const capacity = parseMaxExchanges(options['max-exchanges'] as string | undefined) ?? DEFAULT_CAPTURE_EXCHANGES;
    const harFile = options.har as string | undefined;
    const harPath = harFile ? await checkHarPath(harFile, io) : undefined;
    const json = options.json === true;
    const stopGraceMs = secondsOption(options, 'stop-grace');
    const timeouts = {
      responseMs: secondsOption(options, 'response-timeout'),
      requestBodyMs: secondsOption(options, 'body-timeout'),
      idleMs: secondsOption(options, 'idle-timeout'),
    };

    const ruleSpecs = parseRules((options.rule as string[] | undefined) ?? [], io);
    const run = new CaptureRun({ io, json, capacity, ...(harPath && harFile ? { har: { file: harFile, path: harPath, redact: options.redact === true } } : {}), stopKey: 'signal' });
    const { store, logger } = run;
    const keepAlive = keepAliveOptions(options, target);
    const rules = new InFlightRules({ cookies: () => store.getCookies() });
    try {
      for (const spec of ruleSpecs) rules.add(spec);
      // Attached before the proxy listens, so not even the first exchange can miss the HAR.
      await run.openHar();
    } catch (err) {
      run.discard();
      // A key that does not parse: said before anything listens.
      if (err instanceof InFlightRuleError) throw new UsageError(`--rule ${err.message}`);
      throw err;
    }
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
      run.discard();
      if (err instanceof CaptureConfigError) throw new UsageError(err.message);
      throw err;
    }

    run.follow(undefined, (ex) => (ex.modifications !== undefined ? modifiedLines(ex, json) : []));
    // Started once the proxy listens; the stop ends it before anything else.
    const keepingAlive: { current?: PendingKeepAlive } = {};
    const source: CaptureSourceStop = {
      close: async () => {
        keepingAlive.current?.dispose();
        await proxy.close();
        await proxy.recorded();
      },
      // A proxy.close() that skips any grace: in-flight requests are dropped.
      abort: () => {
        keepingAlive.current?.dispose();
        void proxy.close({ graceMs: 0 });
      },
      againHint: (signal) => `${signal === 'EPIPE' ? 'SIGINT' : signal} again to stop at once`,
    };
    const signals = run.watchSignals(source);

    if (json) io.stdout.write(`${JSON.stringify({ type: 'listening', url: proxy.url, browseUrl: proxy.browseUrl, target: proxy.target })}\n`);
    else io.stdout.write(`Session Lens capture: browse ${proxy.browseUrl} (→ ${proxy.target}); Ctrl+C to stop\n`);
    for (const rule of rules.list()) io.stdout.write(json ? `${JSON.stringify({ type: 'rule', id: rule.id, kind: rule.kind, label: rule.label })}\n` : `rule ${rule.id}: ${rule.label}\n`);
    if (keepAlive) keepingAlive.current = startKeepAlive(proxy, keepAlive, io);

    // A signal, or the reader of standard output going away (stopped as by SIGTERM).
    return run.untilStopped(source, signals);
  },
};
