import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyEdits } from '../../../src/core/lint/applyEdits';
import { disabledLines } from '../../../src/core/lint/disableComments';
import { LineIndex } from '../../../src/core/lint/lineIndex';
import { lineCounter } from '../../../src/core/lint/symbols/indexText';

describe('LineIndex', () => {
  it('maps offsets and positions both ways, clamping out-of-range input', () => {
    const li = new LineIndex('ab\ncd😀\n\nx');
    assert.deepEqual(li.position(4), { line: 1, character: 1 });
    assert.equal(li.offset({ line: 1, character: 1 }), 4);
    assert.equal(li.offset({ line: 1, character: 99 }), 7);
    assert.equal(li.offset({ line: 99, character: 0 }), 9);
    assert.deepEqual(li.position(-5), { line: 0, character: 0 });
    assert.equal(li.lineText(1), 'cd😀');
  });

  it('an edited index equals one built from scratch', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', 'é', '\r') }), fc.nat(), fc.nat(), fc.string({ unit: fc.constantFrom('b', '\n') }), (text, a, b, inserted) => {
        const start = a % (text.length + 1);
        const end = start + (b % (text.length - start + 1));
        const next = text.slice(0, start) + inserted + text.slice(end);
        const edited = new LineIndex(text).withEdit(next, start, end, inserted);
        const fresh = new LineIndex(next);
        for (let o = 0; o <= next.length; o++) assert.deepEqual(edited.position(o), fresh.position(o));
        assert.equal(edited.lineCount, fresh.lineCount);
      }),
      { numRuns: 300, seed: 99 },
    );
  });
});

describe('LineIndex edited in place', () => {
  it('a series of in-place edits equals an index built from scratch', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', 'é', '\r') }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ unit: fc.constantFrom('b', '\n') })), { maxLength: 5 }),
        (initial, steps) => {
          let text = initial;
          let index = new LineIndex(text);
          for (const [a, b, inserted] of steps) {
            const start = a % (text.length + 1);
            const end = start + (b % (text.length - start + 1));
            text = text.slice(0, start) + inserted + text.slice(end);
            index = index.edited(text, start, end, inserted);
            const fresh = new LineIndex(text);
            for (let o = 0; o <= text.length; o++) assert.deepEqual(index.position(o), fresh.position(o));
            assert.equal(index.lineCount, fresh.lineCount);
          }
        },
      ),
      { numRuns: 300, seed: 99 },
    );
  });
});

describe('applyEdits and disable comments', () => {
  it('applies edits in any order and refuses overlapping ones', () => {
    const r = (l: number, c: number) => ({ line: l, character: c });
    assert.equal(applyEdits('abc\ndef', [{ range: { start: r(1, 0), end: r(1, 1) }, newText: 'D' }, { range: { start: r(0, 3), end: r(0, 3) }, newText: '!' }]), 'abc!\nDef');
    assert.throws(() => applyEdits('abcdef', [{ range: { start: r(0, 0), end: r(0, 3) }, newText: '' }, { range: { start: r(0, 2), end: r(0, 4) }, newText: '' }]), RangeError);
  });

  it('reads next-line and same-line comments, with or without rule ids', () => {
    const text = '// session-lens-disable-next-line cookie-missing-secure, jwt-alg-none\nx\n# session-lens-disable-next-line\ny\nz /* session-lens-disable-line cookie-broad-domain */\n';
    const d = disabledLines(text, new LineIndex(text));
    assert.deepEqual([...d.get(1)!].sort(), ['cookie-missing-secure', 'jwt-alg-none']);
    assert.deepEqual([...d.get(3)!], ['*']);
    assert.deepEqual([...d.get(4)!], ['cookie-broad-domain']);
    assert.equal(d.has(0), false);
  });
});

describe('lineCounter (the text indexers\' line of an offset)', () => {
  it('answers the line of every offset asked, in order or not', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', 'é') }), fc.array(fc.nat(), { maxLength: 12 }), (text, offsets) => {
        const lineOf = lineCounter(text);
        for (const raw of offsets) {
          const offset = raw % (text.length + 1);
          assert.equal(lineOf(offset), text.slice(0, offset).split('\n').length, `offset ${offset} of ${JSON.stringify(text)}`);
        }
      }),
    );
  });
});
