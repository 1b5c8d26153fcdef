import type { CliCommand } from '../command';
import { decodeCommand } from './decode';
import { captureCommand } from './capture';
import { auditCommand } from './audit';
import { scanCommand } from './scan';
import { probeCommand } from './probe';
import { refreshCommand } from './refresh';

/** Every sub-command, in the order `--help` lists them. Add one line per command. */
export const commands: readonly CliCommand[] = [
  decodeCommand,
  captureCommand,
  auditCommand,
  scanCommand,
  probeCommand,
  refreshCommand,
];
