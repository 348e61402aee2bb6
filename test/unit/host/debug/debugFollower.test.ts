import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anEvent } from '../../support/eventBuilder';
import type { KubeEvent } from '../../../../src/core/events/kubeEvent';
import { silentLogger } from '../../../../src/core/ports';
import { describeQuery } from '../../../../src/core/query/describe';
import { matches, type SessionRanges } from '../../../../src/core/query/evaluate';
import { parseQuery } from '../../../../src/core/query/parse';
import type { Query } from '../../../../src/core/query/syntax';
import { separatorIndex, EventTreeModel } from '../../../../src/core/eventTreeModel';
import { DebugFollower, launchFilterText, parseLaunchBlock, type DebugFollowerDeps, type SessionSummary } from '../../../../src/host/debug/debugFollower';
import { separatorText, sessionDtos, summarize } from '../../../../src/host/debug/debugText';
import { isHostMessage } from '../../../../src/protocol/webview';
import { fitZoom, placeMarks, sessionSpan, visibleRange, widenRange } from '../../../../src/webview/laneLayout';

function q(text: string): Query {
  const r = parseQuery(text);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
}

describe('session: query term', () => {
  const sessions: SessionRanges = { current: { start: 2_000 }, last: { start: 2_000 } };
  const ended: SessionRanges = { last: { start: 1_000, end: 3_000 } };
  const at = (lastSeen: number) => anEvent({ lastSeen, reportingController: 'website-controller' });

  it('parses session:current and session:last, case-insensitively, and normalises them', () => {
    assert.equal(q('session:Current').text, 'session:current');
    assert.equal(q('-session:LAST').text, '-session:last');
    assert.equal(describeQuery(q('session:last type:Warning')), 'during the last debug session, type Warning');
  });

  it('refuses other values with a message that names the bad term and the choices', () => {
    for (const bad of ['session:now', 'session:current,last', 'session:']) {
      const r = parseQuery(`type:Warning ${bad}`);
      assert.equal(r.ok, false, bad);
      if (!r.ok) {
        assert.equal(r.column, 14, bad);
        if (bad !== 'session:') assert.match(r.message, /session:current or session:last/);
      }
    }
  });

  it('matches events last seen from the start until the end, open-ended while the session runs', () => {
    assert.equal(matches(q('session:current'), at(1_999), { now: 5_000, sessions }), false);
    assert.equal(matches(q('session:current'), at(2_000), { now: 5_000, sessions }), true);
    assert.equal(matches(q('session:current'), at(9_000), { now: 9_000, sessions }), true);
    assert.equal(matches(q('session:last'), at(3_000), { now: 9_000, sessions: ended }), true);
    assert.equal(matches(q('session:last'), at(3_001), { now: 9_000, sessions: ended }), false);
    assert.equal(matches(q('session:current'), at(2_000), { now: 9_000, sessions: ended }), false, 'no session runs');
  });

  it('matches nothing without sessions, and combines with every other term', () => {
    assert.equal(matches(q('session:last'), at(2_500), { now: 9_000 }), false);
    assert.equal(matches(q('-session:last'), at(2_500), { now: 9_000 }), true);
    assert.equal(matches(q('session:last source:website-controller'), at(2_500), { now: 9_000, sessions: ended }), true);
    assert.equal(matches(q('session:last source:other'), at(2_500), { now: 9_000, sessions: ended }), false);
    assert.equal(matches(q('session:last -session:current'), at(2_500), { now: 9_000, sessions: ended }), true);
  });
});

describe('parseLaunchBlock', () => {
  it('keeps filter, controller and context, trimmed', () => {
    assert.deepEqual(parseLaunchBlock({ filter: ' under:Website/shop/storefront ', controller: 'website-controller', context: 'kind-dev' }), {
      block: { filter: 'under:Website/shop/storefront', controller: 'website-controller', context: 'kind-dev' },
      problems: [],
    });
    assert.deepEqual(parseLaunchBlock(undefined), { block: {}, problems: [] });
  });

  it('names every problem and keeps what is valid', () => {
    const r = parseLaunchBlock({ filter: 3, controller: 'my controller', context: '', colour: 'red' });
    assert.deepEqual(r.block, {});
    assert.equal(r.problems.length, 4);
    assert.match(r.problems.join('\n'), /"kubeEvents.filter" must be a string/);
    assert.match(r.problems.join('\n'), /not a controller name/);
    assert.match(r.problems.join('\n'), /"kubeEvents.context" is empty/);
    assert.match(r.problems.join('\n'), /unknown key "kubeEvents.colour"/);
    assert.match(parseLaunchBlock('reason:X').problems[0], /must be an object/);
  });

  it('turns the controller into a source: term', () => {
    assert.equal(launchFilterText({ filter: 'type:Warning', controller: 'website-controller' }), 'type:Warning source:website-controller');
    assert.equal(launchFilterText({ controller: 'c' }), 'source:c');
  });
});

