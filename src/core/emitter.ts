import type { Disposable } from './ports';

/** Receives the values an {@link Emitter} fires. */
export type Listener<T> = (value: T) => void;

/**
 * Subscribes a listener; the returned Disposable unsubscribes it. Has the shape of a `vscode.Event<T>`, so the
 * host can hand it to VS Code APIs that take one.
 */
export type Subscribe<T> = (listener: Listener<T>) => Disposable;

interface Subscription<T> {
  readonly listener: Listener<T>;
  active: boolean;
}

/**
 * A tiny synchronous event emitter for the core (no `vscode`, no Node `events`). The owner keeps the Emitter
 * private and exposes {@link Emitter.event}; listeners are called in subscription order.
 *
 * A listener that throws does not stop the others: the error goes to `onListenerError` when given, otherwise
 * the first error is rethrown once every listener has run, so it is never silent. This is the one rule for
 * listener errors in core and kube (docs/ARCHITECTURE.md §15); an owner whose caller must not see a
 * listener's failure (a watch loop, a store applying a batch) passes a handler that logs.
 */
export class Emitter<T> implements Disposable {
  // Copy-on-write: `fire` iterates the array it started with, so (un)subscribing from a listener is safe.
  private subscriptions: readonly Subscription<T>[] = [];
  private disposed = false;

  constructor(private readonly onListenerError?: (error: unknown) => void) {}

  readonly event: Subscribe<T> = (listener) => {
    if (this.disposed) return { dispose() {} };
    const sub: Subscription<T> = { listener, active: true };
    this.subscriptions = [...this.subscriptions, sub];
    return {
      dispose: () => {
        if (!sub.active) return;
        sub.active = false;
        this.subscriptions = this.subscriptions.filter((s) => s !== sub);
      },
    };
  };

  get hasListeners(): boolean {
    return this.subscriptions.length > 0;
  }

  fire(value: T): void {
    const subs = this.subscriptions;
    let firstError: { error: unknown } | undefined;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      // A listener disposed by an earlier listener of this same fire is not called.
      if (!sub.active) continue;
      try {
        sub.listener(value);
      } catch (error) {
        if (this.onListenerError) this.onListenerError(error);
        else firstError ??= { error };
      }
    }
    if (firstError) throw firstError.error;
  }

  /** Drops every listener; later subscriptions are no-ops. */
  dispose(): void {
    this.disposed = true;
    for (const sub of this.subscriptions) sub.active = false;
    this.subscriptions = [];
  }
}
