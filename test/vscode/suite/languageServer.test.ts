// The language server in the real extension host against the real control plane: events on an open
// manifest's object (and on what it owns) become diagnostics, CodeLenses and hovers; Go recorder calls get live
// counts. The objects and events are made here through the API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor as until } from '../../support/waitFor';
import { recordEvent, seedDemo, type Demo } from '../../support/demoCluster';
import { connectAdmin } from '../../support/admin';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Kube Events');
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

suite('language server against the control plane', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  let demo: Demo;
  const suffix = randomBytes(3).toString('hex');
  const shop = `lsp-shop-${suffix}`;
  const batch = `lsp-batch-${suffix}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-lsp-'));

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    await until('the stream to go live', () => api.session.state.phase === 'live');
    demo = await seedDemo(client, [shop, batch]);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    client?.dispose();
  });

  test('an open manifest gets the warnings of its object and what it owns; new ones appear; deletion clears them', async () => {
    const pod = demo.pods[0];
    await recordEvent(client, demo.replicaSet, { type: 'Warning', reason: 'QuotaExceeded', message: 'pods "web-7c9d8f6b5-" is forbidden: exceeded quota', component: 'replicaset-controller', count: 12, ageSeconds: 180 });
    const file = path.join(dir, 'web.yaml');
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: web-config',
        `  namespace: ${shop}`,
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        `  namespace: ${shop}`,
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: registry.example/shop/web:1.4.2',
        '',
      ].join('\n'),
    );
    const uri = vscode.Uri.file(file);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    assert.equal(editor.document.languageId, 'yaml');
    // The server starts with the first YAML or Go document.
    await until('the language server', () => api.languageServer.pid, 30_000);

    const first = await until('the QuotaExceeded diagnostic', () => ours(uri).find((d) => codeOf(d) === 'QuotaExceeded'), 30_000);
    assert.equal(first.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(first.message, /^QuotaExceeded ×12 · 3m ago \(ReplicaSet\/web-7c9d8f6b5\): pods "web-7c9d8f6b5-" is forbidden: exceeded quota$/);
    assert.equal(editor.document.getText(first.range), 'web');
    assert.equal(first.range.start.line, 9);

    // A new event about a Pod the Deployment owns, naming a container: the squiggle goes on that container.
    const t0 = Date.now();
    await recordEvent(client, pod, { type: 'Warning', reason: 'RestartedTooOften', message: 'Back-off restarting failed container app', component: 'kubelet', fieldPath: 'spec.containers{app}' });
    const backOff = await until('the RestartedTooOften diagnostic', () => ours(uri).find((d) => codeOf(d) === 'RestartedTooOften'), 30_000);
    console.log(`new event → diagnostic: ${Date.now() - t0} ms`);
    assert.equal(editor.document.getText(backOff.range), 'app');
    assert.match(backOff.message, /^RestartedTooOften ×1 · \d+s ago \(Pod\/web-7c9d8f6b5-x2k4q\): Back-off restarting failed container app$/);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^⚠ \d+ warnings · \d+ events · last \d+[sm] ago$/.test(t)), JSON.stringify(titles));
    assert.ok(titles.includes('Emit Test Event…'));
    // The ConfigMap does not exist: its lens says so.
    await until('the ConfigMap to be known absent', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l.some((x) => x.command?.title === 'not in cluster (context admin)');
    });

    // The lenses' commands, run with the arguments the server gave them: the summary filters the views to the
    // Deployment and what it owns; Emit Test Event… is preselected on the Deployment, and its event comes back
    // as a diagnostic.
    const summary = lenses.find((l) => l.command?.title.startsWith('⚠'))!.command!;
    assert.equal(await vscode.commands.executeCommand(summary.command, ...((summary.arguments ?? []) as unknown[])), true);
    assert.equal(api.filter.text, `under:Deployment/${shop}/web`);
    api.filter.clear();
    const emit = lenses.filter((l) => l.command?.title === 'Emit Test Event…')[1].command!;
    const report = await vscode.commands.executeCommand<{ target: { kind: string; name: string; namespace: string } }>(emit.command, ...((emit.arguments ?? []) as unknown[]), { type: 'Warning', reason: 'EmittedFromLens', message: 'from the CodeLens', flavour: 'core/v1' });
    assert.deepEqual([report.target.kind, report.target.namespace, report.target.name], ['Deployment', shop, 'web']);
    await until('the emitted event as a diagnostic', () => ours(uri).find((d) => codeOf(d) === 'EmittedFromLens'), 30_000);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(9, 9));
    const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(md, /\| Warning \| RestartedTooOften \|/);
    assert.match(md, /command:kubeEvents\.filterEvents/);

    // The Deployment goes: its diagnostics go with it.
    await client.request(`/apis/apps/v1/namespaces/${shop}/deployments/web`, { method: 'DELETE' });
    await until('the diagnostics to go', () => ours(uri).length === 0, 30_000);
  });

  test('a Go file gets live counts on its recorder calls, and a restarted server picks up where it was', async () => {
    const reason = `ProbeFailed${suffix.toUpperCase().replace(/[^A-Z]/g, 'X')}`;
    const file = path.join(dir, 'controller.go');
    fs.writeFileSync(
      file,
      [
        'package website',
        '',
        'const ReasonSynced = "Synced"',
        '',
        'func (r *Reconciler) Reconcile(site *Website) {',
        `\tr.Recorder.Eventf(site, corev1.EventTypeWarning, "${reason}", "probe failed: %v", err)`,
        '\tr.Recorder.Event(site, corev1.EventTypeNormal, ReasonSynced, "synced")',
        '\tr.Recorder.Eventf(site, "Warning", "lower_case", "x")',
        '}',
        '',
      ].join('\n'),
    );
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lensTitle = async (): Promise<string | undefined> => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l.find((x) => x.command?.title.startsWith(`${reason}:`))?.command?.title;
    };
    assert.equal(await until('the never-seen lens', async () => ((await lensTitle())?.includes('never seen') ? await lensTitle() : undefined), 30_000), `${reason}: never seen in the last hour`);
    const diag = await until('the reason diagnostic', () => ours(uri).find((d) => d.severity === vscode.DiagnosticSeverity.Information));
    assert.match(diag.message, /"lower_case" is not UpperCamelCase/);

    await recordEvent(client, demo.pods[1], { type: 'Warning', reason, message: 'probe failed', component: 'website-controller', count: 4 });
    await recordEvent(client, demo.jobPod, { type: 'Warning', reason, message: 'probe failed', component: 'website-controller' });
    const live = await until('the live count', async () => {
      const t = await lensTitle();
      return t && /in the last hour on 2 objects/.test(t) ? t : undefined;
    }, 30_000);
    assert.match(live, new RegExp(`^${reason}: 5 in the last hour on 2 objects · last \\d+[sm] ago$`));

    // Kill the server: the client restarts it once, and it gets everything again.
    const pid = api.languageServer.pid!;
    process.kill(pid, 'SIGKILL');
    await until('a new server', () => api.languageServer.pid !== undefined && api.languageServer.pid !== pid, 30_000);
    await recordEvent(client, demo.pods[0], { type: 'Warning', reason, message: 'probe failed again', component: 'website-controller' });
    await until('the count after the restart', async () => ((await lensTitle())?.startsWith(`${reason}: 6 in the last hour on 3 objects`) ? true : undefined), 30_000);
  });
});
