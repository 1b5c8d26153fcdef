/**
 * HAR import from a stream, one entry at a time: a HAR of hundreds of megabytes (mostly response
 * bodies) is never held whole, as text or as parsed JSON. A byte scanner follows the JSON
 * structure (strings, brackets) and cuts out each element of `log.entries`, which the native
 * JSON.parse then reads; each entry is turned into store calls with its bodies cut to what the
 * store reads, the parsed entry is dropped, and entries are applied in time order through a
 * window of bounded size (HarEntryQueue). Everything outside the entries (the "skeleton",
 * with each entry replaced by 0) is kept and parsed at the end, so the whole file is still checked
 * to be JSON and a HAR, with the same messages as the in-memory import.
 *
 * Hand-written rather than a streaming JSON library: those tokenize every byte in JavaScript,
 * several times slower than finding string ends with indexOf and letting JSON.parse read each
 * entry, and they build the same entry objects in the end.
 */
import { HarEntryQueue, HarFormatError, type HarImportResult, HarImportNotes, applyHarStorage, harCreator, logWarnings, prepareHarEntry, validateHar } from './harImport';
import { isJournalHead } from './harJournal';
import { StringDecoder } from 'node:string_decoder';
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type { SessionStore } from '../session/sessionStore';

/** Limits of a streamed import. */
export interface HarStreamOptions {
  /** Largest single entry read (default 64 MiB); a larger one is skipped with a warning. */
  readonly maxEntryBytes?: number;
  /** Largest text outside the entries (default 16 MiB); beyond it the file is refused. */
  readonly maxSkeletonBytes?: number;
  /**
   * Bytes of prepared entries held to put them in time order (default 64 MiB): entries further
   * out of order than this are applied late, with a warning.
   */
  readonly orderWindowBytes?: number;
  /** Entries held to put them in time order (default: no limit but `orderWindowBytes`). */
  readonly orderWindowEntries?: number;
  /**
   * Work in slices of about this many ms, waiting for the event loop between them, with the
   * store's change event at the end of each (so its listeners, such as the audit, take in one
   * slice at a time): an import in a host shared with other work (the VS Code extension host)
   * never blocks it for long. Without it, entries are applied as they are read.
   */
  readonly sliceMs?: number;
}

/** Lets timers and I/O run (setImmediate: after pending I/O callbacks, unlike a resolved promise). */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A `"text"` member (a body: `content.text`, `postData.text`) at least this long is cut out of its
 * entry as bytes when nothing in it needs JSON decoding (no escape, no control character, valid
 * UTF-8): the bytes are then the body's UTF-8 text. Decoding a 256 KB page into the entry's text
 * and again into the parsed string made two large strings per page (V8's large-object space, pages
 * mapped and zeroed for each), and JSON.parse read every character of it: most of a large HAR's
 * import. A string with an escape goes through JSON.parse as before.
 */
const CUT_MIN_BYTES = 16 * 1024;

/** True when `bytes` hold no byte JSON forbids raw in a string or gives a meaning to (control characters, backslash). */
function isPlainJsonStringContent(bytes: Buffer): boolean {
  if (bytes.indexOf(BACKSLASH) !== -1) return false;
  for (let c = 0; c < 0x20; c++) if (bytes.indexOf(c) !== -1) return false;
  return true;
}

/**
 * The bodies cut out of one entry (see CUT_MIN_BYTES): the entry's JSON holds a placeholder string
 * in their place, which `body` turns back into the body's bytes.
 */
export class CutBodies {
  constructor(private readonly prefix: string, private readonly bodies: readonly Buffer[]) {}

  /** The bytes a placeholder stands for; anything else as it is. */
  body(v: unknown): unknown {
    if (typeof v !== 'string' || !v.startsWith(this.prefix)) return v;
    return this.bodies[Number(v.slice(this.prefix.length))] ?? v;
  }
}

/** Where a container sits: only `log` and its `entries` array matter. */
const enum Place { Other, Root, Log, Entries }

/** Follows the JSON structure of a HAR byte by byte and hands out each element of log.entries. */
class HarEntryScanner {
  private readonly places: Place[] = [];
  private inString = false;
  /** Backslashes just before the current position inside a string (odd: the next byte is escaped). */
  private backslashes = 0;
  /** The last string seen at depth 1 or 2 (a member name when a container follows). */
  private lastName = '';
  private nameParts: Buffer[] | undefined;
  private nameBytes = 0;
  /** The element of log.entries being cut out, when one is, as text decoded chunk by chunk. */
  private element: string[] | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private elementBytes = 0;
  private elementTooLarge = false;
  private readonly skeleton: Buffer[] = [];
  private skeletonBytes = 0;
  private seenValue = false;
  private bom = 0;
  entries = 0;
  /** Start of the bytes of the current chunk not yet given to the skeleton or the element. */
  private runStart = 0;
  /** The string that just closed inside an element was `"text"`; a `:` after it makes the next string a body. */
  private lastStringWasText = false;
  private bodyValueNext = false;
  /** The string being read is a body that may be cut out: its bytes so far (copies), when it is. */
  private cutParts: Buffer[] | undefined;
  private cutBytes = 0;
  /** Bodies cut out of the current element, and the placeholder's prefix (random: input cannot forge it). */
  private cuts: Buffer[] = [];
  private readonly cutPrefix = `\\u0000session-lens-body-${randomBytes(8).toString('hex')}-`;
  readonly cutValuePrefix = JSON.parse(`"${this.cutPrefix}"`) as string;

