import type { Disposable } from '../core/ports';

/**
 * The one disposal pattern of the host (docs/ARCHITECTURE.md §15): a class that owns subscriptions, views,
 * emitters or timers extends this, hands each to {@link register} as it creates it, and is disposed once.
 *
 * - dispose() disposes what was registered, in the order it was registered, exactly once;
 * - something registered after dispose() is disposed at once, so a late subscription cannot leak;
 * - one failing dispose does not keep the others from running; the first error is thrown afterwards.
 *
 * No `vscode` import: `vscode.Disposable` has the same shape, and the vscode-free halves of views
 * (timelineFeed.ts, languageServerFeed.ts) use it too. A subclass with more to release overrides dispose()
 * and calls `super.dispose()`.
 */
export abstract class DisposableOwner implements Disposable {
  private owned: Disposable[] = [];
  private disposedAlready = false;

  /** Whether dispose() has run. */
  protected get isDisposed(): boolean {
    return this.disposedAlready;
  }

  /** Takes ownership of what it is given and returns the first, so a field can be initialised in one expression. */
  protected register<T extends Disposable>(first: T, ...more: Disposable[]): T {
    for (const d of [first, ...more]) {
      if (this.disposedAlready) d.dispose();
      else this.owned.push(d);
    }
    return first;
  }

  dispose(): void {
    if (this.disposedAlready) return;
    this.disposedAlready = true;
    const owned = this.owned;
    this.owned = [];
    let first: { error: unknown } | undefined;
    for (const d of owned) {
      try {
        d.dispose();
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  }
}
