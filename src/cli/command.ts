import { safeLine } from '../core/safeText';

/** The streams and environment a CLI command runs with; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  /**
   * Resolves when the reader of standard output has gone away (`session-lens … | head`); set by
   * runCli. Commands that run until stopped (capture) stop then; the others just finish.
   */
  readonly outputGone?: Promise<void>;
}

/** One `session-lens <name>` sub-command. */
export interface CliCommand {
  readonly name: string;
  /** One line for `session-lens --help`. */
  readonly summary: string;
  /** Full usage text for `session-lens <name> --help`. */
  readonly usage: string;
  /** Returns the process exit code. Throw UsageError for bad command lines. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A mistake in the command line or its input: printed as one line, exit code 2, no stack. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * One line for standard error, `session-lens: <message>`. Every CLI message goes through here:
 * messages quote file names, HAR text and token parts, and their control characters (ESC, BEL,
 * CSI, bidi overrides, line breaks) are escaped so input cannot drive the terminal or add lines.
 */
export function errorLine(message: string): string {
  return `session-lens: ${safeLine(message)}\n`;
}

/** What became of an output stream: its reader went away, or writing failed otherwise. */
export interface OutputWatch {
  /** Resolves when the stream can no longer be written (reader gone or a write error). */
  readonly gone: Promise<void>;
  /** The write error other than a reader going away (a full disk...), once one happened. */
  readonly failure: () => NodeJS.ErrnoException | undefined;
}

/**
 * Keeps a write error on `stream` from crashing the process with a stack trace. A reader that
 * goes away (EPIPE: `session-lens decode … | head -c 10`) is a normal end: the rest of the
 * output is dropped. Any other write error is kept for the caller to report.
 */
export function watchOutput(stream: NodeJS.WritableStream): OutputWatch {
  let failure: NodeJS.ErrnoException | undefined;
  let markGone!: () => void;
  const gone = new Promise<void>((resolve) => { markGone = resolve; });
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED' && failure === undefined) failure = err;
    markGone();
  });
  return { gone, failure: () => failure };
}
