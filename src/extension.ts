import * as vscode from 'vscode';
import { compose } from './compose';
import type { KubeEventsApi } from './compose/api';
import { LOG_CHANNEL_NAME } from './constants';

let stopLanguageServer: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): KubeEventsApi {
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const app = compose(context, log);
  stopLanguageServer = () => app.stop();
  context.subscriptions.push(log, ...app.disposables);
  return app.api;
}

/** Returns the language client's stop(), so VS Code waits for the server to shut down. */
export function deactivate(): Promise<void> | undefined {
  return stopLanguageServer?.();
}
