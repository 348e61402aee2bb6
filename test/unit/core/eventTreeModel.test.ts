import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge } from '../../../src/core/text/format';
import { EventTreeModel, eventDescription, type GroupNode, type ObjectNode, type TreeNode } from '../../../src/core/eventTreeModel';
import { oneLine } from '../../../src/core/text/boundedText';
import { anEvent } from '../support/eventBuilder';

function labels(model: EventTreeModel, nodes: TreeNode[] = model.roots()): unknown[] {
  return nodes.map((n) =>
    n.kind === 'group' ? [n.label, labels(model, model.children(n))] : n.kind === 'object' ? [`${n.ref.kind}/${n.ref.name}`, labels(model, model.children(n))] : n.kind === 'event' ? n.event.reason : n.label,
  );
}

describe('EventTreeModel', () => {
  it('groups namespace → object → events, namespaces by name, objects and events newest first', () => {
    const m = new EventTreeModel('namespace');
    const a1 = anEvent({ namespace: 'b', reason: 'Old', lastSeen: 1000, regarding: { kind: 'Pod', name: 'web-0' } });
    const a2 = anEvent({ namespace: 'b', reason: 'New', lastSeen: 3000, regarding: { kind: 'Pod', name: 'web-0' } });
    const b1 = anEvent({ namespace: 'b', reason: 'Other', lastSeen: 2000, regarding: { kind: 'ReplicaSet', name: 'web-x' } });
    const c1 = anEvent({ namespace: 'a', reason: 'First', lastSeen: 500, regarding: { kind: 'Node', name: 'n1' } });
    const delta = m.apply([a1, a2, b1, c1]);
    assert.equal(delta.root, true);
    assert.deepEqual(labels(m), [
      ['a', [['Node/n1', ['First']]]],
      ['b', [['Pod/web-0', ['New', 'Old']], ['ReplicaSet/web-x', ['Other']]]],
    ]);
    const b = m.roots()[1] as GroupNode;
    assert.equal(b.events, 3);
  });

  it('refreshes only the subtrees an update touches, keeping node objects stable', () => {
    const m = new EventTreeModel('namespace');
    const e = anEvent({ namespace: 'ns', type: 'Normal', count: 1 });
    const other = anEvent({ namespace: 'ns' });
    m.apply([e, other]);
    const node = m.nodeForEvent(e.uid)!;
    const delta = m.apply([{ ...e, count: 5, resourceVersion: '2', type: 'Warning' }]);
    assert.equal(delta.root, false);
    assert.ok(delta.nodes.has(node), 'the event row');
    assert.ok(delta.nodes.has(node.parent!), 'its object');
    assert.equal(m.nodeForEvent(e.uid), node, 'same node object');
    assert.equal(node.event.count, 5);
    assert.equal((node.parent as ObjectNode).warnings, 1);
    assert.equal(delta.newWarnings, 0, 'an update is not a new warning');
  });

  it('counts new warnings for the badge, not expired or normal ones', () => {
    const m = new EventTreeModel('flat');
    const d = m.apply([anEvent({ type: 'Warning' }), anEvent({ type: 'Normal' }), anEvent({ type: 'Warning', expired: true })]);
    assert.equal(d.newWarnings, 1);
  });

  it('filters, and drops rows that stop matching', () => {
    const m = new EventTreeModel('namespace', (e) => e.type === 'Warning');
    const w = anEvent({ type: 'Warning', namespace: 'x' });
    m.apply([w, anEvent({ type: 'Normal', namespace: 'x' })]);
    assert.equal(m.size, 1);
    const d = m.apply([{ ...w, type: 'Normal', resourceVersion: '9' }]);
    assert.equal(m.size, 0);
    assert.equal(d.root, true, 'the namespace group disappeared');
    assert.deepEqual(m.roots(), []);
  });

  it('removes evicted events and prunes empty objects and groups', () => {
    const m = new EventTreeModel('namespace');
    const e1 = anEvent({ namespace: 'x', regarding: { name: 'p' } });
    const e2 = anEvent({ namespace: 'x', regarding: { name: 'q' } });
    m.apply([e1, e2]);
    const d = m.apply([], [e1]);
    assert.equal(d.root, false);
    const group = m.roots()[0] as GroupNode;
    assert.deepEqual(m.children(group).map((o) => (o as ObjectNode).ref.name), ['q']);
    assert.ok([...d.nodes].every((n) => m.contains(n)), 'only live nodes are reported');
    assert.equal(m.apply([], [e2]).root, true);
  });

  it('groups by reason, and moves an event whose reason changed', () => {
    const m = new EventTreeModel('reason');
    const e = anEvent({ reason: 'Pulling' });
    m.apply([e, anEvent({ reason: 'BackOff' })]);
    assert.deepEqual(m.roots().map((g) => (g as GroupNode).label), ['BackOff', 'Pulling']);
    m.apply([{ ...e, reason: 'BackOff', resourceVersion: '5' }]);
    assert.deepEqual(m.roots().map((g) => [(g as GroupNode).label, (g as GroupNode).events]), [['BackOff', 2]]);
  });

  it('resets with another grouping or filter', () => {
    const m = new EventTreeModel('namespace');
    const events = [anEvent({ reason: 'A' }), anEvent({ reason: 'B', type: 'Warning' })];
    m.reset(events, 'flat', (e) => e.type === 'Warning');
    assert.deepEqual(labels(m), ['B']);
  });
});

