import type { ClusterIdentity } from '../core/clusterIdentity';
import type { Disposable } from '../core/ports';
import type { HistoryService } from './historyService';

/** What a cluster's history needs of its connection (a `ConnectionScope` is one). */
export interface HistoryScope {
  /** The cluster's name, which its events carry (`KubeEvent.cluster`). */
  readonly name: string;
  readonly identity: ClusterIdentity;
  /** Holds the scope's first list until the history seeded the store (docs/ARCHITECTURE.md §10). */
  holdWatch(until: Promise<unknown>): void;
}

/**
 * One history per watched cluster (docs/ARCHITECTURE.md §10): the primary cluster's is the window's
 * `HistoryService` (Clear History…, `since:`, the timeline's older pages); each further cluster watched at once
 * (Select Contexts…) gets a service of its own, with its own database file, writing only its cluster's events,
 * opened when its scope begins and shut down when the cluster is no longer watched.
 */
export class ClusterHistories implements Disposable {
  private readonly more = new Map<string, HistoryService>();

  constructor(
    readonly primary: HistoryService,
    private readonly create: () => HistoryService,
  ) {}

  /** A cluster's scope began: its history opens and seeds the store before the scope's first list. */
  begin(scope: HistoryScope, isPrimary: boolean): void {
    const cluster = { ...scope.identity, context: scope.name };
    if (isPrimary) {
      this.drop(scope.name);
      scope.holdWatch(this.primary.open(cluster));
      return;
    }
    let history = this.more.get(scope.name);
    if (!history) {
      history = this.create();
      this.more.set(scope.name, history);
    }
    scope.holdWatch(history.open(cluster));
  }

  /** The clusters watched besides the primary are these: the others' histories are written and closed. */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of [...this.more.keys()]) if (!names.has(name)) this.drop(name);
  }

  /** Every open history, the primary's first. */
  all(): HistoryService[] {
    return [this.primary, ...this.more.values()];
  }

  /** Writes what is pending and closes every history. */
  async shutdown(): Promise<void> {
    await Promise.all(this.all().map((h) => h.shutdown()));
  }

  dispose(): void {
    void this.shutdown();
  }

  private drop(name: string): void {
    const history = this.more.get(name);
    if (!history) return;
    this.more.delete(name);
    void history.shutdown();
  }
}
