import { isMainThread, workerData } from 'node:worker_threads';
import { type CliIo, UsageError, errorLine, watchOutput } from './command';
import { commands } from './commands/index';
import { configureRuleDocs } from './ruleDocs';
import { cliVersion as version } from './version';

function overview(): string {
  const loaded = commands.map((c) => c.load());
  const width = Math.max(8, ...loaded.map((c) => c.name.length));
  const lines = [
    'Usage: session-lens <command> [options]',
    '',
    'Session Lens: cookies, session tokens and JWTs of your web app, from the command line.',
    '',
    'Commands:',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help, -h     show help (also: session-lens <command> --help)',
    '  --version, -V  print the version',
    '',
    'Rule links (\"docs\" in JSON output) point at the pages in this package\'s docs/rules/',
    '(file: URLs); set SESSION_LENS_DOCS_BASE=https://… to link a web copy instead.',
    'Each command lists its exit status in its --help. Every command exits 74 when its',
    'output cannot be written (a full disk); a reader that goes away (| head) is not an error.',
  ];
  return lines.join('\n') + '\n';
}

/**
 * Runs the CLI and returns the exit code; never throws. A reader of standard output that goes
 * away (`session-lens … | head`) ends the output quietly, with the command's own exit code; any
 * other write error on standard output is one line on standard error and exit 74.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const stdout = watchOutput(io.stdout);
  watchOutput(io.stderr);
  const code = await runCommand(argv, { ...io, outputGone: stdout.gone });
  // Writes to pipes and files report their errors on the next turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  const failure = stdout.failure();
  if (failure) {
    io.stderr.write(errorLine(`cannot write standard output: ${failure.code ?? failure.message}`));
    return 74;
  }
  return code;
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const target = first === 'help' ? commands.find((c) => c.name === rest[0])?.load() : undefined;
      io.stdout.write(target ? target.usage : overview());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    configureRuleDocs();
    const command = commands.find((c) => c.name === first)?.load();
    if (!command) {
      throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}' (see session-lens --help)`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(errorLine(err.message));
      return err.exitCode;
    }
    // An unexpected failure is a bug: one line for the user, the stack only when asked for.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(errorLine(`internal error: ${message}`));
    if (process.env.SESSION_LENS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 70;
  }
}

// `scan` lints on worker threads that load this file as their entry. The bundle evaluates the
// lint engine only when first required, so a worker must start it here or it would end at once.
if (!isMainThread && (workerData as { sessionLensScanWorker?: boolean } | null)?.sessionLensScanWorker === true) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../core/lint/scanWorker') as typeof import('../core/lint/scanWorker')).serveIfScanWorker();
}

if (require.main === module) {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() }).then(
    (code) => { process.exitCode = code; },
  );
}
