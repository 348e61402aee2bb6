import { Broadcaster } from '../core/broadcaster';
import { Emitter } from '../core/emitter';
import { EventStore } from '../core/eventStore';
import type { EventApi, EventChange } from '../core/kubeEvent';
import { silentLogger, tagged, type Disposable, type Logger } from '../core/ports';
import { EventSource, type SourceState, type WatchTiming } from './eventSource';
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

/** Which cluster a connection reaches: names only, never credentials. */
export interface ClusterOfSession {
  readonly server: string;
  /** The context's user name in the kubeconfig. */
  readonly user: string;
  readonly context: string;
}

/** The item type the broadcaster distributes. */
export type Broadcast = EventChange;

/**
 * One cluster connection and the pipeline behind it: EventSource → Broadcaster → EventStore (and every
 * other watcher the host adds). The broadcaster and the store outlive connections: switching context or
 * namespaces replaces the source and keeps the history.
 */
export class ClusterSession implements Disposable {
  readonly broadcaster: Broadcaster<Broadcast>;
  readonly store: EventStore;
  private source: EventSource | undefined;
  private sourceState: Disposable | undefined;
  private loaded: LoadedKubeconfig | undefined;
  /** Context and server the store's events came from. */
  private storeIdentity: string | undefined;
  private current: SessionState = { phase: 'idle' };
  private readonly stateEmitter = new Emitter<SessionState>();
  readonly onState = this.stateEmitter.event;
  private readonly log: Logger;

  constructor(
    private settings: SessionSettings,
    private readonly opts: { storeCapacity?: number; queueLength?: number; logger?: Logger; beforeStart?: (cluster: ClusterOfSession) => void } = {},
  ) {
    this.log = opts.logger ?? silentLogger;
    this.broadcaster = new Broadcaster<Broadcast>({ queueLength: opts.queueLength ?? 1000, logger: tagged(this.log, 'broadcaster') });
    this.store = new EventStore({ capacity: opts.storeCapacity, logger: tagged(this.log, 'store') });
    this.broadcaster.watch((batch) => void this.store.applyBatch(batch), { name: 'store' });
  }

  get state(): SessionState {
    return this.current;
  }

  get connection(): LoadedKubeconfig | undefined {
    return this.loaded;
  }

  get contextName(): string {
    return this.loaded?.currentContext ?? '';
  }

  /** The namespaces being watched; empty means all. Filters never narrow this (docs/ARCHITECTURE.md). */
  get namespaces(): readonly string[] {
    return resolveScope(this.settings.scope, this.loaded?.namespace ?? '');
  }

  get scope(): NamespaceScope {
    return this.settings.scope;
  }

  /** (Re)connects with the current settings. Returns false, with the reason in `state`, when it cannot. */
  connect(): boolean {
    this.stopSource();
    this.loaded?.client.dispose();
    const loaded = loadKubeconfig(this.settings.kubeconfig);
    if (!loaded.ok) {
      this.loaded = undefined;
      this.log.warn(`[config] ${loaded.message}`);
      this.setState({ phase: 'unconfigured', reason: loaded.reason, message: loaded.message });
      return false;
    }
    // Another cluster's events would be reconciled as deletions: a different context starts a new history.
    // The identity survives a failed load in between (context A, a broken kubeconfig, then context B).
    const identity = `${loaded.value.currentContext}\u0000${loaded.value.server}`;
    if (this.storeIdentity !== undefined && this.storeIdentity !== identity) this.store.clear();
    this.storeIdentity = identity;
    this.loaded = loaded.value;
    this.log.info(`[config] context "${loaded.value.currentContext}" at ${loaded.value.server} (kubeconfig: ${loaded.value.files.join(', ')})`);
    const user = loaded.value.contexts.find((c) => c.name === loaded.value.currentContext)?.user ?? '';
    // History seeds the store here, before the first list reconciles it (docs/ARCHITECTURE.md).
    this.opts.beforeStart?.({ server: loaded.value.server, user, context: loaded.value.currentContext });
    this.startSource();
    return true;
  }

  /**
   * Applies new settings. Another kubeconfig or context reconnects with fresh credentials; other changes
   * (the namespaces) restart only the list+watch on the same client, so caches keyed to the connection
   * (discovery, the owner graph) survive.
   */
  update(settings: SessionSettings): void {
    const sameCluster =
      this.loaded !== undefined &&
      (settings.kubeconfig.path ?? '') === (this.settings.kubeconfig.path ?? '') &&
      (settings.kubeconfig.context ?? '') === (this.settings.kubeconfig.context ?? '');
    this.settings = settings;
    if (!sameCluster) {
      this.connect();
      return;
    }
    const wasPaused = this.current.phase === 'paused';
    this.stopSource();
    if (wasPaused) return;
    this.startSource();
  }

  pause(): void {
    if (!this.source) return;
    this.stopSource();
    this.setState({ phase: 'paused' });
  }

  /** Resumes a paused stream: a fresh list reconciles what happened meanwhile. */
  resume(): void {
    if (this.source || !this.loaded) {
      if (!this.loaded) this.connect();
      return;
    }
    this.startSource();
  }

  retryNow(): void {
    if (this.source) this.source.retryNow();
    else this.connect();
  }

  dispose(): void {
    this.stopSource();
    this.loaded?.client.dispose();
    void this.broadcaster.shutdown();
    this.store.dispose();
    this.stateEmitter.dispose();
  }

  private feed = (changes: EventChange[]): Promise<void> | undefined => {
    // While the incoming queue has room every change is accepted at once and the socket keeps flowing.
    // Once it is full, the rest go through action(): callers are admitted in order, so the last promise
    // settles after every earlier one and awaiting it is the backpressure for the whole batch.
    let i = 0;
    while (i < changes.length && this.broadcaster.offer(changes[i])) i++;
    if (i === changes.length) return undefined;
    const pending = changes.slice(i).map((c) => this.broadcaster.action(c));
    return Promise.all(pending).then(() => undefined);
  };

  private startSource(): void {
    if (!this.loaded) return;
    const source = new EventSource({
      client: this.loaded.client,
      namespaces: this.namespaces,
      preferredApi: this.settings.preferredApi,
      timing: this.settings.timing,
      logger: this.log,
      sink: this.feed,
      // The store outlives sources: a restarted stream reconciles against it instead of re-adding everything.
      known: (ns) => (ns ? this.store.byNamespace(ns) : this.store.all()),
    });
    this.source = source;
    this.sourceState = source.onState((s) => this.setState(s));
    source.start();
  }

  private stopSource(): void {
    this.sourceState?.dispose();
    this.sourceState = undefined;
    this.source?.stop();
    this.source = undefined;
  }

  private setState(s: SessionState): void {
    this.current = s;
    this.stateEmitter.fire(s);
  }
}

/** The namespaces a scope stands for in a context whose default namespace is `contextNamespace` ('' for none). */
export function resolveScope(scope: NamespaceScope, contextNamespace: string): readonly string[] {
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
