import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent, ObjectKeyWith } from '../../../../src/core/events/kubeEvent';
import {
  OwnerGraph,
  type OwnerGraphOptions,
  type OwnerInfo,
  type OwnerNode,
  type OwnerReference,
  type OwnerResolveReason,
  type OwnerResolver,
} from '../../../../src/core/owners/ownerGraph';
import { matches } from '../../../../src/core/query/evaluate';
import { parseQuery } from '../../../../src/core/query/parse';
import { fail, ok, type Result } from '../../../../src/core/result';

// ---- fakes ------------------------------------------------------------------------------------------------------

/** A stored object: its namespace ('' = cluster-scoped) and owners. */
interface FakeObject {
  readonly uid: string;
  readonly owners?: readonly OwnerReference[];
}

function owner(kind: string, name: string, uid: string, apiVersion = 'apps/v1', controller = true): OwnerReference {
  return { apiVersion, kind, name, uid, controller };
}

/**
 * Answers from a table keyed `Kind/namespace/name`, like a GET would; a cluster-scoped object (`Kind//name`)
 * is found whatever namespace it is asked under. Records calls and the peak number running at once; `hold()`
 * keeps every answer back until `release()`.
 */
class FakeResolver implements OwnerResolver {
  readonly calls: ObjectKeyWith<'apiVersion', 'uid'>[] = [];
  active = 0;
  peak = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor(private readonly objects: Record<string, FakeObject | OwnerResolveReason | 'throw'>) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  callsFor(kind: string, name: string): number {
    return this.calls.filter((c) => c.kind === kind && c.name === name).length;
  }

  async getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    this.calls.push(ref);
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      await this.gate;
      await new Promise((resolve) => setImmediate(resolve));
      const namespaced = this.objects[`${ref.kind}/${ref.namespace}/${ref.name}`];
      const clusterScoped = this.objects[`${ref.kind}//${ref.name}`];
      const found = namespaced ?? clusterScoped;
      if (found === undefined) return fail('not-found', `${ref.kind} ${ref.name} not found`);
      if (found === 'throw') throw new Error('connection reset');
      if (typeof found === 'string') return fail(found, found);
      return ok({ uid: found.uid, ownerReferences: found.owners ?? [], namespace: namespaced ? ref.namespace : '' });
    } finally {
      this.active--;
    }
  }
}

