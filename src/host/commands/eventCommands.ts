import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { Commands, RESOURCE_SCHEME, Settings, StateKeys } from '../../constants';
import { GROUP_BY_VALUES, type GroupBy, type TreeNode } from '../../core/eventTreeModel';
import type { ObjectRef } from '../../core/kubeEvent';
import { describeQuery, resourceFilterText } from '../../core/query';
import type { ClusterSession } from '../../kube/clusterSession';
import { loadKubeconfig } from '../../kube/kubeConfigLoader';
import { manifestAt, type ManifestRef } from '../../kube/manifest';
import type { ResourceAccess } from '../clusterResources';
import { ALL_NAMESPACES, type Config } from '../config';
import { notificationText, showErrorWithLog } from '../notify';
import { exportEvents, EXPORT_FORMATS, type ExportFormat } from '../../core/exportFormat';
import type { FilterController } from '../filterController';
import type { EventTreeProvider } from '../tree/eventTreeProvider';
import { pickTypedValue } from '../typedPick';

export interface CommandDeps {
  readonly session: ClusterSession;
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly memento: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  readonly config: () => Config;
  readonly resources: () => ResourceAccess | undefined;
  readonly openTimeline: () => void;
  readonly resourceDocuments: ResourceDocuments;
  /** Reconnects with the current settings, the remembered context and the filter's scope. */
  readonly reconnect: () => void;
}

/** A resource picked by the user: from a tree row, a quick pick, or a manifest in the editor. */
type PickedResource = Pick<ObjectRef, 'kind' | 'name' | 'namespace' | 'apiVersion'>;

function isTreeNode(arg: unknown): arg is TreeNode {
  const k = (arg as { kind?: unknown } | undefined)?.kind;
  return k === 'object' || k === 'event' || k === 'group';
}

/** The involved object a tree row stands for (an event row means its object). */
export function refOfRow(arg: unknown): ObjectRef | undefined {
  if (!isTreeNode(arg)) return undefined;
  if (arg.kind === 'object') return arg.ref;
  if (arg.kind === 'event') return arg.event.regarding;
  return undefined;
}

/** The namespace the row's events live in (an object row's events all share one). */
function eventsNamespaceOfRow(arg: unknown): string {
  if (!isTreeNode(arg)) return '';
  if (arg.kind === 'event') return arg.event.namespace;
  if (arg.kind === 'object') return arg.events.values().next().value?.event.namespace ?? '';
  return '';
}

