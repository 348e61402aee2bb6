import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broadcaster } from '../../../../src/core/events/broadcaster';
import { EventStore, estimateEventBytes } from '../../../../src/core/events/eventStore';
import { HistoryError, HistorySink, planHistoryQuery } from '../../../../src/core/events/history';
import type { EventChange } from '../../../../src/core/events/kubeEvent';
import { parseQuery } from '../../../../src/core/query/parse';
import type { Query } from '../../../../src/core/query/syntax';
import { HistoryDatabase } from '../../../../src/history/historyDatabase';
import { historyFileName } from '../../../../src/history/historyFiles';
import { HistoryService, type HistoryNotice, type HistorySettings } from '../../../../src/history/historyService';
import { Database } from 'node-sqlite3-wasm';
import { anEvent } from '../../support/eventBuilder';
import { historyWorkerFile } from '../../../support/historyWorkerFile';
import { waitFor } from '../../../support/waitFor';

const CLUSTER = { server: 'https://127.0.0.1:6443', user: 'dev', context: 'kind-dev' };

function q(text: string): Query {
  const r = parseQuery(text);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-history-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function openDb(name = 'h.sqlite'): HistoryDatabase {
  return HistoryDatabase.open(path.join(dir, name), CLUSTER);
}

function rowCount(db: HistoryDatabase): number {
  return db.stats().events;
}

describe('history database: schema', () => {
  it('reads back what it wrote, as the same event', () => {
    const db = openDb();
    const e = anEvent({ reason: 'BackOff', type: 'Warning', message: 'Back-off restarting "app" <b> — ünïcödé ✓ 🚀' });
    db.write([{ type: 'ADDED', event: e }]);
    assert.deepEqual(db.query({ limit: 10 }), [e]);
    db.dispose();
    // Text is bound as bytes and cast: stored as TEXT, as earlier versions read and wrote it.
    const raw = new Database(db.file, { readOnly: true });
    const columns = ['uid', 'type', 'reason', 'namespace', 'object_uid', 'resource_version', 'body'];
    assert.deepEqual(raw.all(`SELECT ${columns.map((c) => `typeof(${c}) AS ${c}`).join(', ')} FROM events`), [Object.fromEntries(columns.map((c) => [c, 'text']))]);
    raw.close();
  });

  it('updates a row an earlier version wrote (its text bound as strings) in place, and skips it when unchanged', () => {
    const file = path.join(dir, 'earlier.sqlite');
    openDb('earlier.sqlite').dispose();
    const e = anEvent({ uid: 'u-earlier', resourceVersion: '5', reason: 'Pulled', namespace: 'ns' });
    const earlier = new Database(file);
    earlier.run(
      'INSERT INTO events(uid, last_seen, type, reason, namespace, object_uid, count, expired, resource_version, body) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)',
      [e.uid, e.lastSeen, e.type, e.reason, e.namespace, e.regarding.uid, e.count, e.resourceVersion, '{"regarding":{}}'],
    );
    earlier.close();
    const db = openDb('earlier.sqlite');
    db.write([{ type: 'ADDED', event: e }]);
    assert.equal(rowCount(db), 1);
    assert.equal(db.query({ limit: 10 })[0].regarding.kind, '', 'same resourceVersion: the earlier row stays');
    db.write([{ type: 'MODIFIED', event: { ...e, resourceVersion: '6', count: 4 } }]);
    assert.equal(rowCount(db), 1);
    assert.deepEqual(db.query({ limit: 10 }), [{ ...e, resourceVersion: '6', count: 4 }]);
    db.dispose();
  });

  it('reads back exactly what it wrote, whatever the shape of the event', () => {
    const db = openDb();
    const t = 1_700_000_000_000;
    const shapes = [
      // A cluster-scoped object: its namespace is '' while the event lives in default.
      anEvent({ namespace: 'default', regarding: { kind: 'Node', name: 'node-1', namespace: '', uid: '' } }),
      // events.k8s.io/v1 with a series, related object and eventTime; no legacy timestamps.
      anEvent({
        api: 'events.k8s.io/v1',
        series: { count: 4, lastObservedTime: t + 9000 },
        related: { kind: 'Node', name: 'n', namespace: '', apiVersion: 'v1', uid: 'u', resourceVersion: '', fieldPath: '' },
        eventTime: t,
        firstTimestamp: 0,
        lastTimestamp: 0,
        creationTimestamp: t + 1,
        lastSeen: t + 9000,
        firstSeen: t,
        action: 'Binding',
        ours: true,
      }),
      // A firstSeen that is not what normalizeEvent would derive, and a regarding in another namespace.
      anEvent({ firstSeen: 42, namespace: 'a', regarding: { namespace: 'b' } }),
    ];
    db.write(shapes.map((event): EventChange => ({ type: 'ADDED', event })));
    const back = db.query({ limit: 10 });
    for (const e of shapes) assert.deepEqual(back.find((b) => b.uid === e.uid), e);
    db.dispose();
  });

  it('keeps the mark of what our recorder sent; a row of an earlier version marked by its reporting controller is not ours', () => {
    const db = openDb();
    const sent = anEvent({ reportingController: 'kube-events-vscode', ours: true });
    const before = anEvent({ reportingController: 'kube-events-vscode' });
    db.write([{ type: 'ADDED', event: sent }, { type: 'ADDED', event: before }]);
    db.dispose();
    // What versions that judged "ours" by the reporting controller wrote: `ours` in the body.
    const raw = new Database(path.join(dir, 'h.sqlite'));
    raw.run(`UPDATE events SET body = json_set(body, '$.ours', json('true')) WHERE uid = ?`, [before.uid]);
    raw.close();
    const again = openDb();
    const back = again.query({ limit: 10 });
    assert.equal(back.find((e) => e.uid === sent.uid)?.ours, true);
    assert.equal(back.find((e) => e.uid === before.uid)?.ours, false);
    again.dispose();
  });

  it('keeps one row per uid across a re-list, a restart and a reconnect', () => {
    const e = anEvent();
    let db = openDb();
    db.write([{ type: 'ADDED', event: e }, { type: 'ADDED', event: e, list: 'last' }, { type: 'MODIFIED', event: e }]);
    db.dispose();
    db = openDb();
    db.write([{ type: 'ADDED', event: e }]);
    assert.equal(rowCount(db), 1);
    db.dispose();
  });

  it('marks a deleted event expired and keeps it', () => {
    const db = openDb();
    const e = anEvent();
    db.write([{ type: 'ADDED', event: e }, { type: 'DELETED', event: e }]);
    const [back] = db.query({ limit: 10 });
    assert.equal(back?.expired, true);
    assert.equal(rowCount(db), 1);
    db.dispose();
  });

  it('drops the count-rise table a file from an earlier version still has', () => {
    const db = openDb();
    db.write([{ type: 'ADDED', event: anEvent({ uid: 'e1' }) }]);
    db.dispose();
    // What an earlier version created beside the events table, with a row in it.
    const raw = new Database(db.file);
    raw.exec('CREATE TABLE rises(event_id INTEGER NOT NULL, count INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(event_id, count)) WITHOUT ROWID;');
    raw.exec("CREATE TRIGGER events_rise_insert AFTER INSERT ON events BEGIN INSERT OR IGNORE INTO rises VALUES(new.id, new.count, new.last_seen); END;");
    raw.exec('INSERT INTO rises VALUES(1, 1, 0);');
    raw.close();
    const again = openDb();
    again.write([{ type: 'ADDED', event: anEvent({ uid: 'e2' }) }]);
    assert.equal(again.query({ limit: 10 }).length, 2, 'the events are kept');
    again.dispose();
    const check = new Database(again.file);
    const tables = check.all("SELECT name FROM sqlite_master WHERE name IN ('rises', 'events_rise_insert', 'events_rise_update')");
    check.close();
    assert.deepEqual(tables, []);
  });

  it('names the file by a hash of server and user, and stores no credential', () => {
    const name = historyFileName(CLUSTER);
    assert.match(name, /^history-[0-9a-f]{24}\.sqlite$/);
    // The name every version so far gave it (the cluster key's file stem), so existing history stays found.
    assert.equal(name, `history-${createHash('sha256').update(`${CLUSTER.server}\u0000${CLUSTER.user}`).digest('hex').slice(0, 24)}.sqlite`);
    assert.notEqual(name, historyFileName({ ...CLUSTER, user: 'admin' }));
    const db = openDb(name);
    db.write([{ type: 'ADDED', event: anEvent() }]);
    db.dispose();
    const bytes = fs.readFileSync(path.join(dir, name)).toString('latin1');
    assert.ok(bytes.includes(CLUSTER.server), 'the server URL is kept for Clear History…');
    assert.ok(!bytes.includes('token'), 'nothing named token is stored');
  });
});

describe('history database: queries', () => {
  const now = 1_800_000_000_000;
  const day = 86_400_000;

  function filled(): HistoryDatabase {
    const db = openDb();
    const changes: EventChange[] = [];
    for (let i = 0; i < 200; i++) {
      changes.push({
        type: 'ADDED',
        event: anEvent({
          lastSeen: now - i * 3_600_000, // one an hour, back over 8 days
          reason: i % 4 === 0 ? 'BackOff' : 'Pulled',
          type: i % 4 === 0 ? 'Warning' : 'Normal',
          namespace: i % 2 === 0 ? 'prod' : 'dev',
        }),
      });
    }
    db.write(changes);
    return db;
  }

  it('plans since:, until:, reason:, type: and ns: onto indexed columns; negations and globs do not narrow', () => {
    assert.deepEqual(planHistoryQuery(q('since:2d until:1d reason:BackOff type:warning ns:prod,dev'), now, 50), {
      from: now - 2 * day,
      to: now - day,
      reasons: ['BackOff'],
      types: ['Warning'],
      namespaces: ['prod', 'dev'],
      limit: 50,
    });
    assert.deepEqual(planHistoryQuery(q('-since:2d -reason:BackOff reason:Back* "text" name:web'), now, 5), {
      from: undefined,
      to: undefined,
      reasons: undefined,
      types: undefined,
      namespaces: undefined,
      limit: 5,
    });
  });

  it('answers since:7d reason:BackOff newest first, within the window', () => {
    const db = filled();
    const got = db.query(planHistoryQuery(q('since:7d reason:BackOff'), now, 1000));
    assert.equal(got.length, 43); // hours 0, 4, …, 168 (7 d, inclusive)
    assert.ok(got.every((e) => e.reason === 'BackOff' && e.lastSeen >= now - 7 * day));
    assert.deepEqual(
      got.map((e) => e.lastSeen),
      [...got.map((e) => e.lastSeen)].sort((a, b) => b - a),
    );
    db.dispose();
  });

  it('bounds the other side with until:', () => {
    const db = filled();
    const got = db.query(planHistoryQuery(q('since:2d until:1d ns:prod'), now, 1000));
    assert.equal(got.length, 13); // even hours 24…48
    assert.ok(got.every((e) => e.lastSeen <= now - day && e.lastSeen >= now - 2 * day && e.namespace === 'prod'));
    db.dispose();
  });

  it('limits to the newest rows', () => {
    const db = filled();
    const got = db.query({ limit: 3 });
    assert.deepEqual(
      got.map((e) => e.lastSeen),
      [now, now - 3_600_000, now - 7_200_000],
    );
    db.dispose();
  });

  it('prunes rows older than the retention, a chunk at a time', () => {
    const db = filled();
    let removed = 0;
    for (let step; (step = db.prune(now - 3 * day, Number.MAX_SAFE_INTEGER, 20)) > 0; ) removed += step;
    assert.equal(removed, 200 - 73);
    assert.equal(rowCount(db), 73);
    db.dispose();
  });

  it('prunes the oldest rows while the file is over its size cap', () => {
    const db = filled();
    const removed = db.prune(0, 1, 50);
    assert.equal(removed, 50);
    assert.equal(db.query({ limit: 1000 }).at(-1)!.lastSeen, now - 149 * 3_600_000);
    db.dispose();
  });
});

describe('until: in the query language', () => {
  it('matches events last seen at least that long ago', async () => {
    const { matches } = await import('../../../../src/core/query/evaluate');
    const now = 10 * 86_400_000;
    const old = anEvent({ lastSeen: now - 3 * 86_400_000 });
    const fresh = anEvent({ lastSeen: now - 60_000 });
    assert.equal(matches(q('until:1d'), old, { now }), true);
    assert.equal(matches(q('until:1d'), fresh, { now }), false);
    assert.equal(matches(q('-until:1d'), fresh, { now }), true);
    const bad = parseQuery('until:soon');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.message, /bad duration "soon".*until:10m/);
  });
});

