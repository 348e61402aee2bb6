import type { Subscribe } from '../core/emitter';
import type { EventTreeModel } from '../core/eventTreeModel';
import type { KubeEvent } from '../core/events/kubeEvent';
import type { HistoryService } from '../history/historyService';
import type { Config } from '../host/config';
import type { DebugFollower } from '../host/debug/debugFollower';
import type { RecorderTracker } from '../host/debug/recorderTracker';
import type { EventBreakpoints } from '../host/debug/eventBreakpoints';
import type { ConnectionReason } from '../host/connectionDemand';
import type { Row, RowSnapshot } from '../host/tree/eventTreeProvider';
import type { ClusterSession, SessionState } from '../kube/clusterSession';
import type { Pipeline } from './pipeline';
import type { OpenCapture } from '../host/capture/captureMode';
import type { ComposedViews } from './views';

/**
 * What `activate()` returns to other extensions (`vscode.extensions.getExtension('…').activate()`).
 * Versioned: a change that breaks a caller raises `version`; additions keep it. See docs/ARCHITECTURE.md §13.
 */
export interface KubeEventsApi {
  readonly version: 2;
  /** The kubeconfig context being watched; '' while not connected. */
  readonly context: string;
  /** The namespaces being watched; empty means all. */
  readonly namespaces: readonly string[];
  /**
   * What the stream is doing: `idle` (not connected: nothing asked for the cluster yet), `connecting`, `live`,
   * `reconnecting`, `paused`, `error` or `unconfigured`.
   */
  readonly state: SessionState['phase'];
  /** Fires when {@link state} (or the context and namespaces with it) changed. */
  readonly onDidChangeState: Subscribe<void>;
  /** The events held now, newest and oldest alike (at most `kubeEvents.store.maxEvents`); read-only objects. */
  events(): readonly KubeEvent[];
  /** Fires after events were added, changed or removed (read {@link events} again). */
  readonly onDidChangeEvents: Subscribe<void>;
  /** The Events view's filter, in the query language of the README. */
  readonly filter: {
    readonly text: string;
    /** Applies a query; returns the error message (and changes nothing) when it does not parse. */
    set(text: string): string | undefined;
    clear(): void;
  };
  /**
   * Internals for this extension's own extension-host tests (test/vscode). Present only when the extension
   * runs in development or test mode; not part of the API and never stable.
   */
  readonly testing?: KubeEventsTesting;
}

/** The test-only handle: the pipeline and views as the extension-host suite inspects them. */
export interface KubeEventsTesting {
  /** The connection and its pipeline (broadcaster, store). */
  readonly session: ClusterSession;
  /** The settings as the extension reads them now (user-only ones without a workspace's values). */
  readonly settings: () => Config;
  readonly tree: {
    readonly model: EventTreeModel;
    snapshot(): RowSnapshot[];
    /** The row an event is shown in (what a tree item command receives), while the filter shows it. */
    rowForEvent(uid: string): unknown;
    readonly refreshCount: number;
    /** Fires for each row VS Code asks the tree's provider for the item of. */
    readonly onDidRequestItem: Subscribe<Row>;
    /** The Events view is on screen (refreshes of a hidden view cost nothing and are skipped). */
    readonly visible: boolean;
    /** The text above the tree (filter, stream state, events a filter cannot place). */
    readonly message: string | undefined;
  };
  readonly filter: KubeEventsApi['filter'] & {
    /** Events an `under:` filter hides only because their owner cannot be known (objects gone, owner unknown). */
    readonly ownerUnknown: number;
  };
  /** Saves the owner links learnt so far (they are also saved every few seconds and on shutdown). */
  saveOwners(): Promise<void>;
  readonly statusText: () => string;
  /** Why the window connected (docs/ARCHITECTURE.md §13); undefined while nothing asked for the cluster. */
  readonly connectionReason: ConnectionReason | undefined;
  /** The on-disk history of the cluster being watched (undefined file: off, failed, or not connected). */
  readonly history: {
    readonly file: string | undefined;
    readonly mode: 'readWrite' | 'readOnly' | undefined;
    /** Writes pending changes now (they are otherwise written within half a second); settles once written. */
    flush(): Promise<void>;
  };
  /** The debug sessions followed (kubeEvents.debug.follow), their marks, launch-block problems and summaries. */
  readonly debug: DebugFollower;
  /** The recorder ledgers of debug sessions, the ledger panel and what the timeline and the language server get. */
  readonly recorder: RecorderTracker;
  /** Event breakpoints: the window's, and the last pause one caused. */
  readonly eventBreakpoints: Pick<EventBreakpoints, 'texts' | 'lastPause'>;
  /** The capture open in the window (undefined while live) and its status bar text. */
  readonly capture: {
    readonly current: OpenCapture | undefined;
    readonly statusText: string | undefined;
  };
  /** The language server that puts events on open manifests and Go code. */
  readonly languageServer: {
    /** Bytes the host has sent the server about objects and reasons (JSON length). */
    readonly bytesSent: number;
    /** The server's process id while it runs. */
    readonly pid: number | undefined;
    /** Subscriptions the host has received from the server (it sends one when what the documents mention changed). */
    readonly subscriptions: number;
  };
}

