// A kubeconfig naming several test control planes: how the several-clusters suites (integration and UI) reach them.
import * as fs from 'node:fs';
import type { ControlPlane } from '../cluster/controlPlane';

/** A context beside the one per cluster: another name for a cluster's admin, as a second context of one cluster. */
export interface ExtraContext {
  readonly name: string;
  readonly cluster: string;
  readonly namespace?: string;
}

/**
 * Writes one kubeconfig with each control plane as a cluster of the given name and a context of the same name
 * through its admin user (`<name>-admin`, its token); the first is the current context. JSON, which every
 * kubeconfig reader (ours, kubectl) takes as YAML.
 */
export function writeClustersKubeconfig(
  file: string,
  clusters: ReadonlyArray<readonly [name: string, plane: Pick<ControlPlane, 'server' | 'caFile' | 'adminToken'>]>,
  extra: readonly ExtraContext[] = [],
): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(([name, p]) => ({ name, cluster: { server: p.server, 'certificate-authority': p.caFile } })),
    users: clusters.map(([name, p]) => ({ name: `${name}-admin`, user: { token: p.adminToken } })),
    contexts: [
      ...clusters.map(([name]) => ({ name, context: { cluster: name, user: `${name}-admin` } })),
      ...extra.map((c) => ({ name: c.name, context: { cluster: c.cluster, user: `${c.cluster}-admin`, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
    ],
    'current-context': clusters[0]?.[0] ?? '',
  };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
