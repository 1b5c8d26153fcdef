import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { bytesMayHoldToken, tokensInBody } from '../../../src/core/session/tokenExtractor';

/** What tokensInBody checks first, on the whole text: does it look at the body at all? */
const mayHoldToken = (text: string): boolean => /token|eyJ|\\u|%/iu.test(text);

describe('bytesMayHoldToken (the token pre-check on a large body\'s bytes, in windows)', () => {
  const fills = ['abcdefgh ', '€😀é ', 'x'];
  const hints = ['token', 'TOKEN', 'ToKeN', 'to\u212Aen', 'eyJ', 'EYj', '\\u', '\\U', '%'];

  it('finds every hint whole across each window edge, among multi-byte characters', () => {
    for (const fill of fills) {
      const base = fill.repeat(Math.ceil(100_000 / fill.length)).slice(0, 100_000);
      assert.equal(bytesMayHoldToken(Buffer.from(base)), false, `${fill}: nothing to find`);
      for (const hint of hints) {
        for (const edge of [32 * 1024, 64 * 1024]) {
          for (let at = edge - 12; at <= edge + 4; at++) {
            const text = base.slice(0, at) + hint + base.slice(at);
            const bytes = Buffer.from(text);
            assert.equal(bytesMayHoldToken(bytes), true, `${JSON.stringify(hint)} at ${at} in ${JSON.stringify(fill)}`);
          }
        }
      }
    }
  });

  it('says what the check on the whole text says, for random bodies (also invalid UTF-8)', () => {
    const piece = fc.oneof(fc.constantFrom(...hints, ...fills, 'tok', 'en', '\u212A', 'ey'), fc.string({ unit: 'binary', maxLength: 8 }), fc.constant('q'.repeat(32 * 1024 - 5)));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.option(fc.nat(), { nil: undefined }), (pieces, breakAt) => {
      const bytes = Buffer.from(pieces.join(''));
      // A stray byte that is not UTF-8: both read it as U+FFFD.
      if (breakAt !== undefined && bytes.length > 0) bytes[breakAt % bytes.length] = 0xff;
      assert.equal(bytesMayHoldToken(bytes), mayHoldToken(bytes.toString('utf8')));
    }), { numRuns: 300 });
  });

  it('agrees with tokensInBody: a body the check refuses holds no token', () => {
    const page = `${'<p>plain page</p>'.repeat(6000)}`;
    assert.equal(bytesMayHoldToken(Buffer.from(page)), false);
    assert.deepEqual(tokensInBody(page, 'text/html', 'response-body', 0), []);
  });
});
