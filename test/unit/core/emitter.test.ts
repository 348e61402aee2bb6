import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../../src/core/emitter';
import type { Logger } from '../../../src/core/ports';
import { EventSource, sameSourceState, type SourceState } from '../../../src/kube/eventSource';
import type { KubeClient } from '../../../src/kube/kubeClient';

describe('Emitter', () => {
  it('calls listeners in subscription order, until they unsubscribe', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    const a = e.event((n) => seen.push(`a${n}`));
    e.event((n) => seen.push(`b${n}`));
    e.fire(1);
    a.dispose();
    a.dispose();
    e.fire(2);
    assert.deepEqual(seen, ['a1', 'b1', 'b2']);
  });

  it('skips a listener another listener of the same fire unsubscribed, and never calls one added during it', () => {
    const e = new Emitter<void>();
    const seen: string[] = [];
    let second: { dispose(): void } | undefined;
    e.event(() => {
      seen.push('first');
      second?.dispose();
      e.event(() => seen.push('late'));
    });
    second = e.event(() => seen.push('second'));
    e.fire();
    assert.deepEqual(seen, ['first']);
  });

  it("gives a listener's error to the owner's handler and calls the other listeners", () => {
    const errors: unknown[] = [];
    const e = new Emitter<string>((err) => errors.push(err));
    const seen: string[] = [];
    e.event(() => {
      throw new Error('broken listener');
    });
    e.event((v) => seen.push(v));
    assert.doesNotThrow(() => e.fire('x'));
    assert.deepEqual(seen, ['x']);
    assert.equal((errors[0] as Error).message, 'broken listener');
  });

  it('without a handler, rethrows the first error once every listener has run: never silent', () => {
    const e = new Emitter<void>();
    const seen: string[] = [];
    e.event(() => {
      throw new Error('first');
    });
    e.event(() => {
      throw new Error('second');
    });
    e.event(() => seen.push('ran'));
    assert.throws(() => e.fire(), /first/);
    assert.deepEqual(seen, ['ran']);
  });

  it('drops every listener when disposed; later subscriptions are no-ops', () => {
    const e = new Emitter<void>();
    let calls = 0;
    e.event(() => calls++);
    e.dispose();
    e.event(() => calls++).dispose();
    e.fire();
    assert.equal(calls, 0);
    assert.equal(e.hasListeners, false);
  });
});

describe('EventSource state events', () => {
  function capture(): { log: Logger; errors: string[] } {
    const errors: string[] = [];
    const log: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
    return { log, errors };
  }

  it("logs a state listener's failure and still tells the other listeners; the loop never sees it", () => {
    const { log, errors } = capture();
    // Never started, so the client is never used.
    const src = new EventSource({ client: {} as KubeClient, sink: () => undefined, logger: log });
    const seen: string[] = [];
    src.onDidChangeState(() => {
      throw new Error('listener bug');
    });
    src.onDidChangeState((s) => seen.push(s.phase));
    assert.doesNotThrow(() => src.stop());
    assert.deepEqual(seen, ['stopped']);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /\[watch\] a state listener failed: listener bug/);
    src.dispose();
  });

  it('compares states field by field', () => {
    const error = (message: string): SourceState => ({ phase: 'error', reason: 'forbidden', message, retryInMs: 30_000 });
    assert.equal(sameSourceState({ phase: 'idle' }, { phase: 'idle' }), true);
    assert.equal(sameSourceState({ phase: 'idle' }, { phase: 'stopped' }), false);
    assert.equal(sameSourceState({ phase: 'live', api: 'core/v1' }, { phase: 'live', api: 'core/v1' }), true);
    assert.equal(sameSourceState({ phase: 'live', api: 'core/v1' }, { phase: 'live', api: 'events.k8s.io/v1' }), false);
    assert.equal(sameSourceState(error('a'), error('a')), true);
    assert.equal(sameSourceState(error('a'), error('b')), false);
    const reconnecting = (attempt: number): SourceState => ({ phase: 'reconnecting', attempt, reason: 'connection refused', retryInMs: 1000 });
    assert.equal(sameSourceState(reconnecting(1), reconnecting(1)), true);
    assert.equal(sameSourceState(reconnecting(1), reconnecting(2)), false);
    assert.equal(sameSourceState({ phase: 'relisting', reason: 'x' }, { phase: 'relisting', reason: 'y' }), false);
  });
});
