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
