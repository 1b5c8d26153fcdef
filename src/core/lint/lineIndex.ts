import type { LintPosition, LintRange } from './types';

/** Converts between UTF-16 offsets and 0-based line/character positions of one text. */
export class LineIndex {
  private readonly starts: number[] = [0];


  constructor(readonly text: string, starts?: number[]) {
    if (starts) this.starts = starts;
    else for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /**
   * The index of `newText`, which is this text with [start, oldEnd) replaced by `inserted`:
   * line starts are shifted instead of searched again (a keystroke in a big file).
   */
  withEdit(newText: string, start: number, oldEnd: number, inserted: string): LineIndex {
    const delta = inserted.length - (oldEnd - start);
    const first = this.position(start).line + 1;
    let last = first;
    while (last < this.starts.length && this.starts[last] <= oldEnd) last++;
    const added: number[] = [];
    for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
    const tail = this.starts.slice(last);
    for (let i = 0; i < tail.length; i++) tail[i] += delta;
    return new LineIndex(newText, [...this.starts.slice(0, first), ...added, ...tail]);
  }

  /**
   * As withEdit, but moves this index's line starts in place instead of copying them: this index
   * must not be used afterwards. For a document that keeps one index and edits it on each keystroke.
   */
  edited(newText: string, start: number, oldEnd: number, inserted: string): LineIndex {
    const starts = this.starts;
    const delta = inserted.length - (oldEnd - start);
    const first = this.position(start).line + 1;
    let last = first;
    while (last < starts.length && starts[last] <= oldEnd) last++;
    let from = first;
    if (last > first || inserted.includes('\n')) {
      const added: number[] = [];
      for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
      // A big paste: too many lines to pass as arguments.
      if (added.length > 4096) return this.withEdit(newText, start, oldEnd, inserted);
      starts.splice(first, last - first, ...added);
      from = first + added.length;
    }
    if (delta !== 0) for (let i = from; i < starts.length; i++) starts[i] += delta;
    return new LineIndex(newText, starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): LintPosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  range(start: number, end: number): LintRange {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: LintPosition): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, pos.character), lineEnd);
  }

  /** Text of one line without its line break. */
  lineText(line: number): string {
    const s = this.starts[line];
    const e = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(s, e).replace(/\r$/, '');
  }
}
