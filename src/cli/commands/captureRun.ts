import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CliIo, UsageError, errorLine } from '../command';
import {
  type CookieHistoryEvent, type Exchange, HarJournal, type HarJournalClose, type SessionChangeEvent, SessionStore, type TokenRecord, journalPathOf,
} from '../../core/capture';
import { StoreAudit } from '../../core/audit/storeAudit';
import type { Finding } from '../../core/findings';
import { safeText } from '../../core/safeText';
import { shortValue } from './audit';

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

export function findingLine(f: Finding, event: 'added' | 'removed', json: boolean): string {
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


/** What a capture run is told by its command line (proxy or browser). */
export interface CaptureRunOptions {
  readonly io: CliIo;
  readonly json: boolean;
  /** Exchanges kept in memory (--max-exchanges). */
  readonly capacity: number;
  /** --har FILE as given, and resolved (checked writable). */
  readonly har?: { readonly file: string; readonly path: string; readonly redact: boolean };
  /** The key of the stop reason in the JSON 'stopped' line ('signal' for the proxy, 'reason' for the browser). */
  readonly stopKey: 'signal' | 'reason';
}

/** How the capture source (proxy, browser) takes part in the run's stop. */
export interface CaptureSourceStop {
  /** Resolves with a reason when the source ends by itself (the browser closed); never for the proxy. */
  readonly ended?: Promise<string>;
  /** Said after "writing N exchanges to FILE…", e.g. "SIGINT again to stop at once". */
  readonly againHint?: (reason: string) => string;
  /** The clean stop: resolves when every exchange is recorded. */
  close(): Promise<void>;
  /** The stop at once on a second signal: synchronous, drops what is in flight. */
  abort(): void;
  /** Counts added to the last line (e.g. web storage entries), and their words. */
  readonly extraCounts?: () => { readonly json: Record<string, number>; readonly text: string };
}

/**
 * One headless capture from start to stop, the same for the proxy and the browser: the store,
 * the live traffic audit (findings as they happen), the HAR journal, one printed line per
 * change of the feed, the stop on the first signal (or the output going away, or the source
 * ending) and the stop at once on a second, and the last line with what was captured.
 */
export class CaptureRun {
  readonly warnings: string[] = [];
  readonly logger = {
    info: (): void => undefined,
    warn: (m: string): void => { this.warnings.push(m); this.io.stderr.write(errorLine(`warning: ${m}`)); },
    error: (m: string): void => { this.io.stderr.write(errorLine(m)); },
  };
  readonly store: SessionStore;
  readonly audit: StoreAudit;
  private journal: HarJournal | undefined;
  private journaling: { dispose(): void } | undefined;
  private readonly subscriptions: { dispose(): void }[] = [];
  private readonly io: CliIo;

  constructor(private readonly options: CaptureRunOptions) {
    this.io = options.io;
    this.store = new SessionStore({ logger: this.logger, throttleMs: 50, capacity: options.capacity });
    // Subscribes first: its findings join the batch of the exchange that caused them.
    this.audit = new StoreAudit(this.store, undefined, { publish: true });
  }

  /** Creates the HAR journal and attaches it, before the source starts, so not even the first exchange can miss the HAR. */
  async openHar(): Promise<void> {
    const har = this.options.har;
    if (!har) return;
    this.journal = await openJournal(har.path, har.file, har.redact, this.io);
    this.journaling = this.journal.attach(this.store);
  }

  /** The source could not start: nothing was captured, so no journal is left behind. */
  discard(): void {
    this.journal?.discard();
    this.journaling?.dispose();
    this.audit.dispose();
    this.store.dispose();
  }

  /**
   * Prints the feed from now on: cookie changes, new tokens, findings added and removed, in the
   * feed's order; `more` adds lines for the exchanges a batch touched (a browser's blocked
   * cookies), `finished` lines for each exchange as it ends (the proxy's modified exchanges).
   * Text lines never carry control characters from the traffic.
   */
  follow(more?: (e: SessionChangeEvent) => string[], finished?: (ex: Exchange) => string[]): void {
    const { json, capacity } = this.options;
    let dropAnnounced = false;
    const print = (e: SessionChangeEvent): void => {
      let out = '';
      const add = (line: string): void => { out += `${json ? line : safeText(line)}\n`; };
      for (const c of e.changes) {
        if (c.kind === 'cookie') add(cookieLine(c.event, this.store, json));
        else if (c.kind === 'token-seen' && c.first) add(tokenLine(c.token, json));
        else if (c.kind === 'finding-added' || c.kind === 'finding-removed') add(findingLine(c.finding, c.kind === 'finding-added' ? 'added' : 'removed', json));
        else if (c.kind === 'exchange-evicted' && !dropAnnounced) {
          dropAnnounced = true;
          this.io.stderr.write(dropNotice(capacity, this.options.har?.file));
        }
      }
      for (const line of more?.(e) ?? []) add(line);
      if (out) this.io.stdout.write(out);
    };
    this.subscriptions.push(this.store.onDidChange(print));
    if (finished) {
      this.subscriptions.push(this.store.onDidFinishExchange((ex) => {
        for (const line of finished(ex)) this.io.stdout.write(`${line}\n`);
      }));
    }
  }

  /** Installs the stop signals; call before printing the first line. */
  watchSignals(source: CaptureSourceStop): { readonly first: Promise<NodeJS.Signals>; dispose(): void } {
    /**
     * A second signal while stopping: stop at once. The only place that cuts the capture short:
     * what is in flight is dropped and the journal is closed synchronously with every exchange
     * that ended, then the process exits.
     */
    const stopNow = (signal: NodeJS.Signals): void => {
      // The HAR is already closed: the clean stop is only printing its last line.
      if (this.closed) return;
      source.abort();
      this.store.flush();
      const code = closeJournal(this.journal, this.journalEnd(), this.options.har?.file, this.io, { signal });
      this.printStopped(signal, code === 0, true, source);
      process.exit(code);
    };
    return watchStopSignals(stopNow);
  }

  /** True once the clean stop has closed the HAR. */
  private closed = false;

  /**
   * Waits for the stop (the first signal, the reader of standard output going away, or the
   * source ending), then stops cleanly: the source closes, the HAR is written, the last line is
   * printed. Resolves with the exit code.
   */
  async untilStopped(source: CaptureSourceStop, signals: { readonly first: Promise<NodeJS.Signals>; dispose(): void }): Promise<number> {
    const { io } = this;
    const reason = await Promise.race<string>([
      signals.first,
      ...(source.ended ? [source.ended] : []),
      ...(io.outputGone ? [io.outputGone.then(() => 'EPIPE')] : []),
    ]);
    const journal = this.journal;
    if (journal) {
      const hint = source.againHint?.(reason) ?? 'Ctrl+C again to stop at once';
      io.stderr.write(`session-lens: writing ${journal.entries + this.store.unfinishedExchanges().length} exchanges to ${this.options.har!.file}… (${hint})\n`);
    }
    await source.close();
    this.store.flush();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.journaling?.dispose();
    const code = await closeJournal(journal, this.journalEnd(), this.options.har?.file, io);
    this.closed = true;
    this.printStopped(reason, code === 0, false, source);
    this.audit.dispose();
    this.store.dispose();
    // Last: a signal that comes while the stop finishes is ignored rather than killing the process.
    signals.dispose();
    return code;
  }

  /** What the journal is closed with: the exchanges still in flight, and the web storage when there is any. */
  private journalEnd(): { unfinished: Exchange[]; storage?: ReturnType<SessionStore['storageItems']> } {
    const storage = this.store.storageItems();
    return { unfinished: this.store.unfinishedExchanges(), ...(storage.length > 0 ? { storage } : {}) };
  }

  /** The last line: what was captured, and where the HAR is. */
  private printStopped(reason: string, harOk: boolean, atOnce: boolean, source: CaptureSourceStop): void {
    const { io, json } = this.options;
    const store = this.store;
    const summary = { exchanges: store.exchangeCount + store.evictedExchangeCount, cookies: store.getCookies().length, tokens: store.getTokens().length, findings: this.audit.findings().length };
    const extra = source.extraCounts?.();
    const har = this.options.har;
    const written = har !== undefined && harOk;
    const entries = this.journal?.entries ?? 0;
    if (json) {
      io.stdout.write(`${JSON.stringify({ type: 'stopped', [this.options.stopKey]: reason, ...(atOnce ? { atOnce } : {}), ...summary, ...extra?.json, har: written ? har.path : null, ...(written ? { harEntries: entries } : {}) })}\n`);
    } else {
      io.stdout.write(`Stopped (${reason}${atOnce ? ', at once' : ''}): ${summary.exchanges} exchanges, ${summary.cookies} cookies, ${summary.tokens} tokens${extra ? `, ${extra.text}` : ''}, ${summary.findings} findings${written ? `; HAR written to ${har.file} (${entries} entries)` : ''}\n`);
    }
  }
}
