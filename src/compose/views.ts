import * as vscode from 'vscode';
import { Commands, ContextKeys } from '../constants';
import { systemClock } from '../core/ports';
import { usesSessions } from '../core/query/evaluate';
import { sessionDtos } from '../host/debug/debugText';
import { DebugSessionAdapter } from '../host/debug/debugSessionAdapter';
import { RecorderTracker } from '../host/debug/recorderTracker';
import { separatorRow } from '../host/debug/eventsViewSession';
import { sessionProblemText } from '../host/errorText';
import { FilterController } from '../host/filterController';
import { LanguageClientHost } from '../host/lsp/languageClientHost';
import { EventBreakpoints } from '../host/debug/eventBreakpoints';
import { EmitterCodeActionProvider, GoToEmitter } from '../host/emitter/goToEmitter';
import { MANIFEST_DIAGNOSTIC_SOURCE } from '../protocol/emitters';
import { checkExists } from '../host/lsp/existence';
import { EventLogSink } from '../host/output/eventLogSink';
import { StatusBar } from '../host/status/statusBar';
import { judgedStore } from '../host/lsp/judgedStore';
import { registerTimelineSerializer, TimelinePanel, type TimelineContext } from '../host/timeline/timelinePanel';
import { EventTreeProvider } from '../host/tree/eventTreeProvider';
import { viewMessage } from '../host/tree/viewMessage';
import { captureBannerText, captureContextLabel } from '../host/capture/captureMode';
import { CaptureView } from '../host/capture/captureView';
import { combinedDisposable } from '../core/lifecycle';
import type { DebugChange } from '../host/debug/debugFollower';
import type { Pipeline } from './pipeline';
import type { KubeEvent } from '../core/events/kubeEvent';

/**
 * How many older events the timeline pages in from history at a time, when it is scrolled or zoomed out past
 * its oldest row.
 */
const OLDER_HISTORY_PAGE = 2_000;

/** What the commands and the API reach of the views. */
export interface ComposedViews {
  /** Where the window says a capture is open (status bar, timeline title); the Events view's message is `viewMessage`'s. */
  readonly captureView: CaptureView;
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly status: StatusBar;
  readonly debug: DebugSessionAdapter;
  /** The recorder ledgers of debug sessions (the debuggee's event log lines, joined with the watch). */
  readonly recorder: RecorderTracker;
  /** What a new timeline panel is built from. */
  readonly timeline: TimelineContext;
  readonly languageServer: LanguageClientHost;
  readonly breakpoints: EventBreakpoints;
  readonly emitter: GoToEmitter;
  /** The timeline asks to open an event's object (the commands answer: they own the resource documents). */
  readonly onDidRequestResource: vscode.Event<string>;
}

