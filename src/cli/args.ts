import { UsageError } from './command';

export interface OptionSpec {
  /** Takes a value (`--port 3000` or `--port=3000`) or is a flag. */
  readonly type: 'string' | 'boolean';
  /** May be given several times; values are collected in order. */
  readonly multiple?: boolean;
  /** Allowed values, for string options. */
  readonly choices?: readonly string[];
}

export interface ParsedArgs {
  readonly options: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/**
 * A small strict parser: unknown options, missing values and bad choices are usage errors.
 * `-` alone is a positional (standard input); `--` ends the options.
 */
export function parseArgs(args: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}' (options are spelled --name)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option '--${name}'`);
    let value: string | boolean;
    if (s.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
      value = true;
    } else {
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        const next = args[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`option '--${name}' needs a value`);
        value = next;
        i++;
      }
      if (s.choices && !s.choices.includes(value)) {
        throw new UsageError(`option '--${name}' must be one of ${s.choices.join(', ')} (got '${value}')`);
      }
    }
    if (s.multiple) {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(value as string);
      options[name] = list;
    } else {
      options[name] = value;
    }
  }
  return { options, positionals };
}

/** What a command may print with --format. */
export type OutputFormat = 'text' | 'json' | 'sarif';

/** `--format F`, one of `formats` (the first is the default the command's usage names). */
export function formatOption(...formats: OutputFormat[]): OptionSpec {
  return { type: 'string', choices: formats };
}

/**
 * The options several commands share, spelled once: `--har FILE` (a captured session), `--target URL`
 * (the dev server), `--yes` (send without asking).
 */
export const COMMON_OPTIONS = {
  har: { type: 'string' },
  target: { type: 'string' },
  yes: { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

/**
 * The `--har FILE` and `--target URL` a command that replays a captured session needs (probe,
 * refresh), or the usage error that says which is missing: `harPurpose` says what the HAR is for.
 */
export function requireHarAndTarget(command: string, options: ParsedArgs['options'], harPurpose: string): { har: string; target: string } {
  if (typeof options.har !== 'string') throw new UsageError(`${command} needs --har FILE: ${harPurpose}`);
  if (typeof options.target !== 'string') throw new UsageError(`${command} needs --target URL: the loopback dev server, e.g. http://127.0.0.1:3000`);
  return { har: options.har, target: options.target };
}
