import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventTreeModel } from '../../../../src/core/eventTreeModel';
import { eventsNamespaceOfRow, refOfRow } from '../../../../src/host/commands/treeRows';
import { anEvent } from '../../support/eventBuilder';

describe('tree rows as command arguments', () => {
  const pod = anEvent({ namespace: 'shop', regarding: { kind: 'Pod', name: 'web-1' } });
  // A Node is cluster-scoped, but its events live in a namespace (`default`, as the kubelet writes them).
  const node = anEvent({ namespace: 'default', regarding: { kind: 'Node', name: 'worker-1', namespace: '', apiVersion: 'v1' } });
  const model = new EventTreeModel('namespace');
  model.apply([pod, node]);
  const eventRow = model.nodeForEvent(node.uid);
  const objectRow = eventRow?.parent;
  const groupRow = objectRow?.parent;

  it('names the object of an object row and of an event row', () => {
    assert.ok(eventRow && objectRow && groupRow);
    assert.deepEqual(refOfRow(objectRow), node.regarding);
    assert.deepEqual(refOfRow(eventRow), node.regarding);
    assert.deepEqual(refOfRow(model.nodeForEvent(pod.uid)), pod.regarding);
  });

  it('names no object for a group row or anything that is not a row', () => {
    assert.equal(refOfRow(groupRow), undefined);
    for (const arg of [undefined, null, 'Pod/web-1', 42, {}, { kind: 'Deployment', name: 'web' }]) assert.equal(refOfRow(arg), undefined);
  });

  it("gives the namespace the row's events live in, also for a cluster-scoped object", () => {
    assert.equal(eventsNamespaceOfRow(objectRow), 'default');
    assert.equal(eventsNamespaceOfRow(eventRow), 'default');
    assert.equal(eventsNamespaceOfRow(model.nodeForEvent(pod.uid)), 'shop');
    assert.equal(eventsNamespaceOfRow(groupRow), '');
    assert.equal(eventsNamespaceOfRow({ kind: 'Pod' }), '');
  });
});
