import * as vscode from 'vscode';
import { Commands, ContextKeys, RESOURCE_SCHEME, StateKeys, Views } from './constants';
import type { EventTreeModel } from './core/eventTreeModel';
import { oneLine, TEXT_LIMITS } from './core/boundedText';
import { ClusterSession, type SessionSettings, type SessionState } from './kube/clusterSession';
import { EmitCommand } from './host/commands/emitCommand';
import { EventCommands, refOfRow, ResourceDocuments } from './host/commands/eventCommands';
import { registerCommands } from './host/commands/registerCommands';
import { onConfigChange, readConfig, sameScope, type Config } from './host/config';
import { FilterController } from './host/filterController';
import { EventLogSink } from './host/output/eventLogSink';
import { ClusterResources } from './host/clusterResources';
import { StatusBar } from './host/status/statusBar';
import { EventTreeProvider, type RowSnapshot } from './host/tree/eventTreeProvider';
import { describeQuery, parseQuery, usesOwners, usesSessions, type Query } from './core/query';
import { systemClock } from './core/ports';
import { loadKubeconfig } from './kube/kubeConfigLoader';
import { DebugSessionAdapter } from './host/debug/debugSessionAdapter';
import { matchStart, separatorText, sessionDtos, type DebugFollower } from './host/debug/debugFollower';
import { KubernetesExtensionBridge } from './host/kubernetesExtension/kubernetesExtensionBridge';
import { registerTimelineSerializer, TimelinePanel, type TimelineContext } from './host/timeline/timelinePanel';
import * as path from 'node:path';
import { tagged } from './core/ports';
import { HistoryService } from './history/historyService';
import { OwnerMemoryFile } from './host/ownerMemoryFile';
import { clearHistoryCommand, showHistoryNotice } from './host/history/historyCommands';
import { LanguageClientHost } from './host/lsp/languageClientHost';

/** What `activate()` returns: read by the extension-host tests, and usable by other extensions. */
export interface KubeEventsApi {
  readonly version: 1;
  /** The connection and its pipeline (broadcaster, store). */
  readonly session: ClusterSession;
  readonly tree: {
    readonly model: EventTreeModel;
    snapshot(): RowSnapshot[];
    readonly refreshCount: number;
    /** The Events view is on screen (refreshes of a hidden view cost nothing and are skipped). */
    readonly visible: boolean;
    /** The text above the tree (filter, stream state, events a filter cannot place). */
    readonly message: string | undefined;
  };
  readonly filter: {
    readonly text: string;
    /** Applies a query; returns the error message (and changes nothing) when it does not parse. */
    set(text: string): string | undefined;
    clear(): void;
    /** Events an `under:` filter hides only because their owner cannot be known (objects gone, owner unknown). */
    readonly ownerUnknown: number;
  };
  /** Saves the owner links learnt so far (they are also saved every few seconds and on shutdown). */
  saveOwners(): Promise<void>;
  readonly statusText: () => string;
  /** The on-disk history of the cluster being watched (undefined file: off, failed, or not connected). */
  readonly history: {
    readonly file: string | undefined;
    readonly mode: 'readWrite' | 'readOnly' | undefined;
    /** Writes pending changes now (they are otherwise written within half a second). */
    flush(): void;
  };
  /** The debug sessions followed (kubeEvents.debug.follow), their marks, launch-block problems and summaries. */
  readonly debug: DebugFollower;
  /** The language server that puts events on open manifests and Go code. */
  readonly languageServer: {
    /** Bytes the host has sent the server about objects and reasons (JSON length). */
    readonly bytesSent: number;
    /** The server's process id while it runs. */
    readonly pid: number | undefined;
  };
}

export interface App {
  readonly api: KubeEventsApi;
  readonly disposables: vscode.Disposable[];
  /** Stops the language server: what `deactivate()` returns. */
  stop(): Promise<void>;
}

/**
 * What is watched comes from the settings and the context only. Filters never narrow the watch: every view
 * (tree, timeline, log) sees the same stream and applies its own filter locally (docs/ARCHITECTURE.md).
 */
function sessionSettings(config: Config, memento: vscode.Memento): SessionSettings {
  return {
    kubeconfig: { path: config.kubeconfig, context: memento.get<string>(StateKeys.context) },
    scope: config.namespaces,
  };
}

/**
 * The text above the tree: what is filtered, and why the stream is not live. VS Code hides the welcome
 * view (and its buttons) while a message is set, so an empty tree gets no message: the welcome view for
 * the state and reason says what is wrong and offers what to do.
 */