/** The surfaces events are shown on (tree, log, status bar, timeline, editors) and the filter they share. */
export function composeViews(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, disposables: vscode.Disposable[]): ComposedViews {
  const { settings, session, history, resources, demand, capture } = pipeline;
  const filter = new FilterController(context.globalState, session.store, (cluster) => resources.owners(cluster), resources.onDidLearnOwners, log);
  let languageServerRef: LanguageClientHost | undefined;
  // Registered before the follower's adapter, so a session's last output is read before its summary is written.
  const recorder = new RecorderTracker({
    extensionUri: context.extensionUri,
    clock: systemClock,
    logger: log,
    events: () => session.store.all(),
    enabled: () => settings.config.debugFollow,
    sendLedger: (params) => languageServerRef?.setLedger(params),
  });
  const debug = new DebugSessionAdapter({
    clock: systemClock,
    logger: log,
    enabled: () => settings.config.debugFollow,
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
      names: () => settings.contextNames(),
      switchTo: (name) => void settings.selectContext(name),
    },
    events: () => session.store.all(),
    openSessionTimeline: () => void vscode.commands.executeCommand(Commands.openSessionTimeline),
    showSessionEvents: () => void vscode.commands.executeCommand(Commands.showSessionEvents),
    wantCluster: () => demand.want('debug'),
    recorderSummary: (id) => recorder.summaryFor(id),
    showRecorderLedger: () => recorder.show(),
  });
  const follower = debug.follower;
  // An open capture's `session:` is its own debug sessions' (docs/ARCHITECTURE.md §18).
  const sessionRanges = () => (capture.isOpen ? capture.ranges() : follower.ranges());
  filter.useSessions(sessionRanges);
  const tree = new EventTreeProvider(session.store, settings.config.groupBy, filter.predicate(), () => filter.usesTime);
  const logSink = new EventLogSink(session.broadcaster, log);
  const status = new StatusBar(session.broadcaster, demand.reason === undefined);
  const captureView = new CaptureView(capture);
  const resourceRequests = new vscode.EventEmitter<string>();
  // The timeline's sessions change with the followed ones, and when a capture (with its own) opens or closes.
  const captureChanged = new vscode.EventEmitter<DebugChange>();
  disposables.push(tree, logSink, status, captureView, filter, recorder, debug, resourceRequests, captureChanged);

  const refreshMessage = (): void => {
    const shown = capture.current;
    tree.message = viewMessage({
      state: session.state,
      query: filter.query,
      shown: tree.model.size,
      total: session.store.size,
      ownerUnknown: filter.ownerUnknownCount,
      ...(shown ? { capture: captureBannerText(shown.header) } : {}),
    });
  };
  const refreshStatus = (): void => status.setInfo({ context: session.contextName, namespaces: session.namespaces, filtered: !filter.query.isEmpty });
  const refilter = (): void => tree.reset(undefined, filter.predicate());

  disposables.push(
    // Nothing connects without a reason (docs/ARCHITECTURE.md §13); a view shown is one, for the whole window.
    tree.view.onDidChangeVisibility((e) => {
      if (e.visible) demand.want('view');
    }),
    demand.onDidDemand(() => status.setNotConnected(false)),
    session.onDidChangeState((s) => {
      status.setState(s);
      refreshStatus();
      refreshMessage();
      void vscode.commands.executeCommand('setContext', ContextKeys.state, s.phase);
      void vscode.commands.executeCommand('setContext', ContextKeys.reason, s.phase === 'error' || s.phase === 'unconfigured' ? s.reason : '');
      const problem = sessionProblemText(s);
      if (problem) log.warn(`[session] ${problem}`);
      // After a (re)list, objects whose reads failed while the stream was down are read again.
      if (s.phase === 'live') filter.relearn();
    }),
    // A new connection comes with an empty owner graph: an `under:` filter needs it taught again.
    session.onDidChangeScope(() => filter.relearn()),
    // Several clusters: each one's state in the status bar (docs/ARCHITECTURE.md §1).
    session.onDidChangeClusters((clusters) => {
      status.setClusters(clusters);
      tree.setClustered(clusters.length > 1);
      logSink.setClustered(clusters.length > 1);
    }),
    // The tree applies store changes in batches: its counts are current after it refreshed.
    tree.onDidRefresh(() => refreshMessage()),
    filter.onDidChange((query) => {
      for (const h of pipeline.histories.all()) h.filterChanged(query, { now: Date.now(), owners: resources.owners() });
      refilter();
      refreshMessage();
      refreshStatus();
      void vscode.commands.executeCommand('setContext', ContextKeys.filtered, !query.isEmpty);
    }),
    resources.onDidLearnOwners(() => filter.usesOwners && refilter()),
    settings.onDidChange(({ next, previous }) => {
      if (next.groupBy !== previous.groupBy) tree.reset(next.groupBy);
    }),
    follower.onDidChange(({ rangesMoved }) => {
      if (capture.isOpen) return;
      if (rangesMoved && usesSessions(filter.query)) refilter();
      tree.setSeparator(separatorRow(follower.last));
    }),
    capture.onDidChange((open) => {
      tree.setSeparator(separatorRow(open ? open.sessions.at(-1) : follower.last));
      if (usesSessions(filter.query)) refilter();
      refreshMessage();
      captureChanged.fire({ rangesMoved: true });
    }),
  );

  const timeline: TimelineContext = {
    extensionUri: context.extensionUri,
    store: session.store,
    logger: log,
    owners: (cluster) => resources.owners(cluster),
    clusters: { names: () => session.clusters.map((c) => c.name), onDidChange: session.onDidChangeClusters },
    onDidLearnOwners: resources.onDidLearnOwners,
    dropped: () => session.broadcaster.stats().totalDropped,
    debug: {
      ranges: sessionRanges,
      sessions: () => sessionDtos(capture.current?.sessions ?? follower.all),
      onDidChange: (listener) => combinedDisposable(follower.onDidChange(listener), captureChanged.event(listener)),
    },
    recorder: { attempts: () => recorder.attemptsMessage(), onDidChange: recorder.ledgers.onDidChange },
    getQueryText: () => filter.query.text,
    // The timeline has its own filter: an `under:` there needs the owner graph taught as much as the tree's.
    onFilterChange: (text) => filter.setViewQuery('timeline', text),
    // The panel keeps focus: a click on a row selects it in the tree without pulling the cursor away.
    onReveal: (uid) => void tree.reveal(uid, false),
    onOlder: (before) => void history.loadOlder(before, OLDER_HISTORY_PAGE),
    onOpenResource: (uid) => resourceRequests.fire(uid),
    onVisible: () => demand.want('timeline'),
    titleSuffix: captureView.titleSuffix,
  };
  disposables.push(registerTimelineSerializer(timeline), { dispose: () => TimelinePanel.current?.dispose() });

  const languageServer = composeLanguageServer(context, log, pipeline, disposables);
  languageServerRef = languageServer;

  const emitter = new GoToEmitter({ event: (uid) => session.store.get(uid), request: (params) => languageServer.emitters(params), log });
  const breakpoints = new EventBreakpoints({
    broadcaster: session.broadcaster,
    follower,
    owners: () => resources.owners(),
    sessions: sessionRanges,
    ownerDemand: (text) => filter.setViewQuery('eventBreakpoints', text),
    log,
    reveal: (uid) => void tree.reveal(uid, true),
    openSessionTimeline: () => void vscode.commands.executeCommand(Commands.openSessionTimeline),
    emitters: (event) => emitter.rank(event),
  });
  disposables.push(
    breakpoints,
    vscode.languages.registerCodeActionsProvider(
      { language: 'yaml' },
      new EmitterCodeActionProvider(MANIFEST_DIAGNOSTIC_SOURCE, (reason, o) => latestAbout(session.store.byReason(reason), o), Commands.goToEmitter),
      { providedCodeActionKinds: EmitterCodeActionProvider.kinds },
    ),
  );

  void vscode.commands.executeCommand('setContext', ContextKeys.filtered, !filter.query.isEmpty);
  refreshStatus();
  return { captureView, filter, tree, status, debug, recorder, timeline, languageServer, breakpoints, emitter, onDidRequestResource: resourceRequests.event };
}

