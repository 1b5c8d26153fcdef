import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { urlParts } from '../../../src/core/audit/exchangeRules';

describe('urlParts with a minimum value length', () => {
  // Pieces that exercise decoding: percent escapes (valid and broken), '+', matrix parameters, long ids.
  const piece = fc.oneof(
    fc.constantFrom('a', 'sid', '%41', '%E2%82%AC', '%zz', '+', '=', '&', ';', '/', '?', '#', 'x'.repeat(15), 'y'.repeat(16), '%41'.repeat(6), 'eyJhbGciOiJIUzI1NiJ9'),
    fc.string({ maxLength: 20 }),
  );

  it('leaves out exactly the values shorter than the minimum, in the same order (decoding never lengthens a value)', () => {
    fc.assert(fc.property(fc.array(piece, { maxLength: 24 }), fc.integer({ min: 0, max: 24 }), (pieces, min) => {
      const url = `/${pieces.join('')}`;
      assert.deepEqual(urlParts(url, min), urlParts(url).filter((p) => p.value.length >= min));
    }), { numRuns: 2000 });
  });

  it('finds a long value in the query, fragment, path and a matrix parameter', () => {
    const id = 'Ab3dEf6hIj9kLm2n';
    const parts = urlParts(`/s/${id}/x;jsessionid=${id}?page=1&sid=${id}#t=${encodeURIComponent(id)}`, 16);
    assert.deepEqual(parts.map((p) => `${p.where}:${p.name}`), ['path:path segment 2', 'path:jsessionid', 'query:sid', 'fragment:t']);
  });
});