function fakeClock(start = 1_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function graphOf(objects: ConstructorParameters<typeof FakeResolver>[0], options: OwnerGraphOptions = {}) {
  const resolver = new FakeResolver(objects);
  const clock = fakeClock();
  const graph = new OwnerGraph(resolver, { clock, ...options });
  return { resolver, graph, clock };
}

const ref = (kind: string, namespace: string, name: string, uid?: string, apiVersion = 'v1'): ObjectKeyWith<'apiVersion', 'uid'> => ({ apiVersion, kind, namespace, name, uid });

// A Deployment's pod, a CronJob's pod, a custom resource owning a ConfigMap, a cluster-scoped owner.
const CLUSTER = {
  'Deployment/prod/web': { uid: 'd1' },
  'ReplicaSet/prod/web-7d9': { uid: 'rs1', owners: [owner('Deployment', 'web', 'd1')] },
  'Pod/prod/web-7d9-x1': { uid: 'p1', owners: [owner('ReplicaSet', 'web-7d9', 'rs1')] },
  'Pod/prod/web-7d9-x2': { uid: 'p2', owners: [owner('ReplicaSet', 'web-7d9', 'rs1')] },
  'CronJob/prod/backup': { uid: 'cj1' },
  'Job/prod/backup-2890': { uid: 'j1', owners: [owner('CronJob', 'backup', 'cj1', 'batch/v1')] },
  'Pod/prod/backup-2890-q': { uid: 'p3', owners: [owner('Job', 'backup-2890', 'j1', 'batch/v1')] },
  'Shop/prod/front': { uid: 'cr1' },
  'ConfigMap/prod/front-config': { uid: 'cm1', owners: [owner('Shop', 'front', 'cr1', 'example.com/v1')] },
  'Tenant//acme': { uid: 't1' },
  'ConfigMap/prod/acme-quota': { uid: 'cm2', owners: [owner('Tenant', 'acme', 't1', 'example.com/v1', false)] },
} as const;

// ---- tests ------------------------------------------------------------------------------------------------------

describe('OwnerGraph: chains', () => {
  it('Deployment → ReplicaSet → Pod', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    const pod = ref('Pod', 'prod', 'web-7d9-x1', 'p1');
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'web' }), false, 'nothing learnt yet');
    await graph.learn(pod);
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'web' }), true);
    assert.equal(graph.isUnder(pod, { kind: 'deployment', namespace: 'prod', name: 'web' }), true, 'kind is case-insensitive');
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', namespace: 'dev', name: 'web' }), false);
    assert.equal(graph.isUnder(pod, { kind: 'ReplicaSet', name: 'web-7d9' }), true);
    assert.equal(graph.isUnder(pod, { kind: 'Pod', name: 'web-7d9-x1' }), true, 'an object is under itself');
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'api' }), false);
    assert.equal(graph.isUnder(ref('ReplicaSet', 'prod', 'web-7d9'), { kind: 'Pod', name: 'web-7d9-x1' }), false, 'owners are not under what they own');
    assert.deepEqual(
      graph.ancestors(pod).map((a) => `${a.kind}/${a.namespace}/${a.name}`),
      ['ReplicaSet/prod/web-7d9', 'Deployment/prod/web'],
    );
    assert.deepEqual(resolver.calls.map((c) => c.kind), ['Pod', 'ReplicaSet', 'Deployment']);
    assert.equal(resolver.calls[1].apiVersion, 'apps/v1', 'owners are fetched with their ownerReference apiVersion');
    assert.equal(resolver.calls[1].uid, 'rs1');
  });

  it('a sibling reuses what is known: one more GET, for the sibling only', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x1', 'p1'));
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x2', 'p2'));
    assert.equal(resolver.calls.length, 4);
    assert.equal(graph.isUnder(ref('Pod', 'prod', 'web-7d9-x2', 'p2'), { kind: 'Deployment', name: 'web' }), true);
  });

  it('CronJob → Job → Pod', async () => {
    const { graph } = graphOf(CLUSTER);
    const pod = ref('Pod', 'prod', 'backup-2890-q', 'p3');
    await graph.learn(pod);
    assert.equal(graph.isUnder(pod, { kind: 'CronJob', namespace: 'prod', name: 'backup' }), true);
    assert.equal(graph.isUnder(pod, { kind: 'Job', name: 'backup-2890' }), true);
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'web' }), false);
  });

  it('a custom resource owning a ConfigMap', async () => {
    const { graph } = graphOf(CLUSTER);
    const cm = ref('ConfigMap', 'prod', 'front-config', 'cm1');
    await graph.learn(cm);
    assert.equal(graph.isUnder(cm, { kind: 'shop', name: 'front' }), true);
    assert.equal(graph.lookup(ref('Shop', 'prod', 'front'))?.apiVersion, 'example.com/v1');
  });

  it('a cluster-scoped owner is stored with namespace ""', async () => {
    const { graph } = graphOf(CLUSTER);
    const cm = ref('ConfigMap', 'prod', 'acme-quota', 'cm2');
    await graph.learn(cm);
    assert.equal(graph.isUnder(cm, { kind: 'Tenant', namespace: '', name: 'acme' }), true);
    assert.equal(graph.isUnder(cm, { kind: 'Tenant', namespace: 'prod', name: 'acme' }), false);
    assert.equal(graph.isUnder(cm, { kind: 'Tenant', name: 'acme' }), true);
    assert.deepEqual(graph.ancestors(cm).map((a) => a.namespace), ['']);
    assert.equal(graph.lookup(ref('Tenant', '', 'acme'))?.uid, 't1');
  });

  it('an owner named by an ownerReference counts even when it cannot be read', async () => {
    const { graph } = graphOf({ 'Pod/prod/p': { uid: 'p', owners: [owner('ReplicaSet', 'gone', 'rsx')] } });
    const pod = ref('Pod', 'prod', 'p', 'p');
    await graph.learn(pod);
    assert.equal(graph.isUnder(pod, { kind: 'ReplicaSet', namespace: 'prod', name: 'gone' }), true);
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'gone' }), false);
    assert.deepEqual(graph.ancestors(pod).map((a) => a.name), ['gone']);
  });

  it('lists controllers first among several owners', async () => {
    const { graph } = graphOf({
      'Pod/prod/p': { uid: 'p', owners: [owner('Thing', 'extra', 'x1', 'example.com/v1', false), owner('ReplicaSet', 'rs', 'rs')] },
      'ReplicaSet/prod/rs': { uid: 'rs' },
      'Thing/prod/extra': { uid: 'x1' },
    });
    await graph.learn(ref('Pod', 'prod', 'p', 'p'));
    assert.deepEqual(graph.ancestors(ref('Pod', 'prod', 'p')).map((a) => a.kind), ['ReplicaSet', 'Thing']);
    assert.equal(graph.isUnder(ref('Pod', 'prod', 'p'), { kind: 'Thing', name: 'extra' }), true);
  });
});

