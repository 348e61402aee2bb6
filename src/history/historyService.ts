import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Broadcaster } from '../core/events/broadcaster';
import { estimateEventBytes, type EventStore } from '../core/events/eventStore';
import { HistoryError, HistorySink, planHistoryQuery, type HistoryFailureReason } from '../core/events/history';
import type { EventChange, KubeEvent } from '../core/events/kubeEvent';
import { silentLogger, systemClock, type Clock, type Disposable, type Logger } from '../core/ports';
import { matches, type MatchContext } from '../core/query/evaluate';
import type { Query } from '../core/query/syntax';
import { clusterKey, type ClusterContext } from '../core/clusterIdentity';
import { HistoryWorkerClient, type RemoteHistory } from './historyClient';
import { historyFileName, isHistoryFileName } from './historyFiles';
import { errorMessage } from '../core/text/errorMessage';

/** The history settings (`kubeEvents.history.*`). */
export interface HistorySettings {
  readonly enabled: boolean;
  readonly retentionDays: number;
  readonly maxMegabytes: number;
}

/**
 * Something the user should hear about once: the host turns it into one notification. `failed` means
 * history cannot be written (or opened) now and is retried; `movedAside` names the damaged file kept.
 */
export type HistoryNotice =
  | { readonly kind: 'failed'; readonly reason: HistoryFailureReason; readonly message: string }
  | { readonly kind: 'movedAside'; readonly file: string }
  | { readonly kind: 'readOnly'; readonly context: string };

/** A history file on disk, as Clear History… lists it. */
export interface HistoryFileInfo {
  readonly file: string;
  readonly server: string;
  readonly context: string;
  readonly current: boolean;
}

export interface HistoryServiceDeps {
  /** Folder of the history files (the extension's global storage). */
  readonly dir: string;
  /** The history worker's bundle (dist/historyWorker.js), which runs SQLite off the extension host's thread. */
  readonly workerFile: string;
  readonly broadcaster: Broadcaster<EventChange>;
  readonly store: EventStore;
  readonly settings: () => HistorySettings;
  readonly onNotice: (notice: HistoryNotice) => void;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly flushMs?: number;
  /** First wait before a failed write is retried (doubling up to a minute). Default 1 s. */
  readonly retryMs?: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;
/**
 * Rows per pruning step, each its own transaction in the worker: between two steps the worker answers what
 * was asked meanwhile (a write, a query), and another window may get into the file.
 */
const PRUNE_CHUNK = 1_000;
/** How often a reading window tries the writer's lock: a killed writer's successor takes over within it. */
const TAKE_OVER_EVERY_MS = 1_000;
/** A window still reading after this long says so, once (after a reload the old host lets go sooner). */
const SAY_READ_ONLY_AFTER_MS = 3_000;
/** Backoff of a failed open: from the first to the longest wait. */
const REOPEN_FIRST_MS = 1_000;
const REOPEN_MAX_MS = 60_000;

/**
 * Keeps the event history of the cluster being watched (docs/ARCHITECTURE.md): opens its database when the
 * session reaches a cluster, seeds the store from it before the first list, writes every change through a
 * {@link HistorySink}, prunes in the background, and answers `since:`/`until:` beyond what memory holds.
 * SQLite runs in the history worker (historyClient.ts): every read and write here is a message answered
 * later, so the extension host never waits for the disk. Failures are retried, never final: a write that
 * fails is kept and written again with backoff, a read that fails answers nothing that once, an open that
 * fails is tried again, and a damaged file is moved aside and replaced. No `vscode` here: the host adapter
 * shows notices and runs Clear History….
 */
export class HistoryService implements Disposable {
  private db: RemoteHistory | undefined;
  private identity: ClusterContext | undefined;
  /** The open (and seed) under way for `identity`. */
  private opening: Promise<void> | undefined;
  /** Raised whenever the database is let go: an answer for an earlier one is not acted on. */
  private generation = 0;
  private readonly client: HistoryWorkerClient;
  private readonly sink: HistorySink;
  private readonly log: Logger;
  private readonly clock: Clock;
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  private pruning = false;
  private takeOverTimer: ReturnType<typeof setTimeout> | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private readingSince = 0;
  private shutDown: Promise<void> | undefined;
  /** Notices already given this session: each is said once. */
  private readonly told = new Set<string>();

