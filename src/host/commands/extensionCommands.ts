import type * as vscode from 'vscode';
import type { Subscribe } from '../../core/emitter';
import type { HistoryService } from '../../history/historyService';
import type { OwnerGraph } from '../../core/owners/ownerGraph';
import { CaptureCommands } from '../capture/captureCommands';
import type { CaptureMode } from '../capture/captureMode';
import type { Recorder } from '../../kube/recorder';
import type { ClusterSession } from '../../kube/clusterSession';
import type { ResourceAccess } from '../clusterResources';
import type { ExtensionSettings } from '../config';
import type { DebugFollower } from '../debug/debugFollower';
import { DisposableOwner } from '../disposable';
import type { FilterController } from '../filterController';
import { clearHistoryCommand } from '../history/historyCommands';
import { KubernetesExtensionBridge } from '../kubernetesExtension/kubernetesExtensionBridge';
import { TimelinePanel, type TimelineContext } from '../timeline/timelinePanel';
import type { EventTreeProvider } from '../tree/eventTreeProvider';
import { ConnectionCommands } from './connectionCommands';
import { DebugSessionCommands } from './debugSessionCommands';
import { EmitCommand, pickEmitCluster } from './emitCommand';
import { EventRowCommands } from './eventRowCommands';
import { FilterCommands } from './filterCommands';
import type { CommandHandlers } from './registerCommands';
import type { ResourceDocuments } from './resourceDocuments';
import { ResourcePicker } from './resourcePicker';
import { refOfRow } from './treeRows';
import { ViewCommands } from './viewCommands';

/** Everything the commands use (wired in src/compose/commands.ts). */
export interface ExtensionCommandDeps {
  readonly session: ClusterSession;
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly log: vscode.LogOutputChannel;
  /** The settings' owner: what is watched changes only through it. */
  readonly settings: Pick<ExtensionSettings, 'config' | 'selectContext' | 'selectContexts' | 'forgetContext' | 'useKubernetesKubeconfig'>;
  /** Discovery, reads and the recorder of the current connection (ClusterResources). */
  readonly resources: { access(cluster?: string): ResourceAccess | undefined; recorder(cluster?: string): Recorder | undefined };
  /** The user asked for the cluster (ConnectionDemand). */
  readonly connect: () => void;
  /** What a new timeline panel is built from. */
  readonly timeline: TimelineContext;
  readonly resourceDocuments: ResourceDocuments;
  readonly follower: Pick<DebugFollower, 'last' | 'all'>;
  /** The read-only capture mode (src/host/capture): live-only commands say they are not available while it is on. */
  readonly capture: CaptureMode;
  /** The owner graph `under:` uses now (the connection's, or an open capture's). */
  readonly owners: () => OwnerGraph | undefined;
  /** What wrote a capture file (`kube-events <version>`). */
  readonly writer: string;
  readonly history: HistoryService;
  /** Where Emit Test Event… remembers its reasons. */
  readonly memento: vscode.Memento;
  /** The timeline asks to open an event's object (by uid). */
  readonly onDidRequestResource: Subscribe<string>;
  /** Opens the recorder ledger panel (src/host/debug/recorderTracker.ts). */
  readonly showRecorderLedger: () => void;
  /** Go to Emitter (src/host/emitter) and Break on Events Matching… (src/host/debug/eventBreakpoints.ts). */
  readonly goToEmitter: (arg?: unknown) => Promise<unknown>;
  readonly breakOnEvents: (arg?: unknown) => Promise<unknown>;
}

/** Runs `demand` before the handler: for commands that need the cluster at once (a picker of its objects, a read, a write). */
function connectingFirst<A extends unknown[], R>(demand: () => void, run: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    demand();
    return run(...args);
  };
}

/**
 * Every command of package.json, by its key in constants.ts `Commands` ({@link handlers}, for registerCommands),
 * and the Kubernetes extension's "Show Events" on its resources. Each concern lives in its own module; this
 * class builds them and says which commands connect first (docs/ARCHITECTURE.md §13).
 */
export class ExtensionCommands extends DisposableOwner {
  readonly handlers: CommandHandlers;
  /** Save, open and close captures; the custom editor opens files through {@link CaptureCommands.open}. */
  readonly captures: CaptureCommands;

