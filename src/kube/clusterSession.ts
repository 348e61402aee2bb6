import { Broadcaster } from '../core/events/broadcaster';
import { clusterKey, type ClusterIdentity } from '../core/clusterIdentity';
import { Emitter } from '../core/emitter';
import { errorMessage } from '../core/text/errorMessage';
import { EventStore } from '../core/events/eventStore';
import type { EventApi, EventChange, KubeEvent } from '../core/events/kubeEvent';
import { OurEvents } from '../core/events/ourEvents';
import { silentLogger, tagged, type Disposable, type Logger } from '../core/ports';
import { ConnectionScope, type ConnectionScopeOptions } from './connectionScope';
import type { SourceState, WatchTiming } from './eventSource';
import { loadKubeconfig, type KubeconfigProblem, type KubeconfigSource, type LoadedKubeconfig } from './kubeConfigLoader';

/** What the session is doing: the stream's own state, or why there is no stream. */
export type SessionState =
  | SourceState
  | { readonly phase: 'paused' }
  | { readonly phase: 'unconfigured'; readonly reason: KubeconfigProblem; readonly message: string };

/**
 * What to watch: the context's namespace (all namespaces when the context names none), like kubectl
 * without `-n`; every namespace (kubectl `-A`); or the listed ones.
 */
export type NamespaceScope = { readonly kind: 'context' } | { readonly kind: 'all' } | { readonly kind: 'list'; readonly names: readonly string[] };

export interface SessionSettings {
  /** The kubeconfig, and the context of the first (primary) cluster. */
  readonly kubeconfig: KubeconfigSource;
  /**
   * Every context watched at once (Select Contexts…), the first being `kubeconfig.context`; fewer than two
   * watches `kubeconfig.context` alone, as before.
   */
  readonly contexts?: readonly string[];
  readonly scope: NamespaceScope;
  readonly preferredApi?: EventApi;
  readonly timing?: Partial<WatchTiming>;
}

export interface SessionOptions {
  /** The store's bound (its own default when not given). */
  readonly storeCapacity?: number;
  /** The store's bound in estimated bytes (its own default when not given). */
  readonly storeMaxBytes?: number;
  /** The broadcaster's queue lengths (its own default when not given). */
  readonly queueLength?: number;
  readonly logger?: Logger;
  /** Where each connection's owner graph remembers its links (see {@link ConnectionScopeOptions}). */
  readonly ownerMemory?: ConnectionScopeOptions['ownerMemory'];
}

/** The item type the broadcaster distributes. */
export type Broadcast = EventChange;

/** One cluster the session watches, as the status bar and the views show it. */
export interface WatchedCluster {
  /** The cluster's name (`KubeEvent.cluster`): the context that first connected to this cluster identity. */
  readonly name: string;
  /** The context it is connected through now. */
  readonly context: string;
  /** Server and user; undefined when the context could not be loaded. */
  readonly identity: ClusterIdentity | undefined;
  /** Its own stream's state (or why there is none): one cluster failing never changes another's. */
  readonly state: SessionState;
  /** Its connection; undefined when the context could not be loaded. */
  readonly scope: ConnectionScope | undefined;
}

/** A watched cluster while the session holds it. */
interface Connected {
  readonly name: string;
  readonly context: string;
  readonly key: string | undefined;
  readonly scope: ConnectionScope | undefined;
  state: SessionState;
}

/**
 * The pipeline and the connections behind it: EventSource → Broadcaster → EventStore (and every other watcher
 * the host adds). The broadcaster and the store outlive connections; everything tied to one connection
 * lives in its {@link ConnectionScope}, replaced as a whole when the context or kubeconfig changes and
 * announced by {@link onDidChangeScope} (docs/ARCHITECTURE.md §1). Several contexts (Select Contexts…) are one
 * scope per cluster, all feeding the one broadcaster; the first is the primary, which `connectionScope`,
 * `state` and `contextName` speak of, so a single context works as it always did.
 */