interface Harness {
  follower: DebugFollower;
  clock: { t: number };
  filter: { text: string };
  context: { current: string; switches: string[] };
  warnings: string[];
  summaries: SessionSummary[];
  events: KubeEvent[];
}

function harness(contexts: readonly string[] | string = ['admin', 'restricted'], enabled = true): Harness {
  const clock = { t: 1_000 };
  const filter = { text: 'type:Warning' };
  const context = { current: 'admin', switches: [] as string[] };
  const warnings: string[] = [];
  const summaries: SessionSummary[] = [];
  const events: KubeEvent[] = [];
  const deps: DebugFollowerDeps = {
    clock: { now: () => clock.t },
    logger: silentLogger,
    enabled: () => enabled,
    filter: {
      get text() {
        return filter.text;
      },
      set(text) {
        const r = parseQuery(text);
        if (!r.ok) return r.message;
        filter.text = r.value.text;
        return undefined;
      },
    },
    context: {
      get current() {
        return context.current;
      },
      names: () => contexts,
      switchTo(name) {
        context.current = name;
        context.switches.push(name);
      },
    },
    events: () => events,
    warn: (m) => warnings.push(m),
    summarize: (s) => summaries.push(s),
  };
  return { follower: new DebugFollower(deps), clock, filter, context, warnings, summaries, events };
}

