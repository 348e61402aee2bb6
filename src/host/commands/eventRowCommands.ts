import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { exportEvents, EXPORT_FORMATS, type ExportFormat } from '../../core/events/exportFormat';
import { kubectlEventsCommand } from '../../core/shell/kubectlEventsCommand';
import type { ClusterSession } from '../../kube/clusterSession';
import type { ResourceAccess } from '../clusterResources';
import { defaultTerminalShell } from '../config';
import { showErrorWithLog } from '../notify';
import type { EventTreeProvider } from '../tree/eventTreeProvider';
import type { ResourceDocuments } from './resourceDocuments';
import type { ResourcePicker } from './resourcePicker';
import { eventsNamespaceOfRow, refOfRow } from './treeRows';

/** How long the status bar shows the copied kubectl command. */
const COPIED_MESSAGE_MS = 4_000;

export interface EventRowCommandDeps {
  readonly session: Pick<ClusterSession, 'contextName'>;
  readonly tree: EventTreeProvider;
  readonly log: vscode.LogOutputChannel;
  readonly resources: () => ResourceAccess | undefined;
  readonly resourceDocuments: ResourceDocuments;
  readonly picker: ResourcePicker;
}

/** What can be done with the events shown and the objects they name: copy a kubectl line, open the YAML, export. */
export class EventRowCommands {
  constructor(private readonly deps: EventRowCommandDeps) {}

  /**
   * Copy kubectl events Command: from a tree row, else the resource picker (palette). The line is quoted for
   * the integrated terminal's default shell and built only from values in Kubernetes' character sets
   * (core/shell/kubectlEventsCommand.ts): an event that names its object with anything else copies nothing.
   */
  copyKubectlCommand = async (arg?: unknown): Promise<string | undefined> => {
    const ref = refOfRow(arg) ?? (await this.deps.picker.pick('Copy kubectl events Command'));
    if (!ref) return undefined;
    // Always the events' namespace: a cluster-scoped object's events live in one (`default` for Nodes), and
    // without -n kubectl would look in the context's namespace and show nothing.
    const eventsNs = eventsNamespaceOfRow(arg) || ref.namespace || 'default';
    const shell = defaultTerminalShell();
    const built = kubectlEventsCommand({ context: this.deps.session.contextName, namespace: eventsNs, kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name }, shell);
    if (!built.ok) {
      this.deps.log.warn(`[copy] nothing copied: ${built.problem}`);
      void vscode.window.showWarningMessage(`Kube Events: nothing was copied: ${built.problem}. A command built from it could run something else when pasted into a shell.`);
      return undefined;
    }
    await vscode.env.clipboard.writeText(built.line);
    if (built.contextLeftOut) {
      this.deps.log.warn(`[copy] copied without --context: ${built.contextLeftOut}`);
      void vscode.window.showWarningMessage(
        `Kube Events: copied without --context, because ${built.contextLeftOut}. kubectl will use the kubeconfig's current context: switch to the right one (kubectl config use-context) before running it.`,
      );
    }
    vscode.window.setStatusBarMessage(`Copied (${shell}): ${built.line}`, COPIED_MESSAGE_MS);
    return built.line;
  };

  openResourceYaml = async (arg?: unknown): Promise<void> => {
    const ref = refOfRow(arg) ?? (await this.deps.picker.pick('Open Resource YAML'));
    if (!ref) return;
    const access = this.deps.resources();
    if (!access) {
      showErrorWithLog(this.deps.log, 'not connected to a cluster.');
      return;
    }
    const yaml = await access.yaml({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name });
    if (!yaml.ok) {
      showErrorWithLog(this.deps.log, `cannot open ${ref.kind}/${ref.name}: ${yaml.message}`);
      return;
    }
    await this.deps.resourceDocuments.open(ref, yaml.value);
  };

  /** Export Events…: the current filtered set as JSON, NDJSON or CSV. Arguments skip the prompts (tests). */
  exportEvents = async (formatArg?: unknown, uriArg?: unknown): Promise<string | undefined> => {
    const { tree, log } = this.deps;
    tree.flush();
    const events = [...tree.model.events()].sort((a, b) => a.lastSeen - b.lastSeen);
    if (events.length === 0) {
      void vscode.window.showInformationMessage('Kube Events: nothing to export — no events match the current filter.');
      return undefined;
    }
    let format = typeof formatArg === 'string' && (EXPORT_FORMATS as readonly string[]).includes(formatArg) ? (formatArg as ExportFormat) : undefined;
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        EXPORT_FORMATS.map((f) => ({ label: f.toUpperCase(), value: f })),
        { ignoreFocusOut: true, title: `Kube Events: Export ${events.length} Event${events.length === 1 ? '' : 's'}`, placeHolder: 'Format' },
      );
      format = pick?.value;
    }
    if (!format) return undefined;
    let uri = uriArg instanceof vscode.Uri ? uriArg : typeof uriArg === 'string' ? vscode.Uri.file(uriArg) : undefined;
    uri ??= await vscode.window.showSaveDialog({
      title: 'Kube Events: Export Events',
      filters: { [format.toUpperCase()]: [format === 'ndjson' ? 'ndjson' : format] },
      defaultUri: vscode.Uri.file(`kube-events-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`),
    });
    if (!uri) return undefined;
    const target = uri;
    const chosenFormat = format;
    const written = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${events.length} events`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const text = await exportEvents(
          events,
          chosenFormat,
          (done) => {
            progress.report({ increment: ((done - reported) / events.length) * 100 });
            reported = done;
          },
          () => token.isCancellationRequested,
        );
        if (text === undefined) return false;
        await fs.writeFile(target.fsPath, text, 'utf8');
        return true;
      },
    );
    if (!written) {
      log.info('[export] cancelled; nothing was written');
      return undefined;
    }
    log.info(`[export] wrote ${events.length} events as ${format} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Kube Events: exported ${events.length} events to ${target.fsPath}`);
    return target.fsPath;
  };
}
