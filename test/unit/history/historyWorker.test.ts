import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HistoryError } from '../../../src/core/events/history';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import { HistoryWorkerClient } from '../../../src/history/historyClient';
import { anEvent } from '../support/eventBuilder';
import { historyWorkerFile } from '../../support/historyWorkerFile';

/**
 * The history worker (src/history/historyWorker.ts) through its client, as the service uses it: requests are
 * answered in the order sent, failures come back as HistoryErrors with their reason, a prune lets requests in
 * between its steps, and the thread that asks never loads SQLite (docs/ARCHITECTURE.md §10).
 */

const CLUSTER = { server: 'https://127.0.0.1:6443', user: 'dev', context: 'kind-dev' };
let dir: string;
let client: HistoryWorkerClient;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-worker-'));
  client = new HistoryWorkerClient(historyWorkerFile());
});
afterEach(async () => {
  await client.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const changes = (n: number, from = 0, base = 1_700_000_000_000): EventChange[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'ADDED' as const, event: anEvent({ uid: `e-${from + i}`, lastSeen: base + (from + i) * 1000, message: 'm'.repeat(200) }) }));

describe('history worker protocol', () => {
  it('answers in the order sent: a query sent right after a write, without waiting for it, reads what it wrote', async () => {
    const db = (await client.open(path.join(dir, 'h.sqlite'), CLUSTER))!;
    assert.equal(db.mode, 'readWrite');
    const written = changes(3_000);
    const write = db.write(written);
    const read = db.query({ limit: 10_000 });
    const stats = db.stats();
    const [, events, counted] = await Promise.all([write, read, stats]);
    assert.equal(events.length, 3_000);
    assert.equal(events[0].uid, 'e-2999', 'newest first');
    assert.deepEqual(events[0], written[2999].event, 'the same event back, across the thread');
    assert.equal(counted.events, 3_000);
    // A close sent after a write closes after it: a second opener finds every row.
    void db.write(changes(10, 3_000));
    db.dispose();
    const again = (await client.open(path.join(dir, 'h.sqlite'), CLUSTER))!;
    assert.equal(again.mode, 'readWrite', 'the writer\'s lock went with the close');
    assert.equal((await again.stats()).events, 3_010);
  });

  it('posts a write larger than a transaction in parts, keeps later writes after it, and closes after its last part', async () => {
    const file = path.join(dir, 'h.sqlite');
    const db = (await client.open(file, CLUSTER))!;
    const large = changes(12_000);
    const first = large[0].event;
    const large2 = db.write(large);
    // A newer state of the first event, sent while the large write is still being posted.
    const newer = db.write([{ type: 'MODIFIED', event: { ...first, resourceVersion: `${first.resourceVersion}1`, message: 'newer' } }]);
    db.dispose();
    await Promise.all([large2, newer]);
    await assert.rejects(db.write(changes(1)), (err: unknown) => HistoryError.is(err, 'io'), 'closed for what comes after');
    const again = (await client.open(file, CLUSTER))!;
    assert.equal(again.mode, 'readWrite');
    assert.equal((await again.stats()).events, 12_000, 'every part written before the close');
    const [row] = (await again.query({ limit: 20_000 })).filter((e) => e.uid === first.uid);
    assert.equal(row.message, 'newer', 'the later write landed after the large one');
  });

  it('gives a second opener the file read-only while the first writes, and writerOnly opens nothing then', async () => {
    const file = path.join(dir, 'h.sqlite');
    const first = (await client.open(file, CLUSTER))!;
    const second = (await client.open(file, CLUSTER))!;
    assert.equal(second.mode, 'readOnly');
    assert.equal(await client.open(file, CLUSTER, { writerOnly: true }), undefined);
    first.dispose();
    const taken = await client.open(file, CLUSTER, { writerOnly: true });
    assert.equal(taken?.mode, 'readWrite');
  });

  it('turns a failure into a HistoryError with its reason, and goes on answering', async () => {
    const file = path.join(dir, 'h.sqlite');
    const db = (await client.open(file, CLUSTER))!;
    db.dispose();
    await assert.rejects(db.query({ limit: 1 }), (err: unknown) => HistoryError.is(err, 'io'));
    await assert.rejects(client.request({ kind: 'stats', handle: 12345 }), (err: unknown) => HistoryError.is(err, 'io') && /closed/.test(err.message));
    fs.writeFileSync(path.join(dir, 'bad.sqlite'), 'not a database\n'.repeat(1000));
    const replaced = (await client.open(path.join(dir, 'bad.sqlite'), CLUSTER))!;
    assert.match(replaced.notes.movedAside ?? '', /bad\.sqlite\.corrupt-/, 'an unreadable file is moved aside');
    assert.equal((await replaced.stats()).events, 0);
  });

  it('prunes in steps and answers what arrived meanwhile between two of them, not after the whole prune', async () => {
    const db = (await client.open(path.join(dir, 'h.sqlite'), CLUSTER))!;
    for (let i = 0; i < 20_000; i += 5_000) await db.write(changes(5_000, i));
    const order: string[] = [];
    // A size cap of 0 bytes: everything goes, 500 rows a step.
    const prune = db.prune(0, 0, 500).then((r) => {
      order.push('prune');
      return r;
    });
    const query = db.query({ limit: 5 }).then((rows) => {
      order.push('query');
      return rows;
    });
    const write = db.write(changes(1, 99_999, Date.now())).then(() => order.push('write'));
    const [pruned, rows] = await Promise.all([prune, query, write]);
    assert.deepEqual(order, ['query', 'write', 'prune'], 'the query and the write did not wait for the whole prune');
    assert.ok(rows.length === 5, 'the query read the rows not yet pruned');
    assert.ok(pruned.steps > 10, `pruned in steps (${pruned.steps})`);
    assert.ok(pruned.removed >= 20_000, `removed ${pruned.removed}`);
    assert.equal((await db.stats()).events, 0);
  });

  it('fails what it had not answered when the worker stops, and starts again on the next request', async () => {
    const file = path.join(dir, 'h.sqlite');
    const stopped: string[] = [];
    client.onDidStop((why) => stopped.push(why));
    const db = (await client.open(file, CLUSTER))!;
    const pending = db.write(changes(5_000));
    // The worker ends abruptly (as a crash would): the open database goes with it.
    await (client as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await assert.rejects(pending, (err: unknown) => HistoryError.is(err, 'io'));
    assert.equal(stopped.length, 1);
    const again = (await client.open(file, CLUSTER))!;
    assert.equal(again.mode, 'readWrite', 'the dead worker\'s locks are free');
  });
});
