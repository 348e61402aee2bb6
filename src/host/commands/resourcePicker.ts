import * as vscode from 'vscode';
import type { ObjectKeyWith } from '../../core/events/kubeEvent';
import type { ClusterSession } from '../../kube/clusterSession';
import { manifestAt } from '../../kube/manifest';
import type { ResourceAccess } from '../clusterResources';
import { showErrorWithLog } from '../notify';

export interface ResourcePickerDeps {
  readonly session: Pick<ClusterSession, 'connection' | 'namespaces'>;
  readonly resources: () => ResourceAccess | undefined;
  readonly log: vscode.LogOutputChannel;
}

type KindItem = vscode.QuickPickItem & { resourceKind?: { kind: string; apiVersion: string; namespaced: boolean }; manifest?: ObjectKeyWith<'apiVersion'> };

/** Editor languages whose text may hold a manifest (besides files named *.yaml, *.yml, *.json). */
const MANIFEST_LANGUAGES = ['yaml', 'json', 'helm'];

/**
 * Asks for a resource: the manifest under the cursor (offered first), else a kind from discovery then one of
 * its objects in the namespaces being watched. Used by Filter by Resource…, Open Resource YAML and Emit Test Event….
 */
export class ResourcePicker {
  constructor(private readonly deps: ResourcePickerDeps) {}

  /**
   * A resource picked by the user: from a tree row, a quick pick, or a manifest in the editor. `title` names the
   * command in the picker's title. Undefined when dismissed or nothing can be offered (said to the user).
   */
  async pick(title: string): Promise<ObjectKeyWith<'apiVersion'> | undefined> {
    const access = this.deps.resources();
    const kind = await this.pickKind(title, access);
    if (!kind) return undefined;
    if (kind.manifest) {
      const m = kind.manifest;
      return { kind: m.kind, name: m.name, namespace: m.namespace || this.deps.session.connection?.namespace || 'default', apiVersion: m.apiVersion };
    }
    if (!kind.resourceKind || !access) return undefined;
    return this.pickObject(title, kind.resourceKind, access);
  }

  private async pickKind(title: string, access: ResourceAccess | undefined): Promise<KindItem | undefined> {
    const manifest = this.manifestUnderCursor();
    const items: KindItem[] = [];
    if (manifest) {
      items.push({ label: `$(file-code) ${manifest.kind}/${manifest.name}`, description: 'from the manifest in the editor', manifest });
    }
    if (access) {
      const kinds = await access.kinds();
      if (!kinds.ok) {
        if (!manifest) {
          showErrorWithLog(this.deps.log, `cannot list resource kinds: ${kinds.message}`);
          return undefined;
        }
      } else {
        for (const k of [...kinds.value].sort((a, b) => a.kind.localeCompare(b.kind))) {
          items.push({ label: k.kind, description: k.apiVersion, detail: k.namespaced ? undefined : 'cluster-scoped', resourceKind: k });
        }
      }
    } else if (!manifest) {
      showErrorWithLog(this.deps.log, 'not connected to a cluster, so there are no resource kinds to pick from.');
      return undefined;
    }
    return vscode.window.showQuickPick(items, { ignoreFocusOut: true, title: `Kube Events: ${title} — Kind`, placeHolder: 'Pick a kind (custom resources included)', matchOnDescription: true });
  }

  private async pickObject(title: string, k: { kind: string; apiVersion: string; namespaced: boolean }, access: ResourceAccess): Promise<ObjectKeyWith<'apiVersion'> | undefined> {
    // Offer the objects of the namespaces being watched (all namespaces when none are chosen).
    const namespaces = this.deps.session.namespaces;
    const scopes = k.namespaced && namespaces.length > 0 ? namespaces : [''];
    const found: Array<{ readonly name: string; readonly namespace: string }> = [];
    for (const ns of scopes) {
      const names = await access.names(k, ns);
      if (!names.ok) {
        showErrorWithLog(this.deps.log, `cannot list ${k.kind} objects: ${names.message}`);
        return undefined;
      }
      found.push(...names.value);
    }
    if (found.length === 0) {
      const where = scopes[0] ? ` in ${scopes.join(', ')}` : '';
      void vscode.window.showInformationMessage(`Kube Events: there are no ${k.kind} objects${where}.`);
      return undefined;
    }
    const namePick = await vscode.window.showQuickPick(
      found.map((n) => ({ label: n.name, description: n.namespace, value: n })),
      { ignoreFocusOut: true, title: `Kube Events: ${title} — ${k.kind}`, matchOnDescription: true },
    );
    if (!namePick) return undefined;
    return { kind: k.kind, apiVersion: k.apiVersion, name: namePick.value.name, namespace: namePick.value.namespace };
  }

  private manifestUnderCursor(): ObjectKeyWith<'apiVersion'> | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const doc = editor.document;
    if (!MANIFEST_LANGUAGES.includes(doc.languageId) && !/\.(ya?ml|json)$/i.test(doc.fileName)) return undefined;
    return manifestAt(doc.getText(), doc.offsetAt(editor.selection.active));
  }
}
