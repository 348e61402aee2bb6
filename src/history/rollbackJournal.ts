import * as fs from 'node:fs';
import { HistoryError } from '../core/events/history';

/**
 * Rolls back the transaction a killed writer left half-done, from its rollback journal, as SQLite's pager
 * does on open when it finds a "hot" journal (docs/ARCHITECTURE.md §10).
 *
 * SQLite cannot do it here: node-sqlite3-wasm's VFS answers "is the file reserved?" by whether
 * `<file>.lock` exists, and the opening connection has just created that directory itself, so SQLite never
 * judges a journal hot. It would read the pages the killed writer had already written into the database
 * as they are: a transaction it never committed, half applied, which SQLite may then call malformed.
 *
 * The journal format is SQLite's documented one (file format, "The Rollback Journal"): segments, each a
 * header padded to a sector, then page records of the page's content before the transaction. The caller
 * holds the file's lock and is its only writer.
 */

const MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
const HEADER_BYTES = 28;
/** The page holding SQLite's lock byte (at 1 GiB) is never journaled; a record naming it ends the journal. */
const PENDING_BYTE = 0x4000_0000;
/** A page count of -1: the segment runs to the end of the file. */
const TO_END = 0xffff_ffff;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** SQLite's journal checksum: the nonce plus every 200th byte of the page, from the end. */
export function journalChecksum(nonce: number, page: Uint8Array): number {
  let sum = nonce;
  for (let i = page.length - 200; i > 0; i -= 200) sum = (sum + page[i]) >>> 0;
  return sum;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** The database's page size from its header (offset 16; 1 means 65536), for journals that leave it out. */
function databasePageSize(dbFd: number): number {
  const b = readAt(dbFd, 16, 2);
  if (b.length < 2) return 0;
  const v = b.readUInt16BE(0);
  return v === 1 ? 65_536 : v;
}

/**
 * Restores `<file>` to its state before the transaction `<file>-journal` records, if that journal is hot,
 * and then empties the journal. Returns how many pages it wrote back (0: nothing to roll back).
 * Safe to repeat after a crash part-way: the journal is emptied only once the database is synced.
 * @throws HistoryError 'corrupt' when the journal's header is not one SQLite could have written.
 */
export function rollBackHotJournal(file: string): number {
  const journal = `${file}-journal`;
  let jfd: number;
  try {
    jfd = fs.openSync(journal, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const journalBytes = fs.fstatSync(jfd).size;
    if (journalBytes === 0) return 0;
    let dbFd: number;
    try {
      dbFd = fs.openSync(file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // No database to restore: the journal is all that is left of one that never held a page.
      emptyJournal(jfd);
      return 0;
    }
    let restored = 0;
    try {
      restored = playBack(jfd, journalBytes, dbFd, file);
      fs.fsyncSync(dbFd);
    } finally {
      fs.closeSync(dbFd);
    }
    emptyJournal(jfd);
    return restored;
  } finally {
    fs.closeSync(jfd);
  }
}

function playBack(jfd: number, journalBytes: number, dbFd: number, file: string): number {
  const first = readAt(jfd, 0, HEADER_BYTES);
  // Not a journal header (zeroed, or torn before its first sector was written): no transaction to undo.
  if (first.length < HEADER_BYTES || !first.subarray(0, 8).equals(MAGIC)) return 0;
  const sectorSize = first.readUInt32BE(20);
  const pageSize = first.readUInt32BE(24) || databasePageSize(dbFd);
  if (!isPowerOfTwo(pageSize) || pageSize < 512 || pageSize > 65_536 || !isPowerOfTwo(sectorSize) || sectorSize < 32 || sectorSize > 65_536) {
    throw new HistoryError('corrupt', `the journal of ${file} has page size ${pageSize} and sector size ${sectorSize}`);
  }
  const recordBytes = pageSize + 8;
  const lockPage = Math.floor(PENDING_BYTE / pageSize) + 1;
  // The database's size before the transaction: the first header's.
  const pagesBefore = first.readUInt32BE(16);
  let restored = 0;
  let offset = 0;
  for (;;) {
    const header = readAt(jfd, offset, HEADER_BYTES);
    if (offset + sectorSize > journalBytes || header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) return restored;
    if (offset === 0) fs.ftruncateSync(dbFd, pagesBefore * pageSize);
    const declared = header.readUInt32BE(8);
    const nonce = header.readUInt32BE(12);
    offset += sectorSize;
    const records = declared === TO_END ? Math.floor((journalBytes - offset) / recordBytes) : declared;
    for (let i = 0; i < records; i++, offset += recordBytes) {
      const record = readAt(jfd, offset, recordBytes);
      // A short, out-of-place or mis-summed record is where the journal's valid part ends.
      if (record.length < recordBytes) return restored;
      const page = record.readUInt32BE(0);
      if (page === 0 || page === lockPage) return restored;
      const content = record.subarray(4, 4 + pageSize);
      if (journalChecksum(nonce, content) !== record.readUInt32BE(4 + pageSize)) return restored;
      if (page > pagesBefore) continue;
      fs.writeSync(dbFd, content, 0, pageSize, (page - 1) * pageSize);
      restored++;
    }
    // The next segment's header starts on a sector boundary.
    offset = Math.ceil(offset / sectorSize) * sectorSize;
  }
}

/** A zero-length journal is never hot (journal_mode=TRUNCATE ends every transaction the same way). */
function emptyJournal(jfd: number): void {
  fs.ftruncateSync(jfd, 0);
  fs.fsyncSync(jfd);
}
