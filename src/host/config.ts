import * as vscode from 'vscode';
import { Settings } from '../constants';
import { DEFAULT_STORE_CAPACITY } from '../core/eventStore';
import { GROUP_BY_VALUES, type GroupBy } from '../core/eventTreeModel';
import type { HistorySettings } from '../history/historyService';
import type { NamespaceScope } from '../kube/clusterSession';

/** The `kubeEvents.namespaces` entry that means every namespace (kubectl `-A`); no namespace can be named `*`. */
export const ALL_NAMESPACES = '*';

/** The extension's settings as one typed object, read in one place and passed inward. */
export interface Config {
  /** Explicit kubeconfig path(s); empty falls back to the Kubernetes extension's setting, KUBECONFIG, ~/.kube/config. */
  readonly kubeconfig: string;
  /** The user set `kubeEvents.kubeconfig` (it then wins over what the Kubernetes extension reports). */
  readonly kubeconfigIsExplicit: boolean;
  /** `kubeEvents.namespaces`: empty → the context's namespace (else all), `*` → all, else the names listed. */
  readonly namespaces: NamespaceScope;
  readonly storeMaxEvents: number;
  readonly groupBy: GroupBy;
  readonly emitConfirmContexts: readonly string[];
  readonly history: HistorySettings;
  /** `kubeEvents.debug.follow`: follow debug sessions. */
  readonly debugFollow: boolean;
  /** `kubeEvents.editor.window`: how far back the editor shows events, in milliseconds. */
  readonly editorWindowMs: number;
}

function bounded(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()) : [];
}

/** The VS Code Kubernetes extension's kubeconfig setting, honoured when ours is empty. */
function kubernetesExtensionKubeconfig(): string {
  const k8s = vscode.workspace.getConfiguration('vs-kubernetes');
  const path = k8s.get<string>('vs-kubernetes.kubeconfig') ?? k8s.get<string>('kubeconfig');
  return typeof path === 'string' ? path : '';
}

function editorWindowMs(minutes: unknown): number {
  return typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 1 ? Math.min(minutes, 1_440) * 60_000 : 3_600_000;
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(Settings.section);
  const groupBy = c.get<string>(Settings.groupBy) ?? 'namespace';
  const max = c.get<number>(Settings.storeMaxEvents) ?? DEFAULT_STORE_CAPACITY;
  const explicit = (c.get<string>(Settings.kubeconfig) ?? '').trim();
  return {
    kubeconfig: explicit || kubernetesExtensionKubeconfig(),
    kubeconfigIsExplicit: explicit !== '',
    namespaces: namespaceScope(strings(c.get(Settings.namespaces))),
    storeMaxEvents: Number.isFinite(max) && max >= 100 ? Math.floor(max) : DEFAULT_STORE_CAPACITY,
    groupBy: (GROUP_BY_VALUES as readonly string[]).includes(groupBy) ? (groupBy as GroupBy) : 'namespace',
    emitConfirmContexts: strings(c.get(Settings.emitConfirmContexts)),
    history: {
      enabled: c.get<boolean>(Settings.historyEnabled) !== false,
      retentionDays: bounded(c.get(Settings.historyRetentionDays), 1, 3650, 7),
      maxMegabytes: bounded(c.get(Settings.historyMaxMegabytes), 10, 100_000, 500),
    },
    debugFollow: c.get<boolean>(Settings.debugFollow) !== false,
    editorWindowMs: editorWindowMs(c.get<number>(Settings.editorWindow)),
  };
}

export function namespaceScope(names: readonly string[]): NamespaceScope {
  if (names.includes(ALL_NAMESPACES)) return { kind: 'all' };
  return names.length > 0 ? { kind: 'list', names } : { kind: 'context' };
}

/** The setting's value for a scope (the inverse of {@link namespaceScope}). */
export function namespaceSetting(scope: NamespaceScope): string[] {
  return scope.kind === 'all' ? [ALL_NAMESPACES] : scope.kind === 'list' ? [...scope.names] : [];
}

export function sameScope(a: NamespaceScope, b: NamespaceScope): boolean {
  return namespaceSetting(a).join(',') === namespaceSetting(b).join(',') && a.kind === b.kind;
}

export function onConfigChange(listener: (c: Config) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(Settings.section) || e.affectsConfiguration('vs-kubernetes')) listener(readConfig());
  });
}
