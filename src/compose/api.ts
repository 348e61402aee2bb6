import type { EventTreeModel } from '../core/eventTreeModel';
import type { HistoryService } from '../history/historyService';
import type { DebugFollower } from '../host/debug/debugFollower';
import type { RowSnapshot } from '../host/tree/eventTreeProvider';
import type { ClusterSession } from '../kube/clusterSession';
import type { Pipeline } from './pipeline';
import type { Views } from './views';

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

/** The API over the pipeline and the views. */
export function composeApi(pipeline: Pipeline, views: Views): KubeEventsApi {
  return { version: 1, ...handle(pipeline, views) };
}

function handle(pipeline: Pipeline, views: Views): Omit<KubeEventsApi, 'version'> {
  const { session, resources } = pipeline;
  const history: HistoryService = pipeline.history;
  const { tree, filter, status, languageServer } = views;
  return {
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
        return history.database?.file;
      },
      get mode() {
        return history.database?.mode;
      },
      flush: () => history.flush(),
    },
    debug: views.debug.follower,
    languageServer: {
      get bytesSent() {
        return languageServer.feed.bytesSent;
      },
      get pid() {
        return languageServer.serverPid;
      },
    },
  };
}
