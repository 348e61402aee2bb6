import { describe, it } from 'node:test';
import type { ObjectKeyWith } from '../../../../src/core/events/kubeEvent';
import assert from 'node:assert/strict';
import { EventStore } from '../../../../src/core/events/eventStore';
import { OwnerGraph, type OwnerInfo } from '../../../../src/core/owners/ownerGraph';
import { silentLogger } from '../../../../src/core/ports';
import { ok, fail } from '../../../../src/core/result';
import { LanguageServerFeed } from '../../../../src/host/lsp/languageServerFeed';
import type { ExistsAnswer } from '../../../../src/host/lsp/objectFeed';
import { isObjectsParams, isReasonsParams, type ObjectStateDto, type ObjectsParams, type ReasonsParams } from '../../../../src/protocol/languageServer';
import { anEvent } from '../../support/eventBuilder';
import { ManualTimers } from '../../support/manualTimers';

const NOW = 1_800_000_000_000;

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(existing: Record<string, ExistsAnswer> = {}, owners: Record<string, OwnerInfo> = {}) {
  const store = new EventStore();
  const graph = new OwnerGraph({
    getOwners: async (ref: ObjectKeyWith<'apiVersion', 'uid'>) => {
      const info = owners[`${ref.kind}/${ref.name}`];
      return info ? ok(info) : fail('not-found', 'gone');
    },
  });
  const timers = new ManualTimers();
  const objects: ObjectsParams[] = [];
  const reasons: ReasonsParams[] = [];
  const wanted: string[] = [];
  const feed = new LanguageServerFeed({
    store,
    owners: () => graph,
    exists: async (o) => existing[`${o.kind}/${o.name}`] ?? { exists: 'no', uid: '' },
    sendObjects: (p) => objects.push(p),
    sendReasons: (p) => reasons.push(p),
    windowMs: () => 3_600_000,
    logger: silentLogger,
    clock: { now: () => NOW },
    timers,
    wantCluster: () => wanted.push('cluster'),
  });
  const latest = (name: string): ObjectStateDto | undefined => objects.flatMap((p) => p.objects).filter((s) => s.object.name === name).at(-1);
  return { store, graph, timers, objects, reasons, feed, latest, wanted };
}

const web = { kind: 'Deployment', namespace: 'shop', name: 'web', apiVersion: 'apps/v1' };

