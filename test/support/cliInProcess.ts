import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';

/** What a `session-lens` command did when run in this process. */
export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI's entry point (`runCli`) in this process with an empty standard input and collects
 * its output: for tests of what a command prints. Tests of signals, pipes and memory spawn the
 * real process instead (test/unit/cli/cliProcess.ts).
 */
export async function runCliInProcess(args: readonly string[], cwd: string): Promise<CliOutput> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await runCli([...args], { stdout, stderr, stdin: new PassThrough(), cwd });
  return { code, stdout: out, stderr: err };
}
