// The recorder's ledger as a person sees it: F5 runs our Go demo controller's event storm under the built-in
// JavaScript debugger (a wrapper relays its klog output, as `dlv dap` relays a Go program's), against the real
// control plane. Screenshots: the end-of-session summary with the ledger's sentence, the ledger panel, the
// timeline's Recorder lanes, and the demo controller's storm.go with the ledger's lens, hover and lints.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_ID } from '../../src/constants';
import type { KubeClient } from '../../src/kube/kubeClient';
import { resolveBinaries } from '../cluster/binaries';
import { findRepoRoot } from '../support/codeServer';
import { prepareStorm, releaseStorm, STORM_INSTANCE_FLAG, stormPlan, type StormPlan } from '../support/eventStorm';
import { UiSession } from '../support/uiSession';
import { poll, resultsDir, runCommand, screenshot, waitForNotification, webviewFrame } from '../support/workbench';

const SESSION = 'Debug website-controller storm';

describe('The recorder ledger of a debugged controller', () => {
  const ui = new UiSession('ledger-', false);
  const step = ui.step.bind(ui);
  let client: KubeClient;
  let plan: StormPlan;

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    plan = stormPlan(`ledger-ui-${Date.now().toString(36)}`);
    ui.deleteNamespaceAtStop(client, plan.namespace);
    await prepareStorm(client, plan);
    process.env.KUBE_EVENTS_CACHE ??= join(os.userInfo().homedir, '.cache', 'kube-events');
    const demo = (await resolveBinaries(() => undefined, true)).producers!['demo-controller'];
    const server = await ui.startServer({
      env: { KUBECONFIG: admin.kubeconfig },
      settings: {
        'kubeEvents.namespaces': [plan.namespace, plan.ending],
        'kubeEvents.tree.groupBy': 'flat',
        'workbench.colorTheme': 'Default Dark Modern',
        'debug.openDebug': 'neverOpen',
        'debug.internalConsoleOptions': 'neverOpen',
      },
    });
    const ws = server.workspaceDir;
    const root = findRepoRoot();
    copyFileSync(join(root, 'test', 'fixtures', 'debug-controller', 'demoController.mjs'), join(ws, 'demoController.mjs'));
    copyFileSync(join(root, 'test', 'cluster', 'go', 'demo-controller', 'storm.go'), join(ws, 'storm.go'));
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    const configuration = {
      type: 'node',
      request: 'launch',
      name: SESSION,
      program: '${workspaceFolder}/demoController.mjs',
      runtimeExecutable: process.execPath,
      console: 'internalConsole',
      outputCapture: 'std',
      env: { KUBECONFIG: admin.kubeconfig, DEMO_CONTROLLER: demo, DEMO_NAMESPACE: plan.namespace, DEMO_ARGS: STORM_INSTANCE_FLAG, LINGER_MS: '12000' },
      kubeEvents: { controller: 'website-controller' },
    };
    writeFileSync(join(ws, '.vscode', 'launch.json'), JSON.stringify({ version: '0.2.0', configurations: [configuration] }, null, 2));
    await ui.openPage({ width: 1500, height: 900 });
  }, { timeout: 240_000 });

  after(async () => {
    if (plan) await releaseStorm(client, plan);
    await ui.stop();
  });

  test('F5: the storm runs, the session ends, the summary counts the ledger\'s attempts as claims', { timeout: 240_000 }, (t) =>
    step(
      t,
      'summary',
      async (p) => {
        await ui.openContainer(p, 'Kube Events');
        // The command shows once the debuggers are registered (js-debug activates late on a loaded machine).
        await poll(async () => {
          try {
            await runCommand(p, 'Debug: Start Debugging');
            return true;
          } catch {
            await p.keyboard.press('Escape');
            return false;
          }
        }, 'Debug: Start Debugging in the palette', { timeoutMs: 90_000 });
        const text = await waitForNotification(p, 'Its recorder logged', 120_000);
        assert.match(text, /Its recorder logged \d+ attempts: .*combined, 15 spam-filtered, 1 rejected.*\(the controller's claims from its log, not events\)/);
        await screenshot(p, 'ui-ledger-summary');
      },
      true,
    ),
  );

  test('"Show Recorder Ledger": the labels per reason and per attempt, and the lints', { timeout: 120_000 }, (t) =>
    step(t, 'panel', async (p) => {
      await p.locator('.notifications-toasts .notification-list-item', { hasText: 'Its recorder logged' }).getByRole('button', { name: 'Show Recorder Ledger' }).click();
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      await frame.locator('table.reasons').waitFor({ timeout: 30_000 });
      const reasons = await frame.locator('table.reasons tbody tr').allInnerTexts();
      assert.ok(reasons.some((r) => r.startsWith('ProbeFailed\t40\t9\t\t16\t15')), JSON.stringify(reasons));
      assert.match(await frame.locator('p.claims').innerText(), /its claims, not events/);
      await runCommand(p, 'View: Close Primary Side Bar');
      await screenshot(p, 'ui-ledger-panel');
      await runCommand(p, 'View: Close All Editors');
    }),
  );

  test('the timeline\'s Recorder lanes: one per label, beside the Website\'s lane', { timeout: 120_000 }, (t) =>
    step(t, 'lanes', async (p) => {
      await runCommand(p, 'Kube Events: Open Timeline on the Debug Session');
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      await poll(async () => (await frame.locator('#lanes-body .lane.recorder').count()) >= 4, 'the Recorder lanes');
      const labels = await frame.locator('#lanes-body .lane.recorder .lane-label').allInnerTexts();
      for (const l of ['Recorder · created', 'Recorder · combined 16', 'Recorder · spam-filtered 15', 'Recorder · rejected 1']) assert.ok(labels.some((x) => x.startsWith(l)), `${l} in ${JSON.stringify(labels)}`);
      assert.equal(await frame.locator('#lanes-body .lane.recorder.spam-filtered .recorder-mark').count(), 15);
      await screenshot(p, 'ui-ledger-timeline');
      await frame.locator('button[data-mode="lanes"]').click();
      await p.locator('iframe.webview').first().screenshot({ path: join(resultsDir(), 'ui-ledger-lanes.png') });
      await runCommand(p, 'View: Close All Editors');
    }),
  );

  test('the Go call: the ledger\'s lens, both lints on the reason, and the hover', { timeout: 120_000 }, (t) =>
    step(t, 'go', async (p) => {
      await p.keyboard.press('Control+P');
      await p.locator('.quick-input-widget .quick-input-box input').fill('storm.go');
      await poll(async () => (await p.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'storm.go' }).count()) === 1, 'storm.go in Quick Open');
      await p.keyboard.press('Enter');
      await p.locator('.tab', { hasText: 'storm.go' }).first().waitFor();
      // Bring the ProbeFailed call to the middle of the editor: lenses render only in view.
      const lines = readFileSync(join(findRepoRoot(), 'test', 'cluster', 'go', 'demo-controller', 'storm.go'), 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes('"ProbeFailed"')) + 1;
      const column = lines[line - 1].replace(/\t/g, '    ').indexOf('"ProbeFailed"') + 3;
      await runCommand(p, 'Go to Line/Column...', { closes: false });
      await p.locator('.quick-input-widget .quick-input-box input').fill(`:${line}`);
      await p.keyboard.press('Enter');
      const lens = p.locator('.codelens-decoration', { hasText: 'Recorder ledger: 40 attempts' });
      await lens.first().waitFor({ timeout: 60_000 });
      assert.match(await lens.first().innerText(), /Recorder ledger: 40 attempts: 9 created, 16 combined, 15 spam-filtered/);
      // Both lints, in the Problems panel.
      await p.locator('.part.statusbar [id="status.problems"]').click();
      const problems = await poll(async () => {
        const all = (await p.locator('.part.panel .markers-panel').innerText().catch(() => '')).replace(/\u00a0/g, ' ');
        return /40 different messages/.test(all) && /dropped by client-go's spam filter/.test(all) ? all : undefined;
      }, 'both lints in the Problems panel');
      assert.ok(problems.includes('storm.go'));
      await runCommand(p, 'Go to Line/Column...', { closes: false });
      await p.locator('.quick-input-widget .quick-input-box input').fill(`:${line}:${column}`);
      await p.keyboard.press('Enter');
      await runCommand(p, 'Show or Focus Hover');
      const hover = await poll(async () => {
        const text = await p.locator('.monaco-hover:not(.hidden)').first().innerText().catch(() => '');
        return text.includes('Recorder ledger') ? text : undefined;
      }, 'the hover with the ledger');
      assert.match(hover, /its claims, not events/);
      await p.waitForTimeout(300);
      await p.screenshot({ path: join(resultsDir(), 'ui-ledger-go.png') });
    }),
  );
});
