import * as vscode from 'vscode';
import { RESOURCE_SCHEME } from '../constants';
import { ExtensionCommands } from '../host/commands/extensionCommands';
import { registerCommands } from '../host/commands/registerCommands';
import { ResourceDocuments } from '../host/commands/resourceDocuments';
import type { Pipeline } from './pipeline';
import type { ComposedViews } from './views';

/** Every command of package.json, and the Kubernetes extension's "Show Events" on its resources. */
export function composeCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, views: ComposedViews, disposables: vscode.Disposable[]): void {
  const { settings, session, history, resources, demand } = pipeline;
  const documents = new ResourceDocuments();
  disposables.push(documents, vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, documents));
  const commands = new ExtensionCommands({
    session,
    filter: views.filter,
    tree: views.tree,
    log,
    settings,
    resources,
    // An explicit command that needs the cluster is a reason to connect (docs/ARCHITECTURE.md §13).
    connect: () => demand.want('command'),
    timeline: views.timeline,
    resourceDocuments: documents,
    follower: views.debug.follower,
    history,
    memento: context.globalState,
    onDidRequestResource: views.onDidRequestResource,
    showRecorderLedger: () => views.recorder.show(),
    goToEmitter: views.emitter.run,
    breakOnEvents: views.breakpoints.command,
  });
  disposables.push(commands, ...registerCommands(log, commands.handlers));
}
