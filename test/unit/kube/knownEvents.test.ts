import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateEventBytes } from '../../../src/core/events/eventStore';
import { KnownEvents } from '../../../src/kube/knownEvents';
import { anEvent, nextVersion } from '../support/eventBuilder';

describe('KnownEvents (what a source reconciles against)', () => {
  it('holds at most maxEvents, evicting the least recently updated; an unchanged version is no update', () => {
    const known = new KnownEvents({ maxEvents: 3, maxBytes: Number.MAX_SAFE_INTEGER });
    const [a, b, c, d] = [anEvent(), anEvent(), anEvent(), anEvent()];
    for (const e of [a, b, c]) known.set(e);
    known.set({ ...a }); // same resourceVersion: a stays the oldest
    known.set(nextVersion(b)); // a new version: b becomes the newest
    known.set(d);
    assert.equal(known.size, 3);
    assert.equal(known.get(a.uid), undefined, 'the least recently updated went first');
    assert.deepEqual(known.inNamespace('').map((e) => e.uid), [c.uid, b.uid, d.uid]);
  });

  it('holds at most maxBytes by the store\'s estimate, but always the newest event', () => {
    const big = (n: number) => anEvent({ message: 'x'.repeat(n) });
    const first = big(10_000);
    const budget = 3 * estimateEventBytes(first);
    const known = new KnownEvents({ maxEvents: 1_000, maxBytes: budget });
    const events = [first, big(10_000), big(10_000), big(10_000)];
    for (const e of events) known.set(e);
    assert.equal(known.size, 3);
    assert.ok(known.bytes <= budget);
    assert.equal(known.get(first.uid), undefined);
    const huge = big(10 * budget);
    known.set(huge);
    assert.deepEqual(known.inNamespace('').map((e) => e.uid), [huge.uid], 'one event over the budget is still held');
    known.delete(huge.uid);
    assert.equal(known.size, 0);
    assert.equal(known.bytes, 0);
  });

  it('lists one namespace or all', () => {
    const known = new KnownEvents({ maxEvents: 10, maxBytes: Number.MAX_SAFE_INTEGER });
    const web = anEvent({ namespace: 'web' });
    const db = anEvent({ namespace: 'db' });
    known.set(web);
    known.set(db);
    assert.deepEqual(known.inNamespace('web'), [web]);
    assert.deepEqual(known.inNamespace(''), [web, db]);
  });
});
