import * as vscode from 'vscode';
import type { HistoryNotice, HistoryService } from '../../history/historyService';
import { notificationText, showWithLog } from '../notify';

/** The one message for a history notice: what happened, and that the live views go on. */
function noticeText(notice: HistoryNotice): string {
  switch (notice.kind) {
    case 'failed': {
      const why =
        notice.reason === 'full'
          ? 'the disk is full'
          : notice.reason === 'readOnly'
            ? 'its folder is read-only'
            : notice.reason === 'corrupt'
              ? 'the database is damaged'
              : notice.reason === 'busy'
                ? 'another window keeps it busy'
                : 'the database cannot be written';
      return `Event history cannot be saved right now because ${why}. Kube Events keeps the changes and retries; live events still show. (${notice.message})`;
    }
    case 'movedAside':
      return `The event history database could not be read; it was moved to ${notice.file} and a new one started (only the newest three such files are kept).`;
    case 'readOnly':
      return `Another VS Code window records the event history of "${notice.context}"; this window reads it but does not add to it.`;
    default: {
      const never: never = notice;
      return never;
    }
  }
}

/** Shows a notice once (the service already says each one once per session). */
export function showHistoryNotice(log: vscode.LogOutputChannel, notice: HistoryNotice): void {
  if (notice.kind === 'readOnly') {
    log.info(`[history] ${noticeText(notice)}`);
    void vscode.window.showInformationMessage(`Kube Events: ${notificationText(noticeText(notice))}`);
    return;
  }
  log.warn(`[history] ${noticeText(notice)}`);
  showWithLog('warning', noticeText(notice), () => log.show(true));
}

/**
 * Kube Events: Clear History…: pick this cluster or all, confirm in a modal, then clear. The store keeps
 * what it holds in memory; only the disk forgets.
 */
export async function clearHistoryCommand(history: HistoryService): Promise<void> {
  const files = await history.files();
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Kube Events: there is no event history to clear.');
    return;
  }
  const current = files.find((f) => f.current);
  type Pick = vscode.QuickPickItem & { files: string[] };
  const picks: Pick[] = [];
  if (current) picks.push({ label: 'This cluster', description: `${current.context} — ${current.server}`, files: [current.file] });
  picks.push({ label: 'All clusters', description: `${files.length} ${files.length === 1 ? 'history' : 'histories'}`, files: files.map((f) => f.file) });
  for (const f of files) if (!f.current) picks.push({ label: f.context || '(unknown context)', description: f.server, files: [f.file] });
  const pick = await vscode.window.showQuickPick(picks, { title: 'Clear History', placeHolder: 'Which event history should be forgotten?' });
  if (!pick) return;
  const confirm = await vscode.window.showWarningMessage(
    `Forget the event history of ${pick.label === 'All clusters' ? 'every cluster' : notificationText(pick.description ?? pick.label)}? This cannot be undone.`,
    { modal: true },
    'Clear History',
  );
  if (confirm !== 'Clear History') return;
  const refused = await history.clear(pick.files);
  if (refused.length > 0) {
    void vscode.window.showWarningMessage(`Kube Events: ${refused.length} history file(s) are in use by another VS Code window; clear them there.`);
  } else {
    void vscode.window.showInformationMessage('Kube Events: event history cleared.');
  }
}
