// Several clusters on the timeline (issue 22 §1): the DTO names its cluster, `cluster:` filters in the view, the
// host says which clusters are watched, and the lanes keep two clusters' objects of the same name apart and say
// which cluster each lane is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectKeyWith, ObjectSelector } from '../../../src/core/events/kubeEvent';
import { EventStore } from '../../../src/core/events/eventStore';
import { Emitter } from '../../../src/core/emitter';
import type { OwnerLookup } from '../../../src/core/owners/ownerGraph';
import { parseQuery } from '../../../src/core/query/parse';
import { silentLogger } from '../../../src/core/ports';
import { toEventDto } from '../../../src/host/timeline/eventDto';
import { TimelineFeed } from '../../../src/host/timeline/timelineFeed';
import { MAX_CLUSTER_NAME_LENGTH, MAX_CLUSTERS, isHostMessage, type EventDto, type FilterStateDto, type HostMessage } from '../../../src/protocol/webview';
import { layoutLanes } from '../../../src/webview/laneLayout';
import { laneLabel, laneTitle } from '../../../src/webview/laneText';
import { sortKey } from '../../../src/webview/sortModel';
import { TimelineModel } from '../../../src/webview/timelineModel';
import { added, anEvent } from '../support/eventBuilder';
import { ManualTimers } from '../support/manualTimers';

const T0 = 1_700_000_000_000;
const web = { kind: 'Pod', name: 'web-1', namespace: 'prod' };
const inAlpha = anEvent({ cluster: 'alpha', regarding: web, namespace: 'prod', lastSeen: T0 });
const inBeta = anEvent({ cluster: 'beta', regarding: web, namespace: 'prod', lastSeen: T0 + 1000, type: 'Warning' });
const wire = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));

function viewFilter(text: string): FilterStateDto {
  const q = parseQuery(text);
  assert.ok(q.ok, text);
  return { text, applied: q.value.text, where: 'view' };
}

describe('timeline: several clusters', () => {
  it('carries the cluster in the DTO (\'\' for an event of none), which the guard checks and the Cluster column sorts by', () => {
    assert.equal(toEventDto(inAlpha).cluster, 'alpha');
    assert.equal(toEventDto(anEvent()).cluster, '');
    assert.equal(isHostMessage(wire({ type: 'events/append', events: [toEventDto(inBeta)] })), true);
    const { cluster: _cluster, ...without } = toEventDto(inBeta);
    assert.equal(isHostMessage(wire({ type: 'events/append', events: [without] })), false, 'a DTO without its cluster');
    assert.equal(isHostMessage(wire({ type: 'events/append', events: [{ ...toEventDto(inBeta), cluster: 7 }] })), false);
    assert.equal(isHostMessage(wire({ type: 'events/append', events: [{ ...toEventDto(inBeta), cluster: 'x'.repeat(MAX_CLUSTER_NAME_LENGTH + 1) }] })), false);
    assert.equal(sortKey('cluster', toEventDto(anEvent({ cluster: 'Beta' }))), 'beta');
  });

  it('accepts a clusters message of names only', () => {
    assert.equal(isHostMessage(wire({ type: 'clusters', names: [] })), true);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: ['alpha', 'beta'] })), true);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: ['alpha', 3] })), false);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: 'alpha' })), false);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: ['alpha'], servers: ['https://x'] })), false);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: Array.from({ length: MAX_CLUSTERS + 1 }, (_, i) => `c${i}`) })), false);
    assert.equal(isHostMessage(wire({ type: 'clusters', names: ['x'.repeat(MAX_CLUSTER_NAME_LENGTH + 1)] })), false);
  });

  it('filters by cluster: in the view, with the very query the tree uses', () => {
    const m = new TimelineModel(() => T0 + 5000);
    m.reset([toEventDto(inAlpha), toEventDto(inBeta)], viewFilter('cluster:alpha'));
    assert.deepEqual(m.rows.map((r) => r.dto.uid), [inAlpha.uid]);
    m.setFilter(viewFilter('cluster:b*'));
    assert.deepEqual(m.rows.map((r) => r.dto.uid), [inBeta.uid]);
    m.setFilter(viewFilter('-cluster:beta'));
    assert.deepEqual(m.rows.map((r) => r.dto.uid), [inAlpha.uid]);
  });

  it('gives the same object in two clusters a lane each, and names the cluster on the label while several are watched', () => {
    const id = (d: EventDto) => d;
    const dtos = [toEventDto(inAlpha), toEventDto(inBeta)];
    const layout = layoutLanes(dtos, id, { start: T0 - 60_000, end: T0 + 60_000 });
    assert.equal(layout.lanes.length, 2, 'Pod/web-1 of alpha and Pod/web-1 of beta');
    const [beta, alpha] = layout.lanes;
    assert.ok(alpha && beta);
    assert.deepEqual([alpha.cluster, beta.cluster], ['alpha', 'beta']);
    assert.deepEqual(laneLabel(alpha, true), { cluster: 'alpha', object: 'Pod/web-1' });
    assert.deepEqual(laneLabel(alpha, false), { cluster: '', object: 'Pod/web-1' });
    assert.match(laneTitle(beta, true), /^Pod\/web-1 in prod \(cluster beta\) · 1 event, 1 warnings · last /);
    assert.doesNotMatch(laneTitle(beta, false), /cluster/);
    // One cluster's events only: one lane per object, as before.
    assert.equal(layoutLanes([toEventDto(anEvent({ regarding: web })), toEventDto(anEvent({ regarding: web }))], id, layout.range).lanes.length, 1);
  });
});

