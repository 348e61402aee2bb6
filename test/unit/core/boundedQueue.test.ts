import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue, mapBounded, QueueFullError } from '../../../src/core/boundedQueue';

/** A task that runs until released, recording how many ran at once. */
function gate(): { task: () => Promise<number>; release: () => void; started: Promise<void> } {
  let release!: () => void;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = new Promise<void>((r) => (release = r));
  return {
    task: async () => {
      started();
      await done;
      return 1;
    },
    release,
    started: startedP,
  };
}

describe('BoundedQueue', () => {
  it('runs at most `concurrency` tasks at once, in order, and refuses beyond `maxWaiting`', async () => {
    const q = new BoundedQueue({ concurrency: 2, maxWaiting: 1 });
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g) => q.run(g.task));
    await Promise.all([gates[0].started, gates[1].started]);
    assert.equal(q.running, 2);
    assert.equal(q.queued, 1);
    await assert.rejects(q.run(async () => 0), (err: unknown) => QueueFullError.is(err) && err.maxWaiting === 1);
    gates[0].release();
    await gates[2].started;
    assert.equal(q.running, 2, 'the freed slot went to the waiter');
    gates[1].release();
    gates[2].release();
    assert.deepEqual(await Promise.all(runs), [1, 1, 1]);
    assert.equal(q.running, 0);
  });

  it('a waiting task whose signal aborts leaves the queue without running', async () => {
    const q = new BoundedQueue({ concurrency: 1 });
    const first = gate();
    const running = q.run(first.task);
    await first.started;
    const abort = new AbortController();
    let ran = false;
    const waiting = q.run(async () => (ran = true), abort.signal);
    assert.equal(q.queued, 1);
    abort.abort(new Error('no longer wanted'));
    await assert.rejects(waiting, /no longer wanted/);
    assert.equal(q.queued, 0);
    first.release();
    await running;
    assert.equal(ran, false);
    assert.equal(q.running, 0);
  });
});

describe('mapBounded', () => {
  it('runs at most `concurrency` at once, starts in order, answers in the items\' order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 2));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.deepEqual(started, [5, 1, 4, 2, 3]);
    assert.equal(most, 2);
    assert.deepEqual(await mapBounded([], 3, async () => 1), []);
    assert.deepEqual(await mapBounded([1, 2], 0, async (n) => n), [1, 2], 'a limit below 1 still runs one at a time');
  });
});
