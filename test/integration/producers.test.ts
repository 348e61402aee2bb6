// Events from the components that write them in a real cluster: kube-controller-manager, kube-scheduler,
// kwok (the kubelet of fake nodes) and the Go demo controller, each through client-go's own recorder and
// correlator. The test creates workloads, never events, and checks what each component really sets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventChange, KubeEvent } from '../../src/core/events/kubeEvent';
import { OwnerGraph } from '../../src/core/owners/ownerGraph';
import { matches } from '../../src/core/query/evaluate';
import { parseQuery } from '../../src/core/query/parse';
import { Discovery } from '../../src/kube/discovery';
import { EventSource, type WatchTiming } from '../../src/kube/eventSource';
import type { KubeClient } from '../../src/kube/kubeClient';
import { KubeOwnerResolver } from '../../src/kube/ownerResolver';
import { ResourceReader } from '../../src/kube/resourceReader';
import { controlPlaneStatus, startControlPlane, type ControlPlane } from '../cluster/controlPlane';
import { CRASH_LOOP_LABEL, PRODUCERS, WEBSITE } from '../cluster/producers';
import { clientFor, createNamespace, useCluster, waitFor } from './support/cluster';

const FAST: Partial<WatchTiming> = { backoffInitialMs: 200, backoffMaxMs: 1_000 };
/** Controllers react within seconds; kwok's stages add up to a few seconds per pod; a CronJob waits for the next minute. */
const SOON = 60_000;
const POD_SPEC = { containers: [{ name: 'app', image: 'registry.example/shop/web:1.4.2' }] };

interface Stored {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly uid: string; readonly annotations?: Record<string, string> };
}

/** Every change a source reported, with lookups by what a test waits for. */
class Seen {
  readonly changes: EventChange[] = [];
  readonly sink = (batch: EventChange[]): void => {
    this.changes.push(...batch);
  };
  /** The newest state of each event, by uid. */
  latest(): KubeEvent[] {
    const byUid = new Map<string, KubeEvent>();
    for (const c of this.changes) byUid.set(c.event.uid, c.event);
    return [...byUid.values()];
  }
  find(pred: (e: KubeEvent) => boolean): KubeEvent | undefined {
    return this.latest().find(pred);
  }
  filter(pred: (e: KubeEvent) => boolean): KubeEvent[] {
    return this.latest().filter(pred);
  }
  of(uid: string): EventChange[] {
    return this.changes.filter((c) => c.event.uid === uid);
  }
}

function about(e: KubeEvent, kind: string, name: string | RegExp): boolean {
  return e.regarding.kind === kind && (typeof name === 'string' ? e.regarding.name === name : name.test(e.regarding.name));
}

