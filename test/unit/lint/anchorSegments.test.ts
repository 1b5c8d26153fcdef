import { strict as assert } from 'node:assert';
import { type AnchorSegmentStats, anchorSegments } from '../../../src/core/lint/engine';

// The anchor words of a language analyzer: calls the rules look at.
const ANCHORS = /\.\s*cookie\s*\(|\bsession\s*\(/g;
const call = (i: number): string => (i % 2 === 0 ? `app.use(session({secret:"s${i}"}))` : `res.cookie("c${i}",v,{httpOnly:false})`);

describe('lint engine: anchor segments', () => {
  it('a minified line with 10,000 anchor words is looked up once, as one segment', () => {
    const text = `${Array.from({ length: 10_000 }, (_, i) => call(i)).join(';')};\n`;
    const stats: AnchorSegmentStats = { lineLookups: 0 };
    const segments = anchorSegments(ANCHORS, text, 0, text.length, stats);
    // Each lookup scans its line from end to end: one per anchor word was quadratic in the words per line.
    assert.equal(stats.lineLookups, 1);
    assert.equal(segments.length, 1);
    const [lineStart, lineEnd, first, last] = segments[0];
    assert.deepEqual([lineStart, lineEnd], [0, text.length - 1]);
    assert.equal(text.slice(first, first + 7), 'session');
    assert.equal(text.slice(last - 8, last), '.cookie(');
  });

  it('anchor words on separate lines: one lookup per line, touching lines merged, others apart', () => {
    const lines = ['x = 1', call(0), call(1), '', 'y = 2', call(2), call(3), call(4)];
    const text = lines.join('\n');
    const stats: AnchorSegmentStats = { lineLookups: 0 };
    const segments = anchorSegments(ANCHORS, text, 0, text.length, stats);
    assert.equal(stats.lineLookups, 5);
    assert.deepEqual(segments.map(([s, e]) => text.slice(s, e)), [`${call(0)}\n${call(1)}`, `${call(2)}\n${call(3)}\n${call(4)}`]);
  });

  it('only anchors before hi count, from the start of lo\'s line', () => {
    const text = `a; ${call(0)}\n${call(1)}\n${call(2)}`;
    const lo = text.indexOf('app');
    const hi = text.indexOf('\n') + 1;
    const segments = anchorSegments(ANCHORS, text, lo, hi);
    assert.deepEqual(segments.map(([s, e]) => text.slice(s, e)), [`a; ${call(0)}`]);
  });
});
