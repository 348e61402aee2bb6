import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DisposableOwner } from '../../../src/host/disposable';

class Owner extends DisposableOwner {
  own<T extends { dispose(): void }>(d: T): T {
    return this.register(d);
  }
  ownAll(...ds: Array<{ dispose(): void }>): void {
    const [first, ...more] = ds;
    if (first) this.register(first, ...more);
  }
  get disposed(): boolean {
    return this.isDisposed;
  }
}

function tracked(log: string[], name: string, fail = false): { dispose(): void } {
  return {
    dispose: () => {
      log.push(name);
      if (fail) throw new Error(`${name} failed`);
    },
  };
}

describe('host DisposableOwner base', () => {
  it('disposes what was registered, in order, once', () => {
    const log: string[] = [];
    const o = new Owner();
    const a = o.own(tracked(log, 'a'));
    o.own(tracked(log, 'b'));
    o.ownAll(tracked(log, 'c'), tracked(log, 'd'));
    assert.equal(typeof a.dispose, 'function', 'register returns what it was given');
    assert.equal(o.disposed, false);
    o.dispose();
    o.dispose();
    assert.deepEqual(log, ['a', 'b', 'c', 'd']);
    assert.equal(o.disposed, true);
  });

  it('disposes at once what is registered after dispose', () => {
    const log: string[] = [];
    const o = new Owner();
    o.dispose();
    o.own(tracked(log, 'late'));
    assert.deepEqual(log, ['late']);
  });

  it('disposes the rest when one fails, then throws the first failure', () => {
    const log: string[] = [];
    const o = new Owner();
    o.own(tracked(log, 'a', true));
    o.own(tracked(log, 'b', true));
    o.own(tracked(log, 'c'));
    assert.throws(() => o.dispose(), /a failed/);
    assert.deepEqual(log, ['a', 'b', 'c']);
    o.dispose();
    assert.deepEqual(log, ['a', 'b', 'c'], 'nothing is disposed twice');
  });

  it('lets a subclass release more and still dispose what it registered', () => {
    const log: string[] = [];
    class Panel extends DisposableOwner {
      constructor() {
        super();
        this.register(tracked(log, 'subscription'));
      }
      override dispose(): void {
        log.push('panel');
        super.dispose();
      }
    }
    new Panel().dispose();
    assert.deepEqual(log, ['panel', 'subscription']);
  });
});