  constructor(private readonly deps: HistoryServiceDeps) {
    this.log = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.client = new HistoryWorkerClient(deps.workerFile);
    this.client.onDidStop((why) => this.workerStopped(why));
    this.sink = new HistorySink(deps.broadcaster, {
      flushMs: deps.flushMs,
      retryMs: deps.retryMs,
      logger: this.log,
      onFailure: (err) => this.writeFailed(err),
      onRecovered: (failures) => this.log.info(`history is written again, after ${failures} failed attempts; nothing held meanwhile was lost`),
      // One database per cluster: with several watched, each service writes its own cluster's events only.
      accept: ({ event }) => event.cluster === undefined || event.cluster === this.identity?.context,
    });
  }

  /** What the sink has done this session: changes written, dropped, and failed writes in a row now. */
  get writes(): { readonly written: number; readonly dropped: number; readonly failing: number } {
    return { written: this.sink.written, dropped: this.sink.dropped, failing: this.sink.failing };
  }

  /** The open database (undefined when history is off, cannot be opened now, or is still opening). */
  get database(): RemoteHistory | undefined {
    return this.db;
  }

  /**
   * The session reached `cluster`, before its first list: open that cluster's history and seed the store
   * with its newest events, so the views show what happened while VS Code was closed. The promise settles
   * once the store is seeded (or history could not be read); the session holds its first list until then.
   * Reaching the same cluster again changes nothing.
   */
  open(cluster: ClusterContext): Promise<void> {
    if (this.identity && clusterKey(this.identity) === clusterKey(cluster) && (this.db || this.opening)) return this.opening ?? Promise.resolve();
    this.close();
    this.identity = cluster;
    if (!this.deps.settings().enabled) return Promise.resolve();
    return this.openNow(0);
  }

  private fileOf(cluster: ClusterContext): string {
    return path.join(this.deps.dir, historyFileName(cluster));
  }

  private openNow(attempt: number): Promise<void> {
    const cluster = this.identity;
    if (!cluster) return Promise.resolve();
    const generation = this.generation;
    const file = this.fileOf(cluster);
    const opening = (async () => {
      let db: RemoteHistory | undefined;
      try {
        db = await this.client.open(file, cluster);
      } catch (err) {
        if (generation !== this.generation) return;
        const failure = HistoryError.from(err);
        // Another window inside the file for long is no news for the user: it clears, and the retry says.
        if (failure.reason === 'busy') this.log.info(`history is busy in another window (${failure.message}); opening it again shortly`);
        else this.unavailable(failure, file);
        this.scheduleReopen(attempt + 1);
        return;
      }
      if (!db) return;
      if (generation !== this.generation) {
        db.dispose();
        return;
      }
      // Changes a failed write kept (a damaged file that could not be replaced at once) go to this one.
      this.attach(db, true);
      await this.seed(db);
    })();
    this.opening = opening;
    void opening.finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    return opening;
  }

