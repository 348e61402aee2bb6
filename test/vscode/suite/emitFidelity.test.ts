// What Emit Test Event… writes, checked with kubectl rather than with Kube Events' own code: every entry point
// (tree row, manifest in the editor, the Kubernetes extension's explorer) names the live object by uid and
// resourceVersion, as client-go's GetReference does; a fieldPath only when asked for; a missing object is
// refused in plain words. And an event deleted with kubectl is not described as TTL-expired.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import type { EmitInput, EmitReport } from '../../../src/host/commands/emitEvents';
import { eventTooltip } from '../../../src/host/tree/eventTreeProvider';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { recordEvent, type DemoObject } from '../../support/demoCluster';
import { waitFor as until } from '../../support/waitFor';
import { connectAdmin } from '../../support/admin';

interface Ref {
  kind?: string;
  name?: string;
  namespace?: string;
  apiVersion?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}
interface CoreEventJson {
  metadata: { name: string };
  message?: string;
  involvedObject: Ref;
}
interface V1EventJson {
  note?: string;
  regarding?: Ref;
}
interface PodJson {
  metadata: { uid: string; resourceVersion: string };
}

/** kubectl, as the user beside the editor would run it, against the test control plane. */
function kubectl<T>(...args: string[]): T {
  const out = execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG!, '--context', 'admin', ...args, '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as T;
}

