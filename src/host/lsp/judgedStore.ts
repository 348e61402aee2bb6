import type { EventStore, StoreChange } from '../../core/events/eventStore';
import type { KubeEvent } from '../../core/events/kubeEvent';

/** The part of the store the language server's feeds read. */
export type FeedStore = Pick<EventStore, 'onDidChange' | 'byNamespace' | 'byObject' | 'byReason' | 'reasons'>;

/**
 * The store as the editor features see it: only the events of the cluster a manifest is judged against
 * (docs/ARCHITECTURE.md §11). `cluster()` names it, read at each call; undefined (one cluster watched) passes every
 * event through untouched, at no cost. The reasons offered for completion stay every cluster's: a reason is
 * spelt the same wherever it was seen.
 */
export function judgedStore(store: FeedStore, cluster: () => string | undefined): FeedStore {
  const keep = (list: KubeEvent[]): KubeEvent[] => {
    const name = cluster();
    return name === undefined ? list : list.filter((e) => e.cluster === name);
  };
  return {
    byNamespace: (namespace) => keep(store.byNamespace(namespace)),
    byObject: (kind, namespace, name) => keep(store.byObject(kind, namespace, name)),
    byReason: (reason) => keep(store.byReason(reason)),
    reasons: () => store.reasons(),
    onDidChange: (listener) =>
      store.onDidChange((c) => {
        const name = cluster();
        if (name === undefined || c.cleared) return listener(c);
        const mine = (list: readonly KubeEvent[]) => list.filter((e) => e.cluster === name);
        const change: StoreChange = { added: mine(c.added), updated: mine(c.updated), removed: mine(c.removed), cleared: false };
        if (change.added.length + change.updated.length + change.removed.length > 0) listener(change);
      }),
  };
}
