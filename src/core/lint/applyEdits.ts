import { LineIndex } from './lineIndex';
import type { LintTextEdit } from './types';

/**
 * Applies non-overlapping edits (all relative to `text`) and returns the new text.
 * Throws a RangeError when two edits overlap, since the result would be ambiguous.
 */
export function applyEdits(text: string, edits: readonly LintTextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits
    .map((e) => ({ start: lines.offset(e.range.start), end: lines.offset(e.range.end), newText: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) throw new RangeError('overlapping edits');
    out += text.slice(at, s.start) + s.newText;
    at = s.end;
  }
  return out + text.slice(at);
}
