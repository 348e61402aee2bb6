import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { StateKeys } from '../../../src/constants';
import { Emitter } from '../../../src/core/emitter';
import { EventStore } from '../../../src/core/events/eventStore';
import type { KubeEvent, ObjectKeyWith } from '../../../src/core/events/kubeEvent';
import type { OwnerGraph } from '../../../src/core/owners/ownerGraph';
import { FilterController } from '../../../src/host/filterController';
import { anEvent } from '../support/eventBuilder';

/** The memento as the workbench keeps it, in memory. */
class MemoryMemento implements vscode.Memento {
  readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

/** The parts of the owner graph the filter teaches: what it observed and what it was asked to learn. */
function recordingGraph() {
  const observed: KubeEvent[] = [];
  const learnt: ObjectKeyWith<'apiVersion', 'uid'>[] = [];
  const graph = {
    observe: (e: KubeEvent) => void observed.push(e),
    learn: async (ref: ObjectKeyWith<'apiVersion', 'uid'>) => void learnt.push(ref),
    isUnder: () => false,
    ownerUnknown: () => false,
  } as unknown as OwnerGraph;
  return { graph, observed, learnt };
}

function setup(options: { saved?: string; graph?: OwnerGraph; log?: { error(m: string): void } } = {}) {
  const memento = new MemoryMemento();
  if (options.saved !== undefined) memento.values.set(StateKeys.query, options.saved);
  const store = new EventStore({ capacity: 100 });
  const owners = new Emitter<void>();
  const filter = new FilterController(memento, store, () => options.graph, owners.event, options.log);
  return { memento, store, owners, filter };
}

describe('FilterController: the filter the views share', () => {
  it('starts from the saved filter, and from none when the saved one no longer parses', () => {
    assert.equal(setup({ saved: 'type:Warning' }).filter.query.text, 'type:Warning');
    assert.equal(setup({ saved: 'since:soon' }).filter.query.isEmpty, true);
  });

  it('applies a query, saves it with its history, and tells the views', () => {
    const { filter, memento } = setup();
    const seen: string[] = [];
    filter.onDidChange((q) => seen.push(q.text));
    assert.equal(filter.set('type:Warning'), undefined);
    assert.equal(filter.set('reason:BackOff'), undefined);
    assert.deepEqual(seen, ['type:Warning', 'reason:BackOff']);
    assert.equal(memento.get(StateKeys.query), 'reason:BackOff');
    assert.deepEqual(filter.history, ['reason:BackOff', 'type:Warning'], 'newest first');
    filter.clear();
    assert.deepEqual(seen, ['type:Warning', 'reason:BackOff', '']);
    assert.equal(memento.get(StateKeys.query), '');
    assert.deepEqual(filter.history, ['reason:BackOff', 'type:Warning'], 'clearing adds nothing to the history');
  });

  it('refuses a query that does not parse with a message, and keeps the filter as it was', () => {
    const { filter } = setup({ saved: 'type:Warning' });
    let fired = 0;
    filter.onDidChange(() => fired++);
    const error = filter.set('since:soon');
    assert.ok(error && !error.ok);
    assert.match(error.message, /since/);
    assert.equal(filter.validate('since:soon'), error.message);
    assert.equal(filter.validate('type:Normal'), undefined);
    assert.equal(filter.query.text, 'type:Warning');
    assert.equal(fired, 0);
  });

  it('gives the views a predicate of the current query, and says whether it depends on the clock', () => {
    const { filter } = setup();
    const warning = anEvent({ type: 'Warning' });
    const normal = anEvent({ type: 'Normal' });
    assert.equal(filter.predicate()(normal), true, 'no filter: everything');
    filter.set('type:Warning');
    const p = filter.predicate();
    assert.deepEqual([p(warning), p(normal)], [true, false]);
    assert.equal(filter.usesTime, false);
    filter.set('type:Warning since:1h');
    assert.equal(filter.usesTime, true);
    filter.set('-until:1d');
    assert.equal(filter.usesTime, true, 'a negated term still moves with the clock');
  });

  it('teaches the owner graph while its own or another view\'s filter has an under: term', () => {
    const g = recordingGraph();
    const { filter, store } = setup({ graph: g.graph });
    store.apply({ type: 'ADDED', event: anEvent({ regarding: { kind: 'Pod', name: 'a', namespace: 'shop', uid: 'pa' } }) });
    assert.equal(g.learnt.length, 0, 'no under: filter: nothing is read');
    assert.equal(g.observed.length, 1, 'what events say is always kept');

    filter.setViewQuery('timeline', 'under:Deployment/shop/web');
    assert.deepEqual(g.learnt.map((r) => r.name), ['a'], 'the timeline filters under: the stored events are learnt');
    store.apply({ type: 'ADDED', event: anEvent({ regarding: { kind: 'Pod', name: 'b', namespace: 'shop', uid: 'pb' } }) });
    assert.deepEqual(g.learnt.map((r) => r.name), ['a', 'b'], 'and new ones as they come');

    filter.setViewQuery('timeline', 'under:Deployment/shop/web reason:(');
    filter.setViewQuery('timeline', 'type:Warning');
    store.apply({ type: 'ADDED', event: anEvent({ regarding: { kind: 'Pod', name: 'c', namespace: 'shop', uid: 'pc' } }) });
    assert.deepEqual(g.learnt.map((r) => r.name), ['a', 'b'], 'no view filters under: any more');

    filter.set('under:Deployment/shop/web');
    assert.deepEqual(g.learnt.map((r) => r.name), ['a', 'b', 'a', 'b', 'c'], "the tree's own under: filter learns every stored object");
  });

  it('logs a listener that throws, and the other listeners still run', () => {
    const errors: string[] = [];
    const { filter } = setup({ log: { error: (m) => errors.push(m) } });
    let later = 0;
    filter.onDidChange(() => {
      throw new Error('view broke');
    });
    filter.onDidChange(() => later++);
    assert.equal(filter.set('type:Warning'), undefined);
    assert.equal(later, 1);
    assert.deepEqual(errors, ['[filter] a listener failed: view broke']);
  });

  it('counts no unplaced events without an owner graph', () => {
    const { filter, store } = setup();
    store.apply({ type: 'ADDED', event: anEvent() });
    filter.set('under:Deployment/shop/web');
    assert.equal(filter.ownerUnknownCount, 0);
  });
});
