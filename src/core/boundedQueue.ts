/**
 * Runs async tasks at most `concurrency` at a time, in the order they came, with at most `maxWaiting` waiting
 * for a slot. A task that finds the queue full is refused at once ({@link QueueFullError}) rather than piling
 * up behind the others; a waiting task whose signal aborts leaves the queue without running. Each freed slot
 * goes straight to the next waiter, so the limit holds even between microtasks.
 */

/** The queue already held `maxWaiting` tasks: this one was not run. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly maxWaiting: number) {
    super(`${maxWaiting} requests are already waiting`);
  }

  static is(err: unknown): err is QueueFullError {
    return err instanceof QueueFullError;
  }
}

export interface BoundedQueueOptions {
  /** Tasks running at once (at least 1). */
  readonly concurrency: number;
  /** Tasks waiting for a slot at most; default unbounded. */
  readonly maxWaiting?: number;
}

interface Waiter {
  readonly start: () => void;
}

export class BoundedQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly concurrency: number;
  private readonly maxWaiting: number;

  constructor(options: BoundedQueueOptions) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.maxWaiting = Math.max(0, options.maxWaiting ?? Number.POSITIVE_INFINITY);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `task` when a slot is free. Rejects with {@link QueueFullError} when `maxWaiting` tasks wait already,
   * and with the signal's reason when `signal` aborts before the task started.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.active < this.concurrency) {
      this.active++;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new QueueFullError(this.maxWaiting);
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          const reason: unknown = signal?.reason;
          reject(reason instanceof Error ? reason : new Error('aborted while waiting', { cause: reason }));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
      });
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes to the next waiter as it is: `active` stays the same.
      if (next) next.start();
      else this.active--;
    }
  }
}

/**
 * `fn` over every item, at most `concurrency` at a time and started in the items' order; the results in
 * the items' order. One {@link BoundedQueue} without a waiting bound: the one limiter, for a batch.
 */
export function mapBounded<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const queue = new BoundedQueue({ concurrency });
  return Promise.all(items.map((item) => queue.run(() => fn(item))));
}
