// Kube Events follows a real debug session: the built-in JavaScript debugger (js-debug) runs a small
// controller (test/fixtures/debug-controller) that records events through @kubernetes/client-node against the
// real control plane; the suite stops it at a breakpoint, writes an event "from someone else" while it is
// paused, continues, and checks the markers, `session:`, the per-launch filter and the summary.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import type { KubeEvent } from '../../../src/core/events/kubeEvent';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor } from '../../support/waitFor';
import { connectAdmin, createNamespace } from '../../support/admin';
import { recordEvent, type DemoObject } from '../../support/demoCluster';

const CONTROLLER = 'website-controller';

/** The storefront ConfigMap the suite's events are about, as another component would write them. */
const storefront = (namespace: string): DemoObject => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'storefront', uid: '' });

suite('debug sessions', function () {
  this.timeout(180_000);
  let api: KubeEventsTesting;
  let client: KubeClient;
  let workspace: vscode.Uri;
  let program: string;
  let stopLine: number;
  const suffix = randomBytes(3).toString('hex');
  const ns = `debug-shop-${suffix}`;
  // out/test/vscode/suite → the repository.
  const root = path.resolve(__dirname, '..', '..', '..', '..');

  function launch(name: string, kubeEvents: unknown): vscode.DebugConfiguration {
    return {
      type: 'node',
      request: 'launch',
      name,
      program,
      runtimeExecutable: process.execPath,
      console: 'internalConsole',
      env: {
        KUBECONFIG: process.env.KUBECONFIG ?? '',
        KUBE_EVENTS_CLIENT: path.join(root, 'node_modules', '@kubernetes', 'client-node', 'dist', 'index.js'),
        DEMO_NAMESPACE: ns,
      },
      kubeEvents,
    };
  }

  const inNamespace = (): KubeEvent[] => [...api.session.store.all()].filter((e) => e.namespace === ns);
  const byReason = (reason: string) => waitFor(`the ${reason} event`, () => inNamespace().find((e) => e.reason === reason), 30_000);
  const sessionEnded = (name: string) => waitFor(`"${name}" to end`, () => api.debug.last?.name === name && api.debug.last.end !== undefined && api.debug.last, 60_000);

  suiteSetup(async () => {
    client = connectAdmin().client;
    api = await activateForTests();
    api.filter.clear();
    await waitFor('the stream to go live', () => api.session.state.phase === 'live');
    await createNamespace(client, ns);
    workspace = vscode.workspace.workspaceFolders![0].uri;
    program = path.join(workspace.fsPath, 'controller.mjs');
    fs.copyFileSync(path.join(root, 'test', 'fixtures', 'debug-controller', 'controller.mjs'), program);
    stopLine = fs.readFileSync(program, 'utf8').split('\n').findIndex((l) => l.includes('the tests stop here'));
    assert.ok(stopLine > 0);
    // An event from before any session: `session:` must leave it out.
    await recordEvent(client, storefront(ns), { reason: 'Earlier', message: 'Earlier by kubelet', component: 'kubelet', ageSeconds: 60 });
    await byReason('Earlier');
  });

  suiteTeardown(() => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    api?.filter.clear();
    client?.dispose();
  });

  test('a breakpoint, a continue and the end: markers, session:, the launch filter and the summary', async () => {
    assert.equal(api.filter.set('type:Warning'), undefined);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(program), new vscode.Position(stopLine, 0)))]);
    const name = `Debug ${CONTROLLER} ${suffix}`;
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], launch(name, { filter: `ns:${ns}`, controller: CONTROLLER }));
    assert.ok(started, 'the debug session starts');

    const session = await waitFor('the session to be followed', () => api.debug.current?.name === name && api.debug.current);
    assert.equal(api.filter.text, `ns:${ns} source:${CONTROLLER}`, 'the launch filter (and the controller) applies for the session');
    const stop = await waitFor('the stop at the breakpoint', () => session.marks.find((m) => m.kind === 'stopped'), 60_000);
    assert.equal(session.stopped, true);
    assert.match(api.statusText(), /./);
    const reconciling = await byReason('Reconciling');
    assert.ok(reconciling.lastSeen >= Math.floor(session.start / 1000) * 1000, 'recorded during the session');

    // While the controller is paused, someone else writes about the same object.
    await recordEvent(client, storefront(ns), { reason: 'WhilePaused', message: 'WhilePaused by kubelet', component: 'kubelet' });
    const paused = await byReason('WhilePaused');
    assert.ok(!inNamespace().some((e) => e.reason === 'Reconciled'), 'nothing after the breakpoint ran yet');

    // The tree marks the session with a separator row at the top.
    const rows = api.tree.snapshot();
    assert.match(rows[0]?.label ?? '', new RegExp(`^▶ debug: Debug ${CONTROLLER} ${suffix} started \\d\\d:\\d\\d:\\d\\d$`));
    assert.match(rows[0].description, /website-controller · paused · 1 stop/);

    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const cont = await waitFor('the continue mark', () => session.marks.find((m) => m.kind === 'continued'));
    assert.ok(cont.at >= stop.at);
    assert.ok(paused.lastSeen >= Math.floor(stop.at / 1000) * 1000 && paused.lastSeen <= cont.at, 'the paused event sits between stop and continue');
    await byReason('SlowReconcile');

    const ended = await sessionEnded(name);
    assert.ok(ended.end! >= cont.at);
    assert.equal(api.filter.text, 'type:Warning', 'the previous filter is back');

    const summary = api.debug.summary!;
    assert.equal(summary.session.name, name);
    assert.equal(summary.countedBy, 'reportingController');
    assert.deepEqual([...summary.byReason].sort(), [['Reconciled', 1], ['Reconciling', 1], ['SlowReconcile', 1]]);
    assert.match(summary.text, new RegExp(`^Debug session "${name}" ended after \\d+s; during it 3 events \\(1 warning\\) had reportingController website-controller: `));

    // session:last: the session's events, the controller's and the kubelet's, not the earlier one.
    assert.equal(api.filter.set(`session:last ns:${ns}`), undefined);
    await waitFor('session:last in the tree', () => api.tree.model.size === 4 && api.tree.model);
    assert.deepEqual([...api.tree.model.events()].map((e) => e.reason).sort(), ['Reconciled', 'Reconciling', 'SlowReconcile', 'WhilePaused']);
    assert.match(api.tree.snapshot()[0]?.description ?? '', /website-controller · ended \d\d:\d\d:\d\d · 1 stop/);
    assert.equal(api.filter.set(`session:last ns:${ns} -source:${CONTROLLER}`), undefined);
    await waitFor('session:last combined with -source:', () => api.tree.model.size === 1);
    assert.equal([...api.tree.model.events()][0].reason, 'WhilePaused');
    assert.equal(api.filter.set(`session:current ns:${ns}`), undefined);
    await waitFor('session:current to match nothing once the session ended', () => api.tree.model.size === 0);
    assert.equal(api.filter.set(`-session:last ns:${ns}`), undefined);
    await waitFor('-session:last', () => api.tree.model.size === 1);
    assert.equal([...api.tree.model.events()][0].reason, 'Earlier');
    // An ended session's separator says nothing over a filter that shows none of its events.
    assert.ok(!api.tree.snapshot().some((r) => r.label.startsWith('▶ debug:')), 'no separator without the session\'s events');
    api.filter.clear();
  });

  test('an invalid kubeEvents.filter and an unknown context: the session runs, one warning, nothing changes', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    assert.equal(api.filter.set('type:Normal'), undefined);
    const context = api.session.contextName;
    const before = api.debug.reported.length;
    const name = `Bad launch ${suffix}`;
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], launch(name, { filter: 'reason: typo', context: 'no-such-context' }));
    assert.ok(started, 'the debug session starts anyway');
    await waitFor('the session to be followed', () => api.debug.last?.name === name);
    await sessionEnded(name);
    const reported = api.debug.reported.slice(before);
    assert.equal(reported.length, 1, `one warning, got ${JSON.stringify(reported)}`);
    assert.match(reported[0], /empty value at column 1 \("reason:"\)/);
    assert.match(reported[0], /context "no-such-context" is not in the kubeconfig \(it has "admin", "restricted"\); staying on "admin"/);
    assert.equal(api.session.contextName, context);
    assert.equal(api.filter.text, 'type:Normal');
    api.filter.clear();
  });
});
