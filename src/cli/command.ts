/** The streams and environment a CLI command runs with; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
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
