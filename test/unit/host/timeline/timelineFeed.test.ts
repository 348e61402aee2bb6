import { describe, it } from 'node:test';
import type { ObjectKeyWith, ObjectSelector } from '../../../../src/core/events/kubeEvent';
import assert from 'node:assert/strict';
import { Emitter } from '../../../../src/core/emitter';
import { EventStore } from '../../../../src/core/events/eventStore';
import type { OwnerLookup } from '../../../../src/core/owners/ownerGraph';
import type { Logger } from '../../../../src/core/ports';
import { TimelineFeed, type TimelineFeedOptions } from '../../../../src/host/timeline/timelineFeed';
import type { DebugChange } from '../../../../src/host/debug/debugFollower';
import { isHostMessage, type HostMessage } from '../../../../src/protocol/webview';
import { added, anEvent, deleted, modified, nextVersion } from '../../support/eventBuilder';
import { ManualTimers } from '../../support/manualTimers';

interface Harness {
  store: EventStore;
  timers: ManualTimers;
  feed: TimelineFeed;
  sent: HostMessage[];
  logs: string[];
  reveals: string[];
  opens: string[];
  applied: string[];
  /** Messages sent so far, then forgets them. */
  take(): HostMessage[];
}

function harness(options: Partial<Omit<TimelineFeedOptions, 'store'>> & { store?: EventStore } = {}): Harness {
  const store = options.store ?? new EventStore();
  const timers = new ManualTimers(1_700_000_000_000);
  const sent: HostMessage[] = [];
  const logs: string[] = [];
  const reveals: string[] = [];
  const opens: string[] = [];
  const applied: string[] = [];
  const logger: Logger = {
    trace: (m) => logs.push(`trace ${m}`),
    debug: (m) => logs.push(`debug ${m}`),
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m) => logs.push(`error ${m}`),
  };
  const feed = new TimelineFeed({
    store,
    post: (m) => {
      // Everything the host sends must pass the view's guard, after a JSON round trip.
      assert.ok(isHostMessage(JSON.parse(JSON.stringify(m))), `host sent a malformed ${m.type}`);
      sent.push(m);
      return Promise.resolve(true);
    },
    logger,
    clock: { now: () => timers.now },
    timers,
    onReveal: (uid) => reveals.push(uid),
    onOpenResource: (uid) => opens.push(uid),
    onFilterApplied: (text) => applied.push(text),
    ...options,
  });
  return { store, timers, feed, sent, logs, reveals, opens, applied, take: () => sent.splice(0) };
}

const types = (ms: HostMessage[]) => ms.map((m) => m.type);