describe('history sink', () => {
  it('writes every change within the flush interval, in one transaction', async () => {
    const b = new Broadcaster<EventChange>();
    const db = openDb();
    const sink = new HistorySink(b, { flushMs: 20 });
    sink.setBackend(db);
    for (let i = 0; i < 2500; i++) await b.action({ type: 'ADDED', event: anEvent() });
    await waitFor('history writes', () => sink.written === 2500, 5000);
    assert.equal(rowCount(db), 2500);
    assert.equal(sink.dropped, 0);
    sink.dispose();
    db.dispose();
  });

  it('writes only the changes it accepts (one cluster\'s, when several are watched)', async () => {
    const b = new Broadcaster<EventChange>();
    const written: string[] = [];
    const backend = { mode: 'readWrite' as const, write: (changes: readonly EventChange[]) => void written.push(...changes.map((c) => c.event.cluster ?? '')) };
    const sink = new HistorySink(b, { flushMs: 5, accept: (c) => c.event.cluster === 'a' });
    sink.setBackend(backend);
    for (const cluster of ['a', 'b', 'a', 'b']) await b.action({ type: 'ADDED', event: anEvent({ cluster }) });
    await waitFor('the writes', () => written.length === 2, 2000);
    await sink.flush();
    assert.deepEqual(written, ['a', 'a']);
    sink.dispose();
  });

  it('keeps one write out at a time: what arrives meanwhile waits, and goes in the next write as one batch', async () => {
    const b = new Broadcaster<EventChange>();
    const writes: Array<{ size: number; done: () => void }> = [];
    const backend = {
      mode: 'readWrite' as const,
      write: (changes: readonly EventChange[]) => new Promise<void>((done) => writes.push({ size: changes.length, done })),
    };
    const sink = new HistorySink(b, { flushMs: 5 });
    sink.setBackend(backend);
    for (let i = 0; i < 10; i++) await b.action({ type: 'ADDED', event: anEvent() });
    await waitFor('the first write', () => writes.length === 1, 2000);
    // The database is slow: 300 more changes arrive, in many broadcaster batches and many flush intervals.
    for (let i = 0; i < 300; i++) await b.action({ type: 'ADDED', event: anEvent() });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(writes.length, 1, 'no second write while the first is out');
    writes[0].done();
    await waitFor('the second write', () => writes.length === 2, 2000);
    assert.equal(writes[1].size, 300 + 10 - writes[0].size, 'everything that waited, in one batch');
    const flushed = sink.flush();
    writes[1].done();
    await flushed;
    assert.equal(sink.written, 310, 'flush() settles once what was pending is written');
    sink.dispose();
  });

  it('counts what it cannot hold as dropped', async () => {
    const b = new Broadcaster<EventChange>();
    const db = openDb();
    const sink = new HistorySink(b, { flushMs: 60_000, maxPending: 10 });
    sink.setBackend(db);
    for (let i = 0; i < 25; i++) b.offer({ type: 'ADDED', event: anEvent() });
    await waitFor('drops counted', () => sink.dropped === 15, 2000);
    await sink.flush();
    assert.equal(rowCount(db), 10);
    sink.dispose();
    db.dispose();
  });
});

