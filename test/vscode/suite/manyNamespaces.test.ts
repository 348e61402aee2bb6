// Twelve namespaces selected with Select Namespace… in the real extension host (issue 19, point 1): with every
// watch open, an event in the twelfth namespace reaches the store, and Open Resource YAML and Emit Test Event…
// on its Pod's row each answer within 2 s. As admin (one cluster-wide watch) and as the restricted user, who
// may read events only in those twelve namespaces (one watch each).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import type { EmitInput, EmitReport } from '../../../src/host/commands/emitEvents';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { loadKubeconfig } from '../../../src/kube/kubeConfigLoader';
import { waitFor } from '../../support/waitFor';
import { connectAdmin } from '../../support/admin';
import { answersWithin, createGrantedNamespaces, createPod } from '../../support/manyNamespaces';

const COUNT = 12;
const ANSWER_MS = 2_000;

suite('many namespaces selected', () => {
  let api: KubeEventsTesting;
  let admin: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const namespaces = Array.from({ length: COUNT }, (_, i) => `vs-many-${suffix}-${i + 1}`);
  const last = namespaces[COUNT - 1];
  const pod = 'web-0';

  suiteSetup(async () => {
    const connection = connectAdmin();
    admin = connection.client;
    const restricted = loadKubeconfig({ path: connection.kubeconfig, context: 'restricted' });
    assert.ok(restricted.ok, restricted.ok ? '' : restricted.message);
    try {
      await createGrantedNamespaces(admin, restricted.value.client, namespaces);
    } finally {
      restricted.value.client.dispose();
    }
    await createPod(admin, last, pod);
    api = await activateForTests();
    api.filter.clear();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand(Commands.selectNamespace, []);
    await vscode.commands.executeCommand(Commands.selectContext, 'admin');
    for (const ns of namespaces) await admin?.request(`/api/v1/namespaces/${ns}`, { method: 'DELETE' }).catch(() => undefined);
    admin?.dispose();
  });

  for (const context of ['admin', 'restricted'] as const) {
    test(`${context}: an event in the twelfth namespace arrives; Open Resource YAML and an emit answer within 2 s`, async () => {
      await vscode.commands.executeCommand(Commands.selectContext, context);
      await vscode.commands.executeCommand(Commands.selectNamespace, namespaces);
      await waitFor(`the ${context} stream over ${COUNT} namespaces, live`, () => api.session.contextName === context && api.session.namespaces.length === COUNT && api.session.state.phase === 'live', 30_000);
      const created = await admin.request<{ metadata: { uid: string } }>(`/api/v1/namespaces/${last}/events`, {
        method: 'POST',
        body: {
          metadata: { name: `many.${randomBytes(6).toString('hex')}`, namespace: last },
          involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: last, name: pod },
          type: 'Normal',
          reason: 'InTheTwelfth',
          message: `as ${context}`,
          source: { component: 'many-namespaces-test' },
          count: 1,
          firstTimestamp: new Date().toISOString(),
          lastTimestamp: new Date().toISOString(),
        },
      });
      await waitFor('the event in the twelfth namespace', () => api.session.store.get(created.metadata.uid), 10_000);
      const row = await waitFor('its Pod row', () =>
        api.tree.model
          .roots()
          .flatMap((g) => api.tree.model.children(g))
          .find((o) => o.kind === 'object' && o.ref.kind === 'Pod' && o.ref.namespace === last && o.ref.name === pod),
      );

      await answersWithin('Open Resource YAML', Promise.resolve(vscode.commands.executeCommand(Commands.openResourceYaml, row)), ANSWER_MS);
      const text = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.match(text, new RegExp(`name: ${pod}`), 'the Pod YAML is open');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

      const input: EmitInput = { type: 'Normal', reason: 'ManyNamespaces', message: `emitted as ${context} ${suffix}`, flavour: 'core/v1' };
      const report = await answersWithin('Emit Test Event…', Promise.resolve(vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, row, input)), ANSWER_MS);
      const first = report.results[0];
      assert.ok(first.ok, first.ok ? '' : first.message);
      await waitFor('the emitted event through the watch', () => [...api.session.store.all()].find((e) => e.message === input.message), 10_000);
    });
  }
});
