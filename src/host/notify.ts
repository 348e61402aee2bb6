import * as vscode from 'vscode';
import { oneLine, TEXT_LIMITS } from '../core/text/boundedText';

/**
 * Notifications turn `[label](target)` into links, command links included: text from the cluster (Status
 * messages of webhooks and aggregated APIs) is folded to one line and its brackets neutralised first.
 */
export function notificationText(text: string): string {
  return oneLine(text, TEXT_LIMITS.notification).replace(/\[/g, '［').replace(/\]/g, '］');
}

/** One notification, "Kube Events: …", with a Show Log action; the text is made safe first. */
export function showWithLog(level: 'error' | 'warning', message: string, showLog: () => void): void {
  const text = `Kube Events: ${notificationText(message)}`;
  const shown = level === 'error' ? vscode.window.showErrorMessage(text, 'Show Log') : vscode.window.showWarningMessage(text, 'Show Log');
  void shown.then((choice) => {
    if (choice === 'Show Log') showLog();
  });
}

/** One error notification with a Show Log action that shows `log`. */
export function showErrorWithLog(log: vscode.LogOutputChannel, message: string): void {
  showWithLog('error', message, () => log.show(true));
}
