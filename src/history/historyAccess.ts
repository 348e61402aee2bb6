// The cross-window ownership protocol of a history file: the writer, access and waiting locks
// (processLock.ts) and the bounded, blocking retry while another window is inside the database.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HistoryError } from '../core/events/history';
import { rollBackHotJournal } from './rollbackJournal';
import { tryLock, type ProcessLock } from './processLock';
import { fileSystemFailure } from './historyErrors';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Longest a window waits, blocked, to get into the database; beyond it the step fails as `busy` and is retried later. */
const ACCESS_TIMEOUT_MS = 2000;

/** The lock held by the one window that writes (processLock.ts). */
export const writerLock = (file: string): string => `${path.resolve(file)}.writer`;
/** The lock held by whichever window is inside the database, for one transaction or one read. */
const accessLock = (file: string): string => `${path.resolve(file)}.access`;
/** Held by the writer while it waits for the access lock; readers do not take it meanwhile. */
const writerWaitingLock = (file: string): string => `${path.resolve(file)}.waiting`;

/**
 * Runs `step` inside the database: holding its access lock, which every window takes before SQLite may lock
 * the file. So while it is held no live process is inside SQLite's lock, and what the VFS's lock directory
 * or a non-empty journal says is left over from a process that died there: the directory is removed and the
 * journal rolled back (rollbackJournal.ts) before `step` runs, with no guess from ages or process ids.
 * `step` is told how many pages were rolled back. Waits at most `timeoutMs`. @throws HistoryError ('busy'
 * past the wait, 'corrupt' for a journal SQLite could not have written)
 */
export function withAccess<T>(file: string, step: (rolledBack: number) => T, opts: { timeoutMs?: number; recover?: boolean; writer?: boolean } = {}): T {
  const timeoutMs = opts.timeoutMs ?? ACCESS_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  // A writer that has to wait says so, and readers let it in first: reads back to back never starve it.
  let waiting: ProcessLock | undefined;
  try {
    for (let wait = 1; ; wait = Math.min(wait * 2, 10)) {
      let lock: ProcessLock | undefined;
      if (opts.writer) {
        waiting ??= takeLock(writerWaitingLock(file), file);
        lock = takeLock(accessLock(file), file);
      } else {
        const noWriterWaits = takeLock(writerWaitingLock(file), file);
        noWriterWaits?.release();
        lock = noWriterWaits ? takeLock(accessLock(file), file) : undefined;
      }
      if (lock) {
        waiting?.release();
        try {
          let rolledBack = 0;
          if (opts.recover !== false) {
            fs.rmSync(`${file}.lock`, { recursive: true, force: true });
            try {
              if ((fs.statSync(`${file}-journal`, { throwIfNoEntry: false })?.size ?? 0) > 0) rolledBack = rollBackHotJournal(file);
            } catch (err) {
              if (HistoryError.is(err)) throw err;
              throw fileSystemFailure(err, `cannot roll back the unfinished write in ${file}-journal`);
            }
          }
          return step(rolledBack);
        } finally {
          lock.release();
        }
      }
      if (Date.now() > deadline) throw new HistoryError('busy', `another window has been inside ${file} for over ${timeoutMs} ms`);
      Atomics.wait(sleeper, 0, 0, wait);
    }
  } finally {
    waiting?.release();
  }
}

export function takeLock(name: string, file: string): ProcessLock | undefined {
  try {
    return tryLock(name);
  } catch (err) {
    throw fileSystemFailure(err, `cannot lock ${file}`);
  }
}
