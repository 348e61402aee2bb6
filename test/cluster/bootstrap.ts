// What a fresh control plane needs before tests use it: the restricted namespace and user, and their RBAC.
import type { StateFile } from './stateFile';
import { request, sleep } from './supervision';

/** Namespace in which the restricted user has rights. */
export const RESTRICTED_NAMESPACE = 'kube-events-restricted';
export const RESTRICTED_USER = 'kube-events-restricted';
export async function bootstrap(state: StateFile, adminToken: string, restrictedToken: string): Promise<void> {
  const ns = state.restrictedNamespace;
  const admin = { ca: state.caFile, token: adminToken };
  const create = async (apiPath: string, body: object): Promise<void> => {
    const res = await request({ ...admin, url: `${state.server}${apiPath}`, method: 'POST', body: JSON.stringify(body) });
    // 409: the object survived from an earlier run on the same etcd data.
    if (res.status !== 201 && res.status !== 409) throw new Error(`POST ${apiPath}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  };
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'kube-events-restricted' },
    rules: [
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ],
  });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'kube-events-restricted' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kube-events-restricted' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
  });
  // The RBAC authorizer reads through an informer: wait until the binding is visible to it, so the
  // first test does not race it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await request({ url: `${state.server}/api/v1/namespaces/${ns}/events?limit=1`, ca: state.caFile, token: restrictedToken });
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`restricted user still gets HTTP ${res.status} in ${ns}: ${res.body.slice(0, 300)}`);
    await sleep(100);
  }
}