describe('DebugFollower', () => {
  it('records a session with its stops and continues; child sessions count as their root', () => {
    const h = harness();
    const changes: boolean[] = [];
    h.follower.onDidChange((c) => changes.push(c.rangesMoved));
    h.follower.start('root', 'Launch controller', 'pwa-node', undefined, undefined);
    h.follower.start('child', 'controller.js', 'pwa-node', 'root', undefined);
    assert.deepEqual(h.follower.ranges(), { current: { start: 1_000 }, last: { start: 1_000 } });
    h.clock.t = 2_000;
    h.follower.stopped('child', 'breakpoint');
    h.follower.stopped('child', 'breakpoint');
    h.clock.t = 3_000;
    h.follower.continued('child');
    h.follower.continued('child');
    h.clock.t = 4_000;
    h.follower.end('child');
    assert.equal(h.follower.current?.id, 'root', 'a child ending does not end the session');
    h.follower.end('root');
    const s = h.follower.last!;
    assert.deepEqual(s.marks, [
      { kind: 'stopped', at: 2_000, reason: 'breakpoint' },
      { kind: 'stopped', at: 2_000, reason: 'breakpoint' },
      { kind: 'continued', at: 3_000, reason: '' },
    ]);
    assert.deepEqual(h.follower.ranges(), { last: { start: 1_000, end: 4_000 } });
    // The start and the end move what session: matches; stops and continues only add marks.
    assert.deepEqual(changes, [true, false, false, false, true]);
    assert.equal(h.follower.current, undefined);
    assert.equal(h.summaries.length, 1);
  });

  it('tagStop marks the latest stop with the event that armed a one-shot breakpoint, and nothing else', () => {
    const h = harness();
    const changes: boolean[] = [];
    h.follower.start('root', 'Debug controller', 'go', undefined, undefined);
    h.follower.onDidChange((c) => changes.push(c.rangesMoved));
    const trigger = { uid: 'u1', text: 'reason:FailedCreate: Warning FailedCreate (at main.go:216)' };
    h.follower.tagStop('root', trigger);
    assert.deepEqual(h.follower.current?.marks, [], 'no stop yet: nothing to mark');
    h.clock.t = 2_000;
    h.follower.stopped('root', 'breakpoint');
    h.follower.tagStop('root', trigger);
    assert.deepEqual(h.follower.current?.marks, [{ kind: 'stopped', at: 2_000, reason: 'breakpoint', trigger }]);
    h.follower.continued('root');
    h.follower.tagStop('root', { uid: 'u2', text: 'late' });
    assert.equal(h.follower.all[0].marks[1].trigger, undefined, 'a continue is not a stop');
    assert.deepEqual(changes, [false, false, false]);
  });

  it('applies the launch filter and controller for the session and restores the previous filter at its end', () => {
    const h = harness();
    h.follower.start('s', 'Debug website-controller', 'go', undefined, { filter: 'under:Website/shop/storefront', controller: 'website-controller' });
    assert.equal(h.filter.text, 'under:Website/shop/storefront source:website-controller');
    assert.deepEqual(h.warnings, []);
    h.follower.end('s');
    assert.equal(h.filter.text, 'type:Warning');
  });

  it('keeps a filter the user changed during the session', () => {
    const h = harness();
    h.follower.start('s', 'x', 'go', undefined, { filter: 'reason:Reconciled' });
    h.filter.text = 'reason:Failed';
    h.follower.end('s');
    assert.equal(h.filter.text, 'reason:Failed');
  });

  it('an invalid filter leaves the filter alone, says so once, and the session is followed anyway', () => {
    const h = harness();
    h.follower.start('s', 'Bad filter', 'pwa-node', undefined, { filter: 'reason: typo:x', controller: 'website-controller' });
    h.follower.start('c', 'child', 'pwa-node', 's', { filter: 'reason: typo:x' });
    assert.equal(h.filter.text, 'type:Warning');
    assert.equal(h.warnings.length, 1);
    assert.match(h.warnings[0], /launch configuration "Bad filter"/);
    assert.match(h.warnings[0], /empty value at column 1 \("reason:"\)/);
    assert.match(h.warnings[0], /runs anyway/);
    assert.ok(h.follower.current, 'the session is followed');
    h.follower.end('s');
    assert.equal(h.filter.text, 'type:Warning');
  });

  it('switches to the launch context and back; an unknown context is reported and the current one kept', () => {
    const h = harness();
    h.follower.start('a', 'ok', 'go', undefined, { context: 'restricted' });
    assert.equal(h.context.current, 'restricted');
    h.follower.end('a');
    assert.deepEqual(h.context.switches, ['restricted', 'admin']);

    h.follower.start('b', 'typo', 'go', undefined, { context: 'kind-dve', filter: 'type:Normal' });
    assert.equal(h.context.current, 'admin');
    assert.equal(h.filter.text, 'type:Normal', 'the rest of the block still applies');
    assert.equal(h.warnings.length, 1);
    assert.match(h.warnings[0], /context "kind-dve" is not in the kubeconfig \(it has "admin", "restricted"\); staying on "admin"/);
    h.follower.end('b');
    assert.deepEqual(h.context.switches, ['restricted', 'admin']);
  });

  it('does nothing while kubeEvents.debug.follow is off', () => {
    const h = harness(['admin'], false);
    h.follower.start('s', 'x', 'go', undefined, { filter: 'type:Normal' });
    assert.equal(h.follower.last, undefined);
    assert.equal(h.filter.text, 'type:Warning');
    h.follower.end('s');
    assert.equal(h.summaries.length, 0);
  });

  it('summarises the controller\'s events of the session by reason', () => {
    const h = harness();
    const e = (lastSeen: number, reason: string, controller = 'website-controller', type = 'Normal') => anEvent({ lastSeen, reason, reportingController: controller, type });
    h.events.push(e(500, 'Reconciled'), e(1_500, 'Reconciled'), e(1_600, 'Reconciled'), e(1_700, 'Failed', 'website-controller', 'Warning'), e(1_800, 'Scheduled', 'default-scheduler'), e(5_000, 'Reconciled'));
    h.follower.start('s', 'Launch', 'go', undefined, { controller: 'website-controller' });
    h.clock.t = 4_000;
    h.follower.end('s');
    const sum = h.summaries[0];
    assert.deepEqual(sum.byReason, [['Reconciled', 2], ['Failed', 1]]);
    assert.equal(sum.countedBy, 'reportingController');
    assert.equal(sum.text, 'Debug session "Launch" ended after 3s; during it 3 events (1 warning) had reportingController website-controller: Reconciled ×2, Failed ×1.');
    const none = summarize({ ...sum.session, block: {} }, []);
    assert.equal(none.countedBy, 'lastSeen');
    assert.match(none.text, /during it no events were last seen \(any reportingController\)\.$/);
  });

  it('counts the controller by reportingController alone, and says so: an instance named like it is not the controller', () => {
    const h = harness();
    h.events.push(
      anEvent({ lastSeen: 1_500, reason: 'Reconciled', reportingController: 'website-controller' }),
      // Anyone may write an event whose reportingInstance (core/v1 source.host) reads "website-controller".
      anEvent({ lastSeen: 1_600, reason: 'Forged', reportingController: 'someone-else', reportingInstance: 'website-controller', type: 'Warning' }),
    );
    h.follower.start('s', 'Launch', 'go', undefined, { controller: 'website-controller' });
    h.clock.t = 4_000;
    h.follower.end('s');
    const sum = h.summaries[0];
    assert.deepEqual(sum.byReason, [['Reconciled', 1]]);
    assert.equal(sum.text, 'Debug session "Launch" ended after 3s; during it 1 event had reportingController website-controller: Reconciled ×1.');
  });

  it('counts an event recorded in the session\'s first second (core/v1 times are whole seconds)', () => {
    const h = harness();
    h.clock.t = 7_800;
    h.follower.start('s', 'Launch', 'go', undefined, undefined);
    assert.deepEqual(h.follower.ranges().current, { start: 7_000 });
    h.events.push(anEvent({ lastSeen: 7_000, reason: 'Reconciling' }), anEvent({ lastSeen: 6_000, reason: 'Before' }));
    h.clock.t = 9_000;
    h.follower.end('s');
    assert.deepEqual(h.summaries[0].byReason, [['Reconciling', 1]]);
  });

  it('describes the separator row and the timeline sessions', () => {
    const h = harness();
    h.follower.start('s', 'Launch controller', 'go', undefined, { controller: 'website-controller' });
    h.follower.stopped('s', 'breakpoint');
    const text = separatorText(h.follower.last!);
    assert.match(text.label, /^▶ debug: Launch controller started \d\d:\d\d:\d\d$/);
    assert.equal(text.description, 'website-controller · paused · 1 stop');
    const dtos = sessionDtos(h.follower.all);
    assert.deepEqual(dtos, [{ id: 's', name: 'Launch controller', controller: 'website-controller', start: 1_000, end: 0, marks: [{ kind: 'stopped', at: 1_000 }] }]);
    assert.ok(isHostMessage({ type: 'debug/sessions', sessions: dtos }));
    assert.ok(isHostMessage({ type: 'lanes/fitSession' }));
    assert.equal(isHostMessage({ type: 'debug/sessions', sessions: [{ ...dtos[0], extra: 1 }] }), false);
    assert.equal(isHostMessage({ type: 'debug/sessions', sessions: [{ ...dtos[0], start: 5, end: 4 }] }), false);
  });
});

