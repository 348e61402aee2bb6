// Who wrote an event, which API we read it through, and who reported it when only the deprecated `source`
// says so (client-go's "(combined from similar events)" event): one derivation, the same answer in every view.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportRecord } from '../../src/core/events/exportFormat';
import { normalizeEvent, sourceLabel, writtenThrough, type EventApi, type KubeEvent } from '../../src/core/events/kubeEvent';
import { matches } from '../../src/core/query/evaluate';
import { parseQuery } from '../../src/core/query/parse';
import { formatEventLine } from '../../src/host/output/eventLogSink';
import { toEventDto } from '../../src/host/timeline/eventDto';
import { isHostMessage } from '../../src/protocol/webview';
import { dtoMatchable } from '../../src/webview/dtoMatchable';

const meta = (uid: string) => ({ name: `e-${uid}`, namespace: 'shop', uid, resourceVersion: '7', creationTimestamp: '2026-12-01T10:00:00Z' });
const pod = { kind: 'Pod', name: 'web-0', namespace: 'shop', uid: 'p1', apiVersion: 'v1' };

/** kube-scheduler's FailedScheduling as the core/v1 API returns it: written by events.EventRecorder. */
const schedulerViaCore = {
  metadata: meta('s1'),
  involvedObject: pod,
  reason: 'FailedScheduling',
  message: '0/2 nodes are available: 2 Insufficient cpu.',
  type: 'Warning',
  source: {},
  firstTimestamp: null,
  lastTimestamp: null,
  count: 0,
  eventTime: '2026-12-01T10:00:00.123456Z',
  series: { count: 6, lastObservedTime: '2026-12-01T10:05:00.000000Z' },
  action: 'Scheduling',
  reportingComponent: 'default-scheduler',
  reportingInstance: 'default-scheduler-node-a',
};

/** The same event read through events.k8s.io/v1. */
const schedulerViaV1 = {
  metadata: meta('s1'),
  regarding: pod,
  reason: 'FailedScheduling',
  note: '0/2 nodes are available: 2 Insufficient cpu.',
  type: 'Warning',
  eventTime: '2026-12-01T10:00:00.123456Z',
  series: { count: 6, lastObservedTime: '2026-12-01T10:05:00.000000Z' },
  action: 'Scheduling',
  reportingController: 'default-scheduler',
  reportingInstance: 'default-scheduler-node-a',
};

/** client-go's EventAggregate output: `source` only, `reportingComponent` empty (core/v1 serialises it as ""). */
const combinedViaCore = {
  metadata: meta('c1'),
  involvedObject: pod,
  reason: 'FailedMount',
  message: '(combined from similar events): MountVolume.SetUp failed for volume "cfg-9"',
  type: 'Warning',
  source: { component: 'kubelet', host: 'node-a' },
  reportingComponent: '',
  reportingInstance: '',
  count: 3,
  firstTimestamp: '2026-12-01T10:00:00Z',
  lastTimestamp: '2026-12-01T10:04:00Z',
  eventTime: null,
};

const combinedViaV1 = {
  metadata: meta('c1'),
  regarding: pod,
  reason: 'FailedMount',
  note: '(combined from similar events): MountVolume.SetUp failed for volume "cfg-9"',
  type: 'Warning',
  deprecatedSource: { component: 'kubelet', host: 'node-a' },
  deprecatedCount: 3,
  deprecatedFirstTimestamp: '2026-12-01T10:00:00Z',
  deprecatedLastTimestamp: '2026-12-01T10:04:00Z',
};

function norm(raw: unknown, api: EventApi): KubeEvent {
  const e = normalizeEvent(raw, api);
  assert.ok(e, 'normalises');
  return e;
}

