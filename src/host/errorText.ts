/**
 * What to tell the user about a problem, keyed by the reason the kube layer reports. The kube layer states
 * the facts (who was refused what, where: `state.message`); this module adds what to do, naming palette
 * commands and settings, which only the host knows (docs/ARCHITECTURE.md §14). No `vscode` import, so the
 * wording is unit-tested; the welcome views in package.json say the same per reason.
 */
import type { KubeconfigProblem } from '../kube/kubeConfigLoader';
import type { SessionState } from '../kube/clusterSession';
import type { SourceErrorReason } from '../kube/eventSource';

const SELECT_CONTEXT = '"Kube Events: Select Context…"';
const SELECT_NAMESPACE = '"Kube Events: Select Namespace…"';
const SELECT_KUBECONFIG = '"Kube Events: Select Kubeconfig…"';

/** What to do when the event stream is refused, by reason; '' when there is nothing to suggest. */
export const SOURCE_ADVICE: Readonly<Record<SourceErrorReason, string>> = {
  forbidden: `Ask for get/list/watch on events, or pick namespaces you can read with ${SELECT_NAMESPACE}.`,
  unauthorized: `The token may have expired: log in again, then run ${SELECT_CONTEXT}.`,
  credentials: 'Check the exec plugin or certificate in your kubeconfig (is its command on the PATH VS Code sees?).',
  notFound: '',
  tls: "Check the cluster's certificate-authority in your kubeconfig (or the server address it names).",
  rejected: 'If a filter is on, try clearing it.',
};

/** What to do when there is no usable kubeconfig or context, by reason. */
export const KUBECONFIG_ADVICE: Readonly<Record<KubeconfigProblem, string>> = {
  noKubeconfig: 'Set "kubeEvents.kubeconfig" or KUBECONFIG, or create ~/.kube/config.',
  badKubeconfig: 'Fix the file or point "kubeEvents.kubeconfig" at another one.',
  noContext: `Pick one with ${SELECT_CONTEXT}, or another kubeconfig with ${SELECT_KUBECONFIG}.`,
  noCluster: '',
};

function withAdvice(facts: string, advice: string): string {
  return advice ? `${facts} ${advice}` : facts;
}

/** A kubeconfig that cannot be used, in full: what is wrong, then what to do. For notifications. */
export function kubeconfigProblemText(problem: { readonly reason: KubeconfigProblem; readonly message: string }): string {
  return withAdvice(problem.message, KUBECONFIG_ADVICE[problem.reason]);
}

/**
 * The full text of why the session has no stream (facts, then what to do), or undefined when it has one. For
 * the log, the status bar's tooltip and the message above the tree.
 */
export function sessionProblemText(state: SessionState): string | undefined {
  switch (state.phase) {
    case 'error':
      return withAdvice(state.message, SOURCE_ADVICE[state.reason]);
    case 'unconfigured':
      return kubeconfigProblemText(state);
    default:
      return undefined;
  }
}
