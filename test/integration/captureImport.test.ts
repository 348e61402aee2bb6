// Captures against the real apiserver (issue 22 §2 and §3): events created through core/v1 and events.k8s.io/v1 are
// - dumped by kubectl itself (`get events -A -o json`, and the events.k8s.io/v1 view), imported by readCapture, and
//   compared with what kubectl printed (uids, reasons, counts) and with what was created;
// - watched live by a real ClusterSession, written as a capture (writeCapture), read back, and compared field by
//   field with the live store and, as an outside judge, with kubectl's view of the same events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { readCapture, writeCapture } from '../../src/capture/captureFile';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture } from '../../src/core/capture/capture';
import { clusterFileStem } from '../../src/core/clusterIdentity';
import { ClusterSession } from '../../src/kube/clusterSession';
import type { KubeClient } from '../../src/kube/kubeClient';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, createCoreEvent, createNamespace, useCluster, waitFor } from './support/cluster';

interface KubectlEvent {
  readonly apiVersion?: string;
  readonly metadata: { readonly uid: string; readonly namespace: string };
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
  readonly count?: number;
  readonly series?: { readonly count?: number };
  readonly deprecatedCount?: number;
}

function kubectl(cp: ControlPlane, args: readonly string[]): string {
  return execFileSync('kubectl', ['--kubeconfig', cp.kubeconfigPath, '--context', 'admin', ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
}

/** The count kubectl's item says, as the extension counts it: `count`, else the series' count, else 1. */
function countOf(item: KubectlEvent): number {
  const legacy = item.apiVersion?.startsWith('events.k8s.io/') ? item.deprecatedCount : item.count;
  if (legacy && legacy > 0) return legacy;
  return item.series?.count && item.series.count > 0 ? item.series.count : 1;
}

describe('import of `kubectl get events -o json` (real kube-apiserver and kubectl)', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let ns: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-import-'));
  const created = new Map<string, { reason: string; count: number }>();

  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
    ns = await createNamespace(admin, 'import');
    for (let i = 0; i < 30; i++) {
      const reason = ['Scheduled', 'Pulled', 'BackOff'][i % 3];
      const e = await createCoreEvent(admin, ns, { reason, count: 1 + (i % 4), type: reason === 'BackOff' ? 'Warning' : 'Normal', message: `message ${i} <with> "quotes" & ünïcødé`, involvedObject: { kind: 'Pod', name: `web-${i % 5}` } });
      created.set(e.metadata.uid, { reason, count: 1 + (i % 4) });
    }
    for (let i = 0; i < 5; i++) {
      const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
      const e = await admin.request<{ metadata: { uid: string } }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
        method: 'POST',
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name: `web-0.v1-${i}`, namespace: ns },
          eventTime: now,
          series: { count: 2 + i, lastObservedTime: now },
          reportingController: 'example.com/import-test',
          reportingInstance: 'import-test-0',
          action: 'Reconciling',
          reason: 'SeriesV1',
          note: `note ${i}`,
          type: 'Normal',
          regarding: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-0' },
        },
      });
      created.set(e.metadata.uid, { reason: 'SeriesV1', count: 2 + i });
    }
  });
  after(async () => {
    await admin?.request(`/api/v1/namespaces/${ns}`, { method: 'DELETE' }).catch(() => undefined);
    admin?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports every event kubectl dumped with -A, with its uid, reason and count, plain and gzipped', async () => {
    const dump = kubectl(cp, ['get', 'events', '-A', '-o', 'json']);
    const items = (JSON.parse(dump) as { items: KubectlEvent[] }).items;
    const plain = path.join(dir, 'events.json');
    fs.writeFileSync(plain, dump);
    const gzipped = path.join(dir, 'events.json.gz');
    fs.writeFileSync(gzipped, zlib.gzipSync(dump));
    for (const file of [plain, gzipped]) {
      const r = await readCapture(file);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.equal(r.value.header.origin, 'kubectl');
      assert.equal(r.value.events.length, items.length, 'one event per item');
      const kubectlSays = new Map(items.map((i) => [i.metadata.uid, `${i.metadata.namespace} ${i.reason ?? ''} ×${countOf(i)}`]));
      const weSay = new Map(r.value.events.map((e) => [e.uid, `${e.namespace} ${e.reason} ×${e.count}`]));
      assert.deepEqual(weSay, kubectlSays);
      const ours = r.value.events.filter((e) => e.namespace === ns);
      assert.equal(ours.length, created.size, 'every event created here is in the dump');
      for (const e of ours) assert.deepEqual({ reason: e.reason, count: e.count }, created.get(e.uid), e.uid);
      const first = ours.find((e) => e.message.startsWith('message 0 '));
      assert.equal(first?.message, 'message 0 <with> "quotes" & ünïcødé', 'the message reads back whole');
      assert.ok(r.value.header.from <= r.value.header.to && r.value.header.to > 0);
    }
  });

  it('imports `kubectl get events.events.k8s.io -o json`: the events.k8s.io/v1 view of the same events', async () => {
    const dump = kubectl(cp, ['get', 'events.v1.events.k8s.io', '-n', ns, '-o', 'json']);
    const items = (JSON.parse(dump) as { items: KubectlEvent[] }).items;
    assert.ok(items.every((i) => i.apiVersion === 'events.k8s.io/v1'));
    const file = path.join(dir, 'events-v1.json');
    fs.writeFileSync(file, dump);
    const r = await readCapture(file);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.events.length, created.size);
    for (const e of r.value.events) {
      assert.equal(e.api, 'events.k8s.io/v1');
      assert.deepEqual({ reason: e.reason, count: e.count }, created.get(e.uid), e.uid);
    }
    const series = r.value.events.filter((e) => e.reason === 'SeriesV1');
    assert.deepEqual(series.map((e) => e.series?.count).sort(), [2, 3, 4, 5, 6]);
    assert.ok(series.every((e) => e.reportingController === 'example.com/import-test' && e.action === 'Reconciling' && e.message.startsWith('note ')));
  });

  it('writes the events a live session watched as a capture and reads them back whole, as kubectl sees them', async () => {
    const session = new ClusterSession({ kubeconfig: { path: cp.kubeconfigPath, context: 'admin' }, scope: { kind: 'list', names: [ns] } });
    try {
      session.connect();
      await waitFor('the live store holds every event created', () => [...created.keys()].every((uid) => session.store.has(uid)), 30_000);
      const live = session.store.snapshot().filter((e) => e.namespace === ns);
      const scope = session.connectionScope;
      assert.ok(scope, 'connected');
      const capture: Capture = {
        header: {
          format: CAPTURE_FORMAT,
          version: CAPTURE_VERSION,
          created: new Date().toISOString(),
          from: Math.min(...live.map((e) => e.firstSeen)),
          to: Math.max(...live.map((e) => e.lastSeen)),
          query: `namespace:${ns}`,
          clusters: [{ name: session.contextName, id: clusterFileStem(scope.identity, (t) => createHash('sha256').update(t).digest('hex')) }],
          origin: 'kube-events',
        },
        events: live,
        owners: [],
        sessions: [{ id: 's1', name: 'Launch controller', type: 'go', controller: 'example.com/import-test', start: Date.now() - 60_000, end: Date.now(), stops: [{ kind: 'stopped', at: Date.now() - 30_000, reason: 'breakpoint', uid: live[0].uid }] }],
      };
      const file = path.join(dir, 'live.kecapture');
      await writeCapture(file, capture);
      const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
      assert.ok(!text.includes(cp.server), 'no server address unless asked');
      const r = await readCapture(file);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual(r.value.header, capture.header);
      assert.deepEqual(r.value.sessions, capture.sessions);
      // Every field of every event, as the live store held it (the store's strings are pooled, the read's too).
      const byUid = (events: readonly { uid: string }[]) => [...events].sort((a, b) => a.uid.localeCompare(b.uid));
      assert.deepEqual(byUid(r.value.events), byUid(live));
      // The outside judge: kubectl's own view of the namespace, item by item.
      const items = (JSON.parse(kubectl(cp, ['get', 'events', '-n', ns, '-o', 'json'])) as { items: KubectlEvent[] }).items;
      const kubectlSays = new Map(items.map((i) => [i.metadata.uid, `${i.type ?? ''} ${i.reason ?? ''} ×${countOf(i)} ${i.involvedObject?.kind ?? ''}/${i.involvedObject?.name ?? ''} ${i.message ?? ''}`]));
      const captureSays = new Map(r.value.events.map((e) => [e.uid, `${e.type} ${e.reason} ×${e.count} ${e.regarding.kind}/${e.regarding.name} ${e.message}`]));
      assert.deepEqual(captureSays, kubectlSays);
      assert.equal(r.value.events.length, created.size);
    } finally {
      session.dispose();
    }
  });
});