describe('separator and lanes geometry', () => {
  it('places the separator above the events of the session in the flat list, first when grouped', () => {
    const model = new EventTreeModel('flat');
    model.reset([anEvent({ lastSeen: 1_000 }), anEvent({ lastSeen: 3_000 }), anEvent({ lastSeen: 2_000 })]);
    assert.equal(separatorIndex(model.roots(), 1_500, 'flat'), 2);
    assert.equal(separatorIndex(model.roots(), 500, 'flat'), 3);
    assert.equal(separatorIndex(model.roots(), 1_500, 'namespace'), 0);
  });

  it('fits the axis to a session, widened to take it in', () => {
    const full = widenRange({ start: 0, end: 100_000 }, sessionSpan({ start: 90_000, end: 0 }, 150_000));
    assert.deepEqual(full, { start: 0, end: 150_000 });
    const zoom = fitZoom(full, { start: 90_000, end: 150_000 });
    const shown = visibleRange(full, zoom);
    assert.ok(shown.start <= 90_000 && shown.end >= 150_000 - 1, JSON.stringify(shown));
    assert.ok(shown.end - shown.start < 80_000);
  });

  it('merges marks in one slot, a stop winning over a continue', () => {
    const marks = placeMarks([{ kind: 'stopped', at: 10 }, { kind: 'continued', at: 11 }, { kind: 'continued', at: 90 }, { kind: 'stopped', at: 200 }], { start: 0, end: 100 }, 10);
    assert.deepEqual(marks.map((m) => [m.kind, m.n, m.at]), [['stopped', 2, 10], ['continued', 1, 90]]);
  });
});

describe('anyWithin', () => {
  it('finds an event last seen inside the range, ends included', async () => {
    const { anyWithin } = await import('../../../../src/core/eventTreeModel');
    const events = [anEvent({ lastSeen: 1_000 }), anEvent({ lastSeen: 5_000 })];
    assert.equal(anyWithin(events, 2_000, 4_000), false);
    assert.equal(anyWithin(events, 5_000, 6_000), true);
    assert.equal(anyWithin(events, 0, 1_000), true);
  });
});
