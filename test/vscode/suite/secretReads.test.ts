// An event about a Secret, in the real extension host: the tree's under: filter learns its owner, the language
// server checks that a manifest's Secret exists, and Emit Test Event… reads its live reference. The apiserver's
// audit log (Secrets logged with their responses) shows each of those reads answered PartialObjectMetadata,
// never the Secret.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { Commands } from '../../../src/constants';
import type { EmitInput, EmitReport } from '../../../src/host/commands/emitEvents';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { auditFrom } from '../../support/audit';
import { connectAdmin, createNamespace } from '../../support/admin';
import { recordEvent, type DemoObject } from '../../support/demoCluster';
import { waitFor as until } from '../../support/waitFor';
import { activateForTests } from './testApi';

function auditLogPath(): string {
  const dir = process.env.KUBE_EVENTS_CLUSTER_DIR || path.dirname(process.env.KUBECONFIG ?? '');
  return path.join(dir, 'audit.log');
}

suite('Reads about a Secret take its metadata only', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const ns = `secret-reads-${suffix}`;
  const password = Buffer.from(`s3cret-${suffix}`).toString('base64');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-secret-'));

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    await until('the stream to go live', () => api.session.state.phase === 'live');
    await createNamespace(client, ns);
  });

  suiteTeardown(async () => {
    api?.filter.clear();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    client?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the owner graph, the existence check and the emit reference read PartialObjectMetadata', async () => {
    const owner = await client.request<{ metadata: { name: string; uid: string } }>(`/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: { metadata: { name: 'db-owner' } } });
    const created = await client.request<{ metadata: { name: string; uid: string } }>(`/api/v1/namespaces/${ns}/secrets`, {
      method: 'POST',
      body: { metadata: { name: 'db-credentials', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'db-owner', uid: owner.metadata.uid, controller: true }] }, data: { password } },
    });
    const secret: DemoObject = { apiVersion: 'v1', kind: 'Secret', namespace: ns, name: created.metadata.name, uid: created.metadata.uid };
    const since = new Date();
    await recordEvent(client, secret, { type: 'Normal', reason: 'Rotated', message: `rotated ${suffix}`, component: 'secret-rotator' });

    // The tree's under: filter: the owner graph reads the Secret's owners.
    assert.equal(api.filter.set(`under:ConfigMap/${ns}/db-owner`), undefined);
    await until('the Secret\'s event under its owner', () => [...api.tree.model.events()].some((e) => e.reason === 'Rotated'), 30_000);

    // A manifest naming the Secret: the language server asks whether it exists.
    const file = path.join(dir, 'secret.yaml');
    fs.writeFileSync(file, ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${secret.name}`, `  namespace: ${ns}`, 'type: Opaque', ''].join('\n'));
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await until('the language server', () => api.languageServer.pid, 30_000);
    await until('the manifest\'s lens to count the Secret\'s event', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.some((l) => /1 event/.test(l.command?.title ?? ''));
    }, 30_000);

    // Emit Test Event… on the Secret's row reads its live reference.
    const row = await until('the Secret\'s row', () =>
      api.tree.model
        .roots()
        .flatMap((g) => api.tree.model.children(g))
        .find((o) => o.kind === 'object' && o.ref.kind === 'Secret' && o.ref.name === secret.name),
    );
    const input: EmitInput = { type: 'Normal', reason: 'TestOnSecret', message: `emitted on a Secret ${suffix}`, flavour: 'core/v1' };
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, row, input);
    assert.ok(report.results[0]?.ok, report.summary);
    assert.equal(report.reference?.uid, secret.uid, 'the reference names the live Secret');

    const reads = () =>
      auditFrom(auditLogPath(), 'kube-events-vscode', since).filter(
        (e) => e.stage === 'ResponseComplete' && (e.verb === 'get' || e.verb === 'list') && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === ns,
      );
    // The owner graph's read, at least one existence check, and the emit's reference.
    const seen = await until('the reads in the audit log', () => reads().length >= 3 && reads(), 30_000);
    const kinds = [...new Set(seen.map((e) => e.responseObject?.kind))];
    assert.deepEqual(kinds, ['PartialObjectMetadata'], JSON.stringify(seen.map((e) => `${e.verb} ${e.requestURI} → ${e.responseObject?.kind}`)));
    for (const e of seen) assert.ok(!JSON.stringify(e).includes(password), 'no Secret data in a response');
  });
});
