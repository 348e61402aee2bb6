import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventStore, DEFAULT_STORE_CAPACITY, estimateEventBytes, type StoreChange } from '../../../../src/core/events/eventStore';
import type { KubeEvent } from '../../../../src/core/events/kubeEvent';
import { added, anEvent, deleted, modified, nextVersion } from '../../support/eventBuilder';

const uids = (events: Iterable<KubeEvent>): string[] => [...events].map((e) => e.uid).sort();

/**
 * Checks every index against a brute-force scan of `all()`, for every key any event ever had (so keys of
 * evicted or moved events must come back empty).
 */
function assertIndexesConsistent(store: EventStore, everSeen: readonly KubeEvent[]): void {
  const held = [...store.all()];
  assert.equal(held.length, store.size);
  assert.ok(store.size <= store.capacity);
  for (const e of held) assert.equal(store.get(e.uid), e);
  const expect = (pred: (e: KubeEvent) => boolean) => uids(held.filter(pred));
  for (const e of everSeen) {
    const r = e.regarding;
    assert.deepEqual(
      uids(store.byObject(r.kind, r.namespace, r.name)),
      expect((x) => x.regarding.kind === r.kind && x.regarding.namespace === r.namespace && x.regarding.name === r.name),
      `byObject ${r.kind}/${r.namespace}/${r.name}`,
    );
    assert.deepEqual(uids(store.byNamespace(e.namespace)), expect((x) => x.namespace === e.namespace), `byNamespace ${e.namespace}`);
    assert.deepEqual(uids(store.byReason(e.reason)), expect((x) => x.reason === e.reason), `byReason ${e.reason}`);
    if (!held.some((x) => x.uid === e.uid)) assert.equal(store.get(e.uid), undefined);
  }
  assert.deepEqual(store.namespaces().sort(), [...new Set(held.map((e) => e.namespace))].sort());
  assert.deepEqual(store.reasons().sort(), [...new Set(held.map((e) => e.reason))].sort());
}

