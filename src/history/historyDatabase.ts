import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, Statement } from 'node-sqlite3-wasm';
import type * as Sqlite from 'node-sqlite3-wasm';
import { HistoryError, type HistoryFilter, type HistoryMode } from '../core/events/history';
import type { EventChange, KubeEvent } from '../core/events/kubeEvent';
import type { ClusterContext } from '../core/clusterIdentity';
import { type ProcessLock } from './processLock';
import { takeLock, withAccess, writerLock } from './historyAccess';
import { fileSystemFailure, toHistoryError } from './historyErrors';
import { decodeRow, encodeRow, type Row, type Value } from './historyRows';
import type { OpenNotes } from './historyProtocol';
import { SCHEMA, SCHEMA_VERSION, TRANSACTION_MS, UPSERT, WRITE_CHUNK } from './historySchema';

/**
 * One cluster's event history on disk: an SQLite database run as WebAssembly (node-sqlite3-wasm, whose VFS
 * reads and writes the file through node:fs), so it needs no native build on any platform VS Code runs on
 * (docs/ARCHITECTURE.md).
 *
 * Schema (version 1):
 * - `events`: one row per event uid with its latest state: the columns queries narrow by (last seen, type,
 *   reason, namespace, involved-object uid), the count, `expired`, and the rest of the normalised event as
 *   JSON in `body`, without default values (bytes per event matter at a million rows). Upserts are keyed by uid, so a re-list, a restart or a reconnect never duplicates a row; a row
 *   changes only when its resourceVersion or expiry differs. A DELETED change (the apiserver's TTL, or a
 *   delete by hand) sets `expired`; rows are removed only by retention or Clear History….
 * - `meta`: schema version, server URL and context name, shown by Clear History…. Never a credential, a user
 *   token or kubeconfig content: the file is named by a hash of server URL and user name only.
 *
 * Deliberate choices:
 * - Rollback journal (TRUNCATE) with `synchronous=FULL`, not WAL: the VFS has no shared memory, and a
 *   committed transaction survives a killed process or a power cut. The sink writes at most every half
 *   second, which bounds what a crash loses, in transactions of at most 5,000 changes through one prepared
 *   statement: each commit costs several fsyncs and rewrites every index page it touched, so rows per
 *   transaction is what the write rate hangs on. A transaction also ends once it has taken 250 ms, which
 *   bounds how long a reader in another window waits for the lock even on a machine too busy to write
 *   5,000 in that time. Rows are encoded before the transaction begins, so the lock covers SQLite's work only.
 * - The VFS locks with a `<file>.lock` directory that a killed process leaves behind, and it cannot tell a
 *   dead holder from a live one. So two locks the operating system frees when their holder dies
 *   (processLock.ts) sit above it: `<file>.writer`, held by the one window that writes for as long as it
 *   has the file open (the others read, and take it over the moment it is free), and `<file>.access`, held
 *   around every transaction and every read. Inside the access lock no live process is inside SQLite's, so
 *   a lock directory found then is a dead process's and is removed. No age or process id is consulted: a
 *   long transaction is never taken over, a killed reader never blocks the writer, a reused pid means nothing.
 * - The same VFS keeps SQLite from ever seeing a killed writer's journal as hot, so SQLite would read that
 *   writer's half-written transaction as it is. A non-empty journal found inside the access lock is a killed
 *   writer's (journal_mode=TRUNCATE empties it at every commit): it is rolled back (rollbackJournal.ts) before
 *   SQLite reads the file.
 * - A file SQLite cannot read (not a database, malformed) is renamed `<file>.corrupt-<time>` and a new one
 *   starts; the caller says so once, with the path. Only the newest few such files are kept.
 * - `auto_vacuum=INCREMENTAL`, so retention gives pages back to the file system a chunk at a time.
 */


/** Moved-aside files kept per database: the newest few, for the user to look at; older ones are deleted. */
const KEEP_MOVED_ASIDE = 3;

