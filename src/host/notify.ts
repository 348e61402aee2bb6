import * as vscode from 'vscode';
import { oneLine, TEXT_LIMITS } from '../core/boundedText';

/**
 * Notifications turn `[label](target)` into links, command links included: text from the cluster (Status
 * messages of webhooks and aggregated APIs) is folded to one line and its brackets neutralised first.
 */
export function notificationText(text: string): string {
  return oneLine(text, TEXT_LIMITS.notification).replace(/\[/g, '［').replace(/\]/g, '］');
}

/** One error notification, "Kube Events: …", with a Show Log action; the text is made safe first. */
export function showErrorWithLog(log: vscode.LogOutputChannel, message: string): void {
  void vscode.window.showErrorMessage(`Kube Events: ${notificationText(message)}`, 'Show Log').then((choice) => {
    if (choice === 'Show Log') log.show(true);
  });
}
