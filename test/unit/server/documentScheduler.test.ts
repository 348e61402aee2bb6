import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSchedulers, runInSlices, type SliceClock } from '../../../src/server/documentScheduler';
import { ManualTimers } from '../support/manualTimers';

describe('document scheduler', () => {
  it('debounces each document on its own: a burst about one is one run, and another document keeps its own', () => {
    const timers = new ManualTimers();
    const runs: string[] = [];
    const schedulers = new DocumentSchedulers((uri) => runs.push(uri), 50, timers);
    for (let i = 0; i < 10; i++) schedulers.scheduleIfIdle('file:///a.yaml');
    schedulers.scheduleIfIdle('file:///b.yaml');
    assert.equal(timers.size, 2, 'one pending run per document');
    assert.ok(schedulers.isScheduled('file:///a.yaml'));
    timers.runAll();
    assert.deepEqual(runs.sort(), ['file:///a.yaml', 'file:///b.yaml']);
    assert.ok(!schedulers.isScheduled('file:///a.yaml'));
  });

  it('restarts a document\'s wait on schedule, and drops it when the document closes', () => {
    const timers = new ManualTimers();
    const runs: string[] = [];
    const schedulers = new DocumentSchedulers((uri) => runs.push(uri), 100, timers);
    schedulers.schedule('a', 0);
    schedulers.schedule('a');
    assert.deepEqual(timers.delays(), [100]);
    schedulers.schedule('b');
    schedulers.delete('b');
    timers.runAll();
    assert.deepEqual(runs, ['a']);
  });

  it('runs a long job in slices of its budget, letting the loop go between them, and stops a job no longer wanted', () => {
    let now = 0;
    const later: Array<() => void> = [];
    const clock: SliceClock = { now: () => now, later: (fn) => void later.push(fn) };
    function* job(): Generator<void, string, void> {
      for (let i = 0; i < 10; i++) {
        now += 3;
        yield;
      }
      return 'done';
    }
    const results: string[] = [];
    runInSlices(job(), 8, (v) => results.push(v), { clock });
    // 3 ms a step, 8 ms a slice: three steps, then the loop goes.
    assert.equal(now, 9);
    assert.equal(later.length, 1);
    while (later.length > 0) later.shift()!();
    assert.deepEqual(results, ['done']);
    assert.equal(now, 30);

    let wanted = true;
    runInSlices(job(), 8, (v) => results.push(v), { alive: () => wanted, clock });
    wanted = false;
    while (later.length > 0) later.shift()!();
    assert.deepEqual(results, ['done'], 'the stopped job never finished');
  });

  it('hands on what the job yields along the way', () => {
    function* job(): Generator<number | undefined, string, void> {
      yield undefined;
      yield 1;
      yield undefined;
      yield 2;
      return 'done';
    }
    const seen: Array<number | string> = [];
    runInSlices(job(), 1_000, (v) => seen.push(v), { progress: (v) => seen.push(v) });
    assert.deepEqual(seen, [1, 2, 'done']);
  });
});
