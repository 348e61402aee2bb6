import * as vscode from 'vscode';
import { compose, type KubeEventsApi } from './compose';
import { LOG_CHANNEL_NAME } from './constants';

export function activate(context: vscode.ExtensionContext): KubeEventsApi {
  const log = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const app = compose(context, log);
  context.subscriptions.push(log, ...app.disposables);
  return app.api;
}

export function deactivate(): void {}
