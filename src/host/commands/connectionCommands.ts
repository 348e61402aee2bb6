import * as vscode from 'vscode';
import { EXTENSION_ID, Settings } from '../../constants';
import type { ClusterSession } from '../../kube/clusterSession';
import { loadKubeconfig } from '../../kube/kubeConfigLoader';
import type { ResourceAccess } from '../clusterResources';
import type { ExtensionSettings } from '../config';
import { showErrorWithLog } from '../notify';
import { kubeconfigProblemText } from '../errorText';
import { pickNamespaces } from './namespacePicker';

/** How long Select Namespace… waits for the namespace list before it offers only the namespaces events named. */
const NAMESPACE_LIST_TIMEOUT_MS = 10_000;

export interface ConnectionCommandDeps {
  readonly session: ClusterSession;
  readonly log: vscode.LogOutputChannel;
  /** The settings' owner: the context is chosen through it, so it reconnects (ExtensionSettings). */
  readonly settings: Pick<ExtensionSettings, 'config' | 'selectContext' | 'selectContexts' | 'forgetContext'>;
  readonly resources: () => ResourceAccess | undefined;
  /**
   * The user asked for the cluster: connect, if nothing did yet (docs/ARCHITECTURE.md §13). Select Context… and
   * Select Kubeconfig… call it once a choice is made, so the first connection is to what was chosen.
   */
  readonly connect: () => void;
}

/** What is watched and whether: kubeconfig, context, namespaces, the stream's pause and retry, the settings. */
export class ConnectionCommands {
  constructor(private readonly deps: ConnectionCommandDeps) {}

  reconnect = (): void => this.deps.session.retryNow();

  pauseStream = (): void => this.deps.session.pause();

  resumeStream = (): void => this.deps.session.resume();

  openSettings = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`);

  selectKubeconfig = async (): Promise<void> => {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this kubeconfig', title: 'Kube Events: Select Kubeconfig' });
    if (!picked?.[0]) return;
    const file = picked[0].fsPath;
    const loaded = loadKubeconfig({ path: file });
    if (!loaded.ok) {
      showErrorWithLog(this.deps.log, kubeconfigProblemText(loaded));
      return;
    }
    // The remembered context belongs to the previous kubeconfig: start from this file's current-context.
    await this.deps.settings.forgetContext();
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.kubeconfig, file, vscode.ConfigurationTarget.Global);
    this.deps.connect();
  };

  /** Select Context…; `name` skips the picker (tests, other extensions). */
  selectContext = async (name?: unknown): Promise<void> => {
    const loaded = loadKubeconfig({ path: this.deps.settings.config.kubeconfig });
    if (!loaded.ok && loaded.reason !== 'noContext') {
      showErrorWithLog(this.deps.log, kubeconfigProblemText(loaded));
      return;
    }
    let chosen = typeof name === 'string' ? name : undefined;
    if (!chosen) {
      const contexts = loaded.ok ? loaded.value.contexts : [];
      if (contexts.length === 0) {
        showErrorWithLog(this.deps.log, loaded.ok ? 'The kubeconfig defines no contexts.' : kubeconfigProblemText(loaded));
        return;
      }
      const current = this.deps.session.contextName;
      const pick = await vscode.window.showQuickPick(
        contexts.map((c) => ({
          label: c.name,
          description: `${c.cluster}${c.user ? ` · ${c.user}` : ''}`,
          detail: c.namespace ? `default namespace: ${c.namespace}` : undefined,
          picked: c.name === current,
          iconPath: new vscode.ThemeIcon(c.name === current ? 'pass-filled' : 'circle-large-outline'),
        })),
        { title: 'Kube Events: Select Context', placeHolder: `Current: ${current || '(none)'}` },
      );
      chosen = pick?.label;
    }
    if (!chosen) return;
    await this.deps.settings.selectContext(chosen);
    this.deps.connect();
  };

  /**
   * Select Contexts…: several contexts watched at once (docs/ARCHITECTURE.md §1), the first picked being the
   * primary; one picked is Select Context…. `names` (a list) skips the picker (tests, other extensions).
   */
  selectContexts = async (names?: unknown): Promise<void> => {
    const loaded = loadKubeconfig({ path: this.deps.settings.config.kubeconfig });
    if (!loaded.ok && loaded.reason !== 'noContext') {
      showErrorWithLog(this.deps.log, kubeconfigProblemText(loaded));
      return;
    }
    let chosen = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string' && n !== '') : undefined;
    if (!chosen) {
      const contexts = loaded.ok ? loaded.value.contexts : [];
      if (contexts.length === 0) {
        showErrorWithLog(this.deps.log, loaded.ok ? 'The kubeconfig defines no contexts.' : kubeconfigProblemText(loaded));
        return;
      }
      const watched = new Set(this.deps.session.clusters.map((c) => c.context));
      const picks = await vscode.window.showQuickPick(
        contexts.map((c) => ({
          label: c.name,
          description: `${c.cluster}${c.user ? ` · ${c.user}` : ''}`,
          detail: c.namespace ? `default namespace: ${c.namespace}` : undefined,
          picked: watched.has(c.name),
        })),
        { title: 'Kube Events: Select Contexts', placeHolder: 'Contexts to watch at once (two contexts of one cluster are watched once)', canPickMany: true },
      );
      chosen = picks?.map((p) => p.label);
    }
    if (!chosen || chosen.length === 0) return;
    await this.deps.settings.selectContexts(chosen);
    this.deps.connect();
  };

  /**
   * Select Namespace…: the context's namespace (the default, like kubectl without `-n`), all namespaces
   * (`-A`), or the ones picked. `names` skips the picker: `[]` is the context's namespace, `['*']` all.
   */
  selectNamespace = async (names?: unknown): Promise<void> => {
    let chosen: string[] | undefined = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : undefined;
    if (!chosen) {
      const session = this.deps.session;
      chosen = await pickNamespaces(await this.knownNamespaces(), session.connection?.namespace ?? '', session.scope);
    }
    if (!chosen) return;
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.namespaces, chosen, vscode.ConfigurationTarget.Global);
  };

  /** The namespaces events named, and those the cluster lists when it lets us. */
  private async knownNamespaces(): Promise<Set<string>> {
    const known = new Set<string>(this.deps.session.store.namespaces());
    const access = this.deps.resources();
    if (access) {
      const listed = await access.namespaces(AbortSignal.timeout(NAMESPACE_LIST_TIMEOUT_MS));
      if (listed.ok) for (const ns of listed.value) known.add(ns);
      else this.deps.log.info(`[commands] cannot list namespaces (${listed.message}); offering the ones events named`);
    }
    return known;
  }
}
