import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OldestFirst } from '../../../src/core/oldestFirst';

/** Evicts from `map` until it holds `max`, as the bounded maps do. */
function bound(map: Map<string, number>, oldest: OldestFirst<string>, max: number): void {
  while (map.size > max) map.delete(oldest.next() as string);
}

describe('OldestFirst (evicting from an insertion-ordered map)', () => {
  it('gives the keys oldest first, and a key deleted and added again at its new place', () => {
    const map = new Map<string, number>();
    const oldest = new OldestFirst(map);
    for (const k of ['a', 'b', 'c', 'd']) map.set(k, 0);
    assert.equal(oldest.next(), 'a');
    map.delete('a');
    map.delete('c');
    map.set('c', 1); // refreshed: now the newest
    assert.equal(oldest.next(), 'b');
    map.delete('b');
    assert.equal(oldest.next(), 'd');
    map.delete('d');
    assert.equal(oldest.next(), 'c');
  });

  it('starts again once it has gone round, so keys added after its end are found', () => {
    const set = new Set<string>(['a']);
    const oldest = new OldestFirst(set);
    assert.equal(oldest.next(), 'a');
    set.delete('a');
    assert.equal(oldest.next(), undefined, 'nothing held');
    set.add('b');
    set.add('c');
    assert.equal(oldest.next(), 'b');
  });

  it('survives clear() and the table rebuilds of a long run, keeping exactly the newest keys', () => {
    const map = new Map<string, number>();
    const oldest = new OldestFirst(map);
    for (let i = 0; i < 1_000; i++) {
      map.set(`k${i}`, i);
      bound(map, oldest, 100);
    }
    assert.deepEqual([...map.values()], Array.from({ length: 100 }, (_, i) => 900 + i));
    map.clear();
    for (let i = 0; i < 300; i++) {
      map.set(`n${i}`, i);
      bound(map, oldest, 50);
    }
    assert.deepEqual([...map.values()], Array.from({ length: 50 }, (_, i) => 250 + i));
  });
});
