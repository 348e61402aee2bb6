import { Emitter, type Subscribe } from '../emitter';
import { silentLogger, type Disposable, type Logger } from '../ports';
import { errorMessage } from '../text/errorMessage';

/**
 * A fan-out queue with the semantics of apimachinery's `watch.Broadcaster` (pkg/watch/mux.go), adapted to a
 * single-threaded event loop. The EventSource feeds it `EventChange`s; the store, log and status sinks watch it.
 *
 * - One incoming queue of `queueLength` items (like `NewLongQueueBroadcaster`), drained by a distribution loop
 *   that runs in microtasks, and one bounded queue of `queueLength` items per watcher.
 * - A watcher's sink receives everything queued for it as one batch. A sink that returns a promise keeps its
 *   watcher busy until the promise settles; meanwhile its queue fills while the other watchers carry on.
 * - A full watcher queue drops (client-go's `DropIfChannelFull`, as its record broadcaster uses): an item that
 *   finds a watcher's queue full is dropped for that watcher only, and counted. A full incoming queue never
 *   drops: `action()` waits for room (backpressure on the producer) and `offer()` says no and leaves the item
 *   with its caller, who can pause its socket; `ClusterSession` feeds the broadcaster through these two.
 *
 * Differences from client-go, all deliberate: sinks get batches rather than one item per receive; `offer()` is
 * ours; `shutdown()` is idempotent; and three parts nothing here would call are left out:
 * - `WaitIfChannelFull`: one slow view would stall every view and, through `action()`, the watch;
 * - `WatchWithPrefix`: a view that needs what came before reads the store (`EventStore.snapshot()`);
 * - `ActionOrDrop`: client-go's recorder drops with it so that `Eventf` never blocks a controller. Our producer
 *   can hold back instead (above), and our recorder (src/kube/recorder.ts) does not go through a broadcaster:
 *   its callers are commands that await each event's outcome, so it queues them one at a time and drops none.
 */

/** Options for {@link Broadcaster}; every field has a default. */
export interface BroadcasterOptions {
  /** Length of the incoming queue and of each watcher's queue. Default 1000 (client-go's `maxQueuedEvents`). */
  readonly queueLength?: number;
  /** Receives sink failures (warn). Messages are not tagged: pass a `tagged(log, 'broadcaster')` logger. */
  readonly logger?: Logger;
}

/**
 * Consumes the items a watcher is sent, in order, in batches of one or more. Return a promise to hold further
 * batches until it settles. A throw or a rejection is logged and the next batch is delivered as usual.
 * The batch array belongs to the sink: the broadcaster never touches it again.
 */
export type Sink<T> = (batch: readonly T[]) => void | PromiseLike<void>;

/** Options for {@link Broadcaster.watch}. */
export interface WatchOptions {
  /** Shown in logs and stats. Default `watcher-<n>`. */
  readonly name?: string;
}

/** A registration returned by {@link Broadcaster.watch}. Counters are cumulative over the watcher's life. */
export interface Watcher extends Disposable {
  readonly name: string;
  /** Items dropped for this watcher because its queue was full. */
  readonly dropped: number;
  /** Items waiting for the sink. */
  readonly queued: number;
  /** Items handed to the sink, whether or not the sink then failed. */
  readonly delivered: number;
  readonly closed: boolean;
}

/** One watcher's counters, as {@link Broadcaster.stats} reports them. */
export interface WatcherStats {
  readonly name: string;
  readonly queued: number;
  readonly dropped: number;
  readonly delivered: number;
}

/** A point-in-time view of the broadcaster's queues for the status bar and diagnostics. */
export interface BroadcasterStats {
  /** Items in the incoming queue, not yet distributed. */
  readonly incoming: number;
  /** `action()` calls waiting for room in the incoming queue. */
  readonly waiting: number;
  /** Every drop of every watcher, disposed ones included. */
  readonly totalDropped: number;
  readonly watchers: readonly WatcherStats[];
}

