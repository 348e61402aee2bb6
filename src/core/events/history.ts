import type { Broadcaster, Watcher } from './broadcaster';
import type { EventChange } from './kubeEvent';
import { RunOnceScheduler } from '../lifecycle';
import { silentLogger, type Disposable, type Logger } from '../ports';
import type { Query } from '../query/syntax';
import { errorMessage } from '../text/errorMessage';

/**
 * History past the apiserver's event TTL: the pure half. The database itself lives in
 * src/history/historyDatabase.ts (see its module comment for the schema); this module holds the port it
 * implements, the translation of a query into what the database can narrow by index, and the sink that
 * feeds it from the broadcaster (docs/ARCHITECTURE.md).
 */

/**
 * What a query asks of the database: every field narrows by an index; `undefined` does not narrow. The rows
 * that come back are still checked with `matches()`, so a plan may be wider than its query, never narrower.
 */
export interface HistoryFilter {
  /** Last seen at or after (epoch ms). */
  readonly from?: number;
  /** Last seen at or before (epoch ms). */
  readonly to?: number;
  readonly reasons?: readonly string[];
  readonly types?: readonly string[];
  readonly namespaces?: readonly string[];
  /** Involved-object uids (the owner graph's answer for `under:`). */
  readonly objectUids?: readonly string[];
  /** Newest first, at most this many. */
  readonly limit: number;
}

/** How the database is shared with other windows on the same cluster. */
export type HistoryMode = 'readWrite' | 'readOnly';

/**
 * Why a step of history failed; stable codes for tests and the one warning shown. Every reason but
 * `corrupt` may clear by itself (another window lets go, the disk gets space) and is retried with backoff.
 */
export type HistoryFailureReason = 'busy' | 'full' | 'readOnly' | 'io' | 'corrupt';

/** Thrown by a {@link HistoryBackend} when the store cannot go on. `reason` decides what the host does. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';

  constructor(
    readonly reason: HistoryFailureReason,
    message: string,
  ) {
    super(message);
  }

  static is(err: unknown, reason?: HistoryFailureReason): err is HistoryError {
    return err instanceof HistoryError && (reason === undefined || err.reason === reason);
  }

  /** `err` itself when it is a HistoryError, else an `io` failure with its message. */
  static from(err: unknown): HistoryError {
    return HistoryError.is(err) ? err : new HistoryError('io', errorMessage(err));
  }
}

/**
 * What the sink writes to: the current cluster's history (src/history: a database in the history worker, or,
 * in tests and the crash probe, one on the calling thread). `write` may answer at once or later.
 */
export interface HistoryBackend {
  readonly mode: HistoryMode;
  /** Writes changes in order. @throws HistoryError, or rejects with one */
  write(changes: readonly EventChange[]): void | Promise<void>;
}

/**
 * The narrowest indexed plan equivalent to or wider than the query. Negated terms, globs and text never
 * narrow (the rows are re-checked with `matches()`); several terms on one key narrow by the last one only,
 * which is wider than their conjunction and so still correct.
 */
export function planHistoryQuery(query: Query, now: number, limit: number): HistoryFilter {
  let from: number | undefined;
  let to: number | undefined;
  let reasons: string[] | undefined;
  let types: string[] | undefined;
  let namespaces: string[] | undefined;
  for (const term of query.terms) {
    if (term.negated) continue;
    switch (term.key) {
      case 'since':
        from = Math.max(from ?? 0, now - term.ms);
        break;
      case 'until':
        to = Math.min(to ?? Number.MAX_SAFE_INTEGER, now - term.ms);
        break;
      case 'reason':
      case 'type':
      case 'ns': {
        if (term.values.some((v) => v.glob)) break;
        const exact = term.values.map((v) => v.text);
        if (term.key === 'reason') reasons = exact;
        else if (term.key === 'type') types = exact;
        else namespaces = exact;
        break;
      }
      default:
        break;
    }
  }
  return { from, to, reasons, types, namespaces, limit };
}

