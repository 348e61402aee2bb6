import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EVENT_TTL_MS, deletionCause, deletionNote } from '../../../../src/core/events/eventDeletion';
import { EventStore } from '../../../../src/core/events/eventStore';
import { anEvent } from '../../support/eventBuilder';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('deleted events: TTL expiry or a delete by hand', () => {
  it('an event deleted 5 minutes after its last update was deleted by a client, not by the TTL', () => {
    const e = anEvent({ lastSeen: T0, creationTimestamp: T0 - 10 * MIN, expired: true, deletedAt: T0 + 5 * MIN });
    assert.equal(deletionCause(e), 'deleted');
    const note = deletionNote(e);
    assert.match(note, /^Deleted on the server 5m after its last update, before the event TTL \(1 h by default\) ran out: deleted by a client/);
    assert.doesNotMatch(note, /TTL\) ran out\. /);
  });

  it('an event deleted an hour (and up to the lease reuse) after its last update ran out its TTL', () => {
    for (const after of [DEFAULT_EVENT_TTL_MS, DEFAULT_EVENT_TTL_MS + 70_000, DEFAULT_EVENT_TTL_MS - 30_000]) {
      const e = anEvent({ lastSeen: T0, expired: true, deletedAt: T0 + after });
      assert.equal(deletionCause(e), 'ttl', `deleted ${after} ms after`);
      assert.match(deletionNote(e), /^Deleted on the server (59m|1h 0m|1h 1m) after its last update: the event TTL \(1 h by default\) ran out\. Kept here as history\.$/);
    }
  });

  it('counts from the last write: a backdated lastTimestamp does not make a fresh event look expired', () => {
    // Written now with a lastTimestamp two hours ago (a controller replaying history): the TTL started now.
    const e = anEvent({ lastSeen: T0 - 120 * MIN, creationTimestamp: T0, expired: true, deletedAt: T0 + MIN });
    assert.equal(deletionCause(e), 'deleted');
  });

  it('says only "deleted" when it cannot tell, and nothing for a live event', () => {
    assert.equal(deletionNote(anEvent({ expired: true })), 'Deleted on the server; kept here as history.');
    assert.equal(deletionNote(anEvent({ lastSeen: 0, creationTimestamp: 0, expired: true, deletedAt: T0 })), 'Deleted on the server; kept here as history.');
    assert.equal(deletionNote(anEvent()), '');
  });

  it('honours another TTL', () => {
    const e = anEvent({ lastSeen: T0, expired: true, deletedAt: T0 + 6 * MIN });
    assert.equal(deletionCause(e, 5 * MIN), 'ttl');
    assert.match(deletionNote(e, 5 * MIN), /the event TTL \(5m\) ran out/);
  });

  it('the store stamps when it learnt of the deletion, and keeps a stamp the change carries', () => {
    let now = T0 + 7 * MIN;
    const store = new EventStore({ clock: { now: () => now } });
    const a = anEvent({ lastSeen: T0 });
    const b = anEvent({ lastSeen: T0 });
    store.applyBatch([{ type: 'ADDED', event: a }, { type: 'ADDED', event: b }]);
    store.apply({ type: 'DELETED', event: a });
    store.apply({ type: 'DELETED', event: { ...b, deletedAt: T0 + 2 * MIN } });
    now += MIN;
    store.apply({ type: 'DELETED', event: a });
    assert.equal(store.get(a.uid)?.deletedAt, T0 + 7 * MIN, 'stamped once, by the first DELETED');
    assert.equal(store.get(b.uid)?.deletedAt, T0 + 2 * MIN);
    assert.equal(deletionCause(store.get(a.uid)!), 'deleted');
    assert.equal(store.size, 2, 'deleted events stay, and count');
  });
});
