// The extension host's side of the history worker (historyWorker.ts): starts it, sends requests and turns
// answers back into results or HistoryErrors. Nothing here waits: every call returns a promise.
import { Worker } from 'node:worker_threads';
import type { ClusterContext } from '../core/clusterIdentity';
import { Emitter } from '../core/emitter';
import { HistoryError, type HistoryBackend, type HistoryFilter, type HistoryMode } from '../core/events/history';
import { withPooledStrings, type EventChange, type KubeEvent } from '../core/events/kubeEvent';
import type { Disposable } from '../core/ports';
import { errorMessage } from '../core/text/errorMessage';
import { isWorkerAnswer, type OpenedDto, type OpenNotes, type WorkerAnswers, type WorkerRequestBody } from './historyProtocol';
import { WRITE_CHUNK } from './historySchema';

interface Pending {
  resolve(value: unknown): void;
  reject(err: HistoryError): void;
}

/** The history worker's young generation, in MB (see {@link HistoryWorkerClient}'s start). */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * One worker thread running the history's SQLite (dist/historyWorker.js). It is started on the first request
 * and again on the first request after it stopped; while no request is out it does not keep the process
 * alive. A worker that stops (it crashed, or was ended) fails what it had not answered, and `onDidStop` says
 * so: the databases it held are gone.
 */
export class HistoryWorkerClient implements Disposable {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  /** Work posted a part at a time (a large write, the close after it): the shutdown waits for it. */
  private readonly busy = new Set<Promise<unknown>>();
  private readonly stopEmitter = new Emitter<string>();
  /** The worker stopped with requests or databases it held; the text says why. */
  readonly onDidStop = this.stopEmitter.event;

  /** @param workerFile the worker's bundle, dist/historyWorker.js */
  constructor(private readonly workerFile: string) {}

  /** Sends one request; the promise settles with the worker's answer. @throws HistoryError (as a rejection) */
  request<K extends WorkerRequestBody['kind']>(body: Extract<WorkerRequestBody, { kind: K }>): Promise<WorkerAnswers[K]> {
    if (this.disposed) return Promise.reject(new HistoryError('io', 'history is closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<WorkerAnswers[K]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      try {
        worker.postMessage({ ...body, id });
      } catch (err) {
        // An event that cannot be cloned (it never happens with normalised events) fails its write only.
        this.settle(id)?.reject(new HistoryError('io', `cannot send to the history worker: ${errorMessage(err)}`));
      }
    });
  }

  /** Opens a history file in the worker (see the `open` request). */
  async open(file: string, cluster: ClusterContext, opts: { writerOnly?: boolean; moveAside?: boolean } = {}): Promise<RemoteHistory | undefined> {
    const opened = await this.request({ kind: 'open', file, cluster, ...opts });
    return opened && new RemoteHistory(this, opened);
  }

  /** Keeps the shutdown waiting for `work`, which posts more requests as it goes. */
  track(work: Promise<unknown>): void {
    this.busy.add(work);
    void work.then(
      () => this.busy.delete(work),
      () => this.busy.delete(work),
    );
  }

  /** Closes what the worker holds, after everything sent before, and lets the worker end. */
  async shutdown(): Promise<void> {
    if (this.disposed) return;
    try {
      while (this.busy.size > 0) await Promise.allSettled([...this.busy]);
      if (this.worker) await this.request({ kind: 'shutdown' });
    } catch {
      // A worker that already stopped has nothing left to close.
    } finally {
      this.dispose();
    }
  }

  /** Ends the worker now: what it has not answered fails. Prefer {@link shutdown}, which lets it finish. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failPending('history is closed');
    void worker?.terminate();
    this.stopEmitter.dispose();
  }

  private start(): Worker {
    // The worker's young generation is bounded (V8 lets it grow to 48 MB): each write deserialises a part of up to
    // 5,000 changes, and the semi-spaces those grew stay committed in the extension host's RSS (docs/ARCHITECTURE.md §1, Memory).
    const worker = new Worker(this.workerFile, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: unknown) => {
      if (!isWorkerAnswer(m)) return;
      const p = this.settle(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else p.reject(new HistoryError(m.reason, m.message));
    });
    const stopped = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failPending(why);
      this.stopEmitter.fire(why);
    };
    worker.on('error', (err) => stopped(`the history worker failed: ${errorMessage(err)}`));
    worker.on('exit', (code) => stopped(`the history worker stopped (exit code ${code})`));
    return worker;
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return p;
  }

  private failPending(why: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new HistoryError('io', why));
  }
}

/** One database open in the worker: what the host calls instead of SQLite. Every method answers later. */
export class RemoteHistory implements HistoryBackend, Disposable {
  readonly handle: number;
  readonly file: string;
  readonly mode: HistoryMode;
  readonly notes: OpenNotes;
  private closed = false;
  /** A write being posted a part at a time: the close waits for it. */
  private writingParts: Promise<void> | undefined;

