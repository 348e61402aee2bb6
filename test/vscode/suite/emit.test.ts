// "Emit Test Event…" in the real extension host: the recorder writes to the real control plane and the
// event comes back through the watch into the tree, marked as emitted from VS Code.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import type { EmitInput, EmitReport } from '../../../src/host/commands/emitEvents';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor as until } from '../../support/waitFor';
import { seedDemo, type Demo } from '../../support/demoCluster';
import { connectAdmin } from '../../support/admin';

suite('Emit Test Event against the control plane', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  let demo: Demo;
  const suffix = randomBytes(3).toString('hex');

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    api.filter.clear();
    await until('the stream to go live', () => api.session.state.phase === 'live');
    demo = await seedDemo(client, [`emit-shop-${suffix}`, `emit-batch-${suffix}`]);
  });

  suiteTeardown(() => {
    api?.filter.clear();
    client?.dispose();
  });

  function podRow(): unknown {
    const pod = demo.pods[0];
    return until('the Pod row', () =>
      api.tree.model
        .roots()
        .flatMap((g) => api.tree.model.children(g))
        // By namespace too: other suites seed the same demo names in namespaces of their own.
        .find((o) => o.kind === 'object' && o.ref.kind === 'Pod' && o.ref.namespace === pod.namespace && o.ref.name === pod.name),
    );
  }

  test('a Warning emitted on a Pod row comes back through the watch, marked as ours', async () => {
    const input: EmitInput = { type: 'Warning', reason: 'TestWarning', message: `emitted by the suite ${suffix}`, flavour: 'core/v1' };
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), input);
    assert.ok(report, 'the command returns a report');
    const first = report.results[0];
    assert.ok(first.ok, first.ok ? '' : first.message);
    assert.equal(first.value.outcome, 'created');
    assert.match(report.summary, new RegExp(`created emit-shop-${suffix}/${demo.pods[0].name}\\.`));
    const seen = await until('the emitted event in the store', () => [...api.session.store.all()].find((e) => e.message === input.message));
    assert.equal(seen.ours, true);
    assert.equal(seen.type, 'Warning');
    const node = await until('its tree row', () => api.tree.model.nodeForEvent(seen.uid));
    assert.equal(node.parent?.ref.name, demo.pods[0].name);
    // source: finds what this extension emitted.
    assert.equal(api.filter.set(`source:kube-events-vscode ns:emit-shop-${suffix}`), undefined);
    await until('the source filter', () => [...api.tree.model.events()].some((e) => e.uid === seen.uid));
    assert.ok([...api.tree.model.events()].every((e) => e.ours));
    api.filter.clear();
  });

  test('a burst of three identical core/v1 events becomes one event with count 3', async () => {
    const input: EmitInput = { type: 'Normal', reason: 'TestBurst', message: `burst ${suffix}`, flavour: 'core/v1', burst: 3, intervalMs: 10 };
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), input);
    assert.deepEqual(report.results.map((r) => (r.ok ? r.value.outcome : r.reason)), ['created', 'patched', 'patched']);
    const ev = await until('count 3 in the store', () => [...api.session.store.all()].find((e) => e.message === input.message && e.count === 3));
    assert.equal([...api.session.store.all()].filter((e) => e.message === input.message).length, 1, 'one event, not three');
    assert.equal(ev.ours, true);
  });

  test('an events.k8s.io/v1 event carries its action and comes back', async () => {
    const input: EmitInput = { type: 'Normal', reason: 'TestSeries', message: `v1 note ${suffix}`, flavour: 'events.k8s.io/v1', action: 'Reconciling' };
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), input);
    assert.ok(report.results[0].ok);
    const ev = await until('the v1 event', () => [...api.session.store.all()].find((e) => e.message === input.message));
    assert.equal(ev.action, 'Reconciling');
    assert.equal(ev.ours, true);
  });

  test('an invalid reason is refused locally, naming the limit, and nothing is sent', async () => {
    const before = api.session.store.size;
    const input: EmitInput = { type: 'Normal', reason: 'R'.repeat(200), message: 'too long a reason', flavour: 'core/v1' };
    const report = await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), input);
    const r = report.results[0];
    assert.equal(r.ok, false);
    assert.match(report.summary, /reason.*128/);
    // The watch delivers in order: once a marker sent afterwards is back, a wrongly sent event would be too.
    const marker: EmitInput = { type: 'Normal', reason: 'Marker', message: `marker ${suffix}`, flavour: 'core/v1' };
    await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), marker);
    await until('the marker', () => [...api.session.store.all()].some((e) => e.message === marker.message));
    assert.equal([...api.session.store.all()].some((e) => e.message === 'too long a reason'), false);
    assert.ok(api.session.store.size > before);
  });

  test('a lookalike written by someone else with our reporting controller and source is not marked as ours', async () => {
    const pod = demo.pods[0];
    const namespace = `emit-shop-${suffix}`;
    const now = new Date().toISOString();
    await client.request(`/api/v1/namespaces/${namespace}/events`, {
      method: 'POST',
      body: {
        metadata: { name: `${pod.name}.lookalike-${suffix}`, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.name },
        type: 'Warning',
        reason: 'TestLookalike',
        message: `lookalike ${suffix}`,
        source: { component: 'kube-events-vscode' },
        reportingComponent: 'kube-events-vscode',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      },
    });
    const genuine: EmitInput = { type: 'Warning', reason: 'TestGenuine', message: `genuine ${suffix}`, flavour: 'core/v1' };
    assert.ok((await vscode.commands.executeCommand<EmitReport>(Commands.emitTestEvent, await podRow(), genuine)).results[0]?.ok);
    const [lookalike, emitted] = await until('both events in the store', () => {
      const all = [...api.session.store.all()];
      const pair = [all.find((e) => e.message === `lookalike ${suffix}`), all.find((e) => e.message === genuine.message)];
      return pair.every(Boolean) && pair;
    });
    assert.equal(lookalike!.reportingController, 'kube-events-vscode');
    assert.equal(lookalike!.ours, false);
    assert.equal(emitted!.ours, true);
    // What the tree shows: the event row's context (its icon and the "ours" menu entries follow it), and is:ours.
    assert.equal(api.filter.set(`ns:${namespace} reason:TestLookalike,TestGenuine`), undefined);
    const rows = await until('both rows in the tree', () => {
      const flat = (list: ReturnType<typeof api.tree.snapshot>): ReturnType<typeof api.tree.snapshot> => list.flatMap((r) => [r, ...flat(r.children)]);
      const found = flat(api.tree.snapshot()).filter((r) => r.label === 'TestLookalike' || r.label === 'TestGenuine');
      return found.length === 2 && found;
    });
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.label, r.contextValue.split(' ').includes('ours')])), { TestLookalike: false, TestGenuine: true });
    assert.equal(api.filter.set(`ns:${namespace} is:ours reason:TestLookalike,TestGenuine`), undefined);
    await until('is:ours in the tree', () => [...api.tree.model.events()].length === 1);
    assert.deepEqual([...api.tree.model.events()].map((e) => e.reason), ['TestGenuine']);
    api.filter.clear();
  });
});
