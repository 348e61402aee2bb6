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
  /** The listeners on the current scope's owner graph, replaced with the scope. */
  private readonly graphListeners = this.register(new MutableDisposable());
  /** The graph that stands in for the connection's (see {@link useGraph}). */
  private replacement: OwnerGraph | undefined;

  constructor(
    private readonly session: ClusterSession,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(session.onDidChangeScope((scope) => this.follow(scope)));
    this.follow(session.connectionScope);
  }

  private get scope(): ConnectionScope | undefined {
    return this.session.connectionScope;
  }

  private follow(scope: ConnectionScope | undefined): void {
    this.graphListeners.clear();
    const graph = this.replacement ?? scope?.owners;
    if (!graph) return;
    const changed = (): void => this.learnNotice.scheduleIfIdle();
    this.graphListeners.value = combinedDisposable(graph.onDidLearn(changed), graph.onDidMiss(changed));
  }

  /**
   * Answers `under:` from `graph` instead of the connection's (an open capture's records, docs/ARCHITECTURE.md
   * §18), or from the connection's again (undefined).
   */
  useGraph(graph: OwnerGraph | undefined): void {
    this.replacement = graph;
    this.follow(this.scope);
    this.learnNotice.schedule();
  }

  /** The recorder behind "Emit Test Event…"; its correlator state lives as long as the connection. */
  recorder(): Recorder | undefined {
    return this.scope?.recorder;
  }

  /** Reads one object's metadata (the language server's existence checks); undefined when not connected. */
  metadata(ref: ObjectKeyWith<never, 'apiVersion'>): Promise<Result<ObjectMetadata, ReadProblem>> | undefined {
    return this.scope?.reader.metadata(ref);
  }

  owners(): OwnerGraph | undefined {
    return this.replacement ?? this.scope?.owners;
  }

  /** Saves the owner links learnt so far (they are also saved every few seconds and when the scope ends). */
  async saveOwners(): Promise<void> {
    await this.scope?.saveOwners();
  }

  access(): ResourceAccess | undefined {
    const scope = this.scope;
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
