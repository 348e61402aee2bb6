import * as vscode from 'vscode';
import type { NamespaceScope } from '../../kube/clusterSession';
import { ALL_NAMESPACES } from '../config';

type Item = vscode.QuickPickItem & { scope?: 'all' | 'context' };

/**
 * The Select Namespace… picker: all namespaces (`-A`), the context's namespace, or any of `known`, several
 * at once; a typed name that is not listed is offered too (RBAC may hide namespaces the user can watch).
 * Resolves to the `kubeEvents.namespaces` value: `['*']` all, `[]` the context's namespace, else the names
 * picked; undefined when dismissed.
 */
export async function pickNamespaces(known: ReadonlySet<string>, contextNamespace: string, scope: NamespaceScope): Promise<string[] | undefined> {
  const special: Item[] = [
    { label: '$(globe) All namespaces', description: 'like kubectl -A', scope: 'all' },
    { label: `$(home) The context's namespace`, description: contextNamespace || 'none set: all namespaces', scope: 'context' },
  ];
  const named = (extra?: string): Item[] => [
    ...special,
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...(extra ? [{ label: extra, description: 'not listed — watch anyway' }] : []),
    ...[...known].sort().map((label) => ({ label })),
  ];
  const current = new Set(scope.kind === 'list' ? scope.names : []);
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Kube Events: Select Namespaces';
  qp.placeholder = 'Pick the namespaces to watch, or all of them; type a name to add one you cannot list';
  qp.canSelectMany = true;
  qp.items = named();
  qp.selectedItems = qp.items.filter((i) => (i.scope ? i.scope === scope.kind : current.has(i.label)));
  qp.onDidChangeValue((v) => {
    const name = v.trim();
    if (name && !known.has(name)) {
      const selected = new Set(qp.selectedItems.map((i) => i.label));
      qp.items = named(name);
      qp.selectedItems = qp.items.filter((i) => selected.has(i.label));
    }
  });
  const chosen = await new Promise<string[] | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const picked = qp.selectedItems;
      if (picked.some((i) => i.scope === 'all')) resolve([ALL_NAMESPACES]);
      else if (picked.some((i) => i.scope === 'context')) resolve([]);
      else resolve(picked.map((i) => i.label));
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return chosen;
}
