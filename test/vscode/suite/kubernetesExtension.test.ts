// The bridge to the VS Code Kubernetes extension, in the real extension host. The extension cannot be
// downloaded where the tests run, so test/fixtures/kubernetes-extension-standin takes its id and serves
// the same public API broker (configuration v1_1, clusterexplorer v1); Kube Events talks to it exactly
// as it would to the real one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import { KUBERNETES_EXTENSION_ID } from '../../../src/host/kubernetesExtension/explorerTarget';
import { waitFor } from '../../support/waitFor';

suite('the VS Code Kubernetes extension bridge (with a stand-in of its API)', () => {
  let api: KubeEventsTesting;

  suiteSetup(async () => {
    assert.ok(vscode.extensions.getExtension(KUBERNETES_EXTENSION_ID), 'the stand-in is installed next to Kube Events');
    api = await activateForTests();
    await waitFor('the stream to go live', () => api.session.state.phase === 'live', 30_000);
  });

  suiteTeardown(async () => {
    api?.filter.clear();
    await vscode.commands.executeCommand('kubernetesStandin.setContext', 'admin');
  });

  test('Show Events on a cluster-explorer resource filters to it and what it owns', async () => {
    const node = { nodeType: 'resource', namespace: 'shop', name: 'web', resourceKind: { manifestKind: 'Deployment', abbreviation: 'deploy' } };
    const shown = await vscode.commands.executeCommand<boolean>(Commands.showEventsForKubernetesResource, node);
    assert.equal(shown, true);
    assert.equal(api.filter.text, 'under:Deployment/shop/web');
    api.filter.clear();
  });

  test('Show Events on a folder node explains itself and changes nothing', async () => {
    const shown = await vscode.commands.executeCommand<boolean>(Commands.showEventsForKubernetesResource, { nodeType: 'folder.resource' });
    assert.equal(shown, false);
    assert.equal(api.filter.text, '');
  });

  test('switching context in the Kubernetes extension switches the stream', async () => {
    await vscode.commands.executeCommand('kubernetesStandin.setContext', 'restricted');
    await waitFor('the restricted context', () => api.session.contextName === 'restricted', 20_000);
    // The restricted context names its namespace: the stream starts there (as kubectl would) and is live.
    await waitFor('live in the context namespace', () => api.session.state.phase === 'live', 30_000);
    assert.deepEqual(api.session.namespaces, ['kube-events-restricted']);
    await vscode.commands.executeCommand('kubernetesStandin.setContext', 'admin');
    await waitFor('admin and live again', () => api.session.contextName === 'admin' && api.session.state.phase === 'live', 30_000);
  });
});