/** What the view says first: it is ready, and sorts newest first (its default). */
const READY = { type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' } } as const;

/** The uids a reset and its pages carried, in order. */
const sentUids = (ms: HostMessage[]) => ms.flatMap((m) => (m.type === 'events/reset' || m.type === 'events/page' ? m.events.map((e) => e.uid) : []));

function only<T extends HostMessage['type']>(ms: HostMessage[], type: T): Extract<HostMessage, { type: T }> {
  const found = ms.filter((m) => m.type === type);
  assert.equal(found.length, 1, `one ${type} in ${JSON.stringify(types(ms))}`);
  return found[0] as Extract<HostMessage, { type: T }>;
}

describe('timeline feed', () => {
  it('sends nothing before view/ready, then one full reset with the filter and stats', () => {
    const h = harness({ dropped: () => 4 });
    const events = [anEvent(), anEvent({ type: 'Warning' })];
    h.store.applyBatch(events.map(added));
    h.timers.advance(1_000);
    assert.deepEqual(h.sent, []);
    h.feed.receive(READY);
    h.timers.advance(100);
    const out = h.take();
    assert.deepEqual(types(out), ['events/reset', 'stats']);
    const reset = only(out, 'events/reset');
    assert.deepEqual(reset.events.map((e) => e.uid).sort(), events.map((e) => e.uid).sort());
    assert.deepEqual(reset.filter, { text: '', applied: '', where: 'view' });
    assert.deepEqual(only(out, 'stats'), { type: 'stats', total: 2, shown: 2, dropped: 4 });
  });

  it('sends a large reset newest first in pages, each with the current versions, and stats at the end', () => {
    const h = harness({ resetChunks: { first: 3, rest: 4 } });
    const events = Array.from({ length: 10 }, (_, i) => anEvent({ lastSeen: 1_700_000_000_000 + i * 1000 }));
    h.store.applyBatch(events.map(added));
    h.feed.receive(READY);
    h.timers.runNext();
    let out = h.take();
    assert.deepEqual(types(out), ['events/reset', 'stats']);
    assert.deepEqual(only(out, 'events/reset').events.map((e) => e.uid), [events[9].uid, events[8].uid, events[7].uid]);
    assert.equal(only(out, 'events/reset').remaining, 7);

    // Between pages an event changes: the page that carries it later sends its current version.
    h.store.apply(modified(nextVersion(events[2], { count: 42 })));
    h.timers.runNext();
    out = h.take();
    assert.deepEqual(types(out), ['events/page']);
    assert.deepEqual(only(out, 'events/page').events.map((e) => e.uid), [6, 5, 4, 3].map((i) => events[i].uid));
    assert.equal(only(out, 'events/page').remaining, 3);
    h.timers.runNext();
    out = h.take();
    assert.deepEqual(types(out), ['events/page', 'stats']);
    const last = only(out, 'events/page');
    assert.deepEqual(last.events.map((e) => e.uid), [2, 1, 0].map((i) => events[i].uid));
    assert.equal(last.events[0].count, 42, 'the page carries the current version');
    assert.equal(last.remaining, 0, 'the last page says so');
    h.timers.advance(250);
    assert.deepEqual(types(h.take()), ['events/upsert', 'stats']);
  });

  it("sends the view's first screenful first: the top rows in its sort order and filter, then the rest in pages", () => {
    const h = harness({ resetChunks: { first: 3, rest: 4 } });
    const reasons = ['Pulled', 'BackOff', 'Created', 'Started', 'Killing', 'Scheduled', 'Unhealthy', 'Failed', 'Evicted', 'Preempted', 'Nominated', 'Backoff'];
    const events = reasons.map((reason, i) => anEvent({ reason, type: i % 3 === 0 ? 'Warning' : 'Normal', lastSeen: 1_700_000_000_000 + i * 1000 }));
    h.store.applyBatch(events.map(added));
    h.feed.receive({ type: 'view/ready', sort: { column: 'reason', direction: 'asc' } });
    h.timers.advance(100);
    let out = h.take();
    // Sorted by reason as the view sorts (case-insensitive, ties newest first): the view paints these at once,
    // and no later page adds a row above them.
    const byReason = [...events].sort((a, b) => a.reason.toLowerCase().localeCompare(b.reason.toLowerCase()) || b.lastSeen - a.lastSeen);
    assert.deepEqual(only(out, 'events/reset').events.map((e) => e.reason), byReason.slice(0, 3).map((e) => e.reason));
    assert.deepEqual(sentUids(out).sort(), events.map((e) => e.uid).sort(), 'the pages bring every event once');
    assert.deepEqual(out.filter((m) => m.type === 'events/page').map((m) => (m.type === 'events/page' ? m.remaining : -1)), [5, 1, 0]);

    // The user sorts by count, then filters in the view: the next reset's first screenful follows both, and the
    // events the filter hides still come (the view filters them itself and must hold them), after those it shows.
    h.feed.receive({ type: 'view/sort', sort: { column: 'lastSeen', direction: 'asc' } });
    h.feed.receive({ type: 'filter/change', text: 'type:Warning' });
    h.take();
    h.feed.setVisible(false);
    h.feed.setVisible(true);
    h.timers.advance(100);
    out = h.take();
    const warnings = events.filter((e) => e.type === 'Warning');
    assert.deepEqual(only(out, 'events/reset').events.map((e) => e.uid), warnings.slice(0, 3).map((e) => e.uid), 'the oldest warnings first');
    const uids = sentUids(out);
    assert.deepEqual(uids.slice(3, 4), [warnings[3].uid], 'then the warning left over');
    assert.deepEqual(new Set(uids.slice(4)), new Set(events.filter((e) => e.type !== 'Warning').map((e) => e.uid)));
  });

  it('abandons the chunks of a superseded reset', () => {
    const h = harness({ resetChunks: { first: 2, rest: 2 } });
    h.store.applyBatch(Array.from({ length: 9 }, () => added(anEvent())));
    h.feed.receive(READY);
    h.timers.advance(30);
    h.take();
    h.feed.setVisible(false);
    h.timers.advance(1_000);
    assert.deepEqual(h.take(), []);
    h.feed.setVisible(true);
    h.timers.advance(30);
    const out = h.take();
    assert.deepEqual(types(out), ['events/reset', 'stats', 'events/page', 'events/page', 'events/page', 'events/page', 'stats']);
    assert.equal(new Set(sentUids(out)).size, 9);
  });

  it('batches store changes at most every 250 ms into append, upsert and remove', () => {
    const h = harness();
    const a = anEvent();
    h.store.apply(added(a));
    h.feed.receive(READY);
    h.timers.advance(100);
    h.take();

    const b = anEvent();
    const c = anEvent();
    h.store.apply(added(b));
    h.store.apply(modified(nextVersion(a, { count: 5 })));
    h.store.apply(added(c));
    h.timers.advance(200);
    assert.deepEqual(h.sent, [], 'nothing before the batch interval');
    h.timers.advance(50);
    const out = h.take();
    assert.deepEqual(types(out), ['events/append', 'events/upsert', 'stats']);
    assert.deepEqual(only(out, 'events/append').events.map((e) => e.uid), [b.uid, c.uid]);
    assert.deepEqual(only(out, 'events/upsert').events.map((e) => [e.uid, e.count]), [[a.uid, 5]]);

    h.store.clear();
    h.timers.advance(250);
    const afterClear = h.take();
    assert.deepEqual(types(afterClear), ['events/reset', 'stats']);
    assert.deepEqual(only(afterClear, 'events/reset').events, []);
  });

  it('sends evictions as removes and expiry as an upsert with expired: true', () => {
    const h = harness({ store: new EventStore({ capacity: 2 }) });
    const [a, b, c] = [anEvent(), anEvent(), anEvent()];
    h.store.applyBatch([added(a), added(b)]);
    h.feed.receive(READY);
    h.timers.advance(100);
    h.take();
    h.store.apply(deleted(b));
    h.store.apply(added(c));
    h.timers.advance(250);
    const out = h.take();
    assert.deepEqual(only(out, 'events/remove').uids, [a.uid]);
    assert.deepEqual(only(out, 'events/upsert').events.map((e) => [e.uid, e.expired]), [[b.uid, true]]);
    assert.deepEqual(only(out, 'events/append').events.map((e) => e.uid), [c.uid]);
  });

  it('drops changes while hidden and resets when shown again', () => {
    const h = harness();
    h.feed.receive(READY);
    h.timers.advance(100);
    h.take();
    h.feed.setVisible(false);
    const a = anEvent();
    h.store.apply(added(a));
    h.timers.advance(5_000);
    assert.deepEqual(h.sent, []);
    assert.equal(h.timers.size, 0, 'no timers left running while hidden');
    h.feed.setVisible(true);
    // The reloaded page says ready too: the two resets coalesce into one.
    h.feed.receive(READY);
    h.timers.advance(100);
    const out = h.take();
    assert.deepEqual(types(out), ['events/reset', 'stats']);
    assert.deepEqual(only(out, 'events/reset').events.map((e) => e.uid), [a.uid]);
  });

  it('answers a bad filter with the error and keeps the previous filter in effect', () => {
    const h = harness();
    h.feed.receive(READY);
    h.timers.advance(100);
    h.take();
    h.feed.receive({ type: 'filter/change', text: 'type:warning' });
    assert.deepEqual(h.take(), [{ type: 'filter/state', text: 'type:warning', applied: 'type:Warning', where: 'view' }]);
    assert.deepEqual(h.applied, ['type:Warning']);

    h.feed.receive({ type: 'filter/change', text: 'type:Warning colour:red' });
    const [state] = h.take();
    assert.equal(state.type, 'filter/state');
    if (state.type !== 'filter/state') return;
    assert.equal(state.text, 'type:Warning colour:red');
    assert.equal(state.applied, 'type:Warning', 'the previous filter stays');
    assert.ok(state.error);
    assert.match(state.error.message, /colour/);
    assert.equal(state.text.slice(state.error.start, state.error.end), 'colour:red');
    assert.equal(h.feed.appliedQuery.text, 'type:Warning');
    assert.deepEqual(h.applied, ['type:Warning']);
  });

  it('filters in the host when the query has under:, and re-filters when the owner graph learns', () => {
    const learnt = new Emitter<unknown>();
    const owned = new Set<string>();
    const owners: OwnerLookup = {
      isUnder: (ref: ObjectKeyWith<never, 'uid'>, root: ObjectSelector) => owned.has(`${ref.kind}/${ref.name}`) && root.name === 'web',
    };
    const h = harness({ owners: () => owners, onDidLearnOwners: learnt.event });
    const pod1 = anEvent({ regarding: { kind: 'Pod', name: 'web-1', namespace: 'prod' }, namespace: 'prod' });
    const pod2 = anEvent({ regarding: { kind: 'Pod', name: 'web-2', namespace: 'prod' }, namespace: 'prod' });
    const other = anEvent({ regarding: { kind: 'Pod', name: 'db-0', namespace: 'prod' }, namespace: 'prod' });
    owned.add('Pod/web-1');
    h.store.applyBatch([pod1, pod2, other].map(added));
    h.feed.receive(READY);
    h.timers.advance(100);
    h.take();

    h.feed.receive({ type: 'filter/change', text: 'under:Deployment/prod/web' });
    h.timers.advance(10);
    let out = h.take();
    assert.deepEqual(types(out), ['events/reset', 'stats'], 'the reset carries the new filter state');
    let reset = only(out, 'events/reset');
    assert.equal(reset.filter.where, 'host');
    assert.deepEqual(reset.events.map((e) => e.uid), [pod1.uid]);
    assert.deepEqual(only(out, 'stats'), { type: 'stats', total: 3, shown: 1, dropped: 0 });

    // Changes are filtered too: a matching update goes out, a non-matching new event does not.
    h.store.apply(modified(nextVersion(pod1, { count: 2 })));
    h.store.apply(added(anEvent({ regarding: { kind: 'Pod', name: 'db-1' } })));
    h.timers.advance(250);
    out = h.take();
    assert.deepEqual(types(out), ['events/upsert', 'stats']);

    owned.add('Pod/web-2');
    learnt.fire(undefined);
    h.timers.advance(1_000);
    reset = only(h.take(), 'events/reset');
    assert.deepEqual(reset.events.map((e) => e.uid).sort(), [pod1.uid, pod2.uid].sort());

    // Back to a view-side filter: a reset with everything.
    h.feed.receive({ type: 'filter/change', text: 'type:Normal' });
    h.timers.advance(10);
    reset = only(h.take(), 'events/reset');
    assert.equal(reset.filter.where, 'view');
    assert.equal(reset.events.length, 4);
  });

  it('relays reveal and open only for events it holds', () => {
    const h = harness();
    const a = anEvent();
    h.store.apply(added(a));
    h.feed.receive({ type: 'event/reveal', uid: a.uid });
    h.feed.receive({ type: 'event/openResource', uid: a.uid });
    h.feed.receive({ type: 'event/reveal', uid: 'gone' });
    assert.deepEqual(h.reveals, [a.uid]);
    assert.deepEqual(h.opens, [a.uid]);
    assert.ok(h.logs.some((l) => l.includes('gone')));
  });

  it('ignores and logs malformed messages without acting on them', () => {
    const h = harness();
    for (const m of [null, 'view/ready', { type: 'event/reveal', uid: 5 }, { type: 'view/ready', x: 1 }, { type: 'x'.repeat(10_000) }]) h.feed.receive(m);
    h.timers.advance(1_000);
    assert.deepEqual(h.sent, []);
    assert.equal(h.feed.isReady, false);
    assert.equal(h.logs.filter((l) => l.startsWith('warn ignored a malformed message')).length, 5);
    assert.ok(h.logs.every((l) => l.length < 200), 'log lines stay short');
  });

  it('starts with an initial filter, and setFilterText reports errors', () => {
    const h = harness({ initialFilterText: 'reason:BackOff' });
    assert.equal(h.feed.appliedQuery.text, 'reason:BackOff');
    assert.match(h.feed.setFilterText('"unterminated') ?? '', /quote|unterminated/i);
    assert.equal(h.feed.appliedQuery.text, 'reason:BackOff');
    assert.equal(h.feed.text, '"unterminated');
    assert.match(h.feed.setFilterText('x'.repeat(20_000)) ?? '', /long/);
    assert.equal(h.feed.text, '"unterminated', 'an over-long text is refused outright');
    assert.equal(h.feed.setFilterText('is:warning'), undefined);
    assert.deepEqual(h.applied, [], 'setFilterText does not echo back to onFilterApplied');
  });

  it('survives a post that throws or rejects, and stops after dispose', () => {
    let fail = true;
    const h = harness({
      post: () => {
        if (fail) throw new Error('webview is disposed');
        return Promise.reject(new Error('gone'));
      },
    });
    h.feed.receive(READY);
    h.timers.advance(100);
    fail = false;
    h.store.apply(added(anEvent()));
    h.timers.advance(250);
    h.feed.dispose();
    h.store.apply(added(anEvent()));
    h.timers.advance(1_000);
    assert.equal(h.timers.size, 0);
    assert.ok(h.logs.some((l) => l.includes('webview is disposed')));
  });
});

describe('timeline feed: debug sessions', () => {
  it('sends the sessions with every reset and on change, and evaluates session: in the host', () => {
    const changed = new Emitter<DebugChange>();
    let ranges: { current?: { start: number }; last?: { start: number; end?: number } } = {};
    let sessions: Array<{ id: string; name: string; controller: string; start: number; end: number; marks: Array<{ kind: 'stopped' | 'continued'; at: number }> }> = [];
    const h = harness({ debug: { ranges: () => ranges, sessions: () => sessions, onDidChange: changed.event } });
    const before = anEvent({ lastSeen: 1_000_000 });
    const during = anEvent({ lastSeen: 2_000_000 });
    h.store.applyBatch([added(before), added(during)]);
    h.feed.receive(READY);
    h.timers.advance(100);
    assert.deepEqual(only(h.take(), 'debug/sessions').sessions, []);

    h.feed.receive({ type: 'filter/change', text: 'session:last' });
    h.timers.advance(100);
    let out = h.take();
    assert.equal(only(out, 'events/reset').filter.where, 'host');
    assert.deepEqual(only(out, 'events/reset').events, [], 'no session: nothing matches');

    // A session starts: what session:last matches moves, so the view gets a reset.
    ranges = { current: { start: 1_500_000 }, last: { start: 1_500_000 } };
    sessions = [{ id: 's', name: 'Launch', controller: '', start: 1_500_000, end: 0, marks: [] }];
    changed.fire({ rangesMoved: true });
    h.timers.advance(100);
    out = h.take();
    assert.deepEqual(only(out, 'events/reset').events.map((e) => e.uid), [during.uid]);
    assert.deepEqual(only(out, 'debug/sessions').sessions, sessions);

    // A stop moves no range: only the sessions go out.
    sessions = [{ ...sessions[0], marks: [{ kind: 'stopped', at: 1_600_000 }] }];
    changed.fire({ rangesMoved: false });
    out = h.take();
    assert.deepEqual(types(out), ['debug/sessions']);

    h.feed.fitSession();
    assert.deepEqual(types(h.take()), ['lanes/fitSession']);
  });
});
