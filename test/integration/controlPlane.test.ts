// The test control plane itself: client-node round trip, the restricted user's RBAC, and an apiserver
// restart that keeps etcd's data. Uses KUBE_EVENTS_CLUSTER_DIR (from `npm run cluster:up`) when set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { attachControlPlane, startControlPlane, type ControlPlane } from '../cluster/controlPlane';

describe('test control plane', () => {
  let cp: ControlPlane | undefined;
  let ownCluster = false;
  const namespace = `it-cp-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const eventName = 'kube-events-roundtrip';
  // The API keeps whole seconds for metav1.Time, so compare with a value that has none.
  const firstSeen = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const lastSeen = new Date(firstSeen.getTime() + 30_000);

  function kubeConfig(context: 'admin' | 'restricted'): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cp!.kubeconfigPath);
    kc.setCurrentContext(context);
    return kc;
  }

  function client(context: 'admin' | 'restricted'): k8s.CoreV1Api {
    return kubeConfig(context).makeApiClient(k8s.CoreV1Api);
  }

  function simpleEvent(name: string): k8s.CoreV1Event {
    return {
      metadata: { name, namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace },
      reason: 'Compaction',
      message: name,
      type: 'Normal',
    };
  }

  async function statusOf(p: Promise<unknown>): Promise<number> {
    try {
      await p;
      return 200;
    } catch (err) {
      if (err instanceof k8s.ApiException) return err.code;
      throw err;
    }
  }

  before(async () => {
    const dir = process.env.KUBE_EVENTS_CLUSTER_DIR;
    if (dir) {
      cp = await attachControlPlane(dir);
    } else {
      ownCluster = true;
      cp = await startControlPlane({ log: (m) => console.log(`# ${m}`) });
    }
    await client('admin').createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    if (ownCluster) await cp?.stop();
  });

  it('creates a core/v1 Event and reads it back with the same fields', async () => {
    const core = client('admin');
    const body: k8s.CoreV1Event = {
      metadata: { name: eventName, namespace, labels: { 'kube-events.test/case': 'roundtrip' } },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace, uid: '6f1c1c9e-0000-4000-8000-000000000001' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container web in pod web-0',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-a' },
      count: 3,
      firstTimestamp: firstSeen,
      lastTimestamp: lastSeen,
    };
    const created = await core.createNamespacedEvent({ namespace, body });
    assert.ok(created.metadata.resourceVersion, 'server assigns a resourceVersion');

    const read = await core.readNamespacedEvent({ name: eventName, namespace });
    assert.equal(read.metadata.name, eventName);
    assert.equal(read.metadata.namespace, namespace);
    assert.equal(read.metadata.uid, created.metadata.uid);
    assert.deepEqual({ ...read.metadata.labels }, body.metadata.labels);
    // client-node deserialises into model classes; compare plain own fields.
    assert.deepEqual({ ...read.involvedObject }, body.involvedObject);
    assert.equal(read.reason, body.reason);
    assert.equal(read.message, body.message);
    assert.equal(read.type, body.type);
    assert.deepEqual({ ...read.source }, body.source);
    assert.equal(read.count, 3);
    assert.equal(read.firstTimestamp?.getTime(), firstSeen.getTime());
    assert.equal(read.lastTimestamp?.getTime(), lastSeen.getTime());
  });

  it('gives the restricted user 403 cluster-wide and access in its namespace', async () => {
    const restricted = client('restricted');
    assert.equal(await statusOf(restricted.listEventForAllNamespaces()), 403);
    assert.equal(await statusOf(restricted.listNamespacedEvent({ namespace })), 403, 'no rights in other namespaces');
    const list = await restricted.listNamespacedEvent({ namespace: cp!.restrictedNamespace });
    assert.ok(Array.isArray(list.items));
    assert.equal(await statusOf(restricted.listNamespacedPod({ namespace: cp!.restrictedNamespace })), 200);
  });

  it('keeps data across an apiserver restart', async () => {
    const before = await client('admin').readNamespacedEvent({ name: eventName, namespace });
    await cp!.stopApiserver();
    await assert.rejects(client('admin').readNamespacedEvent({ name: eventName, namespace }), 'apiserver is down');
    await cp!.startApiserver();
    const afterRestart = await client('admin').readNamespacedEvent({ name: eventName, namespace });
    assert.equal(afterRestart.metadata.uid, before.metadata.uid);
    assert.equal(afterRestart.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(afterRestart.message, before.message);
  });

  it('compact() makes older resourceVersions of events 410 Gone', async () => {
    const core = client('admin');
    const old = (await core.createNamespacedEvent({ namespace, body: simpleEvent('compact-a') })).metadata.resourceVersion!;
    // A watch from `old` starts at old+1, so two later writes put that start below the compaction point.
    await core.createNamespacedEvent({ namespace, body: simpleEvent('compact-b') });
    await core.createNamespacedEvent({ namespace, body: simpleEvent('compact-c') });
    const revision = await cp!.compact();
    assert.ok(revision > Number(old) + 1, `compacted at ${revision}, after ${old}`);

    // Events bypass the watch cache (kube-apiserver's default), so both requests reach etcd.
    assert.equal(await statusOf(core.listNamespacedEvent({ namespace, resourceVersion: old, resourceVersionMatch: 'Exact' })), 410);
    const watchError = await new Promise<{ phase: string; code: unknown }>((resolve, reject) => {
      let controller: AbortController | undefined;
      const timer = setTimeout(() => reject(new Error('no watch error within 10 s')), 10_000);
      const finish = (v: { phase: string; code: unknown }): void => {
        clearTimeout(timer);
        controller?.abort();
        resolve(v);
      };
      new k8s.Watch(kubeConfig('admin'))
        .watch(`/api/v1/namespaces/${namespace}/events`, { resourceVersion: old }, (phase, obj: { code?: unknown }) => finish({ phase, code: obj.code }), (err: unknown) => {
          if (err && !controller?.signal.aborted) reject(err instanceof Error ? err : new Error('the watch failed'));
        })
        .then((c) => (controller = c), reject);
    });
    assert.deepEqual(watchError, { phase: 'ERROR', code: 410 });
  });
});
