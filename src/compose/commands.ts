import * as vscode from 'vscode';
import { RESOURCE_SCHEME, Views } from '../constants';
import { EmitCommand } from '../host/commands/emitCommand';
import { eventCommands } from '../host/commands/eventCommands';
import { ResourceDocuments } from '../host/commands/resourceDocuments';
import { refOfRow } from '../host/commands/treeRows';
import { registerCommands } from '../host/commands/registerCommands';
import { clearHistoryCommand } from '../host/history/historyCommands';
import { KubernetesExtensionBridge } from '../host/kubernetesExtension/kubernetesExtensionBridge';
import { TimelinePanel } from '../host/timeline/timelinePanel';
import type { Pipeline } from './pipeline';
import type { ComposedViews } from './views';

const NO_DEBUG_SESSION = 'Kube Events: no debug session has run since the window opened.';

/** Runs `demand` before the handler: for commands that need the cluster at once (a picker of its objects, a read, a write). */
function connectingFirst<A extends unknown[], R>(demand: () => void, run: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    demand();
    return run(...args);
  };
}

/** Every command of package.json, and the Kubernetes extension's "Show Events" on its resources. */
export function composeCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, views: ComposedViews, disposables: vscode.Disposable[]): void {
  const { settings, session, history, resources, demand } = pipeline;
  // An explicit command that needs the cluster is a reason to connect (docs/ARCHITECTURE.md §13).
  const connect = (): void => demand.want('command');
  const { filter, tree, timeline } = views;
  const follower = views.debug.follower;
  const memento = context.globalState;
  const documents = new ResourceDocuments();
  disposables.push(documents, vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, documents));

  const showEvents = async (text: string): Promise<void> => {
    const error = filter.set(text);
    if (error) throw new Error(error.message);
    await vscode.commands.executeCommand(`${Views.events}.focus`);
  };
  const kubernetes = new KubernetesExtensionBridge(
    {
      onKubeconfig: (path) => settings.useKubernetesKubeconfig(path),
      onContext: (name) => {
        if (name !== session.contextName) void settings.selectContext(name);
      },
      onShowEvents: showEvents,
    },
    log,
  );
  disposables.push(kubernetes);

  const commands = eventCommands({
    session,
    filter,
    tree,
    log,
    settings,
    resources: () => resources.access(),
    connect,
    openTimeline: () => void TimelinePanel.createOrShow(timeline),
    resourceDocuments: documents,
  });
  disposables.push(
    views.onDidRequestResource((uid) => {
      const event = session.store.get(uid);
      if (event) void commands.openResourceYaml(tree.model.nodeForEvent(uid) ?? { kind: 'event', id: uid, event, parent: undefined });
    }),
  );
  const emit = new EmitCommand({
    contextName: () => session.contextName,
    confirmContexts: () => settings.config.emitConfirmContexts,
    recorder: () => resources.recorder(),
    pickTarget: async (arg) => refOfRow(arg) ?? (await kubernetes.resourceOf(arg)) ?? (await commands.pickResource('Emit Test Event')),
    reference: async (target) => resources.access()?.reference(target),
    memento,
    log,
  });

  /** The current filter with its `session:` terms replaced by `session:last`. */
  const sessionFilterText = (): string => [...filter.query.terms.filter((t) => t.key !== 'session').map((t) => t.text), 'session:last'].join(' ');
  const showSessionEvents = async (): Promise<void> => {
    if (!follower.last) {
      void vscode.window.showInformationMessage(NO_DEBUG_SESSION);
      return;
    }
    await showEvents(sessionFilterText());
  };
  const openSessionTimeline = (): void => {
    if (!follower.last) {
      void vscode.window.showInformationMessage(NO_DEBUG_SESSION);
      return;
    }
    const text = sessionFilterText();
    const panel = TimelinePanel.current ?? TimelinePanel.createOrShow({ ...timeline, getQueryText: () => text });
    panel.reveal();
    panel.setFilterText(text);
    panel.fitSession();
  };
  disposables.push(
    ...registerCommands(log, {
      ...commands,
      // Select Context… and Select Kubeconfig… connect once a choice is made (ConnectionCommands).
      selectNamespace: connectingFirst(connect, commands.selectNamespace),
      filterByResource: connectingFirst(connect, commands.filterByResource),
      openResourceYaml: connectingFirst(connect, commands.openResourceYaml),
      reconnect: connectingFirst(connect, commands.reconnect),
      resumeStream: connectingFirst(connect, commands.resumeStream),
      emitTestEvent: connectingFirst(connect, emit.run),
      showEventsForKubernetesResource: connectingFirst(connect, kubernetes.showEvents),
      showSessionEvents,
      openSessionTimeline,
      clearHistory: () => clearHistoryCommand(history),
    }),
  );
}
