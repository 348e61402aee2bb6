import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AGGREGATE_MESSAGE_PREFIX, DEFAULT_SPAM_BURST } from '../../src/core/correlator/correlator';
import type { EventApi, EventChange } from '../../src/core/events/kubeEvent';
import { OUR_REPORTING_CONTROLLER } from '../../src/core/events/kubeEvent';
import { EventSource } from '../../src/kube/eventSource';
import type { KubeClient } from '../../src/kube/kubeClient';
import { Recorder, type RecorderOptions, type RecordResult } from '../../src/kube/recorder';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, createNamespace, useCluster, waitFor } from './support/cluster';

interface StoredCoreEvent {
  metadata: { name: string; namespace: string; uid: string };
  reason: string;
  message: string;
  count: number;
  type: string;
  reportingComponent?: string;
  source?: { component?: string };
}

interface StoredV1Event {
  metadata: { name: string; namespace: string; uid: string };
  reason: string;
  note?: string;
  action: string;
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
}

function value(r: RecordResult) {
  if (!r.ok) assert.fail(`expected the event to be recorded, got ${r.reason}: ${r.message}`);
  return r.value;
}

async function coreEvents(client: KubeClient, ns: string): Promise<StoredCoreEvent[]> {
  return (await client.request<{ items: StoredCoreEvent[] }>(`/api/v1/namespaces/${ns}/events`)).items;
}

async function v1Event(client: KubeClient, ns: string, name: string): Promise<StoredV1Event> {
  return client.request<StoredV1Event>(`/apis/events.k8s.io/v1/namespaces/${ns}/events/${name}`);
}

