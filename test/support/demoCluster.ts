/**
 * Demo content for the sandbox and the UI suites.
 * - {@link startWorkloads}: workloads only, for a control plane started with `producers: true`; the real
 *   controllers, scheduler, kwok and demo controller write every event (the sandbox).
 * - {@link seedDemo}: workloads with hand-made ownerReferences and the events their controllers would
 *   record, written by us; works on a bare control plane, and keeps its objects out of the way of the
 *   real controllers when they run.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/kubeClient';
import { RESTRICTED_NAMESPACE } from '../cluster/bootstrap';
import { CRASH_LOOP_LABEL, WEBSITE } from '../cluster/producers';

export interface DemoObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface Demo {
  readonly namespaces: readonly string[];
  readonly deployment: DemoObject;
  readonly replicaSet: DemoObject;
  readonly pods: readonly DemoObject[];
  readonly cronJob: DemoObject;
  readonly job: DemoObject;
  readonly jobPod: DemoObject;
}

/** An ownerReference to `o` (its controller unless said otherwise), as a controller writes it. */
export function ownerRef(o: DemoObject, controller = true): Record<string, unknown> {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, controller, blockOwnerDeletion: true };
}

const POD_SPEC = { containers: [{ name: 'app', image: 'registry.example/shop/web:1.4.2' }] };
/** The node {@link seedDemo}'s pods are bound to: it does not exist, so neither the scheduler nor kwok touches them. */
const SEED_NODE = 'worker-2';
/**
 * A finalizer of ours that keeps a ReplicaSet terminating, out of its controller's hands: it neither creates nor
 * deletes Pods for it, and the garbage collector waits for it. The suites that build owner chains use it too.
 */
export const TEST_HOLD = 'kube-events.local/test-hold';

type Stored = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; uid: string } };

/** Creates the object, or reads it when it exists already (a sandbox restarted on the same etcd). */
export async function createObject(client: KubeClient, path: string, body: Record<string, unknown>): Promise<DemoObject> {
  let o: Stored;
  try {
    o = await client.request<Stored>(path, { method: 'POST', body });
  } catch (err) {
    if ((err as { status?: number }).status !== 409) throw err;
    o = await client.request<Stored>(`${path}/${(body.metadata as { name: string }).name}`);
  }
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid: o.metadata.uid };
}

/** Makes `owner` the controller of the object at `path` (what a controller's adoption writes too). */
async function setOwner(client: KubeClient, path: string, owner: DemoObject): Promise<void> {
  await client.request(path, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { ownerReferences: [ownerRef(owner)] } } });
}

async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
  } catch (err) {
    if ((err as { status?: number }).status !== 409) throw err;
  }
}

export interface EventSpec {
  readonly type?: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly component: string;
  readonly count?: number;
  readonly ageSeconds?: number;
  readonly fieldPath?: string;
}

/** Records a core/v1 event about `obj` as a controller would; returns the stored event's name and uid. */
export async function recordEvent(client: KubeClient, obj: DemoObject, spec: EventSpec): Promise<{ name: string; uid: string }> {
  const last = new Date(Date.now() - (spec.ageSeconds ?? 0) * 1000);
  const first = new Date(last.getTime() - ((spec.count ?? 1) - 1) * 30_000);
  const ev = await client.request<{ metadata: { name: string; uid: string } }>(`/api/v1/namespaces/${obj.namespace}/events`, {
    method: 'POST',
    body: {
      metadata: { name: `${obj.name}.${randomBytes(8).toString('hex')}`, namespace: obj.namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.namespace, name: obj.name, uid: obj.uid, fieldPath: spec.fieldPath },
      type: spec.type ?? 'Normal',
      reason: spec.reason,
      message: spec.message,
      source: { component: spec.component },
      reportingComponent: spec.component,
      count: spec.count ?? 1,
      firstTimestamp: first.toISOString(),
      lastTimestamp: last.toISOString(),
    },
  });
  return { name: ev.metadata.name, uid: ev.metadata.uid };
}

/**
 * Creates (in `namespaces[0]`, default "shop") a Deployment → ReplicaSet → 2 Pods chain and (in
 * `namespaces[1]`, default "batch") a CronJob → Job → Pod chain, with the events a real cluster would show.
 */
