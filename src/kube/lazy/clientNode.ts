/**
 * @kubernetes/client-node, for what it does that we do not: turning a kubeconfig's user into TLS options and an
 * Authorization header (exec plugins, OIDC, client certificates, token files, proxies), and YAML output. Its own
 * bundle (dist/kube.js), loaded on the first request to a cluster, never by activation or by reading the
 * kubeconfig (docs/ARCHITECTURE.md §2). It imports no runtime module of src/.
 */
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeAuth } from '../kubeClient';

export { dumpYaml } from '@kubernetes/client-node';

/** A kubeconfig file's text, as it was read (src/kube/kubeConfigLoader.ts checked it). */
export interface KubeconfigText {
  readonly file: string;
  readonly text: string;
}

/**
 * The credentials of `context` in the merged files: merged like kubectl (the first file that defines a name
 * wins; client-node throws on duplicates instead), relative paths taken from the file that names them.
 */
export function credentialsFor(files: readonly KubeconfigText[], context: string): KubeAuth {
  const merged = new KubeConfig();
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const { file, text } of files) {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    kc.makePathsAbsolute(path.dirname(file));
    for (const c of kc.getClusters()) {
      if (seen.clusters.has(c.name)) continue;
      seen.clusters.add(c.name);
      merged.addCluster(c);
    }
    for (const u of kc.getUsers()) {
      if (seen.users.has(u.name)) continue;
      seen.users.add(u.name);
      merged.addUser(u);
    }
    for (const c of kc.getContexts()) {
      if (seen.contexts.has(c.name)) continue;
      seen.contexts.add(c.name);
      merged.addContext(c);
    }
  }
  merged.setCurrentContext(context);
  return { applyTo: (options) => merged.applyToHTTPSOptions(options) };
}
