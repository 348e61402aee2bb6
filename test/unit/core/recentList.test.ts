import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addRecent } from '../../../src/core/recentList';

describe('addRecent', () => {
  it('puts the value first', () => {
    assert.deepEqual(addRecent([], 'a', 3), ['a']);
    assert.deepEqual(addRecent(['b', 'c'], 'a', 3), ['a', 'b', 'c']);
  });

  it('moves an earlier copy to the front instead of keeping two', () => {
    assert.deepEqual(addRecent(['b', 'a', 'c'], 'a', 3), ['a', 'b', 'c']);
    assert.deepEqual(addRecent(['a', 'b'], 'a', 3), ['a', 'b']);
  });

  it('drops the oldest past the limit', () => {
    assert.deepEqual(addRecent(['b', 'c', 'd'], 'a', 3), ['a', 'b', 'c']);
    assert.deepEqual(addRecent(['a', 'b', 'c', 'd', 'e'], 'x', 2), ['x', 'a']);
  });

  it('leaves the given list alone', () => {
    const list = Object.freeze(['b', 'a']);
    addRecent(list, 'a', 1);
    assert.deepEqual(list, ['b', 'a']);
  });
});