/** The newest event about the object; else, as the diagnostic also counts what the object owns, the newest in its namespace. */
function latestAbout(events: readonly KubeEvent[], o: { kind: string; namespace: string; name: string }): KubeEvent | undefined {
  const newest = (list: readonly KubeEvent[]): KubeEvent | undefined => list.reduce<KubeEvent | undefined>((a, e) => (!a || e.lastSeen > a.lastSeen ? e : a), undefined);
  const kind = o.kind.toLowerCase();
  return newest(events.filter((e) => e.regarding.kind.toLowerCase() === kind && e.regarding.name === o.name && e.regarding.namespace === o.namespace)) ?? newest(events.filter((e) => e.regarding.namespace === o.namespace));
}

/** The language server that puts events on open manifests and Go code (docs/ARCHITECTURE.md §11). */
function composeLanguageServer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, disposables: vscode.Disposable[]): LanguageClientHost {
  const { settings, session, resources, demand, capture } = pipeline;
  const languageServer = new LanguageClientHost({
    extensionUri: context.extensionUri,
    // A manifest is judged against the primary cluster only (its events, owners and existence): the context
    // chosen first (docs/ARCHITECTURE.md §11).
    store: judgedStore(session.store, () => (session.clusters.length > 1 ? session.clusters[0]?.name : undefined)),
    owners: () => resources.owners(),
    onDidLearnOwners: resources.onDidLearnOwners,
    exists: (o) => checkExists((ref) => resources.metadata(ref), o),
    cluster: () => {
      // An open capture answers for its cluster(s), with every event it holds in the editor's window (docs/ARCHITECTURE.md §18).
      const open = capture.current;
      // (its label names the capture's clusters already: the lenses need not name one more)
      if (open) return { context: captureContextLabel(open.header), defaultNamespace: 'default', live: true, clusters: 1 };
      return {
        context: session.contextName,
        defaultNamespace: session.connection?.namespace || 'default',
        live: session.state.phase === 'live',
        clusters: Math.max(1, session.clusters.length),
      };
    },
    windowMs: () => {
      const open = capture.current;
      return open ? Math.max(settings.config.editorWindowMs, Date.now() - open.header.from + 1_000) : settings.config.editorWindowMs;
    },
    connection: () => session.connection,
    wantCluster: () => demand.want('document'),
    log,
  });
  disposables.push(
    languageServer,
    session.onDidChangeState(() => languageServer.sessionChanged()),
    // Another cluster label and editor window: every state is computed again.
    capture.onDidChange(() => languageServer.settingsChanged(-1)),
    // The lenses say which context a manifest is judged against once several clusters are watched.
    session.onDidChangeClusters(() => languageServer.sessionChanged()),
    settings.onDidChange(({ previous }) => languageServer.settingsChanged(previous.editorWindowMs)),
  );
  languageServer.startWhenNeeded();
  return languageServer;
}