export class ClusterSession implements Disposable {
  readonly broadcaster: Broadcaster<Broadcast>;
  readonly store: EventStore;
  /**
   * The events this window's recorders wrote, by uid (docs/ARCHITECTURE.md §9). It lives as long as the store
   * and is cleared with it; every change entering the broadcaster is marked `ours` from it.
   */
  readonly ours = new OurEvents();
  /** The clusters watched, the primary first. */
  private connected: Connected[] = [];
  /**
   * The clusters whose events the store holds, by `clusterKey`, with their names. A name sticks while its
   * cluster stays watched (another context of the same cluster keeps it); it survives a failed load in between.
   */
  private readonly names = new Map<string, string>();
  private currentState: SessionState = { phase: 'idle' };
  // A listener that throws is logged: it must not keep the watch from starting, nor the next listener from running.
  private readonly stateEmitter = new Emitter<SessionState>((err) => this.log.warn(`[session] a state listener failed: ${errorMessage(err)}`));
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly scopeEmitter = new Emitter<ConnectionScope | undefined>((err) => this.log.warn(`[session] a scope listener failed: ${errorMessage(err)}`));
  /**
   * The primary connection's scope began or ended (undefined: no connection). Fires after the store was cleared
   * for another cluster and before the new scope's first list: history seeds the store here, so that list
   * reconciles against it (docs/ARCHITECTURE.md §10).
   */
  readonly onDidChangeScope = this.scopeEmitter.event;
  private readonly beginEmitter = new Emitter<ConnectionScope>((err) => this.log.warn(`[session] a scope listener failed: ${errorMessage(err)}`));
  /** Each cluster's scope began, the primary's included, before its first list (each cluster's history seeds here). */
  readonly onDidBeginScope = this.beginEmitter.event;
  private readonly clustersEmitter = new Emitter<readonly WatchedCluster[]>((err) => this.log.warn(`[session] a clusters listener failed: ${errorMessage(err)}`));
  /** The set of clusters watched changed, or one cluster's state did. */
  readonly onDidChangeClusters = this.clustersEmitter.event;
  private readonly log: Logger;

