import { OwnerGraph } from '../core/owners/ownerGraph';
import type { SentEventsLedger } from '../core/events/ourEvents';
import type { OwnerMemory } from '../core/owners/ownerMemory';
import { tagged, type Disposable, type Logger } from '../core/ports';
import { errorMessage } from '../core/text/errorMessage';
import { MutableDisposable, RunOnceScheduler } from '../core/lifecycle';
import { fail, ok } from '../core/result';
import { Discovery } from './discovery';
import { EventSource, type EventSourceOptions, type SourceState } from './eventSource';
import type { KubeClient } from './kubeClient';
import type { LoadedKubeconfig } from './kubeConfigLoader';
import { KubeOwnerResolver } from './ownerResolver';
import { Recorder } from './recorder';
import { ResourceReader } from './resourceReader';
import { describePlan, planWatch, planWithoutReview, type WatchPlan } from './watchPlan';
import type { ClusterContext, ClusterIdentity } from '../core/clusterIdentity';

/**
 * Learnt owner links are saved at most this often, and when the scope ends: a busy cluster names new Pods
 * all the time, and each save rewrites the whole memory.
 */
const OWNER_SAVE_DELAY_MS = 10_000;
/** The longest the first list waits for what {@link ConnectionScope.holdWatch} was given (history's seed). */
const HOLD_WATCH_MAX_MS = 10_000;


export interface ConnectionScopeOptions {
  /**
   * Untagged. The scope tags what it hands Discovery (`[discovery]`), the ResourceReader (`[resources]`) and the
   * owner graph (`[owners]`); the list+watch (`[watch]`) and the Recorder (`[recorder]`) tag their own lines.
   */
  readonly logger: Logger;
  /** Where the owner graph remembers its links for this identity; none keeps them in memory only. */
  readonly ownerMemory?: (identity: ClusterIdentity) => OwnerMemory | undefined;
  /** Told of every event the recorder writes (the session's `OurEvents`, which outlives the scope). */
  readonly ledger?: SentEventsLedger;
  /**
   * The cluster's name, set on every event its watch reads: the context that first connected to this cluster
   * identity (the session keeps it while the cluster stays watched). Default: this scope's context.
   */
  readonly clusterName?: string;
}

/** How to run the list+watch: everything {@link EventSource} takes but the client. */
export type WatchOptions = Omit<EventSourceOptions, 'client' | 'logger'>;

/**
 * Everything that belongs to one connection (one kubeconfig context): the client, the list+watch, discovery,
 * object reads, the owner graph with its memory, and the recorder. It is created when a context connects and
 * disposed as a whole when another context or kubeconfig replaces it, so no cache ever answers for the wrong
 * cluster (docs/ARCHITECTURE.md §1). A namespace-only change keeps the scope and restarts the watch.
 */
export class ConnectionScope implements Disposable {
  readonly client: KubeClient;
  readonly discovery: Discovery;
  readonly reader: ResourceReader;
  readonly owners: OwnerGraph;
  private eventRecorder: Recorder | undefined;
  private source: EventSource | undefined;
  private readonly sourceState = new MutableDisposable();
  /** Set while a watch is wanted: from `watch()` (planning included) to `stopWatch()`. */
  private planning: AbortController | undefined;
  private readonly ownersLearnt: Disposable;
  private readonly saveScheduler = new RunOnceScheduler(() => void this.owners.flush(), OWNER_SAVE_DELAY_MS);
  private held: Promise<unknown> | undefined;
  private disposed = false;

  constructor(
    readonly connection: LoadedKubeconfig,
    private readonly opts: ConnectionScopeOptions,
  ) {
    const log = opts.logger;
    this.client = connection.client;
    this.discovery = new Discovery(this.client, { logger: tagged(log, 'discovery') });
    this.reader = new ResourceReader(this.client, this.discovery, { logger: tagged(log, 'resources') });
    const memory = opts.ownerMemory?.(this.identity);
    this.owners = new OwnerGraph(new KubeOwnerResolver(this.reader), { logger: tagged(log, 'owners'), ...(memory ? { memory } : {}) });
    this.ownersLearnt = this.owners.onDidLearn(() => {
      this.saveScheduler.scheduleIfIdle();
    });
  }

  get context(): string {
    return this.connection.currentContext;
  }

  /** The cluster's name: what `KubeEvent.cluster` says of this scope's events ({@link ConnectionScopeOptions.clusterName}). */
  get name(): string {
    return this.opts.clusterName ?? this.context;
  }

  /** The server URL and the client's user: what the store, history and the owner memory are kept by. */
  get identity(): ClusterIdentity {
    return { server: this.client.server, user: this.client.userName };
  }

  /** {@link identity} and the context it was reached through. */
  get cluster(): ClusterContext {
    return { ...this.identity, context: this.context };
  }

