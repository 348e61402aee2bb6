import { Broadcaster } from '../core/events/broadcaster';
import { clusterKey } from '../core/clusterIdentity';
import { Emitter } from '../core/emitter';
import { errorMessage } from '../core/text/errorMessage';
import { EventStore } from '../core/events/eventStore';
import type { EventApi, EventChange } from '../core/events/kubeEvent';
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
  readonly kubeconfig: KubeconfigSource;
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

/**
 * The pipeline and the connection behind it: EventSource → Broadcaster → EventStore (and every other watcher
 * the host adds). The broadcaster and the store outlive connections; everything tied to one connection
 * lives in its {@link ConnectionScope}, replaced as a whole when the context or kubeconfig changes and
 * announced by {@link onDidChangeScope} (docs/ARCHITECTURE.md §1).
 */
export class ClusterSession implements Disposable {
  readonly broadcaster: Broadcaster<Broadcast>;
  readonly store: EventStore;
  /**
   * The events this window's recorders wrote, by uid (docs/ARCHITECTURE.md §9). It lives as long as the store
   * and is cleared with it; every change entering the broadcaster is marked `ours` from it.
   */
  readonly ours = new OurEvents();
  private current: ConnectionScope | undefined;
  /** Context and server the store's events came from. */
  private storeIdentity: string | undefined;
  private currentState: SessionState = { phase: 'idle' };
  // A listener that throws is logged: it must not keep the watch from starting, nor the next listener from running.
  private readonly stateEmitter = new Emitter<SessionState>((err) => this.log.warn(`[session] a state listener failed: ${errorMessage(err)}`));
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly scopeEmitter = new Emitter<ConnectionScope | undefined>((err) => this.log.warn(`[session] a scope listener failed: ${errorMessage(err)}`));
  /**
   * A connection's scope began or ended (undefined: no connection). Fires after the store was cleared for
   * another cluster and before the new scope's first list: history seeds the store here, so that list
   * reconciles against it (docs/ARCHITECTURE.md §10).
   */
  readonly onDidChangeScope = this.scopeEmitter.event;
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

  /** What belongs to the current connection; undefined while there is none. */
  get connectionScope(): ConnectionScope | undefined {
    return this.current;
  }

  get connection(): LoadedKubeconfig | undefined {
    return this.current?.connection;
  }

  get contextName(): string {
    return this.current?.context ?? '';
  }

  /** The namespaces being watched; empty means all. Filters never narrow this (docs/ARCHITECTURE.md). */
  get namespaces(): readonly string[] {
    return resolveScope(this.settings.scope, this.current?.connection.namespace ?? '');
  }

  get scope(): NamespaceScope {
    return this.settings.scope;
  }

  /** (Re)connects with the current settings. Returns false, with the reason in `state`, when it cannot. */
  connect(): boolean {
    this.endScope();
    const loaded = loadKubeconfig(this.settings.kubeconfig);
    if (!loaded.ok) {
      this.log.warn(`[config] ${loaded.message}`);
      this.scopeEmitter.fire(undefined);
      this.setState({ phase: 'unconfigured', reason: loaded.reason, message: loaded.message });
      return false;
    }
    const scope = new ConnectionScope(loaded.value, { logger: this.log, ownerMemory: this.opts.ownerMemory, ledger: this.ours });
    // Another cluster's events would be reconciled as deletions: another server or user starts afresh, by the
    // identity history and the owner memory are kept by (another context on the same cluster keeps the
    // store, as a namespace change does). It survives a failed load in between (A, a broken kubeconfig, B).
    const identity = clusterKey(scope.identity);
    if (this.storeIdentity !== undefined && this.storeIdentity !== identity) {
      this.store.clear();
      this.ours.clear();
    }
    this.storeIdentity = identity;
    this.current = scope;
    this.log.info(`[config] context "${scope.context}" at ${scope.connection.server} (kubeconfig: ${scope.connection.files.join(', ')})`);
    this.scopeEmitter.fire(scope);
    this.startWatch();
    return true;
  }

  /**
   * Applies new settings. Another kubeconfig or context replaces the connection scope (fresh credentials,
   * empty caches); other changes (the namespaces) restart only the list+watch in the same scope, so its
   * caches (discovery, the owner graph) survive.
   */
  update(settings: SessionSettings): void {
    const sameCluster =
      this.current !== undefined &&
      (settings.kubeconfig.path ?? '') === (this.settings.kubeconfig.path ?? '') &&
      (settings.kubeconfig.context ?? '') === (this.settings.kubeconfig.context ?? '');
    this.settings = settings;
    if (!sameCluster) {
      this.connect();
      return;
    }
    const wasPaused = this.currentState.phase === 'paused';
    this.current?.stopWatch();
    if (wasPaused) return;
    this.startWatch();
  }

  /**
   * Ends the connection without a replacement (a capture is open, docs/ARCHITECTURE.md §18). The store is kept
   * (its owner empties it); `update()` or `resume()` connects again.
   */
  disconnect(): void {
    const had = this.current;
    this.endScope();
    if (had) this.scopeEmitter.fire(undefined);
    // A window that never connected stays `idle`; any other state (an error, no kubeconfig) no longer applies.
    if (this.currentState.phase !== 'idle') this.setState({ phase: 'stopped' });
  }

  pause(): void {
    if (!this.current?.watching) return;
    this.current.stopWatch();
    this.setState({ phase: 'paused' });
  }

  /** Resumes a paused stream: a fresh list reconciles what happened meanwhile. */
  resume(): void {
    if (!this.current) this.connect();
    else if (!this.current.watching) this.startWatch();
  }

  retryNow(): void {
    if (!this.current?.retryNow()) this.connect();
  }

  dispose(): void {
    this.endScope();
    void this.broadcaster.shutdown();
    this.store.dispose();
    this.stateEmitter.dispose();
    this.scopeEmitter.dispose();
  }

  private endScope(): void {
    this.current?.dispose();
    this.current = undefined;
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

  private startWatch(): void {
    this.current?.watch(
      {
        namespaces: this.namespaces,
        preferredApi: this.settings.preferredApi,
        timing: this.settings.timing,
        sink: this.feed,
        // The store outlives sources: a restarted stream reconciles against it instead of re-adding everything.
        known: (ns) => (ns ? this.store.byNamespace(ns) : this.store.all()),
        // What the source remembers for reconciling is bounded as the store is, so it holds what the store holds.
        bounds: { maxEvents: this.store.capacity, maxBytes: this.store.maxBytes },
      },
      (s) => this.setState(s),
    );
  }

  private setState(s: SessionState): void {
    this.currentState = s;
    this.stateEmitter.fire(s);
  }
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
