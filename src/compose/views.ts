import * as vscode from 'vscode';
import { Commands, ContextKeys } from '../constants';
import { oneLine, TEXT_LIMITS } from '../core/text/boundedText';
import { systemClock } from '../core/ports';
import { describeQuery } from '../core/query/describe';
import { usesOwners, usesSessions } from '../core/query/evaluate';
import { parseQuery } from '../core/query/parse';
import type { Query } from '../core/query/syntax';
import { matchStart, separatorText, sessionDtos } from '../host/debug/debugText';
import { DebugSessionAdapter } from '../host/debug/debugSessionAdapter';
import { FilterController } from '../host/filterController';
import { LanguageClientHost } from '../host/lsp/languageClientHost';
import { EventLogSink } from '../host/output/eventLogSink';
import { StatusBar } from '../host/status/statusBar';
import { registerTimelineSerializer, TimelinePanel, type TimelineContext } from '../host/timeline/timelinePanel';
import { EventTreeProvider } from '../host/tree/eventTreeProvider';
import type { SessionState } from '../kube/clusterSession';
import { kubeconfigProblemText, sessionProblemText } from '../host/errorText';
import { loadKubeconfig } from '../kube/kubeConfigLoader';
import type { Pipeline } from './pipeline';

/**
 * How many older events the timeline pages in from history at a time, when it is scrolled or zoomed out past
 * its oldest row.
 */
const OLDER_HISTORY_PAGE = 2_000;

/** What the commands and the API reach of the views. */
export interface Views {
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly status: StatusBar;
  readonly debug: DebugSessionAdapter;
  /** What a new timeline panel is built from. */
  readonly timeline: TimelineContext;
  readonly languageServer: LanguageClientHost;
  /** The timeline asks to open an event's object (the commands answer: they own the resource documents). */
  readonly onDidRequestResource: vscode.Event<string>;
}

/**
 * The text above the tree: what is filtered, and why the stream is not live. VS Code hides the welcome
 * view (and its buttons) while a message is set, so an empty tree gets no message: the welcome view for
 * the state and reason says what is wrong and offers what to do.
 */
function viewMessage(state: SessionState, query: Query, shown: number, total: number, ownerUnknown: number): string | undefined {
  if (shown === 0) return undefined;
  const parts: string[] = [];
  const problem = sessionProblemText(state);
  if (problem) parts.push(oneLine(problem, TEXT_LIMITS.notification));
  else if (state.phase === 'reconnecting') parts.push(`Reconnecting (attempt ${state.attempt}): ${oneLine(state.reason, TEXT_LIMITS.notification)}`);
  else if (state.phase === 'paused') parts.push('Paused: new events are not shown until you resume the stream.');
  // The workbench shows the message as one paragraph: the unplaced count reads as a sentence of its own.
  const unplaced = ownerUnknown > 0 ? `. ${ownerUnknown} event${ownerUnknown === 1 ? '' : 's'} about objects that no longer exist: owner unknown` : '';
  if (!query.isEmpty) parts.push(`Filter: ${describeQuery(query)} — ${shown} of ${total} events${unplaced}`);
  return parts.length ? parts.join('\n') : undefined;
}

