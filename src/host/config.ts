import * as vscode from 'vscode';
import { Settings, StateKeys } from '../constants';
import { DEFAULT_STORE_CAPACITY, DEFAULT_STORE_MEGABYTES } from '../core/events/eventStore';
import { GROUP_BY_VALUES, type GroupBy } from '../core/eventTreeModel';
import type { HistorySettings } from '../history/historyService';
import type { NamespaceScope, SessionSettings } from '../kube/clusterSession';
import { loadKubeconfig } from '../kube/kubeConfigLoader';
import type { ShellKind } from '../core/shell/shellQuote';
import { terminalShell } from '../core/shell/terminalShell';
import { DisposableOwner } from './disposable';
import { kubeconfigProblemText } from './errorText';

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
  /** `kubeEvents.store.maxMegabytes`: the store's bound in estimated MiB. */
  readonly storeMaxMegabytes: number;
  readonly groupBy: GroupBy;
  readonly emitConfirmContexts: readonly string[];
  readonly history: HistorySettings;
  /** `kubeEvents.debug.follow`: follow debug sessions. */
  readonly debugFollow: boolean;
  /** `kubeEvents.editor.window`: how far back the editor shows events, in milliseconds. */
  readonly editorWindowMs: number;
  /**
   * The user-only settings a workspace or folder tried to set (full keys, e.g. `kubeEvents.kubeconfig`):
   * their workspace values were ignored (see {@link USER_ONLY}).
   */
  readonly workspaceIgnored: readonly string[];
}

/**
 * Settings a repository must never decide, read from the user's settings (and the defaults) only: which
 * kubeconfig is loaded (its exec plugins run, its servers receive credentials) and which contexts the emit
 * command guards as production. package.json gives ours the `machine` (kubeconfig) and `application` (the
 * guard) scopes, so VS Code drops a workspace's value before we see it; the reader ignores workspace and folder
 * values itself as well, for the Kubernetes extension's `vs-kubernetes.kubeconfig` (its scope is not ours to
 * set) and for any VS Code that hands them over (docs/ARCHITECTURE.md §13).
 */
const USER_ONLY = [`${Settings.section}.${Settings.kubeconfig}`, `${Settings.section}.${Settings.emitConfirmContexts}`, 'vs-kubernetes.kubeconfig'] as const;

/**
 * Each numeric setting's range and default, as package.json declares them (the settings editor enforces them;
 * a hand-edited settings.json may not).
 */
const RANGES = {
  storeMaxEvents: { min: 100, fallback: DEFAULT_STORE_CAPACITY },
  storeMaxMegabytes: { min: 16, max: 16_384, fallback: DEFAULT_STORE_MEGABYTES },
  historyRetentionDays: { min: 1, max: 3650, fallback: 7 },
  historyMaxMegabytes: { min: 10, max: 100_000, fallback: 500 },
  editorWindowMinutes: { min: 1, max: 1_440, fallback: 60 },
} as const;

const MINUTE_MS = 60_000;

function bounded(v: unknown, { min, max, fallback }: { readonly min: number; readonly max: number; readonly fallback: number }): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()) : [];
}

/**
 * A setting's value from the user's settings, else its default; a workspace or folder value is never used,
 * and its key is added to `ignored`.
 */
