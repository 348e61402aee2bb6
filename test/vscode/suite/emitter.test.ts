// Go to Emitter against the real control plane and the real demo controller: a Website in a namespace whose
// ResourceQuota allows no Deployment makes the demo controller (test/cluster/go/demo-controller) record
// FailedCreate through tools/record's Eventf. The workspace holds a copy of the controller's main.go and another
// operator's Go file that records the same reason; each entry point (tree row, timeline row, the manifest's
// diagnostic code action and hover) must rank the demo controller's call first, say why, and open it.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import type { KubeEvent } from '../../../src/core/events/kubeEvent';
import type { KubeClient } from '../../../src/kube/kubeClient';
import type { EmitterOutcome } from '../../../src/host/emitter/goToEmitter';
import { activateForTests } from './testApi';
import { waitFor } from '../../support/waitFor';
import { connectAdmin, createNamespace } from '../../support/admin';
import { createObject, recordEvent } from '../../support/demoCluster';
import { WEBSITE } from '../../cluster/producers';

const OTHER_OPERATOR = `package shop

import corev1 "k8s.io/api/core/v1"

const failedCreate = "FailedCreate"

func newReconciler(mgr manager) *reconciler {
	return &reconciler{recorder: mgr.GetEventRecorderFor("shop-operator")}
}

func (r *reconciler) fail(site object, err error) {
	r.recorder.Eventf(site, corev1.EventTypeWarning, failedCreate, "could not create the shop %q: %v", site.GetName(), err)
}
`;

suite('Go to Emitter', function () {
  this.timeout(180_000);
  let api: KubeEventsTesting;
  let client: KubeClient;
  let ws: string;
  let demoCopy: string;
  let failedLine: number;
  let failed: KubeEvent;
  const suffix = randomBytes(3).toString('hex');
  const ns = `emitter-shop-${suffix}`;
  // out/test/vscode/suite → the repository.
  const root = path.resolve(__dirname, '..', '..', '..', '..');

  /** Runs Go to Emitter; accepts the quick pick's first (best) item when it shows one. */
  async function goToEmitter(arg: unknown): Promise<EmitterOutcome | undefined> {
    let done = false;
    const run = Promise.resolve(vscode.commands.executeCommand<EmitterOutcome | undefined>('kubeEvents.goToEmitter', arg)).finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setTimeout(r, 300));
      if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    return run;
  }

  function assertOpenedDemoCall(outcome: EmitterOutcome | undefined): void {
    assert.ok(outcome, 'Go to Emitter answered');
    const [best, other] = outcome.result.candidates;
    assert.equal(outcome.result.candidates.length, 2, JSON.stringify(outcome.result.candidates.map((c) => c.uri)));
    assert.equal(vscode.Uri.parse(best.uri).fsPath, demoCopy);
    assert.equal(best.range.start.line, failedLine);
    assert.deepEqual(best.why, [
      'reason "FailedCreate" as a literal',
      'message matches the format "Failed to create Deployment %s: %v"',
      'component "website-controller": the package\'s EventSource{Component: …} (constant controllerName)',
      'type Warning',
    ]);
    assert.match(other.why.join(' '), /the package records as "shop-operator", not "website-controller"/);
    assert.equal(outcome.opened?.uri, best.uri, 'the best candidate is opened');
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, demoCopy);
    assert.equal(editor?.selection.active.line, failedLine);
  }

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    api.filter.clear();
    await waitFor('the stream to go live', () => api.session.state.phase === 'live');
    ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    demoCopy = path.join(ws, 'demo-controller', 'main.go');
    fs.mkdirSync(path.dirname(demoCopy), { recursive: true });
    fs.copyFileSync(path.join(root, 'test', 'cluster', 'go', 'demo-controller', 'main.go'), demoCopy);
    fs.mkdirSync(path.join(ws, 'shop-operator'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'shop-operator', 'reconciler.go'), OTHER_OPERATOR);
    failedLine = fs.readFileSync(demoCopy, 'utf8').split('\n').findIndex((l) => l.includes('"FailedCreate", "Failed to create Deployment'));
    assert.ok(failedLine > 0);

    await createNamespace(client, ns);
    await createObject(client, `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'no-deployments' }, spec: { hard: { 'count/deployments.apps': '0' } } });
    await createObject(client, `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${ns}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'storefront', namespace: ns },
      spec: { replicas: 1, image: 'nginx:1.27' },
    });
    failed = await waitFor('the demo controller\'s FailedCreate', () => [...api.session.store.all()].find((e) => e.namespace === ns && e.reason === 'FailedCreate'), 60_000);
    assert.equal(failed.reportingController, 'website-controller');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    api?.filter.clear();
    client?.dispose();
  });

  test('from a tree row: the demo controller\'s Eventf first, with why, and opened', async () => {
    assert.equal(api.filter.set(`ns:${ns} reason:FailedCreate`), undefined);
    const row = await waitFor('the tree row', () => api.tree.rowForEvent(failed.uid));
    assertOpenedDemoCall(await goToEmitter(row));
    api.filter.clear();
  });

  test('from a timeline row (the row\'s data-vscode-context)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // What the workbench passes for the timeline's webview/context menu: the row's context and the webview id.
    assertOpenedDemoCall(await goToEmitter({ webview: 'kubeEvents.timeline', webviewSection: 'eventRow', uid: failed.uid, preventDefaultContextMenuItems: true }));
  });

  test('from the manifest: the diagnostic\'s code action and the hover\'s link', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const manifest = path.join(ws, `website-${suffix}.yaml`);
    fs.writeFileSync(manifest, `apiVersion: ${WEBSITE.group}/${WEBSITE.version}\nkind: ${WEBSITE.kind}\nmetadata:\n  name: storefront\n  namespace: ${ns}\nspec:\n  replicas: 1\n  image: nginx:1.27\n`);
    const uri = vscode.Uri.file(manifest);
    await vscode.window.showTextDocument(uri);
    const diagnostic = await waitFor('the FailedCreate diagnostic', () => vscode.languages.getDiagnostics(uri).find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'FailedCreate'), 30_000);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
    const action = actions.find((a) => a.title === 'Go to Emitter of "FailedCreate"');
    assert.ok(action?.command, `a Go to Emitter code action (got ${actions.map((a) => a.title).join(', ')})`);
    assertOpenedDemoCall(await goToEmitter(action.command.arguments![0]));

    await vscode.window.showTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(3, 10));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    const link = /\[Go to Emitter of FailedCreate\]\(command:kubeEvents\.goToEmitter\?([^)]+)\)/.exec(text);
    assert.ok(link, `the hover links Go to Emitter: ${text.slice(0, 600)}`);
    const [arg] = JSON.parse(decodeURIComponent(link[1])) as [{ uid: string }];
    assert.equal(api.session.store.get(arg.uid)?.reason, 'FailedCreate');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assertOpenedDemoCall(await goToEmitter(arg));
  });

  test('no call in the workspace records the reason: recorded outside this workspace', async () => {
    await recordEvent(client, { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'settings', uid: '' }, { reason: 'ConfigDrift', message: 'drifted', component: 'config-auditor' });
    const drift = await waitFor('the ConfigDrift event', () => [...api.session.store.all()].find((e) => e.namespace === ns && e.reason === 'ConfigDrift'));
    const outcome = await goToEmitter({ uid: drift.uid });
    assert.ok(outcome);
    assert.deepEqual(outcome.result.candidates, []);
    assert.ok(outcome.result.filesIndexed >= 2, `indexed ${outcome.result.filesIndexed} Go files`);
    assert.equal(outcome.opened, undefined);
  });
});