/** Options for {@link HistorySink}. */
export interface HistorySinkOptions {
  /** Longest a change waits in memory before it is written: what a crash can lose. Default 500 ms. */
  readonly flushMs?: number;
  /** Changes held while the database is behind; beyond it changes are dropped and counted. Default 200,000. */
  readonly maxPending?: number;
  /** Wait before the first retry of a failed write; it doubles at each failure in a row. Default 1 s. */
  readonly retryMs?: number;
  /** The longest wait between retries. Default 60 s. */
  readonly maxRetryMs?: number;
  readonly logger?: Logger;
  /**
   * Called at each failed write, with how many failed in a row. 'retry' keeps the changes and writes them
   * again after a backoff; 'stop' drops them and writes nothing more until the next backend. Default: retry
   * every reason but `corrupt`.
   */
  readonly onFailure?: (err: HistoryError, failures: number) => 'retry' | 'stop';
  /** Called when a write succeeds after `failures` failed ones. */
  readonly onRecovered?: (failures: number) => void;
  /** Which changes are this database's (one cluster's, when several are watched); default: all. */
  readonly accept?: (change: EventChange) => boolean;
}

/**
 * A broadcaster watcher that writes every change to the current cluster's history. Its sink only buffers, so
 * it never holds the broadcaster's queue; a timer writes the buffer at most `flushMs` later. One write is out
 * at a time: what arrives meanwhile waits and goes in the next, so a slow disk makes batches larger, not
 * writes more numerous. A failed write keeps its changes and is retried with exponential backoff (another
 * window inside the file, a full disk that gets space again), so one error never ends history for the
 * session. Changes beyond `maxPending` are dropped and counted in `dropped`, like any watcher's drops.
 */
