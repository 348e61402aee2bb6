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

/** One watched cluster as the status bar shows it (the session's `WatchedCluster` is one). */
export interface ClusterStatus {
  readonly name: string;
  readonly context: string;
  readonly state: SessionState;
}

/** The icon and the word for a stream's state. */
function phaseLabel(s: SessionState): [string, string] {
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
}

/** What the tooltip adds to a state: why it reconnects, or what is wrong and what to do. */
function stateDetail(s: SessionState): string {
  let text = '';
  if (s.phase === 'reconnecting') text += ` — ${oneLine(s.reason, TEXT_LIMITS.notification)}; next try in ${Math.ceil(s.retryInMs / 1000)} s`;
  const problem = sessionProblemText(s);
  if (problem) text += ` — ${oneLine(problem, TEXT_LIMITS.notification)}`;
  return text;
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
  private clusters: readonly ClusterStatus[] = [];

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

  /**
   * Every cluster watched with its own state (docs/ARCHITECTURE.md §1): with more than one, the item and its
   * tooltip show each, so one failing cluster never hides that the others are live.
   */
  setClusters(clusters: readonly ClusterStatus[]): void {
    this.clusters = clusters;
    this.render();
  }

  private render(): void {
    if (this.notConnected) {
      this.renderNotConnected();
      return;
    }
    if (this.clusters.length > 1) {
      this.renderClusters();
      return;
    }
    this.item.command = Commands.statusActions;
    const s = this.state;
    const ns = this.namespacesText();
    const where = this.info.context ? `${this.info.context} · ${ns}` : 'no cluster';
    const [icon, label] = phaseLabel(s);
    const extras = this.extras();
    this.item.text = `${icon} ${where} · ${label}${extras ? ` ${extras}` : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown('**Kube Events**  \n');
    tip.appendText(`Context: ${this.info.context || '(none)'} · Namespaces: ${ns}\n`);
    tip.appendText(`Stream: ${label}${stateDetail(s)}`);
    tip.appendText(`\nWarnings since start: ${this.warnings} · Dropped by slow views: ${this.dropped}`);
    tip.appendMarkdown('\n\n_Click for actions._');
    this.item.tooltip = tip;
    this.item.backgroundColor =
      s.phase === 'error' || s.phase === 'unconfigured' ? new vscode.ThemeColor('statusBarItem.errorBackground') : s.phase === 'reconnecting' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  /** Several clusters: each one's name and state on the item, and each one's details in the tooltip. */
  private renderClusters(): void {
    this.item.command = Commands.statusActions;
    const ns = this.namespacesText();
    const each = this.clusters.map((c) => {
      const [icon, label] = phaseLabel(c.state);
      return `${icon} ${c.name} ${label}`;
    });
    const extras = this.extras();
    this.item.text = `${each.join(' · ')} · ${ns}${extras ? ` ${extras}` : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown(`**Kube Events**: ${this.clusters.length} clusters  \n`);
    for (const c of this.clusters) {
      const [, label] = phaseLabel(c.state);
      const via = c.context && c.context !== c.name ? ` (context ${c.context})` : '';
      tip.appendText(`${c.name}${via}: ${label}${stateDetail(c.state)}\n`);
    }
    tip.appendText(`Namespaces: ${ns}\nWarnings since start: ${this.warnings} · Dropped by slow views: ${this.dropped}`);
    tip.appendMarkdown('\n\n_Click for actions._');
    this.item.tooltip = tip;
    const failing = (c: ClusterStatus): boolean => c.state.phase === 'error' || c.state.phase === 'unconfigured';
    this.item.backgroundColor = this.clusters.every(failing)
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : this.clusters.some((c) => failing(c) || c.state.phase === 'reconnecting')
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  }

  private namespacesText(): string {
    return this.info.namespaces.length === 0 ? 'all namespaces' : this.info.namespaces.join(', ');
  }

  private extras(): string {
    return [this.warnings ? `$(warning) ${this.warnings}` : '', this.dropped ? `$(arrow-down) ${this.dropped} dropped` : '', this.info.filtered ? '$(filter)' : '']
      .filter(Boolean)
      .join(' ');
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
