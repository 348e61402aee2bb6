/** An LRU cache with k8s.io/utils/lru semantics: Get and Add both make an entry the most recent. */
import { OldestFirst } from '../oldestFirst';

/** A bounded map that forgets its least recently used entry when full. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  private readonly oldest = new OldestFirst(this.map);

  constructor(readonly maxEntries: number) {
    if (!(maxEntries > 0)) throw new RangeError(`an LRU cache needs room for at least one entry, not ${maxEntries}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const v = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) this.map.delete(this.oldest.next() as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}
