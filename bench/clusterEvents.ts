import type { KubeClient } from '../src/kube/kubeClient';
import { eventJson } from './events';

/**
 * Writes `count` of the recorded events through the API into `namespaces` (created here), round robin, with 16
 * requests in flight: how bench/run.ts and bench/scale.ts fill the control plane they start.
 */
export async function createEvents(client: KubeClient, count: number, namespaces: readonly string[], log: (m: string) => void): Promise<void> {
  for (const name of namespaces) await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
  log(`creating ${count} events on the control plane`);
  const t0 = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const obj = JSON.parse(eventJson(i, 0)) as { metadata: Record<string, unknown>; involvedObject: Record<string, unknown> };
      const ns = namespaces[i % namespaces.length];
      obj.metadata = { name: obj.metadata.name, namespace: ns };
      obj.involvedObject.namespace = ns;
      await client.request(`/api/v1/namespaces/${ns}/events`, { method: 'POST', body: obj });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  log(`created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
