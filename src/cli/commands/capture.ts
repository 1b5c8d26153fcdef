import { access, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from '../args';
import { type CliCommand, type CliIo, UsageError, errorLine } from '../command';
import {
  CaptureConfigError, type CookieHistoryEvent, type SessionChangeEvent, SessionStore, type TokenRecord, exportHar, startCaptureProxy,
} from '../../core/capture';
import { shortValue } from './audit';

const usage = `Usage: session-lens capture --target URL [--port N] [--host 127.0.0.1] [--har FILE] [--json]

Runs the capture proxy headless: browse http://127.0.0.1:<port> instead of your
dev server and every cookie and token that flows is recorded. Prints one line
per new or changed cookie and per new token. Stop with Ctrl+C (SIGINT) or
SIGTERM; the HAR is written then. It also stops, HAR written, when the reader
of its output goes away (session-lens capture ... | head).

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
  --har FILE            write the capture as HAR 1.2 to FILE on exit (values in
                        full, so 'session-lens audit FILE' can check them)
  --redact              with --har: replace cookie and token values by [redacted]
  --json                JSON lines on stdout: {"type":"listening",...},
                        {"type":"cookie",...}, {"type":"token",...}, {"type":"stopped",...}

Exit status:
  0  stopped by SIGINT/SIGTERM or a closed output (HAR written if asked)
  1  the HAR could not be written
  2  bad option, bad target URL, or the port cannot be used
`;

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

function cookieLine(e: CookieHistoryEvent, store: SessionStore, json: boolean): string {
  const ex = e.exchangeId === undefined ? undefined : store.getExchange(e.exchangeId);
  if (json) {
    return JSON.stringify({
      type: 'cookie', event: e.kind, name: e.name, domain: e.domain, path: e.path,
      value: e.newValue ?? null, oldValue: e.oldValue ?? null, ...(e.changedAttributes ? { changedAttributes: e.changedAttributes } : {}),
      via: e.via, time: iso(e.time), exchangeId: e.exchangeId ?? null,
      request: ex ? `${ex.method} ${ex.path}` : null, status: ex?.status ?? null,
    });
  }
  const value = e.newValue !== undefined ? `=${shortValue(e.newValue)}` : '';
  const what = e.changedAttributes?.length ? ` (${e.changedAttributes.join(', ')})` : '';
  const where = ex ? `  ← ${ex.method} ${ex.path}${ex.status !== undefined ? ` ${ex.status}` : ''}` : '';
  return `cookie ${e.kind.padEnd(18)} ${e.name}${value}  ${e.domain}${e.path}${what}${where}`;
}

function tokenLine(t: TokenRecord, json: boolean): string {
  if (json) {
    return JSON.stringify({ type: 'token', kind: t.kind, source: t.source, name: t.name, value: t.value, expiresAt: iso(t.expiresAt), isJwt: t.isJwt, flags: t.flags, exchangeId: t.exchangeId });
  }
  const expiry = t.expiresAt === undefined ? '' : `  expires ${iso(t.expiresAt)}`;
  return `token  ${t.kind.padEnd(18)} ${t.source}${t.name ? ` ${t.name}` : ''}  ${shortValue(t.value)}${expiry}${t.flags.length ? `  [${t.flags.join(', ')}]` : ''}`;
}

/**
 * Resolves when the process gets SIGINT or SIGTERM, or when the reader of standard output goes
 * away (`session-lens capture | head`: stopped as by SIGTERM, so the HAR is still written).
 * Listeners are removed afterwards.
 */
function untilStopped(outputGone: Promise<void> | undefined): Promise<NodeJS.Signals | 'EPIPE'> {
  return new Promise((resolvePromise) => {
    const handler = (signal: NodeJS.Signals | 'EPIPE'): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolvePromise(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    void outputGone?.then(() => handler('EPIPE'));
  });
}

async function checkHarPath(file: string, io: CliIo): Promise<string> {
  const path = resolve(io.cwd, file);
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write --har ${file}: the folder ${dirname(path)} does not exist or is not writable`);
  }
  return path;
}

/** `session-lens capture`: the capture proxy without the editor. */
export const captureCommand: CliCommand = {
  name: 'capture',
  summary: 'run the capture proxy and print cookies and tokens as they change',
  usage,
  async run(args, io) {
    const { options, positionals } = parseArgs(args, {
      target: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      har: { type: 'string' },
      json: { type: 'boolean' },
      redact: { type: 'boolean' },
      'allow-non-loopback': { type: 'boolean' },
      'rewrite-host': { type: 'boolean' },
      'strict-tls': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (the target is given with --target URL)`);
    const target = options.target as string | undefined;
    if (!target) throw new UsageError('capture needs --target URL (e.g. --target http://localhost:3000)');
    const portText = options.port as string | undefined;
    const port = portText === undefined ? 0 : Number(portText);
    if (!/^\d+$/.test(portText ?? '0') || port > 65535) throw new UsageError(`--port must be a TCP port number 0-65535 (got '${portText}')`);
    if (options.redact && !options.har) throw new UsageError('--redact only applies to --har FILE');
    const harPath = options.har ? await checkHarPath(options.har as string, io) : undefined;
    const json = options.json === true;

    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      warn: (m: string) => { warnings.push(m); io.stderr.write(errorLine(`warning: ${m}`)); },
      error: (m: string) => { io.stderr.write(errorLine(m)); },
    };
    const store = new SessionStore({ logger, throttleMs: 50 });
    let proxy;
    try {
      proxy = await startCaptureProxy({
        target, port, store, logger,
        ...(options.host ? { host: options.host as string } : {}),
        allowNonLoopback: options['allow-non-loopback'] === true,
        rewriteHost: options['rewrite-host'] === true,
        ...(options['strict-tls'] ? { rejectUnauthorized: true } : {}),
      });
    } catch (err) {
      if (err instanceof CaptureConfigError) throw new UsageError(err.message);
      throw err;
    }

    const print = (e: SessionChangeEvent): void => {
      for (const c of e.cookieEvents) io.stdout.write(`${cookieLine(c, store, json)}\n`);
      for (const t of e.tokensAdded) io.stdout.write(`${tokenLine(t, json)}\n`);
    };
    const subscription = store.onDidChange(print);
    if (json) io.stdout.write(`${JSON.stringify({ type: 'listening', url: proxy.url, browseUrl: proxy.browseUrl, target: proxy.target })}\n`);
    else io.stdout.write(`Session Lens capture: browse ${proxy.browseUrl} (→ ${proxy.target}); Ctrl+C to stop\n`);

    const signal = await untilStopped(io.outputGone);
    await proxy.close();
    store.flush();
    subscription.dispose();
    const snapshot = store.snapshot();
    let code = 0;
    if (harPath) {
      try {
        // The HAR holds live session values: readable by the owner only.
        await writeFile(harPath, `${JSON.stringify(exportHar(snapshot, { redact: options.redact === true }), null, 2)}\n`, { mode: 0o600 });
      } catch (err) {
        io.stderr.write(errorLine(`cannot write ${options.har as string}: ${(err as Error).message}`));
        code = 1;
      }
    }
    const summary = { exchanges: snapshot.exchanges.length + snapshot.evictedExchanges, cookies: snapshot.cookies.length, tokens: snapshot.tokens.length };
    if (json) io.stdout.write(`${JSON.stringify({ type: 'stopped', signal, ...summary, har: code === 0 ? harPath ?? null : null })}\n`);
    else io.stdout.write(`Stopped (${signal}): ${summary.exchanges} exchanges, ${summary.cookies} cookies, ${summary.tokens} tokens${harPath && code === 0 ? `; HAR written to ${options.har as string}` : ''}\n`);
    store.dispose();
    return code;
  },
};