describe('history robustness', () => {
  it('moves a corrupt file aside and starts a new one', () => {
    const file = path.join(dir, 'h.sqlite');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const db = HistoryDatabase.open(file, CLUSTER);
    assert.ok(db.notes.movedAside && fs.existsSync(db.notes.movedAside), 'moved aside');
    db.write([{ type: 'ADDED', event: anEvent() }]);
    assert.equal(rowCount(db), 1);
    db.dispose();
  });

  it('lets a second opener read only while the first writes, then hands over', () => {
    const first = openDb();
    first.write([{ type: 'ADDED', event: anEvent() }]);
    const second = openDb();
    assert.equal(first.mode, 'readWrite');
    assert.equal(second.mode, 'readOnly');
    first.write([{ type: 'ADDED', event: anEvent() }]);
    assert.equal(second.query({ limit: 10 }).length, 2, 'the reader sees the writer\'s commits');
    assert.throws(() => second.clear(), (err) => HistoryError.is(err, 'readOnly'));
    second.dispose();
    first.dispose();
    const third = openDb();
    assert.equal(third.mode, 'readWrite');
    third.dispose();
  });

  it('takes over from a dead owner and its stale lock', () => {
    const file = path.join(dir, 'h.sqlite');
    openDb().dispose();
    fs.writeFileSync(`${file}.owner`, JSON.stringify({ pid: 2 ** 22 + 12345, token: 'dead' }));
    fs.mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    const db = HistoryDatabase.open(file, CLUSTER);
    assert.equal(db.mode, 'readWrite');
    db.write([{ type: 'ADDED', event: anEvent() }]);
    assert.equal(rowCount(db), 1);
    db.dispose();
  });

  it('reports a full disk as a HistoryError with reason full', () => {
    const db = openDb();
    db.limitPages(db.stats().bytes / 4096);
    const big = Array.from({ length: 200 }, () => ({ type: 'ADDED' as const, event: anEvent({ message: 'x'.repeat(2000) }) }));
    assert.throws(() => db.write(big), (err) => HistoryError.is(err, 'full'));
    db.dispose();
  });

  it('writes whatever live process an owner file of an older version names (a reused pid)', () => {
    const file = path.join(dir, 'h.sqlite');
    openDb().dispose();
    // The pid of a live process that is no window: a writer's pid after the system gave it to another.
    fs.writeFileSync(`${file}.owner`, JSON.stringify({ pid: process.ppid, token: 'reused' }));
    const db = HistoryDatabase.open(file, CLUSTER);
    assert.equal(db.mode, 'readWrite');
    db.dispose();
  });

  it('goes on writing past a lock directory a killed reader left, however fresh', () => {
    const file = path.join(dir, 'h.sqlite');
    const db = HistoryDatabase.open(file, CLUSTER);
    db.write([{ type: 'ADDED', event: anEvent() }]);
    // What a reader killed inside a read leaves: SQLite's lock directory, made a moment ago.
    fs.mkdirSync(`${file}.lock`);
    const started = Date.now();
    db.write([{ type: 'ADDED', event: anEvent() }]);
    assert.equal(rowCount(db), 2);
    assert.ok(Date.now() - started < 1000, 'without waiting for the lock to age');
    db.dispose();
  });

  it('keeps only the newest few moved-aside files', () => {
    const file = path.join(dir, 'h.sqlite');
    const asides: string[] = [];
    for (let i = 0; i < 5; i++) {
      fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
      const db = HistoryDatabase.open(file, CLUSTER);
      asides.push(db.notes.movedAside!);
      db.dispose();
      // Distinct names: the time in the name has millisecond precision.
      const until = Date.now() + 5;
      while (Date.now() < until);
    }
    const left = fs.readdirSync(dir).filter((n) => n.includes('.corrupt-')).map((n) => path.join(dir, n)).sort();
    assert.deepEqual(left, asides.slice(2).sort());
  });
});