describe('language server feed', () => {
  it('sends a subscribed object its events and its owned objects\' events, in the window, and nothing else', async () => {
    const t = setup(
      { 'Deployment/web': { exists: 'yes', uid: 'dep-uid' } },
      { 'Pod/web-1': { uid: 'pod-uid', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true }] }, 'ReplicaSet/web-rs': { uid: 'rs-uid', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-uid', controller: true }] } },
    );
    t.feed.subscribe({ objects: [web], reasons: [], completesReasons: false, recorderCalls: false });
    await tick();
    t.store.applyBatch([
      { type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'FailedCreate', lastSeen: NOW - 60_000, count: 12, regarding: { kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', namespace: 'shop' } }) },
      { type: 'ADDED', event: anEvent({ namespace: 'shop', reason: 'ScalingReplicaSet', lastSeen: NOW - 30_000, regarding: { kind: 'Deployment', name: 'web', uid: 'dep-uid', namespace: 'shop' } }) },
      { type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'Old', lastSeen: NOW - 7_200_000, regarding: { kind: 'Deployment', name: 'web', uid: 'dep-uid', namespace: 'shop' } }) },
      { type: 'ADDED', event: anEvent({ namespace: 'other', type: 'Warning', reason: 'Elsewhere', lastSeen: NOW, regarding: { kind: 'Deployment', name: 'web', namespace: 'other' } }) },
      { type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'BackOff', lastSeen: NOW - 10_000, regarding: { kind: 'Pod', name: 'web-1', uid: 'pod-uid', namespace: 'shop', fieldPath: 'spec.containers{app}' } }) },
    ]);
    // The Pod's ancestry is learnt (two GETs), then a rescan takes its event in.
    for (let i = 0; i < 5; i++) await tick();
    t.feed.reset();
    await tick();
    t.timers.runAll();
    const state = t.latest('web')!;
    assert.equal(state.exists, 'yes');
    assert.deepEqual(state.events.map((e) => e.reason).sort(), ['BackOff', 'FailedCreate', 'ScalingReplicaSet']);
    assert.equal(state.total, 3);
    assert.equal(state.warnings, 2);
    assert.ok(t.objects.every((p) => isObjectsParams(p)), 'every message passes the guard the server applies');
    t.feed.dispose();
  });

  it('sends a new event for the object within one batch, and a deletion empties the state', async () => {
    const existing: Record<string, ExistsAnswer> = { 'Deployment/web': { exists: 'yes', uid: 'dep-uid' } };
    const t = setup(existing);
    t.feed.subscribe({ objects: [web], reasons: [], completesReasons: false, recorderCalls: false });
    await tick();
    t.timers.runAll();
    assert.equal(t.latest('web')?.total, 0);
    t.store.apply({ type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'FailedCreate', lastSeen: NOW, regarding: { kind: 'Deployment', name: 'web', uid: 'dep-uid', namespace: 'shop' } }) });
    t.timers.runAll();
    assert.deepEqual(t.latest('web')?.events.map((e) => e.reason), ['FailedCreate']);
    const sent = t.objects.length;
    t.timers.runAll();
    assert.equal(t.objects.length, sent, 'an unchanged state is not sent again');
    existing['Deployment/web'] = { exists: 'no', uid: '' };
    t.feed.reset();
    for (let i = 0; i < 5; i++) await tick();
    t.timers.runAll();
    assert.equal(t.latest('web')?.exists, 'no');
    assert.deepEqual(t.latest('web')?.events, []);
    t.feed.dispose();
  });

  it('leaves out events of an earlier object with the same name', async () => {
    const t = setup({ 'Deployment/web': { exists: 'yes', uid: 'new-uid' } });
    t.store.apply({ type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'FromBefore', lastSeen: NOW, regarding: { kind: 'Deployment', name: 'web', uid: 'old-uid', namespace: 'shop' } }) });
    t.feed.subscribe({ objects: [web], reasons: [], completesReasons: false, recorderCalls: false });
    for (let i = 0; i < 3; i++) await tick();
    t.timers.runAll();
    assert.deepEqual(t.latest('web')?.events, []);
    t.feed.dispose();
  });

  it('sends reason totals across objects, and the reasons known for completion', async () => {
    const t = setup();
    t.feed.subscribe({ objects: [], reasons: ['BackOff', 'NeverSeen'], completesReasons: true, recorderCalls: true });
    t.store.applyBatch([
      { type: 'ADDED', event: anEvent({ reason: 'BackOff', count: 5, lastSeen: NOW - 20_000, regarding: { name: 'a' } }) },
      { type: 'ADDED', event: anEvent({ reason: 'BackOff', count: 9, lastSeen: NOW - 40_000, regarding: { name: 'b' } }) },
      { type: 'ADDED', event: anEvent({ reason: 'Pulled', lastSeen: NOW }) },
    ]);
    t.timers.runAll();
    const all = t.reasons.flatMap((p) => p.reasons);
    const backOff = all.filter((r) => r.reason === 'BackOff').at(-1)!;
    assert.equal(backOff.occurrences, 14);
    assert.equal(backOff.objects, 2);
    assert.equal(backOff.lastSeen, NOW - 20_000);
    assert.equal(all.filter((r) => r.reason === 'NeverSeen').at(-1)?.occurrences, 0);
    const known = t.reasons.map((p) => p.known).filter((k) => k !== null).at(-1)!;
    assert.deepEqual([...known].sort(), ['BackOff', 'Pulled']);
    assert.ok(t.reasons.every((p) => isReasonsParams(p)));
    t.feed.dispose();
  });

  it('keeps a server that completes reasons told of the known ones, with no reason subscribed yet', () => {
    // A Go file whose first recorder call is being typed mentions no reason: completion still needs the list.
    const t = setup();
    t.store.applyBatch([{ type: 'ADDED', event: anEvent({ reason: 'BackOff', lastSeen: NOW }) }]);
    t.feed.subscribe({ objects: [], reasons: [], completesReasons: true, recorderCalls: false });
    t.timers.runAll();
    assert.deepEqual(t.reasons.map((p) => p.known), [['BackOff']]);
    t.store.applyBatch([{ type: 'ADDED', event: anEvent({ reason: 'FailedCreate', lastSeen: NOW }) }]);
    t.timers.runAll();
    assert.deepEqual([...(t.reasons.at(-1)?.known ?? [])].sort(), ['BackOff', 'FailedCreate'], 'a new reason is sent as it arrives');
    // Once no Go file is open, nothing more is sent.
    t.feed.subscribe({ objects: [], reasons: [], completesReasons: false, recorderCalls: false });
    t.timers.runAll();
    const sent = t.reasons.length;
    t.store.applyBatch([{ type: 'ADDED', event: anEvent({ reason: 'Pulled', lastSeen: NOW }) }]);
    t.timers.runAll();
    assert.equal(t.reasons.length, sent);
    t.feed.dispose();
  });

  it('cuts oversized cluster strings, so one hostile event cannot get a whole update refused', async () => {
    const t = setup({ 'Deployment/web': { exists: 'yes', uid: '' } });
    t.feed.subscribe({ objects: [web], reasons: ['BackOff'], completesReasons: true, recorderCalls: true });
    await tick();
    // core/v1 events without eventTime skip the apiserver's reason check: any length gets in.
    t.store.applyBatch([
      { type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'R'.repeat(100_000), lastSeen: NOW, reportingController: 'c'.repeat(10_000), regarding: { kind: 'Deployment', name: 'web', namespace: 'shop', fieldPath: 'f'.repeat(5_000) } }) },
      { type: 'ADDED', event: anEvent({ namespace: 'shop', type: 'Warning', reason: 'BackOff', lastSeen: NOW, regarding: { kind: 'Deployment', name: 'web', namespace: 'shop' } }) },
    ]);
    t.timers.runAll();
    assert.ok(t.objects.length > 0 && t.objects.every((p) => isObjectsParams(p)), 'every object update passes the guard');
    assert.ok(t.reasons.length > 0 && t.reasons.every((p) => isReasonsParams(p)), 'every reason update passes the guard');
    assert.equal(t.latest('web')?.events.length, 2);
    t.feed.dispose();
  });

  it('gives a cluster-scoped object its own events, and never asks the owner graph about the whole cluster', async () => {
    const t = setup({ 'Namespace/batch': { exists: 'yes', uid: '' } });
    const asked: string[] = [];
    const learn = t.graph.learn.bind(t.graph);
    t.graph.learn = (ref) => {
      asked.push(`${ref.kind}/${ref.namespace}/${ref.name}`);
      return learn(ref);
    };
    t.store.apply({ type: 'ADDED', event: anEvent({ namespace: 'default', type: 'Warning', reason: 'Terminating', lastSeen: NOW, regarding: { kind: 'Namespace', name: 'batch', namespace: '' } }) });
    t.feed.subscribe({ objects: [{ kind: 'Namespace', namespace: '', name: 'batch', apiVersion: 'v1' }], reasons: [], completesReasons: false, recorderCalls: false });
    t.store.applyBatch(Array.from({ length: 50 }, (_, i) => ({ type: 'ADDED' as const, event: anEvent({ namespace: `ns-${i}`, lastSeen: NOW, regarding: { namespace: `ns-${i}` } }) })));
    await tick();
    t.timers.runAll();
    assert.deepEqual(t.latest('batch')?.events.map((e) => e.reason), ['Terminating']);
    assert.deepEqual([...new Set(asked)], ['Namespace//batch'], 'only the object itself');
    t.feed.dispose();
  });

  it('wants the cluster only for a Kubernetes object (apiVersion and kind) or a recorder call', () => {
    const t = setup();
    // A docker-compose file, a workflow, a Go file without recorder calls: the server subscribes to nothing.
    t.feed.subscribe({ objects: [], reasons: [], completesReasons: false, recorderCalls: false });
    // YAML with kind and metadata.name but no apiVersion is not a Kubernetes manifest.
    t.feed.subscribe({ objects: [{ kind: 'Config', namespace: 'default', name: 'x', apiVersion: '' }], reasons: [], completesReasons: false, recorderCalls: false });
    assert.deepEqual(t.wanted, []);
    t.feed.subscribe({ objects: [], reasons: [], completesReasons: true, recorderCalls: true });
    assert.deepEqual(t.wanted, ['cluster'], 'a recorder call whose reason could not be read still counts');
    t.feed.subscribe({ objects: [web], reasons: [], completesReasons: false, recorderCalls: false });
    assert.deepEqual(t.wanted, ['cluster', 'cluster']);
    t.feed.dispose();
  });

  it('ignores a malformed subscription', () => {
    const t = setup();
    for (const bad of [null, {}, { objects: 'x', reasons: [] }, { objects: [{ kind: 'Pod', namespace: 'a', name: 'b', apiVersion: 'v1', extra: 1 }], reasons: [] }, { objects: [], reasons: [''], completesReasons: true, recorderCalls: false }, { objects: [], reasons: [] }, { objects: [], reasons: [], completesReasons: 'yes', recorderCalls: false }, { objects: [], reasons: [], completesReasons: true, recorderCalls: 'yes' }]) t.feed.subscribe(bad);
    t.timers.runAll();
    assert.deepEqual(t.objects, []);
    assert.deepEqual(t.wanted, [], 'a malformed subscription is no reason to connect');
    t.feed.dispose();
  });
  it('reads the store once for a file of many objects whose existence answers, not once per object', async () => {
    const existing: Record<string, ExistsAnswer> = {};
    const objects = Array.from({ length: 200 }, (_, i) => ({ kind: 'ConfigMap', namespace: 'shop', name: `cm-${i}`, apiVersion: 'v1' }));
    for (const o of objects) existing[`ConfigMap/${o.name}`] = { exists: 'yes', uid: `uid-${o.name}` };
    const t = setup(existing);
    t.store.apply({ type: 'ADDED', event: anEvent({ namespace: 'shop', lastSeen: NOW, type: 'Warning', reason: 'Old', regarding: { kind: 'ConfigMap', name: 'cm-7', uid: 'uid-earlier' } }) });
    t.store.apply({ type: 'ADDED', event: anEvent({ namespace: 'shop', lastSeen: NOW, type: 'Warning', reason: 'Current', regarding: { kind: 'ConfigMap', name: 'cm-7', uid: 'uid-cm-7' } }) });
    let reads = 0;
    const byNamespace = t.store.byNamespace.bind(t.store);
    t.store.byNamespace = (ns: string) => {
      reads++;
      return byNamespace(ns);
    };
    t.feed.subscribe({ objects, reasons: [], completesReasons: false, recorderCalls: false });
    for (let i = 0; i < 5; i++) await tick();
    t.timers.runAll();
    // The subscription's scan, then one for every object whose uid the answers brought.
    assert.ok(reads <= 2, `the store was read ${reads} times`);
    // The earlier object's event (another uid) no longer counts; the current one's does.
    assert.deepEqual(t.latest('cm-7')?.events.map((e) => e.reason), ['Current']);
  });
});
