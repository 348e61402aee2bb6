/** How the wait between relists grows; tests shorten the times. */
export interface RelistBackoffOptions {
  /** The first wait (before jitter). */
  readonly initialMs: number;
  /** The largest wait before jitter; with jitter a wait may reach twice this. */
  readonly maxMs: number;
  /** A relist this long after the previous one starts again from {@link initialMs}: the server was quiet. */
  readonly resetAfterMs: number;
}

/** Each wait is the step times (1 + jitter × random): up to twice the step. */
const FACTOR = 2;
const JITTER = 1;

/**
 * The wait before each relist after a 410 Gone or an expired continue token, spaced as client-go's reflector
 * spaces its ListAndWatch restarts (its exponential backoff manager): the step starts at `initialMs`, doubles
 * on each relist up to `maxMs`, each wait adds up to one step of jitter, and a relist that comes more than
 * `resetAfterMs` after the previous one starts from `initialMs` again. A flapping apiserver then sees at most
 * one LIST per `maxMs`…2×`maxMs` instead of a tight loop (docs/ARCHITECTURE.md §4).
 */
export class RelistBackoff {
  private step: number;
  private last: number | undefined;

  constructor(
    private readonly opts: RelistBackoffOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.step = opts.initialMs;
  }

  /** The wait before the next relist, in milliseconds; each call is one relist. */
  next(): number {
    const now = this.now();
    if (this.last === undefined || now - this.last > this.opts.resetAfterMs) this.step = this.opts.initialMs;
    this.last = now;
    const wait = this.step * (1 + JITTER * this.random());
    this.step = Math.min(this.step * FACTOR, this.opts.maxMs);
    return Math.round(wait);
  }
}