function userValue<T>(inspected: { globalValue?: T; defaultValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined, key: string, ignored: string[]): T | undefined {
  if (!inspected) return undefined;
  if (inspected.workspaceValue !== undefined || inspected.workspaceFolderValue !== undefined) ignored.push(key);
  return inspected.globalValue ?? inspected.defaultValue;
}

/** The VS Code Kubernetes extension's kubeconfig setting (the user's, never a workspace's), honoured when ours is empty. */
function kubernetesExtensionKubeconfig(ignored: string[]): string {
  // Its settings are one object, `vs-kubernetes`, whose keys hold dots ("vs-kubernetes.kubeconfig").
  const pick = (v: unknown): unknown => (typeof v === 'object' && v !== null ? ((v as Record<string, unknown>)['vs-kubernetes.kubeconfig'] ?? (v as Record<string, unknown>).kubeconfig) : undefined);
  const i = vscode.workspace.getConfiguration().inspect<unknown>('vs-kubernetes');
  const path = userValue(i && { globalValue: pick(i.globalValue), defaultValue: pick(i.defaultValue), workspaceValue: pick(i.workspaceValue), workspaceFolderValue: pick(i.workspaceFolderValue) }, 'vs-kubernetes.kubeconfig', ignored);
  return typeof path === 'string' ? path : '';
}

/**
 * The shell VS Code's integrated terminal opens by default on this machine (the extension host's, where the
 * terminal runs too), for lines the user copies to paste there.
 */
export function defaultTerminalShell(): ShellKind {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'osx' : 'linux';
  const t = vscode.workspace.getConfiguration('terminal.integrated');
  return terminalShell(process.platform, t.get(`defaultProfile.${os}`), t.get(`profiles.${os}`));
}

function editorWindowMs(minutes: unknown): number {
  const { min, max, fallback } = RANGES.editorWindowMinutes;
  return (typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= min ? Math.min(minutes, max) : fallback) * MINUTE_MS;
}

function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(Settings.section);
  const groupBy = c.get<string>(Settings.groupBy) ?? 'namespace';
  const max = c.get<number>(Settings.storeMaxEvents) ?? RANGES.storeMaxEvents.fallback;
  const ignored: string[] = [];
  const kubeconfigValue = userValue(c.inspect<unknown>(Settings.kubeconfig), USER_ONLY[0], ignored);
  const explicit = typeof kubeconfigValue === 'string' ? kubeconfigValue.trim() : '';
  const confirm = userValue(c.inspect<unknown>(Settings.emitConfirmContexts), USER_ONLY[1], ignored);
  const kubernetesKubeconfig = kubernetesExtensionKubeconfig(ignored);
  return {
    kubeconfig: explicit || kubernetesKubeconfig,
    kubeconfigIsExplicit: explicit !== '',
    namespaces: namespaceScope(strings(c.get(Settings.namespaces))),
    storeMaxEvents: Number.isFinite(max) && max >= RANGES.storeMaxEvents.min ? Math.floor(max) : RANGES.storeMaxEvents.fallback,
    storeMaxMegabytes: bounded(c.get(Settings.storeMaxMegabytes), RANGES.storeMaxMegabytes),
    groupBy: (GROUP_BY_VALUES as readonly string[]).includes(groupBy) ? (groupBy as GroupBy) : 'namespace',
    emitConfirmContexts: strings(confirm),
    history: {
      enabled: c.get<boolean>(Settings.historyEnabled) !== false,
      retentionDays: bounded(c.get(Settings.historyRetentionDays), RANGES.historyRetentionDays),
      maxMegabytes: bounded(c.get(Settings.historyMaxMegabytes), RANGES.historyMaxMegabytes),
    },
    debugFollow: c.get<boolean>(Settings.debugFollow) !== false,
    editorWindowMs: editorWindowMs(c.get<number>(Settings.editorWindow)),
    workspaceIgnored: ignored,
  };
}

function workspaceSetsKubernetesKubeconfig(config: Config): boolean {
  return config.workspaceIgnored.includes('vs-kubernetes.kubeconfig');
}

function namespaceScope(names: readonly string[]): NamespaceScope {
  if (names.includes(ALL_NAMESPACES)) return { kind: 'all' };
  return names.length > 0 ? { kind: 'list', names } : { kind: 'context' };
}

/** The setting's value for a scope (the inverse of {@link namespaceScope}). */
function namespaceSetting(scope: NamespaceScope): string[] {
  return scope.kind === 'all' ? [ALL_NAMESPACES] : scope.kind === 'list' ? [...scope.names] : [];
}

function sameScope(a: NamespaceScope, b: NamespaceScope): boolean {
  return namespaceSetting(a).join(',') === namespaceSetting(b).join(',') && a.kind === b.kind;
}

function onConfigChange(listener: (c: Config) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(Settings.section) || e.affectsConfiguration('vs-kubernetes')) listener(readConfig());
  });
}

/** A settings change: the values before and after. */
export interface ConfigChange {
  readonly next: Config;
  readonly previous: Config;
}

/**
 * The one owner of the settings and of what decides the connection: `kubeEvents.*` (and the Kubernetes
 * extension's kubeconfig), the context chosen in this window (kept in the memento) and the kubeconfig the
 * Kubernetes extension reports. Every change that may move the watch ends in {@link reconnect}, which hands
 * the session its settings through {@link onDidRequestConnection}.
 */