describe('real event producers', () => {
  let cp: ControlPlane;
  let ownCluster: ControlPlane | undefined;
  let admin: KubeClient;
  let ns: string;
  const core = new Seen();
  const v1 = new Seen();
  const sources: EventSource[] = [];

  const create = (path: string, body: object): Promise<Stored> => admin.request<Stored>(path, { method: 'POST', body });

  before(async () => {
    const shared = await useCluster();
    // The suite needs the producers; a bare shared cluster (npm run cluster:up without --producers) gets a full one of its own.
    cp = shared.producers.length === PRODUCERS.length ? shared : (ownCluster = await startControlPlane({ producers: true, log: (m) => console.log(`# ${m}`) }));
    admin = clientFor(cp, 'admin');
    ns = await createNamespace(admin, 'producers');
    for (const [seen, preferredApi] of [[core, 'core/v1'], [v1, 'events.k8s.io/v1']] as const) {
      const src = new EventSource({ client: admin, namespaces: [ns], preferredApi, sink: seen.sink, timing: FAST });
      src.start();
      sources.push(src);
      await waitFor(`the ${preferredApi} source to go live`, () => src.state.phase === 'live');
    }
    // A CronJob runs at the next minute boundary: create it first so that wait overlaps the other tests.
    await create(`/apis/batch/v1/namespaces/${ns}/cronjobs`, {
      metadata: { name: 'report' },
      spec: { schedule: '* * * * *', successfulJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } } } },
    });
  });

  after(async () => {
    for (const s of sources) s.stop();
    await admin?.request(`/api/v1/namespaces/${ns}`, { method: 'DELETE' }).catch(() => undefined);
    await admin?.request('/api/v1/nodes/kwok-node-cordoned', { method: 'DELETE' }).catch(() => undefined);
    admin?.dispose();
    await ownCluster?.stop();
  });

  it('a Deployment scale-up: deployment-controller, replicaset-controller, default-scheduler and kwok_controller', async () => {
    const labels = { app: 'web' };
    const deploy = await create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: POD_SPEC } },
    });

    const scaled = await waitFor('ScalingReplicaSet', () => core.find((e) => e.reason === 'ScalingReplicaSet' && about(e, 'Deployment', 'web')), SOON);
    // tools/record (core/v1): source.component doubles as reportingComponent; no host, no eventTime, no series.
    assert.equal(scaled.reportingController, 'deployment-controller');
    assert.equal(scaled.reportingInstance, '');
    assert.equal(scaled.type, 'Normal');
    assert.equal(scaled.regarding.uid, deploy.metadata.uid);
    assert.equal(scaled.regarding.apiVersion, 'apps/v1');
    assert.match(scaled.message, /^Scaled up replica set web-[a-z0-9]+ from 0 to 2$/);
    assert.ok(scaled.firstTimestamp > 0 && scaled.eventTime === 0 && scaled.series === undefined);
    const rsName = /replica set (\S+)/.exec(scaled.message)![1];

    const created = await waitFor('two SuccessfulCreate', () => {
      const found = core.filter((e) => e.reason === 'SuccessfulCreate' && about(e, 'ReplicaSet', rsName));
      return found.length === 2 && found;
    }, SOON);
    for (const e of created) {
      assert.equal(e.reportingController, 'replicaset-controller');
      assert.match(e.message, new RegExp(`^Created pod: ${rsName}-[a-z0-9]{5}$`));
    }
    const pods = created.map((e) => e.message.slice('Created pod: '.length));

    for (const pod of pods) {
      // The scheduler writes events.k8s.io/v1: an action, a reporting instance, eventTime and no legacy fields.
      const scheduled = await waitFor(`Scheduled for ${pod}`, () => v1.find((e) => e.reason === 'Scheduled' && about(e, 'Pod', pod)), SOON);
      assert.equal(scheduled.api, 'events.k8s.io/v1');
      assert.equal(scheduled.reportingController, 'default-scheduler');
      assert.match(scheduled.reportingInstance, /^default-scheduler-/);
      assert.equal(scheduled.action, 'Binding');
      assert.ok(scheduled.eventTime > 0 && scheduled.firstTimestamp === 0);
      assert.match(scheduled.message, new RegExp(`^Successfully assigned ${ns}/${pod} to kwok-node-[123]$`));

      // kwok's stages, through client-go's recorder as source kwok_controller, in lifecycle order.
      const lifecycle = await waitFor(`kwok lifecycle events for ${pod}`, () => {
        const found = core.filter((e) => e.reportingController === 'kwok_controller' && about(e, 'Pod', pod));
        return found.length >= 4 && found;
      }, SOON);
      assert.deepEqual(lifecycle.sort((a, b) => a.firstSeen - b.firstSeen || Number(a.resourceVersion) - Number(b.resourceVersion)).map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
      // kwok names the pod by kind, name and uid only: no apiVersion, no fieldPath.
      assert.equal(lifecycle[0].regarding.apiVersion, '');
      assert.equal(lifecycle[0].regarding.fieldPath, '');
    }
  });

  it('an unschedulable Pod: FailedScheduling, and identical retries become an events.k8s.io/v1 series', async () => {
    const pod = await create(`/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'too-big' },
      spec: { containers: [{ name: 'app', image: 'registry.example/big:1', resources: { requests: { cpu: '64' } } }] },
    });
    const failedOn = (e: KubeEvent): boolean => e.reason === 'FailedScheduling' && about(e, 'Pod', 'too-big');
    const failed = await waitFor('FailedScheduling', () => v1.find(failedOn), SOON);
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.action, 'Scheduling');
    assert.equal(failed.reportingController, 'default-scheduler');
    assert.equal(failed.regarding.uid, pod.metadata.uid);
    assert.match(failed.message, /^0\/3 nodes are available: 3 Insufficient cpu\./);
    assert.equal(failed.series, undefined, 'the first occurrence has no series');

    // The recorder's isomorphic key includes the regarding object's resourceVersion, which the scheduler
    // changes whenever the pod's PodScheduled message changes. So a series needs retries that fail the
    // same way: a cordoned node big enough for the pod, whose capacity grows a little each round. Each
    // growth makes the scheduler retry (the pod would fit by resources) and fail again (cordoned).
    const node = 'kwok-node-cordoned';
    await create('/api/v1/nodes', {
      metadata: { name: node, annotations: { 'kwok.x-k8s.io/node': 'fake' } },
      spec: { unschedulable: true },
      status: { capacity: { cpu: '128', memory: '8Gi', pods: '110' }, allocatable: { cpu: '128', memory: '8Gi', pods: '110' }, addresses: [{ type: 'InternalIP', address: '192.0.2.99' }] },
    });
    let cpu = 128;
    const series = await waitFor('a series on a FailedScheduling event', async () => {
      const found = v1.changes.find((c) => c.type === 'MODIFIED' && failedOn(c.event) && c.event.series !== undefined);
      if (found) return found;
      cpu++;
      const capacity = { cpu: String(cpu), memory: '8Gi', pods: '110' };
      await admin.request(`/api/v1/nodes/${node}/status`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: { capacity, allocatable: capacity } } });
      await new Promise((r) => setTimeout(r, 2_000)); // one scheduler retry (backoff 1-10 s) per growth step
      return undefined;
      // The growth usually brings a retry within seconds, but not always: in one CI run the scheduler made no
      // retry for two minutes after the node arrived. It retries a pod left unschedulable for 5 minutes whatever
      // happened (podMaxInUnschedulablePodsDuration, checked every 30 s), which then fails the same way.
    }, 7 * SOON);
    assert.ok(series.event.series!.count >= 2);
    assert.ok(series.event.series!.lastObservedTime >= series.event.eventTime);
    assert.equal(v1.of(series.event.uid).filter((c) => c.type === 'ADDED').length, 1, 'the repeat is a change of the same event, not a new row');
    // The series may form on the first event (a retry before the node arrived) or on a later one.
    assert.match(series.event.message, /^0\/[34] nodes are available: /);
  });

  it('a crash-looping Pod: one BackOff Warning whose count client-go raises, arriving as MODIFIED of the same uid', async () => {
    await create(`/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'crashy', labels: { [CRASH_LOOP_LABEL]: 'true' } }, spec: POD_SPEC });
    const first = await waitFor('BackOff', () => core.find((e) => e.reason === 'BackOff' && about(e, 'Pod', 'crashy')), SOON);
    assert.equal(first.type, 'Warning');
    assert.equal(first.reportingController, 'kwok_controller');
    const raised = await waitFor('the BackOff count to rise', () => core.of(first.uid).find((c) => c.type === 'MODIFIED' && c.event.count > first.count), SOON);
    assert.equal(raised.event.name, first.name);
    assert.ok(raised.event.lastTimestamp >= first.lastTimestamp);
    assert.equal(core.filter((e) => e.reason === 'BackOff' && about(e, 'Pod', 'crashy')).length, 1, 'repeats fold into one event');
    assert.equal(core.of(first.uid).filter((c) => c.type === 'ADDED').length, 1);
  });

  it('a CronJob and its Job: cronjob-controller and job-controller', async () => {
    const createdJob = await waitFor('the CronJob to create a Job', () => core.find((e) => e.reason === 'SuccessfulCreate' && about(e, 'CronJob', 'report')), 2 * SOON);
    assert.equal(createdJob.reportingController, 'cronjob-controller');
    const job = /^Created job (report-\d+)$/.exec(createdJob.message)?.[1];
    assert.ok(job, createdJob.message);
    const jobPod = await waitFor('the Job to create a Pod', () => core.find((e) => e.reason === 'SuccessfulCreate' && about(e, 'Job', job)), SOON);
    assert.equal(jobPod.reportingController, 'job-controller');
    const completed = await waitFor('the Job to complete', () => core.find((e) => e.reason === 'Completed' && about(e, 'Job', job)), SOON);
    assert.equal(completed.message, 'Job completed');
    const saw = await waitFor('the CronJob to see it', () => core.find((e) => e.reason === 'SawCompletedJob' && about(e, 'CronJob', 'report')), SOON);
    assert.equal(saw.message, `Saw completed job: ${job}, condition: Complete`);
  });

  it('a Website: the demo controller records through tools/record and tools/events, and under: rolls up the chain', async () => {
    const site = await create(`/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${ns}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'shop' },
      spec: { replicas: 2, image: 'registry.example/shop:2.0' },
    });
    const fromDemo = (e: KubeEvent): boolean => e.reportingController === 'website-controller' && about(e, WEBSITE.kind, 'shop');

    // AnnotatedEventf: the formatted message in the model, the annotations on the stored event.
    const createdEv = await waitFor('DeploymentCreated', () => core.find((e) => fromDemo(e) && e.reason === 'DeploymentCreated'), SOON);
    assert.equal(createdEv.message, 'Created Deployment shop with 2 replicas of registry.example/shop:2.0');
    assert.equal(createdEv.regarding.uid, site.metadata.uid);
    assert.equal(createdEv.regarding.apiVersion, `${WEBSITE.group}/${WEBSITE.version}`);
    const stored = await admin.request<Stored>(`/api/v1/namespaces/${ns}/events/${createdEv.name}`);
    assert.deepEqual(stored.metadata.annotations, { 'demo.kube-events.local/deployment': 'shop', 'demo.kube-events.local/image': 'registry.example/shop:2.0' });

    // Repeated syncs with one message: the correlator's count rise, as MODIFIED of the same uid.
    const synced = await waitFor('Synced', () => core.find((e) => fromDemo(e) && e.reason === 'Synced'), SOON);
    await waitFor('Synced count to rise', () => core.of(synced.uid).find((c) => c.type === 'MODIFIED' && c.event.count > 1), SOON);
    assert.equal(core.filter((e) => fromDemo(e) && e.reason === 'Synced').length, 1);

    // tools/events: events.k8s.io/v1 with an action and the Deployment as the related object.
    const rollout = await waitFor('RolloutComplete', () => v1.find((e) => fromDemo(e) && e.reason === 'RolloutComplete'), SOON);
    assert.equal(rollout.api, 'events.k8s.io/v1');
    assert.equal(rollout.action, 'WaitForRollout');
    assert.match(rollout.reportingInstance, /^website-controller-/);
    assert.equal(rollout.related?.kind, 'Deployment');
    assert.equal(rollout.related?.name, 'shop');
    assert.equal(rollout.message, 'Deployment shop has 2 of 2 replicas available');

    // under: learns the real ownerReferences (Pod -> ReplicaSet -> Deployment -> Website) through the
    // project's resolver, the way the extension does.
    const podEvents = await waitFor('events of the Website\'s pods', () => {
      const found = core.filter((e) => e.reason === 'SuccessfulCreate' && e.regarding.kind === 'ReplicaSet' && e.regarding.name.startsWith('shop-'));
      return found.length === 2 && found;
    }, SOON);
    const scheduled = await waitFor('Scheduled for a Website pod', () => v1.find((e) => e.reason === 'Scheduled' && e.regarding.name.startsWith('shop-')), SOON);
    const started = await waitFor('kwok\'s Started for that pod', () => core.find((e) => e.reason === 'Started' && about(e, 'Pod', scheduled.regarding.name)), SOON);
    const deployEvent = await waitFor('ScalingReplicaSet for shop', () => core.find((e) => e.reason === 'ScalingReplicaSet' && about(e, 'Deployment', 'shop')), SOON);
    const graph = new OwnerGraph(new KubeOwnerResolver(new ResourceReader(admin, new Discovery(admin))));
    try {
      // kwok names the pod without an apiVersion: the resolver finds the kind by name.
      const chain = [createdEv, deployEvent, ...podEvents, scheduled, started];
      for (const e of chain) await graph.learn(e.regarding);
      const underSite = parseQuery(`under:${WEBSITE.kind}/${ns}/shop`);
      const underDeploy = parseQuery(`under:Deployment/${ns}/shop`);
      assert.ok(underSite.ok && underDeploy.ok);
      const ctx = { now: Date.now(), owners: graph };
      for (const e of chain) assert.ok(matches(underSite.value, e, ctx), `under:Website matches ${e.reason} on ${e.regarding.kind}/${e.regarding.name}`);
      for (const e of [deployEvent, ...podEvents, scheduled, started]) assert.ok(matches(underDeploy.value, e, ctx), `under:Deployment matches ${e.reason} on ${e.regarding.kind}/${e.regarding.name}`);
      assert.ok(!matches(underDeploy.value, createdEv, ctx), 'the Website is above the Deployment, not under it');
      assert.deepEqual(graph.ancestors({ kind: 'Pod', namespace: ns, name: scheduled.regarding.name, uid: scheduled.regarding.uid }).map((a) => a.kind), ['ReplicaSet', 'Deployment', WEBSITE.kind]);
    } finally {
      graph.dispose();
    }
  });

  it('a Deployment the Website does not own: a Warning through Eventf with arguments', async () => {
    const labels = { app: 'taken' };
    await create(`/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'taken' },
      spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: POD_SPEC } },
    });
    await create(`/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${ns}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'taken' },
      spec: { replicas: 1 },
    });
    const warning = await waitFor('DeploymentExists', () => core.find((e) => e.reason === 'DeploymentExists' && about(e, WEBSITE.kind, 'taken')), SOON);
    assert.equal(warning.type, 'Warning');
    assert.equal(warning.reportingController, 'website-controller');
    assert.equal(warning.message, 'Deployment taken already exists and is not managed by this Website');
  });
});

describe('a producer that fails to start', () => {
  it('fails the start with its last log lines and leaves nothing running', { timeout: 120_000 }, async () => {
    // A build cache (KUBE_EVENTS_CACHE, read by build.sh) whose kwok exits at once; everything else is the real one.
    const realCache = process.env.KUBE_EVENTS_CACHE ?? path.join(os.homedir(), '.cache', 'kube-events');
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-cache-'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-broken-'));
    const saved = process.env.KUBE_EVENTS_CACHE;
    try {
      for (const entry of fs.readdirSync(realCache)) {
        if (!entry.startsWith('kwok-')) fs.symlinkSync(path.join(realCache, entry), path.join(cache, entry));
        else {
          fs.mkdirSync(path.join(cache, entry));
          fs.writeFileSync(path.join(cache, entry, 'kwok'), '#!/bin/sh\necho "kwok: cannot read stages: simulated failure" >&2\nexit 3\n', { mode: 0o755 });
        }
      }
      process.env.KUBE_EVENTS_CACHE = cache;
      await assert.rejects(startControlPlane({ dir, producers: true }), (err: Error) => {
        assert.match(err.message, /^kwok exited during startup\n--- last lines of .*kwok\.log ---\n/);
        assert.match(err.message, /simulated failure/);
        return true;
      });
      const status = controlPlaneStatus(dir);
      assert.ok(status, 'state.json is kept for a user-chosen dir');
      assert.deepEqual([status.etcdPid, status.apiserverPid, ...status.producers.map((p) => p.pid)], Array(2 + PRODUCERS.length).fill(undefined), 'nothing left running');
    } finally {
      if (saved === undefined) delete process.env.KUBE_EVENTS_CACHE;
      else process.env.KUBE_EVENTS_CACHE = saved;
      fs.rmSync(cache, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
