// The kubeconfig (contexts `admin` and `restricted`) and the token file of a control plane.
import * as fs from 'node:fs';
import { RESTRICTED_USER } from './bootstrap';
import type { StateFile } from './stateFile';

export function writeKubeconfig(state: StateFile, adminToken: string, restrictedToken: string): void {
  // JSON.stringify gives valid YAML double-quoted scalars for paths and tokens.
  const q = JSON.stringify;
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: kube-events-test
  cluster:
    server: ${q(state.server)}
    certificate-authority: ${q(state.caFile)}
users:
- name: kube-events-admin
  user:
    token: ${q(adminToken)}
- name: ${RESTRICTED_USER}
  user:
    token: ${q(restrictedToken)}
contexts:
- name: admin
  context:
    cluster: kube-events-test
    user: kube-events-admin
- name: restricted
  context:
    cluster: kube-events-test
    user: ${RESTRICTED_USER}
    namespace: ${state.restrictedNamespace}
current-context: admin
`;
  fs.writeFileSync(state.kubeconfigPath, yaml, { mode: 0o600 });
}

export function readTokens(file: string): { admin: string; restricted: string } {
  let admin = '';
  let restricted = '';
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [token, user] = line.split(',');
    if (!token || !user) continue;
    if (user === RESTRICTED_USER) restricted = token;
    else if (line.includes('system:masters')) admin = token;
  }
  if (!admin || !restricted) throw new Error(`${file}: admin or restricted token missing`);
  return { admin, restricted };
}
