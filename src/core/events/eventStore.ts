import { Emitter, type Subscribe } from '../emitter';
import { objectKey, type EventChange, type KubeEvent, type ObjectRef } from './kubeEvent';
import { silentLogger, systemClock, type Clock, type Disposable, type Logger } from '../ports';
import { errorMessage } from '../text/errorMessage';

/** Default {@link EventStore} capacity. */
export const DEFAULT_STORE_CAPACITY = 50_000;

/** Default bound of the store's estimated size, in megabytes (MiB): `kubeEvents.store.maxMegabytes`. */
export const DEFAULT_STORE_MEGABYTES = 256;

const MIB = 1024 * 1024;

/** What an event's object, numbers, index entries and list links cost besides its strings (an estimate). */
const EVENT_OVERHEAD_BYTES = 512;

function refChars(r: ObjectRef): number {
  return r.kind.length + r.namespace.length + r.name.length + r.apiVersion.length + r.uid.length + r.resourceVersion.length + r.fieldPath.length;
}

/**
 * A cheap estimate of what holding an event costs, in bytes: its strings' lengths plus a fixed overhead. Cluster
 * text is mostly ASCII, which V8 keeps at one byte a character; the estimate is for bounding memory, not for
 * accounting, and a message of a megabyte is counted as a megabyte.
 */
export function estimateEventBytes(e: KubeEvent): number {
  return (
    EVENT_OVERHEAD_BYTES +
    e.uid.length +
    e.name.length +
    e.namespace.length +
    e.resourceVersion.length +
    e.type.length +
    e.reason.length +
    e.action.length +
    e.message.length +
    e.reportingController.length +
    e.reportingInstance.length +
    refChars(e.regarding) +
    (e.related ? refChars(e.related) : 0)
  );
}

/** Options for {@link EventStore}; every field has a default. */
export interface EventStoreOptions {
  /** Most events held; beyond it the least recently updated are evicted. Default {@link DEFAULT_STORE_CAPACITY}. */
  readonly capacity?: number;
  /**
   * Most bytes held, by {@link estimateEventBytes}; beyond it the least recently updated are evicted too (the
   * newest event is always kept). Default {@link DEFAULT_STORE_MEGABYTES} MiB.
   */
  readonly maxBytes?: number;
  /** Receives failures of onDidChange listeners (warn). */
  readonly logger?: Logger;
  /** Stamps `deletedAt` on deleted events. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * The net effect of one `apply`/`applyBatch`/`clear` call, fired by {@link EventStore.onDidChange} and returned
 * by the call, so views refresh only what changed. Within a batch, changes to one uid are folded together by
 * comparing its state before and after the batch: an event added then modified is only `added`; one added then
 * evicted does not appear at all.
 */
export interface StoreChange {
  /** Events the store did not hold before (current versions). */
  readonly added: readonly KubeEvent[];
  /** Events it held before and holds in a new version now, including those just marked `expired`. */
  readonly updated: readonly KubeEvent[];
  /** Events it held before and no longer holds (evicted, or cleared), as they were last held. */
  readonly removed: readonly KubeEvent[];
  /** `clear()` emptied the store (then `removed` lists everything it held). */
  readonly cleared: boolean;
}

const NO_CHANGE: StoreChange = Object.freeze({ added: [], updated: [], removed: [], cleared: false });

/**
 * The nodes sharing one key of an index, in the order they entered it. The object index has a bucket per
 * involved object, most holding a handful of events: its buckets are lists threaded through the nodes
 * themselves (`objectPrev`/`objectNext`), so a bucket costs one small object and adding or removing costs
 * two pointer writes. The namespace and reason indexes have few, large buckets: arrays whose nodes know their
 * slots, so removal needs no lookup and no search; it leaves a hole, and the array is compacted once holes are
 * half of it (cheaper per event than a Set, which hashes every node and rehashes as it grows).
 */
class ObjectBucket {
  head: Node | undefined = undefined;
  tail: Node | undefined = undefined;
  size = 0;
  constructor(readonly key: string) {}
}

class ArrayBucket {
  readonly nodes: (Node | undefined)[] = [];
  /** Nodes held (the array's length less its holes). */
  size = 0;
  constructor(readonly key: string) {}
}

/** Where a node sits in each array index's bucket. */
type Slot = 'namespaceSlot' | 'reasonSlot';

/** A stored event, linked into the update-order list (head = least recently updated), with its index buckets. */
class Node {
  prev: Node | undefined = undefined;
  next: Node | undefined = undefined;
  /** {@link estimateEventBytes} of `event`, kept so that the store's total follows replacements. */
  bytes: number;
  object: ObjectBucket;
  objectPrev: Node | undefined = undefined;
  objectNext: Node | undefined = undefined;
  namespace: ArrayBucket;
  reason: ArrayBucket;
  namespaceSlot = 0;
  reasonSlot = 0;

