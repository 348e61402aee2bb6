import * as vscode from 'vscode';
import { RESOURCE_SCHEME } from '../../constants';
import type { ObjectKey } from '../../core/events/kubeEvent';
import { DisposableOwner } from '../disposable';

/** Read-only YAML documents of cluster objects, under the kube-events-resource: scheme. */
export class ResourceDocuments extends DisposableOwner implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '# This resource is no longer loaded. Open it again from the Events view.\n';
  }

  async open(ref: ObjectKey, yaml: string): Promise<void> {
    const path = `/${ref.namespace || '_cluster'}/${ref.kind}/${ref.name}.yaml`;
    const uri = vscode.Uri.from({ scheme: RESOURCE_SCHEME, path });
    this.docs.set(uri.toString(), yaml);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
