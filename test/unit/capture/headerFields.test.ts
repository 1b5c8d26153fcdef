import { strict as assert } from 'node:assert';
import { headerFields } from '../../../src/core/capture/headerFields';

describe('header fields', () => {
  it('keeps order, case and duplicates', () => {
    const fields = headerFields(['Set-Cookie', 'a=1', 'content-TYPE', 'text/plain', 'Set-Cookie', 'b=2']);
    assert.deepEqual(fields, [{ name: 'Set-Cookie', value: 'a=1' }, { name: 'content-TYPE', value: 'text/plain' }, { name: 'Set-Cookie', value: 'b=2' }]);
  });

  it('shares one frozen list between identical heads, and never between different ones', () => {
    const raw = () => ['Host', 'localhost:3000', 'Accept', '*/*', 'Cookie', `sid=${'x'.repeat(300)}`.slice(0, 40)];
    const a = headerFields(raw());
    const b = headerFields(raw());
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a[0]));
    const other = headerFields(['Host', 'localhost:3000', 'Accept', 'text/html', 'Cookie', raw()[5]]);
    assert.notEqual(other, a);
    assert.equal(other[0], a[0], 'identical fields are shared');
    assert.deepEqual(other.map((f) => f.value), ['localhost:3000', 'text/html', raw()[5]]);
    // Longer or shorter lists with the same start are different lists.
    assert.notEqual(headerFields(raw().slice(0, 4)), a);
    assert.equal(headerFields(raw().slice(0, 4)).length, 2);
  });

  it('does not share long values (cookies, tokens), so lists holding them are new each time', () => {
    const long = `sid=${'y'.repeat(400)}`;
    const a = headerFields(['Cookie', long]);
    const b = headerFields(['Cookie', long]);
    assert.notEqual(a, b);
    assert.deepEqual(a, b);
  });
});