describe('history service', () => {
  function service(opts: { dirOverride?: string; notices?: HistoryNotice[]; store?: EventStore; broadcaster?: Broadcaster<EventChange>; settings?: () => HistorySettings } = {}) {
    const broadcaster = opts.broadcaster ?? new Broadcaster<EventChange>();
    const store = opts.store ?? new EventStore({ capacity: 1000 });
    broadcaster.watch((batch) => void store.applyBatch(batch), { name: 'store' });
    const notices = opts.notices ?? [];
    const svc = new HistoryService({
      dir: opts.dirOverride ?? dir,
      broadcaster,
      store,
      settings: opts.settings ?? (() => ({ enabled: true, retentionDays: 7, maxMegabytes: 500 })),
      onNotice: (n) => notices.push(n),
      flushMs: 10,
      workerFile: historyWorkerFile(),
    });
    return { svc, store, broadcaster, notices };
  }

  it('seeds a new window\'s store from the history of the last one, expired marks included', async () => {
    const a = service();
    await a.svc.open(CLUSTER);
    const kept = anEvent({ reason: 'BackOff' });
    const gone = anEvent({ reason: 'Killing' });
    await a.broadcaster.action({ type: 'ADDED', event: kept });
    await a.broadcaster.action({ type: 'ADDED', event: gone });
    await a.broadcaster.action({ type: 'DELETED', event: gone });
    await waitFor('store', () => a.store.get(gone.uid)?.expired === true, 2000);
    await a.svc.shutdown();

    const b = service();
    await b.svc.open(CLUSTER);
    assert.equal(b.store.size, 2);
    assert.equal(b.store.get(kept.uid)?.expired, false);
    assert.equal(b.store.get(gone.uid)?.expired, true);
    await b.svc.shutdown();
  });

  it('acts on a settings change only when the history settings themselves changed', async () => {
    const on: HistorySettings = { enabled: true, retentionDays: 7, maxMegabytes: 500 };
    let settings = on;
    const s = service({ settings: () => settings });
    const openFile = (): string | undefined => s.svc.database?.file;
    await s.svc.open(CLUSTER);
    const file = openFile();
    assert.ok(file);
    s.svc.settingsChanged(on);
    assert.equal(openFile(), file, 'another setting changed: history stays open');
    settings = { ...on, enabled: false };
    s.svc.settingsChanged(on);
    assert.equal(openFile(), undefined, 'turned off: closed');
    settings = on;
    s.svc.settingsChanged({ ...on, enabled: false });
    await waitFor('turned on again: reopened for the same cluster', () => openFile() === file, 5000);
    await s.svc.shutdown();
  });

  /** A service whose history holds a BackOff seen two days ago, and whose store has been emptied since. */
  async function withOnlyAnOldBackOffOnDisk(): Promise<{ a: ReturnType<typeof service>; now: number; old: ReturnType<typeof anEvent> }> {
    const a = service();
    await a.svc.open(CLUSTER);
    const now = Date.now();
    const old = anEvent({ reason: 'BackOff', lastSeen: now - 2 * 86_400_000 });
    await a.broadcaster.action({ type: 'ADDED', event: old });
    await waitFor('store', () => a.store.has(old.uid), 2000);
    await a.svc.flush();
    a.store.clear();
    return { a, now, old };
  }

  it('finds with since: what memory no longer holds', async () => {
    const { a, now, old } = await withOnlyAnOldBackOffOnDisk();
    assert.equal(await a.svc.loadMatching(q('since:3d reason:BackOff'), { now }), 1);
    assert.equal(a.store.get(old.uid)?.reason, 'BackOff');
    assert.equal(await a.svc.loadMatching(q('since:1d reason:BackOff'), { now }), 0);
    await a.svc.shutdown();
  });

  it('loads history for a changed filter only when it has a since: or until: term that is not negated', async () => {
    const { a, now, old } = await withOnlyAnOldBackOffOnDisk();
    a.svc.filterChanged(q('reason:BackOff'), { now });
    a.svc.filterChanged(q('-since:1h reason:BackOff'), { now });
    // The answer would have come back by the time a later read answers: the worker takes them in order.
    await a.svc.database!.stats();
    assert.equal(a.store.size, 0, 'no time bound: memory is what the filter looks at');
    a.svc.filterChanged(q('until:1d reason:BackOff'), { now });
    await waitFor('the old BackOff loaded', () => a.store.get(old.uid)?.reason === 'BackOff', 5000);
    await a.svc.shutdown();
  });

  it('pages older history into the store for the timeline, a bounded page at a time', async () => {
    const a = service();
    await a.svc.open(CLUSTER);
    const base = 1_700_000_000_000;
    const events = Array.from({ length: 30 }, (_, i) => anEvent({ lastSeen: base + i * 1000 }));
    for (const event of events) await a.broadcaster.action({ type: 'ADDED', event });
    await waitFor('store', () => a.store.size === 30, 2000);
    await a.svc.flush();
    a.store.clear();
    a.store.applyBatch(events.slice(20).map((event) => ({ type: 'ADDED' as const, event })));
    assert.equal(await a.svc.loadOlder(base + 20_000, 8), base + 12_000);
    assert.equal(a.store.size, 18);
    assert.equal(await a.svc.loadOlder(base + 12_000, 100), base);
    assert.equal(a.store.size, 30);
    assert.equal(await a.svc.loadOlder(base, 100), undefined, 'nothing older: the end of history');
    await a.svc.shutdown();
    const full = service({ store: new EventStore({ capacity: 5 }) });
    await full.svc.open(CLUSTER);
    full.store.applyBatch(events.slice(25).map((event) => ({ type: 'ADDED' as const, event })));
    assert.equal(await full.svc.loadOlder(base + 25_000, 100), undefined, 'a full store is not pushed around');
    assert.equal(full.store.get(events[29].uid)?.uid, events[29].uid);
    await full.svc.shutdown();
  });

  it('pages older history only into the room the store\'s bytes bound leaves', async () => {
    const base = 1_700_000_000_000;
    const events = Array.from({ length: 10 }, (_, i) => anEvent({ lastSeen: base + i * 1000, message: 'x'.repeat(10_000) }));
    const each = Math.max(...events.map(estimateEventBytes));
    // Room for 5 events and a half.
    const a = service({ store: new EventStore({ capacity: 1000, maxBytes: Math.floor(5.5 * each) }) });
    await a.svc.open(CLUSTER);
    for (const event of events) await a.broadcaster.action({ type: 'ADDED', event });
    await waitFor('store', () => a.store.has(events[9].uid), 2000);
    await a.svc.flush();
    a.store.clear();
    a.store.applyBatch(events.slice(8).map((event) => ({ type: 'ADDED' as const, event })));
    // 8 and 9 are held; 7, 6 and 5 fit, 4 would evict 8.
    assert.equal(await a.svc.loadOlder(base + 8_000, 100), base + 5_000, 'the oldest loaded, so the next page goes on from there');
    assert.deepEqual([...a.store.all()].map((e) => e.lastSeen).sort(), [5, 6, 7, 8, 9].map((i) => base + i * 1000));
    assert.equal(await a.svc.loadOlder(base + 5_000, 100), undefined, 'a store full by bytes is not pushed around');
    assert.equal(a.store.size, 5);
    await a.svc.shutdown();
  });

  it('accepts exactly the view\'s history/older message', async () => {
    const { isViewMessage } = await import('../../../../src/protocol/webview');
    assert.equal(isViewMessage({ type: 'history/older', before: 1_700_000_000_000 }), true);
    assert.equal(isViewMessage({ type: 'history/older', before: -1 }), false);
    assert.equal(isViewMessage({ type: 'history/older', before: Number.NaN }), false);
    assert.equal(isViewMessage({ type: 'history/older', before: '1' }), false);
    assert.equal(isViewMessage({ type: 'history/older', before: 1, extra: true }), false);
  });

  it('moves an unreadable database aside with one notice, and records in a new one', async () => {
    fs.writeFileSync(path.join(dir, historyFileName(CLUSTER)), 'not a database, just text that happens to be here\n'.repeat(200));
    const s = service();
    await s.svc.open(CLUSTER);
    assert.deepEqual(s.notices.map((n) => n.kind), ['movedAside']);
    const aside = (s.notices[0] as { file: string }).file;
    assert.match(path.basename(aside), /\.corrupt-/);
    assert.ok(fs.existsSync(aside), 'the old file is kept for the user to look at');
    await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await waitFor('store', () => s.store.size === 1, 2000);
    await s.svc.flush();
    assert.equal((await s.svc.database!.stats()).events, 1);
    await s.svc.shutdown();
  });

  it('moves a file damaged while it is open aside, names it once, and records on in a new one with nothing lost', async () => {
    const s = service();
    await s.svc.open(CLUSTER);
    await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await waitFor('store', () => s.store.size === 1, 2000);
    await s.svc.flush();
    const first = s.svc.database!;
    // Something else writes over the file's header while this window has it open.
    const fd = fs.openSync(first.file, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    fs.closeSync(fd);
    for (let i = 0; i < 3; i++) await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await waitFor('a new database', () => s.svc.database && s.svc.database !== first && s.svc.database.mode === 'readWrite', 5000);
    await waitFor('the changes held meanwhile in the new one', async () => (await s.svc.database!.stats()).events === 3, 5000);
    assert.deepEqual(s.notices.map((n) => n.kind), ['movedAside']);
    const aside = (s.notices[0] as { file: string }).file;
    assert.ok(fs.existsSync(aside) && aside.startsWith(`${first.file}.corrupt-`), aside);
    await s.svc.shutdown();
  });

  it('turns itself off with one notice when its folder cannot be written, and the store goes on', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const s = service({ dirOverride: path.join(blocker, 'history') });
    await s.svc.open(CLUSTER);
    await s.svc.open({ ...CLUSTER, context: 'again' });
    assert.equal(s.svc.database, undefined);
    assert.equal(s.notices.length, 1);
    assert.equal(s.notices[0].kind, 'failed');
    await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await waitFor('live store', () => s.store.size === 1, 2000);
    await s.svc.shutdown();
  });

  it('keeps the changes when the disk fills up, says so once, and writes them all once it has room', async () => {
    const s = service();
    await s.svc.open(CLUSTER);
    const db = s.svc.database!;
    const pages = (await db.stats()).bytes / 4096;
    await db.limitPages(pages);
    for (let i = 0; i < 300; i++) await s.broadcaster.action({ type: 'ADDED', event: anEvent({ message: 'x'.repeat(2000) }) });
    await waitFor('notice', () => s.notices.length > 0, 3000);
    for (let i = 0; i < 300; i++) await s.broadcaster.action({ type: 'ADDED', event: anEvent({ message: 'x'.repeat(2000) }) });
    await waitFor('live store', () => s.store.size === 600, 3000);
    await s.svc.flush();
    assert.deepEqual(
      s.notices.map((n) => (n.kind === 'failed' ? n.reason : n.kind)),
      ['full'],
      JSON.stringify(s.notices),
    );
    assert.equal(s.svc.database, db, 'history stays on');
    assert.ok(s.svc.writes.failing > 0);
    // The disk gets room again: the retry writes every change held meanwhile, without a word.
    await db.limitPages(1_000_000);
    await waitFor('the held changes on disk', async () => s.svc.writes.failing === 0 && (await db.stats()).events === 600, 10_000);
    assert.equal(s.notices.length, 1);
    await s.svc.shutdown();
  });

  it('reads only while another window writes, and takes over without a word once it is gone', async () => {
    const a = service();
    await a.svc.open(CLUSTER);
    const b = service();
    await b.svc.open(CLUSTER);
    assert.equal(b.svc.database?.mode, 'readOnly');
    a.svc.dispose(); // a reload: the old extension host lets go a moment later
    await waitFor('the second window to take over', () => b.svc.database?.mode === 'readWrite', 10_000);
    assert.deepEqual(b.notices, []);
    await b.svc.shutdown();
  });

  it('clears the current cluster in place and other clusters by file', async () => {
    const s = service();
    await s.svc.open({ ...CLUSTER, server: 'https://other' });
    await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await s.svc.flush();
    await s.svc.open(CLUSTER);
    await s.broadcaster.action({ type: 'ADDED', event: anEvent() });
    await s.svc.flush();
    const files = await s.svc.files();
    assert.equal(files.length, 2);
    assert.deepEqual(files.map((f) => f.server).sort(), ['https://127.0.0.1:6443', 'https://other']);
    assert.deepEqual(await s.svc.clear(files.map((f) => f.file)), []);
    assert.equal((await s.svc.database!.stats()).events, 0);
    assert.equal((await s.svc.files()).length, 1);
    await s.svc.shutdown();
  });
});