describe('row text', () => {
  it('describes an event as ×count · age · message', () => {
    const e = anEvent({ count: 7, lastSeen: 0, message: 'Back-off\nrestarting\u0007 failed' });
    assert.equal(eventDescription(e, 5 * 60_000), '×7 · 5m · Back-off restarting failed');
    assert.equal(eventDescription({ ...e, count: 1 }, 30_000), '30s · Back-off restarting failed');
  });

  it('formats ages like kubectl and cuts long text', () => {
    assert.deepEqual([formatAge(59_000), formatAge(3 * 3600_000), formatAge(3 * 86400_000), formatAge(-5)], ['59s', '3h', '3d', '0s']);
    assert.equal(oneLine('x'.repeat(300), 10), `${'x'.repeat(10)}…(290 more characters)`);
  });
});

describe('EventTreeModel: objects a new warning arrives on open', () => {
  it('counts a new warning on an object, and an event that turns into one, not repeats or Normal events', () => {
    const m = new EventTreeModel('namespace');
    const normal = anEvent({ namespace: 'ns', regarding: { kind: 'Pod', name: 'web-0' } });
    let d = m.apply([normal]);
    const object = m.nodeForEvent(normal.uid)!.parent!;
    assert.equal(d.opened.size, 0);
    assert.equal(m.openings(object), 0);
    const warning = anEvent({ namespace: 'ns', type: 'Warning', regarding: { kind: 'Pod', name: 'web-0' } });
    d = m.apply([warning]);
    assert.deepEqual([...d.opened], [object]);
    assert.equal(m.openings(object), 1);
    d = m.apply([{ ...warning, count: 2, resourceVersion: '2' }]);
    assert.equal(d.opened.size, 0, 'a repeat of the same warning');
    d = m.apply([{ ...normal, type: 'Warning', resourceVersion: '2' }]);
    assert.deepEqual([...d.opened], [object], 'a Normal event that became a Warning');
    assert.equal(m.openings(object), 2);
    d = m.apply([anEvent({ namespace: 'ns', type: 'Warning', expired: true, regarding: { kind: 'Pod', name: 'web-0' } })]);
    assert.equal(d.opened.size, 0, 'a deleted warning is history, not news');
  });

  it('keeps the count across a reset (a filter change), so re-inserted warnings do not count again', () => {
    const m = new EventTreeModel('namespace');
    const w = anEvent({ namespace: 'ns', type: 'Warning', regarding: { kind: 'Pod', name: 'web-0' } });
    m.apply([anEvent({ namespace: 'ns', regarding: { kind: 'Pod', name: 'web-0' } })]);
    m.apply([w]);
    m.reset([w], 'namespace', () => true);
    assert.equal(m.openings(m.nodeForEvent(w.uid)!.parent!), 1);
    m.reset([], 'namespace', () => true);
    m.reset([w], 'namespace', () => true);
    assert.equal(m.openings(m.nodeForEvent(w.uid)!.parent!), 0, 'forgotten once the object left the tree');
  });

  it('names rows by group, object and event uid, and lists an object\'s events as they entered it', () => {
    const m = new EventTreeModel('namespace');
    const ref = { kind: 'Pod', name: 'web-0', uid: 'pod-uid' };
    const [a, b, c] = [1, 2, 3].map((n) => anEvent({ uid: `e${n}`, namespace: 'ns', lastSeen: n * 1000, regarding: ref }));
    m.apply([a, b, c]);
    const object = m.nodeForEvent('e1')!.parent!;
    assert.equal(object.parent.id, 'ns:ns');
    assert.equal(object.id, 'ns:ns/obj:Pod/ns/web-0');
    assert.equal(m.nodeForEvent('e2')!.id, 'ns:ns/obj:Pod/ns/web-0/event:e2');
    assert.deepEqual([...object.events].map((n) => n.event.uid), ['e1', 'e2', 'e3']);
    m.apply([], [b]);
    m.apply([{ ...a, resourceVersion: '2', count: 2 }]);
    assert.deepEqual([...object.events].map((n) => n.event.uid), ['e1', 'e3'], 'an update keeps its place; a removal leaves the rest in order');
    assert.equal(object.events.size, 2);
    assert.equal(object.events.first?.event.uid, 'e1');
    m.apply([], [a, c]);
    assert.equal(m.contains(object), false, 'an object without events leaves the tree');
    const flat = new EventTreeModel('flat');
    flat.apply([a]);
    assert.equal(flat.nodeForEvent('e1')!.id, 'event:e1');
  });
});