  constructor(
    private settings: SessionSettings,
    private readonly opts: SessionOptions = {},
  ) {
    this.log = opts.logger ?? silentLogger;
    this.broadcaster = new Broadcaster<Broadcast>({ queueLength: opts.queueLength, logger: tagged(this.log, 'broadcaster') });
    this.store = new EventStore({ capacity: opts.storeCapacity, maxBytes: opts.storeMaxBytes, logger: tagged(this.log, 'store') });
    this.broadcaster.watch((batch) => void this.store.applyBatch(batch), { name: 'store' });
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** What belongs to the primary connection; undefined while there is none. */
  get connectionScope(): ConnectionScope | undefined {
    return this.connected[0]?.scope;
  }

  /** Every cluster watched, the primary first, each with its own state. */
  get clusters(): readonly WatchedCluster[] {
    return this.connected.map((c) => ({ name: c.name, context: c.context, identity: c.scope?.identity, state: c.state, scope: c.scope }));
  }

  /** The scope of the cluster of this name (`KubeEvent.cluster`); undefined for none watched. */
  scopeOf(cluster: string | undefined): ConnectionScope | undefined {
    return cluster === undefined ? undefined : this.connected.find((c) => c.name === cluster)?.scope;
  }

  get connection(): LoadedKubeconfig | undefined {
    return this.connectionScope?.connection;
  }

  get contextName(): string {
    return this.connectionScope?.context ?? '';
  }

  /** The namespaces being watched; empty means all. Filters never narrow this (docs/ARCHITECTURE.md). */
  get namespaces(): readonly string[] {
    return resolveScope(this.settings.scope, this.connectionScope?.connection.namespace ?? '');
  }

  get scope(): NamespaceScope {
    return this.settings.scope;
  }

  /** (Re)connects with the current settings. Returns false, with the reason in `state`, when it cannot. */
  connect(): boolean {
    this.endScopes();
    const wanted = wantedContexts(this.settings);
    const first = loadKubeconfig({ ...this.settings.kubeconfig, context: wanted[0] });
    if (!first.ok) {
      this.log.warn(`[config] ${first.message}`);
      this.scopeEmitter.fire(undefined);
      this.setState({ phase: 'unconfigured', reason: first.reason, message: first.message });
      this.clustersEmitter.fire(this.clusters);
      return false;
    }
    // Each further context on its own: one that cannot be loaded is shown as such and hides nothing else.
    const loads: Array<{ context: string; loaded: LoadedKubeconfig | undefined; key: string | undefined; problem?: SessionState }> = [];
    const keys = new Set<string>();
    for (let i = 0; i < wanted.length; i++) {
      const result = i === 0 ? first : loadKubeconfig({ ...this.settings.kubeconfig, context: wanted[i] });
      if (!result.ok) {
        this.log.warn(`[config] ${result.message}`);
        loads.push({ context: wanted[i] ?? '', loaded: undefined, key: undefined, problem: { phase: 'unconfigured', reason: result.reason, message: result.message } });
        continue;
      }
      const key = clusterKey({ server: result.value.client.server, user: result.value.client.userName });
      // Two contexts of one cluster (server and user) are one cluster: the first one watches it.
      if (keys.has(key)) {
        const same = loads.find((l) => l.key === key);
        this.log.info(`[config] context "${result.value.currentContext}" reaches the same cluster as "${same?.context ?? ''}"; it is watched once`);
        result.value.client.dispose();
        continue;
      }
      keys.add(key);
      loads.push({ context: result.value.currentContext, loaded: result.value, key });
    }
    this.forgetClustersBut(keys);
    const multi = loads.length > 1;
    const taken = new Set<string>();
    for (const l of loads) {
      if (!l.loaded || !l.key) {
        this.connected.push({ name: l.context, context: l.context, key: undefined, scope: undefined, state: l.problem ?? { phase: 'idle' } });
        continue;
      }
      const kept = this.names.get(l.key);
      // A kept name another cluster of this set goes by now (a context edited to reach another server) gives way.
      const name = kept !== undefined && !taken.has(kept) && !loads.some((o) => o !== l && o.context === kept) ? kept : l.context;
      taken.add(name);
      this.names.set(l.key, name);
      const scope = new ConnectionScope(l.loaded, {
        logger: multi ? tagged(this.log, name) : this.log,
        ownerMemory: this.opts.ownerMemory,
        ledger: this.ours,
        clusterName: name,
      });
      this.connected.push({ name, context: l.context, key: l.key, scope, state: { phase: 'connecting' } });
      this.log.info(`[config] context "${scope.context}" at ${scope.connection.server} (kubeconfig: ${scope.connection.files.join(', ')})`);
    }
    for (const c of this.connected) if (c.scope) this.beginEmitter.fire(c.scope);
    this.scopeEmitter.fire(this.connectionScope);
    for (const c of this.connected) this.startWatch(c);
    this.clustersEmitter.fire(this.clusters);
    return true;
  }

  /**
   * Another cluster's events would be reconciled as deletions: a cluster no longer watched (another server or
   * user, by the identity history and the owner memory are kept by) leaves the store, its events and only
   * its; another context of a cluster still watched keeps them, as a namespace change does. When none of the
   * clusters stays, the store and the ledger start afresh.
   */
  private forgetClustersBut(keys: ReadonlySet<string>): void {
    const gone = [...this.names].filter(([key]) => !keys.has(key));
    if (gone.length === 0) return;
    if (gone.length === this.names.size) {
      this.store.clear();
      this.ours.clear();
    } else {
      const names = new Set(gone.map(([, name]) => name));
      this.store.removeWhere((e) => e.cluster !== undefined && names.has(e.cluster));
    }
    for (const [key] of gone) this.names.delete(key);
  }

  /**
   * Applies new settings. Another kubeconfig or context replaces the connection scopes (fresh credentials,
   * empty caches); other changes (the namespaces) restart only the list+watch in the same scopes, so their
   * caches (discovery, the owner graph) survive.
   */
  update(settings: SessionSettings): void {
    const sameCluster =
      this.connected.length > 0 &&
      (settings.kubeconfig.path ?? '') === (this.settings.kubeconfig.path ?? '') &&
      wantedContexts(settings).join('\u0000') === wantedContexts(this.settings).join('\u0000');
    this.settings = settings;
    if (!sameCluster) {
      this.connect();
      return;
    }
    const wasPaused = this.currentState.phase === 'paused';
    for (const c of this.connected) c.scope?.stopWatch();
    if (wasPaused) return;
    for (const c of this.connected) this.startWatch(c);
  }

  /**
   * Ends the connection without a replacement (a capture is open, docs/ARCHITECTURE.md §18). The store is kept
   * (its owner empties it); `update()` or `resume()` connects again.
   */
  disconnect(): void {
    const had = this.connected.length > 0;
    this.endScopes();
    if (had) {
      this.scopeEmitter.fire(undefined);
      this.clustersEmitter.fire(this.clusters);
    }
    // A window that never connected stays `idle`; any other state (an error, no kubeconfig) no longer applies.
    if (this.currentState.phase !== 'idle') this.setState({ phase: 'stopped' });
  }

  pause(): void {
    if (!this.connected.some((c) => c.scope?.watching)) return;
    for (const c of this.connected) {
      if (!c.scope) continue;
      c.scope.stopWatch();
      c.state = { phase: 'paused' };
    }
    this.setState({ phase: 'paused' });
    this.clustersEmitter.fire(this.clusters);
  }

  /** Resumes a paused stream: a fresh list reconciles what happened meanwhile. */
  resume(): void {
    if (this.connected.length === 0) {
      this.connect();
      return;
    }
    for (const c of this.connected) if (c.scope && !c.scope.watching) this.startWatch(c);
  }

  retryNow(): void {
    const primary = this.connected[0]?.scope;
    if (!primary?.retryNow() || this.connected.some((c) => !c.scope)) {
      this.connect();
      return;
    }
    for (const c of this.connected.slice(1)) c.scope?.retryNow();
  }

  dispose(): void {
    this.endScopes();
    void this.broadcaster.shutdown();
    this.store.dispose();
    this.stateEmitter.dispose();
    this.scopeEmitter.dispose();
    this.beginEmitter.dispose();
    this.clustersEmitter.dispose();
  }

  private endScopes(): void {
    for (const c of this.connected) c.scope?.dispose();
    this.connected = [];
  }

  private feed = (input: EventChange[]): Promise<void> | undefined => {
    const changes = input.map(this.markOurs);
    // While the incoming queue has room every change is accepted at once and the socket keeps flowing.
    // Once it is full, the rest go through action(): callers are admitted in order, so the last promise
    // settles after every earlier one and awaiting it is the backpressure for the whole batch.
    let i = 0;
    while (i < changes.length && this.broadcaster.offer(changes[i])) i++;
    if (i === changes.length) return undefined;
    const pending = changes.slice(i).map((c) => this.broadcaster.action(c));
    return Promise.all(pending).then(() => undefined);
  };

  /**
   * Marks an event the recorder wrote, or one the store already holds as ours (seeded from history, or marked
   * at an earlier change): only what our recorder sent is ours, whatever the event's fields say.
   */
  private markOurs = (change: EventChange): EventChange => {
    const e = change.event;
    if (e.ours || !(this.ours.isOurs(e) || this.store.get(e.uid)?.ours === true)) return change;
    return { ...change, event: { ...e, ours: true } };
  };

  private startWatch(c: Connected): void {
    const scope = c.scope;
    if (!scope) return;
    const name = c.name;
    scope.watch(
      {
        namespaces: resolveScope(this.settings.scope, scope.connection.namespace),
        preferredApi: this.settings.preferredApi,
        timing: this.settings.timing,
        sink: this.feed,
        // The store outlives sources: a restarted stream reconciles against it instead of re-adding everything.
        // Only against its own cluster's events: another cluster's would be reconciled as deletions.
        known: (ns) => ofCluster(ns ? this.store.byNamespace(ns) : this.store.all(), name),
        // What the source remembers for reconciling is bounded as the store is, so it holds what the store holds.
        bounds: { maxEvents: this.store.capacity, maxBytes: this.store.maxBytes },
      },
      (s) => this.setClusterState(c, s),
    );
  }

  private setClusterState(c: Connected, s: SessionState): void {
    // A stopped scope's late report is not news.
    if (!this.connected.includes(c)) return;
    c.state = s;
    if (c === this.connected[0]) this.setState(s);
    this.clustersEmitter.fire(this.clusters);
  }

  private setState(s: SessionState): void {
    this.currentState = s;
    this.stateEmitter.fire(s);
  }
}

/** The contexts a session's settings ask for, the primary first ([undefined]: the kubeconfig's current-context). */
function wantedContexts(settings: SessionSettings): ReadonlyArray<string | undefined> {
  const list = settings.contexts?.filter((c) => c !== '') ?? [];
  return list.length > 1 ? [...new Set(list)] : [settings.kubeconfig.context];
}

/** The events of one cluster (and those of none, built by hand). */
function* ofCluster(events: Iterable<KubeEvent>, name: string): Iterable<KubeEvent> {
  for (const e of events) if (e.cluster === undefined || e.cluster === name) yield e;
}

/** The namespaces a scope stands for in a context whose default namespace is `contextNamespace` ('' for none). */
function resolveScope(scope: NamespaceScope, contextNamespace: string): readonly string[] {
  switch (scope.kind) {
    case 'all':
      return [];
    case 'list':
      return scope.names;
    case 'context':
      return contextNamespace ? [contextNamespace] : [];
    default: {
      const never: never = scope;
      return never;
    }
  }
}
