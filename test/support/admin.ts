// The test control plane as its admin: what every cluster-backed UI suite starts with.
import * as assert from 'node:assert/strict';
import type { KubeClient } from '../../src/kube/kubeClient';
import { loadKubeconfig, type LoadedKubeconfig } from '../../src/kube/kubeConfigLoader';

export interface AdminConnection {
  /** The kubeconfig file the run's control plane wrote (KUBECONFIG). */
  readonly kubeconfig: string;
  readonly loaded: LoadedKubeconfig;
  readonly client: KubeClient;
}

/** Loads the `admin` context of the test control plane's kubeconfig; fails the suite when it is not there. */
export function connectAdmin(): AdminConnection {
  const kubeconfig = process.env.KUBECONFIG;
  assert.ok(kubeconfig, 'KUBECONFIG must point at the test control plane');
  const loaded = loadKubeconfig({ path: kubeconfig, context: 'admin' });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.message);
  return { kubeconfig, loaded: loaded.value, client: loaded.value.client };
}

/** Creates a namespace for one suite (names are unique per run, so it does not exist yet). */
export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
}