  constructor(
    public event: KubeEvent,
    indexes: Indexes,
  ) {
    const e = event;
    this.bytes = estimateEventBytes(e);
    this.object = indexes.object.add(objectKey(e.regarding), this);
    this.namespace = indexes.namespace.add(e.namespace, this);
    this.reason = indexes.reason.add(e.reason, this);
  }
}

/** The index by involved object: key → a list of the nodes about that object. Empty buckets are deleted. */
class ObjectIndex {
  private readonly map = new Map<string, ObjectBucket>();

  add(key: string, node: Node): ObjectBucket {
    let bucket = this.map.get(key);
    if (!bucket) {
      bucket = new ObjectBucket(key);
      this.map.set(key, bucket);
    }
    node.objectNext = undefined;
    node.objectPrev = bucket.tail;
    if (bucket.tail) bucket.tail.objectNext = node;
    else bucket.head = node;
    bucket.tail = node;
    bucket.size++;
    return bucket;
  }

  remove(bucket: ObjectBucket, node: Node): void {
    if (node.objectPrev) node.objectPrev.objectNext = node.objectNext;
    else bucket.head = node.objectNext;
    if (node.objectNext) node.objectNext.objectPrev = node.objectPrev;
    else bucket.tail = node.objectPrev;
    node.objectPrev = node.objectNext = undefined;
    if (--bucket.size === 0) this.map.delete(bucket.key);
  }

  events(key: string): KubeEvent[] {
    const bucket = this.map.get(key);
    if (!bucket) return [];
    const out = new Array<KubeEvent>(bucket.size);
    let i = 0;
    for (let node = bucket.head; node; node = node.objectNext) out[i++] = node.event;
    return out;
  }

  clear(): void {
    this.map.clear();
  }
}

/** A secondary index: key → bucket of nodes whose event has that key. Empty buckets are deleted. */
class ArrayIndex {
  private readonly map = new Map<string, ArrayBucket>();

  constructor(private readonly slot: Slot) {}

  add(key: string, node: Node): ArrayBucket {
    let bucket = this.map.get(key);
    if (!bucket) {
      bucket = new ArrayBucket(key);
      this.map.set(key, bucket);
    }
    node[this.slot] = bucket.nodes.length;
    bucket.nodes.push(node);
    bucket.size++;
    return bucket;
  }

  remove(bucket: ArrayBucket, node: Node): void {
    bucket.nodes[node[this.slot]] = undefined;
    bucket.size--;
    if (bucket.size === 0) this.map.delete(bucket.key);
    else if (bucket.size < bucket.nodes.length / 2) this.compact(bucket);
  }

  events(key: string): KubeEvent[] {
    const bucket = this.map.get(key);
    if (!bucket) return [];
    const out = new Array<KubeEvent>(bucket.size);
    let i = 0;
    for (const node of bucket.nodes) if (node) out[i++] = node.event;
    return out;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  clear(): void {
    this.map.clear();
  }

  private compact(bucket: ArrayBucket): void {
    const nodes = bucket.nodes;
    let j = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (!node) continue;
      node[this.slot] = j;
      nodes[j++] = node;
    }
    nodes.length = j;
  }
}

interface Indexes {
  readonly object: ObjectIndex;
  readonly namespace: ArrayIndex;
  readonly reason: ArrayIndex;
}

/** Collects the state of each touched uid before a call, to report the net change after it. */
class ChangeCollector {
  readonly before = new Map<string, KubeEvent | undefined>();

