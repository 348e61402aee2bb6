import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import { HistoryError } from '../../../src/core/events/history';
import { HistoryDatabase } from '../../../src/history/historyDatabase';
import { journalChecksum, rollBackHotJournal } from '../../../src/history/rollbackJournal';
import { anEvent } from '../support/eventBuilder';

const CLUSTER = { server: 'https://127.0.0.1:6443', user: 'dev', context: 'kind-dev' };
const PAGE = 4096;
const SECTOR = 512;
const MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/** A pid no process has: the owner a kill left behind. */
const DEAD_PID = 2 ** 22 + 12345;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-journal-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function page(fill: number): Buffer {
  const p = Buffer.alloc(PAGE, fill);
  p.writeUInt32BE(fill * 1000 + 7, 100); // not uniform, so a checksum over it means something
  return p;
}

/** A journal segment as SQLite writes one: a header padded to a sector, then (page number, content, checksum). */
function segment(opts: { records: number; nonce: number; pagesBefore: number; pages: Array<[number, Buffer]>; badSumAt?: number }): Buffer {
  const header = Buffer.alloc(SECTOR);
  Buffer.from(MAGIC).copy(header, 0);
  header.writeUInt32BE(opts.records >>> 0, 8);
  header.writeUInt32BE(opts.nonce, 12);
  header.writeUInt32BE(opts.pagesBefore, 16);
  header.writeUInt32BE(SECTOR, 20);
  header.writeUInt32BE(PAGE, 24);
  const records = opts.pages.map(([no, content], i) => {
    const r = Buffer.alloc(PAGE + 8);
    r.writeUInt32BE(no, 0);
    content.copy(r, 4);
    r.writeUInt32BE((journalChecksum(opts.nonce, content) + (i === opts.badSumAt ? 1 : 0)) >>> 0, 4 + PAGE);
    return r;
  });
  return Buffer.concat([header, ...records]);
}

/** Pads to the next sector, as SQLite starts each later segment on a sector boundary. */
function padToSector(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((SECTOR - (b.length % SECTOR)) % SECTOR)]);
}

