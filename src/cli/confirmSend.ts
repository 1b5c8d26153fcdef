import * as readline from 'node:readline';
import { type CliIo, UsageError } from './command';

/** Asks on the terminal; resolves true for y/yes. */
export function confirmOnTerminal(io: CliIo): Promise<boolean> {
  const rl = readline.createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.question('Send these requests? [y/N] ', (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
    rl.once('close', () => { if (!answered) resolve(false); });
  });
}

/**
 * Before a command sends requests to the dev server without --yes: lists them (`plan`) on standard
 * error and asks on the terminal. False when the user declines ("Nothing sent." is printed); a usage
 * error when standard input is not a terminal, so nobody can answer. `what` names the requests in
 * that error ("this request", "these requests").
 */
export async function confirmSend(io: CliIo, plan: string, what: string): Promise<boolean> {
  io.stderr.write(plan);
  if ((io.stdin as NodeJS.ReadStream).isTTY !== true) throw new UsageError(`standard input is not a terminal, so nobody can confirm: pass --yes to send ${what}`);
  if (await confirmOnTerminal(io)) return true;
  io.stderr.write('Nothing sent.\n');
  return false;
}