/** The surfaces events are shown on (tree, log, status bar, timeline, editors) and the filter they share. */
export function composeViews(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, disposables: vscode.Disposable[]): Views {
  const { settings, session, history, resources, demand } = pipeline;
  const filter = new FilterController(context.globalState, session.store, () => resources.owners(), resources.onDidLearnOwners);
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
      names: () => {
        const loaded = loadKubeconfig({ path: settings.config.kubeconfig });
        return loaded.ok ? loaded.value.contexts.map((c) => c.name) : kubeconfigProblemText(loaded);
      },
      switchTo: (name) => void settings.selectContext(name),
    },
    events: () => session.store.all(),
    openSessionTimeline: () => void vscode.commands.executeCommand(Commands.openSessionTimeline),
    showSessionEvents: () => void vscode.commands.executeCommand(Commands.showSessionEvents),
    wantCluster: () => demand.want('debug'),
  });
  const follower = debug.follower;
  filter.useSessions(() => follower.ranges());
  const tree = new EventTreeProvider(session.store, settings.config.groupBy, filter.predicate(), () => filter.query.terms.some((t) => t.key === 'since' || t.key === 'until'));
  const logSink = new EventLogSink(session.broadcaster, log);
  const status = new StatusBar(session.broadcaster, demand.reason === undefined);
  const resourceRequests = new vscode.EventEmitter<string>();
  disposables.push(tree, logSink, status, filter, debug, resourceRequests);

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
  const refilter = (): void => tree.reset(undefined, filter.predicate());
  const refreshSeparator = (): void => {
    const last = follower.last;
    tree.setSeparator(last ? { kind: 'separator', id: `debug:${last.id}`, at: matchStart(last.start), ...(last.end !== undefined ? { end: last.end } : {}), ...separatorText(last), command: Commands.showSessionEvents } : undefined);
  };

  disposables.push(
    // Nothing connects without a reason (docs/ARCHITECTURE.md §13); a view shown is one, for the whole window.
    tree.view.onDidChangeVisibility((e) => {
      if (e.visible) demand.want('view');
    }),
    demand.onDidDemand(() => status.setNotConnected(false)),
    session.onState((s) => {
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
    // The tree applies store changes in batches: its counts are current after it refreshed.
    tree.onDidRefresh(() => refreshMessage()),
    filter.onDidChange((query) => {
      // since:/until: reach past what memory holds: bring the matching history in first.
      if (query.terms.some((t) => (t.key === 'since' || t.key === 'until') && !t.negated)) {
        history.loadMatching(query, { now: Date.now(), owners: resources.owners() });
      }
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
      if (rangesMoved && usesSessions(filter.query)) refilter();
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
    onOlder: (before) => void history.loadOlder(before, OLDER_HISTORY_PAGE),
    onOpenResource: (uid) => resourceRequests.fire(uid),
    onVisible: () => demand.want('timeline'),
  };
  disposables.push(registerTimelineSerializer(timeline), { dispose: () => TimelinePanel.current?.dispose() });

  const languageServer = composeLanguageServer(context, log, pipeline, disposables);

  void vscode.commands.executeCommand('setContext', ContextKeys.filtered, !filter.query.isEmpty);
  refreshStatus();
  return { filter, tree, status, debug, timeline, languageServer, onDidRequestResource: resourceRequests.event };
}

/** The language server that puts events on open manifests and Go code (docs/ARCHITECTURE.md §11). */
function composeLanguageServer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, disposables: vscode.Disposable[]): LanguageClientHost {
  const { settings, session, resources, demand } = pipeline;
  const languageServer = new LanguageClientHost({
    extensionUri: context.extensionUri,
    store: session.store,
    owners: () => resources.owners(),
    onDidLearnOwners: resources.onDidLearnOwners,
    exists: async (o) => {
      const read = await resources.metadata({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name });
      if (!read) return { exists: 'unknown', uid: '' };
      if (read.ok) return { exists: 'yes', uid: read.value.metadata.uid };
      return { exists: read.reason === 'not-found' ? 'no' : 'unknown', uid: '' };
    },
    cluster: () => ({ context: session.contextName, defaultNamespace: session.connection?.namespace || 'default', live: session.state.phase === 'live' }),
    windowMs: () => settings.config.editorWindowMs,
    wantCluster: () => demand.want('document'),
    log,
  });
  let serverConnection = session.connection;
  disposables.push(
    languageServer,
    session.onState(() => {
      languageServer.clusterChanged(session.connection !== serverConnection);
      serverConnection = session.connection;
    }),
    settings.onDidChange(({ next, previous }) => {
      languageServer.clusterChanged();
      // Another kubeEvents.editor.window: every state is computed again (unchanged ones are not sent).
      if (next.editorWindowMs !== previous.editorWindowMs) languageServer.feed.refresh();
    }),
  );
  languageServer.startWhenNeeded();
  return languageServer;
}
