/**
 * The host half of the language-server protocol (src/protocol/languageServer.ts), free of `vscode` so it runs
 * under plain Node. `LanguageClientHost` owns one and relays messages; it takes each subscription, asks for
 * the cluster when the documents need it, and hands the rest to its two halves:
 *
 * - {@link ObjectFeed} (objectFeed.ts): what the objects the open manifests name have (existence, events);
 * - {@link ReasonFeed} (reasonFeed.ts): the state of the reasons Go recorder calls name, and the known reasons.
 *
 * A tick every {@link WINDOW_TICK_MS} recomputes both, so that events leave the window.
 */
import type { Subscribe } from '../../core/emitter';
import type { EventStore } from '../../core/events/eventStore';
import { systemClock, systemTimers, type Clock, type Logger, type Timers } from '../../core/ports';
import { DisposableOwner } from '../disposable';
import { FEED_BATCH_MS, isSubscribeParams, type ObjectKeyDto, type ObjectsParams, type ReasonsParams } from '../../protocol/languageServer';
import { errorMessage } from '../../core/text/errorMessage';
import { ObjectFeed, type ExistsAnswer, type FeedOwners } from './objectFeed';
import { ReasonFeed } from './reasonFeed';

/** How often every state is recomputed so that events leave the window. */
const WINDOW_TICK_MS = 15_000;

export interface LanguageServerFeedOptions {
  readonly store: Pick<EventStore, 'onDidChange' | 'byNamespace' | 'byObject' | 'byReason' | 'reasons'>;
  readonly owners: () => FeedOwners | undefined;
  /** Fires when the owner graph learnt more (throttled by the caller). */
  readonly onDidLearnOwners?: Subscribe<unknown>;
  readonly exists: (object: ObjectKeyDto) => Promise<ExistsAnswer>;
  readonly sendObjects: (params: ObjectsParams) => void;
  readonly sendReasons: (params: ReasonsParams) => void;
  /** `kubeEvents.editor.window` in milliseconds, read at each evaluation. */
  readonly windowMs: () => number;
  /**
   * A subscription names a Kubernetes object (apiVersion and kind) or says a recorder call is open: a reason
   * to connect (docs/ARCHITECTURE.md §13). A docker-compose file or a workflow has neither.
   */
  readonly wantCluster?: () => void;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly batchMs?: number;
}

export class LanguageServerFeed extends DisposableOwner {
  private readonly objectFeed: ObjectFeed;
  private readonly reasonFeed: ReasonFeed;
  private readonly log: Logger;
  /** Well-formed subscriptions received so far (the extension-host suite waits for the server's first). */
  subscriptions = 0;

  constructor(private readonly options: LanguageServerFeedOptions) {
    super();
    const clock = options.clock ?? systemClock;
    const timers = options.timers ?? systemTimers;
    this.log = options.logger;
    this.objectFeed = this.register(
      new ObjectFeed({
        store: options.store,
        owners: options.owners,
        onDidLearnOwners: options.onDidLearnOwners,
        exists: options.exists,
        sendObjects: this.guarded(options.sendObjects),
        windowMs: options.windowMs,
        logger: options.logger,
        clock,
        timers,
        batchMs: options.batchMs ?? FEED_BATCH_MS,
      }),
    );
    this.reasonFeed = this.register(new ReasonFeed({ store: options.store, sendReasons: this.guarded(options.sendReasons), windowMs: options.windowMs, clock, timers }));
    const tickTimer = timers.setInterval(() => this.refresh(), WINDOW_TICK_MS);
    this.register({ dispose: () => timers.clearInterval(tickTimer) });
  }

  /** Bytes sent so far (JSON length), for the benchmark. */
  get bytesSent(): number {
    return this.objectFeed.bytesSent + this.reasonFeed.bytesSent;
  }

  /** Handles `kubeEvents/subscribe`; anything malformed is logged and ignored. */
  subscribe(params: unknown): void {
    if (this.isDisposed) return;
    if (!isSubscribeParams(params)) {
      this.log.warn('ignored a malformed subscription from the language server');
      return;
    }
    this.subscriptions++;
    if (params.recorderCalls || params.objects.some((o) => o.apiVersion !== '' && o.kind !== '')) this.options.wantCluster?.();
    this.objectFeed.subscribe(params.objects);
    this.reasonFeed.subscribe(params.reasons, params.completesReasons, this.objectFeed.watching);
  }

  /** The connection changed: everything is read again. */
  reset(): void {
    this.objectFeed.reset();
    this.reasonFeed.reset();
  }

  /** Sends every state again (a restarted server knows nothing). */
  resend(): void {
    this.objectFeed.resend();
    this.reasonFeed.resend();
  }

  /** Computes every state again (the window passed, or changed); only states that changed are sent. */
  refresh(): void {
    this.objectFeed.refresh();
    this.reasonFeed.refresh();
  }

  /** A send that throws (the connection is closing) is logged and dropped, so a feed's state stays consistent. */
  private guarded<P>(send: (params: P) => void): (params: P) => void {
    return (params) => {
      try {
        send(params);
      } catch (err) {
        this.log.debug(`send failed: ${errorMessage(err)}`);
      }
    };
  }
}
