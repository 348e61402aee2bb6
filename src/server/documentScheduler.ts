/**
 * How the language server spreads its work so that its event loop stays free under a stream of updates
 * (docs/ARCHITECTURE.md §11): each open document's runs are debounced on their own ({@link DocumentSchedulers}),
 * so a burst of updates about one file is one run and each file's run is its own task; and a long job (parsing a
 * 5,000-line manifest) runs in slices with the loop let go between them ({@link runInSlices}).
 */
import { RunOnceScheduler } from '../core/lifecycle';
import { systemTimers, type Disposable, type Timers } from '../core/ports';

/** One pending run per document: scheduling it again within the delay makes it one run. */
export class DocumentSchedulers implements Disposable {
  private readonly schedulers = new Map<string, RunOnceScheduler>();

  constructor(
    private readonly run: (uri: string) => void,
    private readonly delayMs: number,
    private readonly timers: Pick<Timers, 'setTimeout' | 'clearTimeout'> = systemTimers,
  ) {}

  private of(uri: string): RunOnceScheduler {
    let s = this.schedulers.get(uri);
    if (!s) {
      s = new RunOnceScheduler(() => this.run(uri), this.delayMs, this.timers);
      this.schedulers.set(uri, s);
    }
    return s;
  }

  /** Runs after the delay from now, replacing the document's pending run (an edit restarts the wait). */
  schedule(uri: string, delayMs = this.delayMs): void {
    this.of(uri).schedule(delayMs);
  }

  /** Runs after the delay unless the document's run is pending already (updates keep coming: they join it). */
  scheduleIfIdle(uri: string, delayMs = this.delayMs): void {
    this.of(uri).scheduleIfIdle(delayMs);
  }

  isScheduled(uri: string): boolean {
    return this.schedulers.get(uri)?.isScheduled() ?? false;
  }

  /** The document closed: its pending run is dropped. */
  delete(uri: string): void {
    this.schedulers.get(uri)?.dispose();
    this.schedulers.delete(uri);
  }

  dispose(): void {
    for (const s of this.schedulers.values()) s.dispose();
    this.schedulers.clear();
  }
}

/** What {@link runInSlices} waits with; tests pass their own. */
export interface SliceClock {
  now(): number;
  /** Runs `fn` as a task of its own, after what is queued (setImmediate). */
  later(fn: () => void): void;
}

const systemSliceClock: SliceClock = { now: () => performance.now(), later: (fn) => void setImmediate(fn) };

/** What {@link runInSlices} is told besides the job. */
export interface SliceOptions<Y> {
  /** Asked before each slice: a job whose document was closed or changed stops there. */
  readonly alive?: () => boolean;
  /** Each value the job yields (a yield with nothing only marks a place to stop). */
  readonly progress?: (value: Y) => void;
  readonly clock?: SliceClock;
}

/** Steps `steps` until it returns, letting the event loop go whenever a slice took `budgetMs`, then hands the result to `done`. */
export function runInSlices<Y, T>(steps: Iterator<Y | undefined, T, void>, budgetMs: number, done: (value: T) => void, options: SliceOptions<Y> = {}): void {
  const clock = options.clock ?? systemSliceClock;
  const slice = (): void => {
    if (options.alive && !options.alive()) return;
    const deadline = clock.now() + budgetMs;
    for (;;) {
      const step = steps.next();
      if (step.done) {
        done(step.value);
        return;
      }
      if (step.value !== undefined) options.progress?.(step.value);
      if (clock.now() >= deadline) {
        clock.later(slice);
        return;
      }
    }
  };
  slice();
}
