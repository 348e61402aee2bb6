// What is watched, in the real extension host against the real control plane: the context's namespace by
// default (as kubectl does), Select Namespace… to widen it, and filters that never narrow the watch, so one
// view's filter cannot starve another view.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor } from '../../support/waitFor';
import { connectAdmin } from '../../support/admin';
import { recordEvent } from '../../support/demoCluster';

/** A core/v1 event about a Pod (the Pod need not exist), written straight to the apiserver; returns its uid. */
async function createEvent(client: KubeClient, namespace: string, reason: string, message: string): Promise<string> {
  const probe = { apiVersion: 'v1', kind: 'Pod', namespace, name: 'scope-probe', uid: '' };
  return (await recordEvent(client, probe, { reason, message, component: 'scope-test' })).uid;
}

suite('what is watched', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const a = `vs-scope-a-${suffix}`;
  const b = `vs-scope-b-${suffix}`;

  suiteSetup(async () => {
    client = connectAdmin().client;
    for (const name of [a, b]) await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
    api = await activateForTests();
    await waitFor('the admin stream to go live', () => api.session.contextName === 'admin' && api.session.state.phase === 'live', 30_000);
  });

  suiteTeardown(async () => {
    api?.filter.clear();
    await vscode.commands.executeCommand(Commands.selectNamespace, []);
    await vscode.commands.executeCommand(Commands.selectContext, 'admin');
    client?.dispose();
  });

  test("one view's filter does not starve another: the tree on ns:A, the timeline open, events of B still arrive", async () => {
    await vscode.commands.executeCommand(Commands.openTimeline);
    assert.equal(api.filter.set(`ns:${a}`), undefined);
    const inA = await createEvent(client, a, 'ScopeProbe', `in A ${suffix}`);
    await waitFor('the event of A in the tree', () => api.tree.model.nodeForEvent(inA), 10_000);
    // B is filtered out of the tree, but the stream (which feeds the timeline, the log and the store) has it.
    const inB = await createEvent(client, b, 'ScopeProbe', `in B ${suffix}`);
    await waitFor('the event of B in the store while the tree shows only A', () => api.session.store.get(inB), 10_000);
    assert.equal(api.tree.model.nodeForEvent(inB), undefined, 'the tree keeps its own filter');
    assert.deepEqual(api.session.namespaces, [], 'the watch still covers every namespace');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    api.filter.clear();
  });

  test("a context that names a namespace starts there; Select Namespace… widens and narrows it", async () => {
    await vscode.commands.executeCommand(Commands.selectContext, 'restricted');
    // The restricted user may read events only in its own namespace, which its context names: live, no error.
    await waitFor('the restricted context, live', () => api.session.contextName === 'restricted' && api.session.state.phase === 'live', 30_000);
    assert.deepEqual(api.session.namespaces, ['kube-events-restricted']);
    assert.match(api.statusText(), /restricted · kube-events-restricted · live/);

    // Widening to all namespaces is the user's choice, and RBAC then says no, clearly.
    await vscode.commands.executeCommand(Commands.selectNamespace, ['*']);
    const refused = await waitFor('a refusal for all namespaces', () => (api.session.state.phase === 'error' ? api.session.state : undefined), 30_000);
    assert.equal(refused.reason, 'forbidden');
    assert.deepEqual(api.session.namespaces, []);

    // Back to the context's namespace.
    await vscode.commands.executeCommand(Commands.selectNamespace, []);
    await waitFor('live in the context namespace again', () => api.session.state.phase === 'live' && api.session.namespaces.join() === 'kube-events-restricted', 30_000);

    await vscode.commands.executeCommand(Commands.selectContext, 'admin');
    await waitFor('admin and live, all namespaces', () => api.session.contextName === 'admin' && api.session.state.phase === 'live' && api.session.namespaces.length === 0, 30_000);
  });

  test('Copy kubectl events Command on a cluster-scoped object names the events\' namespace, and kubectl finds them', async () => {
    const node = `node-${suffix}`;
    const created = await client.request<{ metadata: { uid: string } }>('/api/v1/namespaces/default/events', {
      method: 'POST',
      body: {
        metadata: { name: `${node}.${randomBytes(6).toString('hex')}`, namespace: 'default' },
        involvedObject: { apiVersion: 'v1', kind: 'Node', name: node },
        type: 'Warning',
        reason: 'NodeNotReadyProbe',
        message: `node ${node} is not ready`,
        source: { component: 'node-controller' },
        count: 1,
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
      },
    });
    const row = await waitFor('the Node row', () => {
      const event = api.tree.model.nodeForEvent(created.metadata.uid);
      return event?.parent;
    }, 10_000);
    const cmd = await vscode.commands.executeCommand<string>(Commands.copyKubectlCommand, row);
    assert.match(cmd, / -n default /);
    // The outside judge: kubectl itself, with a kubeconfig whose context names another namespace (as a
    // developer's usually does), running the command as copied (without --watch, so that it returns).
    const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-kc-')), 'config');
    fs.copyFileSync(process.env.KUBECONFIG!, kubeconfig);
    execFileSync('kubectl', ['config', 'set-context', 'admin', '--namespace=kube-system', '--kubeconfig', kubeconfig]);
    const output = execFileSync('sh', ['-c', cmd.replace(/ --watch$/, '')], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
    assert.match(output, /NodeNotReadyProbe/, `kubectl printed: ${output}`);
  });
});
