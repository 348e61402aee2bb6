import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeEvent } from '../../src/core/events/kubeEvent';
import { OwnerGraph, type OwnerReference } from '../../src/core/owners/ownerGraph';
import { OwnerMemoryFile } from '../../src/host/ownerMemoryFile';
import { Discovery } from '../../src/kube/discovery';
import type { KubeClient } from '../../src/kube/kubeClient';
import { KubeOwnerResolver } from '../../src/kube/ownerResolver';
import { ResourceReader } from '../../src/kube/resourceReader';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, createNamespace, kubeconfigWithServer, uniqueName, useCluster, waitFor } from './support/cluster';
import { TEST_HOLD } from '../support/demoCluster';

interface Created {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly uid: string };
}

/** Creates an object at `path` and returns what the server stored. */
function create(client: KubeClient, path: string, body: object): Promise<Created> {
  return client.request<Created>(path, { method: 'POST', body });
}

function ownedBy(owner: Created, controller = true): OwnerReference[] {
  return [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller }];
}

const POD_SPEC = { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] };
const LABELS = { app: 'web' };
/** A node that does not exist: the scheduler and kwok leave Pods bound to it alone. */
const ABSENT_NODE = 'worker-1';

function resolverFor(client: KubeClient): KubeOwnerResolver {
  return new KubeOwnerResolver(new ResourceReader(client, new Discovery(client)));
}

/** The event-side reference of a created object, as OwnerGraph.learn gets it. */
function refOf(o: Created): { apiVersion: string; kind: string; namespace: string; name: string; uid: string } {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid: o.metadata.uid };
}

