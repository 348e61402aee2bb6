import { OldestFirst } from '../oldestFirst';

/**
 * Interning for the strings events repeat (docs/ARCHITECTURE.md §1, "Memory"). `JSON.parse` gives every event its
 * own copy of every string longer than V8 internalises (10 characters): 50,000 events about Pods carry 50,000
 * copies of `spec.containers{app}`, of their objects' uids and of a few dozen messages. A pool hands back the
 * copy it already holds, so the store, the tree and every view share one.
 *
 * Bounded: at most `maxEntries` strings, none longer than `maxLength`; once full, the string pooled first is
 * dropped for the new one (first in, first out: no bookkeeping on a hit, which is the watch's hot path). A
 * dropped string stays shared by the events already holding it; later events get another copy, so the pool
 * only ever costs its own entries, never correctness.
 */
class StringPool {
  private readonly strings = new Map<string, string>();
  private readonly first = new OldestFirst(this.strings);

  constructor(
    readonly maxEntries: number,
    readonly maxLength: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** Strings pooled now (at most `maxEntries`). */
  get size(): number {
    return this.strings.size;
  }

  /** The pooled string equal to `s`, pooling `s` when there is none; `s` itself when it is empty or too long. */
  intern(s: string): string {
    if (s.length === 0 || s.length > this.maxLength) return s;
    const pooled = this.strings.get(s);
    if (pooled !== undefined) return pooled;
    if (this.strings.size >= this.maxEntries) {
      const first = this.first.next();
      if (first !== undefined) this.strings.delete(first);
    }
    this.strings.set(s, s);
    return s;
  }
}

/**
 * The pools every normalised event's strings go through, one per kind of repetition:
 * - `vocabulary`: the few values a cluster uses over and over (kinds, apiVersions, types, reasons, actions,
 *   namespaces, reporting controllers and instances, field paths);
 * - `objects`: what names an involved object (its name, uid and resourceVersion), shared by its events;
 * - `messages`: messages, which controllers repeat word for word (a kubelet's "Started container app").
 */
export const eventStrings = {
  vocabulary: new StringPool(8_192, 256),
  objects: new StringPool(32_768, 256),
  messages: new StringPool(4_096, 512),
};
