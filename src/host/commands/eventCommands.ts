import type * as vscode from 'vscode';
import type { ClusterSession } from '../../kube/clusterSession';
import type { ResourceAccess } from '../clusterResources';
import type { FilterController } from '../filterController';
import type { EventTreeProvider } from '../tree/eventTreeProvider';
import { ConnectionCommands, type ConnectionCommandDeps } from './connectionCommands';
import { EventRowCommands } from './eventRowCommands';
import { FilterCommands } from './filterCommands';
import type { CommandHandlers } from './registerCommands';
import type { ResourceDocuments } from './resourceDocuments';
import { ResourcePicker } from './resourcePicker';
import { ViewCommands } from './viewCommands';

/** Everything the commands of the Events view, the welcome view and the status bar use (wired in src/compose/commands.ts). */
export interface CommandDeps {
  readonly session: ClusterSession;
  readonly filter: FilterController;
  readonly tree: EventTreeProvider;
  readonly log: vscode.LogOutputChannel;
  /** The settings' owner (ExtensionSettings): what is watched changes only through it. */
  readonly settings: ConnectionCommandDeps['settings'];
  readonly resources: () => ResourceAccess | undefined;
  /** The user asked for the cluster (ConnectionDemand). */
  readonly connect: ConnectionCommandDeps['connect'];
  readonly openTimeline: () => void;
  readonly resourceDocuments: ResourceDocuments;
}

/**
 * The handlers of every palette, title-bar, item and status-bar command except those of emit, debug sessions,
 * history and the Kubernetes extension, by command key; each concern lives in its own module. `pickResource`
 * is the resource picker, shared with Emit Test Event….
 */
export function eventCommands(deps: CommandDeps) {
  const picker = new ResourcePicker(deps);
  const connection = new ConnectionCommands(deps);
  const filters = new FilterCommands({ filter: deps.filter, picker });
  const rows = new EventRowCommands({ ...deps, picker });
  const views = new ViewCommands(deps);
  return {
    pickResource: (title: string) => picker.pick(title),
    selectKubeconfig: connection.selectKubeconfig,
    selectContext: connection.selectContext,
    selectNamespace: connection.selectNamespace,
    reconnect: connection.reconnect,
    pauseStream: connection.pauseStream,
    resumeStream: connection.resumeStream,
    openSettings: connection.openSettings,
    filterEvents: filters.filterEvents,
    filterByResource: filters.filterByResource,
    filterToResource: filters.filterToResource,
    clearFilter: filters.clearFilter,
    copyKubectlCommand: rows.copyKubectlCommand,
    openResourceYaml: rows.openResourceYaml,
    exportEvents: rows.exportEvents,
    showLog: views.showLog,
    openTimeline: views.openTimeline,
    groupBy: views.groupBy,
    statusActions: views.statusActions,
  } satisfies Partial<CommandHandlers> & { pickResource: unknown };
}
