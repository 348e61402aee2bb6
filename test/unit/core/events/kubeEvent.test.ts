import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEvent, objectKey, objectKeyIgnoringKindCase, objectLabel, objectPath, OUR_REPORTING_CONTROLLER } from '../../../../src/core/events/kubeEvent';

const core = {
  metadata: { name: 'web-0.17f', namespace: 'shop', uid: 'u1', resourceVersion: '42', creationTimestamp: '2026-11-26T10:00:00Z' },
  involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'shop', uid: 'p1', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container',
  type: 'Warning',
  source: { component: 'kubelet', host: 'node-1' },
  count: 7,
  firstTimestamp: '2026-11-26T10:00:00Z',
  lastTimestamp: '2026-11-26T10:05:00Z',
};

describe('normalizeEvent', () => {
  it('maps core/v1 fields, with source as the reporting controller', () => {
    const e = normalizeEvent(core, 'core/v1')!;
    assert.equal(e.regarding.kind, 'Pod');
    assert.equal(e.regarding.fieldPath, 'spec.containers{app}');
    assert.equal(e.reportingController, 'kubelet');
    assert.equal(e.reportingInstance, 'node-1');
    assert.equal(e.count, 7);
    assert.equal(e.lastSeen, Date.parse('2026-11-26T10:05:00Z'));
    assert.equal(e.firstSeen, Date.parse('2026-11-26T10:00:00Z'));
    assert.equal(e.ours, false);
    assert.equal(e.expired, false);
  });

  it('maps events.k8s.io/v1 fields: note, regarding, related, series, microsecond eventTime', () => {
    const e = normalizeEvent(
      {
        metadata: { name: 'x', namespace: 'shop', uid: 'u2', resourceVersion: '1', creationTimestamp: '2026-11-26T09:00:00Z' },
        eventTime: '2026-11-26T10:00:00.123456Z',
        series: { count: 4, lastObservedTime: '2026-11-26T10:30:00.000001Z' },
        reportingController: OUR_REPORTING_CONTROLLER,
        reportingInstance: 'kube-events-vscode-host',
        action: 'Reconciling',
        reason: 'Synced',
        regarding: { kind: 'Deployment', name: 'web', namespace: 'shop' },
        related: { kind: 'ReplicaSet', name: 'web-abc', namespace: 'shop' },
        note: 'all good',
        type: 'Normal',
      },
      'events.k8s.io/v1',
    )!;
    assert.equal(e.message, 'all good');
    assert.equal(e.action, 'Reconciling');
    assert.equal(e.related?.kind, 'ReplicaSet');
    assert.equal(e.count, 4);
    assert.equal(e.lastSeen, Date.parse('2026-11-26T10:30:00.000Z'), 'series.lastObservedTime comes first');
    assert.equal(e.firstSeen, Date.parse('2026-11-26T10:00:00.123Z'));
    // Our reporting controller in the fields says nothing about who wrote it: anyone may set it.
    assert.equal(e.ours, false);
  });

  it('falls back to eventTime, then creationTimestamp, for last seen (kubectl events order)', () => {
    const noLast = { ...core, lastTimestamp: null, eventTime: '2026-11-26T11:00:00.000000Z' };
    assert.equal(normalizeEvent(noLast, 'core/v1')!.lastSeen, Date.parse('2026-11-26T11:00:00Z'));
    const nothing = { ...core, lastTimestamp: null, firstTimestamp: null };
    assert.equal(normalizeEvent(nothing, 'core/v1')!.lastSeen, Date.parse('2026-11-26T10:00:00Z'));
  });

  it('rejects objects without a uid and survives hostile shapes', () => {
    assert.equal(normalizeEvent({ metadata: {} }, 'core/v1'), undefined);
    assert.equal(normalizeEvent(null, 'core/v1'), undefined);
    assert.equal(normalizeEvent('x', 'core/v1'), undefined);
    const odd = normalizeEvent({ metadata: { uid: 'u' }, message: 42, involvedObject: 'nope', count: '3', lastTimestamp: 'garbage' }, 'core/v1')!;
    assert.equal(odd.message, '');
    assert.equal(odd.regarding.kind, '');
    assert.equal(odd.count, 1);
    assert.equal(odd.lastSeen, 0);
  });
});

describe('naming an object', () => {
  const pod = { kind: 'Pod', namespace: 'shop', name: 'web-0' };
  const node = { kind: 'Node', namespace: '', name: 'n1' };

  it('objectLabel: Kind/name, or the name alone when the kind is unknown', () => {
    assert.equal(objectLabel(pod), 'Pod/web-0');
    assert.equal(objectLabel(node), 'Node/n1');
    assert.equal(objectLabel({ kind: '', name: 'x' }), 'x');
  });

  it('objectPath: Kind/namespace/name, Kind/name for a cluster-scoped or namespace-less reference', () => {
    assert.equal(objectPath(pod), 'Pod/shop/web-0');
    assert.equal(objectPath(node), 'Node/n1');
    assert.equal(objectPath({ kind: 'Pod', name: 'web-0' }), 'Pod/web-0', 'an ObjectReference JSON without namespace');
  });

  it('objectKey: every part as written, the namespace empty for a cluster-scoped object', () => {
    assert.equal(objectKey(pod), 'Pod/shop/web-0');
    assert.equal(objectKey(node), 'Node//n1');
    assert.equal(objectKey({ kind: 'pod', namespace: 'shop', name: 'web-0' }), 'pod/shop/web-0', 'the kind as written: callers lower-case it when they want');
  });

  it('objectKeyIgnoringKindCase: one key for a kind written in any case, names and namespaces as written', () => {
    const key = objectKeyIgnoringKindCase({ kind: 'Deployment', namespace: 'shop', name: 'web' });
    assert.equal(key, objectKeyIgnoringKindCase({ kind: 'deployment', namespace: 'shop', name: 'web' }));
    assert.notEqual(key, objectKeyIgnoringKindCase({ kind: 'Deployment', namespace: 'shop', name: 'Web' }));
    assert.notEqual(key, objectKeyIgnoringKindCase({ kind: 'Deployment', namespace: 'Shop', name: 'web' }));
  });
});

describe('normalizeEvent: the cluster an event came from', () => {
  it('sets `cluster` when the watch names one, and leaves no such key otherwise', () => {
    const raw = { metadata: { uid: 'u1', name: 'e1', namespace: 'default' }, reason: 'Started', involvedObject: { kind: 'Pod', name: 'p' } };
    assert.equal(normalizeEvent(raw, 'core/v1', 'kind-a')?.cluster, 'kind-a');
    assert.equal('cluster' in normalizeEvent(raw, 'core/v1')!, false);
  });
});