  touch(uid: string, before: KubeEvent | undefined): void {
    if (!this.before.has(uid)) this.before.set(uid, before);
  }
}

/**
 * The events the window holds in memory, bounded, fed by a broadcaster watcher and read by the tree, the timeline
 * and the commands. Keyed by event uid, with the indexes its readers use: by involved object (kind, namespace,
 * name via `objectKey`), by event namespace and by reason.
 *
 * - ADDED and MODIFIED upsert: a known uid is replaced only when its resourceVersion differs. The event is
 *   stored as given, `expired` included (events seeded from the on-disk history keep their mark).
 * - DELETED (the apiserver's 1 h TTL, or a delete by hand) keeps the event, marked `expired: true` with
 *   `deletedAt` = now (unless the change carries one), because the store keeps what the cluster no longer
 *   has; `deletionNote` (eventDeletion.ts) tells a TTL expiry from a delete by the event's age. Deleted events stay in every
 *   count and query (`is:expired` finds them). A DELETED for an unknown uid is ignored.
 * - Beyond `capacity` events or `maxBytes` (estimated by {@link estimateEventBytes}), the least recently updated
 *   event is evicted (order of the last ADDED/MODIFIED that changed it; marking expired does not count as an
 *   update) and reported in `removed`. The bytes bound never evicts the last event held.
 *
 * Queries return fresh arrays, in the order events entered that index. Events are never mutated: an update
 * replaces the object, so callers may keep the ones they got.
 */
export class EventStore implements Disposable {
  readonly capacity: number;
  /** The bound of {@link bytes}. */
  readonly maxBytes: number;
  /** Fired once per `apply`/`applyBatch`/`clear` call that changed something. */
  readonly onDidChange: Subscribe<StoreChange>;

  private readonly byUid = new Map<string, Node>();
  private readonly indexes: Indexes = {
    object: new ObjectIndex(),
    namespace: new ArrayIndex('namespaceSlot'),
    reason: new ArrayIndex('reasonSlot'),
  };
  private head: Node | undefined;
  private tail: Node | undefined;
  private heldBytes = 0;
  private readonly changes: Emitter<StoreChange>;
  private readonly clock: Clock;

  constructor(options: EventStoreOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_STORE_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    const maxBytes = options.maxBytes ?? DEFAULT_STORE_MEGABYTES * MIB;
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    this.maxBytes = maxBytes;
    this.clock = options.clock ?? systemClock;
    const log = options.logger ?? silentLogger;
    this.changes = new Emitter<StoreChange>((err) => log.warn(`onDidChange listener failed: ${errorMessage(err)}`));
    this.onDidChange = this.changes.event;
  }

  /** Events held now. */
  get size(): number {
    return this.byUid.size;
  }

  /** The estimated size of the events held ({@link estimateEventBytes}), at most {@link maxBytes} unless one event is larger. */
  get bytes(): number {
    return this.heldBytes;
  }

  apply(change: EventChange): StoreChange {
    const collector = new ChangeCollector();
    this.applyOne(change, collector);
    this.evictBeyondBytes(collector);
    return this.publish(collector);
  }

  /** Applies changes in order and reports their net effect once. */
  applyBatch(changes: Iterable<EventChange>): StoreChange {
    const collector = new ChangeCollector();
    for (const change of changes) {
      this.applyOne(change, collector);
      this.evictBeyondBytes(collector);
    }
    return this.publish(collector);
  }