describe('EventTreeModel by cluster (several clusters watched)', () => {
  const clusterLabels = (model: EventTreeModel): unknown[] =>
    model.roots().map((n) => (n.kind === 'cluster' ? [n.label, n.events, n.warnings, labels(model, model.children(n))] : n.kind));

  it('puts the clusters at the top level, each with its own groups, counts and ids', () => {
    const m = new EventTreeModel('namespace');
    const a = anEvent({ cluster: 'kind-a', namespace: 'default', reason: 'A1', type: 'Warning', regarding: { kind: 'Pod', name: 'web-0' } });
    const b = anEvent({ cluster: 'staging', namespace: 'default', reason: 'B1', regarding: { kind: 'Pod', name: 'web-0' } });
    m.reset([a, b], 'namespace', () => true, true);
    assert.deepEqual(clusterLabels(m), [
      ['kind-a', 1, 1, [['default', [['Pod/web-0', ['A1']]]]]],
      ['staging', 1, 0, [['default', [['Pod/web-0', ['B1']]]]]],
    ]);
    const [ka, st] = m.roots();
    const ga = m.children(ka)[0] as GroupNode;
    const gb = m.children(st)[0] as GroupNode;
    assert.notEqual(ga.id, gb.id, 'two clusters\' default namespaces are two rows');
    assert.equal(m.parent(ga), ka);
    assert.equal(m.parent(m.nodeForEvent(b.uid)!.parent!.parent), st);
    assert.ok(m.contains(ka) && m.contains(ga));
  });

  it('adds a cluster row with its first event and removes it with its last, in the flat list too', () => {
    for (const groupBy of ['namespace', 'flat'] as const) {
      const m = new EventTreeModel(groupBy);
      m.reset([], groupBy, () => true, true);
      const a = anEvent({ cluster: 'kind-a' });
      const b = anEvent({ cluster: 'staging' });
      assert.equal(m.apply([a]).root, true, groupBy);
      assert.equal(m.apply([b]).root, true, groupBy);
      assert.deepEqual(m.roots().map((n) => (n.kind === 'cluster' ? n.label : '')), ['kind-a', 'staging'], groupBy);
      const second = anEvent({ cluster: 'kind-a' });
      assert.equal(m.apply([second]).root, false, `${groupBy}: a second event of a cluster changes only its row`);
      if (groupBy === 'flat') {
        assert.deepEqual(m.children(m.roots()[0]).map((n) => (n.kind === 'event' ? n.event.uid : '')), [second.uid, a.uid]);
        assert.equal(m.parent(m.nodeForEvent(a.uid)!), m.roots()[0]);
      }
      assert.equal(m.apply([], [a, second]).root, true, `${groupBy}: the cluster's last event removes its row`);
      assert.deepEqual(m.roots().map((n) => (n.kind === 'cluster' ? n.label : '')), ['staging'], groupBy);
      assert.equal(m.size, 1);
    }
  });

  it('keeps the tree as it was with one cluster (the top level is not the cluster)', () => {
    const m = new EventTreeModel('namespace');
    m.apply([anEvent({ cluster: 'kind-a', namespace: 'x' })]);
    assert.equal(m.byCluster, false);
    assert.deepEqual(m.roots().map((n) => n.kind), ['group']);
    assert.equal((m.roots()[0] as GroupNode).id, 'ns:x');
  });
});