/**
 * Fired by {@link Broadcaster.onDidDrop} after items were dropped, at most once per distribution pass and source,
 * so a drop storm costs one report per batch rather than one per item.
 */
export interface DropReport {
  /** The watcher that missed items. */
  readonly watcher: string;
  /** Items dropped since the previous report for the same source. */
  readonly count: number;
  /** The broadcaster's `totalDropped` after these drops. */
  readonly totalDropped: number;
}

/** Thrown by `offer`/`watch` and rejected by `action` once `shutdown()` was called. */
export class BroadcasterStoppedError extends Error {
  override readonly name = 'BroadcasterStoppedError';

  constructor() {
    super('broadcaster already stopped');
  }

  static is(err: unknown): err is BroadcasterStoppedError {
    return err instanceof BroadcasterStoppedError;
  }
}

/** client-go's `maxQueuedEvents`: the incoming queue and each watcher's queue hold this many items by default. */
const DEFAULT_QUEUE_LENGTH = 1000;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A FIFO on a power-of-two ring that grows on demand; the caller enforces the logical bound. Avoids
 * `Array.shift`, which is linear on large arrays.
 */
class Ring<T> {
  private buf: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  size = 0;

  push(value: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = value;
    this.size++;
  }

  shift(): T {
    const value = this.buf[this.head] as T;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return value;
  }

  /** Removes and returns every item, oldest first. */
  takeAll(): T[] {
    const out = new Array<T>(this.size);
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.size; i++) {
      const at = (this.head + i) & mask;
      out[i] = this.buf[at] as T;
      this.buf[at] = undefined;
    }
    this.head = 0;
    this.size = 0;
    return out;
  }

  clear(): void {
    this.buf = new Array<T | undefined>(8);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.buf.length * 2);
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & mask];
    this.buf = next;
    this.head = 0;
  }
}

interface PendingSend<T> {
  readonly item: T;
  readonly resolve: () => void;
}

interface Stopping {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  done: boolean;
}

/**
 * What a watcher tells its broadcaster. The broadcaster hands each watcher a private object with these, so they
 * are not part of its public surface.
 */
interface WatcherOwner<T> {
  disposed(watcher: BroadcastWatcher<T>): void;
  /** A watcher has nothing left to deliver (a shutdown may be waiting for that). */
  idle(): void;
  sinkFailed(watcher: BroadcastWatcher<T>, err: unknown): void;
}

/** The broadcaster's side of a watcher; only the {@link Watcher} view leaves this module. */
class BroadcastWatcher<T> implements Watcher {
  readonly queue = new Ring<T>();
  dropped = 0;
  delivered = 0;
  /** Drops not yet reported through onDidDrop. */
  unreportedDrops = 0;
  closed = false;
  /** The sink's promise has not settled yet. */
  busy = false;
  flushScheduled = false;

  constructor(
    private readonly owner: WatcherOwner<T>,
    readonly name: string,
    /** Sequence number of the first item accepted after `watch()`: earlier items are not this watcher's. */
    readonly startSeq: number,
    private readonly sink: Sink<T>,
  ) {}

  get queued(): number {
    return this.queue.size;
  }

  dispose(): void {
    if (this.closed) return;
    this.close();
    this.owner.disposed(this);
  }

  /** Marks the watcher closed and tells its owner once; queued items are discarded. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
  }

  enqueue(item: T): void {
    this.queue.push(item);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (this.flushScheduled || this.busy) return;
    this.flushScheduled = true;
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.run();
  };

  private readonly settled = (): void => {
    this.busy = false;
    this.run();
  };

  private readonly failed = (err: unknown): void => {
    this.owner.sinkFailed(this, err);
    this.settled();
  };

  /** Hands batches to the sink until the queue is empty or the sink is busy with a promise. */
  private run(): void {
    while (!this.closed && !this.busy && this.queue.size > 0) {
      const batch = this.queue.takeAll();
      this.delivered += batch.length;
      let result: void | PromiseLike<void>;
      try {
        result = this.sink(batch);
      } catch (err) {
        this.owner.sinkFailed(this, err);
        continue;
      }
      if (result !== undefined && result !== null && typeof result.then === 'function') {
        this.busy = true;
        result.then(this.settled, this.failed);
        return;
      }
    }
    this.owner.idle();
  }
}