/**
 * node-sqlite3-wasm compiles its WebAssembly when it is loaded: it is loaded by the first database opened (after
 * a connection), never by activation (docs/ARCHITECTURE.md §2).
 */
function openDatabase(file: string, options: { readOnly: boolean; fileMustExist: boolean }): Database {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite = require('node-sqlite3-wasm') as typeof Sqlite;
  return new sqlite.Database(file, options);
}

/**
 * An open history database (see the module comment). Synchronous: node-sqlite3-wasm runs SQLite on the
 * calling thread, so the extension uses it only inside the history worker (historyWorker.ts), never on the
 * extension host's thread.
 */
export class HistoryDatabase {
  private readonly db: Database;
  private upsert: Statement | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    readonly mode: HistoryMode,
    readonly notes: OpenNotes,
    private readonly writer: ProcessLock | undefined,
  ) {
    this.db = openDatabase(file, { readOnly: mode === 'readOnly', fileMustExist: mode === 'readOnly' });
    try {
      if (mode === 'readWrite') {
        // page_size and auto_vacuum only take effect before the first table exists.
        this.db.exec('PRAGMA page_size = 4096; PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL;');
        // The indexes take inserts at up to a thousand places (one per involved object): keep them cached, within
        // the 16 MiB WebAssembly memory SQLite starts with, which grows with the cache and never shrinks.
        this.db.exec('PRAGMA cache_size = -8000');
        this.db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
        this.upsert = this.db.prepare(UPSERT);
      } else {
        this.db.get('SELECT count(*) AS n FROM sqlite_schema');
      }
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.db.close();
      throw err;
    }
  }

  /**
   * Opens (creating when needed) the history at `file`. Writes when it gets the writer's lock, else reads
   * only. A transaction a killed writer left half-done is rolled back first; an unreadable file is moved
   * aside and a new one started (see `notes`). `identity` is who the database belongs to, written into it and
   * shown by Clear History…. @throws HistoryError
   */
  static open(file: string, identity: ClusterContext): HistoryDatabase {
    return HistoryDatabase.tryOpenWriter(file, identity) ?? HistoryDatabase.openReader(file);
  }

  /**
   * Opens the history at `file` for writing if no other window writes it (the lock of a window that died is
   * free at once), else returns undefined without opening anything: a reading window asks this to take over.
   * `moveAside`: the file was found damaged after it opened; start a new one. @throws HistoryError
   */
  static tryOpenWriter(file: string, identity: ClusterContext, opts: { moveAside?: boolean } = {}): HistoryDatabase | undefined {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw fileSystemFailure(err, `cannot create ${path.dirname(file)}`);
    }
    const writer = takeLock(writerLock(file), file);
    if (!writer) return undefined;
    try {
      // The owner file of versions before the writer's lock: nothing reads it now.
      fs.rmSync(`${file}.owner`, { force: true });
      const moveAsideNow = (): string => withAccess(file, () => moveAside(file), { recover: false, writer: true });
      let movedAside = opts.moveAside ? moveAsideNow() : undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          return withAccess(file, (rolledBack) => {
            const notes: OpenNotes = { ...(movedAside ? { movedAside } : {}), ...(rolledBack > 0 ? { rolledBack } : {}) };
            const db = new HistoryDatabase(file, 'readWrite', notes, writer);
            try {
              db.writeMeta(identity);
            } catch (err) {
              db.closeConnection();
              throw err;
            }
            return db;
          }, { writer: true });
        } catch (err) {
          const failure = toHistoryError(err, `cannot open ${file}`);
          if (failure.reason !== 'corrupt' || attempt > 0) throw failure;
          movedAside = moveAsideNow();
        }
      }
    } catch (err) {
      writer.release();
      throw err;
    }
  }

  private static openReader(file: string): HistoryDatabase {
    try {
      return withAccess(file, (rolledBack) => {
        // The writer took its lock but has not created the file yet: a moment, not a failure.
        if (!fs.existsSync(file)) throw new HistoryError('busy', `another window is creating ${file}`);
        return new HistoryDatabase(file, 'readOnly', rolledBack > 0 ? { rolledBack } : {}, undefined);
      });
    } catch (err) {
      throw toHistoryError(err, `cannot open ${file}`);
    }
  }

  write(changes: readonly EventChange[]): void {
    if (this.closed) throw new HistoryError('io', 'history is closed');
    if (!this.upsert || changes.length === 0) return;
    for (let from = 0; from < changes.length; from += WRITE_CHUNK) {
      // Encoded before the transaction, which then holds the lock only for SQLite's own work.
      const rows = changes.slice(from, from + WRITE_CHUNK).map(encodeRow);
      // Short transactions: another window reading the file waits for the lock at most one of them.
      for (let i = 0; i < rows.length; ) i = this.writeTransaction(rows, i);
    }
  }

  /**
   * Writes from `rows[from]` in one transaction, until it has taken TRANSACTION_MS or the rows end: on a busy
   * machine the count alone would hold the lock for seconds, and another window gives up waiting after two.
   * Returns where the next transaction starts.
   */
  private writeTransaction(rows: ReadonlyArray<readonly Value[]>, from: number): number {
    try {
      return withAccess(this.file, () => {
        const upsert = this.upsert!;
        const deadline = performance.now() + TRANSACTION_MS;
        this.db.exec('BEGIN IMMEDIATE');
        try {
          let i = from;
          while (i < rows.length) {
            upsert.run(rows[i++] as Value[]);
            if ((i - from) % 64 === 0 && performance.now() > deadline) break;
          }
          this.db.exec('COMMIT');
          return i;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          // A statement keeps its last error and refuses to run again (node-sqlite3-wasm cannot reset it
          // then): the retry needs a fresh one.
          try {
            upsert.finalize();
          } catch {
            // The error it rethrows is `err`.
          }
          this.upsert = this.db.prepare(UPSERT);
          throw err;
        }
      }, { writer: true });
    } catch (err) {
      throw toHistoryError(err, 'writing history');
    }
  }

  query(filter: HistoryFilter): KubeEvent[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.from !== undefined) {
      where.push('last_seen >= ?');
      args.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('last_seen <= ?');
      args.push(filter.to);
    }
    const anyOf = (column: string, values: readonly string[] | undefined): void => {
      if (!values) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      args.push(...values);
    };
    anyOf('reason', filter.reasons);
    anyOf('type', filter.types);
    anyOf('namespace', filter.namespaces);
    anyOf('object_uid', filter.objectUids);
    const sql = `SELECT uid, last_seen, object_uid, type, reason, namespace, count, resource_version, expired, body FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen DESC LIMIT ?`;
    args.push(Math.max(0, Math.floor(filter.limit)));
    const rows = this.read(() => this.db.all(sql, args)) as unknown as Row[];
    return rows.map(decodeRow);
  }

  prune(olderThan: number, maxBytes: number, budget: number): number {
    if (this.mode !== 'readWrite' || this.closed) return 0;
    try {
      return withAccess(this.file, () => {
        let removed = this.db.run('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE last_seen < ? ORDER BY last_seen LIMIT ?)', [olderThan, budget]).changes;
        if (removed === 0 && this.fileBytes() > maxBytes) {
          removed = this.db.run('DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY last_seen LIMIT ?)', [budget]).changes;
        }
        // Give freed pages back to the file system so the file, not just its contents, shrinks.
        this.db.exec(`PRAGMA incremental_vacuum(${Math.max(1, budget)})`);
        return removed;
      }, { writer: true });
    } catch (err) {
      throw toHistoryError(err, 'pruning history');
    }
  }

  stats(): { events: number; bytes: number } {
    return this.read(() => ({ events: (this.db.get('SELECT count(*) AS events FROM events') as { events: number }).events, bytes: this.fileBytes() }));
  }

  /** The database's size in bytes, from its page count: no table scan (pruning asks at every step). */
  private fileBytes(): number {
    const row = this.db.get('SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size()) AS bytes') as { bytes: number };
    return row.bytes;
  }

  /** Forgets every event of this cluster (Clear History…). */
  clear(): void {
    if (this.mode !== 'readWrite') throw new HistoryError('readOnly', 'another window records this cluster\'s history; clear it there');
    try {
      withAccess(this.file, () => {
        try {
          this.db.exec('BEGIN IMMEDIATE; DELETE FROM events; COMMIT; VACUUM;');
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw err;
        }
      }, { writer: true });
    } catch (err) {
      throw toHistoryError(err, 'clearing history');
    }
  }

  /** SQLite's `quick_check`: 'ok', or what is wrong. */
  check(): string {
    const rows = this.read(() => this.db.all('PRAGMA quick_check')) as Array<{ quick_check: string }>;
    return rows.map((r) => r.quick_check).join('; ');
  }

  /** Caps the file's size in pages (tests: a disk that fills up, and clears again). */
  limitPages(pages: number): void {
    this.db.exec(`PRAGMA max_page_count = ${Math.floor(pages)}`);
  }

  dispose(): void {
    if (this.closed) return;
    this.closeConnection();
    this.writer?.release();
  }

  private closeConnection(): void {
    this.closed = true;
    try {
      // finalize() rethrows the statement's last error (a full disk, say); closing must go on regardless.
      this.upsert?.finalize();
    } catch {
      // Reported when it happened.
    }
    this.db.close();
  }

  private writeMeta(identity: ClusterContext): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const [key, value] of [['schema', SCHEMA_VERSION], ['server', identity.server], ['context', identity.context]]) {
        this.db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private read<T>(step: () => T): T {
    if (this.closed) throw new HistoryError('io', 'history is closed');
    try {
      return withAccess(this.file, step, { writer: this.mode === 'readWrite' });
    } catch (err) {
      throw toHistoryError(err, 'reading history');
    }
  }
}