/** Counts what is stored through both APIs (they are views of one storage; both are asked anyway). */
async function storedCount(client: KubeClient, ns: string): Promise<number> {
  const core = await coreEvents(client, ns);
  const v1 = (await client.request<{ items: unknown[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`)).items;
  assert.equal(core.length, v1.length);
  return core.length;
}

describe('Recorder against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  const recorders: Recorder[] = [];
  const sources: EventSource[] = [];

  // Asked for while the suite is defined, not inside before(): useCluster registers its own after() hook
  // (stopping a cluster it started), and registered from within a running before() hook that one runs
  // as soon as the hook ends, before any test.
  const cluster = useCluster();
  before(async () => {
    cp = await cluster;
    admin = clientFor(cp, 'admin');
  });
  after(() => {
    for (const r of recorders) r.dispose();
    for (const s of sources) s.stop();
    admin?.dispose();
  });

  function recorder(options: Partial<RecorderOptions> & { client?: KubeClient } = {}): Recorder {
    const r = new Recorder({ client: admin, host: 'integration-host', sink: { sleepDurationMs: 50 }, ...options });
    recorders.push(r);
    return r;
  }

  function watch(ns: string, api: EventApi): { changes: EventChange[]; source: EventSource } {
    const changes: EventChange[] = [];
    const source = new EventSource({ client: admin, namespaces: [ns], preferredApi: api, sink: (batch) => void changes.push(...batch) });
    sources.push(source);
    source.start();
    return { changes, source };
  }

  const pod = (ns: string, name = 'web-0') => ({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name, uid: `uid-${name}` });

  it('core/v1: a recorded event comes back through the watch', async () => {
    const ns = await createNamespace(admin, 'rec-core');
    const { changes, source } = watch(ns, 'core/v1');
    await waitFor('the watch to go live', () => source.state.phase === 'live');
    const out = value(await recorder().eventf(pod(ns), 'Warning', 'BackOff', 'Back-off restarting failed container %s in pod %s', 'app', 'web-0'));
    assert.equal(out.outcome, 'created');
    assert.equal(out.flavour, 'core/v1');
    assert.match(out.name, /^web-0\.[0-9a-f]+$/);
    const seen = await waitFor('the event through the watch', () => changes.find((c) => c.type === 'ADDED' && c.event.name === out.name));
    assert.equal(seen.event.api, 'core/v1');
    assert.equal(seen.event.reason, 'BackOff');
    assert.equal(seen.event.type, 'Warning');
    assert.equal(seen.event.message, 'Back-off restarting failed container app in pod web-0');
    assert.equal(seen.event.count, 1);
    assert.equal(seen.event.regarding.name, 'web-0');
    assert.equal(seen.event.regarding.uid, 'uid-web-0');
    assert.equal(seen.event.reportingController, OUR_REPORTING_CONTROLLER);
    assert.equal(seen.event.reportingInstance, 'integration-host');
    source.stop();
  });

  it('events.k8s.io/v1: a recorded event comes back through the watch', async () => {
    const ns = await createNamespace(admin, 'rec-v1');
    const { changes, source } = watch(ns, 'events.k8s.io/v1');
    await waitFor('the watch to go live', () => source.state.phase === 'live');
    const rec = recorder({ flavour: 'events.k8s.io/v1' });
    const out = value(await rec.emit({ object: pod(ns), type: 'Normal', reason: 'Pulled', action: 'Pulling', message: 'Successfully pulled image "nginx:1.27"', related: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } }));
    assert.equal(out.outcome, 'created');
    const seen = await waitFor('the event through the watch', () => changes.find((c) => c.type === 'ADDED' && c.event.name === out.name));
    assert.equal(seen.event.api, 'events.k8s.io/v1');
    assert.equal(seen.event.action, 'Pulling');
    assert.equal(seen.event.message, 'Successfully pulled image "nginx:1.27"');
    assert.equal(seen.event.related?.name, 'node-1');
    assert.equal(seen.event.reportingInstance, 'kube-events-vscode-integration-host');
    const stored = await v1Event(admin, ns, out.name);
    assert.match(stored.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'stored as MicroTime');
    source.stop();
  });

  it('core/v1: three identical emissions are one event with count 3 on the server', async () => {
    const ns = await createNamespace(admin, 'rec-dedup');
    const rec = recorder();
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push(value(await rec.event(pod(ns), 'Normal', 'Pulling', 'Pulling image "nginx:1.27"')));
    assert.deepEqual(
      outs.map((o) => [o.outcome, o.correlation, o.count]),
      [
        ['created', 'new', 1],
        ['patched', 'deduplicated', 2],
        ['patched', 'deduplicated', 3],
      ],
    );
    const stored = await coreEvents(admin, ns);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].count, 3);
    assert.equal(stored[0].metadata.name, outs[0].name);
  });

  it('events.k8s.io/v1: three identical emissions are series count 2 at once, and 3 when the series finishes', async () => {
    const ns = await createNamespace(admin, 'rec-series');
    const rec = recorder({ flavour: 'events.k8s.io/v1', action: 'Probing', series: { finishTimeMs: 1_500 } });
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push(value(await rec.event(pod(ns), 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')));
    assert.deepEqual(
      outs.map((o) => [o.outcome, o.correlation, o.count]),
      [
        ['created', 'new', 1],
        ['patched', 'series-started', 2],
        ['skipped', 'series-counted', 3],
      ],
    );
    const name = outs[0].name;
    const now = await v1Event(admin, ns, name);
    assert.equal(now.series?.count, 2, 'the first repeat is patched at once');
    assert.match(now.series.lastObservedTime, /\.\d{6}Z$/);
    // The recorder's own finish timer (every 1.5 s here, 6 min by default) writes the final count.
    const finished = await waitFor('the series to finish with count 3', async () => {
      const e = await v1Event(admin, ns, name);
      return e.series?.count === 3 ? e : undefined;
    });
    assert.equal(finished.metadata.uid, now.metadata.uid, 'the same event, patched');
    assert.equal((await coreEvents(admin, ns)).length, 1);
  });

  it('core/v1: eleven distinct messages within the window make a combined event', async () => {
    const ns = await createNamespace(admin, 'rec-aggregate');
    const rec = recorder();
    const outs = [];
    for (let i = 1; i <= 11; i++) outs.push(value(await rec.eventf(pod(ns), 'Warning', 'FailedMount', 'MountVolume.SetUp failed for volume "data-%d"', i)));
    assert.deepEqual(
      outs.map((o) => o.correlation),
      [...Array<string>(9).fill('new'), 'aggregated', 'aggregated'],
    );
    assert.equal(outs[9].outcome, 'created');
    assert.equal(outs[10].outcome, 'patched');
    const stored = await coreEvents(admin, ns);
    const combined = stored.filter((e) => e.message.startsWith(AGGREGATE_MESSAGE_PREFIX));
    assert.equal(combined.length, 1, 'one combined event');
    assert.equal(combined[0].message, '(combined from similar events): MountVolume.SetUp failed for volume "data-11"');
    assert.equal(combined[0].count, 2);
    assert.equal(combined[0].source?.component, OUR_REPORTING_CONTROLLER);
    assert.equal(stored.length, 10, 'nine single events and the combined one');
  });

  it(`core/v1: the spam filter stops the ${DEFAULT_SPAM_BURST + 1}th rapid emission and says so`, async () => {
    const ns = await createNamespace(admin, 'rec-spam');
    const rec = recorder();
    const outs = [];
    for (let i = 0; i < DEFAULT_SPAM_BURST + 1; i++) outs.push(value(await rec.event(pod(ns), 'Warning', 'BackOff', 'Back-off restarting failed container')));
    assert.equal(outs.filter((o) => o.outcome !== 'skipped').length, 25);
    const last = outs[25];
    assert.equal(last.outcome, 'skipped');
    assert.equal(last.correlation, 'spam-filtered');
    assert.match(last.explanation, /spam filter/);
    assert.match(last.explanation, /burst of 25/);
    const stored = await coreEvents(admin, ns);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].count, 25, 'the 26th never reached the server');
  });

  it('the restricted user gets a clear 403 outside its namespace, and when it may create but not patch', async () => {
    const ns = await createNamespace(admin, 'rec-forbidden');
    const restricted = clientFor(cp, 'restricted');
    try {
      const rec = recorder({ client: restricted });
      const denied = await rec.event(pod(ns), 'Normal', 'Tested', 'from the restricted user');
      assert.equal(denied.ok, false);
      if (!denied.ok) {
        assert.equal(denied.reason, 'forbidden');
        assert.match(denied.message, new RegExp(`may not create "events" in namespace "${ns}"`));
        assert.match(denied.message, /verb "create", resource "events", API group "" \(core\)/);
        assert.match(denied.message, /The server said: .*kube-events-restricted.*cannot create resource "events"/);
        assert.equal(denied.sink?.status, 403);
      }
      assert.equal(await storedCount(admin, ns), 0);

      const v1 = recorder({ client: restricted, flavour: 'events.k8s.io/v1', action: 'Testing' });
      const deniedV1 = await v1.event(pod(ns), 'Normal', 'Tested', 'from the restricted user');
      assert.equal(deniedV1.ok, false);
      if (!deniedV1.ok) assert.match(deniedV1.message, /may not create "events\.events\.k8s\.io".*API group "events\.k8s\.io"/);

      // Its own namespace allows create (and not patch, which counting a repeat needs).
      const own = cp.restrictedNamespace;
      const target = pod(own, `web-${Date.now().toString(36)}`);
      assert.equal(value(await rec.event(target, 'Normal', 'Tested', 'allowed here')).outcome, 'created');
      const repeat = await rec.event(target, 'Normal', 'Tested', 'allowed here');
      assert.equal(repeat.ok, false);
      if (!repeat.ok) {
        assert.equal(repeat.reason, 'forbidden');
        assert.match(repeat.message, new RegExp(`may not patch "events" in namespace "${own}"`));
        assert.match(repeat.message, /Patching is how repeated events are counted/);
      }
    } finally {
      restricted.dispose();
    }
  });

  it('an invalid reason and an oversized note are refused locally, naming the limit, and nothing is sent', async () => {
    const ns = await createNamespace(admin, 'rec-invalid');
    const before = await storedCount(admin, ns);
    const core = recorder();
    const longReason = await core.event(pod(ns), 'Normal', 'R'.repeat(200), 'reason too long');
    assert.equal(longReason.ok, false);
    if (!longReason.ok) {
      assert.equal(longReason.reason, 'invalid-event');
      assert.match(longReason.message, /reason is 200 characters; the apiserver allows at most 128 bytes/);
    }
    const v1 = recorder({ flavour: 'events.k8s.io/v1', action: 'Testing' });
    const bigNote = await v1.event(pod(ns), 'Normal', 'Tested', 'é'.repeat(600));
    assert.equal(bigNote.ok, false);
    if (!bigNote.ok) assert.match(bigNote.message, /note is 1200 bytes in UTF-8 \(600 characters\); the apiserver allows at most 1024 bytes/);
    const badType = await core.event(pod(ns), 'Error', 'Tested', 'no such type');
    assert.equal(badType.ok, false);
    assert.equal(await storedCount(admin, ns), before, 'nothing reached the server');
    // The same note through core/v1 has no such limit: it is accepted by the server.
    assert.equal(value(await core.event(pod(ns), 'Normal', 'Tested', 'é'.repeat(600))).outcome, 'created');
  });
});
