/**
 * Pure mapping from what the VS Code Kubernetes extension's public API hands out (cluster-explorer
 * command targets, kubeconfig paths) to what Kube Events needs. Kept free of `vscode` for unit tests.
 */
import { resourceFilterText } from '../../core/query/syntax';

/** The extension's id on the marketplace. */
export const KUBERNETES_EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

/** The resource a cluster-explorer node stands for, or undefined for folders, contexts and the like. */
export function explorerResource(node: unknown): { kind: string; namespace: string; name: string } | undefined {
  const n = node as { nodeType?: unknown; name?: unknown; namespace?: unknown; resourceKind?: { manifestKind?: unknown } } | undefined;
  if (!n || n.nodeType !== 'resource') return undefined;
  const kind = n.resourceKind?.manifestKind;
  if (typeof kind !== 'string' || !kind || typeof n.name !== 'string' || !n.name) return undefined;
  return { kind, name: n.name, namespace: typeof n.namespace === 'string' ? n.namespace : '' };
}

/** The filter "Show Events" applies for a cluster-explorer node: the resource and what it owns. */
export function explorerFilter(node: unknown): string | undefined {
  const r = explorerResource(node);
  return r ? resourceFilterText(r, true) : undefined;
}

/** A kubeconfig path the extension reports, usable here (WSL paths are not: they live in another OS). */
export function hostKubeconfigPath(path: unknown): string | undefined {
  const p = path as { pathType?: unknown; hostPath?: unknown } | undefined;
  return p?.pathType === 'host' && typeof p.hostPath === 'string' && p.hostPath ? p.hostPath : undefined;
}
