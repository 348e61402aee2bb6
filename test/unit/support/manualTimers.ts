import type { Timers } from '../../../src/core/ports';

interface Pending {
  readonly due: number;
  readonly delay: number;
  readonly fn: () => void;
}

/**
 * Timers a unit test fires by hand, on a clock of its own (`now`). Intervals are accepted and never fire: what the
 * tests drive is one-shot timers.
 */
export class ManualTimers implements Timers {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(public now = 0) {}

  setTimeout(fn: () => void, ms = 0): unknown {
    const id = ++this.seq;
    this.pending.set(id, { due: this.now + ms, delay: ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  setInterval(): unknown {
    return 0;
  }

  clearInterval(): void {}

  /** How many timers wait. */
  get size(): number {
    return this.pending.size;
  }

  /** The delays the waiting timers were set with, in the order they were set. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.delay);
  }

  /** Fires every waiting timer whatever its delay, then those they set, for at most `rounds` rounds. */
  runAll(rounds = 20): void {
    for (let i = 0; i < rounds && this.pending.size > 0; i++) {
      const due = [...this.pending.values()];
      this.pending.clear();
      for (const t of due) t.fn();
    }
  }

  /** Fires the earliest timer only, moving `now` to it. */
  runNext(): void {
    const next = this.earliest(Number.POSITIVE_INFINITY);
    if (!next) return;
    this.pending.delete(next[0]);
    this.now = Math.max(this.now, next[1].due);
    next[1].fn();
  }

  /** Moves `now` on by `ms`, firing each timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let next = this.earliest(until); next; next = this.earliest(until)) {
      this.pending.delete(next[0]);
      this.now = next[1].due;
      next[1].fn();
    }
    this.now = until;
  }

  private earliest(until: number): [number, Pending] | undefined {
    let next: [number, Pending] | undefined;
    for (const entry of this.pending) if (entry[1].due <= until && (!next || entry[1].due < next[1].due)) next = entry;
    return next;
  }
}
