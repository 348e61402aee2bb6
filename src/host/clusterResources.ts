import * as vscode from 'vscode';
import type { ObjectKeyWith } from '../core/events/kubeEvent';
import type { OwnerGraph } from '../core/owners/ownerGraph';
import { combinedDisposable, MutableDisposable, RunOnceScheduler } from '../core/lifecycle';
import { fail, ok, type Result } from '../core/result';
import type { ClusterSession } from '../kube/clusterSession';
import type { ConnectionScope } from '../kube/connectionScope';
import type { Recorder } from '../kube/recorder';
import { toYaml, withoutSecretValues, type ObjectMetadata, type ReadProblem } from '../kube/resourceReader';
import { DisposableOwner } from './disposable';

/** What the commands need from discovery and GETs; {@link ClusterResources.access} implements it over src/kube. */
export interface ResourceAccess {
  kinds(): Promise<Result<ReadonlyArray<{ readonly kind: string; readonly apiVersion: string; readonly namespaced: boolean }>>>;
  names(kind: { readonly kind: string; readonly apiVersion: string }, namespace: string): Promise<Result<ReadonlyArray<{ readonly name: string; readonly namespace: string }>>>;
  /** The names of the cluster's namespaces, up to the reader's list cap (Select Namespace… offers them). */
  namespaces(signal?: AbortSignal): Promise<Result<readonly string[]>>;
  /**
   * The whole object as YAML, for Open Resource YAML: the one read of a whole object. A Secret's values are
   * replaced by their sizes (docs/ARCHITECTURE.md §7).
   */
  yaml(ref: ObjectKeyWith<'apiVersion'>): Promise<Result<string>>;
  /** The live object's reference, uid and resourceVersion included; `reason` is a ReadProblem (`not-found`, `forbidden`…). */
  reference(ref: ObjectKeyWith<'apiVersion'>): Promise<Result<ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>>>;
}

/**
 * Many objects are learnt at once after an `under:` filter is set: the views are told (and re-filter) at most
 * this often.
 */
const LEARN_NOTIFY_DELAY_MS = 300;

/**
 * The host's view of the session's current {@link ConnectionScope}: discovery, object reads, the owner graph
 * and the recorder of the connection, or undefined while there is none. The scope owns them and their
 * lifetime (docs/ARCHITECTURE.md §1); this adapter only turns them into the ports the commands use and tells
 * the views, at a pace they can follow, that the owner graph learnt something.
 */
export class ClusterResources extends DisposableOwner {
  private readonly learned = this.register(new vscode.EventEmitter<void>());
  /** The owner graph learnt or missed objects (at most every {@link LEARN_NOTIFY_DELAY_MS}). */
  readonly onDidLearnOwners = this.learned.event;
  private readonly learnNotice = this.register(new RunOnceScheduler(() => this.learned.fire(), LEARN_NOTIFY_DELAY_MS));
  /** The listeners on every watched cluster's owner graph, replaced with the scopes. */
  private readonly graphListeners = this.register(new MutableDisposable());
  /** The graph that stands in for the connection's (see {@link useGraph}). */
  private replacement: OwnerGraph | undefined;
  private followed: readonly ConnectionScope[] = [];
  private followedReplacement: OwnerGraph | undefined;

  constructor(
    private readonly session: ClusterSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(session.onDidChangeScope(() => this.follow()));
    this.register(session.onDidChangeClusters(() => this.follow()));
    this.follow();
  }

  private get scope(): ConnectionScope | undefined {
    return this.session.connectionScope;
  }

  private follow(): void {
    const scopes = this.session.clusters.map((c) => c.scope).filter((s): s is ConnectionScope => s !== undefined);
    if (this.followedReplacement === this.replacement && scopes.length === this.followed.length && scopes.every((s, i) => s === this.followed[i])) return;
    this.followed = scopes;
    this.followedReplacement = this.replacement;
    this.graphListeners.clear();
    const changed = (): void => this.learnNotice.scheduleIfIdle();
    const graphs = this.replacement ? [this.replacement] : scopes.map((s) => s.owners);
    if (graphs.length === 0) return;
    this.graphListeners.value = combinedDisposable(...graphs.flatMap((g) => [g.onDidLearn(changed), g.onDidMiss(changed)]));
  }

  /**
   * Answers `under:` from `graph` instead of the connections' (an open capture's records, docs/ARCHITECTURE.md
   * §18), or from the connections' again (undefined).
   */
  useGraph(graph: OwnerGraph | undefined): void {
    this.replacement = graph;
    this.follow();
    this.learnNotice.schedule();
  }

  /**
   * The recorder behind "Emit Test Event…" of a cluster by its name (without one, or '', the primary's); its
   * correlator state lives as long as the connection.
   */
  recorder(cluster?: string): Recorder | undefined {
    return (cluster ? this.session.scopeOf(cluster) : this.scope)?.recorder;
  }

  /** Reads one object's metadata (the language server's existence checks); undefined when not connected. */
  metadata(ref: ObjectKeyWith<never, 'apiVersion'>): Promise<Result<ObjectMetadata, ReadProblem>> | undefined {
    return this.scope?.reader.metadata(ref);
  }

  /**
   * The owner graph of a cluster by its name (`KubeEvent.cluster`), undefined for one not watched; without a
   * name, the primary cluster's.
   */
  owners(cluster?: string): OwnerGraph | undefined {
    // An open capture's graph answers for every cluster it holds.
    if (this.replacement) return this.replacement;
    if (cluster === undefined) return this.scope?.owners;
    return this.session.scopeOf(cluster)?.owners;
  }

  /** Saves the owner links learnt so far (they are also saved every few seconds and when the scope ends). */
  async saveOwners(): Promise<void> {
    await this.scope?.saveOwners();
  }

  /** Discovery and reads of a cluster by its name (`KubeEvent.cluster`); without one (or ''), the primary's. */
  access(cluster?: string): ResourceAccess | undefined {
    const scope = cluster ? this.session.scopeOf(cluster) : this.scope;
    if (!scope) return undefined;
    const { discovery, reader } = scope;
    return {
      kinds: async () => {
        const kinds = await discovery.kinds();
        return kinds.ok ? ok(kinds.value.map((k) => ({ kind: k.kind, apiVersion: k.apiVersion, namespaced: k.namespaced }))) : kinds;
      },
      names: async (kind, namespace) => {
        const names = await reader.list(kind, namespace || undefined);
        if (!names.ok) return names;
        if (names.value.truncated) this.log.info(`[resources] listing ${kind.kind}: showing the first ${names.value.items.length}`);
        return ok(names.value.items);
      },
      namespaces: async (signal) => {
        const names = await reader.list({ apiVersion: 'v1', kind: 'Namespace' }, undefined, signal);
        return names.ok ? ok(names.value.items.map((n) => n.name)) : names;
      },
      reference: (ref) => reader.reference({ ...ref, apiVersion: ref.apiVersion || undefined }),
      yaml: async (ref) => {
        const obj = await reader.get(ref);
        if (!obj.ok) return fail(obj.reason, obj.message);
        // An open document is readable by every extension and language server: a Secret's values stay out of it.
        const { object, hidden } = withoutSecretValues(obj.value);
        const note = hidden > 0 ? `# The values of this Secret are not shown (${hidden} replaced by their sizes). kubectl get secret shows them.\n` : '';
        return ok(note + toYaml(object));
      },
    };
  }
}