describe('OwnerGraph: limits', () => {
  it('stops at a cycle', async () => {
    const { graph, resolver } = graphOf({
      'Thing/prod/a': { uid: 'a', owners: [owner('Thing', 'b', 'b', 'example.com/v1')] },
      'Thing/prod/b': { uid: 'b', owners: [owner('Thing', 'a', 'a', 'example.com/v1')] },
      'Thing/prod/self': { uid: 's', owners: [owner('Thing', 'self', 's', 'example.com/v1')] },
    });
    const a = ref('Thing', 'prod', 'a', 'a');
    await Promise.all([graph.learn(a), graph.learn(ref('Thing', 'prod', 'b', 'b'))]);
    assert.equal(resolver.calls.length, 2);
    assert.equal(graph.isUnder(a, { kind: 'Thing', name: 'b' }), true);
    assert.equal(graph.isUnder(a, { kind: 'Deployment', name: 'x' }), false);
    assert.deepEqual(graph.ancestors(a).map((x) => x.name), ['b']);
    const self = ref('Thing', 'prod', 'self', 's');
    await graph.learn(self);
    assert.deepEqual(graph.ancestors(self), []);
    assert.equal(graph.isUnder(self, { kind: 'Thing', name: 'other' }), false);
  });

  it('caps the depth it follows', async () => {
    const objects: Record<string, FakeObject> = {};
    for (let i = 0; i < 15; i++) objects[`Level/prod/l${i}`] = { uid: `u${i}`, owners: [owner('Level', `l${i + 1}`, `u${i + 1}`, 'example.com/v1')] };
    const { graph, resolver } = graphOf(objects, { maxDepth: 10 });
    const leaf = ref('Level', 'prod', 'l0', 'u0');
    await graph.learn(leaf);
    assert.equal(resolver.calls.length, 11, 'the object and ten levels of owners');
    assert.equal(graph.isUnder(leaf, { kind: 'Level', name: 'l10' }), true);
    assert.equal(graph.isUnder(leaf, { kind: 'Level', name: 'l11' }), false);
    assert.equal(graph.ancestors(leaf).length, 10);
  });

  it('caches 404s for negativeTtlMs, then asks again', async () => {
    const { graph, resolver, clock } = graphOf({}, { negativeTtlMs: 60_000 });
    const pod = ref('Pod', 'prod', 'ghost', 'g');
    await graph.learn(pod);
    await graph.learn(pod);
    assert.equal(resolver.calls.length, 1);
    clock.advance(59_000);
    await graph.learn(pod);
    assert.equal(resolver.calls.length, 1);
    clock.advance(2_000);
    await graph.learn(pod);
    assert.equal(resolver.calls.length, 2);
  });

  it('caches 403s like 404s, and transient failures for errorTtlMs', async () => {
    const { graph, resolver, clock } = graphOf(
      { 'Secret/prod/s': 'forbidden', 'Pod/prod/flaky': 'unavailable', 'Pod/prod/boom': 'throw' },
      { negativeTtlMs: 60_000, errorTtlMs: 5_000 },
    );
    const targets = [ref('Secret', 'prod', 's'), ref('Pod', 'prod', 'flaky'), ref('Pod', 'prod', 'boom')];
    for (const t of targets) await graph.learn(t);
    clock.advance(6_000);
    for (const t of targets) await graph.learn(t);
    assert.equal(resolver.callsFor('Secret', 's'), 1);
    assert.equal(resolver.callsFor('Pod', 'flaky'), 2);
    assert.equal(resolver.callsFor('Pod', 'boom'), 2, 'a throwing resolver counts as unavailable, and learn() does not reject');
  });

  it('10 concurrent learns of one object make one resolver call per object', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    resolver.hold();
    const pod = ref('Pod', 'prod', 'web-7d9-x1', 'p1');
    const learning = Array.from({ length: 10 }, () => graph.learn(pod));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolver.calls.length, 1);
    resolver.release();
    await Promise.all(learning);
    assert.equal(resolver.callsFor('Pod', 'web-7d9-x1'), 1);
    assert.equal(resolver.callsFor('ReplicaSet', 'web-7d9'), 1);
    assert.equal(resolver.callsFor('Deployment', 'web'), 1);
    assert.equal(graph.isUnder(pod, { kind: 'Deployment', name: 'web' }), true);
  });

  it('runs at most `concurrency` resolver calls at once', async () => {
    const objects: Record<string, FakeObject> = {};
    for (let i = 0; i < 20; i++) objects[`Pod/prod/p${i}`] = { uid: `p${i}` };
    const { graph, resolver } = graphOf(objects, { concurrency: 4 });
    resolver.hold();
    const learning = Array.from({ length: 20 }, (_, i) => graph.learn(ref('Pod', 'prod', `p${i}`)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolver.active, 4);
    resolver.release();
    await Promise.all(learning);
    assert.equal(resolver.peak, 4);
    assert.equal(resolver.calls.length, 20);
  });

  it('forgets the oldest objects past maxObjects', async () => {
    const objects: Record<string, FakeObject> = {};
    for (let i = 0; i < 5; i++) objects[`Pod/prod/p${i}`] = { uid: `p${i}` };
    const { graph } = graphOf(objects, { maxObjects: 3 });
    for (let i = 0; i < 5; i++) await graph.learn(ref('Pod', 'prod', `p${i}`));
    assert.ok(graph.size <= 3);
    assert.equal(graph.lookup(ref('Pod', 'prod', 'p4'))?.uid, 'p4');
  });
});