describe('written through vs read through', () => {
  it('tells the scheduler\'s events.k8s.io/v1 event apart from the API it was read through', () => {
    const viaCore = norm(schedulerViaCore, 'core/v1');
    assert.equal(writtenThrough(viaCore), 'events.k8s.io/v1');
    assert.equal(viaCore.api, 'core/v1');
    const viaV1 = norm(schedulerViaV1, 'events.k8s.io/v1');
    assert.equal(writtenThrough(viaV1), 'events.k8s.io/v1');
    assert.equal(viaV1.api, 'events.k8s.io/v1');
  });

  it('calls a count-and-timestamps event core/v1 written, whichever API reads it', () => {
    assert.equal(writtenThrough(norm(combinedViaCore, 'core/v1')), 'core/v1');
    assert.equal(writtenThrough(norm(combinedViaV1, 'events.k8s.io/v1')), 'core/v1');
  });

  it('a singleton events.k8s.io/v1 event (eventTime, no series yet) is events.k8s.io/v1 written', () => {
    const { series: _series, ...single } = schedulerViaCore;
    assert.equal(writtenThrough(norm(single, 'core/v1')), 'events.k8s.io/v1');
  });

  it('carries both to the timeline, and back into the event the view filters', () => {
    const e = norm(schedulerViaCore, 'core/v1');
    const d = toEventDto(e);
    assert.equal(d.writtenBy, 'events.k8s.io/v1');
    assert.equal(d.readThrough, 'core/v1');
    assert.equal(isHostMessage({ type: 'events/append', events: [d] }), true);
    assert.equal(isHostMessage({ type: 'events/append', events: [{ ...d, writtenBy: 'apps/v1' }] }), false, 'an unknown API is refused');
    // What the view filters on is the event's own fields, not a rebuilt event.
    const { regarding, ...fields } = dtoMatchable(d);
    assert.deepEqual(regarding, { kind: e.regarding.kind, namespace: e.regarding.namespace, name: e.regarding.name });
    for (const [k, v] of Object.entries(fields)) assert.equal(v, e[k as keyof typeof fields], k);
    // A series read through core/v1: the span runs from eventTime (first observation) to lastObservedTime.
    assert.equal(d.count, 6);
    assert.equal(d.firstSeen, Date.parse('2026-12-01T10:00:00.123Z'));
    assert.equal(d.lastSeen, Date.parse('2026-12-01T10:05:00Z'));
  });

  it('exports how the event was written next to the API it was read through', () => {
    const r = exportRecord(norm(schedulerViaCore, 'core/v1'));
    assert.equal(r.writtenThrough, 'events.k8s.io/v1');
    assert.equal(r.api, 'core/v1');
  });
});

describe('source of a combined event (only source.component)', () => {
  for (const [name, raw, api] of [
    ['read through core/v1', combinedViaCore, 'core/v1'],
    ['read through events.k8s.io/v1', combinedViaV1, 'events.k8s.io/v1'],
  ] as const) {
    it(`falls back to source.component and source.host, ${name}`, () => {
      const e = norm(raw, api);
      assert.equal(e.reportingController, 'kubelet');
      assert.equal(e.reportingInstance, 'node-a');
      assert.equal(sourceLabel(e), 'kubelet on node-a');
      const q = parseQuery('source:kubelet');
      assert.ok(q.ok);
      assert.equal(matches(q.value, e, { now: Date.now() }), true, 'the filter');
      const d = toEventDto(e);
      assert.equal(d.source, 'kubelet', 'the timeline Source column');
      assert.equal(matches(q.value, dtoMatchable(d), { now: Date.now() }), true, 'the timeline filter');
      assert.equal(exportRecord(e).reportingController, 'kubelet', 'the export');
    });
  }

  it('names the source in the log line, after the message so the StartLogging shape stays', () => {
    const line = formatEventLine(norm(combinedViaCore, 'core/v1'));
    assert.match(line, /^Event\(Pod\/shop\/web-0\): type: 'Warning' reason: 'FailedMount' \(combined from similar events\): .* \(×3\) \[source: kubelet on node-a\]$/);
  });

  it('leaves the source out of the log line when nobody reported one', () => {
    const line = formatEventLine(norm({ ...combinedViaCore, source: {} }, 'core/v1'));
    assert.doesNotMatch(line, /\[source/);
  });

  it('names the reporting instance alone when there is no controller', () => {
    assert.equal(sourceLabel({ reportingController: '', reportingInstance: 'node-a' }), 'node-a');
    assert.equal(sourceLabel({ reportingController: 'kubelet', reportingInstance: '' }), 'kubelet');
  });
});
