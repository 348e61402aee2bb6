import * as vscode from 'vscode';
import { explorerFilter, explorerResource, hostKubeconfigPath, KUBERNETES_EXTENSION_ID } from './explorerTarget';
import { errorMessage } from '../../core/text/errorMessage';
import { DisposableOwner } from '../disposable';

/** The broker the Kubernetes extension's activate() returns: versioned APIs by component. */
interface ApiBroker {
  get(component: string, version: string): { available: true; api: unknown } | { available: false; reason: string };
}

interface ConfigurationV1_1 {
  getKubeconfigPath(): unknown;
  readonly onDidChangeKubeconfigPath: vscode.Event<unknown>;
  readonly onDidChangeContext: vscode.Event<string | null>;
}

interface ClusterExplorerV1 {
  resolveCommandTarget(target?: unknown): unknown;
}

export interface BridgeCallbacks {
  /** The extension's kubeconfig changed (or is known for the first time). */
  onKubeconfig(path: string): void;
  /** The user switched context in the extension. */
  onContext(name: string): void;
  /** "Show Events" on a cluster-explorer resource: apply this filter and show the Events view. */
  onShowEvents(filter: string): Promise<unknown>;
}

/**
 * Follows the VS Code Kubernetes extension (ms-kubernetes-tools.vscode-kubernetes-tools) when it is
 * installed: its kubeconfig and current context, and "Show Events" on its cluster-explorer resources.
 * Everything else works without it.
 */
export class KubernetesExtensionBridge extends DisposableOwner {
  constructor(
    private readonly callbacks: BridgeCallbacks,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    void this.follow();
  }

  private async broker(): Promise<ApiBroker | undefined> {
    const ext = vscode.extensions.getExtension(KUBERNETES_EXTENSION_ID);
    if (!ext) return undefined;
    try {
      const exports = (ext.isActive ? ext.exports : await ext.activate()) as ApiBroker | undefined;
      return typeof exports?.get === 'function' ? exports : undefined;
    } catch (err) {
      this.log.warn(`[kubernetes] the Kubernetes extension failed to activate: ${errorMessage(err)}`);
      return undefined;
    }
  }

  private async api<T>(component: string, version: string): Promise<T | undefined> {
    const broker = await this.broker();
    const r = broker?.get(component, version);
    return r?.available ? (r.api as T) : undefined;
  }

  private async follow(): Promise<void> {
    const config = await this.api<ConfigurationV1_1>('configuration', 'v1_1');
    if (!config) return;
    this.log.info('[kubernetes] following the Kubernetes extension\'s kubeconfig and context');
    const path = hostKubeconfigPath(config.getKubeconfigPath());
    if (path) this.callbacks.onKubeconfig(path);
    // Registered after an await: when the bridge was disposed meanwhile, register() disposes them at once.
    this.register(
      config.onDidChangeKubeconfigPath((p) => {
        const host = hostKubeconfigPath(p);
        if (host) this.callbacks.onKubeconfig(host);
      }),
      config.onDidChangeContext((name) => {
        if (name) this.callbacks.onContext(name);
      }),
    );
  }

  /** The handler of "Show Events" in the Kubernetes extension's cluster explorer. */
  showEvents = async (target?: unknown): Promise<boolean> => {
    const explorer = await this.api<ClusterExplorerV1>('clusterexplorer', 'v1');
    if (!explorer) {
      void vscode.window.showErrorMessage('Kube Events: the Kubernetes extension does not offer its cluster explorer API (is it installed and up to date?).');
      return false;
    }
    const filter = explorerFilter(explorer.resolveCommandTarget(target));
    if (!filter) {
      void vscode.window.showInformationMessage('Kube Events: pick a resource (a Pod, a Deployment…) to show its events.');
      return false;
    }
    await this.callbacks.onShowEvents(filter);
    return true;
  };

  /** The resource a cluster-explorer command target stands for; undefined for anything else (no broker call for plain values). */
  resourceOf = async (target?: unknown): Promise<{ apiVersion: string; kind: string; namespace: string; name: string } | undefined> => {
    if (typeof target !== 'object' || target === null) return undefined;
    const explorer = await this.api<ClusterExplorerV1>('clusterexplorer', 'v1');
    const r = explorer ? explorerResource(explorer.resolveCommandTarget(target)) : undefined;
    // The explorer knows the kind, not its group: discovery finds the apiVersion when the object is read.
    return r ? { ...r, apiVersion: '' } : undefined;
  };
}
