import * as vscode from 'vscode';
import { Commands, ContextKeys, StatusBarItems } from '../../constants';
import { formatDateTime } from '../../core/text/format';
import { DisposableOwner } from '../disposable';
import { TimelinePanel, timelineTitle } from '../timeline/timelinePanel';
import { captureBannerText, type CaptureMode, type OpenCapture } from './captureMode';

/**
 * Where the window says that a capture is open (docs/ARCHITECTURE.md §18), besides the Events view's message: a
 * status bar item (a click closes the capture), the timeline panel's title, and the `kubeEvents.capture` context
 * key that hides what only a live cluster can do.
 */
export class CaptureView extends DisposableOwner {
  private readonly item = this.register(vscode.window.createStatusBarItem(StatusBarItems.capture, vscode.StatusBarAlignment.Left, 11));

  constructor(private readonly capture: CaptureMode) {
    super();
    this.item.name = 'Kube Events Capture';
    this.register(capture.onDidChange((open) => this.show(open)));
    this.show(capture.current);
  }

  /** The status bar item's text, for tests. */
  get text(): string | undefined {
    return this.capture.isOpen ? this.item.text : undefined;
  }

  /** What the timeline's title adds while a capture is open. */
  titleSuffix = (): string | undefined => {
    const open = this.capture.current;
    return open ? captureBannerText(open.header) : undefined;
  };

  private show(open: OpenCapture | undefined): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.capture, open !== undefined);
    const panel = TimelinePanel.current;
    if (panel) panel.panel.title = timelineTitle({ titleSuffix: this.titleSuffix });
    if (!open) {
      this.item.hide();
      return;
    }
    const { header } = open;
    this.item.text = `$(archive) ${captureBannerText(header)}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown('**Kube Events: capture open** (read-only)  \n');
    tip.appendText(`File: ${open.file}\n`);
    tip.appendText(`Clusters: ${header.clusters.map((c) => (c.server ? `${c.name} (${c.server})` : c.name)).join(', ') || '(unnamed)'}\n`);
    tip.appendText(`From ${formatDateTime(header.from)} to ${formatDateTime(header.to)} · ${open.eventCount} events · written ${header.created}\n`);
    if (header.query) tip.appendText(`Filter when saved: ${header.query}\n`);
    tip.appendMarkdown('\n_Click to close the capture and go back to the live cluster._');
    this.item.tooltip = tip;
    this.item.command = { command: Commands.closeCapture, title: 'Close Capture' };
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.show();
  }
}