  get(uid: string): KubeEvent | undefined {
    return this.byUid.get(uid)?.event;
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  byObject(kind: string, namespace: string, name: string): KubeEvent[] {
    return this.indexes.object.events(objectKey({ kind, namespace, name }));
  }

  /** Events in this namespace (the event's own namespace, which is the involved object's for namespaced kinds). */
  byNamespace(namespace: string): KubeEvent[] {
    return this.indexes.namespace.events(namespace);
  }

  byReason(reason: string): KubeEvent[] {
    return this.indexes.reason.events(reason);
  }

  /** Namespaces that have at least one event. */
  namespaces(): string[] {
    return this.indexes.namespace.keys();
  }

  /** Reasons that have at least one event. */
  reasons(): string[] {
    return this.indexes.reason.keys();
  }

  /** Every event, least recently updated first. Do not apply changes while iterating; take a snapshot instead. */
  *all(): IterableIterator<KubeEvent> {
    for (let node = this.head; node; node = node.next) yield node.event;
  }

  /** Every event, sorted by lastSeen ascending (ties in update order): what a new view starts from. */
  snapshot(): KubeEvent[] {
    const out = new Array<KubeEvent>(this.byUid.size);
    let i = 0;
    for (let node = this.head; node; node = node.next) out[i++] = node.event;
    // Array.prototype.sort is stable, and events arrive roughly in lastSeen order, which TimSort likes.
    return out.sort((a, b) => a.lastSeen - b.lastSeen);
  }

  /** Forgets every event. Fires onDidChange with `cleared: true` and everything held in `removed`. */
  clear(): void {
    if (this.byUid.size === 0) return;
    const removed = this.snapshotInUpdateOrder();
    this.byUid.clear();
    this.heldBytes = 0;
    this.indexes.object.clear();
    this.indexes.namespace.clear();
    this.indexes.reason.clear();
    // Unlink so iterators that outlive the clear stop instead of walking dropped nodes.
    for (let node = this.head; node; ) {
      const next = node.next;
      node.prev = node.next = undefined;
      node = next;
    }
    this.head = this.tail = undefined;
    this.fire({ added: [], updated: [], removed, cleared: true });
  }

  /**
   * Forgets the events `pick` chooses (a cluster that left the set watched, docs/ARCHITECTURE.md §1), reported in
   * `removed` as evictions are; the others stay. Linear in what is held.
   */
  removeWhere(pick: (e: KubeEvent) => boolean): StoreChange {
    const collector = new ChangeCollector();
    for (let node = this.head; node; ) {
      const next = node.next;
      if (pick(node.event)) this.evict(node, collector);
      node = next;
    }
    return this.publish(collector);
  }

  dispose(): void {
    this.changes.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private applyOne(change: EventChange, collector: ChangeCollector): void {
    const event = change.event;
    const node = this.byUid.get(event.uid);
    switch (change.type) {
      case 'ADDED':
      case 'MODIFIED':
        if (!node) {
          this.insert(event, collector);
        } else if (node.event.resourceVersion !== event.resourceVersion) {
          collector.touch(event.uid, node.event);
          this.replace(node, event);
          this.moveToTail(node);
        }
        return;
      case 'DELETED':
        if (node && !node.event.expired) {
          collector.touch(event.uid, node.event);
          // The DELETED object is the apiserver's last state of the event; keep that, marked.
          this.replace(node, { ...event, expired: true, deletedAt: event.deletedAt ?? this.clock.now() });
        }
        return;
      default: {
        const never: never = change.type;
        throw new Error(`unknown change type ${String(never)}`);
      }
    }
  }

  private insert(event: KubeEvent, collector: ChangeCollector): void {
    if (this.byUid.size >= this.capacity && this.head) this.evict(this.head, collector);
    collector.touch(event.uid, undefined);
    const node = new Node(event, this.indexes);
    this.byUid.set(event.uid, node);
    this.heldBytes += node.bytes;
    this.link(node);
  }

  /** The bytes bound: evicts the least recently updated while over it, keeping at least one event. */
  private evictBeyondBytes(collector: ChangeCollector): void {
    while (this.heldBytes > this.maxBytes && this.byUid.size > 1 && this.head) this.evict(this.head, collector);
  }

  private evict(node: Node, collector: ChangeCollector): void {
    const event = node.event;
    collector.touch(event.uid, event);
    this.byUid.delete(event.uid);
    this.heldBytes -= node.bytes;
    this.unlink(node);
    const { object, namespace, reason } = this.indexes;
    object.remove(node.object, node);
    namespace.remove(node.namespace, node);
    reason.remove(node.reason, node);
  }

  /** Swaps in a new version, moving the node only in the indexes whose key changed. */
  private replace(node: Node, next: KubeEvent): void {
    const prev = node.event;
    node.event = next;
    const bytes = estimateEventBytes(next);
    this.heldBytes += bytes - node.bytes;
    node.bytes = bytes;
    const ix = this.indexes;
    const a = prev.regarding;
    const b = next.regarding;
    if (a.kind !== b.kind || a.namespace !== b.namespace || a.name !== b.name) {
      ix.object.remove(node.object, node);
      node.object = ix.object.add(objectKey(b), node);
    }
    if (prev.namespace !== next.namespace) {
      ix.namespace.remove(node.namespace, node);
      node.namespace = ix.namespace.add(next.namespace, node);
    }
    if (prev.reason !== next.reason) {
      ix.reason.remove(node.reason, node);
      node.reason = ix.reason.add(next.reason, node);
    }
  }

  private link(node: Node): void {
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
  }

  private unlink(node: Node): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
  }

  private moveToTail(node: Node): void {
    if (this.tail === node) return;
    this.unlink(node);
    this.link(node);
  }

  private snapshotInUpdateOrder(): KubeEvent[] {
    return [...this.all()];
  }

  private publish(collector: ChangeCollector): StoreChange {
    if (collector.before.size === 0) return NO_CHANGE;
    const added: KubeEvent[] = [];
    const updated: KubeEvent[] = [];
    const removed: KubeEvent[] = [];
    for (const [uid, before] of collector.before) {
      const now = this.byUid.get(uid)?.event;
      if (before === undefined) {
        if (now) added.push(now);
      } else if (now === undefined) {
        removed.push(before);
      } else if (now !== before) {
        updated.push(now);
      }
    }
    if (added.length === 0 && updated.length === 0 && removed.length === 0) return NO_CHANGE;
    const change: StoreChange = { added, updated, removed, cleared: false };
    this.fire(change);
    return change;
  }

  private fire(change: StoreChange): void {
    this.changes.fire(change);
  }
}