describe('OwnerGraph: lifecycle', () => {
  it('fires onDidLearn once per object read, and survives a throwing listener', async () => {
    const { graph } = graphOf(CLUSTER);
    const seen: OwnerNode[] = [];
    graph.onDidLearn(() => {
      throw new Error('listener bug');
    });
    const sub = graph.onDidLearn((node) => seen.push(node));
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x1', 'p1'));
    assert.deepEqual(seen.map((n) => n.kind), ['Pod', 'ReplicaSet', 'Deployment']);
    assert.ok(Object.isFrozen(seen[0]) && Object.isFrozen(seen[0].ownerReferences));
    sub.dispose();
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x2', 'p2'));
    assert.equal(seen.length, 3);
  });

  it('reads an object again when its uid changed (deleted and re-created)', async () => {
    const objects: Record<string, FakeObject> = { 'Pod/prod/p': { uid: 'old' } };
    const { graph, resolver } = graphOf(objects);
    await graph.learn(ref('Pod', 'prod', 'p', 'old'));
    objects['Pod/prod/p'] = { uid: 'new', owners: [owner('Job', 'j', 'j1', 'batch/v1')] };
    assert.equal(graph.lookup(ref('Pod', 'prod', 'p', 'new')), undefined);
    await graph.learn(ref('Pod', 'prod', 'p', 'new'));
    assert.equal(resolver.callsFor('Pod', 'p'), 2);
    assert.equal(graph.isUnder(ref('Pod', 'prod', 'p', 'new'), { kind: 'Job', name: 'j' }), true);
  });

  it('clear() forgets everything and drops answers still in flight', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x1', 'p1'));
    resolver.hold();
    const pending = graph.learn(ref('Pod', 'prod', 'backup-2890-q', 'p3'));
    await new Promise((resolve) => setImmediate(resolve));
    graph.clear();
    resolver.release();
    await pending;
    assert.equal(graph.size, 0);
    assert.equal(graph.isUnder(ref('Pod', 'prod', 'web-7d9-x1', 'p1'), { kind: 'Deployment', name: 'web' }), false);
  });

  it('does nothing after dispose()', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    graph.dispose();
    await graph.learn(ref('Pod', 'prod', 'web-7d9-x1', 'p1'));
    assert.equal(resolver.calls.length, 0);
  });

  it('ignores references without kind or name', async () => {
    const { graph, resolver } = graphOf(CLUSTER);
    await graph.learn(ref('', 'prod', 'x'));
    await graph.learn(ref('Pod', 'prod', ''));
    assert.equal(resolver.calls.length, 0);
  });
});

describe('OwnerGraph with under: queries', () => {
  it('an event matches once the graph has learnt its chain', async () => {
    const { graph } = graphOf(CLUSTER);
    const parsed = parseQuery('under:Deployment/prod/web type:Warning');
    assert.ok(parsed.ok);
    const event = {
      type: 'Warning',
      regarding: { kind: 'Pod', name: 'web-7d9-x1', namespace: 'prod', uid: 'p1', apiVersion: 'v1', resourceVersion: '', fieldPath: '' },
    } as KubeEvent;
    const ctx = { now: 0, owners: graph };
    assert.equal(matches(parsed.value, event, ctx), false);
    let relearned = 0;
    graph.onDidLearn(() => relearned++);
    await graph.learn(event.regarding);
    assert.ok(relearned > 0);
    assert.equal(matches(parsed.value, event, ctx), true);
  });
});