export async function seedDemo(client: KubeClient, namespaces: readonly [string, string] = ['shop', 'batch']): Promise<Demo> {
  const [shop, batch] = namespaces;
  for (const ns of namespaces) await ensureNamespace(client, ns);
  // With controllers running (npm test starts them), only we decide what happens to the shop chain; left to
  // them, a ReplicaSet controller whose informer has not seen our Pods yet creates Pods of its own, then
  // deletes the surplus, and their events crowd out the ones written here. So, as in
  // test/e2e/ownerReload.test.ts: the ReplicaSet is terminating before its Pods exist, held by a finalizer of
  // ours (its controller neither adopts, creates nor deletes Pods for it, and the garbage collector waits for
  // it to be gone); it has 0 replicas while it is not yet terminating (nothing to create, no Pod to adopt),
  // then as many as the Deployment, which is paused (no ReplicaSet of its own, nothing to scale). Pods are
  // bound to a node that does not exist, so the scheduler and kwok leave them alone.
  const labels = { app: 'web' };
  const rsLabels = { ...labels, 'pod-template-hash': '7c9d8f6b5' };
  const replicaSets = `/apis/apps/v1/namespaces/${shop}/replicasets`;
  const replicaSet = await createObject(client, replicaSets, {
    metadata: { name: 'web-7c9d8f6b5', labels: rsLabels, finalizers: [TEST_HOLD] },
    spec: { replicas: 0, selector: { matchLabels: rsLabels }, template: { metadata: { labels: rsLabels }, spec: POD_SPEC } },
  });
  const rsPath = `${replicaSets}/${replicaSet.name}`;
  await client.request(rsPath, { method: 'DELETE' });
  await client.request(rsPath, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 2 } } });
  const pods: DemoObject[] = [];
  for (const suffix of ['x2k4q', 'm8p1z']) {
    const pod = await createObject(client, `/api/v1/namespaces/${shop}/pods`, { metadata: { name: `web-7c9d8f6b5-${suffix}`, labels: rsLabels, ownerReferences: [ownerRef(replicaSet)] }, spec: { ...POD_SPEC, nodeName: SEED_NODE } });
    pods.push(pod);
  }
  const deployment = await createObject(client, `/apis/apps/v1/namespaces/${shop}/deployments`, {
    metadata: { name: 'web', labels },
    spec: { paused: true, replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: POD_SPEC } },
  });
  await setOwner(client, rsPath, deployment);
  const jobTemplate = { spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } } };
  const cronJob = await createObject(client, `/apis/batch/v1/namespaces/${batch}/cronjobs`, {
    metadata: { name: 'nightly-report' },
    spec: { schedule: '0 2 * * *', jobTemplate },
  });
  // The Job selects its pod by a label of ours (manual selector), so a running job-controller adopts the
  // pod made here. Its owner reference to the CronJob is not a controller one: a running
  // cronjob-controller would otherwise warn about a Job it did not create.
  const jobLabels = { 'job-name': 'nightly-report-29410560' };
  const jobPod = await createObject(client, `/api/v1/namespaces/${batch}/pods`, {
    metadata: { name: 'nightly-report-29410560-q7v2d', labels: jobLabels },
    spec: { ...POD_SPEC, restartPolicy: 'Never', nodeName: SEED_NODE },
  });
  const job = await createObject(client, `/apis/batch/v1/namespaces/${batch}/jobs`, {
    metadata: { name: 'nightly-report-29410560', ownerReferences: [ownerRef(cronJob, false)] },
    spec: { manualSelector: true, selector: { matchLabels: jobLabels }, template: { metadata: { labels: jobLabels }, spec: { ...POD_SPEC, restartPolicy: 'Never' } } },
  });
  await setOwner(client, `/api/v1/namespaces/${batch}/pods/${jobPod.name}`, job);

  const [p1, p2] = pods as [DemoObject, DemoObject];
  await recordEvent(client, deployment, { reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7c9d8f6b5 from 0 to 2', component: 'deployment-controller', ageSeconds: 900 });
  await recordEvent(client, replicaSet, { reason: 'SuccessfulCreate', message: `Created pod: ${p1.name}`, component: 'replicaset-controller', ageSeconds: 890 });
  await recordEvent(client, replicaSet, { reason: 'SuccessfulCreate', message: `Created pod: ${p2.name}`, component: 'replicaset-controller', ageSeconds: 889 });
  await recordEvent(client, replicaSet, {
    type: 'Warning',
    reason: 'FailedCreate',
    message: 'Error creating: pods "web-7c9d8f6b5-9wq3n" is forbidden: exceeded quota: shop-quota, requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi',
    component: 'replicaset-controller',
    count: 4,
    ageSeconds: 120,
  });
  for (const p of pods) {
    await recordEvent(client, p, { reason: 'Scheduled', message: `Successfully assigned ${shop}/${p.name} to worker-2`, component: 'default-scheduler', ageSeconds: 880 });
    await recordEvent(client, p, { reason: 'Pulled', message: 'Container image "registry.example/shop/web:1.4.2" already present on machine', component: 'kubelet', ageSeconds: 870, fieldPath: 'spec.containers{app}' });
    await recordEvent(client, p, { reason: 'Started', message: 'Started container app', component: 'kubelet', ageSeconds: 868, fieldPath: 'spec.containers{app}' });
  }
  await recordEvent(client, p2, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-7c9d8f6b5-m8p1z', component: 'kubelet', count: 17, ageSeconds: 20, fieldPath: 'spec.containers{app}' });
  await recordEvent(client, p2, { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', component: 'kubelet', count: 42, ageSeconds: 45, fieldPath: 'spec.containers{app}' });
  await recordEvent(client, cronJob, { reason: 'SuccessfulCreate', message: 'Created job nightly-report-29410560', component: 'cronjob-controller', ageSeconds: 600 });
  await recordEvent(client, job, { reason: 'SuccessfulCreate', message: `Created pod: ${jobPod.name}`, component: 'job-controller', ageSeconds: 598 });
  await recordEvent(client, jobPod, { type: 'Warning', reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "report-config" : configmap "report-config" not found', component: 'kubelet', count: 6, ageSeconds: 300 });
  await recordEvent(client, job, { type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', component: 'job-controller', ageSeconds: 60 });
  return { namespaces, deployment, replicaSet, pods, cronJob, job, jobPod };
}

/** Source of the few events the sandbox writes itself, where no real component can produce them. */
export const SANDBOX_SOURCE = 'kube-events-sandbox';

/** What {@link startWorkloads} created. */
export interface Workloads {
  readonly namespaces: readonly string[];
  /** Healthy, scaled from 1 to 3 replicas once the first pod runs. */
  readonly web: DemoObject;
  /** Blocked by a ResourceQuota of 1 pod: FailedCreate warnings from the replicaset-controller. */
  readonly quotaBlocked: DemoObject;
  /** Asks for more CPU than any node has: FailedScheduling from the scheduler. */
  readonly unschedulable: DemoObject;
  /** Its pod crash-loops on a fake node: one BackOff warning whose count rises. */
  readonly crashLoop: DemoObject;
  /** Runs every minute: Job and Pod events arrive live. */
  readonly cronJob: DemoObject;
  /** Reconciled by the demo controller into a Deployment it owns. */
  readonly website: DemoObject;
  /** A Website whose Deployment exists and is not the controller's: a DeploymentExists warning. */
  readonly conflictingWebsite: DemoObject;
  /** The hostile-text event we wrote (source {@link SANDBOX_SOURCE}). */
  readonly hostileEvent: { name: string; uid: string; namespace: string };
}

function deploymentBody(name: string, replicas: number, image: string, podLabels: Record<string, string> = {}, resources?: object): Record<string, unknown> {
  const labels = { app: name };
  const container = { name: 'app', image, ...(resources ? { resources } : {}) };
  return {
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels, ...podLabels } }, spec: { containers: [container] } } },
  };
}

/**
 * Creates the sandbox's workloads on a control plane that runs the producers. Creates objects only:
 * the events come from the controllers, the scheduler, kwok and the demo controller, except one
 * hostile-text event and one that expires (deleted after `expireAfterMs`), both with source {@link SANDBOX_SOURCE}.
 */
export async function startWorkloads(client: KubeClient, opts: { expireAfterMs?: number } = {}): Promise<Workloads> {
  const [shop, billing, batch] = ['shop', 'billing', 'batch'];
  for (const ns of [shop, billing, batch]) await ensureNamespace(client, ns);
  const deployments = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/deployments`;

  const web = await createObject(client, deployments(shop), deploymentBody('web', 1, 'registry.example/shop/web:1.4.2'));
  const crashLoop = await createObject(client, deployments(shop), deploymentBody('checkout', 1, 'registry.example/shop/checkout:0.9.1', { [CRASH_LOOP_LABEL]: 'true' }));
  const unschedulable = await createObject(client, `/api/v1/namespaces/${shop}/pods`, {
    metadata: { name: 'ml-trainer', labels: { app: 'ml-trainer' } },
    spec: { containers: [{ name: 'train', image: 'registry.example/ml/trainer:3.1', resources: { requests: { cpu: '32', memory: '64Gi' } } }] },
  });

  await createObject(client, `/api/v1/namespaces/${billing}/resourcequotas`, { metadata: { name: 'billing-quota' }, spec: { hard: { pods: '1' } } });
  const quotaBlocked = await createObject(client, deployments(billing), deploymentBody('invoices', 3, 'registry.example/billing/invoices:2.0.0'));

  const cronJob = await createObject(client, `/apis/batch/v1/namespaces/${batch}/cronjobs`, {
    metadata: { name: 'report' },
    spec: {
      schedule: '* * * * *',
      successfulJobsHistoryLimit: 2,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'registry.example/batch/report:1.2' }] } } } },
    },
  });

  const websites = `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${shop}/${WEBSITE.plural}`;
  const website = await createObject(client, websites, {
    apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
    kind: WEBSITE.kind,
    metadata: { name: 'storefront' },
    spec: { replicas: 2, image: 'registry.example/shop/storefront:5.2' },
  });
  await createObject(client, deployments(shop), deploymentBody('blog', 1, 'registry.example/shop/blog:1.0'));
  const conflictingWebsite = await createObject(client, websites, {
    apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
    kind: WEBSITE.kind,
    metadata: { name: 'blog' },
    spec: { replicas: 1 },
  });
  // The restricted user's namespace gets a workload of its own, so that context shows real events too.
  await createObject(client, deployments(RESTRICTED_NAMESPACE), deploymentBody('team-app', 1, 'registry.example/team/app:1.0'));

  // Scale-up once the first pod runs: the deployment-controller and replicaset-controller record it.
  void waitForAvailable(client, shop, 'web').then(
    () => client.request(`${deployments(shop)}/web`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } }),
    () => undefined,
  );

  // No real component writes hostile text or lets an event expire on cue: those two are ours.
  const hostile = await recordEvent(client, web, {
    type: 'Warning',
    reason: 'HostileText',
    message: '<img src=x onerror=alert(1)> **bold?** [link](command:workbench.action.quit) \u202Ereversed\u202C `code` <script>alert(2)</script>',
    component: SANDBOX_SOURCE,
  });
  const expiring = await recordEvent(client, web, { reason: 'WillExpire', message: 'Deleted by the sandbox a little later, as the apiserver does when an event outlives --event-ttl', component: SANDBOX_SOURCE });
  const expireTimer = setTimeout(() => {
    client.request(`/api/v1/namespaces/${shop}/events/${expiring.name}`, { method: 'DELETE' }).catch(() => undefined);
  }, opts.expireAfterMs ?? 45_000);
  expireTimer.unref();

  return {
    namespaces: [shop, billing, batch, RESTRICTED_NAMESPACE],
    web,
    quotaBlocked,
    unschedulable,
    crashLoop,
    cronJob,
    website,
    conflictingWebsite,
    hostileEvent: { ...hostile, namespace: shop },
  };
}

async function waitForAvailable(client: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const d = await client.request<{ status?: { availableReplicas?: number } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
    if ((d.status?.availableReplicas ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${namespace}/${name} not available after ${timeoutMs / 1000} s`);
}
