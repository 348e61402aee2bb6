import * as vscode from 'vscode';
import { composeApi, type KubeEventsApi } from './compose/api';
import { composeCommands } from './compose/commands';
import { composePipeline } from './compose/pipeline';
import { composeViews } from './compose/views';

export interface App {
  readonly api: KubeEventsApi;
  readonly disposables: vscode.Disposable[];
  /** Stops the language server and writes and closes the history: what `deactivate()` returns. */
  stop(): Promise<void>;
}

/**
 * The composition root (docs/ARCHITECTURE.md §13): the pipeline (settings, session, history), the views on it
 * (tree, log, status bar, timeline, language server, debug sessions), the commands, and the API, wired by hand.
 */
export function compose(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): App {
  const disposables: vscode.Disposable[] = [];
  const pipeline = composePipeline(context, log, disposables);
  const views = composeViews(context, log, pipeline, disposables);
  composeCommands(context, log, pipeline, views, disposables);
  // Nothing connects without a reason (docs/ARCHITECTURE.md §13): the Events view shown as the window opens is one.
  if (views.tree.view.visible) pipeline.demand.want('view');
  const api = composeApi(pipeline, views, context.extensionMode !== vscode.ExtensionMode.Production);
  return { api, disposables, stop: async () => void (await Promise.all([views.languageServer.stop(), pipeline.histories.shutdown()])) };
}
