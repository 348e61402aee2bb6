// What went wrong with a history file, as a HistoryError with a stable reason.
import { HistoryError, type HistoryFailureReason } from '../core/events/history';
import { errorMessage } from '../core/text/errorMessage';

/**
 * SQLite's error text is all node-sqlite3-wasm passes on (its SQLite3Error has no code). The texts are
 * SQLite's fixed `sqlite3ErrStr` table, so this is the one place that reads them.
 */
function classifySqliteError(err: unknown): HistoryFailureReason | undefined {
  const m = errorMessage(err);
  if (/database is locked|database table is locked/.test(m)) return 'busy';
  if (/database or disk is full/.test(m)) return 'full';
  if (/readonly database|read-only/.test(m)) return 'readOnly';
  if (/file is not a database|malformed|file is encrypted/.test(m)) return 'corrupt';
  if (/unable to open|disk I\/O error/.test(m)) return 'io';
  return undefined;
}

/** A failed file-system call as a HistoryError: a full disk, one we may not write, or other I/O trouble. */
export function fileSystemFailure(err: unknown, doing: string): HistoryError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason: HistoryFailureReason =
    code === 'ENOSPC' ? 'full' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'readOnly' : code === 'EAGAIN' || code === 'EBUSY' ? 'busy' : 'io';
  return new HistoryError(reason, `${doing}: ${errorMessage(err)}`);
}

export function toHistoryError(err: unknown, doing: string): HistoryError {
  if (HistoryError.is(err)) return err;
  const reason = classifySqliteError(err);
  const message = errorMessage(err);
  return new HistoryError(reason ?? 'io', `${doing}: ${message}`);
}
