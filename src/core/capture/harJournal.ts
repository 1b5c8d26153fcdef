import { close as closeFd, closeSync, fsync, fsyncSync, open, write, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SECRET_FILE_MODE, commitFileSync, removeQuietlySync, syncFolder } from '../files/atomicFile';
import { HAR_CREATOR, HarRedactor, harEntry, harStorage } from './harExport';
import type { SessionStore } from '../session/sessionStore';
import type { Disposable, Exchange, StorageItemRecord, TokenRecord } from '../session/types';

/** Options of `HarJournal.create`. */
export interface HarJournalOptions {
  /** Replace cookie and token values by `[redacted]` (see `exportHar`). */
  readonly redact: boolean;
  /** Bytes waiting for the disk above which appends are written synchronously (default 8 MiB). */
  readonly highWaterBytes?: number;
  /** Called once, with the first write error (the journal stops writing; the capture goes on). */
  readonly onError?: (error: Error) => void;
}

/** How a journal ends. */
export interface HarJournalClose {
  /** Exchanges that had not ended: written as they stand (state "pending"). */
  readonly unfinished?: readonly Exchange[];
  /** `log.comment` of the final HAR. */
  readonly comment?: string;
  /** Web storage entries of a browser capture, written as `log._storage` (see `harStorage`). */
  readonly storage?: readonly StorageItemRecord[];
}

/** Where the journal of a capture into `target` lives while the capture runs. */
export function journalPathOf(target: string, pid: number = process.pid): string {
  return `${target}.${pid}.journal`;
}

/** The journal's first line: a HAR whose `entries` array stays open until the capture stops. */
function headerLine(): string {
  return `{"log":{"version":"1.2","creator":${JSON.stringify(HAR_CREATOR)},"pages":[],"entries":[\n`;
}

/** True when `text` starts as a journal this module writes (the HAR head up to the entries array). */
export function isJournalHead(text: string): boolean {
  const header = headerLine();
  return text.startsWith(header.slice(0, header.indexOf('"creator"'))) && text.includes('"entries":[');
}

function tailOf(comment: string | undefined, storage?: readonly Record<string, unknown>[]): string {
  return `]${comment === undefined ? '' : `,"comment":${JSON.stringify(comment)}`}${storage?.length ? `,"_storage":${JSON.stringify(storage)}` : ''}}}\n`;
}

interface Chunk {
  readonly bytes: Buffer;
  /** File offset: every chunk has its place, so writes may land in any order and be repeated. */
  readonly position: number;
}

/**
 * A HAR written while the capture runs: each exchange becomes an entry the moment it ends, so
 * the file keeps everything while memory keeps only the ring buffer.
 *
 * The journal is the HAR being built: `{"log":{...,"entries":[` then one entry per line, and at
 * stop `]}}` closes it; it is then fsynced and renamed over the target. Stopping therefore costs
 * one short write, an fsync and a rename, whatever the length of the capture, and the target
 * is replaced whole or not at all. Until then the journal sits next to the target as
 * `<target>.<pid>.journal` (0600 from creation); after a crash it holds every entry written, one
 * per line, and `parseHar` reads it (see `recoverUnterminatedHar`).
 *
 * Appends are coalesced into one positional write at a time. When the disk falls behind by more
 * than `highWaterBytes`, appends are written synchronously: that blocks the event loop, and with
 * it the proxy's reads, which is back-pressure to the browser instead of unbounded memory.
 * Entries land in the order exchanges end (importers sort by `startedDateTime`).
 *
 * Redaction knows the values seen up to each entry (cookies sent and set, tokens): cookies,
 * Set-Cookie, Authorization and token headers are always redacted where they sit, but a value
 * that first appears in a later exchange is not searched for in the text of entries already
 * written (an export at stop, which sees everything at once, would catch it).
 */
