import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { normalizeEvent, withPooledStrings, type KubeEvent } from '../../../../src/core/events/kubeEvent';
import { eventStrings } from '../../../../src/core/events/stringPool';
import { anEvent } from '../../support/eventBuilder';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The V8 heap `make`'s result keeps, after full collections before and after. */
function retainedBytes(make: () => unknown[]): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(kept.length > 0);
  return after - before;
}

const N = 5_000;
/**
 * Lengths within the pools' bounds, long enough that what sharing saves (about 2 KB an event) stands well above
 * what the pools' own maps cost as they grow and drop entries.
 */
const LONG = 200;
const MESSAGE = 500;
/** What an event repeating its strings must save at least, in bytes (about 2 KB of it repeats). */
const SAVED = 800;
/** Each string as `JSON.parse` gives it: a copy of its own, as every watch line gets. */
const fresh = (s: string): string => JSON.parse(JSON.stringify(s)) as string;
/**
 * Text of exactly `length` characters for one field (`tag`), made unique by `i` when given. Tags keep fields apart
 * (one value in two fields is shared within an event too) and from other tests' texts (the pools are the
 * process's, and a string another test left in them would be shared).
 */
const text = (tag: string, length: number, i?: number): string => (i === undefined ? tag : `${tag}${i}-`).padEnd(length, 'y');

/**
 * A core/v1 Event as a watch line carries it. With `unique` every repeatable string (message, object name and uid,
 * field path, reason, namespace, reporting controller and instance) differs from every other event's, at the same
 * length, so the two variants differ only in what could be shared.
 */
function watchLine(i: number, unique: boolean): string {
  const u = unique ? i : undefined;
  const t = (tag: string, length = LONG) => text(`w${tag}`, length, u);
  const namespace = t('namespace');
  return JSON.stringify({
    type: 'ADDED',
    object: {
      metadata: { uid: `event-${i}`, name: `event-${i}`, namespace, resourceVersion: String(i) },
      involvedObject: { kind: 'StatefulSetWithALongKind', namespace, name: t('name'), uid: t('uid'), apiVersion: 'apps.example.com/v1', fieldPath: t('fieldPath') },
      reason: t('reason'),
      message: t('message', MESSAGE),
      type: 'Warning',
      source: { component: t('component'), host: t('host') },
    },
  });
}

describe('the string pools', () => {
  it('hold at most maxEntries strings each, dropping the first pooled for a new one', () => {
    for (const [name, pool] of Object.entries(eventStrings)) {
      const first = `${name}-first-of-this-test`;
      pool.intern(first);
      const size = pool.size;
      pool.intern(first);
      assert.equal(pool.size, size, `${name}: a string pooled again is not added twice`);
      for (let i = 0; i < pool.maxEntries + 10; i++) pool.intern(`${name}-${i}`);
      assert.equal(pool.size, pool.maxEntries, `${name}: never beyond its bound`);
      pool.intern(first);
      assert.equal(pool.size, pool.maxEntries, `${name}: the first string was dropped, and pooled again in place of another`);
    }
  });

  it('leave empty strings and strings over maxLength out, and hand every string back equal', () => {
    for (const [name, pool] of Object.entries(eventStrings)) {
      for (let i = 0; i < pool.maxEntries; i++) pool.intern(`${name}-fill-${i}`);
      const size = pool.size;
      const long = 'z'.repeat(pool.maxLength + 1);
      assert.equal(pool.intern(''), '');
      assert.equal(pool.intern(long), long);
      assert.equal(pool.size, size, `${name}: nothing was pooled, nothing dropped`);
      const fits = 'z'.repeat(pool.maxLength);
      assert.equal(pool.intern(fits), fits);
    }
  });
});

describe('events share the strings they repeat', () => {
  it('normalizeEvent: events repeating a message, an object, a reason and a source hold each string once', () => {
    const keep = (unique: boolean) => () => Array.from({ length: N }, (_, i) => normalizeEvent((JSON.parse(watchLine(i, unique)) as { object: unknown }).object, 'core/v1'));
    const repeated = retainedBytes(keep(false));
    const distinct = retainedBytes(keep(true));
    // Unshared, both hold the same bytes. Shared, the repeated ones lack about 2 KB of text per event.
    const savedPerEvent = (distinct - repeated) / N;
    assert.ok(savedPerEvent > SAVED, `an event repeating its strings saved only ${Math.round(savedPerEvent)} bytes`);
  });

  it('withPooledStrings: events made another way (history rows) share them too', () => {
    const make = (i: number, unique: boolean): KubeEvent => {
      const u = unique ? i : undefined;
      const t = (tag: string, length = LONG) => fresh(text(`h${tag}`, length, u));
      const namespace = t('namespace');
      return anEvent({
        uid: `event-${i}`,
        name: `event-${i}`,
        namespace,
        reason: t('reason'),
        message: t('message', MESSAGE),
        reportingController: t('controller'),
        reportingInstance: t('instance'),
        regarding: { namespace: fresh(namespace), name: t('name'), uid: t('uid'), fieldPath: t('fieldPath') },
      });
    };
    const keep = (unique: boolean) => () => Array.from({ length: N }, (_, i) => withPooledStrings(make(i, unique)));
    const repeated = retainedBytes(keep(false));
    const distinct = retainedBytes(keep(true));
    const savedPerEvent = (distinct - repeated) / N;
    assert.ok(savedPerEvent > SAVED, `an event repeating its strings saved only ${Math.round(savedPerEvent)} bytes`);
  });

  it('withPooledStrings changes no value', () => {
    const e = anEvent({ message: 'Started container app', related: { kind: 'Node', namespace: '', name: 'n1', apiVersion: 'v1', uid: 'u', resourceVersion: '2', fieldPath: '' } });
    assert.deepEqual(withPooledStrings(e), e);
    const bare = anEvent({ related: undefined });
    assert.deepEqual(withPooledStrings(bare), bare);
  });
});
