/**
 * How the selected namespaces are watched (docs/ARCHITECTURE.md §3). Several namespaces are one cluster-wide
 * list+watch filtered on our side when the user may list and watch events in all namespaces, as the
 * apiserver answers a SelfSubjectAccessReview (what `kubectl auth can-i list events -A` asks); otherwise one
 * list+watch per namespace, which is all a namespace-restricted user may do. One stream costs one connection
 * and one list however many namespaces are selected; N streams cost N of each.
 */
import type { EventApi } from '../core/events/kubeEvent';
import { describeKubeError, type KubeClient } from './kubeClient';

/** What {@link planWatch} decided, and why in one line for the log. */
export type WatchPlan =
  | {
      readonly kind: 'perNamespace';
      readonly namespaces: readonly string[];
      readonly why: string;
    }
  | {
      /** One stream over all namespaces; `only` the namespaces it keeps (undefined: all were selected). */
      readonly kind: 'clusterWide';
      readonly only: readonly string[] | undefined;
      /** The API group the review allowed, to try first. */
      readonly api: EventApi | undefined;
      readonly why: string;
    };

/** Reviews wait at most this long: a slow answer must not hold the stream back; per-namespace works for everyone. */
const REVIEW_TIMEOUT_MS = 10_000;

function groupOf(api: EventApi): string {
  return api === 'core/v1' ? '' : 'events.k8s.io';
}

interface AccessReview {
  readonly status?: { readonly allowed?: unknown };
}

async function allowedEverywhere(client: KubeClient, api: EventApi, verb: 'list' | 'watch', signal?: AbortSignal): Promise<boolean> {
  const timeout = AbortSignal.timeout(REVIEW_TIMEOUT_MS);
  const review = await client.request<AccessReview>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    method: 'POST',
    // No namespace: "in all namespaces", as `kubectl auth can-i … -A` asks.
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, group: groupOf(api), resource: 'events' } } },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  return review?.status?.allowed === true;
}

/** The plan for no namespace (all) or one, which needs no question to the apiserver; undefined for several. */
export function planWithoutReview(namespaces: readonly string[]): WatchPlan | undefined {
  const selected = [...new Set(namespaces)];
  if (selected.length === 0) return { kind: 'clusterWide', only: undefined, api: undefined, why: 'all namespaces are selected' };
  if (selected.length === 1) return { kind: 'perNamespace', namespaces: selected, why: 'one namespace is selected' };
  return undefined;
}

/**
 * Decides how to watch `namespaces` (empty: all). One namespace, or all, needs no question
 * ({@link planWithoutReview}); for several, the apiserver is asked whether this user may list and watch events in all namespaces, in the preferred
 * API group and then the other. A review that fails (refused, not served, unreachable) keeps one stream
 * per namespace, which works whatever the user may do.
 */
export async function planWatch(client: KubeClient, namespaces: readonly string[], preferredApi: EventApi = 'core/v1', signal?: AbortSignal): Promise<WatchPlan> {
  const direct = planWithoutReview(namespaces);
  if (direct) return direct;
  const selected = [...new Set(namespaces)];
  const user = client.userName ? `user "${client.userName}"` : 'this user';
  const apis: EventApi[] = preferredApi === 'core/v1' ? ['core/v1', 'events.k8s.io/v1'] : ['events.k8s.io/v1', 'core/v1'];
  try {
    for (const api of apis) {
      const [list, watch] = await Promise.all([allowedEverywhere(client, api, 'list', signal), allowedEverywhere(client, api, 'watch', signal)]);
      if (list && watch) {
        return { kind: 'clusterWide', only: selected, api, why: `${user} may list and watch ${api} events in all namespaces` };
      }
    }
  } catch (err) {
    return { kind: 'perNamespace', namespaces: selected, why: `could not ask whether ${user} may list events in all namespaces (${describeKubeError(err)})` };
  }
  return { kind: 'perNamespace', namespaces: selected, why: `${user} may not list and watch events in all namespaces` };
}

/** The log line that says which strategy was chosen. */
export function describePlan(plan: WatchPlan, selected: number): string {
  if (plan.kind === 'perNamespace') return `one list+watch per namespace (${plan.namespaces.length}): ${plan.why}`;
  if (!plan.only) return `one cluster-wide list+watch: ${plan.why}`;
  return `one cluster-wide list+watch kept to the ${selected} selected namespaces: ${plan.why}`;
}
