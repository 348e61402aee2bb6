// A kubeconfig for a stand-in server on loopback: one context `lab`, TLS unverified, a token that grants nothing.
import { KubeConfig } from '@kubernetes/client-node';

/** A KubeConfig whose only context points at `server` with a fake bearer token. */
export function labKubeconfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lab', server, skipTLSVerify: true }],
    users: [{ name: 'dev', token: 'not-a-real-token' }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'dev' }],
    currentContext: 'lab',
  });
  return kc;
}