export class HarJournal {
  private readonly redactor: HarRedactor;
  private readonly highWaterBytes: number;
  private readonly onError: ((error: Error) => void) | undefined;
  private queue: Chunk[] = [];
  private queuedBytes = 0;
  private inFlight: Chunk | undefined;
  private nextPosition = 0;
  private entryCount = 0;
  private failure: Error | undefined;
  /** The end of the HAR is queued: no more entries. */
  private closed = false;
  /** Everything is written and fsynced (the descriptor is then closed). */
  private synced = false;
  /** The journal has been renamed over the target. */
  private committed = false;
  private idleWaiters: (() => void)[] = [];
  /** The store attached, for the tokens of exchanges written at close. */
  private store: SessionStore | undefined;

  private constructor(readonly target: string, readonly path: string, private readonly fd: number, options: HarJournalOptions) {
    this.redactor = new HarRedactor(options.redact);
    this.highWaterBytes = options.highWaterBytes ?? 8 * 1024 * 1024;
    this.onError = options.onError;
  }

  /**
   * Creates the journal next to `target` (exclusively, mode 0600) and writes the HAR header.
   * Throws the file system's error when the folder is not writable.
   */
  static async create(target: string, options: HarJournalOptions): Promise<HarJournal> {
    const path = journalPathOf(target);
    // A plain descriptor (not a FileHandle, which closes itself when collected) for positional writes.
    const fd = await new Promise<number>((resolve, reject) => open(path, 'wx', SECRET_FILE_MODE, (err, opened) => (err ? reject(err) : resolve(opened))));
    const journal = new HarJournal(target, path, fd, options);
    journal.append(headerLine());
    return journal;
  }

  /** Entries written (or queued) so far. */
  get entries(): number {
    return this.entryCount;
  }

  /** The first write error, after which the journal stops; the target is then never replaced. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Journals every exchange of `store` as it ends. */
  attach(store: SessionStore): Disposable {
    this.store = store;
    return store.onDidFinishExchange((exchange, tokens) => this.add(exchange, tokens));
  }

  /** Writes one exchange as a HAR entry; `tokens` are those found in it (redacted like cookies). */
  add(exchange: Exchange, tokens: readonly TokenRecord[] = []): void {
    if (this.closed || this.failure) return;
    if (this.redactor.enabled) {
      this.redactor.rememberExchange(exchange);
      for (const t of tokens) this.redactor.remember(t.value);
    }
    // JSON.stringify escapes line breaks inside strings: a newline always ends an entry.
    this.append(`${this.entryCount === 0 ? '' : ','}${JSON.stringify(harEntry(exchange, this.redactor))}\n`);
    this.entryCount++;
  }

  /**
   * Writes the unfinished exchanges and the end of the HAR, fsyncs, and renames the journal
   * over the target. Rejects (leaving the journal in place) when the journal could not be written.
   */
  async close(end: HarJournalClose = {}): Promise<void> {
    this.end(end);
    await new Promise<void>((resolve) => {
      if (this.inFlight === undefined && this.queue.length === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    if (this.failure) {
      closeFd(this.fd, () => undefined);
      throw this.failure;
    }
    await new Promise<void>((resolve, reject) => fsync(this.fd, (err) => (err ? reject(err) : resolve())));
    this.synced = true;
    await new Promise<void>((resolve, reject) => closeFd(this.fd, (err) => (err ? reject(err) : resolve())));
    if (this.committed) return;
    await rename(this.path, this.target);
    this.committed = true;
    await syncFolder(dirname(this.target));
  }

  /**
   * `close` without yielding to the event loop, for a process about to exit (a second Ctrl+C).
   * A write still in flight is written again at its place, so nothing depends on it landing.
   * Also finishes a `close` that is under way.
   */
  closeSync(end: HarJournalClose = {}): void {
    if (this.committed) return;
    if (!this.closed) this.end(end);
    if (this.failure) throw this.failure;
    if (!this.synced) this.writeAllSync();
    commitFileSync(this.path, this.target);
    this.committed = true;
  }

  private writeAllSync(): void {
    const pending = this.inFlight ? [this.inFlight, ...this.queue] : this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const chunk of pending) this.writeChunkSync(chunk);
    if (this.failure) throw this.failure;
    fsyncSync(this.fd);
    // With a write in flight the descriptor stays open (its number could otherwise be reused
    // under that write); the process exits right after and closes it.
    if (this.inFlight === undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed by a close() under way.
      }
    }
  }

  /** Abandons the journal: closes and removes it (a capture that never started). */
  discard(): void {
    this.closed = true;
    this.committed = true;
    this.queue = [];
    if (this.inFlight === undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed.
      }
    }
    removeQuietlySync(this.path);
  }

