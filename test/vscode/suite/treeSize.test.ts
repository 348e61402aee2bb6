// The Events view with many rows, in the real extension host (issue 20, point 2): VS Code keeps a copy of every row
// it lists, so once the tree has more than 1,000 object rows its groups start closed and VS Code lists only them,
// while a small tree still opens its groups (docs/ARCHITECTURE.md §6). What VS Code asks the provider for is the
// judge: the rows whose items it requests are the rows it holds.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { activateForTests } from './testApi';
import { aWatchedChange } from '../../unit/support/eventBuilder';
import { waitFor } from '../../support/waitFor';

const NAMESPACES = 20;
/** 20 × 60 = 1,200 object rows: a large tree. Two namespaces' 120 are a small one. */
const PODS = 60;

suite('a large Events tree', () => {
  test('with 1,200 objects VS Code lists the groups, not their objects; with 120 it lists the objects of the open groups', async () => {
    const api = await activateForTests();
    await vscode.commands.executeCommand('kubeEvents.events.focus');
    await waitFor('the Events view on screen', () => api.tree.visible);
    const suffix = randomBytes(3).toString('hex');
    const ns = (i: number): string => `tree-size-${suffix}-${i}`;
    // One event per Pod, as the watch would deliver them.
    let n = 0;
    for (let i = 0; i < NAMESPACES; i++) {
      for (let p = 0; p < PODS; p++) {
        const pod = { namespace: ns(i), kind: 'Pod', name: `pod-${p}`, uid: `tree-size-${suffix}-${i}-${p}` };
        await api.session.broadcaster.action(aWatchedChange(n++, { ...pod, type: 'Normal', reason: 'Pulled' }, `tree-size-${suffix}`));
      }
    }
    await waitFor('every event in the store', () => Array.from({ length: NAMESPACES }, (_, i) => api.session.store.byNamespace(ns(i)).length).every((c) => c === PODS), 30_000);

    const groups = new Set<string>();
    const objectsOf = new Set<string>();
    const requests = api.tree.onDidRequestItem((row) => {
      if (row.kind === 'group') groups.add(row.label);
      else if (row.kind === 'object') objectsOf.add(row.ref.namespace);
    });
    try {
      // The large tree: VS Code lists its 20 groups.
      assert.equal(api.filter.set(`ns:tree-size-${suffix}-*`), undefined);
      await waitFor('VS Code to list the 20 groups', () => Array.from({ length: NAMESPACES }, (_, i) => ns(i)).every((g) => groups.has(g)), 30_000);
      // Then a small one, two of the same groups: VS Code refreshes views one after the other, so once it has
      // listed these objects it has listed whatever the large tree made it list.
      assert.equal(api.filter.set(`ns:${ns(0)},${ns(1)}`), undefined);
      await waitFor('VS Code to list the objects of the two open groups', () => objectsOf.has(ns(0)) && objectsOf.has(ns(1)), 30_000);
      assert.deepEqual(
        [...objectsOf].filter((o) => o.startsWith(`tree-size-${suffix}-`)).sort(),
        [ns(0), ns(1)],
        'VS Code listed object rows of the large tree: its groups started open',
      );
      // The large tree again: its groups start closed, and a user still opens one (as the keyboard does).
      objectsOf.clear();
      assert.equal(api.filter.set(`ns:tree-size-${suffix}-*`), undefined);
      await waitFor('the large tree\'s groups back', () => api.tree.snapshot().filter((r) => r.contextValue === 'group').length === NAMESPACES, 30_000);
      await vscode.commands.executeCommand('kubeEvents.events.focus');
      await waitFor('a group opened by the user to list its objects', async () => {
        await vscode.commands.executeCommand('list.focusFirst');
        await vscode.commands.executeCommand('list.expand');
        return [...objectsOf].some((o) => o.startsWith(`tree-size-${suffix}-`));
      }, 30_000);
    } finally {
      requests.dispose();
      api.filter.clear();
    }
  });
});
