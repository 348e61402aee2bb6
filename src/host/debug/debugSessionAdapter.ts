import * as vscode from 'vscode';
import { Commands, ContextKeys, StatusBarItems } from '../../constants';
import { notificationText, showWithLog } from '../notify';
import { DebugFollower, type DebugFollowerDeps, type FollowedSession, type SessionSummary } from './debugFollower';
import { DisposableOwner } from '../disposable';

/** Requests that make a stopped program run again (DAP). */
const RESUMING_REQUESTS: ReadonlySet<string> = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

/** What the adapter needs besides the follower's own dependencies. */
export interface DebugSessionAdapterDeps extends Omit<DebugFollowerDeps, 'warn' | 'summarize'> {
  /** Opens the timeline on the session (filter `session:last`, axis fitted to the session). */
  readonly openSessionTimeline: () => void;
  /** Shows the session's events in the tree (filter `session:last`). */
  readonly showSessionEvents: () => void;
  /** A followed session's launch configuration has a `kubeEvents` block: a reason to connect (after it was applied, so its context is the one connected). */
  readonly wantCluster: () => void;
  /** The recorder ledger's sentence for a session's summary ('' when its output had no recorder line). */
  readonly recorderSummary?: (sessionId: string) => string;
  /** Opens the recorder ledger panel. */
  readonly showRecorderLedger?: () => void;
}

interface DapMessage {
  readonly type?: unknown;
  readonly event?: unknown;
  readonly command?: unknown;
  readonly body?: { readonly reason?: unknown };
}

/**
 * The thin VS Code side of {@link DebugFollower}: relays debug sessions starting and ending, and the debug
 * adapters' `stopped`/`continued` events (through a tracker for every debug type), shows the follower's
 * warnings and summaries as notifications, and the running session in the status bar.
 */
export class DebugSessionAdapter extends DisposableOwner {
  readonly follower: DebugFollower;
  private readonly item = this.register(vscode.window.createStatusBarItem(StatusBarItems.debug, vscode.StatusBarAlignment.Left, 9));

  constructor(private readonly deps: DebugSessionAdapterDeps) {
    super();
    this.follower = new DebugFollower({
      ...deps,
      warn: (message) => showWithLog('warning', message, () => void vscode.commands.executeCommand(Commands.showLog)),
      summarize: (summary) => this.showSummary(summary),
    });
    this.item.name = 'Kube Events: Debug Session';
    this.item.command = Commands.showSessionEvents;
    this.register(
      this.follower,
      this.follower.onDidChange(() => this.render()),
      vscode.debug.onDidStartDebugSession((s) => {
        const block = (s.configuration as { kubeEvents?: unknown }).kubeEvents;
        this.follower.start(s.id, s.name, s.type, s.parentSession?.id, block);
        if (block !== undefined && deps.enabled()) deps.wantCluster();
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.follower.end(s.id)),
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: DapMessage) => {
            if (m?.type !== 'event') return;
            if (m.event === 'stopped') this.follower.stopped(session.id, typeof m.body?.reason === 'string' ? m.body.reason : '');
            else if (m.event === 'continued') this.follower.continued(session.id);
          },
          // Adapters need not send `continued` after a continue or step request: the request itself says it.
          onWillReceiveMessage: (m: DapMessage) => {
            if (m?.type === 'request' && typeof m.command === 'string' && RESUMING_REQUESTS.has(m.command)) this.follower.continued(session.id);
          },
        }),
      }),
    );
    this.render();
  }

  private render(): void {
    const s = this.follower.current;
    void vscode.commands.executeCommand('setContext', ContextKeys.debugSession, this.follower.last !== undefined);
    if (!s) {
      this.item.hide();
      return;
    }
    const stops = s.marks.filter((m) => m.kind === 'stopped').length;
    this.item.text = `$(debug) ${oneLineName(s)}${s.stopped ? ' · paused' : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown('**Kube Events** follows this debug session  \n');
    tip.appendText(`${s.name} (${s.type}) since ${new Date(s.start).toLocaleTimeString()}`);
    if (s.block.controller) tip.appendText(` · controller ${s.block.controller}`);
    tip.appendText(`\n${stops} stop${stops === 1 ? '' : 's'} so far`);
    tip.appendMarkdown('\n\n_Click for the events of this session._');
    this.item.tooltip = tip;
    this.item.show();
  }

  private showSummary(summary: SessionSummary): void {
    const ledger = this.deps.recorderSummary?.(summary.session.id) ?? '';
    const text = ledger ? `${summary.text} ${ledger}` : summary.text;
    const actions = ledger ? ['Open Timeline', 'Show Events', 'Show Recorder Ledger'] : ['Open Timeline', 'Show Events'];
    void vscode.window.showInformationMessage(`Kube Events: ${notificationText(text)}`, ...actions).then((choice) => {
      if (choice === 'Open Timeline') this.deps.openSessionTimeline();
      else if (choice === 'Show Events') this.deps.showSessionEvents();
      else if (choice === 'Show Recorder Ledger') this.deps.showRecorderLedger?.();
    });
  }
}

function oneLineName(s: FollowedSession): string {
  // `$(name)` in the status bar would render as an icon: a session's name is shown as typed.
  const name = s.name.replace(/\s+/g, ' ').replace(/\$\(/g, '$\u200b(');
  return name.length > 40 ? `${name.slice(0, 39)}…` : name;
}
