// The recorder's ledger in a real VS Code on the real demo controller: the built-in JavaScript debugger runs a
// wrapper (test/fixtures/debug-controller/demoController.mjs) that runs our Go demo controller in its event-storm
// mode, so its klog lines arrive as DAP `output` events; the ledger labels every attempt, and the apiserver's
// count (kubectl) must agree. The Go file that makes those calls (the demo controller's own storm.go) gets the
// ledger's CodeLens, hover and both lints; the panel and the end-of-session summary say the same.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { AGGREGATE_MESSAGE_PREFIX } from '../../../src/core/correlator/correlator';
import type { LedgerCounts } from '../../../src/core/ledger/recorderLedger';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { resolveBinaries } from '../../cluster/binaries';
import { delveBinaries, demoLaunch, lineOf } from '../../support/delve';
import { connectAdmin } from '../../support/admin';
import { kubectlEvents, prepareStorm, releaseStorm, STORM_INSTANCE_FLAG, stormPlan, type StormPlan } from '../../support/eventStorm';
import { waitFor } from '../../support/waitFor';
import { activateForTests } from './testApi';

const CONTROLLER = 'website-controller';

suite('recorder ledger', function () {
  this.timeout(240_000);
  let api: KubeEventsTesting;
  let client: KubeClient;
  let kubeconfig: string;
  let plan: StormPlan;
  const root = path.resolve(__dirname, '..', '..', '..', '..');

  suiteSetup(async () => {
    const admin = connectAdmin();
    client = admin.client;
    kubeconfig = admin.kubeconfig;
    api = await activateForTests();
    await waitFor('the stream to go live', () => api.session.state.phase === 'live');
    plan = stormPlan(`ledger-vs-${Date.now().toString(36)}`);
    await prepareStorm(client, plan);
  });

  const plans: StormPlan[] = [];

  suiteTeardown(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const p of [plan, ...plans]) if (p) await releaseStorm(client, p);
    client?.dispose();
  });

  test('the demo controller under a debugger: every label, counted against the apiserver, on its Go calls, in the panel and the summary', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const program = path.join(workspace, 'demoController.mjs');
    fs.copyFileSync(path.join(root, 'test', 'fixtures', 'debug-controller', 'demoController.mjs'), program);
    // The extension host runs with a HOME of its own: build.sh must look in the real user's cache, not build anew.
    process.env.KUBE_EVENTS_CACHE ??= path.join(os.userInfo().homedir, '.cache', 'kube-events');
    const demo = (await resolveBinaries(() => undefined, true)).producers!['demo-controller'];
    const name = `Debug storm ${plan.namespace}`;
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'node',
      request: 'launch',
      name,
      program,
      runtimeExecutable: process.execPath,
      console: 'internalConsole',
      // The controller's own streams, as `dlv dap` relays a Go program's: not only console.* calls.
      outputCapture: 'std',
      env: { KUBECONFIG: kubeconfig, DEMO_CONTROLLER: demo, DEMO_NAMESPACE: plan.namespace, DEMO_ARGS: STORM_INSTANCE_FLAG, LINGER_MS: '10000' },
      kubeEvents: { controller: CONTROLLER, filter: `ns:${plan.namespace}` },
    });
    assert.ok(started);

    const ledger = await waitFor('the ledger to read the storm', () => {
      const s = api.recorder.ledgers.current;
      return s && s.ledger.attempts.filter((a) => a.reason === 'ProbeFailed').length === plan.attempts && s;
    }, 90_000);
    assert.equal(ledger.name, name);
    const counts = (reason: string): LedgerCounts => ledger.ledger.counts((a) => a.reason === reason);
    await waitFor('the storm\'s attempts to be confirmed or refused', () => ['ProbeFailed', 'Resynced'].every((r) => counts(r).pending === 0) && counts('MirrorFailed').rejected === 1, 60_000);

    // The apiserver's side, through kubectl.
    const judged = (await kubectlEvents(kubeconfig, plan.namespace)).filter((e) => e.component === CONTROLLER);
    const probe = counts('ProbeFailed');
    const single = judged.filter((e) => e.reason === 'ProbeFailed' && !e.message.startsWith(AGGREGATE_MESSAGE_PREFIX));
    const combined = judged.filter((e) => e.reason === 'ProbeFailed' && e.message.startsWith(AGGREGATE_MESSAGE_PREFIX));
    assert.equal(single.length, probe.created);
    assert.equal(combined.length, 1);
    assert.equal(combined[0].count, probe.combined);
    assert.equal(probe['spam-filtered'], plan.attempts - probe.created - probe.combined);
    const resynced = judged.filter((e) => e.reason === 'Resynced');
    assert.equal(resynced.length, 1);
    assert.equal(resynced[0].count, counts('Resynced').created + counts('Resynced').patched);

    // The Go calls that recorded them: the demo controller's own source, opened in the editor.
    const goFile = path.join(workspace, 'storm.go');
    fs.copyFileSync(path.join(root, 'test', 'cluster', 'go', 'demo-controller', 'storm.go'), goFile);
    const uri = vscode.Uri.file(goFile);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lens = await waitFor('the ledger lens on the ProbeFailed call', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.find((l) => l.command?.title.startsWith('Recorder ledger: 40 attempts'))?.command?.title;
    }, 30_000);
    assert.equal(lens, `Recorder ledger: 40 attempts: ${probe.created} created, ${probe.combined} combined, ${probe['spam-filtered']} spam-filtered`);
    const lints = await waitFor('both lints on the ProbeFailed call', () => {
      const ds = vscode.languages.getDiagnostics(uri).filter((d) => String(typeof d.code === 'object' ? d.code.value : d.code).startsWith('recorder-'));
      return ds.length >= 2 && ds;
    }, 30_000);
    const probeLine = doc.getText().split('\n').findIndex((l) => l.includes('"ProbeFailed"'));
    for (const d of lints) {
      assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
      assert.equal(d.range.start.line, probeLine);
    }
    assert.match(lints.map((d) => d.message).join('\n'), /40 attempts, 40 different messages \(16 of them combined\): client-go counts only identical events, and after 10 similar events/);
    assert.match(lints.map((d) => d.message).join('\n'), /15 attempts of 40 dropped by client-go's spam filter: 40 Warning attempts on Website\/.* where the filter allows a burst of 25 per source, object and type, then 1 every 300 seconds/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(probeLine, doc.lineAt(probeLine).text.indexOf('ProbeFailed') + 2));
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hoverText, /Recorder ledger/);
    assert.match(hoverText, /its claims, not events/);

    // The panel.
    await vscode.commands.executeCommand('kubeEvents.showRecorderLedger');
    const html = await waitFor('the ledger panel', () => api.recorder.panelHtml);
    assert.match(html, /Recorder Ledger: debug session/);
    assert.match(html, />spam-filtered <b>15<\/b>/);

    // The session ends (the wrapper stops the controller after its storm): the summary has the ledger's sentence.
    await waitFor('the session to end', () => api.debug.last?.name === name && api.debug.last.end !== undefined, 60_000);
    const sentence = api.recorder.summaryFor(api.debug.last!.id);
    assert.match(sentence, /^Its recorder logged \d+ attempts: .*15 spam-filtered, 1 rejected.* \(the controller's claims from its log, not events\)\.$/);
  });

  test('under Delve (dlv dap, outputMode remote): paused mid-storm the ledger already holds what was tried; at the end it agrees with the apiserver', async () => {
    const bins = await delveBinaries();
    const storm = stormPlan(`ledger-dlv-${Date.now().toString(36)}`);
    plans.push(storm);
    await prepareStorm(client, storm);
    // Stop in the storm at its 30th ProbeFailed, before it is recorded: 29 recorded, the last 4 past the burst of 25.
    const source = bins.demoSource.replace(/main\.go$/, 'storm.go');
    const line = lineOf(source, '"ProbeFailed", "Probe of %s failed');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(source), new vscode.Position(line, 0)), true, 'i == 30')]);
    const name = `Delve storm ${storm.namespace}`;
    const launch = demoLaunch(bins, name, kubeconfig, { controller: CONTROLLER });
    const started = await vscode.debug.startDebugging(undefined, {
      ...launch,
      // Delve relays the program's stdout and stderr as DAP output events only in this mode (the Go extension's default).
      outputMode: 'remote',
      args: [...(launch.args as string[]), `--namespace=${storm.namespace}`, '--event-log=printf', STORM_INSTANCE_FLAG],
    });
    assert.ok(started, 'the Delve session starts');
    const followed = await waitFor('the session to be followed', () => api.debug.current?.name === name && api.debug.current, 60_000);
    await waitFor('the stop at the 30th ProbeFailed', () => followed.stopped && followed.marks.some((m) => m.kind === 'stopped'), 120_000);
    // Every goroutine is stopped, the broadcaster's logging one included: its last attempts may still be queued.
    const probes = (l: { ledger: { attempts: readonly { reason: string }[] } }) => l.ledger.attempts.filter((a) => a.reason === 'ProbeFailed').length;
    const paused = await waitFor('the ledger of the paused session past the burst', () => {
      const s = api.recorder.ledgers.current;
      return s?.name === name && probes(s) > 25 && s;
    }, 30_000);
    const read = probes(paused);
    assert.ok(read <= 29, `at most the 29 recorded before the breakpoint, read ${read}`);
    assert.equal(paused.ledger.attempts.find((a) => a.reason === 'ProbeFailed')?.format, 'printf', 'StartLogging lines, read from Delve\'s output events');
    assert.equal(paused.ledger.counts((a) => a.reason === 'ProbeFailed')['spam-filtered'], read - 25, 'every attempt past the burst of 25 is spam-filtered, while still paused');

    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const counts = (reason: string): LedgerCounts => paused.ledger.counts((a) => a.reason === reason);
    await waitFor('the storm to end and settle', () => counts('ProbeFailed').pending === 0 && counts('Resynced').pending === 0 && counts('MirrorFailed').rejected === 1 && paused.ledger.attempts.filter((a) => a.reason === 'ProbeFailed').length === storm.attempts, 90_000);
    const judged = (await kubectlEvents(kubeconfig, storm.namespace)).filter((e) => e.component === CONTROLLER);
    const probe = counts('ProbeFailed');
    assert.equal(judged.filter((e) => e.reason === 'ProbeFailed' && !e.message.startsWith(AGGREGATE_MESSAGE_PREFIX)).length, probe.created);
    assert.equal(judged.find((e) => e.reason === 'ProbeFailed' && e.message.startsWith(AGGREGATE_MESSAGE_PREFIX))?.count, probe.combined);
    assert.equal(probe['spam-filtered'], storm.attempts - probe.created - probe.combined);
    assert.equal(judged.find((e) => e.reason === 'Resynced')?.count, counts('Resynced').created + counts('Resynced').patched);
    await vscode.debug.stopDebugging();
    await waitFor('the Delve session to end', () => api.debug.last?.name === name && api.debug.last.end !== undefined, 60_000);
  });
});