export class HistorySink implements Disposable {
  private pending: EventChange[] = [];
  private readonly flushScheduler: RunOnceScheduler;
  private readonly watcher: Watcher;
  private readonly maxPending: number;
  private readonly log: Logger;
  private backend: HistoryBackend | undefined;
  /** No backend for now, but one of the same cluster is coming: keep what arrives. */
  private holding = false;
  /** The write out now; it settles after its outcome was taken in. */
  private writing: Promise<void> | undefined;
  /** Raised at each switch to another cluster's database: a failed write of an earlier one is not retried in it. */
  private generation = 0;
  private droppedCount = 0;
  private writtenCount = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    broadcaster: Broadcaster<EventChange>,
    private readonly options: HistorySinkOptions = {},
  ) {
    this.flushScheduler = new RunOnceScheduler(() => void this.flush(), options.flushMs ?? 500);
    this.maxPending = options.maxPending ?? 200_000;
    this.log = options.logger ?? silentLogger;
    this.watcher = broadcaster.watch((batch) => this.take(batch), { name: 'history' });
  }

  /** Changes lost: the broadcaster's drops for this watcher plus those beyond `maxPending`. */
  get dropped(): number {
    return this.droppedCount + this.watcher.dropped;
  }

  /** Changes written since the sink was created. */
  get written(): number {
    return this.writtenCount;
  }

  /** Failed writes in a row (0 once one succeeds). */
  get failing(): number {
    return this.failures;
  }

  /**
   * Switches to another database (or none). What is pending goes to the old one first and what it could not
   * take is dropped; with `carryOver` (the same cluster's database, reopened after a failure) all that is
   * pending goes to the new one instead, and with `carryOver` and no backend the sink keeps what arrives
   * until that one comes.
   */
  setBackend(backend: HistoryBackend | undefined, carryOver = false): void {
    if (carryOver) {
      // The old one failed and is gone: what it held is for the new one.
      this.flushScheduler.cancel();
    } else {
      const old = this.backend;
      const batch = this.pending;
      this.pending = [];
      this.generation++;
      if (old && !this.stopped && batch.length > 0) {
        // Requests to one database are taken in order: this lands after a write still out.
        this.settleWrite(old, batch, this.generation - 1).catch(() => undefined);
      }
    }
    this.backend = backend?.mode === 'readWrite' ? backend : undefined;
    this.holding = carryOver && !backend;
    this.stopped = false;
    this.failures = 0;
    if (this.pending.length > 0 && this.backend) this.flushScheduler.schedule(0);
    else this.flushScheduler.cancel();
  }

  /**
   * Writes what is pending now; the promise settles once it is written (or failed, and kept for a retry).
   * Safe to call at any time.
   */
  flush(): Promise<void> {
    this.flushScheduler.cancel();
    // One write at a time: what is pending now goes in the next one.
    if (this.writing) return this.writing.then(() => this.flush());
    if (this.pending.length === 0) return Promise.resolve();
    if (!this.backend || this.stopped) {
      if (!this.holding) this.pending = [];
      return Promise.resolve();
    }
    const batch = this.pending;
    this.pending = [];
    const writing = this.settleWrite(this.backend, batch, this.generation).finally(() => {
      if (this.writing === writing) this.writing = undefined;
      // What arrived during the write waits no longer than it would have.
      if (this.pending.length > 0 && this.backend && !this.stopped) this.flushScheduler.scheduleIfIdle();
    });
    this.writing = writing;
    return writing;
  }

  dispose(): void {
    void this.flush();
    this.flushScheduler.dispose();
    this.watcher.dispose();
  }

  /** Writes `batch` to `backend` and takes in the outcome: counted when written, kept and retried when not. */
  private async settleWrite(backend: HistoryBackend, batch: EventChange[], generation: number): Promise<void> {
    try {
      await backend.write(batch);
    } catch (err) {
      if (generation !== this.generation) {
        // Another cluster's database by now: this batch has nowhere to go.
        this.droppedCount += batch.length;
        this.log.debug(`a write to the previous history failed (${errorMessage(err)}); ${batch.length} changes dropped`);
      } else if (backend !== this.backend) {
        // The same cluster's database is being replaced: the next one takes the batch.
        this.keep(batch);
      } else {
        this.failed(HistoryError.from(err), batch);
      }
      return;
    }
    this.writtenCount += batch.length;
    if (generation === this.generation && backend === this.backend) {
      if (this.failures > 0) this.options.onRecovered?.(this.failures);
      this.failures = 0;
    }
  }

  private failed(failure: HistoryError, batch: EventChange[]): void {
    this.failures++;
    const decision = this.options.onFailure?.(failure, this.failures) ?? (failure.reason === 'corrupt' ? 'stop' : 'retry');
    const delay = Math.min(this.options.maxRetryMs ?? 60_000, (this.options.retryMs ?? 1_000) * 2 ** Math.min(this.failures - 1, 16));
    const then = decision === 'retry' ? `retrying in ${delay} ms` : 'giving up';
    if (this.failures === 1) this.log.warn(`write failed (${failure.reason}): ${failure.message}; ${then}`);
    else this.log.debug(`write failed again (${this.failures} in a row, ${failure.reason}); ${then}`);
    if (decision === 'stop') {
      this.stopped = true;
      return;
    }
    this.keep(batch);
    // onFailure may have detached this backend (a damaged file being replaced): then the next one writes them.
    if (this.backend) this.flushScheduler.schedule(delay);
  }

  /** A batch not written goes back ahead of what arrived since, within the same bound as take(). */
  private keep(batch: EventChange[]): void {
    const kept = batch.concat(this.pending);
    if (kept.length > this.maxPending) this.droppedCount += kept.length - this.maxPending;
    this.pending = kept.length > this.maxPending ? kept.slice(0, this.maxPending) : kept;
  }

  private take(all: readonly EventChange[]): void {
    if ((!this.backend && !this.holding) || this.stopped) return;
    const accept = this.options.accept;
    const batch = accept ? all.filter(accept) : all;
    const room = this.maxPending - this.pending.length;
    if (batch.length > room) this.droppedCount += batch.length - Math.max(room, 0);
    for (let i = 0; i < batch.length && i < room; i++) this.pending.push(batch[i]);
    if (this.backend && !this.writing) this.flushScheduler.scheduleIfIdle();
  }
}
