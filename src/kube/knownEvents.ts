import { estimateEventBytes } from '../core/events/eventStore';
import type { KubeEvent } from '../core/events/kubeEvent';

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
  /** Insertion order is update order: the first entry is the least recently updated. */
  private readonly byUid = new Map<string, { event: KubeEvent; bytes: number }>();
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
    return this.byUid.get(uid)?.event;
  }

  /** Holds `event` as the latest version of its uid; a new resourceVersion makes it the most recently updated. */
  set(event: KubeEvent): void {
    const prev = this.byUid.get(event.uid);
    const bytes = estimateEventBytes(event);
    if (prev && prev.event.resourceVersion === event.resourceVersion) {
      this.total += bytes - prev.bytes;
      prev.event = event;
      prev.bytes = bytes;
    } else {
      if (prev) this.remove(event.uid, prev.bytes);
      this.byUid.set(event.uid, { event, bytes });
      this.total += bytes;
    }
    if (this.byUid.size <= this.bounds.maxEvents && this.total <= this.bounds.maxBytes) return;
    for (const [uid, entry] of this.byUid) {
      if (this.byUid.size <= 1 || (this.byUid.size <= this.bounds.maxEvents && this.total <= this.bounds.maxBytes)) break;
      this.remove(uid, entry.bytes);
    }
  }

  delete(uid: string): void {
    const entry = this.byUid.get(uid);
    if (entry) this.remove(uid, entry.bytes);
  }

  /** The events held in one namespace ('' = every namespace), as a snapshot: the caller may change the map meanwhile. */
  inNamespace(namespace: string): KubeEvent[] {
    const out: KubeEvent[] = [];
    for (const { event } of this.byUid.values()) if (!namespace || event.namespace === namespace) out.push(event);
    return out;
  }

  private remove(uid: string, bytes: number): void {
    this.byUid.delete(uid);
    this.total -= bytes;
  }
}
