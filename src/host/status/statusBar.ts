import * as vscode from 'vscode';
import { oneLine, TEXT_LIMITS } from '../../core/text/boundedText';
import { Commands, StatusBarItems } from '../../constants';
import type { Broadcaster } from '../../core/events/broadcaster';
import { isWarning, type EventChange } from '../../core/events/kubeEvent';
import type { SessionState } from '../../kube/clusterSession';
import { NOT_CONNECTED_TEXT } from '../connectionDemand';
import { sessionProblemText } from '../errorText';
import { DisposableOwner } from '../disposable';

/** What the status bar shows besides the stream state. */
export interface StatusInfo {
  readonly context: string;
  readonly namespaces: readonly string[];
  readonly filtered: boolean;
}

/**
 * The status bar item: context/namespace, stream state, warnings seen and events dropped by slow views.
 * Clicking it opens the quick actions. Until something asks for the cluster it says that Kube Events is not
 * connected, and why, and a click connects (docs/ARCHITECTURE.md §13).
 */
export class StatusBar extends DisposableOwner {
  private readonly item = this.register(vscode.window.createStatusBarItem(StatusBarItems.status, vscode.StatusBarAlignment.Left, 10));
  private warnings = 0;
  private dropped = 0;
  private state: SessionState = { phase: 'idle' };
  private info: StatusInfo = { context: '', namespaces: [], filtered: false };

  constructor(
    broadcaster: Broadcaster<EventChange>,
    private notConnected = false,
  ) {
    super();
    this.item.name = 'Kube Events';
    const watcher = broadcaster.watch(
      (batch) => {
        let w = 0;
        for (const c of batch) if (c.type === 'ADDED' && isWarning(c.event)) w++;
        if (w) {
          this.warnings += w;
          this.render();
        }
      },
      { name: 'status' },
    );
    const drops = broadcaster.onDidDrop((d) => {
      this.dropped = d.totalDropped;
      this.render();
    });
    this.register(watcher, drops);
    this.render();
    this.item.show();
  }

  /** The text as rendered, for tests. */
  get text(): string {
    return this.item.text;
  }

  setState(state: SessionState): void {
    this.state = state;
    this.render();
  }

  /** What is watched; another context starts the warning count afresh ("warnings since start" means since this context started streaming). */
  setInfo(info: StatusInfo): void {
    if (info.context !== this.info.context) this.warnings = 0;
    this.info = info;
    this.render();
  }

  /** Whether the window has not connected yet because nothing asked for the cluster. */
  setNotConnected(notConnected: boolean): void {
    this.notConnected = notConnected;
    this.render();
  }

  private render(): void {
    if (this.notConnected) {
      this.renderNotConnected();
      return;
    }
    this.item.command = Commands.statusActions;
    const s = this.state;
    const ns = this.info.namespaces.length === 0 ? 'all namespaces' : this.info.namespaces.join(', ');
    const where = this.info.context ? `${this.info.context} · ${ns}` : 'no cluster';
    const [icon, label] = ((): [string, string] => {
      switch (s.phase) {
        case 'live':
          return ['$(pulse)', 'live'];
        case 'connecting':
        case 'idle':
          return ['$(sync~spin)', 'connecting'];
        case 'relisting':
          return ['$(sync~spin)', 'relisting'];
        case 'reconnecting':
          return ['$(debug-disconnect)', `reconnecting (${s.attempt})`];
        case 'paused':
          return ['$(debug-pause)', 'paused'];
        case 'error':
          return ['$(error)', 'error'];
        case 'unconfigured':
          return ['$(warning)', 'not configured'];
        case 'stopped':
          return ['$(circle-slash)', 'stopped'];
      }
    })();
    const extras = [this.warnings ? `$(warning) ${this.warnings}` : '', this.dropped ? `$(arrow-down) ${this.dropped} dropped` : '', this.info.filtered ? '$(filter)' : '']
      .filter(Boolean)
      .join(' ');
    this.item.text = `${icon} ${where} · ${label}${extras ? ` ${extras}` : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown('**Kube Events**  \n');
    tip.appendText(`Context: ${this.info.context || '(none)'} · Namespaces: ${ns}\n`);
    tip.appendText(`Stream: ${label}`);
    if (s.phase === 'reconnecting') tip.appendText(` — ${oneLine(s.reason, TEXT_LIMITS.notification)}; next try in ${Math.ceil(s.retryInMs / 1000)} s`);
    const problem = sessionProblemText(s);
    if (problem) tip.appendText(` — ${oneLine(problem, TEXT_LIMITS.notification)}`);
    tip.appendText(`\nWarnings since start: ${this.warnings} · Dropped by slow views: ${this.dropped}`);
    tip.appendMarkdown('\n\n_Click for actions._');
    this.item.tooltip = tip;
    this.item.backgroundColor =
      s.phase === 'error' || s.phase === 'unconfigured' ? new vscode.ThemeColor('statusBarItem.errorBackground') : s.phase === 'reconnecting' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private renderNotConnected(): void {
    this.item.text = '$(plug) Kube Events: not connected';
    this.item.command = { command: Commands.reconnect, title: 'Connect' };
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown('**Kube Events** is not connected  \n');
    tip.appendText(NOT_CONNECTED_TEXT);
    tip.appendMarkdown('\n\n_Click to connect now._');
    this.item.tooltip = tip;
    this.item.backgroundColor = undefined;
  }
}
