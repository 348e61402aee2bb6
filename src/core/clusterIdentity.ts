/**
 * Which cluster, as whom: the API server's URL and the kubeconfig user's name — names only, never
 * credentials. Two users of one server see different events and may own different objects, so what is
 * kept per cluster (history, the owner graph's memory) is keyed by both.
 */
export interface ClusterIdentity {
  readonly server: string;
  /** The kubeconfig user's name (not its credentials). */
  readonly user: string;
}

/** A {@link ClusterIdentity} and the kubeconfig context it was reached through (shown to the user). */
export interface ClusterContext extends ClusterIdentity {
  readonly context: string;
}

/**
 * The one key of a cluster identity: equal exactly when server and user are. The session compares it to
 * tell another cluster from the same one; what is kept on disk per cluster is named by {@link clusterFileStem}.
 */
export function clusterKey(id: ClusterIdentity): string {
  return `${id.server}\u0000${id.user}`;
}

/**
 * The file-name stem of what is kept per cluster (history, the owner graph's memory): the first 24 hex
 * digits of the SHA-256 of {@link clusterKey}, so neither the URL nor the user name is in a path. The core
 * has no crypto of its own (it also runs in the webview), so the caller passes Node's SHA-256 as hex.
 */
export function clusterFileStem(id: ClusterIdentity, sha256Hex: (text: string) => string): string {
  return sha256Hex(clusterKey(id)).slice(0, 24);
}
