import * as fs from 'node:fs';
import type { Linter } from './engine';
import type { LintFinding } from './types';

/** Files larger than this are skipped by default (generated bundles, data). */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The outcome of linting one file: findings, or why it was skipped. */
export interface FileLintResult {
  readonly findings: LintFinding[];
  readonly lines: number;
  /** Set when the file was not linted (unreadable, binary, not UTF-8, too large). */
  readonly problem?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and lints one file; never throws. `text`: the file's text when the scan already read it
 * (the symbol table's pass over the same files, through `readForLint` and `decodeForLint`).
 */
export async function lintFile(linter: Linter, file: string, maxBytes = DEFAULT_MAX_FILE_BYTES, text?: string): Promise<FileLintResult> {
  if (text === undefined) {
    const buf = readForLint(file, maxBytes);
    if (!Buffer.isBuffer(buf)) return buf;
    const decoded = decodeForLint(buf);
    if (typeof decoded !== 'string') return decoded;
    text = decoded;
  }
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  try {
    return { findings: await linter.lintText(text, { filePath: file }), lines };
  } catch (err) {
    return { findings: [], lines, problem: `could not lint: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The text a file's bytes are linted as, or why they are not (binary, not UTF-8). */
export function decodeForLint(buf: Buffer): string | FileLintResult {
  if (buf.subarray(0, 8192).includes(0)) return { findings: [], lines: 0, problem: 'skipped: binary file' };
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    return { findings: [], lines: 0, problem: 'skipped: not valid UTF-8' };
  }
  // Editors hide the byte order mark; dropping it keeps columns the same as theirs.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A file's bytes, or why it is not linted (not a regular file, over `maxBytes`, unreadable). */
export function readForLint(file: string, maxBytes: number): Buffer | FileLintResult {
  let fd: number | undefined;
  try {
    // Synchronous reads: the scan is CPU-bound and runs on worker threads; awaiting the I/O pool per file only adds idle time.
    // One open, then the size and kind of what was opened (no second lookup of the path);
    // non-blocking so that opening a named pipe returns at once (it is then skipped, not read).
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { findings: [], lines: 0, problem: 'not a regular file' };
    if (st.size > maxBytes) return { findings: [], lines: 0, problem: `skipped: ${st.size} bytes is over the ${maxBytes}-byte limit` };
    return fs.readFileSync(fd);
  } catch (err) {
    return { findings: [], lines: 0, problem: `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
