/**
 * The two timer and subscription shapes the code kept writing by hand, once each (after VS Code's
 * `RunOnceScheduler` and `MutableDisposable` in base/common/async.ts and lifecycle.ts).
 */
import { systemTimers, type Disposable, type Timers } from './ports';

/**
 * Runs `runner` once, `delayMs` after it was scheduled, on the {@link Timers} port. `schedule()` restarts a
 * pending wait (a debounce: the last call counts); `scheduleIfIdle()` keeps it (a throttle: the first call
 * counts). Nothing runs after `cancel()` or `dispose()`; a disposed scheduler ignores `schedule()`.
 */
export class RunOnceScheduler implements Disposable {
  private handle: unknown;
  private pending = false;
  private disposed = false;

  constructor(
    private readonly runner: () => void,
    private readonly delayMs: number,
    private readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'> = systemTimers,
  ) {}

  /** Whether a run is pending. */
  isScheduled(): boolean {
    return this.pending;
  }

  /** Runs after `delayMs` (or the given delay) from now, replacing a pending run. */
  schedule(delayMs = this.delayMs): void {
    this.cancel();
    if (this.disposed) return;
    this.pending = true;
    this.handle = this.timers.setTimeout(() => {
      this.pending = false;
      this.handle = undefined;
      this.runner();
    }, delayMs);
  }

  /** Runs after `delayMs` (or the given delay) unless a run is pending already. */
  scheduleIfIdle(delayMs = this.delayMs): void {
    if (!this.pending) this.schedule(delayMs);
  }

  /** Drops a pending run. */
  cancel(): void {
    if (!this.pending) return;
    this.pending = false;
    this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }
}

/**
 * Holds at most one disposable, "the current subscription": setting `value` disposes the one it replaces;
 * `clear()` disposes it and holds none; after `dispose()` a value set is disposed at once.
 */
export class MutableDisposable<T extends Disposable = Disposable> implements Disposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (next === this.current) return;
    const previous = this.current;
    this.current = this.disposed ? undefined : next;
    previous?.dispose();
    if (this.disposed) next?.dispose();
  }

  /** Disposes the current value and holds none. */
  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this.disposed = true;
    const previous = this.current;
    this.current = undefined;
    previous?.dispose();
  }
}

/** One disposable for several (a subscription made of several listeners). */
export function combinedDisposable(...parts: readonly Disposable[]): Disposable {
  return {
    dispose: () => {
      for (const d of parts) d.dispose();
    },
  };
}