/**
 * Distributes every item it accepts to every watcher registered before the item was accepted. See the module
 * comment for the queueing model. Owned by `ClusterSession` (src/kube/clusterSession.ts), which outlives
 * connections; `dispose()` shuts it down.
 */
export class Broadcaster<T> implements Disposable {
  readonly queueLength: number;
  /** Fired after drops, coalesced per distribution pass (see {@link DropReport}). */
  readonly onDidDrop: Subscribe<DropReport>;

  private readonly log: Logger;
  private readonly incoming = new Ring<T>();
  private readonly senders = new Ring<PendingSend<T>>();
  // Copy-on-write, so a loop over it survives a watcher disposed meanwhile (by an onDidDrop listener, say).
  private watchers: readonly BroadcastWatcher<T>[] = [];
  private nextWatcherId = 1;
  /** Items ever accepted into incoming; the sequence number of the next accepted item. */
  private accepted = 0;
  /** Items ever taken from incoming; the sequence number of the next one to distribute. */
  private distributed = 0;
  private watcherDropped = 0;
  private drainScheduled = false;
  private reportScheduled = false;
  private stopping: Stopping | undefined;
  private readonly dropEmitter: Emitter<DropReport>;

  constructor(options: BroadcasterOptions = {}) {
    const queueLength = options.queueLength ?? DEFAULT_QUEUE_LENGTH;
    if (!Number.isInteger(queueLength) || queueLength < 1) {
      throw new RangeError(`queueLength must be a positive integer, got ${queueLength}`);
    }
    this.queueLength = queueLength;
    this.log = options.logger ?? silentLogger;
    this.dropEmitter = new Emitter<DropReport>((err) => this.log.warn(`onDidDrop listener failed: ${errorMessage(err)}`));
    this.onDidDrop = this.dropEmitter.event;
  }

  /** True once `shutdown()` was called: nothing more is accepted. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Queues an item for distribution. Resolves once the item is in the incoming queue, at once when there is
   * room, otherwise when distribution makes room (backpressure; callers are admitted in call order). Rejects with
   * {@link BroadcasterStoppedError} after `shutdown()`. Callers already waiting when `shutdown()` is called are
   * still admitted and delivered, as a blocked `Action` is in client-go.
   */
  action(item: T): Promise<void> {
    if (this.stopping) return Promise.reject(new BroadcasterStoppedError());
    if (this.senders.size === 0 && this.incoming.size < this.queueLength) {
      this.accept(item);
      return RESOLVED;
    }
    return new Promise<void>((resolve) => this.senders.push({ item, resolve }));
  }

  /**
   * Queues an item if the incoming queue has room (and no `action()` caller is waiting); otherwise returns
   * false and leaves the item with the caller, who may then wait with `action()`. Nothing is dropped or
   * counted: a producer that can hold back (a socket it can pause) uses this, then `action()`.
   * @throws BroadcasterStoppedError after `shutdown()`.
   */
  offer(item: T): boolean {
    if (this.stopping) throw new BroadcasterStoppedError();
    if (this.senders.size > 0 || this.incoming.size >= this.queueLength) return false;
    this.accept(item);
    return true;
  }

  /**
   * Registers a sink. It receives every item accepted after this call, in order; items accepted earlier but not yet distributed are not its own (client-go registers a watcher behind
   * the items already queued). @throws BroadcasterStoppedError after `shutdown()`.
   */
  watch(sink: Sink<T>, options: WatchOptions = {}): Watcher {
    if (this.stopping) throw new BroadcasterStoppedError();
    const id = this.nextWatcherId++;
    const watcher = new BroadcastWatcher<T>(this.watcherOwner, options.name ?? `watcher-${id}`, this.accepted, sink);
    this.watchers = [...this.watchers, watcher];
    return watcher;
  }

