import { parentPort } from 'node:worker_threads';
import { Linter } from './engine';
import { lintFile } from './lintFile';
import type { LintOptions } from './types';

/** Messages from the scanner to a worker. */
export type ToScanWorker =
  | { readonly type: 'init'; readonly options: LintOptions; readonly maxFileBytes: number }
  | { readonly type: 'file'; readonly id: number; readonly file: string };

/** Messages from a worker to the scanner. */
export type FromScanWorker =
  | { readonly type: 'result'; readonly id: number; readonly result: Awaited<ReturnType<typeof lintFile>> }
  | { readonly type: 'fatal'; readonly message: string };

/** Runs inside a worker thread: lints the files the scanner sends, one answer per file. */
export function serveScanRequests(): void {
  const port = parentPort;
  if (!port) return;
  let linter: Linter | undefined;
  let maxBytes = 0;
  port.on('message', (msg: ToScanWorker) => {
    if (msg.type === 'init') {
      linter = new Linter(msg.options);
      maxBytes = msg.maxFileBytes;
      return;
    }
    if (!linter) {
      port.postMessage({ type: 'fatal', message: 'worker used before init' } satisfies FromScanWorker);
      return;
    }
    void lintFile(linter, msg.file, maxBytes).then((result) => port.postMessage({ type: 'result', id: msg.id, result } satisfies FromScanWorker));
  });
}
