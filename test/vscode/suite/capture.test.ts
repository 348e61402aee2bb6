// Issue 22 §2: a capture saved in a live window brings the investigation back in a fresh window with no cluster
// at all. The live window (the shared control plane) saves one through Save Capture…; the runner then starts a
// second code-server with its own profile and a kubeconfig without clusters (runExtensionHost.ts), which opens it
// and must show the same rows, the same `under:` count and the same lens as the live window did. A truncated
// capture changes nothing in the live window.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { Commands } from '../../../src/constants';
import type { RowSnapshot } from '../../../src/host/tree/eventTreeProvider';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { connectAdmin } from '../../support/admin';
import { recordEvent, seedDemo, type Demo } from '../../support/demoCluster';
import { waitFor as until } from '../../support/waitFor';
import { CAPTURE_FRESH_ENV, CAPTURE_FRESH_GREP, captureDir, readHandoff, writeHandoff, type CaptureHandoff } from './captureHandoff';
import { activateForTests } from './testApi';

/** Ages move between the two windows; everything else on a row must be the same. */
function withoutAges(text: string): string {
  return text.replace(/\b\d+(?:ms|s|m|h|d)(?: ago)?\b/g, '<age>');
}

function rowsOf(rows: readonly RowSnapshot[], depth = 0): string[] {
  return rows.flatMap((r) => [`${'  '.repeat(depth)}${r.label} | ${withoutAges(r.description)} | ${r.contextValue}`, ...rowsOf(r.children, depth + 1)]);
}

function timelineOf(api: KubeEventsTesting, namespace: string): string[] {
  return [...api.session.store.all()]
    .filter((e) => e.namespace === namespace)
    .map((e) => `${e.uid} ${e.type} ${e.reason} ×${e.count} ${e.lastSeen} ${e.regarding.kind}/${e.regarding.name}`)
    .sort();
}

async function summaryLens(uri: vscode.Uri): Promise<string | undefined> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.map((l) => l.command?.title ?? '').find((t) => /^⚠ \d+ warnings? · \d+ events/.test(t));
}

/** A Go recorder call's lens for `reason`, once it counts something. */
async function reasonLens(uri: vscode.Uri, reason: string): Promise<string | undefined> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.map((l) => l.command?.title ?? '').find((t) => t.startsWith(`${reason}:`) && !t.includes('never seen'));
}

/** The editor's window is the setting live and the capture's whole range in a capture: the counts must agree. */
function withoutWindow(title: string): string {
  return withoutAges(title.replace(/in the last [^·]*? on/, 'in the window on'));
}

function goSource(reason: string): string {
  return ['package website', '', 'func (r *Reconciler) Reconcile(site *Website) {', `\tr.Recorder.Eventf(site, corev1.EventTypeWarning, "${reason}", "probe failed: %v", err)`, '}', ''].join('\n');
}