  stats(): BroadcasterStats {
    return {
      incoming: this.incoming.size,
      waiting: this.senders.size,
      totalDropped: this.watcherDropped,
      watchers: this.watchers.map((w) => ({ name: w.name, queued: w.queued, dropped: w.dropped, delivered: w.delivered })),
    };
  }

  /**
   * Stops accepting (`action`, `offer` and `watch` fail from now on), delivers everything already queued
   * (incoming, waiting `action()` callers, every watcher's queue) and waits for the sinks' promises, then closes
   * every watcher and resolves. A sink whose promise never settles keeps it pending; dispose that watcher to
   * let shutdown finish. Calling it again returns the same promise.
   */
  shutdown(): Promise<void> {
    if (this.stopping) return this.stopping.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.stopping = { promise, resolve, done: false };
    this.maybeFinishShutdown();
    return promise;
  }

  /** Starts `shutdown()` without waiting for it. */
  dispose(): void {
    void this.shutdown();
  }

  // ---- internals shared with BroadcastWatcher ---------------------------------------------------------------

  private readonly watcherOwner: WatcherOwner<T> = {
    disposed: (w) => this.watcherDisposed(w),
    idle: () => this.watcherIdle(),
    sinkFailed: (w, err) => this.sinkFailed(w, err),
  };

  private watcherDisposed(watcher: BroadcastWatcher<T>): void {
    this.watchers = this.watchers.filter((w) => w !== watcher);
    this.maybeFinishShutdown();
  }

  private watcherIdle(): void {
    if (this.stopping) this.maybeFinishShutdown();
  }

  private sinkFailed(watcher: BroadcastWatcher<T>, err: unknown): void {
    this.log.warn(`watcher "${watcher.name}": sink failed: ${errorMessage(err)}`);
  }

  // ---- distribution ------------------------------------------------------------------------------------------

  private accept(item: T): void {
    this.incoming.push(item);
    this.accepted++;
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(this.drain);
  }

  /**
   * One distribution pass over the items in incoming when it starts. Bounding the pass lets the watchers'
   * flushes (queued as microtasks during the pass) run before the next pass, so a sink that keeps up never
   * finds its queue full.
   */
  private readonly drain = (): void => {
    this.drainScheduled = false;
    for (let n = this.incoming.size; n > 0; n--) this.distribute(this.incoming.shift(), this.distributed++);
    this.admitSenders();
    if (this.incoming.size > 0) this.scheduleDrain();
    this.reportDrops();
    if (this.stopping) this.maybeFinishShutdown();
  };

  private distribute(item: T, seq: number): void {
    const limit = this.queueLength;
    for (const w of this.watchers) {
      if (w.closed || seq < w.startSeq) continue;
      if (w.queue.size < limit) {
        w.enqueue(item);
      } else {
        w.dropped++;
        w.unreportedDrops++;
        this.watcherDropped++;
        this.reportScheduled = true; // reported at the end of this pass
      }
    }
  }

  private admitSenders(): void {
    while (this.senders.size > 0 && this.incoming.size < this.queueLength) {
      const sender = this.senders.shift();
      this.incoming.push(sender.item);
      this.accepted++;
      sender.resolve();
    }
  }

  private reportDrops(): void {
    if (!this.reportScheduled) return;
    this.reportScheduled = false;
    const totalDropped = this.watcherDropped;
    for (const w of this.watchers) {
      if (w.unreportedDrops === 0) continue;
      const count = w.unreportedDrops;
      w.unreportedDrops = 0;
      this.dropEmitter.fire({ watcher: w.name, count, totalDropped });
    }
  }

  private maybeFinishShutdown(): void {
    const stopping = this.stopping;
    if (!stopping || stopping.done) return;
    if (this.incoming.size > 0 || this.senders.size > 0) return;
    for (const w of this.watchers) {
      if (w.busy || w.flushScheduled || w.queued > 0) return;
    }
    stopping.done = true;
    this.reportDrops();
    const watchers = this.watchers;
    this.watchers = [];
    for (const w of watchers) w.close();
    stopping.resolve();
  }
}