  constructor(
    private readonly onEntry: (text: string | undefined, index: number, cuts: CutBodies | undefined) => void,
    private readonly maxEntryBytes: number,
    private readonly maxSkeletonBytes: number,
  ) {}

  feed(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    // A string open at the end of the last chunk goes on from this chunk's first byte.
    this.stringStart = 0;
    this.stringOpenedHere = false;
    // A UTF-8 byte order mark at the very start is not part of the JSON.
    while (this.bom < 3 && !this.seenValue && i < n && chunk[i] === [0xef, 0xbb, 0xbf][this.bom]) { i++; this.bom++; }
    this.runStart = i;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(chunk, i);
        continue;
      }
      const ch = chunk[i];
      if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) { i++; continue; }
      if (!this.seenValue) this.firstByte(chunk, i);
      const depth = this.places.length;
      const inEntries = depth > 0 && this.places[depth - 1] === Place.Entries;
      if (inEntries && this.element === undefined && ch !== 0x2c && ch !== 0x5d) {
        // An element of log.entries starts: what came before goes to the skeleton, the element is cut out.
        this.toSkeleton(chunk.subarray(this.runStart, i));
        this.toSkeleton(Buffer.from('0'));
        this.runStart = i;
        this.element = [];
        this.elementBytes = 0;
        this.elementTooLarge = false;
        this.cuts = [];
      } else if (inEntries && this.element !== undefined && (ch === 0x2c || ch === 0x5d)) {
        this.toElement(chunk.subarray(this.runStart, i));
        this.runStart = i;
        this.endElement();
      }
      const bodyValue = this.bodyValueNext;
      this.bodyValueNext = ch === 0x3a && this.lastStringWasText;
      this.lastStringWasText = false;
      if (ch === QUOTE) {
        this.inString = true;
        this.backslashes = 0;
        if (depth <= 2 && this.element === undefined) { this.nameParts = []; this.nameBytes = 0; }
        i++;
        this.stringStart = i;
        this.stringOpenedHere = true;
        if (bodyValue && this.element !== undefined && !this.elementTooLarge) {
          // A body's bytes are held apart until its end says whether they can be cut out.
          this.toElement(chunk.subarray(this.runStart, i));
          this.runStart = i;
          this.cutParts = [];
          this.cutBytes = 0;
        }
        continue;
      }
      if (ch === 0x7b || ch === 0x5b) this.places.push(this.placeOf(ch, depth));
      else if (ch === 0x7d || ch === 0x5d) this.places.pop();
      i++;
    }
    if (this.cutParts !== undefined) this.keepCutPart(chunk.subarray(this.runStart, n));
    else if (this.element !== undefined) this.toElement(chunk.subarray(this.runStart, n));
    else this.toSkeleton(chunk.subarray(this.runStart, n));
  }

  /** Bytes of a body that may be cut out (a copy: chunks are reused by some streams). */
  private keepCutPart(part: Buffer): void {
    if (part.length === 0) return;
    if (this.elementBytes + this.cutBytes + part.length > this.maxEntryBytes) {
      // Too large for an entry: the element's own limit applies, nothing more is held.
      const parts = this.cutParts!;
      this.cutParts = undefined;
      for (const p of parts) this.toElement(p);
      this.toElement(part);
      return;
    }
    this.cutBytes += part.length;
    this.cutParts!.push(Buffer.from(part));
  }

  /**
   * A body that may be cut out has ended (its last bytes in `last`): cut out, with a placeholder
   * in the element, when it is long and plain; otherwise given to the element as any string.
   */
  private endCut(last: Buffer): void {
    const parts = this.cutParts!;
    this.cutParts = undefined;
    if (last.length > 0) parts.push(last);
    const length = this.cutBytes + last.length;
    if (length >= CUT_MIN_BYTES && this.elementBytes + length <= this.maxEntryBytes) {
      const bytes = parts.length === 1 ? (parts[0] === last ? Buffer.from(last) : parts[0]) : Buffer.concat(parts, length);
      if (isPlainJsonStringContent(bytes) && isUtf8(bytes)) {
        this.elementBytes += length;
        this.element!.push(`${this.cutPrefix}${this.cuts.length}`);
        this.cuts.push(bytes);
        return;
      }
    }
    for (const part of parts) this.toElement(part);
  }

  private stringStart = 0;
  /** The current string opened in the current chunk (at stringStart), not in an earlier one. */
  private stringOpenedHere = false;

  /** Moves past the string's closing quote, or to the end of the chunk. */
  private skipString(chunk: Buffer, from: number): number {
    let i = from;
    for (;;) {
      const quote = chunk.indexOf(QUOTE, i);
      const end = quote === -1 ? chunk.length : quote;
      // Backslashes right before `end` (those before `i` were counted in this.backslashes).
      let run = 0;
      while (end - run - 1 >= i && chunk[end - run - 1] === BACKSLASH) run++;
      const backslashes = run === end - i ? this.backslashes + run : run;
      if (quote === -1) {
        if (this.nameParts) this.keepName(chunk.subarray(this.stringStart, chunk.length));
        this.backslashes = backslashes;
        this.stringStart = 0;
        return chunk.length;
      }
      if (backslashes % 2 === 1) {
        // An escaped quote: keep looking.
        this.backslashes = 0;
        i = quote + 1;
        continue;
      }
      // Only names outside the entries are kept (no view of the chunk made for every string of every entry).
      if (this.nameParts) this.keepName(chunk.subarray(this.stringStart, quote));
      this.inString = false;
      if (this.element !== undefined) {
        const s = this.stringStart;
        this.lastStringWasText = this.stringOpenedHere && quote - s === 4 && chunk[s] === 0x74 && chunk[s + 1] === 0x65 && chunk[s + 2] === 0x78 && chunk[s + 3] === 0x74;
      }
      if (this.cutParts !== undefined) {
        this.endCut(chunk.subarray(this.runStart, quote));
        this.runStart = quote;
      }
      this.stringStart = 0;
      if (this.nameParts) {
        this.lastName = this.nameBytes <= 16 ? Buffer.concat(this.nameParts).toString('latin1') : '';
        this.nameParts = undefined;
      }
      return quote + 1;
    }
  }

  private keepName(part: Buffer): void {
    if (!this.nameParts) return;
    this.nameBytes += part.length;
    if (this.nameBytes <= 16) this.nameParts.push(Buffer.from(part));
  }

  /** What a container opened at `depth` is: the root, `log` in the root, `entries` in `log`, or other. */
  private placeOf(ch: number, depth: number): Place {
    if (depth === 0) return ch === 0x7b ? Place.Root : Place.Other;
    if (this.element !== undefined) return Place.Other;
    const parent = this.places[depth - 1];
    if (parent === Place.Root && ch === 0x7b && this.lastName === 'log') return Place.Log;
    if (parent === Place.Log && ch === 0x5b && this.lastName === 'entries') return Place.Entries;
    return Place.Other;
  }

  private firstByte(chunk: Buffer, i: number): void {
    this.seenValue = true;
    const ch = chunk[i];
    if (ch === 0x7b || ch === 0x5b || ch === QUOTE || ch === 0x2d || (ch >= 0x30 && ch <= 0x39) || ch === 0x74 || ch === 0x66 || ch === 0x6e) return;
    // Not JSON at all (a binary file, /dev/zero, an HTTP dump): say so at once, as JSON.parse would.
    throw notJson(chunk.subarray(i, i + 64).toString('utf8'));
  }

  private toSkeleton(part: Buffer): void {
    if (part.length === 0) return;
    this.skeletonBytes += part.length;
    if (this.skeletonBytes > this.maxSkeletonBytes) {
      throw new HarFormatError(`not usable: the HAR holds more than ${this.maxSkeletonBytes / (1024 * 1024)} MiB outside its log.entries`);
    }
    // Chunks are reused by some streams: keep a copy.
    this.skeleton.push(Buffer.from(part));
  }

  private toElement(part: Buffer): void {
    if (part.length === 0 || this.elementTooLarge) return;
    this.elementBytes += part.length;
    if (this.elementBytes > this.maxEntryBytes) {
      this.elementTooLarge = true;
      this.element = [];
      this.decoder.end();
      return;
    }
    // Decoded at once (one pass, no copies of the reused chunk); a character cut between chunks waits in the decoder.
    const text = this.decoder.write(part);
    if (text !== '') this.element!.push(text);
  }

  private endElement(): void {
    const parts = this.element!;
    this.element = undefined;
    const index = this.entries++;
    const cuts = this.cuts.length > 0 ? new CutBodies(this.cutValuePrefix, this.cuts) : undefined;
    this.cuts = [];
    if (this.elementTooLarge) {
      this.onEntry(undefined, index, undefined);
      return;
    }
    const tail = this.decoder.end();
    if (tail !== '') parts.push(tail);
    // An entry within one chunk is one string already: joining would copy it (a large copy for a large body).
    this.onEntry(parts.length === 1 ? parts[0] : parts.join(''), index, cuts);
  }

  /**
   * The text outside the entries, once the input has ended. A capture journal (a HAR whose
   * entries array was never closed, left by a capture that was killed) is closed after its last
   * complete entry when `isJournal` says the text outside the entries is a journal's head.
   */
  end(isJournal?: (skeleton: string) => boolean): string | { readonly text: string; readonly recoveredEntries: number } {
    const cutInEntries = this.places.length >= 3 && this.places[0] === Place.Root && this.places[1] === Place.Log && this.places[2] === Place.Entries;
    if (cutInEntries && isJournal?.(Buffer.concat(this.skeleton).toString('utf8'))) {
      // The element at the entries level is whole when nothing inside it is open.
      if (this.element !== undefined && !this.inString && this.places.length === 3) this.endElement();
      else if (this.element !== undefined) {
        this.element = undefined;
        this.skeleton.pop();
      }
      const text = Buffer.concat(this.skeleton).toString('utf8').replace(/[\s,]*$/, '');
      return { text: `${text}]}}`, recoveredEntries: this.entries };
    }
    if (this.inString || this.places.length > 0) {
      const where = this.element !== undefined ? ` inside log.entries[${this.entries}]` : '';
      throw new HarFormatError(`not JSON (the text ends${where} before the JSON does: the file is cut short)`);
    }
    return Buffer.concat(this.skeleton).toString('utf8');
  }
}

