// Namespaces for the "many namespaces" suites (issue 19): each one grants the control plane's restricted
// user what its own namespace grants, so the same set can be watched as `admin` and as `restricted`.
import type { KubeClient } from '../../src/kube/kubeClient';
import { createNamespace } from './admin';
import { waitFor } from './waitFor';

/** The control plane's namespace-restricted user (test/cluster/controlPlane.ts, kubeconfig context `restricted`). */
export const RESTRICTED_USER = 'kube-events-restricted';

/**
 * Creates `names` with a Role and RoleBinding for {@link RESTRICTED_USER} in each (events: get, list, watch,
 * create, patch; pods: get, list) and waits until `restricted` may list events in the last one (the RBAC
 * authorizer reads bindings through an informer).
 */
export async function createGrantedNamespaces(admin: KubeClient, restricted: KubeClient, names: readonly string[]): Promise<void> {
  for (const ns of names) {
    await createNamespace(admin, ns);
    await admin.request(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      method: 'POST',
      body: {
        metadata: { name: 'events-reader' },
        rules: [
          { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        ],
      },
    });
    await admin.request(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      method: 'POST',
      body: {
        metadata: { name: 'events-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'events-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
      },
    });
  }
  const last = names[names.length - 1];
  await waitFor('the restricted user to be allowed in every new namespace', () =>
    restricted.request(`/api/v1/namespaces/${last}/events`, { query: { limit: 1 }, timeoutMs: 5_000 }).then(
      () => true,
      () => false,
    ),
  );
}

/** A Pod the events can name and Open Resource YAML can read (no node runs it; it need not run). */
export async function createPod(admin: KubeClient, namespace: string, name: string): Promise<void> {
  await admin.request(`/api/v1/namespaces/${namespace}/pods`, {
    method: 'POST',
    body: { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
  });
}

/** `p`'s value if it settles within `ms`; else it rejects, saying what did not answer in time. */
export async function answersWithin<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