/** Deterministic PRNG (mulberry32) so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EventStore', () => {
  it('defaults to a capacity of 50,000 and rejects a bad one', () => {
    assert.equal(new EventStore().capacity, DEFAULT_STORE_CAPACITY);
    assert.equal(DEFAULT_STORE_CAPACITY, 50_000);
    assert.throws(() => new EventStore({ capacity: 0 }), RangeError);
  });

  it('ADDED stores an event and indexes it every way', () => {
    const store = new EventStore();
    const e = anEvent({ namespace: 'web', reason: 'BackOff', type: 'Warning', regarding: { kind: 'Pod', name: 'api-0', uid: 'p1' } });
    const other = anEvent({ namespace: 'web', regarding: { kind: 'Pod', name: 'api-1', uid: 'p2' } });
    const result = store.applyBatch([added(e), added(other)]);
    assert.deepEqual(uids(result.added), uids([e, other]));
    assert.equal(store.size, 2);
    assert.equal(store.get(e.uid), e);
    assert.deepEqual(store.byObject('Pod', 'web', 'api-0'), [e]);
    assert.deepEqual(uids(store.byNamespace('web')), uids([e, other]));
    assert.deepEqual(store.byReason('BackOff'), [e]);
    assert.deepEqual(store.byNamespace('nope'), []);
    assertIndexesConsistent(store, [e, other]);
  });

  it('MODIFIED with a new resourceVersion replaces the event and moves it between index keys', () => {
    const store = new EventStore();
    const e = anEvent({ namespace: 'a', reason: 'Pulling', type: 'Normal', regarding: { uid: 'o1', name: 'x' } });
    store.apply(added(e));
    const seen: StoreChange[] = [];
    store.onDidChange((c) => seen.push(c));
    const e2 = nextVersion(e, { count: 5, message: 'again', lastSeen: e.lastSeen + 10, reason: 'Failed', type: 'Warning', regarding: { uid: 'o2', name: 'y' } });

    const result = store.apply(modified(e2));
    assert.deepEqual(result, { added: [], updated: [e2], removed: [], cleared: false });
    assert.deepEqual(seen, [result]);
    assert.equal(store.get(e.uid), e2);
    assert.equal(store.size, 1);
    assert.deepEqual(store.byReason('Pulling'), []);
    assert.deepEqual(store.byReason('Failed'), [e2]);
    assert.deepEqual(store.byObject('Pod', 'a', 'x'), []);
    assert.deepEqual(store.byObject('Pod', 'a', 'y'), [e2]);
    assert.deepEqual(store.reasons(), ['Failed']);
    assertIndexesConsistent(store, [e, e2]);
  });

  it('MODIFIED (or ADDED) with the same resourceVersion is a no-op', () => {
    const store = new EventStore();
    const e = anEvent();
    store.apply(added(e));
    let fired = 0;
    store.onDidChange(() => fired++);
    const same = { ...e, message: 'different text, same version' };
    for (const result of [store.apply(modified(same)), store.apply(added(same))]) {
      assert.deepEqual(result, { added: [], updated: [], removed: [], cleared: false });
    }
    assert.equal(store.get(e.uid), e);
    assert.equal(fired, 0);
  });

  it('MODIFIED for an unknown uid adds it', () => {
    const store = new EventStore();
    const e = anEvent({ resourceVersion: '7' });
    assert.deepEqual(store.apply(modified(e)).added, [e]);
    assert.equal(store.get(e.uid), e);
  });

  it('DELETED keeps the event, marked expired, and stays indexed', () => {
    const store = new EventStore();
    const e = anEvent({ reason: 'Killing' });
    store.apply(added(e));
    const result = store.apply(deleted(e));
    const kept = store.get(e.uid);
    assert.ok(kept);
    assert.equal(kept.expired, true);
    assert.equal(kept.message, e.message);
    assert.equal(e.expired, false, 'the stored object is replaced, never mutated');
    assert.deepEqual(result, { added: [], updated: [kept], removed: [], cleared: false });
    assert.deepEqual(store.byReason('Killing'), [kept]);
    assert.equal(store.size, 1);

    assert.deepEqual(store.apply(deleted(e)).updated, [], 'deleting an expired event again changes nothing');
    const stranger = anEvent();
    assert.deepEqual(store.apply(deleted(stranger)), { added: [], updated: [], removed: [], cleared: false });
    assert.equal(store.has(stranger.uid), false, 'a DELETED for an unknown uid is not stored');
    assertIndexesConsistent(store, [e, stranger]);
  });

  it('evicts the least recently updated event beyond capacity and reports it', () => {
    const store = new EventStore({ capacity: 3 });
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((i) => anEvent({ reason: `R${i}`, namespace: `ns${i}`, regarding: { uid: `o${i}` } }));
    store.applyBatch([added(a), added(b), added(c)]);
    const result = store.apply(added(d));
    assert.deepEqual(result.added, [d]);
    assert.deepEqual(result.removed, [a], 'the oldest goes');
    assert.equal(store.size, 3);
    assert.equal(store.get(a.uid), undefined);
    assert.deepEqual(store.byReason('R1'), []);
    assert.equal(store.namespaces().includes('ns1'), false);

    // An update makes b the most recent, so c (now the least recently updated) is evicted next.
    const b2 = nextVersion(b, { count: 2 });
    store.apply(modified(b2));
    assert.deepEqual(store.apply(added(e)).removed, [c]);
    assert.deepEqual(uids(store.all()), uids([d, b2, e]));
    assert.deepEqual([...store.all()].map((x) => x.uid), [d.uid, b2.uid, e.uid], 'all() runs least recently updated first');
    assertIndexesConsistent(store, [a, b, b2, c, d, e]);
  });

  it('evicts the least recently updated beyond maxBytes too, as estimated from the events\' text', () => {
    // Every string of the same length, so that each event of a size is estimated the same.
    const big = (chars: number, n: number) => anEvent({ uid: `uid-${n}`, name: `ev-${n}`, message: 'x'.repeat(chars), reason: `R${n}`, regarding: { uid: `big${n}`, name: `pod-${n}` } });
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => big(100_000, n));
    assert.ok(estimateEventBytes(a) >= 100_000, 'a message of 100,000 characters counts at least that');
    assert.ok(estimateEventBytes(anEvent()) < 2_000, 'a small event counts little');
    const store = new EventStore({ capacity: 1_000, maxBytes: 3 * estimateEventBytes(a) });
    store.applyBatch([added(a), added(b), added(c)]);
    assert.equal(store.size, 3);
    assert.equal(store.bytes, 3 * estimateEventBytes(a));
    assert.deepEqual(store.apply(added(d)).removed, [a], 'the least recently updated goes');
    assert.equal(store.size, 3);
    // A new version that grows makes room by evicting the oldest: b, not c2 itself.
    const c2 = nextVersion(c, { message: 'y'.repeat(150_000) });
    assert.deepEqual(store.apply(modified(c2)).removed, [b]);
    assert.ok(store.bytes <= store.maxBytes);
    assertIndexesConsistent(store, [a, b, c, c2, d]);
    // One event over the whole budget is still held: the newest is never evicted by bytes.
    const huge = big(10 * store.maxBytes, 9);
    const result = store.apply(added(huge));
    assert.deepEqual(uids(result.removed), uids([d, c2]));
    assert.deepEqual([...store.all()], [huge]);
    store.clear();
    assert.equal(store.bytes, 0);
  });

  it('defaults maxBytes to 256 MiB and rejects a bad one', () => {
    assert.equal(new EventStore().maxBytes, 256 * 1024 * 1024);
    assert.throws(() => new EventStore({ maxBytes: 0 }), RangeError);
  });

  it('marking an event expired does not count as an update for eviction', () => {
    const store = new EventStore({ capacity: 2 });
    const a = anEvent();
    const b = anEvent();
    store.applyBatch([added(a), added(b)]);
    store.apply(deleted(a));
    const c = anEvent();
    assert.deepEqual(uids(store.apply(added(c)).removed), [a.uid]);
  });

  it('applyBatch reports the net change once', () => {
    const store = new EventStore({ capacity: 2 });
    const old = anEvent();
    store.apply(added(old));
    const seen: StoreChange[] = [];
    store.onDidChange((c) => seen.push(c));
    const a = anEvent();
    const a2 = nextVersion(a, { count: 3 });
    const gone = anEvent();
    const keep = anEvent();
    // a evicts old; keep evicts gone, which was added in this same batch, so gone is neither added nor removed.
    const result = store.applyBatch([added(gone), added(a), modified(a2), added(keep)]);
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0], result);
    assert.deepEqual(uids(result.added), uids([a2, keep]));
    assert.equal(result.added.find((e) => e.uid === a.uid), a2, 'the latest version is reported');
    assert.deepEqual(result.updated, []);
    assert.deepEqual(result.removed, [old]);
    assert.deepEqual(uids(store.all()), uids([a2, keep]), 'gone came and went within the batch');
    assert.deepEqual(store.applyBatch([]), { added: [], updated: [], removed: [], cleared: false });
    assert.equal(seen.length, 1, 'an empty batch fires nothing');
  });

  it('applyBatch reports nothing when the batch ends where it started', () => {
    const store = new EventStore({ capacity: 1 });
    const a = anEvent();
    store.apply(added(a));
    let fired = 0;
    store.onDidChange(() => fired++);
    // b evicts a, then a (the same object) comes back and evicts b.
    const result = store.applyBatch([added(anEvent()), added(a)]);
    assert.deepEqual(result, { added: [], updated: [], removed: [], cleared: false });
    assert.equal(fired, 0);
    assert.equal(store.get(a.uid), a);
    assert.equal(store.size, 1);
  });

  it('snapshot is sorted by lastSeen', () => {
    const store = new EventStore();
    const t = 1_700_000_000_000;
    const late = anEvent({ lastSeen: t + 3000 });
    const early = anEvent({ lastSeen: t + 1000 });
    const mid = anEvent({ lastSeen: t + 2000 });
    const midTie = anEvent({ lastSeen: t + 2000 });
    store.applyBatch([added(late), added(early), added(mid), added(midTie)]);
    assert.deepEqual(store.snapshot().map((e) => e.uid), [early.uid, mid.uid, midTie.uid, late.uid]);
    const early2 = nextVersion(early, { lastSeen: t + 4000 });
    store.apply(modified(early2));
    assert.deepEqual(store.snapshot().map((e) => e.uid), [mid.uid, midTie.uid, late.uid, early2.uid]);
  });

  it('clear forgets everything and says so', () => {
    const store = new EventStore();
    const events = [anEvent(), anEvent(), anEvent()];
    store.applyBatch(events.map(added));
    const seen: StoreChange[] = [];
    store.onDidChange((c) => seen.push(c));
    store.clear();
    assert.equal(store.size, 0);
    assert.deepEqual([...store.all()], []);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].cleared, true);
    assert.deepEqual(uids(seen[0].removed), uids(events));
    assertIndexesConsistent(store, events);
    store.apply(added(events[0]));
    assert.equal(store.size, 1, 'usable after clear');
  });

  it('lists an object\'s events in the order they entered its index, through updates, moves and evictions', () => {
    const store = new EventStore({ capacity: 4 });
    const on = (name: string) => ({ kind: 'Pod', namespace: 'ns', name });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((uid) => anEvent({ uid, namespace: 'ns', regarding: on('web') }));
    store.applyBatch([a, b, c].map(added));
    const order = () => store.byObject('Pod', 'ns', 'web').map((e) => e.uid);
    assert.deepEqual(order(), ['a', 'b', 'c']);
    store.apply(modified(nextVersion(b, { count: 2 })));
    assert.deepEqual(order(), ['a', 'b', 'c'], 'an update on the same object keeps its place');
    store.apply(modified(nextVersion(c, { regarding: on('db') })));
    assert.deepEqual(order(), ['a', 'b']);
    assert.deepEqual(store.byObject('Pod', 'ns', 'db').map((e) => e.uid), ['c']);
    store.apply(modified(nextVersion(store.get('c')!, { regarding: on('web') })));
    assert.deepEqual(order(), ['a', 'b', 'c'], 'back again, at the end');
    assert.deepEqual(store.byObject('Pod', 'ns', 'db'), [], 'an object without events keeps no bucket');
    store.applyBatch([added(d), added(anEvent({ namespace: 'ns', regarding: on('other') }))]);
    assert.deepEqual(order(), ['b', 'c', 'd'], 'the least recently updated (a) was evicted');
  });

  it('index queries list events in the order they entered that key, through evictions and moves', () => {
    const store = new EventStore({ capacity: 10 });
    const events = Array.from({ length: 30 }, (_, i) => anEvent({ namespace: 'a', reason: i % 3 === 0 ? 'BackOff' : 'Pulled' }));
    for (const e of events) store.apply(added(e));
    const held = events.slice(20);
    assert.deepEqual(store.byNamespace('a').map((e) => e.uid), held.map((e) => e.uid));
    assert.deepEqual(store.byReason('Pulled').map((e) => e.uid), held.filter((e) => e.reason === 'Pulled').map((e) => e.uid));
    // A move to another key puts the event last under that key.
    const moved = nextVersion(held[0], { reason: 'BackOff' });
    store.apply(modified(moved));
    assert.deepEqual(
      store.byReason('BackOff').map((e) => e.uid),
      [...held.filter((e) => e.reason === 'BackOff'), moved].map((e) => e.uid),
    );
  });

  it('keeps every index consistent through a random mix of adds, updates, deletes and evictions', () => {
    const random = prng(42);
    const pick = <V>(xs: readonly V[]): V => xs[Math.floor(random() * xs.length)];
    const store = new EventStore({ capacity: 40 });
    let evicted = 0;
    store.onDidChange((c) => (evicted += c.removed.length));
    const everSeen: KubeEvent[] = [];
    const known: KubeEvent[] = [];
    const namespaces = ['a', 'b', 'c'];
    const reasons = ['Pulled', 'BackOff', 'Scheduled', 'Killing'];
    const types = ['Normal', 'Warning'];
    const objects = Array.from({ length: 15 }, (_, i) => ({ kind: pick(['Pod', 'Job']), name: `o${i}`, uid: i % 5 === 0 ? '' : `ou${i}` }));
    for (let step = 0; step < 600; step++) {
      const roll = random();
      let next: KubeEvent;
      if (roll < 0.45 || known.length === 0) {
        const obj = pick(objects);
        const namespace = pick(namespaces);
        next = anEvent({ namespace, reason: pick(reasons), type: pick(types), regarding: { ...obj, namespace } });
        store.apply(added(next));
      } else if (roll < 0.85) {
        const current = store.get(pick(known).uid) ?? pick(known);
        const obj = pick(objects);
        next = nextVersion(current, {
          count: current.count + 1,
          reason: random() < 0.3 ? pick(reasons) : current.reason,
          type: random() < 0.2 ? pick(types) : current.type,
          namespace: random() < 0.1 ? pick(namespaces) : current.namespace,
          regarding: random() < 0.2 ? obj : {},
        });
        store.applyBatch([modified(next)]);
      } else {
        next = store.get(pick(known).uid) ?? pick(known);
        store.apply(deleted(next));
      }
      everSeen.push(next);
      known.push(next);
      if (step % 25 === 0) assertIndexesConsistent(store, everSeen);
    }
    assertIndexesConsistent(store, everSeen);
    assert.ok(evicted > 0, 'the sequence exercised eviction');
    assert.ok([...store.all()].some((e) => e.expired), 'the sequence exercised expiry');
  });
});

describe('EventStore.removeWhere (a cluster leaves the set watched)', () => {
  it('forgets the events picked, reports them removed, and keeps the rest and every index right', () => {
    const store = new EventStore();
    const a = [anEvent({ cluster: 'a', namespace: 'x' }), anEvent({ cluster: 'a', namespace: 'y' })];
    const b = [anEvent({ cluster: 'b', namespace: 'x' })];
    store.applyBatch([...a, ...b].map(added));
    const seen: StoreChange[] = [];
    store.onDidChange((c) => seen.push(c));
    const change = store.removeWhere((e) => e.cluster === 'a');
    assert.deepEqual(uids(change.removed), uids(a));
    assert.equal(change.cleared, false);
    assert.deepEqual(uids(store.all()), uids(b));
    assert.deepEqual(uids(store.byNamespace('x')), uids(b));
    assert.deepEqual(store.byNamespace('y'), []);
    assert.equal(seen.length, 1);
    assert.equal(store.removeWhere(() => false).removed.length, 0, 'nothing picked: no change');
    assert.equal(seen.length, 1);
    assertIndexesConsistent(store, [...a, ...b]);
  });
});
