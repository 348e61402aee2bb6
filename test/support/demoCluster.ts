/**
 * Realistic demo content for the sandbox and the UI suite: workloads with explicit ownerReferences (no
 * controllers run on the test control plane) and the events their controllers and kubelets would record.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/kubeClient';

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

function ownerRef(o: DemoObject): Record<string, unknown> {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, controller: true, blockOwnerDeletion: true };
}

const POD_SPEC = { containers: [{ name: 'app', image: 'registry.example/shop/web:1.4.2' }] };

type Stored = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; uid: string } };

/** Creates the object, or reads it when it exists already (a sandbox restarted on the same etcd). */
async function create(client: KubeClient, path: string, body: Record<string, unknown>): Promise<DemoObject> {
  let o: Stored;
  try {
    o = await client.request<Stored>(path, { method: 'POST', body });
  } catch (err) {
    if ((err as { status?: number }).status !== 409) throw err;
    o = await client.request<Stored>(`${path}/${(body.metadata as { name: string }).name}`);
  }
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid: o.metadata.uid };
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
  const labels = { app: 'web' };
  const deployment = await create(client, `/apis/apps/v1/namespaces/${shop}/deployments`, {
    metadata: { name: 'web', labels },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: POD_SPEC } },
  });
  const replicaSet = await create(client, `/apis/apps/v1/namespaces/${shop}/replicasets`, {
    metadata: { name: 'web-7c9d8f6b5', labels: { ...labels, 'pod-template-hash': '7c9d8f6b5' }, ownerReferences: [ownerRef(deployment)] },
    spec: { replicas: 2, selector: { matchLabels: { ...labels, 'pod-template-hash': '7c9d8f6b5' } }, template: { metadata: { labels: { ...labels, 'pod-template-hash': '7c9d8f6b5' } }, spec: POD_SPEC } },
  });
  const pods: DemoObject[] = [];
  for (const suffix of ['x2k4q', 'm8p1z']) {
    pods.push(
      await create(client, `/api/v1/namespaces/${shop}/pods`, {
        metadata: { name: `web-7c9d8f6b5-${suffix}`, labels: { ...labels, 'pod-template-hash': '7c9d8f6b5' }, ownerReferences: [ownerRef(replicaSet)] },
        spec: POD_SPEC,
      }),
    );
  }
  const jobTemplate = { spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } } };
  const cronJob = await create(client, `/apis/batch/v1/namespaces/${batch}/cronjobs`, {
    metadata: { name: 'nightly-report' },
    spec: { schedule: '0 2 * * *', jobTemplate },
  });
  const job = await create(client, `/apis/batch/v1/namespaces/${batch}/jobs`, {
    metadata: { name: 'nightly-report-29410560', ownerReferences: [ownerRef(cronJob)] },
    spec: { ...jobTemplate.spec, template: { ...jobTemplate.spec.template, metadata: { labels: { 'batch.kubernetes.io/job-name': 'nightly-report-29410560' } } } },
  }).catch(async () =>
    // Older apiservers want the selector-generated labels; fall back to manualSelector.
    create(client, `/apis/batch/v1/namespaces/${batch}/jobs`, {
      metadata: { name: 'nightly-report-29410560', ownerReferences: [ownerRef(cronJob)] },
      spec: { manualSelector: true, selector: { matchLabels: { job: 'nightly' } }, template: { metadata: { labels: { job: 'nightly' } }, spec: { ...POD_SPEC, restartPolicy: 'Never' } } },
    }),
  );
  const jobPod = await create(client, `/api/v1/namespaces/${batch}/pods`, {
    metadata: { name: 'nightly-report-29410560-q7v2d', ownerReferences: [ownerRef(job)] },
    spec: { ...POD_SPEC, restartPolicy: 'Never' },
  });

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
