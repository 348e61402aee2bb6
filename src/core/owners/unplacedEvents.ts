/**
 * The events an `under:` filter cannot place: their owner chain is broken by an object that answered 404 and
 * whose owners nothing remembered or inferred tells. Views report their number ("4 events about objects that
 * no longer exist: owner unknown") instead of dropping them without a word.
 */
import { objectKey, type KubeEvent } from '../events/kubeEvent';
import type { OwnerGraph, OwnerLookup } from './ownerGraph';
import { matches, usesOwners } from '../query/evaluate';
import type { Query } from '../query/syntax';

/**
 * Ownership never crosses namespaces (an owner is in its dependant's namespace, or cluster-scoped), so an
 * unknown owner could be a root in the event's own namespace, or a cluster-scoped or unqualified one.
 */
const COULD_BE_UNDER: OwnerLookup = { isUnder: (ref, root) => root.namespace === undefined || root.namespace === '' || root.namespace === ref.namespace };

/**
 * How many of `events` `query` hides only for want of an owner: not matched with what `graph` knows, matched
 * if their unknown owner were the `under:` root. 0 for a query without `under:`. One graph look-up per involved
 * object, the query evaluated only for events whose chain is broken.
 */
export function countUnplaced(events: Iterable<KubeEvent>, query: Query, graph: Pick<OwnerGraph, 'ownerUnknown' | 'isUnder'>, now: number): number {
  if (!usesOwners(query)) return 0;
  const broken = new Map<string, boolean>();
  let count = 0;
  for (const e of events) {
    const key = e.regarding.uid || objectKey(e.regarding);
    let unknown = broken.get(key);
    if (unknown === undefined) broken.set(key, (unknown = graph.ownerUnknown(e.regarding)));
    if (unknown && matches(query, e, { now, owners: COULD_BE_UNDER }) && !matches(query, e, { now, owners: graph })) count++;
  }
  return count;
}
