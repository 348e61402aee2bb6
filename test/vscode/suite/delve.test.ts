// F5 on a Go controller, on the path a Go author takes: the demo controller (test/cluster/go/demo-controller,
// built for debugging) runs under Delve (`dlv dap`, through the test-only debug type in
// test/fixtures/delve-debug-type) against the real control plane. A conditional line breakpoint in its
// sync() stops it on this suite's Website; Kube Events follows the session (separator row, session:, summary).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor } from '../../support/waitFor';
import { connectAdmin, createNamespace } from '../../support/admin';
import { createObject, recordEvent } from '../../support/demoCluster';
import { WEBSITE } from '../../cluster/producers';
import { allThreadsTraceStopped, delveBinaries, demoLaunch, lineOf, pidsOf, type DelveBinaries } from '../../support/delve';

const CONTROLLER = 'website-controller';

interface DapThread { id: number; name: string }
interface DapFrame { name: string; line: number; source?: { path?: string } }

suite('Delve: the demo controller under a real Go debugger', function () {
  this.timeout(240_000);
  let api: KubeEventsTesting;
  let client: KubeClient;
  let kubeconfig: string;
  let bins: DelveBinaries;
  const suffix = randomBytes(3).toString('hex');
  const ns = `delve-shop-${suffix}`;

  suiteSetup(async () => {
    ({ client, kubeconfig } = connectAdmin());
    bins = await delveBinaries();
    api = await activateForTests();
    api.filter.clear();
    await waitFor('the stream to go live', () => api.session.state.phase === 'live');
    await createNamespace(client, ns);
  });

  suiteTeardown(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    api?.filter.clear();
    client?.dispose();
  });

  test('F5 under Delve stops at a line breakpoint in sync(); Kube Events follows the session', async () => {
    const line = lineOf(bins.demoSource, '"Synced", "Website synced successfully"');
    // Only this suite's Website: the debug build reconciles every Website in the shared cluster.
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(bins.demoSource), new vscode.Position(line, 0)), true, `namespace == "${ns}"`)]);
    const name = `Debug demo controller ${suffix}`;
    const started = await vscode.debug.startDebugging(undefined, demoLaunch(bins, name, kubeconfig, { filter: `ns:${ns}`, controller: CONTROLLER }));
    assert.ok(started, 'the Delve session starts');
    const session = await waitFor('the session to be followed', () => api.debug.current?.name === name && api.debug.current, 60_000);
    const dap = await waitFor('the DAP session', () => vscode.debug.activeDebugSession?.name === name && vscode.debug.activeDebugSession);
    assert.equal(api.filter.text, `ns:${ns} source:${CONTROLLER}`, 'the launch block applies');

    await createObject(client, `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${ns}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'storefront', namespace: ns },
      spec: { replicas: 1, image: 'nginx:1.27' },
    });
    await waitFor('the stop at the breakpoint', () => session.marks.find((m) => m.kind === 'stopped'), 120_000);
    assert.equal(session.stopped, true);

    // Delve says where: a goroutine whose top frame is the breakpoint's line of main.go.
    const { threads } = (await dap.customRequest('threads')) as { threads: DapThread[] };
    let top: DapFrame | undefined;
    const seen: string[] = [];
    for (const t of threads) {
      const { stackFrames } = (await dap.customRequest('stackTrace', { threadId: t.id, startFrame: 0, levels: 1 })) as { stackFrames: DapFrame[] };
      const f = stackFrames[0];
      if (f?.name.includes('main.')) seen.push(`${f.name} ${f.source?.path}:${f.line}`);
      // In code-server the path comes back as a vscode-remote:// URI of the same file.
      if (f?.source?.path?.endsWith(bins.demoSource) && f.line === line + 1) top = f;
    }
    assert.ok(top, `a goroutine stopped at main.go:${line + 1} (top frames in main: ${seen.join(', ')})`);
    assert.match(top.name, /sync$/);
    // And the kernel, outside the debugger: every thread of the debuggee is stopped by its tracer.
    const [pid] = pidsOf(bins.demoController);
    assert.ok(pid, 'the debuggee runs');
    assert.ok(allThreadsTraceStopped(pid), `every thread of pid ${pid} is in state t`);

    // The events the controller recorded before the stop are the session's; the tree marks the session.
    await waitFor('DeploymentCreated in session:current', () => {
      api.filter.set(`session:current ns:${ns}`);
      return [...api.tree.model.events()].find((e) => e.reason === 'DeploymentCreated');
    }, 30_000);
    const rows = api.tree.snapshot();
    assert.match(rows[0]?.label ?? '', new RegExp(`^▶ debug: ${name} started \\d\\d:\\d\\d:\\d\\d$`));
    assert.match(rows[0].description, /website-controller · paused · 1 stop/);

    // Continue past the breakpoint: the Synced it stood on reaches the apiserver.
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await waitFor('the continue mark', () => session.marks.find((m) => m.kind === 'continued'));
    await waitFor('Synced after the continue', () => [...api.tree.model.events()].find((e) => e.reason === 'Synced'), 30_000);

    await vscode.debug.stopDebugging(dap);
    const ended = await waitFor('the session to end', () => api.debug.last?.name === name && api.debug.last.end !== undefined && api.debug.last, 60_000);
    assert.ok(ended.end! >= session.start);
    await waitFor('the debuggee to exit', () => pidsOf(bins.demoController).length === 0, 30_000);
    const summary = api.debug.summary!;
    assert.equal(summary.session.name, name);
    assert.match(summary.text, new RegExp(`^Debug session "${name}" ended after \\d+s; during it \\d+ events`));
    assert.ok(summary.byReason.some(([reason]) => reason === 'DeploymentCreated'), JSON.stringify(summary.byReason));
    api.filter.clear();
  });

  test('an event breakpoint (kubeEvents.breakOn) stops Delve\'s debuggee at the recorder call that wrote the matching event; count>N via the command', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    // The workspace holds the controller's source (as an author's does): Go to Emitter finds its FailedCreate
    // call there, and Delve maps that copy to the path the debug build was compiled from.
    const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const demoCopy = path.join(ws, 'demo-controller', 'main.go');
    fs.mkdirSync(path.dirname(demoCopy), { recursive: true });
    fs.copyFileSync(bins.demoSource, demoCopy);
    const failedLine = lineOf(demoCopy, '"FailedCreate", "Failed to create Deployment');
    const substitutePath = [{ from: path.dirname(demoCopy), to: path.dirname(bins.demoSource) }];
    const quotaNs = `delve-quota-${suffix}`;
    await createNamespace(client, quotaNs);
    // No Deployment may be created there: every sync of the Website records FailedCreate (and retries).
    await createObject(client, `/api/v1/namespaces/${quotaNs}/resourcequotas`, { metadata: { name: 'no-deployments' }, spec: { hard: { 'count/deployments.apps': '0' } } });
    const breakOn = `reason:FailedCreate under:Website/${quotaNs}/storefront`;
    const name = `Event breakpoint ${suffix}`;
    assert.ok(await vscode.debug.startDebugging(undefined, { ...demoLaunch(bins, name, kubeconfig, { breakOn, controller: CONTROLLER }), substitutePath }));
    const session = await waitFor('the session to be followed', () => api.debug.current?.name === name && api.debug.current, 60_000);
    const dap = await waitFor('the DAP session', () => vscode.debug.activeDebugSession?.name === name && vscode.debug.activeDebugSession);
    await waitFor('the debuggee to run', () => pidsOf(bins.demoController).length === 1, 60_000);
    assert.equal(api.eventBreakpoints.lastPause, undefined);
    assert.ok(!session.stopped, 'running: no line breakpoint, nothing matched yet');

    await createObject(client, `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${quotaNs}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'storefront', namespace: quotaNs },
      spec: { replicas: 1, image: 'nginx:1.27' },
    });
    const pause = await waitFor('the event breakpoint to stop the debuggee', () => api.eventBreakpoints.lastPause, 90_000);
    assert.equal(pause.sessionId, dap.id);
    assert.equal(pause.hit.event.reason, 'FailedCreate');
    assert.equal(pause.hit.event.regarding.name, 'storefront');
    assert.equal(pause.hit.event.namespace, quotaNs);
    // Delve says where: the stopped goroutine's top frame is the recorder call that wrote FailedCreate, in sync().
    const { stackFrames } = (await dap.customRequest('stackTrace', { threadId: pause.threadId, startFrame: 0, levels: 5 })) as { stackFrames: DapFrame[] };
    const top = stackFrames[0];
    const frames = stackFrames.map((f) => `${f.name} ${f.source?.path}:${f.line}`).join(', ');
    // In code-server the path comes back as a vscode-remote:// URI of the same file.
    assert.ok(top?.source?.path?.endsWith(demoCopy) && top.line === failedLine + 1, `top frame at main.go:${failedLine + 1}, the FailedCreate call (frames: ${frames})`);
    assert.match(top.name, /sync$/);
    // The one-shot breakpoint is gone from the user's list once it stopped the program.
    assert.deepEqual(vscode.debug.breakpoints.map((b) => (b instanceof vscode.SourceBreakpoint ? `${b.location.uri.fsPath}:${b.location.range.start.line + 1}` : 'function')), []);
    assert.match(pause.said, new RegExp(`^stopped at the recorder call in (\\S+/)?demo-controller/main.go:${failedLine + 1} that wrote ${breakOn}: Warning FailedCreate`));
    const mark = await waitFor('the stop, marked with its event', () => session.marks.find((m) => m.kind === 'stopped' && m.trigger), 30_000);
    assert.equal(mark.reason, 'breakpoint');
    assert.equal(mark.trigger?.uid, pause.hit.event.uid);
    assert.match(mark.trigger?.text ?? '', new RegExp(`^${breakOn}: Warning FailedCreate on Website/${quotaNs}/storefront: Failed to create Deployment storefront: .* \\(at (\\S+/)?demo-controller/main.go:${failedLine + 1}\\)$`));
    assert.equal(session.stopped, true);
    const { threads } = (await dap.customRequest('threads')) as { threads: DapThread[] };
    assert.ok(threads.length > 1);
    // And the kernel: every thread of the debuggee is stopped by its tracer, and stays so.
    const [pid] = pidsOf(bins.demoController);
    assert.ok(allThreadsTraceStopped(pid), `every thread of pid ${pid} is in state t`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(allThreadsTraceStopped(pid), 'still paused');

    // The command adds a rate breakpoint to the running session: it fires on the 3rd occurrence within 5m.
    const texts = await vscode.commands.executeCommand<string[]>('kubeEvents.breakOnEvents', `reason:FailedCreate ns:${quotaNs} count>2 within:5m`);
    assert.deepEqual(texts, [`reason:FailedCreate ns:${quotaNs} count>2 within:5m`]);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await waitFor('the continue', () => !session.stopped);
    const second = await waitFor('the rate breakpoint to pause again', () => api.eventBreakpoints.lastPause !== pause && api.eventBreakpoints.lastPause, 120_000);
    assert.ok(second.hit.spec.text.endsWith('count>2 within:5m') || second.hit.spec.text === breakOn, second.hit.spec.text);
    await waitFor('paused again', () => session.stopped && allThreadsTraceStopped(pid), 30_000);
    assert.equal(second.recorderCall?.range.start.line, failedLine, 'again at the recorder call');
    await waitFor('its one-shot breakpoint gone', () => vscode.debug.breakpoints.length === 0, 10_000);

    assert.deepEqual(await vscode.commands.executeCommand<string[]>('kubeEvents.breakOnEvents', ''), [], 'an empty query removes them');
    await vscode.debug.stopDebugging(dap);
    await waitFor('the session to end', () => api.debug.last?.name === name && api.debug.last.end !== undefined, 60_000);
    await waitFor('the debuggee to exit', () => pidsOf(bins.demoController).length === 0, 30_000);
  });

  test('an event breakpoint on an event no recorder call in the workspace writes: DAP pause, saying so', async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const auditNs = `delve-audit-${suffix}`;
    await createNamespace(client, auditNs);
    const name = `Event breakpoint elsewhere ${suffix}`;
    await vscode.commands.executeCommand('kubeEvents.breakOnEvents', `reason:AuditedElsewhere ns:${auditNs}`);
    assert.ok(await vscode.debug.startDebugging(undefined, demoLaunch(bins, name, kubeconfig, { controller: CONTROLLER })));
    const session = await waitFor('the session to be followed', () => api.debug.current?.name === name && api.debug.current, 60_000);
    const dap = await waitFor('the DAP session', () => vscode.debug.activeDebugSession?.name === name && vscode.debug.activeDebugSession);
    await waitFor('the debuggee to run', () => pidsOf(bins.demoController).length === 1, 60_000);
    const before = api.eventBreakpoints.lastPause;

    await recordEvent(client, { apiVersion: 'v1', kind: 'ConfigMap', namespace: auditNs, name: 'settings', uid: '' }, { reason: 'AuditedElsewhere', message: 'audited', component: 'config-auditor' });
    const pause = await waitFor('the pause', () => api.eventBreakpoints.lastPause !== before && api.eventBreakpoints.lastPause, 60_000);
    assert.equal(pause.hit.event.reason, 'AuditedElsewhere');
    assert.equal(pause.recorderCall, undefined);
    assert.match(pause.said, /^paused on event breakpoint reason:AuditedElsewhere .*: the event was recorded outside this workspace \(no recorder call among its \d+ Go files records "AuditedElsewhere"\), so it stopped wherever it was$/);
    const mark = await waitFor('the pause, marked with its event', () => session.marks.find((m) => m.kind === 'stopped' && m.trigger), 30_000);
    assert.equal(mark.reason, 'pause');
    assert.equal(mark.trigger?.uid, pause.hit.event.uid);
    const [pid] = pidsOf(bins.demoController);
    await waitFor('paused', () => session.stopped && allThreadsTraceStopped(pid), 30_000);
    assert.deepEqual(vscode.debug.breakpoints, [], 'no one-shot breakpoint was set');

    assert.deepEqual(await vscode.commands.executeCommand<string[]>('kubeEvents.breakOnEvents', ''), []);
    await vscode.debug.stopDebugging(dap);
    await waitFor('the session to end', () => api.debug.last?.name === name && api.debug.last.end !== undefined, 60_000);
    await waitFor('the debuggee to exit', () => pidsOf(bins.demoController).length === 0, 30_000);
  });
});
