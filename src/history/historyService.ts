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
import { deleteHistoryFile, historyFileName, HistoryDatabase, readHistoryMeta } from './historyDatabase';
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
/** Rows per pruning step: about 100 ms of work, so the views never wait long. */
const PRUNE_BUDGET = 500;
const PRUNE_PAUSE_MS = 250;
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
 * Failures are retried, never final: a write that fails is kept and written again with backoff, a read that
 * fails answers nothing that once, an open that fails is tried again, and a damaged file is moved aside and
 * replaced. No `vscode` here: the host adapter shows notices and runs Clear History….
 */
export class HistoryService implements Disposable {
  private db: HistoryDatabase | undefined;
  private identity: ClusterContext | undefined;
  private readonly sink: HistorySink;
  private readonly log: Logger;
  private readonly clock: Clock;
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  private takeOverTimer: ReturnType<typeof setTimeout> | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private readingSince = 0;
  /** Notices already given this session: each is said once. */
  private readonly told = new Set<string>();

  constructor(private readonly deps: HistoryServiceDeps) {
    this.log = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.sink = new HistorySink(deps.broadcaster, {
      flushMs: deps.flushMs,
      retryMs: deps.retryMs,
      logger: this.log,
      onFailure: (err) => this.writeFailed(err),
      onRecovered: (failures) => this.log.info(`history is written again, after ${failures} failed attempts; nothing held meanwhile was lost`),
    });
  }

  /** What the sink has done this session: changes written, dropped, and failed writes in a row now. */
  get writes(): { readonly written: number; readonly dropped: number; readonly failing: number } {
    return { written: this.sink.written, dropped: this.sink.dropped, failing: this.sink.failing };
  }

  /** The open database (undefined when history is off or cannot be opened now). */
  get database(): HistoryDatabase | undefined {
    return this.db;
  }

  /**
   * The session reached `cluster`, before its first list: open that cluster's history and seed the store
   * with its newest events, so the views show what happened while VS Code was closed. Reaching the same
   * cluster again changes nothing.
   */
  open(cluster: ClusterContext): void {
    if (this.identity && clusterKey(this.identity) === clusterKey(cluster) && this.db) return;
    this.close();
    this.identity = cluster;
    if (!this.deps.settings().enabled) return;
    this.openNow(0);
  }

  private fileOf(cluster: ClusterContext): string {
    return path.join(this.deps.dir, historyFileName(cluster));
  }

  private openNow(attempt: number): void {
    const cluster = this.identity;
    if (!cluster) return;
    let db: HistoryDatabase;
    try {
      db = HistoryDatabase.open(this.fileOf(cluster), cluster);
    } catch (err) {
      const failure = HistoryError.from(err);
      // Another window inside the file for long is no news for the user: it clears, and the retry says.
      if (failure.reason === 'busy') this.log.info(`history is busy in another window (${failure.message}); opening it again shortly`);
      else this.unavailable(failure, this.fileOf(cluster));
      this.scheduleReopen(attempt + 1);
      return;
    }
    // Changes a failed write kept (a damaged file that could not be replaced at once) go to this one.
    this.attach(db, true);
    this.seed();
  }

