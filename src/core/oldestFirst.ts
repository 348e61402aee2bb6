/**
 * The oldest key of an insertion-ordered Map or Set, for evicting from it, in amortised constant time.
 *
 * `map.keys().next()` looks constant but is not: V8 leaves a deleted entry in its place until the table is
 * rebuilt, and a fresh iterator steps over every such hole before the first live entry. A bounded map that
 * evicts its oldest entry on each insert accumulates holes at its front, so each eviction costs up to the
 * map's size: 100,000 inserts into a map bounded at 50,000 took 0.6–1.5 s that way and 0.1 s with a cursor
 * (docs/ARCHITECTURE.md §1, "Bounded maps"). A cursor kept between calls steps over each entry once. JavaScript's Map and
 * Set iterators stay valid while entries are deleted and added: a key deleted and added again is met again
 * at its new place, at the end.
 */
export class OldestFirst<K> {
  private cursor: Iterator<K> | undefined;

  constructor(private readonly collection: { keys(): IterableIterator<K> }) {}

  /**
   * The oldest key still held, or undefined when there is none. The cursor moves past it: the caller deletes
   * it (a key left in place is not offered again until the cursor has gone round).
   */
  next(): K | undefined {
    for (let fresh = false; ; fresh = true) {
      this.cursor ??= this.collection.keys();
      const r = this.cursor.next();
      if (!r.done) return r.value;
      // An iterator that has finished stays finished, even when keys are added later: start again once.
      this.cursor = undefined;
      if (fresh) return undefined;
    }
  }
}
