import * as path from 'node:path';
import type * as vscode from 'vscode';
import { tagged } from '../core/ports';
import { ClusterHistories } from '../history/clusterHistories';
import { HistoryService } from '../history/historyService';
import { CaptureMode } from '../host/capture/captureMode';
import { ClusterResources } from '../host/clusterResources';
import { ExtensionSettings } from '../host/config';
import { ConnectionDemand, connectWhenDemanded } from '../host/connectionDemand';
import { showHistoryNotice } from '../host/history/historyCommands';
import { OwnerMemoryFile } from '../host/ownerMemoryFile';
import { ClusterSession } from '../kube/clusterSession';

/** The data path without its views: settings, the session (connection, broadcaster, store), history. */
export interface Pipeline {
  readonly settings: ExtensionSettings;
  readonly session: ClusterSession;
  /** The primary cluster's history (Clear History…, `since:`, the timeline's older pages). */
  readonly history: HistoryService;
  /** Every watched cluster's history, the primary's first (docs/ARCHITECTURE.md §10). */
  readonly histories: ClusterHistories;
  readonly resources: ClusterResources;
  /** Whether anything asked for the cluster yet: the session connects at the first reason, not before. */
  readonly demand: ConnectionDemand;
  /** The read-only capture mode: while a capture is open nothing connects (docs/ARCHITECTURE.md §18). */
  readonly capture: CaptureMode;
}

/**
 * Builds the pipeline (docs/ARCHITECTURE.md §1, §13). It connects when the first reason comes
 * ({@link ConnectionDemand}); until then a settings change that would reconnect changes nothing on the wire.
 */
export function composePipeline(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, disposables: vscode.Disposable[]): Pipeline {
  const storage = context.globalStorageUri.fsPath;
  const ownersLog = tagged(log, 'owners');
  const settings = new ExtensionSettings(context.globalState, log);
  const session = new ClusterSession(settings.sessionSettings, {
    storeCapacity: settings.config.storeMaxEvents,
    storeMaxBytes: settings.config.storeMaxMegabytes * 1024 * 1024,
    logger: log,
    ownerMemory: (identity) => new OwnerMemoryFile(storage, identity, ownersLog),
  });
  const newHistory = (): HistoryService =>
    new HistoryService({
      dir: path.join(storage, 'history'),
      workerFile: path.join(context.extensionPath, 'dist', 'historyWorker.js'),
      broadcaster: session.broadcaster,
      store: session.store,
      settings: () => settings.config.history,
      onNotice: (notice) => showHistoryNotice(log, notice),
      logger: tagged(log, 'history'),
    });
  const history = newHistory();
  const histories = new ClusterHistories(history, newHistory);
  const resources = new ClusterResources(session, log);
  const demand = new ConnectionDemand();
  const capture = new CaptureMode({
    session,
    // Every watched cluster's history stops being written while a capture is open.
    history: { detach: () => histories.all().forEach((h) => h.detach()) },
    owners: resources,
    reconnect: () => {
      if (demand.reason !== undefined) session.update(settings.sessionSettings);
    },
    logger: log,
  });
  disposables.push(
    demand,
    capture,
    ...connectWhenDemanded(demand, session, settings, log, () => capture.holdsConnection),
    // History seeds the store with each new cluster's events before its first list, one database per cluster.
    session.onDidBeginScope((scope) => histories.begin(scope, scope === session.connectionScope)),
    session.onDidChangeClusters((clusters) => histories.keepOnly(new Set(clusters.slice(1).map((c) => c.name)))),
    settings.onDidChange(({ previous }) => {
      for (const h of histories.all()) h.settingsChanged(previous.history);
    }),
    settings,
    resources,
    { dispose: () => session.dispose() },
    histories,
  );
  return { settings, session, history, histories, resources, demand, capture };
}