function viewMessage(state: SessionState, query: Query, shown: number, total: number, ownerUnknown: number): string | undefined {
  if (shown === 0) return undefined;
  const parts: string[] = [];
  if (state.phase === 'error' || state.phase === 'unconfigured') parts.push(oneLine(state.message, TEXT_LIMITS.notification));
  else if (state.phase === 'reconnecting') parts.push(`Reconnecting (attempt ${state.attempt}): ${oneLine(state.reason, TEXT_LIMITS.notification)}`);
  else if (state.phase === 'paused') parts.push('Paused: new events are not shown until you resume the stream.');
  // The workbench shows the message as one paragraph: the unplaced count reads as a sentence of its own.
  const unplaced = ownerUnknown > 0 ? `. ${ownerUnknown} event${ownerUnknown === 1 ? '' : 's'} about objects that no longer exist: owner unknown` : '';
  if (!query.isEmpty) parts.push(`Filter: ${describeQuery(query)} — ${shown} of ${total} events${unplaced}`);
  return parts.length ? parts.join('\n') : undefined;
}

/** The composition root: builds the core, the cluster adapters and the views, wired by hand. */
export function compose(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): App {
  const disposables: vscode.Disposable[] = [];
  let config = readConfig();
  const memento = context.globalState;

  const ownersLog = tagged(log, 'owners');
  const session = new ClusterSession(sessionSettings(config, memento), {
    storeCapacity: config.storeMaxEvents,
    logger: log,
    ownerMemory: (identity) => new OwnerMemoryFile(context.globalStorageUri.fsPath, identity, ownersLog),
  });
  const history = new HistoryService({
    dir: path.join(context.globalStorageUri.fsPath, 'history'),
    broadcaster: session.broadcaster,
    store: session.store,
    settings: () => config.history,
    onNotice: (notice) => showHistoryNotice(log, notice),
    logger: tagged(log, 'history'),
  });
  const historyService = history;
  // History seeds the store with each new cluster's events before its first list.
  disposables.push(session.onDidChangeScope((scope) => scope && history.open(scope.cluster)));
  const resources = new ClusterResources(session, log);
  /** The current filter with its `session:` terms replaced by `session:last`. */
  const sessionFilterText = (): string => [...filter.query.terms.filter((t) => t.key !== 'session').map((t) => t.text), 'session:last'].join(' ');
  // Built before the filter, which asks it what `session:` means; it reaches the filter only once a session starts.
  const debug: DebugSessionAdapter = new DebugSessionAdapter({
    clock: systemClock,
    logger: log,
    enabled: () => config.debugFollow,
    filter: {
      get text(): string {
        return filter.query.text;
      },
      set: (text: string): string | undefined => filter.set(text)?.message,
    },
    context: {
      get current() {
        return session.contextName;
      },
      names: () => {
        const loaded = loadKubeconfig({ path: config.kubeconfig });
        return loaded.ok ? loaded.value.contexts.map((c) => c.name) : loaded.message;
      },
      switchTo: (name) => {
        // The memento holds the value at once; its promise is the write to disk.
        void memento.update(StateKeys.context, name);
        session.update(sessionSettings(config, memento));
      },
    },
    events: () => session.store.all(),
    openSessionTimeline: () => void vscode.commands.executeCommand(Commands.openSessionTimeline),
    showSessionEvents: () => void vscode.commands.executeCommand(Commands.showSessionEvents),
  });
  const filter: FilterController = new FilterController(memento, session.store, () => resources.owners(), resources.onDidLearnOwners, () => debug.follower.ranges());
  const tree = new EventTreeProvider(session.store, config.groupBy, filter.predicate(), () => filter.query.terms.some((t) => t.key === 'since' || t.key === 'until'));
  const logSink = new EventLogSink(session.broadcaster, log);
  const status = new StatusBar(session.broadcaster);
  const documents = new ResourceDocuments();
  disposables.push(tree, logSink, status, filter, documents, resources, vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, documents));

  const refreshMessage = (): void => {
    tree.message = viewMessage(session.state, filter.query, tree.model.size, session.store.size, filter.ownerUnknownCount);
  };
  let statusContext = '';
  const refreshStatus = (): void => {
    // "Warnings since start" means since this context started streaming.
    if (session.contextName !== statusContext) status.resetCounters();
    statusContext = session.contextName;
    status.setInfo({ context: session.contextName, namespaces: session.namespaces, filtered: !filter.query.isEmpty });
  };

  disposables.push(
    session.onState((s) => {
      status.setState(s);
      refreshStatus();
      refreshMessage();
      void vscode.commands.executeCommand('setContext', ContextKeys.state, s.phase);
      void vscode.commands.executeCommand('setContext', ContextKeys.reason, s.phase === 'error' || s.phase === 'unconfigured' ? s.reason : '');
      if (s.phase === 'unconfigured' || s.phase === 'error') log.warn(`[session] ${s.message}`);
    }),
    // A new connection comes with an empty owner graph: an `under:` filter needs it taught again.
    session.onDidChangeScope(() => filter.relearn()),
    // The tree applies store changes in batches: its counts are current after it refreshed.
    tree.onDidRefresh(() => refreshMessage()),
    filter.onDidChange((query) => {
      // since:/until: reach past what memory holds: bring the matching history in first.
      if (query.terms.some((t) => (t.key === 'since' || t.key === 'until') && !t.negated)) {
        historyService.loadMatching(query, { now: Date.now(), owners: resources.owners() });
      }
      tree.reset(undefined, filter.predicate());
      refreshMessage();
      refreshStatus();
      void vscode.commands.executeCommand('setContext', ContextKeys.filtered, !query.isEmpty);
    }),
    resources.onDidLearnOwners(() => filter.usesOwners && tree.reset(undefined, filter.predicate())),
    onConfigChange((next) => {
      const reconnect = next.kubeconfig !== config.kubeconfig || !sameScope(next.namespaces, config.namespaces);
      const regroup = next.groupBy !== config.groupBy;
      const h = config.history;
      const rehistory = next.history.enabled !== h.enabled || next.history.retentionDays !== h.retentionDays || next.history.maxMegabytes !== h.maxMegabytes;
      config = next;
      if (rehistory) historyService.settingsChanged();
      if (reconnect) session.update(sessionSettings(config, memento));
      if (regroup) tree.reset(next.groupBy);
    }),
    { dispose: () => session.dispose() },
    historyService,
  );

  const follower = debug.follower;
  let lastRanges = JSON.stringify(follower.ranges());
  const refreshSeparator = (): void => {
    const last = follower.last;
    tree.setSeparator(last ? { kind: 'separator', id: `debug:${last.id}`, at: matchStart(last.start), ...(last.end !== undefined ? { end: last.end } : {}), ...separatorText(last), command: Commands.showSessionEvents } : undefined);
  };
  disposables.push(
    debug,
    follower.onDidChange(() => {
      const ranges = JSON.stringify(follower.ranges());
      if (ranges !== lastRanges && usesSessions(filter.query)) tree.reset(undefined, filter.predicate());
      lastRanges = ranges;
      refreshSeparator();
    }),
  );

  const timeline: TimelineContext = {
    extensionUri: context.extensionUri,
    store: session.store,
    logger: log,
    owners: () => resources.owners(),
    onDidLearnOwners: resources.onDidLearnOwners,
    dropped: () => session.broadcaster.stats().totalDropped,
    debug: { ranges: () => follower.ranges(), sessions: () => sessionDtos(follower.all), onDidChange: follower.onDidChange },
    getQueryText: () => filter.query.text,
    // The timeline has its own filter: an `under:` there needs the owner graph taught as much as the tree's.
    onFilterChange: (text) => {
      const parsed = parseQuery(text);
      filter.setOwnerDemand('timeline', parsed.ok && usesOwners(parsed.value));
    },
    // The panel keeps focus: a click on a row selects it in the tree without pulling the cursor away.
    onReveal: (uid) => void tree.reveal(uid, false),
    // Scrolling or zooming out past the oldest row pages older history in, a bounded page at a time.
    onOlder: (before) => void historyService.loadOlder(before, 2_000),
    onOpenResource: (uid) => {
      const event = session.store.get(uid);
      if (event) void commands.openResourceYaml(tree.model.nodeForEvent(uid) ?? { kind: 'event', id: uid, event, parent: undefined });
    },
  };
  disposables.push(registerTimelineSerializer(timeline), { dispose: () => TimelinePanel.current?.dispose() });

  const commands = new EventCommands({
    session,
    filter,
    tree,
    memento,
    log,
    config: () => config,
    resources: () => resources.access(),
    openTimeline: () => void TimelinePanel.createOrShow(timeline),
    resourceDocuments: documents,
    reconnect: () => session.update(sessionSettings(config, memento)),
  });
  const emit = new EmitCommand({
    contextName: () => session.contextName,
    confirmContexts: () => config.emitConfirmContexts,
    recorder: () => resources.recorder(),
    pickTarget: async (arg) => refOfRow(arg) ?? (await kubernetes.resourceOf(arg)) ?? (await commands.pickResource('Emit Test Event')),
    reference: async (target) => resources.access()?.reference(target),
    memento,
    log,
  });
  const kubernetes = new KubernetesExtensionBridge(
    {
      onKubeconfig: (path) => {
        if (config.kubeconfigIsExplicit || path === config.kubeconfig) return;
        config = { ...config, kubeconfig: path };
        session.update(sessionSettings(config, memento));
      },
      onContext: (name) => {
        if (name === session.contextName) return;
        void memento.update(StateKeys.context, name).then(() => session.update(sessionSettings(config, memento)));
      },
      onShowEvents: async (text) => {
        const error = filter.set(text);
        if (error) throw new Error(error.message);
        await vscode.commands.executeCommand(`${Views.events}.focus`);
      },
    },
    log,
  );
  disposables.push(kubernetes);
  const showSessionEvents = async (): Promise<void> => {
    if (!follower.last) {
      void vscode.window.showInformationMessage('Kube Events: no debug session has run since the window opened.');
      return;
    }
    const error = filter.set(sessionFilterText());
    if (error) throw new Error(error.message);
    await vscode.commands.executeCommand(`${Views.events}.focus`);
  };
  const openSessionTimeline = (): void => {
    if (!follower.last) {
      void vscode.window.showInformationMessage('Kube Events: no debug session has run since the window opened.');
      return;
    }
    const text = sessionFilterText();
    const panel = TimelinePanel.current ?? TimelinePanel.createOrShow({ ...timeline, getQueryText: () => text });
    panel.reveal();
    panel.setFilterText(text);
    panel.fitSession();
  };
  disposables.push(
    ...registerCommands(log, { ...commands, emitTestEvent: emit.run, showEventsForKubernetesResource: kubernetes.showEvents, showSessionEvents, openSessionTimeline, clearHistory: () => clearHistoryCommand(historyService) }),
  );

  const languageServer = new LanguageClientHost({
    extensionUri: context.extensionUri,
    store: session.store,
    owners: () => resources.owners(),
    onDidLearnOwners: resources.onDidLearnOwners,
    exists: async (o) => {
      const read = await resources.read({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name });
      if (!read) return { exists: 'unknown', uid: '' };
      if (read.ok) return { exists: 'yes', uid: read.value.metadata?.uid ?? '' };
      return { exists: read.reason === 'not-found' ? 'no' : 'unknown', uid: '' };
    },
    cluster: () => ({ context: session.contextName, defaultNamespace: session.connection?.namespace || 'default', live: session.state.phase === 'live' }),
    windowMs: () => config.editorWindowMs,
    log,
  });
  let serverConnection = session.connection;
  disposables.push(
    languageServer,
    session.onState(() => {
      languageServer.clusterChanged(session.connection !== serverConnection);
      serverConnection = session.connection;
    }),
    onConfigChange(() => {
      languageServer.clusterChanged();
      // kubeEvents.editor.window may have changed: every state is computed again (unchanged ones are not sent).
      languageServer.feed.refresh();
    }),
  );
  languageServer.startWhenNeeded();

  void vscode.commands.executeCommand('setContext', ContextKeys.filtered, !filter.query.isEmpty);
  session.update(sessionSettings(config, memento));
  refreshStatus();

  const api: KubeEventsApi = {
    version: 1,
    session,
    tree: {
      model: tree.model,
      snapshot: () => tree.snapshot(),
      get refreshCount() {
        return tree.refreshCount;
      },
      get visible() {
        return tree.view.visible;
      },
      get message() {
        return tree.view.message;
      },
    },
    filter: {
      get text() {
        return filter.query.text;
      },
      set: (text) => filter.set(text)?.message,
      clear: () => filter.clear(),
      get ownerUnknown() {
        return filter.ownerUnknownCount;
      },
    },
    saveOwners: () => resources.saveOwners(),
    statusText: () => status.text,
    history: {
      get file() {
        return historyService.database?.file;
      },
      get mode() {
        return historyService.database?.mode;
      },
      flush: () => historyService.flush(),
    },
    debug: follower,
    languageServer: {
      get bytesSent() {
        return languageServer.feed.bytesSent;
      },
      get pid() {
        return languageServer.serverPid;
      },
    },
  };
  return { api, disposables, stop: () => languageServer.stop() };
}
