import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Broadcaster, BroadcasterStoppedError, type DropReport, type Sink } from '../../../../src/core/events/broadcaster';
import type { Logger } from '../../../../src/core/ports';

// A hung broadcaster must fail the test, not hang the run.
const T = { timeout: 5000 };

interface Deferred<V = void> {
  readonly promise: Promise<V>;
  resolve(value: V): void;
  reject(err: unknown): void;
}

function deferred<V = void>(): Deferred<V> {
  let resolve!: (value: V) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One turn of the event loop: every queued microtask and promise callback runs first. Not a timed sleep. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * A recording sink. `hold(n)` may return a promise to keep the n-th batch (0-based) busy; `reached(k)` resolves
 * once k items arrived.
 */
function collector(hold?: (batchIndex: number, batch: readonly number[]) => Promise<void> | undefined) {
  const items: number[] = [];
  const batches: number[][] = [];
  const waiters: { count: number; done: Deferred }[] = [];
  const sink: Sink<number> = (batch) => {
    batches.push([...batch]);
    items.push(...batch);
    for (const w of waiters) if (items.length >= w.count) w.done.resolve();
    return hold?.(batches.length - 1, batch);
  };
  return {
    items,
    batches,
    sink,
    reached(count: number): Promise<void> {
      if (items.length >= count) return Promise.resolve();
      const done = deferred();
      waiters.push({ count, done });
      return done.promise;
    },
  };
}

/** Holds the first batch until `gate` resolves; `first` resolves when that batch arrives. */
function slowCollector() {
  const gate = deferred();
  const first = deferred();
  const c = collector((i) => {
    if (i !== 0) return undefined;
    first.resolve();
    return gate.promise;
  });
  return { ...c, gate, first: first.promise };
}

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} };
  return { logger, warnings };
}

