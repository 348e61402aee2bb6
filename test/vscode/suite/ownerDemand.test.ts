// The FilterController's owner learning when another view (the timeline) filters `under:` while the tree does
// not. It imports vscode, so it runs in the extension host; the owner graph is a recording stand-in, since what
// is checked is only which objects the controller asks it to learn.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { EventStore } from '../../../src/core/events/eventStore';
import type { OwnerGraph } from '../../../src/core/owners/ownerGraph';
import { FilterController } from '../../../src/host/filterController';
import { anEvent } from '../../unit/support/eventBuilder';

function memento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: (key: string, value: unknown) => Promise.resolve(void values.set(key, value)),
  };
}

suite('owner learning for every view that filters under:', () => {
  test('a timeline demand teaches the graph stored and new events while the tree has no filter', () => {
    const learnt: string[] = [];
    const graph = { learn: (ref: { name: string }) => Promise.resolve(void learnt.push(ref.name)), observe: () => undefined } as unknown as OwnerGraph;
    const store = new EventStore({});
    store.applyBatch([{ type: 'ADDED', event: anEvent({ regarding: { name: 'web-1' } }) }]);
    const filter = new FilterController(memento(), store, () => graph);
    store.applyBatch([{ type: 'ADDED', event: anEvent({ regarding: { name: 'web-2' } }) }]);
    assert.deepEqual(learnt, [], 'no view filters under: yet');

    filter.setOwnerDemand('timeline', true);
    assert.deepEqual(learnt, ['web-1', 'web-2'], 'what is stored is taught at once');
    store.applyBatch([{ type: 'ADDED', event: anEvent({ regarding: { name: 'web-3' } }) }]);
    assert.deepEqual(learnt, ['web-1', 'web-2', 'web-3'], 'and what arrives later');

    filter.setOwnerDemand('timeline', false);
    store.applyBatch([{ type: 'ADDED', event: anEvent({ regarding: { name: 'web-4' } }) }]);
    assert.deepEqual(learnt, ['web-1', 'web-2', 'web-3'], 'no demand, no learning');
    filter.dispose();
    store.dispose();
  });
});
