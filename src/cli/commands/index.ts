import type { CliCommand } from '../command';
import { decodeCommand } from './decode';

/** Every sub-command, in the order `--help` lists them. Add one line per command. */
export const commands: readonly CliCommand[] = [
  decodeCommand,
];
