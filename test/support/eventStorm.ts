// The demo controller's event storm (test/cluster/go/demo-controller/storm.go) set up on the real control plane:
// a namespace with an annotated Website, a namespace that does not exist and one stuck terminating (a ConfigMap
// with a finalizer holds it), and the apiserver's own count of what arrived, read with kubectl (the outside
// judge). Used by the ledger's integration test and its extension-host and UI suites.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { KubeClient } from '../../src/kube/kubeClient';

const run = promisify(execFile);
const HOLD = 'demo.kube-events.local/hold';
/**
 * The storm's Website is for a demo controller started with this flag: the cluster's own instance leaves it alone,
 * so what the apiserver holds about it is what the test's instance recorded.
 */
export const STORM_INSTANCE_FLAG = '--instance=storm';

/** Attempts the storm makes: `n` ProbeFailed (all different), n/3 Resynced (one message), one MirrorFailed per other namespace. */
export interface StormPlan {
  readonly namespace: string;
  /** Does not exist: the apiserver refuses the event, and client-go logs "Server rejected event". */
  readonly gone: string;
  /** Terminating: the apiserver refuses the event, and client-go says nothing at the default verbosity. */
  readonly ending: string;
  readonly attempts: number;
  /** The Website's annotations. */
  readonly annotations: Record<string, string>;
}

export function stormPlan(namespace: string, attempts = 40): StormPlan {
  const gone = `${namespace}-gone`;
  const ending = `${namespace}-ending`;
  return {
    namespace,
    gone,
    ending,
    attempts,
    annotations: {
      'demo.kube-events.local/event-storm': String(attempts),
      'demo.kube-events.local/event-storm-elsewhere': `${gone},${ending}`,
      'demo.kube-events.local/instance': 'storm',
    },
  };
}

/** Creates the namespaces (the terminating one left terminating) and the annotated Website `storefront`. */
export async function prepareStorm(client: KubeClient, plan: StormPlan): Promise<void> {
  for (const name of [plan.namespace, plan.ending]) await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
  await client.request(`/api/v1/namespaces/${plan.ending}/configmaps`, { method: 'POST', body: { metadata: { name: 'hold', finalizers: [HOLD] } } });
  await client.request(`/api/v1/namespaces/${plan.ending}`, { method: 'DELETE' });
  await client.request(`/apis/demo.kube-events.local/v1/namespaces/${plan.namespace}/websites`, {
    method: 'POST',
    body: { apiVersion: 'demo.kube-events.local/v1', kind: 'Website', metadata: { name: 'storefront', annotations: plan.annotations }, spec: { replicas: 1 } },
  });
}

/** Lets the terminating namespace go (removes the finalizer that held it). */
export async function releaseStorm(client: KubeClient, plan: StormPlan): Promise<void> {
  await client
    .request(`/api/v1/namespaces/${plan.ending}/configmaps/hold`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } })
    .catch(() => undefined);
}

/** One event as kubectl prints it. */
export interface JudgedEvent {
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly type: string;
  readonly component: string;
}

/** `kubectl get events -n NS -o json`: the apiserver's events for a namespace, through kubectl (not our client). */
export async function kubectlEvents(kubeconfig: string, namespace: string): Promise<JudgedEvent[]> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--context', 'admin', 'get', 'events', '-n', namespace, '-o', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  const items = (JSON.parse(stdout) as { items: Array<{ reason?: string; message?: string; count?: number; type?: string; source?: { component?: string }; reportingComponent?: string }> }).items;
  return items.map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', count: e.count ?? 1, type: e.type ?? '', component: e.reportingComponent || e.source?.component || '' }));
}