describe('rolling back a hot journal, by the file format', () => {
  it('checksums a page as SQLite does: the nonce plus every 200th byte from the end', () => {
    const p = Buffer.alloc(PAGE);
    for (let i = PAGE - 200; i > 0; i -= 200) p[i] = 1;
    assert.equal(journalChecksum(5, p), 5 + Math.floor((PAGE - 1) / 200));
    assert.equal(journalChecksum(0xffff_ffff, p), Math.floor((PAGE - 1) / 200) - 1, 'wraps at 32 bits');
  });

  it('restores every journaled page, truncates to the size before, and empties the journal', () => {
    const file = path.join(dir, 'h.sqlite');
    // Before: pages 1 and 2. The killed transaction rewrote both and added a third.
    fs.writeFileSync(file, Buffer.concat([page(0xa1), page(0xa2), page(0xa3)]));
    fs.writeFileSync(`${file}-journal`, segment({ records: 2, nonce: 99, pagesBefore: 2, pages: [[2, page(2)], [1, page(1)]] }));
    assert.equal(rollBackHotJournal(file), 2);
    assert.deepEqual(fs.readFileSync(file), Buffer.concat([page(1), page(2)]));
    assert.equal(fs.statSync(`${file}-journal`).size, 0);
    assert.equal(rollBackHotJournal(file), 0, 'an empty journal is not hot');
  });

  it('plays every segment, a page count of -1 meaning to the end of the file', () => {
    const file = path.join(dir, 'h.sqlite');
    fs.writeFileSync(file, Buffer.concat([page(0xa1), page(0xa2), page(0xa3)]));
    const first = padToSector(segment({ records: 1, nonce: 1, pagesBefore: 3, pages: [[1, page(1)]] }));
    const second = segment({ records: -1, nonce: 2, pagesBefore: 3, pages: [[3, page(3)], [2, page(2)]] });
    fs.writeFileSync(`${file}-journal`, Buffer.concat([first, second]));
    assert.equal(rollBackHotJournal(file), 3);
    assert.deepEqual(fs.readFileSync(file), Buffer.concat([page(1), page(2), page(3)]));
  });

  it('stops at the first record whose checksum is wrong: that is where the valid journal ends', () => {
    const file = path.join(dir, 'h.sqlite');
    fs.writeFileSync(file, Buffer.concat([page(0xa1), page(0xa2)]));
    fs.writeFileSync(`${file}-journal`, segment({ records: 2, nonce: 7, pagesBefore: 2, pages: [[1, page(1)], [2, page(2)]], badSumAt: 1 }));
    assert.equal(rollBackHotJournal(file), 1);
    assert.deepEqual(fs.readFileSync(file), Buffer.concat([page(1), page(0xa2)]));
  });

  it('leaves the database alone when the journal has no header (the kill came before one was written)', () => {
    const file = path.join(dir, 'h.sqlite');
    const before = Buffer.concat([page(0xa1), page(0xa2)]);
    fs.writeFileSync(file, before);
    fs.writeFileSync(`${file}-journal`, Buffer.alloc(SECTOR + PAGE + 8));
    assert.equal(rollBackHotJournal(file), 0);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.equal(fs.statSync(`${file}-journal`).size, 0);
  });

  it('leaves the database alone when the kill came before the journal was synced (no record counted yet)', () => {
    const file = path.join(dir, 'h.sqlite');
    const before = Buffer.concat([page(0xa1), page(0xa2)]);
    fs.writeFileSync(file, before);
    fs.writeFileSync(`${file}-journal`, segment({ records: 0, nonce: 3, pagesBefore: 2, pages: [[1, page(1)]] }));
    assert.equal(rollBackHotJournal(file), 0);
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('calls a header with an impossible page size corrupt, and touches nothing', () => {
    const file = path.join(dir, 'h.sqlite');
    const before = Buffer.concat([page(0xa1), page(0xa2)]);
    fs.writeFileSync(file, before);
    const journal = segment({ records: 1, nonce: 3, pagesBefore: 1, pages: [[1, page(1)]] });
    journal.writeUInt32BE(1000, 24);
    fs.writeFileSync(`${file}-journal`, journal);
    assert.throws(() => rollBackHotJournal(file), (err) => HistoryError.is(err, 'corrupt'));
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readFileSync(`${file}-journal`), journal);
  });
});

/**
 * The files a writer SIGKILLed in the middle of a transaction leaves, built without timing: a real
 * transaction, with a cache so small that SQLite has already written some of its pages into the database,
 * copied while it is open, next to the lock directory and owner file of a dead process.
 */
function killedMidTransaction(file: string, committed: number): { committedBytes: Buffer } {
  const db = HistoryDatabase.open(file, CLUSTER);
  db.write(Array.from({ length: committed }, (_, i) => ({ type: 'ADDED' as const, event: anEvent({ uid: `committed-${i}`, message: 'm'.repeat(300) }) })));
  db.dispose();
  const committedBytes = fs.readFileSync(file);
  const work = path.join(dir, 'work.sqlite');
  fs.copyFileSync(file, work);
  const writer = new Database(work);
  try {
    writer.exec('PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL; PRAGMA cache_size = 10;');
    writer.exec('BEGIN IMMEDIATE');
    writer.exec(`UPDATE events SET count = count + 1, body = body || ''`);
    writer.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO events(uid, last_seen, type, reason, namespace, object_uid, count, expired, resource_version, body)
      SELECT 'uncommitted-' || i, i, 'Normal', 'Uncommitted', 'default', 'o', 1, 0, '1', '{"regarding":{},"message":"' || hex(zeroblob(150)) || '"}' FROM n`);
    fs.copyFileSync(work, file);
    fs.copyFileSync(`${work}-journal`, `${file}-journal`);
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
  fs.mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.lock`, old, old);
  fs.writeFileSync(`${file}.owner`, JSON.stringify({ pid: DEAD_PID, token: 'killed' }));
  return { committedBytes };
}

describe('history database after a writer is killed mid-transaction', () => {
  it('the state under test has uncommitted pages in the database and a hot journal', () => {
    const file = path.join(dir, 'h.sqlite');
    const { committedBytes } = killedMidTransaction(file, 500);
    assert.notDeepEqual(fs.readFileSync(file), committedBytes, 'the transaction wrote into the database before it was killed');
    const journal = fs.readFileSync(`${file}-journal`);
    assert.deepEqual([...journal.subarray(0, 8)], MAGIC);
    assert.ok(journal.readUInt32BE(8) > 0, 'the journal was synced, so its records count');
  });

  it('rolling the journal back gives the committed file, byte for byte', () => {
    const file = path.join(dir, 'h.sqlite');
    const { committedBytes } = killedMidTransaction(file, 500);
    assert.ok(rollBackHotJournal(file) > 0);
    assert.deepEqual(fs.readFileSync(file), committedBytes);
  });

  it('reopens with every commit and nothing of the killed transaction, and records on', () => {
    const file = path.join(dir, 'h.sqlite');
    killedMidTransaction(file, 500);
    const db = HistoryDatabase.open(file, CLUSTER);
    try {
      assert.equal(db.mode, 'readWrite', 'a dead owner is taken over');
      assert.equal(db.notes.movedAside, undefined, 'the file is not moved aside');
      assert.equal(db.check(), 'ok');
      assert.equal(db.query({ limit: 1000, reasons: ['Uncommitted'] }).length, 0, 'no uncommitted row');
      assert.ok(db.query({ limit: 1000 }).every((e) => e.count === 1), 'no uncommitted update');
      assert.equal(db.stats().events, 500, 'every commit');
      assert.ok((db.notes.rolledBack ?? 0) > 0, 'the open says it rolled back');
      assert.ok(!fs.existsSync(`${file}-journal`) || fs.statSync(`${file}-journal`).size === 0, 'no hot journal is left');
      assert.ok(!fs.existsSync(`${file}.lock`), 'the stale lock is gone');
      db.write([{ type: 'ADDED', event: anEvent() }]);
      assert.equal(db.stats().events, 501);
    } finally {
      db.dispose();
    }
  });

  it('moves a file whose journal is unreadable aside with its journal, and starts a new one', () => {
    const file = path.join(dir, 'h.sqlite');
    killedMidTransaction(file, 50);
    const journal = fs.readFileSync(`${file}-journal`);
    journal.writeUInt32BE(1000, 24);
    fs.writeFileSync(`${file}-journal`, journal);
    const db = HistoryDatabase.open(file, CLUSTER);
    try {
      const aside = db.notes.movedAside;
      assert.ok(aside && fs.existsSync(aside), 'moved aside');
      assert.deepEqual(fs.readFileSync(`${aside}-journal`), journal, 'with the journal that might still restore it');
      assert.equal(db.stats().events, 0);
      assert.equal(db.check(), 'ok');
    } finally {
      db.dispose();
    }
  });
});