  /** The recorder behind "Emit Test Event…"; its correlator state lives as long as the connection. */
  get recorder(): Recorder {
    const discovery = this.discovery;
    this.eventRecorder ??= new Recorder({
      client: this.client,
      logger: this.opts.logger,
      ...(this.opts.ledger ? { ledger: this.opts.ledger } : {}),
      resolveKind: async (kind, apiVersion) => {
        const found = await discovery.resolve(apiVersion, kind);
        return found.ok ? ok({ apiVersion: found.value.apiVersion, kind: found.value.kind, namespaced: found.value.namespaced }) : fail(found.reason, found.message);
      },
    });
    return this.eventRecorder;
  }

  /** A list+watch is running or being planned (not stopped or paused). */
  get watching(): boolean {
    return this.planning !== undefined;
  }

  /**
   * Starts the list+watch, replacing a running one (the namespaces changed); its states go to `onState`.
   * Several namespaces are first planned as one cluster-wide stream or one per namespace (src/kube/watchPlan.ts).
   */
  watch(options: WatchOptions, onState: (state: SourceState) => void): void {
    this.stopWatch();
    if (this.disposed) return;
    const planning = new AbortController();
    this.planning = planning;
    const held = this.held;
    if (held) {
      onState({ phase: 'connecting' });
      void held.then(() => this.plan(options, onState, planning));
      return;
    }
    this.plan(options, onState, planning);
  }

  /**
   * Holds the next list+watch until `until` settles, at most 10 s: history seeds the store before the first
   * list, which then reconciles against it (docs/ARCHITECTURE.md §10). Given from `onDidChangeScope`.
   */
  holdWatch(until: Promise<unknown>): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        tagged(this.opts.logger, 'watch').warn(`history did not seed the store within ${HOLD_WATCH_MAX_MS / 1000} s; listing without it`);
        resolve();
      }, HOLD_WATCH_MAX_MS);
    });
    const held = Promise.race([until.catch(() => undefined), timeout]).finally(() => {
      clearTimeout(timer);
      if (this.held === held) this.held = undefined;
    });
    this.held = held;
  }

  private plan(options: WatchOptions, onState: (state: SourceState) => void, planning: AbortController): void {
    if (this.planning !== planning || planning.signal.aborted) return;
    const selected = options.namespaces ?? [];
    const log = tagged(this.opts.logger, 'watch');
    const begin = (plan: WatchPlan): void => {
      if (this.planning !== planning || planning.signal.aborted) return;
      this.sourceState.clear();
      this.source?.stop();
      const chosen: WatchOptions =
        plan.kind === 'perNamespace'
          ? { ...options, namespaces: plan.namespaces }
          : { ...options, namespaces: [], only: plan.only, preferredApi: plan.api ?? options.preferredApi };
      const source = new EventSource({ ...chosen, client: this.client, logger: this.opts.logger, cluster: this.name });
      this.source = source;
      const only = plan.kind === 'clusterWide' ? plan.only : undefined;
      this.sourceState.value = source.onDidChangeState((state) => {
        // The review said yes but the apiserver refuses the cluster-wide stream (RBAC changed, another
        // authorizer): the selected namespaces one by one may still be allowed.
        if (only && state.phase === 'error' && state.reason === 'forbidden') {
          log.warn(`the cluster-wide list+watch was refused; one list+watch per namespace (${only.length}) instead`);
          queueMicrotask(() => begin({ kind: 'perNamespace', namespaces: only, why: 'the cluster-wide list+watch was refused' }));
          return;
        }
        onState(state);
      });
      source.start();
    };
    const direct = planWithoutReview(selected);
    if (direct) {
      begin(direct);
      return;
    }
    onState({ phase: 'connecting' });
    planWatch(this.client, selected, options.preferredApi, planning.signal)
      .then((plan) => {
        if (this.planning !== planning) return;
        log.info(`${selected.length} namespaces selected: ${describePlan(plan, selected.length)}`);
        begin(plan);
      })
      .catch((err: unknown) => log.error(`could not start the list+watch: ${errorMessage(err)}`));
  }

  stopWatch(): void {
    this.planning?.abort();
    this.planning = undefined;
    this.sourceState.clear();
    this.source?.stop();
    this.source = undefined;
  }

  /** Retries a waiting list+watch at once; false when none is wanted. */
  retryNow(): boolean {
    this.source?.retryNow();
    return this.planning !== undefined;
  }

  /** Saves the owner links learnt since the last save. */
  saveOwners(): Promise<void> {
    this.saveScheduler.cancel();
    return this.owners.flush();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWatch();
    this.eventRecorder?.dispose();
    this.ownersLearnt.dispose();
    // The memory writes synchronously: what was learnt is saved before the graph goes.
    void this.saveOwners();
    this.owners.dispose();
    this.client.dispose();
  }
}
