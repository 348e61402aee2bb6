import * as vscode from 'vscode';
import { CAPTURE_EDITOR, RESOURCE_SCHEME } from '../constants';
import { CaptureEditorProvider } from '../host/capture/captureEditor';
import { ExtensionCommands } from '../host/commands/extensionCommands';
import { registerCommands } from '../host/commands/registerCommands';
import { ResourceDocuments } from '../host/commands/resourceDocuments';
import type { Pipeline } from './pipeline';
import type { ComposedViews } from './views';

/** Every command of package.json, and the Kubernetes extension's "Show Events" on its resources. */
export function composeCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipeline: Pipeline, views: ComposedViews, disposables: vscode.Disposable[]): void {
  const { settings, session, history, resources, demand, capture } = pipeline;
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
    capture,
    owners: () => resources.owners(),
    writer: writerOf(context),
    history,
    memento: context.globalState,
    onDidRequestResource: views.onDidRequestResource,
    showRecorderLedger: () => views.recorder.show(),
    goToEmitter: views.emitter.run,
    breakOnEvents: views.breakpoints.command,
  });
  disposables.push(
    commands,
    ...registerCommands(log, commands.handlers),
    // A capture file opened from the explorer opens in capture mode (docs/ARCHITECTURE.md §18).
    vscode.window.registerCustomEditorProvider(CAPTURE_EDITOR, new CaptureEditorProvider((file) => commands.captures.open(file), () => capture.current), {
      supportsMultipleEditorsPerDocument: false,
    }),
  );
}

/** What a capture says wrote it: `kube-events <version>`. */
function writerOf(context: vscode.ExtensionContext): string {
  const version = (context.extension.packageJSON as { version?: unknown }).version;
  return typeof version === 'string' ? `kube-events ${version}` : 'kube-events';
}
