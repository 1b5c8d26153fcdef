/**
 * Glob patterns (as in .gitignore and exclude settings) turned into regular expressions over
 * '/'-separated relative paths: `*` and `?` stay within one segment, `**` spans segments,
 * `[…]` classes are kept, a leading '/' anchors to the base, a trailing '/' matches folders only.
 */
export interface CompiledGlob {
  readonly regex: RegExp;
  readonly negated: boolean;
  readonly dirOnly: boolean;
}

function escapeRegex(c: string): string {
  return /[.+^${}()|\\]/.test(c) ? `\\${c}` : c;
}

export function compileGlob(pattern: string): CompiledGlob | undefined {
  let p = pattern.endsWith('\\ ') ? pattern.replace(/\r$/, '') : pattern.trimEnd();
  if (p === '' || p.startsWith('#')) return undefined;
  let negated = false;
  if (p.startsWith('!')) {
    negated = true;
    p = p.slice(1);
  } else if (p.startsWith('\\!') || p.startsWith('\\#')) p = p.slice(1);
  let dirOnly = false;
  if (p.endsWith('/')) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  // A pattern without a slash (other than trailing) matches at any depth.
  const anchored = p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const before = i === 0 || p[i - 1] === '/';
        const after = i + 2 === p.length || p[i + 2] === '/';
        if (before && after) {
          if (i + 2 === p.length) re += '.*';
          else {
            re += '(?:.*/)?';
            i++;
          }
          i++;
          continue;
        }
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        let cls = p.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < p.length) {
      re += escapeRegex(p[++i]);
    } else re += escapeRegex(c);
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  return { regex: new RegExp(`${prefix}${re}(?:/.*)?$`), negated, dirOnly };
}

/** The rules of one ignore file (or exclude list), relative to `base` ('' for the root). */
export class IgnoreRules {
  private readonly rules: CompiledGlob[] = [];

  constructor(readonly base: string, patterns: Iterable<string>) {
    for (const line of patterns) {
      const g = compileGlob(line);
      if (g) this.rules.push(g);
    }
  }

  /** true = ignored, false = explicitly kept (negation), undefined = no rule matched. */
  test(relPath: string, isDir: boolean): boolean | undefined {
    let rel = relPath;
    if (this.base) {
      if (!rel.startsWith(`${this.base}/`)) return undefined;
      rel = rel.slice(this.base.length + 1);
    }
    let result: boolean | undefined;
    for (const r of this.rules) {
      // Files inside an ignored folder are never reached: the walk prunes the folder.
      if (r.dirOnly && !isDir) continue;
      if (r.regex.test(rel)) result = !r.negated;
    }
    return result;
  }
}