/** Reads `meta` of a history file without claiming it (Clear History… lists them). */
export function readHistoryMeta(file: string): { server: string; context: string } | undefined {
  try {
    return withAccess(file, () => {
      const db = openDatabase(file, { readOnly: true, fileMustExist: true });
      try {
        const rows = db.all('SELECT key, value FROM meta') as Array<{ key: string; value: string }>;
        const meta = new Map(rows.map((r) => [r.key, r.value]));
        return { server: meta.get('server') ?? '', context: meta.get('context') ?? '' };
      } finally {
        db.close();
      }
    }, { timeoutMs: 500 });
  } catch {
    return undefined;
  }
}

/** Deletes a history file and its companions. Refuses while another window writes it. */
export function deleteHistoryFile(file: string): boolean {
  const writer = takeLock(writerLock(file), file);
  if (!writer) return false;
  try {
    withAccess(file, () => {
      for (const f of [file, `${file}-journal`, `${file}.owner`]) fs.rmSync(f, { force: true });
    }, { writer: true });
  } finally {
    writer.release();
  }
  return true;
}

/**
 * Renames an unreadable file `<file>.corrupt-<time>` (its unplayed journal beside it) and deletes the moved
 * aside files beyond the newest few. The caller holds the access lock. Returns the new name.
 */
function moveAside(file: string): string {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    fs.renameSync(file, aside);
    // A journal left unplayed goes with it: it is what could still restore the file.
    if ((fs.statSync(`${file}-journal`, { throwIfNoEntry: false })?.size ?? 0) > 0) fs.renameSync(`${file}-journal`, `${aside}-journal`);
    else fs.rmSync(`${file}-journal`, { force: true });
  } catch (err) {
    throw fileSystemFailure(err, `cannot move ${file} aside`);
  }
  const prefix = `${path.basename(file)}.corrupt-`;
  try {
    const asides = fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(prefix) && !n.endsWith('-journal')).sort();
    for (const old of asides.slice(0, Math.max(0, asides.length - KEEP_MOVED_ASIDE))) {
      for (const f of [old, `${old}-journal`]) fs.rmSync(path.join(path.dirname(file), f), { force: true });
    }
  } catch {
    // Tidying is best effort: the new database matters, not the old copies.
  }
  return aside;
}