describe('Broadcaster', () => {
  it('delivers items to a watcher in the order they were accepted', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 8 });
    const c = collector();
    b.watch(c.sink);
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) assert.equal(b.offer(i), true);
      else await b.action(i);
    }
    await c.reached(100);
    assert.deepEqual(c.items, range(0, 100));
  });

  it('hands a watcher everything queued for it as one batch', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 8 });
    const c = collector();
    b.watch(c.sink);
    for (let i = 0; i < 8; i++) assert.equal(b.offer(i), true);
    await c.reached(8);
    assert.deepEqual(c.batches, [range(0, 8)]);
  });

  it('fans every item out to every watcher', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 16 });
    const cs = [collector(), collector(), collector()];
    const ws = cs.map((c, i) => b.watch(c.sink, { name: `w${i}` }));
    for (let i = 0; i < 50; i++) await b.action(i);
    await Promise.all(cs.map((c) => c.reached(50)));
    for (const c of cs) assert.deepEqual(c.items, range(0, 50));
    assert.deepEqual(
      b.stats().watchers,
      ws.map((w) => ({ name: w.name, queued: 0, dropped: 0, delivered: 50 })),
    );
  });

  it('dropIfFull (DropIfChannelFull): drops and counts for the full watcher only', T, async () => {
    const queueLength = 4;
    const b = new Broadcaster<number>({ queueLength });
    const reports: DropReport[] = [];
    b.onDidDrop((r) => reports.push(r));
    const slow = slowCollector();
    const fast = collector();
    const wSlow = b.watch(slow.sink, { name: 'slow' });
    const wFast = b.watch(fast.sink, { name: 'fast' });

    await b.action(0);
    await slow.first; // slow's sink now holds [0]
    for (let i = 1; i < 20; i++) await b.action(i);
    await fast.reached(20);

    assert.deepEqual(fast.items, range(0, 20), 'the fast watcher is not held back');
    assert.equal(wFast.dropped, 0);
    // 1..4 fill slow's queue, 5..19 find it full.
    assert.equal(wSlow.queued, queueLength);
    assert.equal(wSlow.dropped, 15);
    assert.equal(wSlow.delivered, 1);
    const stats = b.stats();
    assert.equal(stats.totalDropped, 15);
    assert.deepEqual(stats.watchers.find((w) => w.name === 'slow'), { name: 'slow', queued: 4, dropped: 15, delivered: 1 });
    assert.ok(reports.length > 0);
    assert.ok(reports.every((r) => r.watcher === 'slow'), 'only the slow watcher reports drops');
    assert.equal(reports.reduce((n, r) => n + r.count, 0), 15);
    assert.equal(reports.at(-1)?.totalDropped, 15);

    slow.gate.resolve();
    await slow.reached(5);
    assert.deepEqual(slow.items, [0, 1, 2, 3, 4]);
    assert.equal(wSlow.delivered + wSlow.dropped, 20);
  });

  it('offer returns false when incoming is full, drops nothing, and yields to waiting action() callers', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 2 });
    const seen: number[] = [];
    b.watch((batch) => void seen.push(...batch));
    assert.deepEqual([1, 2, 3].map((i) => b.offer(i)), [true, true, false]);
    assert.equal(b.stats().totalDropped, 0, 'a refused offer is not a drop');
    const waiting = b.action(3);
    assert.equal(b.stats().waiting, 1);
    assert.equal(b.offer(4), false, 'a waiting action() has the next free slot');
    await waiting;
    await turn();
    assert.deepEqual(seen, [1, 2, 3]);
    await b.shutdown();
    assert.throws(() => b.offer(5), BroadcasterStoppedError);
  });

  it('a sink that throws, synchronously or asynchronously, is logged and stops neither the loop nor others', T, async () => {
    const { logger, warnings } = recordingLogger();
    const b = new Broadcaster<number>({ queueLength: 4, logger });
    let syncSeen = 0;
    let syncCalls = 0;
    let asyncSeen = 0;
    let asyncCalls = 0;
    const syncDone = deferred();
    const asyncDone = deferred();
    const wSync = b.watch(
      (batch) => {
        syncCalls++;
        syncSeen += batch.length;
        if (syncSeen === 10) syncDone.resolve();
        throw new Error('sync boom');
      },
      { name: 'sync-thrower' },
    );
    const wAsync = b.watch(
      async (batch) => {
        asyncCalls++;
        asyncSeen += batch.length;
        if (asyncSeen === 10) asyncDone.resolve();
        await Promise.resolve();
        throw new Error('async boom');
      },
      { name: 'async-thrower' },
    );
    const good = collector();
    b.watch(good.sink, { name: 'good' });

    for (let i = 0; i < 10; i++) await b.action(i);
    await Promise.all([good.reached(10), syncDone.promise, asyncDone.promise]);
    await turn(); // lets the last rejection reach the broadcaster

    assert.deepEqual(good.items, range(0, 10));
    assert.equal(wSync.delivered, 10);
    assert.equal(wAsync.delivered, 10);
    assert.ok(syncCalls > 1 && asyncCalls > 1, 'failing sinks keep getting batches');
    const syncWarnings = warnings.filter((w) => w.includes('"sync-thrower"'));
    const asyncWarnings = warnings.filter((w) => w.includes('"async-thrower"'));
    assert.equal(syncWarnings.length, syncCalls);
    assert.equal(asyncWarnings.length, asyncCalls);
    assert.match(syncWarnings[0], /sync boom/);
    assert.match(asyncWarnings[0], /async boom/);
    assert.equal(warnings.length, syncCalls + asyncCalls);
  });

  it('a disposed watcher gets nothing more and others carry on', T, async () => {
    const b = new Broadcaster<number>();
    const a = collector();
    const c = collector();
    const wa = b.watch(a.sink);
    b.watch(c.sink);
    await b.action(1);
    await a.reached(1);
    wa.dispose();
    wa.dispose();
    await b.action(2);
    await c.reached(2);
    await turn();
    assert.deepEqual(a.items, [1]);
    assert.deepEqual(c.items, [1, 2]);
    assert.equal(wa.closed, true);
    assert.equal(b.stats().watchers.length, 1);
  });

  it('shutdown delivers everything queued, then closes the watchers, then resolves', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 4 });
    const slow = slowCollector();
    const fast = collector();
    const wSlow = b.watch(slow.sink, { name: 'slow' });
    const wFast = b.watch(fast.sink, { name: 'fast' });
    await b.action(0);
    await slow.first;
    b.offer(1);
    b.offer(2); // 1 and 2 still in incoming

    let finished = false;
    const done = b.shutdown().then(() => void (finished = true));
    assert.equal(b.stopped, true);
    await turn();
    assert.equal(finished, false, 'waits for the slow sink to take its queue');
    assert.deepEqual(fast.items, [0, 1, 2]);
    assert.equal(wSlow.queued, 2);
    assert.equal(wFast.closed, false, 'watchers close together, at the end');

    slow.gate.resolve();
    await done;
    assert.deepEqual(slow.items, [0, 1, 2]);
    assert.equal(wSlow.closed, true);
    assert.equal(wFast.closed, true);
    await b.shutdown(); // idempotent
  });

  it('shutdown admits and delivers action() calls that were already waiting', T, async () => {
    const b = new Broadcaster<number>({ queueLength: 1 });
    const c = collector();
    b.watch(c.sink);
    assert.equal(b.offer(0), true);
    const sends = [b.action(1), b.action(2)];
    assert.equal(b.stats().waiting, 2);
    await b.shutdown();
    await Promise.all(sends);
    assert.deepEqual(c.items, [0, 1, 2]);
  });

  it('after shutdown, action, offer and watch fail with BroadcasterStoppedError', T, async () => {
    const b = new Broadcaster<number>();
    await b.shutdown();
    const isStopped = (err: unknown): boolean =>
      BroadcasterStoppedError.is(err) && err instanceof Error && err.message === 'broadcaster already stopped';
    await assert.rejects(b.action(1), isStopped);
    assert.throws(() => b.offer(1), isStopped);
    assert.throws(() => b.watch(() => {}), isStopped);
    assert.equal(BroadcasterStoppedError.is(new Error('broadcaster already stopped')), false);
  });

  it('rejects a queue length that is not a positive integer', () => {
    assert.throws(() => new Broadcaster<number>({ queueLength: 0 }), RangeError);
    assert.throws(() => new Broadcaster<number>({ queueLength: 1.5 }), RangeError);
  });
});