describe('timeline feed: several clusters', () => {
  function feed(names: () => readonly string[], changed: Emitter<unknown>, owners?: (cluster?: string) => OwnerLookup | undefined) {
    const store = new EventStore();
    const timers = new ManualTimers(T0);
    const sent: HostMessage[] = [];
    const f = new TimelineFeed({
      store,
      post: (m) => {
        assert.ok(isHostMessage(wire(m)), `host sent a malformed ${m.type}`);
        sent.push(m);
      },
      logger: silentLogger,
      clock: { now: () => timers.now },
      timers,
      clusters: { names, onDidChange: changed.event },
      ...(owners ? { owners } : {}),
      onReveal: () => undefined,
      onOpenResource: () => undefined,
    });
    return { store, timers, sent, f };
  }

  it('says which clusters are watched with every reset, and again only when they change', () => {
    let names = ['alpha'];
    const changed = new Emitter<unknown>();
    const { timers, sent, f } = feed(() => names, changed);
    changed.fire(undefined);
    assert.equal(sent.length, 0, 'nothing before view/ready');
    f.receive({ type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' } });
    timers.runAll();
    assert.deepEqual(sent.filter((m) => m.type === 'clusters'), [{ type: 'clusters', names: ['alpha'] }]);
    sent.length = 0;
    changed.fire(undefined);
    assert.equal(sent.length, 0, 'the same clusters (a state change) are not sent again');
    names = ['alpha', 'beta'];
    changed.fire(undefined);
    assert.deepEqual(sent, [{ type: 'clusters', names: ['alpha', 'beta'] }]);
    f.dispose();
  });

  it('answers under: for each event from its own cluster\'s owner graph', () => {
    // Both clusters have a Deployment prod/web; only alpha's owns Pod/web-1.
    const graphs: Record<string, OwnerLookup> = {
      alpha: { isUnder: (ref: ObjectKeyWith<never, 'uid'>, root: ObjectSelector) => ref.name === 'web-1' && root.name === 'web' },
      beta: { isUnder: () => false },
    };
    const { store, timers, sent, f } = feed(() => ['alpha', 'beta'], new Emitter<unknown>(), (cluster) => graphs[cluster ?? 'alpha']);
    store.applyBatch([inAlpha, inBeta].map(added));
    f.receive({ type: 'view/ready', sort: { column: 'lastSeen', direction: 'desc' } });
    f.receive({ type: 'filter/change', text: 'under:Deployment/prod/web' });
    timers.runAll();
    const resets = sent.filter((m) => m.type === 'events/reset');
    const last = resets[resets.length - 1];
    assert.ok(last && last.type === 'events/reset');
    assert.equal(last.filter.where, 'host');
    assert.deepEqual(last.events.map((e) => e.uid), [inAlpha.uid], 'beta\'s Pod/web-1 is not under alpha\'s Deployment');
    f.dispose();
  });
});