function manifestFor(demo: Demo): string {
  return ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${demo.deployment.name}`, `  namespace: ${demo.deployment.namespace}`, 'spec:', '  replicas: 2', ''].join('\n');
}

suite('captures', () => {
  const fresh = process.env[CAPTURE_FRESH_ENV] === '1';

  test('in the live window: Save Capture… writes the filtered events, their owners and no credentials', async function () {
    if (fresh) this.skip();
    this.timeout(120_000);
    const client: KubeClient = connectAdmin().client;
    const api = await activateForTests();
    try {
      await until('the stream to go live', () => api.session.state.phase === 'live');
      const suffix = randomBytes(3).toString('hex');
      const [shop, batch] = [`cap-shop-${suffix}`, `cap-batch-${suffix}`];
      const demo = await seedDemo(client, [shop, batch]);
      // One more, recorded now, as the recorder of a controller would, and one of a reason only this test writes
      // (a Go recorder call's lens counts a reason over every namespace held).
      await recordEvent(client, demo.pods[0], { type: 'Warning', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient memory.', component: 'default-scheduler', count: 3 });
      const reason = `CaptureProbe${suffix.toUpperCase().replace(/[^A-Z]/g, 'X')}`;
      await recordEvent(client, demo.pods[1], { type: 'Warning', reason, message: 'probe failed', component: 'website-controller', count: 4 });
      const listed = async (): Promise<number> => (await client.request<{ items: unknown[] }>(`/api/v1/namespaces/${shop}/events`)).items.length;
      await until('the shop namespace\'s events in the store', async () => timelineOf(api, shop).length === (await listed()), 30_000);

      // What the live window shows: under: for the Deployment, the manifest's lens, the rows, the timeline's events.
      const chain = new Set([demo.deployment, demo.replicaSet, ...demo.pods].map((o) => `${o.kind}/${o.name}`));
      const expectedUnder = [...api.session.store.all()].filter((e) => e.namespace === shop && chain.has(`${e.regarding.kind}/${e.regarding.name}`)).length;
      assert.equal(api.filter.set(`under:Deployment/${shop}/web`), undefined);
      await until(`under: to place all ${expectedUnder} events of the chain`, () => api.tree.model.size === expectedUnder, 30_000).catch(() => assert.fail(`${api.tree.model.size} of ${expectedUnder}`));
      const underCount = api.tree.model.size;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-capture-'));
      const manifest = path.join(dir, 'web.yaml');
      fs.writeFileSync(manifest, manifestFor(demo));
      const uri = vscode.Uri.file(manifest);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const lens = withoutAges(await until('the manifest\'s summary lens', () => summaryLens(uri), 30_000));
      const goFile = path.join(dir, 'controller.go');
      fs.writeFileSync(goFile, goSource(reason));
      const goUri = vscode.Uri.file(goFile);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(goUri));
      const goLens = withoutWindow(await until('the Go call\'s lens', () => reasonLens(goUri, reason), 30_000));
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(api.filter.set(`ns:${shop}`), undefined);
      await until('the shop namespace\'s rows', () => api.tree.model.size === timelineOf(api, shop).length);
      const rows = rowsOf(api.tree.snapshot());
      const timeline = timelineOf(api, shop);

      // Save Capture… with its prompts answered: the last hour, without server addresses, into this file.
      const file = path.join(captureDir(() => dir), 'shop.kecapture');
      assert.equal(await vscode.commands.executeCommand(Commands.saveCapture, { range: 'last1h', servers: false, file }), file);
      const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
      const server = api.session.connection?.server ?? '';
      assert.ok(server && !text.includes(server), 'no server address unless asked for');
      for (const secret of [process.env.KUBE_EVENTS_TEST_TOKEN, ...tokensOf(process.env.KUBECONFIG)].filter((t): t is string => !!t)) {
        assert.ok(!text.includes(secret), 'no credential in the capture');
      }
      assert.ok(!text.includes(batch), 'only the events the filter shows');
      writeHandoff({ file, namespace: shop, rows, timeline, underCount, manifest: manifestFor(demo), lens, reason, goLens } satisfies CaptureHandoff);
    } finally {
      api.filter.clear();
      client.dispose();
    }
  });

  test('in the live window: a truncated capture gives one error and changes nothing', async function () {
    if (fresh) this.skip();
    const api = await activateForTests();
    await until('the stream to go live', () => api.session.state.phase === 'live');
    const handoff = readHandoff();
    assert.ok(handoff, 'the first test saved a capture');
    const bytes = fs.readFileSync(handoff.file);
    const truncated = path.join(path.dirname(handoff.file), 'cut.kecapture');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    api.filter.set(`ns:${handoff.namespace}`);
    await until('the rows', () => api.tree.model.size > 0);
    const before = rowsOf(api.tree.snapshot());
    const held = api.session.store.size;
    assert.equal(await vscode.commands.executeCommand(Commands.openCapture, truncated), undefined);
    assert.equal(api.capture.current, undefined, 'no capture is open');
    assert.equal(api.session.state.phase, 'live', 'the live stream keeps running');
    assert.ok(api.session.store.size >= held, 'no event was dropped');
    assert.deepEqual(rowsOf(api.tree.snapshot()), before);
    api.filter.clear();
  });

  test(`${CAPTURE_FRESH_GREP}: the same rows, under: count and lens as the live window, read from the capture alone`, async function () {
    if (!fresh) this.skip();
    this.timeout(120_000);
    const handoff = readHandoff();
    assert.ok(handoff, 'the live window saved a capture');
    const api = await activateForTests();
    await until('the window to find no cluster', () => api.session.state.phase === 'unconfigured', 20_000);
    assert.equal(api.session.store.size, 0);

    const opened = await vscode.commands.executeCommand<number>(Commands.openCapture, handoff.file);
    assert.equal(opened, handoff.timeline.length);
    assert.ok(api.capture.current, 'a capture is open');
    await until('the capture\'s events in the store', () => api.session.store.size === handoff.timeline.length);
    // The filter the capture was saved with.
    assert.equal(api.filter.text, `ns:${handoff.namespace}`);
    await until('the rows', () => api.tree.model.size === handoff.timeline.length);
    assert.deepEqual(rowsOf(api.tree.snapshot()), handoff.rows);
    assert.deepEqual(timelineOf(api, handoff.namespace), handoff.timeline);
    // The banner: which cluster, and when.
    assert.match(api.tree.message ?? '', /^Capture of admin, .* \(read-only\)\. Close Capture goes back to the live cluster\./);
    assert.match(api.capture.statusText ?? '', /Capture of admin/);

    assert.equal(api.filter.set(`under:Deployment/${handoff.namespace}/web`), undefined);
    await until(`${handoff.underCount} events under the Deployment`, () => api.tree.model.size === handoff.underCount, 20_000).catch(() =>
      assert.fail(`${api.tree.model.size} events under the Deployment, ${handoff.underCount} in the live window`),
    );

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-capture-'));
    const manifest = path.join(dir, 'web.yaml');
    fs.writeFileSync(manifest, handoff.manifest);
    const uri = vscode.Uri.file(manifest);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lens = await until('the manifest\'s summary lens', () => summaryLens(uri), 30_000);
    assert.equal(withoutAges(lens), handoff.lens);
    const goFile = path.join(dir, 'controller.go');
    fs.writeFileSync(goFile, goSource(handoff.reason));
    const goUri = vscode.Uri.file(goFile);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(goUri));
    assert.equal(withoutWindow(await until('the Go call\'s lens', () => reasonLens(goUri, handoff.reason), 30_000)), handoff.goLens);

    // Live-only commands say they are not available; Close Capture goes back (to no cluster, here).
    assert.equal(api.session.state.phase, 'stopped', 'no connection while the capture is open');
    assert.equal(await vscode.commands.executeCommand(Commands.reconnect), undefined);
    assert.equal(api.session.state.phase, 'stopped', 'Reconnect is not available while a capture is open');
    await vscode.commands.executeCommand(Commands.closeCapture);
    assert.equal(api.capture.current, undefined);
    assert.equal(api.session.store.size, 0);
    assert.equal(api.session.state.phase, 'unconfigured', 'back to the window as it was: no cluster');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

/** The tokens of a kubeconfig (`token: …` lines), to check that none reached the capture. */
function tokensOf(kubeconfig: string | undefined): string[] {
  if (!kubeconfig || !fs.existsSync(kubeconfig)) return [];
  return [...fs.readFileSync(kubeconfig, 'utf8').matchAll(/^\s*token:\s*"?([^"\s]+)"?\s*$/gm)].map((m) => m[1]);
}
