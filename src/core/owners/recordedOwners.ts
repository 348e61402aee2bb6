/**
 * The owner graph of a capture (docs/ARCHITECTURE.md §18): an {@link OwnerResolver} that answers from the owner
 * records a capture carries and never from a cluster, so `under:` on an opened capture places its events the way
 * the window that saved it did, with no request to any apiserver.
 */
import { objectKeyIgnoringKindCase, type ObjectKeyWith } from '../events/kubeEvent';
import type { Logger } from '../ports';
import { ok, type Result } from '../result';
import { OwnerGraph, type OwnerInfo, type OwnerResolveReason, type OwnerResolver } from './ownerGraph';
import type { OwnerRecord } from './ownerMemory';

/**
 * Answers each object from the records: its owners when a record names it, else no owners. A capture holds the
 * chain of every object its events name up to the roots, and roots have no owners to record; nothing else can
 * be asked, so an object the records do not name is taken as a root rather than as unknown.
 */
class RecordedOwners implements OwnerResolver {
  private readonly byUid = new Map<string, OwnerInfo>();
  private readonly byKey = new Map<string, OwnerInfo>();

  constructor(records: readonly OwnerRecord[]) {
    for (const r of records) {
      const info: OwnerInfo = { uid: r.uid, ownerReferences: r.ownerReferences, namespace: r.namespace };
      if (r.uid) this.byUid.set(r.uid, info);
      this.byKey.set(objectKeyIgnoringKindCase(r), info);
    }
  }

  getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    const info = (ref.uid ? this.byUid.get(ref.uid) : undefined) ?? this.byKey.get(objectKeyIgnoringKindCase(ref));
    return Promise.resolve(ok(info ?? { uid: ref.uid ?? '', ownerReferences: [] }));
  }
}

/** An owner graph over a capture's records: reads nothing from a cluster and remembers nothing on disk. */
export function recordedOwnerGraph(records: readonly OwnerRecord[], logger?: Logger): OwnerGraph {
  return new OwnerGraph(new RecordedOwners(records), { ...(logger ? { logger } : {}), maxObjects: Math.max(10_000, records.length * 2), concurrency: 64 });
}

/**
 * The records a capture needs for `events`: every object they name and its owners up to the roots, as far as
 * `graph` knows them (only objects with owners: a root's record would say nothing).
 */
export function ownerRecordsFor(events: Iterable<{ readonly regarding: ObjectKeyWith<never, 'uid'> }>, graph: Pick<OwnerGraph, 'lookup' | 'ancestors'>): OwnerRecord[] {
  const out: OwnerRecord[] = [];
  const seenObjects = new Set<string>();
  const seenNodes = new Set<object>();
  for (const e of events) {
    const ref = e.regarding;
    const id = ref.uid || objectKeyIgnoringKindCase(ref);
    if (seenObjects.has(id)) continue;
    seenObjects.add(id);
    for (const r of [ref, ...graph.ancestors(ref)]) {
      const node = graph.lookup(r);
      if (!node || seenNodes.has(node) || node.ownerReferences.length === 0) continue;
      seenNodes.add(node);
      out.push({ apiVersion: node.apiVersion, kind: node.kind, namespace: node.namespace, name: node.name, uid: node.uid, ownerReferences: node.ownerReferences, source: node.source });
    }
  }
  return out;
}