suite('Emit Test Event names the live object (checked with kubectl)', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const ns = `emit-ref-${suffix}`;
  let pod: DemoObject;

  function livePod(): PodJson['metadata'] {
    return kubectl<PodJson>('get', 'pod', 'api-0', '-n', ns).metadata;
  }

  function coreEvent(message: string): CoreEventJson {
    const found = kubectl<{ items: CoreEventJson[] }>('get', 'events', '-n', ns).items.filter((e) => e.message === message);
    assert.equal(found.length, 1, `one core/v1 event with message "${message}"`);
    return found[0];
  }

  /** uid and resourceVersion are the Pod's as kubectl reads it now; no fieldPath unless `fieldPath`. */
  function assertNamesLivePod(ref: Ref, fieldPath?: string): void {
    const live = livePod();
    assert.equal(ref.kind, 'Pod');
    assert.equal(ref.name, 'api-0');
    assert.equal(ref.apiVersion, 'v1');
    assert.equal(ref.uid, live.uid, 'uid of the live Pod');
    assert.equal(ref.resourceVersion, live.resourceVersion, 'resourceVersion of the live Pod');
    assert.equal(ref.fieldPath, fieldPath, fieldPath ? 'the field path asked for' : 'no field path unless asked for');
  }

  function input(message: string, extra: Partial<EmitInput> = {}): EmitInput {
    return { type: 'Normal', reason: 'ReferenceCheck', message, flavour: 'core/v1', ...extra };
  }

  function objectRow(): Promise<unknown> {
    return until('the Pod row', () =>
      api.tree.model
        .roots()
        .flatMap((g) => api.tree.model.children(g))
        .find((o) => o.kind === 'object' && o.ref.namespace === ns && o.ref.name === 'api-0'),
    );
  }

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    api.filter.clear();
    await until('the stream to go live', () => api.session.state.phase === 'live', 30_000);
    await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } });
    const created = await client.request<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/pods`, {
      method: 'POST',
      // Bound to a node that does not exist, so the scheduler and kwok leave it (and its resourceVersion) alone.
      body: { metadata: { name: 'api-0' }, spec: { nodeName: 'worker-1', containers: [{ name: 'app', image: 'registry.example/api:1' }] } },
    });
    pod = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'api-0', uid: created.metadata.uid };
    // An earlier event about one container of the Pod: its field path must not leak into emitted events.
    await recordEvent(client, pod, { reason: 'Pulled', message: 'Container image already present on machine', component: 'kubelet', fieldPath: 'spec.containers{app}' });
  });

  suiteTeardown(async () => {
    api?.filter.clear();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    client?.dispose();
  });

  test('from an object row: the live uid and resourceVersion, no field path', async () => {
    const message = `object row ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await objectRow(), input(message));
    assert.ok(report.results[0]?.ok, report.summary);
    assertNamesLivePod(coreEvent(message).involvedObject);
  });

  test('from an event row whose event had a field path: the field path is not carried over', async () => {
    const pulled = await until('the Pulled event row', () => {
      const e = [...api.session.store.all()].find((x) => x.namespace === ns && x.reason === 'Pulled');
      return e && api.tree.model.nodeForEvent(e.uid);
    });
    assert.equal(pulled.event.regarding.fieldPath, 'spec.containers{app}', 'the row\'s event has one');
    const message = `event row ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, pulled, input(message));
    assert.ok(report.results[0]?.ok, report.summary);
    assertNamesLivePod(coreEvent(message).involvedObject);
  });

  test('a field path is set when asked for', async () => {
    const message = `field path ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await objectRow(), input(message, { fieldPath: 'spec.containers{app}' }));
    assert.ok(report.results[0]?.ok, report.summary);
    assertNamesLivePod(coreEvent(message).involvedObject, 'spec.containers{app}');
  });

  test('events.k8s.io/v1: regarding carries the uid and resourceVersion too', async () => {
    const message = `v1 regarding ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await objectRow(), input(message, { flavour: 'events.k8s.io/v1', action: 'Checking' }));
    assert.ok(report.results[0]?.ok, report.summary);
    const found = kubectl<{ items: V1EventJson[] }>('get', 'events.v1.events.k8s.io', '-n', ns).items.filter((e) => e.note === message);
    assert.equal(found.length, 1);
    assertNamesLivePod(found[0].regarding!);
  });

  test('from the manifest open in the editor (no uid in it): the live uid and resourceVersion', async () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: api-0\n  namespace: ${ns}\nspec:\n  containers:\n    - name: app\n      image: registry.example/api:1\n`;
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(text.indexOf('name: api-0'));
    editor.selection = new vscode.Selection(at, at);
    const message = `manifest ${suffix}`;
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, undefined, input(message))).finally(() => (settled = true));
    // The kind picker offers the manifest under the cursor first: accept it as Enter would, once it is open.
    await until(
      'the manifest entry to be accepted',
      async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      },
      30_000,
    );
    const report = await run;
    assert.ok(report?.results[0]?.ok, report?.summary ?? 'no report');
    assertNamesLivePod(coreEvent(message).involvedObject);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('from the Kubernetes extension\'s cluster explorer: the live uid and resourceVersion', async () => {
    const node = { nodeType: 'resource', namespace: ns, name: 'api-0', resourceKind: { manifestKind: 'Pod', abbreviation: 'po' } };
    const message = `explorer ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, node, input(message));
    assert.ok(report.results[0]?.ok, report.summary);
    assertNamesLivePod(coreEvent(message).involvedObject);
  });

  test('an object that does not exist is refused in plain words, and nothing is sent', async () => {
    const node = { nodeType: 'resource', namespace: ns, name: 'no-such-pod', resourceKind: { manifestKind: 'Pod' } };
    const message = `missing ${suffix}`;
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, node, input(message));
    assert.equal(report.results.length, 0, 'nothing was sent');
    assert.match(report.summary, /^The test event was not sent: Pod "no-such-pod" was not found in namespace "emit-ref-/);
    assert.equal(kubectl<{ items: CoreEventJson[] }>('get', 'events', '-n', ns).items.filter((e) => e.involvedObject.name === 'no-such-pod').length, 0);
  });

  test('an event deleted with kubectl is described as deleted, not as expired by the TTL', async () => {
    const recorded = await recordEvent(client, pod, { type: 'Warning', reason: 'ToBeDeleted', message: `deleted by hand ${suffix}`, component: 'emit-fidelity-test' });
    await until('the event in the store', () => api.session.store.get(recorded.uid));
    execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG!, '--context', 'admin', 'delete', 'event', recorded.name, '-n', ns], { timeout: 30_000 });
    assert.equal(kubectl<{ items: CoreEventJson[] }>('get', 'events', '-n', ns).items.filter((e) => e.metadata.name === recorded.name).length, 0, 'kubectl no longer lists it');
    const deleted = await until('the deletion in the store', () => (api.session.store.get(recorded.uid)?.expired ? api.session.store.get(recorded.uid) : undefined));
    // Markdown escapes (`\(`, `&nbsp;`) undone: the text as the hover shows it.
    const tooltip = eventTooltip(deleted, Date.now()).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.doesNotMatch(tooltip, /event TTL\)[;.] ?[Kk]ept/, 'not described as a TTL expiry');
    assert.doesNotMatch(tooltip, /Deleted by the apiserver/);
    assert.match(tooltip, /Deleted on the server \d+s after its last update, before the event TTL \(1 h by default\) ran out: deleted by a client/);
    // Deleted events stay as history in the tree, and count in "N of M".
    assert.ok(api.tree.model.nodeForEvent(recorded.uid), 'still a row in the tree');
  });
});
