import type { CliCommand } from '../command';

/**
 * A sub-command by name, loaded when it runs or a help text lists it: each command pulls in its
 * own engines (the capture proxy, the lint engine and its grammars, the HAR reader), and a CLI
 * start evaluates only the one it needs.
 */
export interface CommandEntry {
  readonly name: string;
  load(): CliCommand;
}

// require, not import(): the bundler makes each a module evaluated on first require, and the
// tests' loader (tsx/cjs) hooks require but not import().
/* eslint-disable @typescript-eslint/no-require-imports */
/** Every sub-command, in the order `--help` lists them. Add one line per command. */
export const commands: readonly CommandEntry[] = [
  { name: 'decode', load: () => (require('./decode') as typeof import('./decode')).decodeCommand },
  { name: 'capture', load: () => (require('./capture') as typeof import('./capture')).captureCommand },
  { name: 'audit', load: () => (require('./audit') as typeof import('./audit')).auditCommand },
  { name: 'scan', load: () => (require('./scan') as typeof import('./scan')).scanCommand },
  { name: 'probe', load: () => (require('./probe') as typeof import('./probe')).probeCommand },
  { name: 'refresh', load: () => (require('./refresh') as typeof import('./refresh')).refreshCommand },
];
/* eslint-enable @typescript-eslint/no-require-imports */
