// "Emitted from VS Code" is judged by what the recorder sent, not by fields anyone may write. Against the real
// apiserver: events created by someone else (the admin through the API, and kubectl) with our reporting
// controller, source and instance are not ours; events our recorder wrote are, created and patched, through
// both APIs, and still are in a later window that finds them in history.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUR_REPORTING_CONTROLLER, type KubeEvent } from '../../src/core/events/kubeEvent';
import type { ClusterSession } from '../../src/kube/clusterSession';
import type { KubeClient } from '../../src/kube/kubeClient';
import type { RecordResult } from '../../src/kube/recorder';
import type { ControlPlane } from '../cluster/controlPlane';
import { clientFor, openHistoryWindow, createNamespace, useCluster, waitFor } from './support/cluster';


function named(session: ClusterSession, reason: string): KubeEvent | undefined {
  return [...session.store.all()].find((e) => e.reason === reason);
}

function created(r: RecordResult): string {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value.name;
}

/** Everything a recorder of ours would put in an event, written by someone else. */
function lookalike(namespace: string, name: string, reason: string): object {
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace, annotations: { 'kube-events.dev/emitted-by': 'vscode' } },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: 'web-0' },
    type: 'Warning',
    reason,
    message: 'looks emitted from VS Code',
    source: { component: OUR_REPORTING_CONTROLLER, host: os.hostname() },
    reportingComponent: OUR_REPORTING_CONTROLLER,
    reportingInstance: os.hostname(),
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
  };
}

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('events marked as ours: by what our recorder sent (real kube-apiserver)', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let ns: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-ours-'));
  let window: ReturnType<typeof openHistoryWindow> | undefined;

  before(async () => {
    cp = await useCluster();
    admin = clientFor(cp, 'admin');
    ns = await createNamespace(admin, 'ours');
  });
  after(async () => {
    window?.session.dispose();
    // The worker closes its file asynchronously: removed before that, the folder was not empty (ENOTEMPTY in CI).
    await window?.history.shutdown();
    admin?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lookalikes from the API and kubectl are not ours; what the recorder created or patched is', async () => {
    window = openHistoryWindow(cp, ns, dir);
    const { session } = window;
    session.connect();
    await waitFor('the stream to go live', () => session.state.phase === 'live', 20_000);

    // Someone else, with every field our recorder sets: core/v1 through the API, events.k8s.io/v1 too, and kubectl.
    await admin.request(`/api/v1/namespaces/${ns}/events`, { method: 'POST', body: lookalike(ns, 'web-0.forged-core', 'ForgedCore') });
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await admin.request(`/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      method: 'POST',
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name: 'web-0.forged-v1', namespace: ns },
        regarding: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-0' },
        type: 'Normal',
        reason: 'ForgedV1',
        action: 'Testing',
        note: 'looks emitted from VS Code',
        eventTime: now,
        reportingController: OUR_REPORTING_CONTROLLER,
        reportingInstance: `${OUR_REPORTING_CONTROLLER}-${os.hostname()}`,
      },
    });
    const kubectl = hasKubectl();
    if (kubectl) {
      execFileSync('kubectl', ['--kubeconfig', cp.kubeconfigPath, '--context', 'admin', 'create', '-f', '-'], { input: JSON.stringify(lookalike(ns, 'web-0.forged-kubectl', 'ForgedKubectl')), stdio: ['pipe', 'ignore', 'inherit'] });
    }

    // Ours, through the session's own recorder (what Emit Test Event… calls).
    const recorder = session.connectionScope!.recorder;
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'web-0' };
    const coreName = created(await recorder.emit({ object: pod, type: 'Warning', reason: 'EmittedCore', message: 'from the recorder', flavour: 'core/v1' }));
    created(await recorder.emit({ object: pod, type: 'Normal', reason: 'EmittedV1', action: 'Testing', message: 'from the recorder', flavour: 'events.k8s.io/v1' }));
    // A repeat: client-go's correlator patches the first event's count.
    const repeat = await recorder.emit({ object: pod, type: 'Warning', reason: 'EmittedCore', message: 'from the recorder', flavour: 'core/v1' });
    assert.ok(repeat.ok && repeat.value.outcome === 'patched' && repeat.value.name === coreName, repeat.ok ? repeat.value.outcome : repeat.message);

    const forgedReasons = ['ForgedCore', 'ForgedV1', ...(kubectl ? ['ForgedKubectl'] : [])];
    const all = await waitFor('every event in the store', () => {
      const found = [...forgedReasons, 'EmittedCore', 'EmittedV1'].map((r) => named(session, r)).filter((e) => e !== undefined);
      return found.length === forgedReasons.length + 2 && named(session, 'EmittedCore')!.count === 2 && found;
    }, 20_000);
    const ours = Object.fromEntries(all.map((e) => [e.reason, e.ours]));
    assert.deepEqual(ours, { ...Object.fromEntries(forgedReasons.map((r) => [r, false])), EmittedCore: true, EmittedV1: true });
    for (const r of forgedReasons) assert.equal(named(session, r)!.reportingController, OUR_REPORTING_CONTROLLER, `${r} carries our reporting controller`);
  });

  it('a later window finds ours in history and keeps the mark through the list and later changes', async () => {
    assert.ok(window, 'the first test ran');
    const first = window.session;
    const emitted = named(first, 'EmittedCore')!;
    await waitFor('history to have written', async () => {
      await window!.history.flush();
      return (await window!.history.database?.query({ limit: 100, namespaces: [ns] }))?.some((e) => e.uid === emitted.uid && e.ours);
    }, 20_000);
    first.dispose();
    await window.history.shutdown();

    window = openHistoryWindow(cp, ns, dir);
    const second = window.session;
    second.connect();
    await waitFor('seeded from history as ours', () => second.store.get(emitted.uid)?.ours === true, 10_000);
    await waitFor('the stream to go live', () => second.state.phase === 'live', 20_000);
    // Someone else changes our event (a new resourceVersion): it is still the event our recorder wrote.
    await admin.request(`/api/v1/namespaces/${ns}/events/${emitted.name}`, { method: 'PATCH', body: { message: 'changed by the admin' }, contentType: 'application/strategic-merge-patch+json' });
    const changed = await waitFor('the change through the watch', () => (second.store.get(emitted.uid)?.message === 'changed by the admin' ? second.store.get(emitted.uid) : undefined), 20_000);
    assert.equal(changed.ours, true);
    assert.equal(named(second, 'ForgedCore')?.ours, false);
  });
});