  private scheduleReopen(attempt: number): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    const delay = Math.min(REOPEN_MAX_MS, REOPEN_FIRST_MS * 2 ** Math.min(attempt - 1, 16));
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (!this.db && !this.opening && this.identity && this.deps.settings().enabled) void this.openNow(attempt);
    }, delay);
    this.reopenTimer.unref?.();
  }

  /** Makes `db` the current database; `carryOver` keeps the changes the last one of this cluster did not take. */
  private attach(db: RemoteHistory, carryOver: boolean): void {
    this.db = db;
    if (db.notes.movedAside) this.tell(`moved:${db.notes.movedAside}`, { kind: 'movedAside', file: db.notes.movedAside });
    if (db.notes.rolledBack) this.log.info(`rolled back the unfinished last write of a window that was killed (${db.notes.rolledBack} pages of ${db.file})`);
    this.sink.setBackend(db, carryOver);
    if (db.mode === 'readOnly') {
      this.readingSince = this.clock.now();
      this.scheduleTakeOver();
    } else {
      this.schedulePrune(5_000);
    }
  }

  /**
   * A reading window tries the writer's lock every second and writes from the moment it gets it: the
   * writer closed (a reload, a window closed) or died, which frees the lock at once. Only a window still
   * reading a few seconds after it opened says so.
   */
  private scheduleTakeOver(): void {
    if (this.takeOverTimer) clearTimeout(this.takeOverTimer);
    this.takeOverTimer = setTimeout(() => void this.tryTakeOver(), TAKE_OVER_EVERY_MS);
    this.takeOverTimer.unref?.();
  }

  private async tryTakeOver(): Promise<void> {
    this.takeOverTimer = undefined;
    const current = this.db;
    const cluster = this.identity;
    if (!current || current.mode !== 'readOnly' || !cluster) return;
    let next: RemoteHistory | undefined;
    try {
      next = await this.client.open(current.file, cluster, { writerOnly: true });
    } catch (err) {
      this.log.debug(`cannot take over writing yet: ${errorMessage(err)}`);
    }
    if (this.db !== current) {
      next?.dispose();
      return;
    }
    if (next) {
      current.dispose();
      this.log.info(`now records the history of "${cluster.context}"`);
      this.attach(next, false);
      return;
    }
    if (this.clock.now() - this.readingSince >= SAY_READ_ONLY_AFTER_MS) {
      if (!this.told.has(`ro:${current.file}`)) this.log.info(`another window records the history of "${cluster.context}"; this one reads it only`);
      this.tell(`ro:${current.file}`, { kind: 'readOnly', context: cluster.context });
    }
    this.scheduleTakeOver();
  }

  /** A write failed: the sink keeps the changes and retries; the user hears once; a damaged file is replaced. */
  private writeFailed(err: HistoryError): 'retry' {
    if (err.reason === 'corrupt') this.replaceDamaged(err);
    else if (err.reason !== 'busy') this.unavailable(err, this.db?.file ?? '');
    return 'retry';
  }

  /** A read failed: that read answers nothing; history goes on. */
  private readFailed(err: unknown, from: RemoteHistory): void {
    if (from !== this.db) return;
    const failure = HistoryError.from(err);
    this.log.warn(`reading history failed (${failure.reason}): ${failure.message}`);
    if (failure.reason === 'corrupt') this.replaceDamaged(failure);
  }

  /**
   * The writing window found its file damaged after opening it: move it aside and go on in a new one, with
   * what was not written yet. A reading window leaves that to the writer. Until the new one is open the sink
   * keeps what arrives, and writes nothing: the damaged database is closed, and a retry into it would only
   * fail again and say so.
   */
  private replaceDamaged(err: HistoryError): void {
    const current = this.db;
    const cluster = this.identity;
    if (!current || current.mode !== 'readWrite' || !cluster) return;
    this.log.warn(`the history database is damaged (${err.message}); moving it aside`);
    this.sink.setBackend(undefined, true);
    this.closeDatabase();
    const generation = this.generation;
    const opening = (async () => {
      let next: RemoteHistory | undefined;
      try {
        next = await this.client.open(current.file, cluster, { writerOnly: true, moveAside: true });
      } catch (e) {
        if (generation === this.generation) this.unavailable(HistoryError.from(e), current.file);
      }
      if (generation !== this.generation) {
        next?.dispose();
        return;
      }
      if (next) this.attach(next, true);
      else this.scheduleReopen(1);
    })();
    this.opening = opening;
    void opening.finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
  }

  /** The worker stopped (it crashed): what it held is gone, so history opens again, with what the sink kept. */
  private workerStopped(why: string): void {
    if (!this.db || this.shutDown) return;
    this.log.warn(`${why}; opening the history again`);
    this.sink.setBackend(undefined, true);
    this.closeDatabase();
    this.scheduleReopen(1);
  }

  /**
   * Lets the database go (what is pending is written first) until the next {@link open}: a capture is open, and its
   * events are no live cluster's (docs/ARCHITECTURE.md §18). History on disk is kept.
   */
  detach(): void {
    this.close();
  }

  /** Writes what is pending; settles once it is on disk (or failed and kept). Tests and shutdown. */
  flush(): Promise<void> {
    return this.sink.flush();
  }

  /**
   * The Events view's filter changed: a `since:` or `until:` term reaches past what memory holds, so the events
   * of history that match it are loaded into the store first. Other filters load nothing.
   */
  filterChanged(query: Query, ctx: MatchContext): void {
    if (query.terms.some((t) => (t.key === 'since' || t.key === 'until') && !t.negated)) void this.loadMatching(query, ctx);
  }

  /**
   * Loads the events of history that match a query into the store (newest first, at most `limit`, default
   * the store's capacity), so `since:2d` shows events older than the TTL. Resolves to how many were loaded.
   */
  async loadMatching(query: Query, ctx: MatchContext, limit = this.deps.store.capacity): Promise<number> {
    const db = this.db;
    if (!db) return 0;
    // Written first, so the query sees every change the views have seen.
    await this.sink.flush();
    const plan = planHistoryQuery(query, ctx.now, limit);
    let events;
    try {
      events = await db.query(plan);
    } catch (err) {
      this.readFailed(err, db);
      return 0;
    }
    if (db !== this.db) return 0;
    const found = this.ofCluster(events).filter((e) => !this.deps.store.has(e.uid) && matches(query, e, ctx));
    found.reverse();
    this.deps.store.applyBatch(found.map((event) => ({ type: 'ADDED' as const, event })));
    return found.length;
  }

  /**
   * Loads up to `limit` events last seen before `before` (epoch ms), newest first, into the store: the
   * timeline asks for the page older than what it shows. Resolves to the oldest time loaded, or undefined at
   * the end of history (or when history cannot be read just now).
   */
  async loadOlder(before: number, limit: number): Promise<number | undefined> {
    const db = this.db;
    if (!db) return undefined;
    const store = this.deps.store;
    // The store evicts the least recently updated: a page beyond its room would push out newer events.
    const room = Math.min(limit, store.capacity - store.size);
    if (room <= 0) {
      this.log.info(`the store holds its maximum of ${store.capacity} events; older history is not loaded (kubeEvents.store.maxEvents)`);
      return undefined;
    }
    await this.sink.flush();
    let events;
    try {
      events = this.ofCluster(await db.query({ to: before - 1, limit: room }));
    } catch (err) {
      this.readFailed(err, db);
      return undefined;
    }
    if (events.length === 0 || db !== this.db) return undefined;
    // The bytes bound too (kubeEvents.store.maxMegabytes): newest first, as far as the room left goes. The
    // store may have filled while the query was out: counted again now.
    let countRoom = store.capacity - store.size;
    let bytesRoom = store.maxBytes - store.bytes;
    const fresh: KubeEvent[] = [];
    let full = false;
    for (const e of events) {
      if (store.has(e.uid)) continue;
      bytesRoom -= estimateEventBytes(e);
      if (bytesRoom < 0 || countRoom-- <= 0) {
        full = true;
        break;
      }
      fresh.push(e);
    }
    if (full && fresh.length === 0) {
      this.log.info(`the store holds its maximum of ${Math.round(store.maxBytes / 1024 / 1024)} MiB; older history is not loaded (kubeEvents.store.maxMegabytes)`);
      return undefined;
    }
    store.applyBatch([...fresh].reverse().map((event) => ({ type: 'ADDED' as const, event })));
    return full ? fresh[fresh.length - 1].lastSeen : events[events.length - 1].lastSeen;
  }

  /** History files in the folder, for Clear History…. */
  async files(): Promise<HistoryFileInfo[]> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.deps.dir)).filter(isHistoryFileName);
    } catch {
      return [];
    }
    const current = this.db?.file;
    return Promise.all(
      names.map(async (n) => {
        const file = path.join(this.deps.dir, n);
        const meta =
          file === current
            ? { server: this.identity?.server ?? '', context: this.identity?.context ?? '' }
            : await this.client.request({ kind: 'meta', file }).catch(() => undefined);
        return { file, server: meta?.server ?? '', context: meta?.context ?? '', current: file === current };
      }),
    );
  }

  /**
   * Forgets the history in these files; the current cluster's is emptied in place. Resolves to the files not
   * cleared (owned by another window). @throws HistoryError (as a rejection) when the current one cannot be
   */
  async clear(files: readonly string[]): Promise<string[]> {
    const refused: string[] = [];
    for (const file of files) {
      const db = this.db;
      if (db && file === db.file) {
        if (db.mode !== 'readWrite') throw new HistoryError('readOnly', 'another window records this cluster\'s history; clear it there');
        await this.sink.flush();
        await db.clear();
      } else if (!(await this.client.request({ kind: 'delete', file }))) {
        refused.push(file);
      }
    }
    return refused;
  }

  /**
   * Settings changed from `previous`: turning history off closes it; on, it opens for the current cluster; new
   * limits prune soon. Nothing happens when the history's own settings are as they were.
   */
  settingsChanged(previous: HistorySettings): void {
    const next = this.deps.settings();
    if (next.enabled === previous.enabled && next.retentionDays === previous.retentionDays && next.maxMegabytes === previous.maxMegabytes) return;
    const enabled = next.enabled;
    if (enabled && this.db?.mode === 'readWrite') this.schedulePrune(1_000);
    if (!enabled && this.identity) {
      const identity = this.identity;
      this.close();
      this.identity = identity;
    } else if (enabled && !this.db && !this.opening && this.identity) {
      const identity = this.identity;
      this.identity = undefined;
      void this.open(identity);
    }
  }

  /**
   * Writes what is pending, closes the database and ends the worker; settles once they are done (the
   * extension's deactivate waits for it, so a window closed loses nothing it had seen).
   */
  shutdown(): Promise<void> {
    this.shutDown ??= (async () => {
      this.close();
      this.sink.dispose();
      await this.client.shutdown();
    })();
    return this.shutDown;
  }

  dispose(): void {
    void this.shutdown();
  }

  private async seed(db: RemoteHistory): Promise<void> {
    const started = this.clock.now();
    try {
      const events = await db.query({ limit: this.deps.store.capacity });
      if (db !== this.db) return;
      // Newest last, so the store's least recently updated are the oldest. What the store holds already (the
      // same cluster through another context) is newer than history's copy.
      const store = this.deps.store;
      const fresh = this.ofCluster(events.reverse()).filter((e) => !store.has(e.uid));
      store.applyBatch(fresh.map((event) => ({ type: 'ADDED' as const, event })));
      this.log.info(`seeded ${fresh.length} events from ${db.file} in ${this.clock.now() - started} ms`);
    } catch (err) {
      this.readFailed(err, db);
    }
  }

  /**
   * The events read back, marked with the cluster they belong to (`KubeEvent.cluster`: the name this history was
   * opened under), as the session marks what its watch reads; the rows do not keep it.
   */
  private ofCluster(events: KubeEvent[]): KubeEvent[] {
    const name = this.identity?.context;
    if (!name) return events;
    for (let i = 0; i < events.length; i++) if (events[i].cluster !== name) events[i] = { ...events[i], cluster: name };
    return events;
  }

  private schedulePrune(delay: number): void {
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = setTimeout(() => void this.prune(), delay);
    this.pruneTimer.unref?.();
  }

  /**
   * Prunes in the worker, a chunk of rows per step (the worker answers writes and reads between steps), then
   * again after PRUNE_EVERY_MS.
   */
  private async prune(): Promise<void> {
    this.pruneTimer = undefined;
    const db = this.db;
    if (!db || db.mode !== 'readWrite' || this.pruning) return;
    const s = this.deps.settings();
    this.pruning = true;
    try {
      const started = this.clock.now();
      const { removed, steps } = await db.prune(this.clock.now() - s.retentionDays * 86_400_000, s.maxMegabytes * 1024 * 1024, PRUNE_CHUNK);
      if (removed > 0) this.log.debug(`pruned ${removed} events in ${steps} steps, ${this.clock.now() - started} ms`);
    } catch (err) {
      if (db !== this.db) return;
      const failure = HistoryError.from(err);
      this.log.warn(`pruning failed (${failure.reason}): ${failure.message}; trying again later`);
      if (failure.reason === 'corrupt') this.replaceDamaged(failure);
      else this.schedulePrune(PRUNE_EVERY_MS / 10);
      return;
    } finally {
      this.pruning = false;
    }
    if (db === this.db) this.schedulePrune(PRUNE_EVERY_MS);
  }

  /** History cannot be written or opened just now: said once per reason and file; the live views go on. */
  private unavailable(err: HistoryError, file: string): void {
    this.log.warn(`history unavailable (${err.reason}): ${err.message}; retrying`);
    this.tell(`fail:${err.reason}:${file}`, { kind: 'failed', reason: err.reason, message: err.message });
  }

  private tell(key: string, notice: HistoryNotice): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.deps.onNotice(notice);
  }

  private closeDatabase(): void {
    this.generation++;
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    if (this.takeOverTimer) clearTimeout(this.takeOverTimer);
    this.takeOverTimer = undefined;
    this.db?.dispose();
    this.db = undefined;
    this.opening = undefined;
  }

  /** Closes the database; pending changes are written first (the worker takes requests in order). */
  private close(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.sink.setBackend(undefined);
    this.closeDatabase();
    this.identity = undefined;
  }
}