  private end(end: HarJournalClose): void {
    if (this.closed) throw new Error('the HAR journal is already closed');
    for (const ex of end.unfinished ?? []) this.add(ex, this.store?.getTokensByIds(ex.tokenIds));
    if (end.storage?.length) for (const item of end.storage) this.redactor.remember(item.value);
    this.append(tailOf(end.comment, end.storage?.length ? harStorage(end.storage, this.redactor) : undefined));
    this.closed = true;
  }

  private append(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.queue.push({ bytes, position: this.nextPosition });
    this.nextPosition += bytes.length;
    this.queuedBytes += bytes.length;
    if (this.queuedBytes > this.highWaterBytes) {
      // The disk is behind: write now, holding up the event loop (and the proxy's reads) meanwhile.
      const queued = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      for (const chunk of queued) this.writeChunkSync(chunk);
      return;
    }
    this.pump();
  }

  private writeChunkSync(chunk: Chunk): void {
    if (this.failure) return;
    try {
      let done = 0;
      while (done < chunk.bytes.length) done += writeSync(this.fd, chunk.bytes, done, chunk.bytes.length - done, chunk.position + done);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    try {
      this.onError?.(error);
    } catch {
      // A reporting problem must not stop the capture.
    }
  }

  private pump(): void {
    if (this.inFlight !== undefined || this.queue.length === 0 || this.failure) return;
    const queued = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const chunk: Chunk = { bytes: queued.length === 1 ? queued[0].bytes : Buffer.concat(queued.map((c) => c.bytes)), position: queued[0].position };
    this.inFlight = chunk;
    write(this.fd, chunk.bytes, 0, chunk.bytes.length, chunk.position, (err, written) => {
      this.inFlight = undefined;
      if (err) this.fail(err);
      else if (written < chunk.bytes.length) this.queue.unshift({ bytes: chunk.bytes.subarray(written), position: chunk.position + written });
      if (this.failure === undefined && this.queue.length > 0) {
        this.queuedBytes = this.queue.reduce((n, c) => n + c.bytes.length, 0);
        this.pump();
        return;
      }
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}

/**
 * The HAR in an unterminated journal (a capture killed before it could close its HAR): every
 * complete entry line, with the array and objects closed. Undefined when `text` is not a
 * Session Lens journal. A journal has one entry per line, so whatever follows the last line
 * break (or a hole of zero bytes left by a write that never landed) is the partial entry.
 */
export function recoverUnterminatedHar(text: string): { readonly text: string; readonly entries: number } | undefined {
  const header = headerLine();
  if (!text.startsWith(header.slice(0, header.indexOf('"creator"'))) || !text.includes('"entries":[\n')) return undefined;
  const hole = text.indexOf('\u0000');
  const kept = hole === -1 ? text : text.slice(0, hole);
  const end = kept.lastIndexOf('\n') + 1;
  const body = kept.slice(0, end);
  const start = body.indexOf('"entries":[\n') + '"entries":[\n'.length;
  if (start > end) return undefined;
  const entries = body.slice(start).split('\n').filter((l) => l !== '').length;
  return { text: `${body}]}}`, entries };
}
