import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { Discovery, type ResourceKind } from '../../src/kube/discovery';
import type { KubeClient } from '../../src/kube/kubeClient';
import { ResourceReader, toYaml } from '../../src/kube/resourceReader';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, createNamespace, uniqueName, useCluster, waitFor } from './support/cluster';

/** A kind name no other test (or leftover of an earlier run) uses, so resolving it by kind alone is unambiguous. */
function uniqueKind(prefix: string): string {
  return prefix + [...randomBytes(4)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

interface Crd {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
}

/** Creates a namespaced CRD with one served version, v1, and waits until the apiserver reports it Established. */
async function createCrd(client: KubeClient, crd: Crd): Promise<void> {
  const name = `${crd.plural}.${crd.group}`;
  await client.request('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    method: 'POST',
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: crd.group,
        scope: 'Namespaced',
        names: { plural: crd.plural, singular: crd.kind.toLowerCase(), kind: crd.kind, listKind: `${crd.kind}List` },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
          },
        ],
      },
    },
  });
  await waitFor(`CRD ${name} Established`, async () => {
    const got = await client.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

async function deleteQuietly(client: KubeClient, path: string): Promise<void> {
  await client.request(path, { method: 'DELETE' }).catch(() => undefined);
}

function find(kinds: readonly ResourceKind[], apiVersion: string, kind: string): ResourceKind | undefined {
  return kinds.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

describe('Discovery against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let restricted: KubeClient;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
    restricted = clientFor(cp, 'restricted');
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    admin?.dispose();
    restricted?.dispose();
  });

  it('lists the workload kinds with their group, plural and scope, and no subresources', async () => {
    const discovery = new Discovery(admin);
    const kinds = await discovery.kinds();
    assert.ok(kinds.ok, kinds.ok ? '' : kinds.message);
    const expect: Array<[string, string, string, boolean]> = [
      ['v1', 'Pod', 'pods', true],
      ['v1', 'ConfigMap', 'configmaps', true],
      ['v1', 'Namespace', 'namespaces', false],
      ['v1', 'Node', 'nodes', false],
      ['apps/v1', 'Deployment', 'deployments', true],
      ['apps/v1', 'ReplicaSet', 'replicasets', true],
      ['batch/v1', 'Job', 'jobs', true],
      ['batch/v1', 'CronJob', 'cronjobs', true],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false],
    ];
    for (const [apiVersion, kind, resource, namespaced] of expect) {
      const k = find(kinds.value, apiVersion, kind);
      assert.ok(k, `${apiVersion} ${kind} is listed`);
      assert.equal(k.resource, resource);
      assert.equal(k.namespaced, namespaced, `${kind} namespaced`);
      assert.ok(k.verbs.includes('list') && k.verbs.includes('get'));
    }
    assert.deepEqual(kinds.value.filter((k) => k.resource.includes('/')), [], 'no subresources');
    assert.equal(kinds.value.filter((k) => k.kind === 'TokenReview').length, 0, 'create-only APIs are not listable kinds');
    assert.equal(kinds.value[0]?.group, '', 'core group first');
    assert.deepEqual(discovery.skippedGroups, []);
  });

  it('resolves kinds case-insensitively, with or without apiVersion, and builds their paths', async () => {
    const discovery = new Discovery(admin);
    const deploy = await discovery.resolve('', 'deployment');
    assert.ok(deploy.ok);
    assert.equal(deploy.value.apiVersion, 'apps/v1');
    assert.equal(discovery.pathFor(deploy.value, 'ns1'), '/apis/apps/v1/namespaces/ns1/deployments');
    assert.equal(discovery.pathFor(deploy.value, 'ns1', 'web'), '/apis/apps/v1/namespaces/ns1/deployments/web');

    const pod = await discovery.resolve(undefined, 'POD');
    assert.ok(pod.ok);
    assert.equal(discovery.pathFor(pod.value, 'ns1', 'web-0'), '/api/v1/namespaces/ns1/pods/web-0');

    const event = await discovery.resolve('', 'Event');
    assert.ok(event.ok);
    assert.equal(event.value.apiVersion, 'v1', 'core/v1 Event wins over events.k8s.io/v1 Event');
    const newEvent = await discovery.resolve('events.k8s.io/v1', 'Event');
    assert.ok(newEvent.ok);
    assert.equal(newEvent.value.group, 'events.k8s.io');

    const ns = await discovery.resolve('v1', 'Namespace');
    assert.ok(ns.ok);
    assert.equal(discovery.pathFor(ns.value, 'ignored', 'default'), '/api/v1/namespaces/default');

    const wrong = await discovery.resolve('v1', 'Deployment');
    assert.ok(!wrong.ok);
    assert.equal(wrong.reason, 'unknown-kind');
    assert.match(wrong.message, /apps\/v1/);
  });

  it('finds a CRD after refresh(), and resolves, reads and lists its custom resources', async () => {
    const crd: Crd = { group: `${uniqueName('disc')}.example.com`, kind: uniqueKind('Widget'), plural: 'widgets' };
    const discovery = new Discovery(admin);
    const before = await discovery.kinds();
    assert.ok(before.ok);
    assert.equal(before.value.filter((k) => k.group === crd.group).length, 0);

    await createCrd(admin, crd);
    cleanups.push(() => deleteQuietly(admin, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.plural}.${crd.group}`));
    const widget = await waitFor(`${crd.kind} in discovery`, async () => {
      const r = await discovery.refresh();
      return r.ok && find(r.value, `${crd.group}/v1`, crd.kind);
    });
    assert.equal(widget.resource, 'widgets');
    assert.equal(widget.namespaced, true);

    const byKind = await discovery.resolve('', crd.kind.toLowerCase());
    assert.ok(byKind.ok);
    assert.equal(byKind.value.apiVersion, `${crd.group}/v1`);
    const byApiVersion = await discovery.resolve(`${crd.group}/v1`, crd.kind);
    assert.ok(byApiVersion.ok);

    const ns = await createNamespace(admin, 'disc-crd');
    const name = uniqueName('w');
    await admin.request(discovery.pathFor(widget, ns), {
      method: 'POST',
      body: { apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name, namespace: ns }, spec: { size: 3, colour: 'yes' } },
    });
    const reader = new ResourceReader(admin, discovery);
    const got = await reader.get({ apiVersion: `${crd.group}/v1`, kind: crd.kind, namespace: ns, name });
    assert.ok(got.ok, got.ok ? '' : got.message);
    assert.deepEqual(got.value.spec, { size: 3, colour: 'yes' });
    assert.equal(got.value.metadata?.name, name);
    const byKindOnly = await reader.get({ kind: crd.kind, namespace: ns, name });
    assert.ok(byKindOnly.ok);

    const yaml = toYaml(got.value);
    assert.ok(yaml.startsWith(`apiVersion: ${crd.group}/v1\nkind: ${crd.kind}\nmetadata:\n`), yaml);
    assert.match(yaml, /spec:\n {2}colour: 'yes'\n {2}size: 3\n|spec:\n {2}size: 3\n {2}colour: 'yes'\n/);
    assert.doesNotMatch(yaml, /managedFields/);
    assert.ok(got.value.metadata?.managedFields, 'the object still has its managedFields');

    const listed = await reader.list({ apiVersion: `${crd.group}/v1`, kind: crd.kind }, ns);
    assert.ok(listed.ok);
    assert.deepEqual(
      listed.value.items.map((i) => [i.name, i.namespace]),
      [[name, ns]],
    );
    assert.equal(listed.value.truncated, false);

    // The CRD's own YAML keeps the schema keys client-node's typed model does not know.
    const crdObj = await reader.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', namespace: '', name: `${crd.plural}.${crd.group}` });
    assert.ok(crdObj.ok);
    assert.match(toYaml(crdObj.value), /x-kubernetes-preserve-unknown-fields: true/);
  });

  it('skips an aggregated API group whose server fails, and still serves every other kind', async () => {
    // An aggregated API server that passes the aggregator's availability checks but answers users with 503,
    // so the group is listed in /apis while its discovery document fails.
    const certDir = path.dirname(cp.caFile);
    const group = `${uniqueName('agg')}.example.com`;
    const backend = https.createServer({ cert: fs.readFileSync(cp.caFile), key: fs.readFileSync(path.join(certDir, 'apiserver.key')) }, (req, res) => {
      const user = String(req.headers['x-remote-user'] ?? '');
      if (!user.startsWith('system:')) {
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('backend is down\n');
      } else if (req.url === `/apis/${group}/v1`) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/v1`, resources: [{ name: 'gizmos', singularName: 'gizmo', namespaced: true, kind: 'Gizmo', verbs: ['get', 'list'] }] }));
      } else {
        res.writeHead(404).end();
      }
    });
    const sockets = new Set<Socket>();
    backend.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const port = (backend.address() as AddressInfo).port;
    const serviceName = uniqueName('agg-backend');
    try {
      await admin.request('/api/v1/namespaces/default/services', {
        method: 'POST',
        body: { apiVersion: 'v1', kind: 'Service', metadata: { name: serviceName }, spec: { type: 'ExternalName', externalName: '127.0.0.1' } },
      });
      await admin.request('/apis/apiregistration.k8s.io/v1/apiservices', {
        method: 'POST',
        body: {
          apiVersion: 'apiregistration.k8s.io/v1',
          kind: 'APIService',
          metadata: { name: `v1.${group}` },
          spec: { group, version: 'v1', service: { namespace: 'default', name: serviceName, port }, insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15 },
        },
      });
      await waitFor(`${group} listed in /apis`, async () => (await admin.request<{ groups: Array<{ name: string }> }>('/apis')).groups.some((g) => g.name === group));

      const warnings: string[] = [];
      const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
      const discovery = new Discovery(admin, { logger: log });
      const kinds = await discovery.kinds();
      assert.ok(kinds.ok, kinds.ok ? '' : kinds.message);
      assert.deepEqual(discovery.skippedGroups, [`${group}/v1`]);
      assert.ok(warnings.some((w) => w.includes(`${group}/v1`) && w.includes('503')), warnings.join('\n'));
      assert.ok(find(kinds.value, 'apps/v1', 'Deployment'));
      assert.ok(find(kinds.value, 'v1', 'Pod'));
      assert.equal(kinds.value.filter((k) => k.group === group).length, 0);

      const gizmo = await discovery.resolve(`${group}/v1`, 'Gizmo');
      assert.ok(!gizmo.ok);
      assert.equal(gizmo.reason, 'unknown-kind');
      assert.match(gizmo.message, new RegExp(`could not be read: ${group.replace(/\./g, '\\.')}/v1`));
    } finally {
      await deleteQuietly(admin, `/apis/apiregistration.k8s.io/v1/apiservices/v1.${group}`);
      await deleteQuietly(admin, `/api/v1/namespaces/default/services/${serviceName}`);
      // The aggregator keeps connections open, some still in the TLS handshake, which closeAllConnections()
      // does not know about; close() alone would wait for them.
      const closed = new Promise((resolve) => backend.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    }
  });

  it('reads objects and pages through name lists, saying when a list was cut short', async () => {
    const ns = await createNamespace(admin, 'disc-read');
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `cm-${i}`;
      names.push(name);
      await admin.request(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } } });
    }
    const discovery = new Discovery(admin);

    const all = await new ResourceReader(admin, discovery, { pageSize: 3 }).list('configmap', ns);
    assert.ok(all.ok, all.ok ? '' : all.message);
    assert.deepEqual(all.value.items.map((i) => i.name).sort(), names);
    assert.ok(all.value.items.every((i) => i.namespace === ns && i.uid.length > 0));
    assert.equal(all.value.truncated, false);

    const exact = await new ResourceReader(admin, discovery, { pageSize: 3, maxListItems: 7 }).list('ConfigMap', ns);
    assert.ok(exact.ok);
    assert.equal(exact.value.items.length, 7);
    assert.equal(exact.value.truncated, false, 'exactly the cap is not truncated');

    const capped = await new ResourceReader(admin, discovery, { pageSize: 3, maxListItems: 5 }).list('ConfigMap', ns);
    assert.ok(capped.ok);
    assert.equal(capped.value.items.length, 5);
    assert.equal(capped.value.truncated, true);

    const namespaces = await new ResourceReader(admin, discovery).list('Namespace', 'ignored-for-cluster-scoped');
    assert.ok(namespaces.ok);
    assert.ok(namespaces.value.items.some((i) => i.name === ns && i.namespace === ''));

    const reader = new ResourceReader(admin, discovery);
    const one = await reader.get({ kind: 'ConfigMap', namespace: ns, name: 'cm-3' });
    assert.ok(one.ok);
    assert.deepEqual(one.value.data, { i: '3' });

    const missing = await reader.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'nope' });
    assert.ok(!missing.ok);
    assert.equal(missing.reason, 'not-found');
    assert.equal(missing.message, `ConfigMap "nope" was not found in namespace "${ns}".`);

    const unknown = await reader.get({ kind: 'Sprocket', namespace: ns, name: 'x' });
    assert.ok(!unknown.ok);
    assert.equal(unknown.reason, 'unknown-kind');

    const noNamespace = await reader.get({ kind: 'ConfigMap', namespace: '', name: 'cm-1' });
    assert.ok(!noNamespace.ok);
    assert.match(noNamespace.message, /needs a namespace/);
  });

  it("tells the restricted user which verb, resource and namespace RBAC refused", async () => {
    const ns = await createNamespace(admin, 'disc-rbac');
    await admin.request(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'secret-ish' } } });
    const reader = new ResourceReader(restricted, new Discovery(restricted));

    const get = await reader.get({ kind: 'ConfigMap', namespace: ns, name: 'secret-ish' });
    assert.ok(!get.ok);
    assert.equal(get.reason, 'forbidden');
    assert.match(get.message, new RegExp(`not allowed to get configmaps in namespace "${ns}"`));
    assert.match(get.message, /^Context "restricted"/);

    const list = await reader.list('Deployment', cp.restrictedNamespace);
    assert.ok(!list.ok);
    assert.equal(list.reason, 'forbidden');
    assert.match(list.message, new RegExp(`not allowed to list deployments\\.apps in namespace "${cp.restrictedNamespace}"`));

    const clusterWide = await reader.list('Namespace');
    assert.ok(!clusterWide.ok);
    assert.match(clusterWide.message, /not allowed to list namespaces \(cluster-scoped\)/);

    const allowed = await reader.list('Pod', cp.restrictedNamespace);
    assert.ok(allowed.ok, allowed.ok ? '' : allowed.message);
  });
});
