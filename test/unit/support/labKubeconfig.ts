// A kubeconfig for a stand-in server on loopback: one context `lab`, TLS unverified, a token that grants nothing.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/kubeClient';

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

/** A client of `kc`'s current context, its credentials from client-node as the extension's are. */
export function clientOf(kc: KubeConfig): KubeClient {
  const cluster = kc.getCurrentCluster();
  return new KubeClient(
    { server: cluster?.server ?? '', context: kc.getCurrentContext(), user: kc.getCurrentUser()?.name ?? '', proxied: !!cluster?.proxyUrl },
    () => ({ applyTo: (options) => kc.applyToHTTPSOptions(options) }),
  );
}
