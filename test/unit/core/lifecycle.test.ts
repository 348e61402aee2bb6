import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combinedDisposable, MutableDisposable, RunOnceScheduler } from '../../../src/core/lifecycle';
import { ManualTimers } from '../support/manualTimers';

describe('RunOnceScheduler', () => {
  it('schedule() restarts the wait: runs once, delayMs after the last call', () => {
    const timers = new ManualTimers();
    const runs: number[] = [];
    const s = new RunOnceScheduler(() => runs.push(timers.now), 100, timers);
    s.schedule();
    timers.advance(60);
    s.schedule();
    assert.equal(s.isScheduled(), true);
    timers.advance(99);
    assert.deepEqual(runs, []);
    timers.advance(1);
    assert.deepEqual(runs, [160]);
    assert.equal(s.isScheduled(), false);
    assert.equal(timers.size, 0, 'no timer left behind');
  });

  it('scheduleIfIdle() keeps a pending wait: runs delayMs after the first call; a delay may be given', () => {
    const timers = new ManualTimers();
    const runs: number[] = [];
    const s = new RunOnceScheduler(() => runs.push(timers.now), 100, timers);
    s.scheduleIfIdle();
    timers.advance(60);
    s.scheduleIfIdle();
    timers.advance(40);
    assert.deepEqual(runs, [100]);
    s.scheduleIfIdle(0);
    timers.advance(0);
    assert.deepEqual(runs, [100, 100]);
  });

  it('the runner may schedule again; cancel() and dispose() drop a pending run, and a disposed one stays idle', () => {
    const timers = new ManualTimers();
    let runs = 0;
    const s: RunOnceScheduler = new RunOnceScheduler(() => {
      runs++;
      if (runs < 3) s.schedule();
    }, 10, timers);
    s.schedule();
    timers.advance(100);
    assert.equal(runs, 3);
    s.schedule();
    s.cancel();
    timers.advance(100);
    assert.equal(runs, 3);
    s.schedule();
    s.dispose();
    s.schedule();
    timers.advance(100);
    assert.equal(runs, 3);
    assert.equal(s.isScheduled(), false);
    assert.equal(timers.size, 0);
  });

  it('runs on the real timers by default', async () => {
    let ran = false;
    const s = new RunOnceScheduler(() => (ran = true), 1);
    s.schedule();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ran, true);
  });
});

describe('MutableDisposable', () => {
  const tracked = (log: string[], name: string) => ({ dispose: () => void log.push(name) });

  it('setting a value disposes the one it replaces, once; the same value again is kept', () => {
    const log: string[] = [];
    const m = new MutableDisposable();
    const a = tracked(log, 'a');
    m.value = a;
    m.value = a;
    assert.deepEqual(log, []);
    m.value = tracked(log, 'b');
    assert.deepEqual(log, ['a']);
    m.clear();
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(m.value, undefined);
  });

  it('dispose() disposes the value; a value set afterwards is disposed at once and not held', () => {
    const log: string[] = [];
    const m = new MutableDisposable();
    m.value = tracked(log, 'a');
    m.dispose();
    m.dispose();
    assert.deepEqual(log, ['a']);
    m.value = tracked(log, 'late');
    assert.deepEqual(log, ['a', 'late']);
    assert.equal(m.value, undefined);
  });

  it('combinedDisposable disposes every part', () => {
    const log: string[] = [];
    combinedDisposable(tracked(log, 'a'), tracked(log, 'b')).dispose();
    assert.deepEqual(log, ['a', 'b']);
  });
});
