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