describe('KubeOwnerResolver against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let restricted: KubeClient;
  let ns: string;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
    restricted = clientFor(cp, 'restricted');
    ns = await createNamespace(admin, 'owners');
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    admin?.dispose();
    restricted?.dispose();
  });

  it('learns Deployment → ReplicaSet → Pod and answers under: for each level', async () => {
    // When npm test runs the controllers, they must leave this hand-made chain alone: the Deployment is
    // paused (no ReplicaSet of its own), and the Pod's owner reference is not a controller one and its
    // labels do not match, so the ReplicaSet controller neither adopts, releases nor deletes it. The
    // ReplicaSet carries the Deployment's labels, or the deployment controller would release it.
    const deploy = await create(admin, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { paused: true, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: POD_SPEC } },
    });
    const rs = await create(admin, `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d4f8', labels: LABELS, ownerReferences: ownedBy(deploy) },
      spec: { selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: POD_SPEC } },
    });
    const pod = await create(admin, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-5d4f8-x2k', labels: { role: 'resolver-test' }, ownerReferences: ownedBy(rs, false) },
      spec: POD_SPEC,
    });

    const resolver = resolverFor(admin);
    const direct = await resolver.getOwners(refOf(pod));
    assert.ok(direct.ok, direct.ok ? '' : direct.message);
    assert.equal(direct.value.uid, pod.metadata.uid);
    assert.equal(direct.value.namespace, ns);
    // The resolver keeps `controller` only when it is true.
    assert.deepEqual(direct.value.ownerReferences, [{ apiVersion: rs.apiVersion, kind: rs.kind, name: rs.metadata.name, uid: rs.metadata.uid }]);

    const graph = new OwnerGraph(resolver);
    await graph.learn(refOf(pod));
    const podRef = { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid };
    assert.ok(graph.isUnder(podRef, { kind: 'Deployment', namespace: ns, name: 'web' }));
    assert.ok(graph.isUnder(podRef, { kind: 'replicaset', name: 'web-5d4f8' }));
    assert.ok(!graph.isUnder(podRef, { kind: 'Deployment', namespace: ns, name: 'api' }));
    assert.ok(!graph.isUnder(podRef, { kind: 'Deployment', namespace: 'elsewhere', name: 'web' }));
    assert.deepEqual(
      graph.ancestors(podRef).map((a) => `${a.kind}/${a.name}`),
      ['ReplicaSet/web-5d4f8', 'Deployment/web'],
    );
    assert.equal(graph.lookup({ kind: 'Deployment', namespace: ns, name: 'web' })?.uid, deploy.metadata.uid);
    graph.dispose();
  });

  it('learns CronJob → Job → Pod', async () => {
    const cron = await create(admin, `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } } } },
    });
    const job = await create(admin, `/apis/batch/v1/namespaces/${ns}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'nightly-29000000', ownerReferences: ownedBy(cron) },
      spec: { template: { spec: { ...POD_SPEC, restartPolicy: 'Never' } } },
    });
    const pod = await create(admin, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nightly-29000000-abcde', ownerReferences: ownedBy(job) },
      spec: { ...POD_SPEC, restartPolicy: 'Never' },
    });

    const graph = new OwnerGraph(resolverFor(admin));
    await graph.learn(refOf(pod));
    const podRef = { kind: 'Pod', namespace: ns, name: pod.metadata.name };
    assert.ok(graph.isUnder(podRef, { kind: 'CronJob', namespace: ns, name: 'nightly' }));
    assert.ok(graph.isUnder(podRef, { kind: 'Job', namespace: ns, name: 'nightly-29000000' }));
    assert.ok(!graph.isUnder(podRef, { kind: 'Deployment', namespace: ns, name: 'web' }));
    graph.dispose();
  });

  it('learns a custom resource that owns a ConfigMap, and a cluster-scoped owner', async () => {
    const group = `${uniqueName('owners')}.example.com`;
    const kind = 'Widget' + [...randomBytes(4)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
    const crdName = `widgets.${group}`;
    const discovery = new Discovery(admin, { missRefreshMs: 0 });
    assert.ok((await discovery.kinds()).ok);
    await create(admin, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    cleanups.push(() => admin.request(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`, { method: 'DELETE' }).then(() => undefined, () => undefined));
    await waitFor(`CRD ${crdName} Established`, async () => {
      const got = await admin.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`);
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    // The resource may be served a moment after Established.
    const widget = await waitFor(`${kind} accepted`, () =>
      create(admin, `/apis/${group}/v1/namespaces/${ns}/widgets`, { apiVersion: `${group}/v1`, kind, metadata: { name: 'blue' }, spec: { size: 1 } }).catch(() => undefined),
    );
    const cm = await create(admin, `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'blue-config', ownerReferences: ownedBy(widget) },
    });

    // Discovery read before the CRD existed: a miss re-reads it (here at once; by default when 10 s old).
    const found = await waitFor(`${kind} resolvable`, async () => {
      const r = await discovery.resolve(`${group}/v1`, kind);
      return r.ok && r.value;
    });
    assert.equal(found.resource, 'widgets');
    const graph = new OwnerGraph(new KubeOwnerResolver(new ResourceReader(admin, discovery)));
    await graph.learn(refOf(cm));
    const cmRef = { kind: 'ConfigMap', namespace: ns, name: 'blue-config' };
    assert.ok(graph.isUnder(cmRef, { kind, namespace: ns, name: 'blue' }));
    assert.equal(graph.lookup({ kind, namespace: ns, name: 'blue' })?.uid, widget.metadata.uid);

    // A namespaced object owned by a cluster-scoped one: the owner is asked for under the ConfigMap's namespace
    // and answers with namespace ''.
    const role = await create(admin, '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: uniqueName('owner-role') },
      rules: [],
    });
    cleanups.push(() => admin.request(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.metadata.name}`, { method: 'DELETE' }).then(() => undefined, () => undefined));
    const owned = await create(admin, `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'role-config', ownerReferences: ownedBy(role, false) },
    });
    const direct = await new KubeOwnerResolver(new ResourceReader(admin, discovery)).getOwners({ ...refOf(role), namespace: ns });
    assert.ok(direct.ok);
    assert.equal(direct.value.namespace, '');
    await graph.learn(refOf(owned));
    assert.ok(graph.isUnder({ kind: 'ConfigMap', namespace: ns, name: 'role-config' }, { kind: 'ClusterRole', namespace: '', name: role.metadata.name }));
    graph.dispose();
  });

  it("answers 'forbidden' to the restricted user for an object outside its namespace", async () => {
    const pod = await create(admin, `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'private' }, spec: POD_SPEC });
    const r = await resolverFor(restricted).getOwners(refOf(pod));
    assert.ok(!r.ok);
    assert.equal(r.reason, 'forbidden');
    assert.match(r.message, new RegExp(`not allowed to get pods in namespace "${ns}"`));

    const inOwn = await resolverFor(restricted).getOwners({ apiVersion: 'v1', kind: 'Pod', namespace: cp.restrictedNamespace, name: 'absent' });
    assert.ok(!inOwn.ok);
    assert.equal(inOwn.reason, 'not-found', 'where it may read, a missing pod is not-found, not forbidden');
  });

  it("answers 'not-found', 'unknown-kind' and 'unavailable'", async () => {
    const resolver = resolverFor(admin);
    const missing = await resolver.getOwners({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: ns, name: 'never-created' });
    assert.ok(!missing.ok);
    assert.equal(missing.reason, 'not-found');
    assert.match(missing.message, /ReplicaSet "never-created" was not found/);

    const unknown = await resolver.getOwners({ apiVersion: 'nothing.example.com/v1', kind: 'Nothing', namespace: ns, name: 'x' });
    assert.ok(!unknown.ok);
    assert.equal(unknown.reason, 'unknown-kind');

    const closed = clientFor(cp, 'admin', kubeconfigWithServer(cp, 'https://127.0.0.1:1'));
    try {
      const down = await resolverFor(closed).getOwners({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'x' });
      assert.ok(!down.ok);
      assert.equal(down.reason, 'unavailable');
      assert.match(down.message, /connection refused/);
    } finally {
      closed.dispose();
    }
  });
  it('keeps deleted Pods under their Deployment: remembered on disk, named by an event, or by their name', async () => {
    // When npm test runs the controllers, only this test may delete these Pods (left to them, the ReplicaSet
    // controller creates a Pod of its own before it sees ours, then deletes the surplus, ours among it). So,
    // as in test/e2e/ownerReload.test.ts: the Deployment is paused with no replicas (no ReplicaSet of its
    // own, nothing to scale); the ReplicaSet has no replicas and is terminating before its Pods exist, held
    // by a finalizer of ours (its controller neither creates nor deletes Pods for it, and the garbage
    // collector waits for it to be gone); the Pods are bound to a node that does not exist (the scheduler
    // and kwok leave them alone).
    const deploy = await create(admin, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: { paused: true, replicas: 0, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: POD_SPEC } },
    });
    const rsPath = `/apis/apps/v1/namespaces/${ns}/replicasets/shop-6c7d8f9b5`;
    const rs = await create(admin, `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'shop-6c7d8f9b5', labels: LABELS, ownerReferences: ownedBy(deploy), finalizers: [TEST_HOLD] },
      spec: { replicas: 0, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: POD_SPEC } },
    });
    cleanups.push(() => admin.request(rsPath, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } }).then(() => undefined, () => undefined));
    await admin.request(rsPath, { method: 'DELETE' });
    const pod = (name: string) =>
      create(admin, `/api/v1/namespaces/${ns}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: LABELS, ownerReferences: ownedBy(rs) },
        spec: { ...POD_SPEC, nodeName: ABSENT_NODE },
      });
    const adopted = await pod('adopted-one');
    const named = await pod('named-by-event');
    const generated = await pod('shop-6c7d8f9b5-x2k4q');
    // The ReplicaSet controller's event, as the apiserver stores and returns it.
    const written = await admin.request<{ metadata: { name: string } }>(`/api/v1/namespaces/${ns}/events`, {
      method: 'POST',
      body: {
        metadata: { name: `${rs.metadata.name}.${randomBytes(6).toString('hex')}` },
        involvedObject: { apiVersion: rs.apiVersion, kind: rs.kind, namespace: ns, name: rs.metadata.name, uid: rs.metadata.uid },
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${named.metadata.name}`,
        source: { component: 'replicaset-controller' },
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
        count: 1,
      },
    });
    const event = normalizeEvent(await admin.request(`/api/v1/namespaces/${ns}/events/${written.metadata.name}`), 'core/v1');
    assert.ok(event);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'owner-memory-'));
    const memory = () => new OwnerMemoryFile(dir, { server: admin.server, user: admin.userName });
    const first = new OwnerGraph(resolverFor(admin), { memory: memory() });
    await first.learn(refOf(adopted));
    await first.flush();
    first.dispose();

    for (const p of [adopted, named, generated]) {
      await admin.request(`/api/v1/namespaces/${ns}/pods/${p.metadata.name}`, { method: 'DELETE', query: { gracePeriodSeconds: 0 } });
    }
    await waitFor('the Pods to answer 404', async () => (await resolverFor(admin).getOwners(refOf(adopted))).ok === false);

    const root = { kind: 'Deployment', namespace: ns, name: 'shop' };
    const forgetful = new OwnerGraph(resolverFor(admin));
    await forgetful.learn(refOf(adopted));
    assert.equal(forgetful.isUnder(refOf(adopted), root), false, 'without memory the 404 loses the chain');
    forgetful.dispose();

    const second = new OwnerGraph(resolverFor(admin), { memory: memory() });
    second.observe(event);
    const stray = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'never-owned', uid: 'x' };
    for (const r of [refOf(adopted), refOf(named), refOf(generated), stray]) await second.learn(r);
    for (const p of [adopted, named, generated]) assert.ok(second.isUnder(refOf(p), root), `${p.metadata.name} is under the Deployment`);
    assert.equal(second.ownerUnknown(stray), true);
    assert.deepEqual([adopted, named, generated].map((p) => second.ownerUnknown(refOf(p))), [false, false, false]);
    second.dispose();
  });
});