/** Read-only YAML documents of cluster objects, under the kube-events-resource: scheme. */
export class ResourceDocuments implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '# This resource is no longer loaded. Open it again from the Events view.\n';
  }

  async open(ref: PickedResource, yaml: string): Promise<void> {
    const path = `/${ref.namespace || '_cluster'}/${ref.kind}/${ref.name}.yaml`;
    const uri = vscode.Uri.from({ scheme: RESOURCE_SCHEME, path });
    this.docs.set(uri.toString(), yaml);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The handlers of every palette, title-bar, item and status-bar command. */
export class EventCommands {
  constructor(private readonly d: CommandDeps) {}

  showLog = (): void => this.d.log.show(true);

  openTimeline = (): void => this.d.openTimeline();

  reconnect = (): void => this.d.session.retryNow();

  openSettings = (): Thenable<unknown> => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:kube-events.kube-events');

  selectKubeconfig = async (): Promise<void> => {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this kubeconfig', title: 'Kube Events: Select Kubeconfig' });
    if (!picked?.[0]) return;
    const file = picked[0].fsPath;
    const loaded = loadKubeconfig({ path: file });
    if (!loaded.ok) {
      showErrorWithLog(this.d.log, loaded.message);
      return;
    }
    // The remembered context belongs to the previous kubeconfig: start from this file's current-context.
    await this.d.memento.update(StateKeys.context, undefined);
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.kubeconfig, file, vscode.ConfigurationTarget.Global);
  };

  /** Select Context…; `name` skips the picker (tests, other extensions). */
  selectContext = async (name?: unknown): Promise<void> => {
    const cfg = this.d.config();
    const loaded = loadKubeconfig({ path: cfg.kubeconfig });
    if (!loaded.ok && loaded.reason !== 'noContext') {
      showErrorWithLog(this.d.log, loaded.message);
      return;
    }
    let chosen = typeof name === 'string' ? name : undefined;
    if (!chosen) {
      const contexts = loaded.ok ? loaded.value.contexts : [];
      if (contexts.length === 0) {
        showErrorWithLog(this.d.log, loaded.ok ? 'The kubeconfig defines no contexts.' : loaded.message);
        return;
      }
      const current = this.d.session.contextName;
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
    await this.d.memento.update(StateKeys.context, chosen);
    this.d.reconnect();
  };

  /**
   * Select Namespace…: the context's namespace (the default, like kubectl without `-n`), all namespaces
   * (`-A`), or the ones picked. `names` skips the picker: `[]` is the context's namespace, `['*']` all.
   */
  selectNamespace = async (names?: unknown): Promise<void> => {
    let chosen: string[] | undefined = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : undefined;
    if (!chosen) {
      const known = new Set<string>(this.d.session.store.namespaces());
      const access = this.d.resources();
      if (access) {
        const listed = await access.namespaces(AbortSignal.timeout(10_000));
        if (listed.ok) for (const ns of listed.value) known.add(ns);
        else this.d.log.info(`[commands] cannot list namespaces (${listed.message}); offering the ones events named`);
      }
      const contextNs = this.d.session.connection?.namespace ?? '';
      type Item = vscode.QuickPickItem & { scope?: 'all' | 'context' };
      const special: Item[] = [
        { label: '$(globe) All namespaces', description: 'like kubectl -A', scope: 'all' },
        { label: `$(home) The context's namespace`, description: contextNs || 'none set: all namespaces', scope: 'context' },
      ];
      const named = (extra?: string): Item[] => [
        ...special,
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        ...(extra ? [{ label: extra, description: 'not listed — watch anyway' }] : []),
        ...[...known].sort().map((label) => ({ label })),
      ];
      const scope = this.d.session.scope;
      const current = new Set(scope.kind === 'list' ? scope.names : []);
      const qp = vscode.window.createQuickPick<Item>();
      qp.title = 'Kube Events: Select Namespaces';
      qp.placeholder = 'Pick the namespaces to watch, or all of them; type a name to add one you cannot list';
      qp.canSelectMany = true;
      qp.items = named();
      qp.selectedItems = qp.items.filter((i) => (i.scope ? i.scope === scope.kind : current.has(i.label)));
      qp.onDidChangeValue((v) => {
        const name = v.trim();
        if (name && !known.has(name)) {
          const selected = new Set(qp.selectedItems.map((i) => i.label));
          qp.items = named(name);
          qp.selectedItems = qp.items.filter((i) => selected.has(i.label));
        }
      });
      chosen = await new Promise<string[] | undefined>((resolve) => {
        qp.onDidAccept(() => {
          const picked = qp.selectedItems;
          if (picked.some((i) => i.scope === 'all')) resolve([ALL_NAMESPACES]);
          else if (picked.some((i) => i.scope === 'context')) resolve([]);
          else resolve(picked.map((i) => i.label));
          qp.hide();
        });
        qp.onDidHide(() => resolve(undefined));
        qp.show();
      });
      qp.dispose();
    }
    if (!chosen) return;
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.namespaces, chosen, vscode.ConfigurationTarget.Global);
  };

  /**
   * Filter Events…: a query with inline validation and history. With a `text` argument it applies it
   * directly and reports a bad query as an error message (the filter stays as it was).
   */
  filterEvents = async (text?: unknown): Promise<boolean> => {
    if (typeof text === 'string') return this.applyQuery(text);
    const accepted = await pickTypedValue({
      title: 'Kube Events: Filter Events',
      placeholder: 'e.g. type:Warning under:Deployment/shop/web -reason:Scheduled since:30m "back-off"',
      value: this.d.filter.query.text,
      suggestions: this.d.filter.history,
      emptyLabel: '$(clear-all) Show all events',
      describe: (value) => {
        const check = this.d.filter.validate(value);
        return check
          ? { error: `${check} — keys: type reason kind name ns object: under: source action since: is: — comma = any of, * glob, -negate, "phrase"` }
          : { description: '$(filter) apply this filter' };
      },
    });
    return accepted === undefined ? false : this.applyQuery(accepted);
  };

  /** Filter by Resource…: from a tree row, the manifest under the cursor, or a pick of kind then name. */
  filterByResource = async (arg?: unknown): Promise<boolean> => {
    const fromRow = refOfRow(arg);
    if (fromRow) return this.applyQuery(resourceFilterText(fromRow, true));
    const picked = await this.pickResource('Filter by Resource');
    if (!picked) return false;
    const owned = await vscode.window.showQuickPick(
      [
        { label: '$(type-hierarchy) Include owned resources', description: 'under: — e.g. a Deployment with its ReplicaSets and Pods', includeOwned: true },
        { label: '$(symbol-object) Only this resource', description: 'object:', includeOwned: false },
      ],
      { ignoreFocusOut: true, title: `Kube Events: Filter by ${picked.kind}/${picked.name}` },
    );
    if (!owned) return false;
    return this.applyQuery(resourceFilterText(picked, owned.includeOwned));
  };

  filterToResource = (arg?: unknown): Promise<boolean> => this.filterByResource(arg);

  clearFilter = (): void => this.d.filter.clear();

  pauseStream = (): void => this.d.session.pause();

  resumeStream = (): void => this.d.session.resume();

  groupBy = async (value?: unknown): Promise<void> => {
    let chosen = typeof value === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(value) ? (value as GroupBy) : undefined;
    if (!chosen) {
      const labels: Record<GroupBy, string> = { namespace: 'Namespace → Object → Events', reason: 'Reason → Object → Events', flat: 'Flat list, newest first' };
      const pick = await vscode.window.showQuickPick(
        GROUP_BY_VALUES.map((g) => ({ label: labels[g], value: g, picked: g === this.d.tree.model.grouping })),
        { title: 'Kube Events: Group By' },
      );
      chosen = pick?.value;
    }
    if (!chosen) return;
    // The tree regroups when the setting changes (compose listens for it).
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.groupBy, chosen, vscode.ConfigurationTarget.Global);
  };

  /** Export Events…: the current filtered set as JSON, NDJSON or CSV. Arguments skip the prompts (tests). */
  exportEvents = async (formatArg?: unknown, uriArg?: unknown): Promise<string | undefined> => {
    this.d.tree.flush();
    const events = [...this.d.tree.model.events()].sort((a, b) => a.lastSeen - b.lastSeen);
    if (events.length === 0) {
      void vscode.window.showInformationMessage('Kube Events: nothing to export — no events match the current filter.');
      return undefined;
    }
    let format = typeof formatArg === 'string' && (EXPORT_FORMATS as readonly string[]).includes(formatArg) ? (formatArg as ExportFormat) : undefined;
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        EXPORT_FORMATS.map((f) => ({ label: f.toUpperCase(), value: f })),
        { ignoreFocusOut: true, title: `Kube Events: Export ${events.length} Event${events.length === 1 ? '' : 's'}`, placeHolder: 'Format' },
      );
      format = pick?.value;
    }
    if (!format) return undefined;
    let uri = uriArg instanceof vscode.Uri ? uriArg : typeof uriArg === 'string' ? vscode.Uri.file(uriArg) : undefined;
    uri ??= await vscode.window.showSaveDialog({
      title: 'Kube Events: Export Events',
      filters: { [format.toUpperCase()]: [format === 'ndjson' ? 'ndjson' : format] },
      defaultUri: vscode.Uri.file(`kube-events-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`),
    });
    if (!uri) return undefined;
    const target = uri;
    const chosenFormat = format;
    const written = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${events.length} events`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const text = await exportEvents(
          events,
          chosenFormat,
          (done) => {
            progress.report({ increment: ((done - reported) / events.length) * 100 });
            reported = done;
          },
          () => token.isCancellationRequested,
        );
        if (text === undefined) return false;
        await fs.writeFile(target.fsPath, text, 'utf8');
        return true;
      },
    );
    if (!written) {
      this.d.log.info('[export] cancelled; nothing was written');
      return undefined;
    }
    this.d.log.info(`[export] wrote ${events.length} events as ${format} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Kube Events: exported ${events.length} events to ${target.fsPath}`);
    return target.fsPath;
  };

  copyKubectlCommand = async (arg?: unknown): Promise<string | undefined> => {
    const ref = refOfRow(arg);
    if (!ref) return undefined;
    const ctx = this.d.session.contextName;
    // Always the events' namespace: a cluster-scoped object's events live in one (`default` for Nodes), and
    // without -n kubectl would look in the context's namespace and show nothing.
    const eventsNs = eventsNamespaceOfRow(arg) || ref.namespace || 'default';
    const ns = ` -n ${shellQuote(eventsNs)}`;
    const cmd = `kubectl events${ctx ? ` --context ${shellQuote(ctx)}` : ''}${ns} --for ${shellQuote(`${ref.kind}/${ref.name}`)} --watch`;
    await vscode.env.clipboard.writeText(cmd);
    vscode.window.setStatusBarMessage(`Copied: ${cmd}`, 4000);
    return cmd;
  };

  openResourceYaml = async (arg?: unknown): Promise<void> => {
    const ref = refOfRow(arg) ?? (await this.pickResource('Open Resource YAML'));
    if (!ref) return;
    const access = this.d.resources();
    if (!access) {
      showErrorWithLog(this.d.log, 'not connected to a cluster.');
      return;
    }
    const yaml = await access.yaml({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name });
    if (!yaml.ok) {
      showErrorWithLog(this.d.log, `cannot open ${ref.kind}/${ref.name}: ${yaml.message}`);
      return;
    }
    await this.d.resourceDocuments.open(ref, yaml.value);
  };

  statusActions = async (): Promise<void> => {
    const paused = this.d.session.state.phase === 'paused';
    const items: Array<vscode.QuickPickItem & { command: string }> = [
      paused ? { label: '$(debug-start) Resume Stream', command: Commands.resumeStream } : { label: '$(debug-pause) Pause Stream', command: Commands.pauseStream },
      { label: '$(refresh) Reconnect Now', command: Commands.reconnect },
      { label: '$(server-environment) Select Context…', command: Commands.selectContext },
      { label: '$(symbol-namespace) Select Namespace…', command: Commands.selectNamespace },
      { label: '$(filter) Filter Events…', command: Commands.filterEvents, description: this.d.filter.query.isEmpty ? '' : describeQuery(this.d.filter.query) },
      { label: '$(graph-line) Open Timeline', command: Commands.openTimeline },
      { label: '$(output) Show Log', command: Commands.showLog },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Kube Events' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  };

  private applyQuery(text: string): boolean {
    const error = this.d.filter.set(text);
    if (error) {
      void vscode.window.showErrorMessage(`Kube Events: the filter was not changed — ${notificationText(error.message)}`);
      return false;
    }
    return true;
  }

  /** A resource from the manifest under the cursor (offered first), else kind then name from discovery. */
  async pickResource(title: string): Promise<PickedResource | undefined> {
    const manifest = this.manifestUnderCursor();
    const access = this.d.resources();
    type KindItem = vscode.QuickPickItem & { resourceKind?: { kind: string; apiVersion: string; namespaced: boolean }; manifest?: ManifestRef };
    const items: KindItem[] = [];
    if (manifest) {
      items.push({ label: `$(file-code) ${manifest.kind}/${manifest.name}`, description: 'from the manifest in the editor', manifest });
    }
    if (access) {
      const kinds = await access.kinds();
      if (!kinds.ok) {
        if (!manifest) {
          showErrorWithLog(this.d.log, `cannot list resource kinds: ${kinds.message}`);
          return undefined;
        }
      } else {
        for (const k of [...kinds.value].sort((a, b) => a.kind.localeCompare(b.kind))) {
          items.push({ label: k.kind, description: k.apiVersion, detail: k.namespaced ? undefined : 'cluster-scoped', resourceKind: k });
        }
      }
    } else if (!manifest) {
      showErrorWithLog(this.d.log, 'not connected to a cluster, so there are no resource kinds to pick from.');
      return undefined;
    }
    const kindPick = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, title: `Kube Events: ${title} — Kind`, placeHolder: 'Pick a kind (custom resources included)', matchOnDescription: true });
    if (!kindPick) return undefined;
    if (kindPick.manifest) {
      const m = kindPick.manifest;
      return { kind: m.kind, name: m.name, namespace: m.namespace || this.d.session.connection?.namespace || 'default', apiVersion: m.apiVersion };
    }
    if (!kindPick.resourceKind || !access) return undefined;
    const k = kindPick.resourceKind;
    // Offer the objects of the namespaces being watched (all namespaces when none are chosen).
    const scopes = k.namespaced && this.d.session.namespaces.length > 0 ? this.d.session.namespaces : [''];
    const found: Array<{ readonly name: string; readonly namespace: string }> = [];
    for (const ns of scopes) {
      const names = await access.names(k, ns);
      if (!names.ok) {
        showErrorWithLog(this.d.log, `cannot list ${k.kind} objects: ${names.message}`);
        return undefined;
      }
      found.push(...names.value);
    }
    if (found.length === 0) {
      const where = scopes[0] ? ` in ${scopes.join(', ')}` : '';
      void vscode.window.showInformationMessage(`Kube Events: there are no ${k.kind} objects${where}.`);
      return undefined;
    }
    const namePick = await vscode.window.showQuickPick(
      found.map((n) => ({ label: n.name, description: n.namespace, value: n })),
      { ignoreFocusOut: true, title: `Kube Events: ${title} — ${k.kind}`, matchOnDescription: true },
    );
    if (!namePick) return undefined;
    return { kind: k.kind, apiVersion: k.apiVersion, name: namePick.value.name, namespace: namePick.value.namespace };
  }

  private manifestUnderCursor(): ManifestRef | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const doc = editor.document;
    if (!['yaml', 'json', 'helm'].includes(doc.languageId) && !/\.(ya?ml|json)$/i.test(doc.fileName)) return undefined;
    return manifestAt(doc.getText(), doc.offsetAt(editor.selection.active));
  }

}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
