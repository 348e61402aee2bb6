import * as vscode from 'vscode';
import { Commands, Settings } from '../../constants';
import { GROUP_BY_VALUES, type GroupBy } from '../../core/eventTreeModel';
import { describeQuery } from '../../core/query/describe';
import type { ClusterSession } from '../../kube/clusterSession';
import type { FilterController } from '../filterController';
import type { EventTreeProvider } from '../tree/eventTreeProvider';

export interface ViewCommandDeps {
  readonly session: Pick<ClusterSession, 'state'>;
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly log: vscode.LogOutputChannel;
  readonly openTimeline: () => void;
}

const GROUP_BY_LABELS: Record<GroupBy, string> = { namespace: 'Namespace → Object → Events', reason: 'Reason → Object → Events', flat: 'Flat list, newest first' };

/** Where events are shown and how: the log, the timeline, the tree's grouping, and the status bar's menu. */
export class ViewCommands {
  constructor(private readonly deps: ViewCommandDeps) {}

  showLog = (): void => this.deps.log.show(true);

  openTimeline = (): void => this.deps.openTimeline();

  groupBy = async (value?: unknown): Promise<void> => {
    let chosen = typeof value === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(value) ? (value as GroupBy) : undefined;
    if (!chosen) {
      const pick = await vscode.window.showQuickPick(
        GROUP_BY_VALUES.map((g) => ({ label: GROUP_BY_LABELS[g], value: g, picked: g === this.deps.tree.model.grouping })),
        { title: 'Kube Events: Group By' },
      );
      chosen = pick?.value;
    }
    if (!chosen) return;
    // The tree regroups when the setting changes (compose listens for it).
    await vscode.workspace.getConfiguration(Settings.section).update(Settings.groupBy, chosen, vscode.ConfigurationTarget.Global);
  };

  /** The status bar item's menu: the commands about the stream, in one pick. */
  statusActions = async (): Promise<void> => {
    const paused = this.deps.session.state.phase === 'paused';
    const query = this.deps.filter.query;
    const items: Array<vscode.QuickPickItem & { command: string }> = [
      paused ? { label: '$(debug-start) Resume Stream', command: Commands.resumeStream } : { label: '$(debug-pause) Pause Stream', command: Commands.pauseStream },
      { label: '$(refresh) Reconnect Now', command: Commands.reconnect },
      { label: '$(server-environment) Select Context…', command: Commands.selectContext },
      { label: '$(symbol-namespace) Select Namespace…', command: Commands.selectNamespace },
      { label: '$(filter) Filter Events…', command: Commands.filterEvents, description: query.isEmpty ? '' : describeQuery(query) },
      { label: '$(graph-line) Open Timeline', command: Commands.openTimeline },
      { label: '$(output) Show Log', command: Commands.showLog },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Kube Events' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  };
}