/** The public API over the pipeline and the views; `testing` is added only outside production. */
export function composeApi(pipeline: Pipeline, views: ComposedViews, withTesting: boolean): KubeEventsApi {
  const { session } = pipeline;
  const { filter } = views;
  const publicFilter: KubeEventsApi['filter'] = {
    get text() {
      return filter.query.text;
    },
    set: (text) => filter.set(text)?.message,
    clear: () => filter.clear(),
  };
  return {
    version: 2,
    get context() {
      return session.contextName;
    },
    get namespaces() {
      return session.namespaces;
    },
    get state() {
      return session.state.phase;
    },
    onDidChangeState: (listener) => session.onDidChangeState(() => listener()),
    events: () => [...session.store.all()],
    onDidChangeEvents: (listener) => session.store.onDidChange(() => listener()),
    filter: publicFilter,
    ...(withTesting ? { testing: testingHandle(pipeline, views, publicFilter) } : {}),
  };
}

function testingHandle(pipeline: Pipeline, views: ComposedViews, publicFilter: KubeEventsApi['filter']): KubeEventsTesting {
  const { session, resources, demand } = pipeline;
  const history: HistoryService = pipeline.history;
  const { tree, filter, status, languageServer } = views;
  return {
    session,
    settings: () => pipeline.settings.config,
    tree: {
      model: tree.model,
      snapshot: () => tree.snapshot(),
      rowForEvent: (uid: string) => tree.rowForEvent(uid),
      get refreshCount() {
        return tree.refreshCount;
      },
      onDidRequestItem: (listener) => tree.onDidRequestItem(listener),
      get visible() {
        return tree.view.visible;
      },
      get message() {
        return tree.view.message;
      },
    },
    filter: {
      get text() {
        return publicFilter.text;
      },
      set: (text) => publicFilter.set(text),
      clear: () => publicFilter.clear(),
      get ownerUnknown() {
        return filter.ownerUnknownCount;
      },
    },
    saveOwners: () => resources.saveOwners(),
    statusText: () => status.text,
    get connectionReason() {
      return demand.reason;
    },
    history: {
      get file() {
        return history.database?.file;
      },
      get mode() {
        return history.database?.mode;
      },
      flush: () => history.flush(),
    },
    debug: views.debug.follower,
    recorder: views.recorder,
    eventBreakpoints: views.breakpoints,
    capture: {
      get current() {
        return pipeline.capture.current;
      },
      get statusText() {
        return views.captureView.text;
      },
    },
    languageServer: {
      get bytesSent() {
        return languageServer.feed.bytesSent;
      },
      get pid() {
        return languageServer.serverPid;
      },
      get subscriptions() {
        return languageServer.feed.subscriptions;
      },
    },
  };
}
