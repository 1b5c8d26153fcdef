import type { LineIndex } from './lineIndex';

const MARKER = 'session-lens-disable-';
/** The text every disable comment holds. */
export const DISABLE_MARKER = MARKER;

/**
 * Lines where rules are switched off by a comment: `// session-lens-disable-next-line <ruleId>…`
 * (or `#`, `;`, `/*` comments) silences the next line, `session-lens-disable-line` its own line.
 * Without rule ids every rule is silenced. Returns line → rule ids ('*' for all).
 */
export function disabledLines(text: string, lines: LineIndex): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (let i = text.indexOf(MARKER); i !== -1; i = text.indexOf(MARKER, i + MARKER.length)) {
    const m = /^session-lens-disable-(next-line|line)\b([^\n]*)/.exec(text.slice(i, i + 400));
    if (!m) continue;
    const line = lines.position(i).line + (m[1] === 'next-line' ? 1 : 0);
    const ids = m[2].replace(/\*\/.*$|-->.*$/, '').split(/[\s,]+/).filter((s) => /^[a-z][a-z0-9-]*$/.test(s));
    const set = out.get(line) ?? new Set<string>();
    if (ids.length === 0) set.add('*');
    for (const id of ids) set.add(id);
    out.set(line, set);
  }
  return out;
}

/** The comment that disables `ruleId` on the line below, in the comment syntax of the language. */
export function disableCommentFor(language: string, ruleId: string): string {
  const hash = ['python', 'ruby', 'yaml', 'properties'].includes(language);
  const semi = language === 'ini';
  if (language === 'xml') return `<!-- session-lens-disable-next-line ${ruleId} -->`;
  return `${hash ? '#' : semi ? ';' : '//'} session-lens-disable-next-line ${ruleId}`;
}
