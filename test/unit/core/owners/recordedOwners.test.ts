import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OwnerGraph, type OwnerInfo, type OwnerResolveReason, type OwnerResolver } from '../../../../src/core/owners/ownerGraph';
import { ownerRecordsFor, recordedOwnerGraph } from '../../../../src/core/owners/recordedOwners';
import type { ObjectKeyWith } from '../../../../src/core/events/kubeEvent';
import { matches } from '../../../../src/core/query/evaluate';
import { parseQuery } from '../../../../src/core/query/parse';
import { ok, fail, type Result } from '../../../../src/core/result';
import { anEvent } from '../../support/eventBuilder';

/** A cluster as a table of objects by `Kind/ns/name` (what a GET answers). */
class TableResolver implements OwnerResolver {
  constructor(private readonly table: Record<string, OwnerInfo>) {}
  getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    const info = this.table[`${ref.kind}/${ref.namespace}/${ref.name}`];
    return Promise.resolve(info ? ok(info) : fail('not-found', 'gone'));
  }
}

const deploymentOwner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true };
const replicaSetOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs1', controller: true };

function underQuery(text: string): ReturnType<typeof parseQuery> & { ok: true } {
  const q = parseQuery(text);
  assert.ok(q.ok);
  return q;
}

describe('a capture\'s owner graph', () => {
  const podEvent = anEvent({ namespace: 'shop', regarding: { kind: 'Pod', name: 'web-5d8f-abcde', namespace: 'shop', uid: 'p1' } });
  const rsEvent = anEvent({ namespace: 'shop', regarding: { kind: 'ReplicaSet', name: 'web-5d8f', namespace: 'shop', uid: 'rs1', apiVersion: 'apps/v1' } });
  const strayEvent = anEvent({ namespace: 'shop', regarding: { kind: 'Pod', name: 'stray', namespace: 'shop', uid: 'p9' } });

  it('writes the chain of every object the events name, up to the roots, once each', async () => {
    const live = new OwnerGraph(
      new TableResolver({
        'Pod/shop/web-5d8f-abcde': { uid: 'p1', ownerReferences: [replicaSetOwner] },
        'ReplicaSet/shop/web-5d8f': { uid: 'rs1', ownerReferences: [deploymentOwner] },
        'Deployment/shop/web': { uid: 'd1', ownerReferences: [] },
        'Pod/shop/stray': { uid: 'p9', ownerReferences: [] },
      }),
    );
    for (const e of [podEvent, rsEvent, strayEvent]) await live.learn({ ...e.regarding, uid: e.regarding.uid });
    const records = ownerRecordsFor([podEvent, rsEvent, strayEvent, podEvent], live);
    assert.deepEqual(records.map((r) => `${r.kind}/${r.name}→${r.ownerReferences.map((o) => o.kind).join(',')}`).sort(), ['Pod/web-5d8f-abcde→ReplicaSet', 'ReplicaSet/web-5d8f→Deployment']);
    live.dispose();
  });

  it('places events under: from the records alone, and takes objects the records do not name as roots', async () => {
    const graph = recordedOwnerGraph([
      { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-5d8f-abcde', uid: 'p1', ownerReferences: [replicaSetOwner], source: 'read' },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'shop', name: 'web-5d8f', uid: 'rs1', ownerReferences: [deploymentOwner], source: 'read' },
    ]);
    for (const e of [podEvent, rsEvent, strayEvent]) await graph.learn({ ...e.regarding, uid: e.regarding.uid });
    const q = underQuery('under:Deployment/shop/web');
    const ctx = { now: Date.now(), owners: graph };
    assert.deepEqual([podEvent, rsEvent, strayEvent].map((e) => matches(q.value, e, ctx)), [true, true, false]);
    // Nothing is unknown: a capture has no cluster to ask, and an object without a record has no owner.
    assert.equal(graph.ownerUnknown({ ...strayEvent.regarding }), false);
    graph.dispose();
  });
});