  private scheduleReopen(attempt: number): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    const delay = Math.min(REOPEN_MAX_MS, REOPEN_FIRST_MS * 2 ** Math.min(attempt - 1, 16));
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (!this.db && this.identity && this.deps.settings().enabled) this.openNow(attempt);
    }, delay);
    this.reopenTimer.unref?.();
  }

  /** Makes `db` the current database; `carryOver` keeps the changes the last one of this cluster did not take. */
  private attach(db: HistoryDatabase, carryOver: boolean): void {
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
    this.takeOverTimer = setTimeout(() => {
      this.takeOverTimer = undefined;
      const current = this.db;
      const cluster = this.identity;
      if (!current || current.mode !== 'readOnly' || !cluster) return;
      let next: HistoryDatabase | undefined;
      try {
        next = HistoryDatabase.tryOpenWriter(current.file, cluster);
      } catch (err) {
        this.log.debug(`cannot take over writing yet: ${errorMessage(err)}`);
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
    }, TAKE_OVER_EVERY_MS);
    this.takeOverTimer.unref?.();
  }

  /** A write failed: the sink keeps the changes and retries; the user hears once; a damaged file is replaced. */
  private writeFailed(err: HistoryError): 'retry' {
    if (err.reason === 'corrupt') this.replaceDamaged(err);
    else if (err.reason !== 'busy') this.unavailable(err, this.db?.file ?? '');
    return 'retry';
  }

  /** A read failed: that read answers nothing; history goes on. */
  private readFailed(err: unknown): void {
    const failure = HistoryError.from(err);
    this.log.warn(`reading history failed (${failure.reason}): ${failure.message}`);
    if (failure.reason === 'corrupt') this.replaceDamaged(failure);
  }

  /**
   * The writing window found its file damaged after opening it: move it aside and go on in a new one, with
   * what was not written yet. A reading window leaves that to the writer.
   */
  private replaceDamaged(err: HistoryError): void {
    const current = this.db;
    const cluster = this.identity;
    if (!current || current.mode !== 'readWrite' || !cluster) return;
    this.log.warn(`the history database is damaged (${err.message}); moving it aside`);
    // Not from inside the sink's write: the sink is told of the new database on the next turn.
    setTimeout(() => {
      if (this.db !== current) return;
      this.closeDatabase();
      let next: HistoryDatabase | undefined;
      try {
        next = HistoryDatabase.tryOpenWriter(current.file, cluster, { moveAside: true });
      } catch (e) {
        this.unavailable(HistoryError.from(e), current.file);
      }
      if (next) this.attach(next, true);
      else this.scheduleReopen(1);
    }, 0);
  }

  /** Writes what is pending. Tests and shutdown. */
  flush(): void {
    this.sink.flush();
  }

  /**
   * The Events view's filter changed: a `since:` or `until:` term reaches past what memory holds, so the events
   * of history that match it are loaded into the store first. Other filters load nothing.
   */
  filterChanged(query: Query, ctx: MatchContext): void {
    if (query.terms.some((t) => (t.key === 'since' || t.key === 'until') && !t.negated)) this.loadMatching(query, ctx);
  }

  /**
   * Loads the events of history that match a query into the store (newest first, at most `limit`, default
   * the store's capacity), so `since:2d` shows events older than the TTL. Returns how many were loaded.
   */
  loadMatching(query: Query, ctx: MatchContext, limit = this.deps.store.capacity): number {
    if (!this.db) return 0;
    this.sink.flush();
    const plan = planHistoryQuery(query, ctx.now, limit);
    let events;
    try {
      events = this.db.query(plan);
    } catch (err) {
      this.readFailed(err);
      return 0;
    }
    const found = events.filter((e) => !this.deps.store.has(e.uid) && matches(query, e, ctx));
    found.reverse();
    this.deps.store.applyBatch(found.map((event) => ({ type: 'ADDED' as const, event })));
    return found.length;
  }

  /**
   * Loads up to `limit` events last seen before `before` (epoch ms), newest first, into the store: the
   * timeline asks for the page older than what it shows. Returns the oldest time loaded, or undefined at
   * the end of history (or when history cannot be read just now).
   */
  loadOlder(before: number, limit: number): number | undefined {
    if (!this.db) return undefined;
    // The store evicts the least recently updated: a page beyond its room would push out newer events.
    const room = Math.min(limit, this.deps.store.capacity - this.deps.store.size);
    if (room <= 0) {
      this.log.info(`the store holds its maximum of ${this.deps.store.capacity} events; older history is not loaded (kubeEvents.store.maxEvents)`);
      return undefined;
    }
    this.sink.flush();
    let events;
    try {
      events = this.db.query({ to: before - 1, limit: room });
    } catch (err) {
      this.readFailed(err);
      return undefined;
    }
    if (events.length === 0) return undefined;
    // The bytes bound too (kubeEvents.store.maxMegabytes): newest first, as far as the room left goes.
    let bytesRoom = this.deps.store.maxBytes - this.deps.store.bytes;
    const fresh: KubeEvent[] = [];
    let full = false;
    for (const e of events) {
      if (this.deps.store.has(e.uid)) continue;
      bytesRoom -= estimateEventBytes(e);
      if (bytesRoom < 0) {
        full = true;
        break;
      }
      fresh.push(e);
    }
    if (full && fresh.length === 0) {
      this.log.info(`the store holds its maximum of ${Math.round(this.deps.store.maxBytes / 1024 / 1024)} MiB; older history is not loaded (kubeEvents.store.maxMegabytes)`);
      return undefined;
    }
    this.deps.store.applyBatch([...fresh].reverse().map((event) => ({ type: 'ADDED' as const, event })));
    return full ? fresh[fresh.length - 1].lastSeen : events[events.length - 1].lastSeen;
  }

  /** History files in the folder, for Clear History…. */
  files(): HistoryFileInfo[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.deps.dir).filter((n) => /^history-[0-9a-f]+\.sqlite$/.test(n));
    } catch {
      return [];
    }
    const current = this.db?.file;
    return names.map((n) => {
      const file = path.join(this.deps.dir, n);
      const meta = file === current ? { server: this.identity?.server ?? '', context: this.identity?.context ?? '' } : readHistoryMeta(file);
      return { file, server: meta?.server ?? '', context: meta?.context ?? '', current: file === current };
    });
  }

  /** Forgets the history in these files; the current cluster's is emptied in place. Returns files not cleared (owned by another window). */
  clear(files: readonly string[]): string[] {
    const refused: string[] = [];
    for (const file of files) {
      if (this.db && file === this.db.file) {
        this.sink.flush();
        this.db.clear();
      } else if (!deleteHistoryFile(file)) {
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
    } else if (enabled && !this.db && this.identity) {
      const identity = this.identity;
      this.identity = undefined;
      this.open(identity);
    }
  }

  dispose(): void {
    this.close();
    this.sink.dispose();
  }

  private seed(): void {
    if (!this.db) return;
    const started = this.clock.now();
    try {
      const events = this.db.query({ limit: this.deps.store.capacity }).reverse();
      this.deps.store.applyBatch(events.map((event) => ({ type: 'ADDED' as const, event })));
      this.log.info(`seeded ${events.length} events from ${this.db.file} in ${this.clock.now() - started} ms`);
    } catch (err) {
      this.readFailed(err);
    }
  }

  private schedulePrune(delay: number): void {
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = setTimeout(() => this.pruneStep(), delay);
    this.pruneTimer.unref?.();
  }

  /** One chunk per tick, so the views never wait on a long delete. */
  private pruneStep(): void {
    this.pruneTimer = undefined;
    const db = this.db;
    if (!db || db.mode !== 'readWrite') return;
    const s = this.deps.settings();
    let removed: number;
    try {
      removed = db.prune(this.clock.now() - s.retentionDays * 86_400_000, s.maxMegabytes * 1024 * 1024, PRUNE_BUDGET);
    } catch (err) {
      const failure = HistoryError.from(err);
      this.log.warn(`pruning failed (${failure.reason}): ${failure.message}; trying again later`);
      if (failure.reason === 'corrupt') this.replaceDamaged(failure);
      else this.schedulePrune(PRUNE_EVERY_MS / 10);
      return;
    }
    if (removed > 0) this.log.debug(`pruned ${removed} events`);
    // Between chunks the extension host is free for the views; a large backlog takes minutes, not a freeze.
    this.schedulePrune(removed > 0 ? PRUNE_PAUSE_MS : PRUNE_EVERY_MS);
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
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    if (this.takeOverTimer) clearTimeout(this.takeOverTimer);
    this.takeOverTimer = undefined;
    try {
      this.db?.dispose();
    } catch (err) {
      this.log.debug(`closing history failed: ${errorMessage(err)}`);
    }
    this.db = undefined;
  }

  /** Closes the database; pending changes are written first. */
  private close(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.sink.setBackend(undefined);
    this.closeDatabase();
    this.identity = undefined;
  }
}