  constructor(deps: ExtensionCommandDeps) {
    super();
    const { session, settings, filter, tree, log, connect } = deps;
    const resources = (): ResourceAccess | undefined => deps.resources.access();
    const openTimeline = (): void => void TimelinePanel.createOrShow(deps.timeline);
    const captures = new CaptureCommands({
      capture: deps.capture,
      session,
      tree,
      filter,
      owners: deps.owners,
      sessions: () => deps.follower.all,
      layout: () => ({ tree: { groupBy: settings.config.groupBy }, timeline: { open: TimelinePanel.current !== undefined } }),
      applyLayout: (layout) => {
        const timeline = (layout as { timeline?: { open?: unknown } } | undefined)?.timeline;
        if (timeline?.open === true) openTimeline();
      },
      log,
      writer: deps.writer,
    });
    this.captures = captures;
    const live = <A extends unknown[], R>(title: string, run: (...args: A) => R) => captures.liveOnly(title, run);
    const picker = new ResourcePicker({ session, resources, log });
    const connection = new ConnectionCommands({ session, log, settings, resources, connect });
    const filters = new FilterCommands({ filter, picker });
    const rows = new EventRowCommands({ session, tree, log, resources, resourceDocuments: deps.resourceDocuments, picker });
    const views = new ViewCommands({ session, filter, tree, log, openTimeline });
    const debugSessions = new DebugSessionCommands({ follower: deps.follower, filter, showEvents: filters.showEvents, timeline: deps.timeline });
    const kubernetes = this.register(
      new KubernetesExtensionBridge(
        {
          onKubeconfig: (path) => settings.useKubernetesKubeconfig(path),
          onContext: (name) => {
            if (name !== session.contextName) void settings.selectContext(name);
          },
          onShowEvents: filters.showEvents,
        },
        log,
      ),
    );
    const emit = new EmitCommand({
      pickCluster: (arg) => pickEmitCluster(session, arg),
      contextName: (cluster) => (cluster ? session.scopeOf(cluster)?.context : undefined) ?? session.contextName,
      confirmContexts: () => settings.config.emitConfirmContexts,
      recorder: (cluster) => deps.resources.recorder(cluster),
      pickTarget: async (arg) => refOfRow(arg) ?? (await kubernetes.resourceOf(arg)) ?? (await picker.pick('Emit Test Event')),
      reference: async (target, cluster) => deps.resources.access(cluster)?.reference(target),
      memento: deps.memento,
      log,
    });
    this.register(
      deps.onDidRequestResource((uid) => {
        const row = tree.rowForEvent(uid);
        if (row) void rows.openResourceYaml(row);
      }),
    );
    this.handlers = {
      // Select Context… and Select Kubeconfig… connect once a choice is made (ConnectionCommands).
      // While a capture is open nothing connects: these say so (docs/ARCHITECTURE.md §18).
      selectKubeconfig: live('Select Kubeconfig…', connection.selectKubeconfig),
      selectContext: live('Select Context…', connection.selectContext),
      selectContexts: live('Select Contexts…', connection.selectContexts),
      selectNamespace: live('Select Namespace…', connectingFirst(connect, connection.selectNamespace)),
      reconnect: live('Reconnect', connectingFirst(connect, connection.reconnect)),
      pauseStream: live('Pause Stream', connection.pauseStream),
      resumeStream: live('Resume Stream', connectingFirst(connect, connection.resumeStream)),
      openSettings: connection.openSettings,
      filterEvents: filters.filterEvents,
      filterByResource: connectingFirst(connect, filters.filterByResource),
      filterToResource: filters.filterToResource,
      clearFilter: filters.clearFilter,
      copyKubectlCommand: rows.copyKubectlCommand,
      openResourceYaml: live('Open Resource YAML', connectingFirst(connect, rows.openResourceYaml)),
      exportEvents: rows.exportEvents,
      showLog: views.showLog,
      openTimeline: views.openTimeline,
      groupBy: views.groupBy,
      statusActions: views.statusActions,
      emitTestEvent: live('Emit Test Event…', connectingFirst(connect, emit.run)),
      showEventsForKubernetesResource: live('Show Events', connectingFirst(connect, kubernetes.showEvents)),
      showSessionEvents: debugSessions.showSessionEvents,
      openSessionTimeline: debugSessions.openSessionTimeline,
      clearHistory: () => clearHistoryCommand(deps.history),
      showRecorderLedger: () => deps.showRecorderLedger(),
      breakOnEvents: deps.breakOnEvents,
      goToEmitter: deps.goToEmitter,
      saveCapture: captures.saveCapture,
      openCapture: captures.openCapture,
      closeCapture: captures.closeCapture,
    } satisfies CommandHandlers;
  }
}