function notJson(text: string): HarFormatError {
  try {
    JSON.parse(text);
  } catch (err) {
    return new HarFormatError(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return new HarFormatError('not JSON');
}

/**
 * Imports a HAR from a stream of bytes (a file, standard input) one entry at a time. Same result
 * as importHar on the whole text; throws HarFormatError when the input is not JSON or not a HAR
 * (also when it ends early). An entry over `maxEntryBytes` is skipped with a warning.
 */
export async function importHarStream(store: SessionStore, chunks: AsyncIterable<Buffer | string>, options: HarStreamOptions = {}): Promise<HarImportResult> {
  const maxEntryBytes = options.maxEntryBytes ?? 64 * 1024 * 1024;
  const notes = new HarImportNotes();
  const queue = new HarEntryQueue(store, notes.note, options.orderWindowBytes ?? 64 * 1024 * 1024, options.orderWindowEntries ?? Infinity);
  const scanner = new HarEntryScanner((text, index, cuts) => {
    if (text === undefined) {
      notes.note(`entry larger than ${maxEntryBytes / (1024 * 1024)} MiB, not read`, true);
      return;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (err) {
      throw new HarFormatError(`not JSON (${err instanceof Error ? err.message : String(err)}, in log.entries[${index}])`);
    }
    const p = prepareHarEntry(entry, index, store.bodyAnalysisBytes, notes.note, cuts);
    if (p) queue.add(p);
  }, maxEntryBytes, options.maxSkeletonBytes ?? 16 * 1024 * 1024);
  const sliceMs = options.sliceMs;
  let sliceStart = performance.now();
  /** In slices: applies what left the order window, a slice at a time, each followed by the change event and a wait. */
  const applyInSlices = async (): Promise<void> => {
    if (sliceMs === undefined) return;
    while (queue.readyCount > 0) {
      queue.applyReady(Infinity, () => performance.now() - sliceStart >= sliceMs);
      if (performance.now() - sliceStart < sliceMs) break;
      store.flush();
      await breathe();
      sliceStart = performance.now();
    }
  };
  queue.deferred = sliceMs !== undefined;
  for await (const chunk of chunks) {
    sliceStart = performance.now();
    scanner.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    await applyInSlices();
  }
  const ended = scanner.end(isJournalHead);
  if (sliceMs !== undefined) {
    queue.release();
    await applyInSlices();
  }
  const skeletonText = typeof ended === 'string' ? ended : ended.text;
  let skeleton: unknown;
  try {
    skeleton = JSON.parse(skeletonText);
  } catch (err) {
    throw new HarFormatError(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const log = validateHar(skeleton);
  const imported = queue.finish();
  const storageWarnings = applyHarStorage(store, log);
  const creator = harCreator(log);
  const summary = notes.summary();
  return {
    imported, skipped: summary.skipped,
    warnings: [...logWarnings(log, typeof ended === 'string' ? undefined : ended.recoveredEntries), ...summary.warnings, ...storageWarnings], ...(creator ? { creator } : {}),
  };
}
