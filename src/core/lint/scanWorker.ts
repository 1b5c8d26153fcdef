import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Linter, type SegmentResult } from './engine';
import { lintFile } from './lintFile';
import { SymbolTable, type SymbolTableData } from './symbols/symbolTable';
import type { LintLanguage, LintOptions } from './types';

/** Messages from the scanner to a worker. */
export type ToScanWorker =
  | {
    readonly type: 'init'; readonly options: LintOptions; readonly maxFileBytes: number; /** The scan's workspace constants. */ readonly symbols?: SymbolTableData;
    /** Languages to load at once, before the first request (a segment worker's). */ readonly warm?: readonly LintLanguage[];
  }
  | { readonly type: 'files'; readonly ids: readonly number[]; readonly files: readonly string[] }
  /** Lint a segment of a large text (Linter.lintSegment); `symbols` replaces the table given at init. */
  | {
    readonly type: 'segment'; readonly id: number; readonly text: string; readonly from: number; readonly to: number;
    readonly filePath?: string; readonly language: LintLanguage; readonly symbols?: SymbolTableData;
  };

/** Bumped when the messages change, so a stale bundle is not used as a worker. */
export const SCAN_PROTOCOL = 4;

/** Messages from a worker to the scanner. */
export type FromScanWorker =
  | { readonly type: 'ready'; readonly protocol: number }
  | { readonly type: 'results'; readonly ids: readonly number[]; readonly results: Awaited<ReturnType<typeof lintFile>>[] }
  | { readonly type: 'segment'; readonly id: number; readonly result: SegmentResult | undefined }
  | { readonly type: 'fatal'; readonly message: string };

/** True in a worker thread the scanner started (it marks them in workerData). */
export function isScanWorker(): boolean {
  return !isMainThread && (workerData as { sessionLensScanWorker?: boolean } | null)?.sessionLensScanWorker === true;
}

let serving = false;

/**
 * In a scan worker, starts serving the scanner's requests (once, however often it is called).
 * The scanner's module calls it; so must the entry of a bundle that evaluates its modules only
 * when first required (the CLI), or the worker would end without ever answering.
 */
export function serveIfScanWorker(): void {
  if (serving || !isScanWorker()) return;
  serving = true;
  serveScanRequests();
}

/** Runs inside a worker thread: lints the files the scanner sends, one answer per file. */
function serveScanRequests(): void {
  const port = parentPort;
  if (!port) return;
  let linter: Linter | undefined;
  let maxBytes = 0;
  port.on('message', (msg: ToScanWorker) => {
    if (msg.type === 'init') {
      linter = new Linter(msg.options);
      if (msg.symbols) linter.symbols = SymbolTable.fromData(msg.symbols);
      maxBytes = msg.maxFileBytes;
      port.postMessage({ type: 'ready', protocol: SCAN_PROTOCOL } satisfies FromScanWorker);
      // Loaded while the scanner reads and indexes: a segment's lint starts without the grammar's wait.
      for (const language of msg.warm ?? []) void linter.prepare(language).catch(() => undefined);
      return;
    }
    if (!linter) {
      port.postMessage({ type: 'fatal', message: 'worker used before init' } satisfies FromScanWorker);
      return;
    }
    const l = linter;
    if (msg.type === 'segment') {
      if (msg.symbols) l.symbols = SymbolTable.fromData(msg.symbols);
      // A segment that fails is linted again by the scanner's thread: an answer is always sent.
      void l.lintSegment(msg.text, msg.from, msg.to, msg.filePath, msg.language).catch(() => undefined)
        .then((result) => port.postMessage({ type: 'segment', id: msg.id, result } satisfies FromScanWorker));
      return;
    }
    void Promise.all(msg.files.map((f) => lintFile(l, f, maxBytes))).then((results) => port.postMessage({ type: 'results', ids: msg.ids, results } satisfies FromScanWorker));
  });
}
