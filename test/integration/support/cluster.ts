import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachControlPlane, startControlPlane, type ControlPlane } from '../../cluster/controlPlane';
import { loadKubeconfig } from '../../../src/kube/kubeConfigLoader';
import { HistoryService } from '../../../src/history/historyService';
import { ClusterSession } from '../../../src/kube/clusterSession';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { createNamespace as createNamespaceNamed } from '../../support/admin';
import { historyWorkerFile } from '../../support/historyWorkerFile';

let shared: Promise<ControlPlane> | undefined;

/**
 * The control plane for this test process: the one `npm test` started (KUBE_EVENTS_CLUSTER_DIR), or a
 * fresh one started here and stopped after the file's tests.
 */
export function useCluster(): Promise<ControlPlane> {
  if (!shared) {
    const dir = process.env.KUBE_EVENTS_CLUSTER_DIR;
    // A cluster started here stops when this test process exits (startControlPlane's exit hook and
    // watchdog); an after() registered from inside a before() hook would run before the first test.
    shared = dir ? attachControlPlane(dir) : startControlPlane();
  }
  return shared;
}

/** A client for one context of the control plane's kubeconfig (`admin` or `restricted`). */
export function clientFor(cp: ControlPlane, context: 'admin' | 'restricted', kubeconfigPath = cp.kubeconfigPath): KubeClient {
  const loaded = loadKubeconfig({ path: kubeconfigPath, context });
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.value.client;
}

/** A copy of the control plane's kubeconfig whose clusters point at another address (a proxy in front of it). */
export function kubeconfigWithServer(cp: ControlPlane, server: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-kc-')), 'kubeconfig');
  fs.writeFileSync(file, fs.readFileSync(cp.kubeconfigPath, 'utf8').split(cp.server).join(server), { mode: 0o600 });
  return file;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await createNamespaceNamed(client, name);
  return name;
}

export interface CoreEventSpec {
  readonly name?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly type?: 'Normal' | 'Warning';
  readonly count?: number;
  readonly involvedObject?: { kind: string; name: string; uid?: string; apiVersion?: string };
}

/** Creates a core/v1 Event the way a controller's recorder would, and returns the stored object. */
export async function createCoreEvent(client: KubeClient, namespace: string, spec: CoreEventSpec = {}): Promise<{ metadata: { name: string; uid: string; resourceVersion: string } }> {
  const now = new Date().toISOString();
  const obj = spec.involvedObject ?? { kind: 'Pod', name: 'web-0' };
  return client.request(`/api/v1/namespaces/${namespace}/events`, {
    method: 'POST',
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: spec.name ?? uniqueName('ev'), namespace },
      involvedObject: { apiVersion: 'v1', namespace, ...obj },
      type: spec.type ?? 'Normal',
      reason: spec.reason ?? 'Testing',
      message: spec.message ?? 'created by an integration test',
      source: { component: 'integration-test' },
      count: spec.count ?? 1,
      firstTimestamp: now,
      lastTimestamp: now,
    },
  });
}

export { waitFor } from '../../support/waitFor';

/** One VS Code window's pipeline as compose wires it: a real session (its recorder included) and history. */
export function openHistoryWindow(cp: ControlPlane, namespace: string, dir: string): { session: ClusterSession; history: HistoryService } {
  const session = new ClusterSession({ kubeconfig: { path: cp.kubeconfigPath, context: 'admin' }, scope: { kind: 'list', names: [namespace] } });
  const history = new HistoryService({
    dir,
    broadcaster: session.broadcaster,
    store: session.store,
    settings: () => ({ enabled: true, retentionDays: 7, maxMegabytes: 500 }),
    onNotice: (n) => assert.fail(`unexpected notice ${JSON.stringify(n)}`),
    flushMs: 100,
    workerFile: historyWorkerFile(),
  });
  session.onDidChangeScope((scope) => scope?.holdWatch(history.open(scope.cluster)));
  return { session, history };
}