  constructor(
    private readonly client: HistoryWorkerClient,
    opened: OpenedDto,
  ) {
    this.handle = opened.handle;
    this.file = opened.file;
    this.mode = opened.mode;
    this.notes = opened.notes;
  }

  /**
   * Writes changes in order (see the worker's `write`), a transaction's worth per request: posting copies the
   * changes on this thread, so a large batch goes a part at a time, two parts out at once so the worker never
   * waits for the next. A failure fails the whole; what was written of it is written again unchanged on the
   * retry (rows are keyed by uid and change only with their resourceVersion). @throws HistoryError
   */
  write(changes: readonly EventChange[]): Promise<void> {
    // A small write goes at once, unless a large one is still being posted: then after it, in order.
    if (changes.length <= WRITE_CHUNK && !this.writingParts) return this.ask({ kind: 'write', handle: this.handle, changes });
    if (this.closed) return Promise.reject(new HistoryError('io', 'history is closed'));
    const parts = this.writeParts(changes, this.writingParts);
    this.writingParts = parts;
    this.client.track(parts);
    void parts.then(
      () => this.writingParts === parts && (this.writingParts = undefined),
      () => this.writingParts === parts && (this.writingParts = undefined),
    );
    return parts;
  }

  private async writeParts(changes: readonly EventChange[], after: Promise<void> | undefined): Promise<void> {
    // In order after a large write still being posted.
    await after?.catch(() => undefined);
    const out: Array<Promise<void>> = [];
    for (let i = 0; i < changes.length; i += WRITE_CHUNK) {
      if (out.length >= 2) await out.shift();
      // Not refused once closed: the close waits for these parts (dispose()).
      const part = this.client.request({ kind: 'write', handle: this.handle, changes: changes.slice(i, i + WRITE_CHUNK) });
      // Awaited below or above; a failure before then is not an unhandled rejection.
      void part.catch(() => undefined);
      out.push(part);
    }
    await Promise.all(out);
  }

  /**
   * Events matching the filter, newest first. Their strings arrive as new copies (a structured clone shares
   * nothing across threads), so they are taken from this thread's pools here, as the watch's are.
   */
  async query(filter: HistoryFilter): Promise<KubeEvent[]> {
    const events = await this.ask({ kind: 'query', handle: this.handle, filter });
    return events.map(withPooledStrings);
  }

  /** Rows and bytes on disk. */
  stats(): Promise<WorkerAnswers['stats']> {
    return this.ask({ kind: 'stats', handle: this.handle });
  }

  /** Prunes to the retention and the size cap, a step of at most `chunk` rows at a time (see the worker's `prune`). */
  prune(olderThan: number, maxBytes: number, chunk: number): Promise<WorkerAnswers['prune']> {
    return this.ask({ kind: 'prune', handle: this.handle, olderThan, maxBytes, chunk });
  }

  /** Forgets every event of this cluster (Clear History…). */
  clear(): Promise<void> {
    return this.ask({ kind: 'clear', handle: this.handle });
  }

  /** SQLite's `quick_check`: 'ok', or what is wrong. */
  check(): Promise<string> {
    return this.ask({ kind: 'check', handle: this.handle });
  }

  /** Tests: caps the file's size in pages. */
  limitPages(pages: number): Promise<void> {
    return this.ask({ kind: 'limitPages', handle: this.handle, pages });
  }

  /** Closes it after whatever was written before (a large write's last part included); its writer's lock goes with it. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    const close = (): Promise<unknown> => this.client.request({ kind: 'close', handle: this.handle }).catch(() => undefined);
    if (!this.writingParts) {
      void close();
      return;
    }
    const closing = this.writingParts.catch(() => undefined).then(close);
    this.client.track(closing);
  }

  private ask<K extends Exclude<WorkerRequestBody['kind'], 'open' | 'meta' | 'delete' | 'shutdown'>>(body: Extract<WorkerRequestBody, { kind: K }>): Promise<WorkerAnswers[K]> {
    if (this.closed) return Promise.reject(new HistoryError('io', 'history is closed'));
    return this.client.request<K>(body);
  }
}