export class ExtensionSettings extends DisposableOwner {
  private current = readConfig();
  private readonly changed = this.register(new vscode.EventEmitter<ConfigChange>());
  /** The settings changed; fires before a change of kubeconfig or namespaces reconnects. */
  readonly onDidChange = this.changed.event;
  private readonly connection = this.register(new vscode.EventEmitter<SessionSettings>());
  /** The session should (re)connect with these settings. */
  readonly onDidRequestConnection = this.connection.event;
  /** User-only settings whose workspace value was already reported in the log. */
  private readonly reported = new Set<string>();
  /** The kubeconfig the Kubernetes extension last reported (outside a workspace that sets its setting). */
  private kubernetesKubeconfig: string | undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly log?: Pick<vscode.LogOutputChannel, 'warn'>,
  ) {
    super();
    this.register(onConfigChange((next) => this.apply(next)));
    this.reportIgnored(this.current);
  }

  get config(): Config {
    return this.current;
  }

  /**
   * What is watched comes from the settings and the context only. Filters never narrow the watch: every view
   * (tree, timeline, log) sees the same stream and applies its own filter locally (docs/ARCHITECTURE.md §3).
   */
  get sessionSettings(): SessionSettings {
    const contexts = this.contexts();
    return {
      kubeconfig: { path: this.current.kubeconfig, context: contexts[0] ?? this.memento.get<string>(StateKeys.context) },
      ...(contexts.length > 1 ? { contexts } : {}),
      scope: this.current.namespaces,
    };
  }

  /** (Re)connects the session with the current settings and context. */
  reconnect(): void {
    this.connection.fire(this.sessionSettings);
  }

  /** The contexts of the kubeconfig in use, or why it cannot be read (a debug launch block may name one). */
  contextNames(): readonly string[] | string {
    const loaded = loadKubeconfig({ path: this.current.kubeconfig });
    return loaded.ok ? loaded.value.contexts.map((c) => c.name) : kubeconfigProblemText(loaded);
  }

  /** The contexts chosen with Select Contexts… (two or more), else none. */
  contexts(): readonly string[] {
    const chosen = this.memento.get<unknown>(StateKeys.contexts);
    const names = Array.isArray(chosen) ? chosen.filter((c): c is string => typeof c === 'string' && c !== '') : [];
    return names.length > 1 ? names : [];
  }

  /** Switches to another context of the kubeconfig, alone; the promise is the memento's write to disk. */
  selectContext(name: string): Thenable<void> {
    // The memento holds the value at once: the session reconnects without waiting for the write.
    const written = Promise.all([this.memento.update(StateKeys.context, name), this.memento.update(StateKeys.contexts, undefined)]);
    this.reconnect();
    return written.then(() => undefined);
  }

  /**
   * Watches several contexts at once, the first being the primary (docs/ARCHITECTURE.md §1); one name is
   * {@link selectContext}. The promise is the memento's write to disk.
   */
  selectContexts(names: readonly string[]): Thenable<void> {
    const unique = [...new Set(names.filter((n) => n !== ''))];
    if (unique.length < 2) return unique.length === 1 ? this.selectContext(unique[0]) : Promise.resolve();
    const written = Promise.all([this.memento.update(StateKeys.context, unique[0]), this.memento.update(StateKeys.contexts, unique)]);
    this.reconnect();
    return written.then(() => undefined);
  }

  /** Forgets the context(s) chosen in this window: the next connection starts from the kubeconfig's current-context. */
  forgetContext(): Thenable<void> {
    return Promise.all([this.memento.update(StateKeys.context, undefined), this.memento.update(StateKeys.contexts, undefined)]).then(() => undefined);
  }

  /**
   * The Kubernetes extension reports its kubeconfig: used unless `kubeEvents.kubeconfig` is set, and never
   * while a workspace sets `vs-kubernetes.kubeconfig` (the path it reports then is likely the workspace's).
   * The settings are read afresh: the extension may report before our own listener has seen the change.
   */
  useKubernetesKubeconfig(path: string): void {
    if (workspaceSetsKubernetesKubeconfig(readConfig())) {
      this.reportOnce('vs-kubernetes.kubeconfig#reported', `[settings] not following the kubeconfig the Kubernetes extension reports (${path}): this workspace sets vs-kubernetes.kubeconfig, and a workspace never chooses the kubeconfig`);
      return;
    }
    this.kubernetesKubeconfig = path;
    const next = this.withKubernetesKubeconfig(this.current);
    if (next.kubeconfig === this.current.kubeconfig) return;
    this.current = next;
    this.reconnect();
  }

  /**
   * The settings with the kubeconfig the Kubernetes extension last reported, unless ours is set. A report is
   * never kept while a workspace sets its setting, so the one kept is the user's.
   */
  private withKubernetesKubeconfig(config: Config): Config {
    const path = this.kubernetesKubeconfig;
    if (!path || config.kubeconfigIsExplicit) return config;
    return { ...config, kubeconfig: path };
  }

  /** Says once per setting that a workspace tried to set a user-only one (docs/ARCHITECTURE.md §13). */
  private reportIgnored(config: Config): void {
    for (const key of config.workspaceIgnored) {
      this.reportOnce(key, `[settings] ignoring this workspace's value of ${key}: it is read from your user settings only, so a repository cannot choose the kubeconfig or turn off the production guard`);
    }
  }

  private reportOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log?.warn(message);
  }

  private apply(read: Config): void {
    const next = this.withKubernetesKubeconfig(read);
    const previous = this.current;
    this.current = next;
    this.reportIgnored(read);
    this.changed.fire({ next, previous });
    if (next.kubeconfig !== previous.kubeconfig || !sameScope(next.namespaces, previous.namespaces)) this.reconnect();
  }
}
