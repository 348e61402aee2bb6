import { estimateEventBytes } from '../core/events/eventStore';
import type { KubeEvent } from '../core/events/kubeEvent';
import { OldestFirst } from '../core/oldestFirst';

/** The bounds of {@link KnownEvents}: the store's (`kubeEvents.store.maxEvents` and `.maxMegabytes`). */
export interface KnownBounds {
  readonly maxEvents: number;
  /** By {@link estimateEventBytes}. */
  readonly maxBytes: number;
}

/**
 * What an {@link EventSource} has reported and not seen deleted, by uid: the base a relist reconciles against
 * (DELETED for what vanished, MODIFIED only for a new resourceVersion) and what a replayed watch line is
 * checked against. Bounded like the store, by count and by estimated bytes, evicting the least recently
 * updated first (a set of an unchanged version is no update), so it holds what the store still holds (the
 * same objects, so little memory of its own) rather than every live event of the cluster. An evicted event
 * vanishing gets no synthesised DELETED; the store no longer holds it either, or ignores the DELETED.
 * One map serves every namespace's loop of a source (uids are unique cluster-wide).
 */
export class KnownEvents {
  /**
   * Insertion order is update order: the first entry is the least recently updated. Events are immutable, so an
   * entry's bytes are computed again when it goes rather than kept beside it.
   */
  private readonly byUid = new Map<string, KubeEvent>();
  private readonly oldest = new OldestFirst(this.byUid);
  private total = 0;

  constructor(private readonly bounds: KnownBounds) {}

  get size(): number {
    return this.byUid.size;
  }

  /** The estimated bytes held. */
  get bytes(): number {
    return this.total;
  }

  get(uid: string): KubeEvent | undefined {
    return this.byUid.get(uid);
  }

  /** Holds `event` as the latest version of its uid; a new resourceVersion makes it the most recently updated. */
  set(event: KubeEvent): void {
    const prev = this.byUid.get(event.uid);
    if (prev) this.total -= estimateEventBytes(prev);
    // The same version again keeps its place in the update order (Map.set of a held key does not move it).
    if (prev && prev.resourceVersion !== event.resourceVersion) this.byUid.delete(event.uid);
    this.byUid.set(event.uid, event);
    this.total += estimateEventBytes(event);
    if (this.byUid.size <= this.bounds.maxEvents && this.total <= this.bounds.maxBytes) return;
    while (this.byUid.size > 1 && (this.byUid.size > this.bounds.maxEvents || this.total > this.bounds.maxBytes)) {
      const uid = this.oldest.next();
      if (uid === undefined) break;
      this.remove(uid, this.byUid.get(uid) as KubeEvent);
    }
  }

  delete(uid: string): void {
    const held = this.byUid.get(uid);
    if (held) this.remove(uid, held);
  }

  /** The events held in one namespace ('' = every namespace), as a snapshot: the caller may change the map meanwhile. */
  inNamespace(namespace: string): KubeEvent[] {
    const out: KubeEvent[] = [];
    for (const event of this.byUid.values()) if (!namespace || event.namespace === namespace) out.push(event);
    return out;
  }

  private remove(uid: string, held: KubeEvent): void {
    this.byUid.delete(uid);
    this.total -= estimateEventBytes(held);
  }
}
