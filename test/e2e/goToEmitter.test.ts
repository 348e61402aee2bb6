// Debugging a Go controller as a person does, in code-server: the demo controller's FailedCreate (a quota of
// zero Deployments) in the Events view and the timeline, "Go to Emitter" from each row's context menu (the
// quick pick ranks the demo controller's Eventf first and says why), then F5 on a launch configuration that
// runs the demo controller's debug build under Delve (test/fixtures/delve-debug-type) with an event breakpoint:
// when the matching FailedCreate arrives the debuggee pauses, as the notification, the timeline's mark and the
// kernel (/proc) say. Screenshots: ui-emitter-pick, ui-emitter-opened, ui-emitter-timeline-menu,
// ui-event-breakpoint-paused, ui-event-breakpoint-lanes.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { EXTENSION_ID } from '../../src/constants';
import type { KubeClient } from '../../src/kube/kubeClient';
import { createNamespace } from '../support/admin';
import { findRepoRoot } from '../support/codeServer';
import { createObject } from '../support/demoCluster';
import { allThreadsTraceStopped, delveBinaries, demoLaunch, pidsOf, type DelveBinaries } from '../support/delve';
import { UiSession } from '../support/uiSession';
import { poll, resultsDir, runCommand, screenshot, treeRows, viewPane, waitForNotification, webviewFrame, widenSideBar } from '../support/workbench';
import { WEBSITE } from '../cluster/producers';

const VIEW = 'Events';
const suffix = randomBytes(3).toString('hex');
const NS = `emitter-ui-${suffix}`;
const BREAK_NS = `breakpoint-ui-${suffix}`;
const SESSION = 'Debug demo controller (Delve)';

async function quotaBlockedWebsite(client: KubeClient, ns: string): Promise<void> {
  await createNamespace(client, ns);
  await createObject(client, `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'no-deployments' }, spec: { hard: { 'count/deployments.apps': '0' } } });
  // Until kube-controller-manager's quota controller has counted the namespace, a Deployment may still be
  // admitted: the Website would sync instead of failing.
  await poll(async () => {
    const quota = await client.request<{ status?: { hard?: Record<string, string> } }>(`/api/v1/namespaces/${ns}/resourcequotas/no-deployments`);
    return quota.status?.hard?.['count/deployments.apps'] !== undefined;
  }, `the quota in ${ns} counted by the quota controller`, { timeoutMs: 60_000 });
  await createObject(client, `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${ns}/${WEBSITE.plural}`, {
    apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
    kind: WEBSITE.kind,
    metadata: { name: 'storefront', namespace: ns },
    spec: { replicas: 1, image: 'nginx:1.27' },
  });
}

describe('Go to Emitter and an event breakpoint, in the workbench', () => {
  const ui = new UiSession('emitter-', false);
  const step = ui.step.bind(ui);
  let client: KubeClient;
  let bins: DelveBinaries;
  let failedLine = 0;

  before(async () => {
    bins = await delveBinaries();
    const admin = ui.connectAdmin();
    client = admin.client;
    ui.deleteNamespaceAtStop(client, NS);
    ui.deleteNamespaceAtStop(client, BREAK_NS);
    await quotaBlockedWebsite(client, NS);
    const root = findRepoRoot();
    const server = await ui.startServer({
      env: { KUBECONFIG: admin.kubeconfig },
      settings: UiSession.watching([NS, BREAK_NS], { 'kubeEvents.tree.groupBy': 'flat', 'debug.openDebug': 'neverOpen', 'debug.internalConsoleOptions': 'neverOpen' }),
      extensionFolders: [join(root, 'test', 'fixtures', 'delve-debug-type')],
    });
    const ws = server.workspaceDir;
    mkdirSync(join(ws, 'demo-controller'), { recursive: true });
    copyFileSync(join(root, 'test', 'cluster', 'go', 'demo-controller', 'main.go'), join(ws, 'demo-controller', 'main.go'));
    failedLine = readFileSync(join(ws, 'demo-controller', 'main.go'), 'utf8').split('\n').findIndex((l) => l.includes('"FailedCreate", "Failed to create Deployment')) + 1;
    mkdirSync(join(ws, 'shop-operator'), { recursive: true });
    writeFileSync(
      join(ws, 'shop-operator', 'reconciler.go'),
      'package shop\n\nimport corev1 "k8s.io/api/core/v1"\n\nfunc newReconciler(mgr manager) *reconciler {\n\treturn &reconciler{recorder: mgr.GetEventRecorderFor("shop-operator")}\n}\n\nfunc (r *reconciler) fail(site object, err error) {\n\tr.recorder.Eventf(site, corev1.EventTypeWarning, "FailedCreate", "could not create the shop %q: %v", site.GetName(), err)\n}\n',
    );
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    // Delve maps the workspace's copy of main.go to the path the debug build was compiled from.
    const launch = {
      ...demoLaunch(bins, SESSION, admin.kubeconfig, { breakOn: `reason:FailedCreate under:Website/${BREAK_NS}/storefront`, controller: 'website-controller' }),
      substitutePath: [{ from: join(ws, 'demo-controller'), to: join(root, 'test', 'cluster', 'go', 'demo-controller') }],
    };
    writeFileSync(join(ws, '.vscode', 'launch.json'), JSON.stringify({ version: '0.2.0', configurations: [launch] }, null, 2));
    await ui.openPage({ width: 1500, height: 900 });
  }, { timeout: 180_000 });

  after(async () => {
    for (const pid of pidsOf(bins?.demoController ?? '')) process.kill(pid, 'SIGKILL');
    await ui.stop();
  });

  test('a tree row\'s context menu: Go to Emitter ranks the demo controller\'s Eventf first, says why, and opens it', { timeout: 180_000 }, (t) =>
    step(
      t,
      'tree',
      async (p) => {
        await ui.openContainer(p);
        await widenSideBar(p, (current) => current + 200);
        await poll(async () => (await treeRows(p, VIEW)).some((r) => r.includes('FailedCreate')), 'the demo controller\'s FailedCreate in the tree', { timeoutMs: 60_000 });
        await viewPane(p, VIEW).locator('.monaco-list-row', { hasText: 'FailedCreate' }).first().click({ button: 'right' });
        await chooseMenuItem(p, 'Go to Emitter');
        const rows = p.locator('.quick-input-list .monaco-list-row');
        await poll(async () => (await rows.count()) === 2, 'two candidates in the quick pick');
        const first = await rows.nth(0).innerText();
        assert.match(first, /demo-controller\/main\.go:\d+/);
        assert.match(first, /message matches the format "Failed to create Deployment %s: %v"/);
        assert.match(first, /component "website-controller"/);
        assert.match(await rows.nth(1).innerText(), /the package records as "shop-operator", not "website-controller"/);
        await screenshot(p, 'ui-emitter-pick');
        await p.keyboard.press('Enter');
        await p.locator('.tab.active', { hasText: 'main.go' }).waitFor();
        // The cursor is on the call: the status bar's position names its line.
        await poll(async () => (await p.locator('.part.statusbar').innerText()).includes(`Ln ${failedLine},`), `the cursor on line ${failedLine}`);
        await screenshot(p, 'ui-emitter-opened');
      },
      true,
    ),
  );

  test('a timeline row\'s context menu offers Go to Emitter too', { timeout: 120_000 }, (t) =>
    step(t, 'timeline', async (p) => {
      await runCommand(p, 'View: Close All Editors');
      await runCommand(p, 'Kube Events: Open Timeline');
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      const row = frame.locator('#rows .row', { hasText: 'FailedCreate' }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.click({ button: 'right' });
      const item = p.locator('.monaco-menu .action-item', { hasText: 'Go to Emitter' }).first();
      await item.waitFor({ timeout: 10_000 });
      await screenshot(p, 'ui-emitter-timeline-menu');
      await chooseMenuItem(p, 'Go to Emitter');
      await poll(async () => (await p.locator('.quick-input-list .monaco-list-row').count()) === 2, 'the same two candidates');
      await p.keyboard.press('Enter');
      await p.locator('.tab.active', { hasText: 'main.go' }).waitFor();
    }),
  );

  test('F5 under Delve with kubeEvents.breakOn: the matching FailedCreate stops the controller at the recorder call that wrote it, and says so', { timeout: 240_000 }, (t) =>
    step(t, 'breakpoint', async (p) => {
      await runCommand(p, 'View: Close All Editors');
      await runCommand(p, 'Debug: Start Debugging');
      await poll(async () => pidsOf(bins.demoController).length === 1, 'the demo controller running under Delve', { timeoutMs: 90_000 });
      const [pid] = pidsOf(bins.demoController);
      // Delve starts it stopped and lets it run once the workbench has configured the session.
      await poll(async () => !allThreadsTraceStopped(pid), 'the debuggee running before the event', { timeoutMs: 60_000 });
      await quotaBlockedWebsite(client, BREAK_NS);
      const text = await waitForNotification(p, 'stopped at the recorder call', 90_000);
      assert.match(text, new RegExp(`stopped at the recorder call in (\\S+/)?demo-controller/main.go:${failedLine} that wrote reason:FailedCreate under:Website/${BREAK_NS}/storefront: Warning FailedCreate on Website/${BREAK_NS}/storefront: Failed to create Deployment storefront`));
      // The workbench shows the stop: main.go open at the recorder call.
      await p.locator('.tab.active', { hasText: 'main.go' }).waitFor({ timeout: 30_000 });
      await poll(async () => (await p.locator('.part.statusbar').innerText()).includes(`Ln ${failedLine},`), `the cursor on line ${failedLine}`);
      // Judged outside the extension and the debugger: every thread of the controller is stopped by its tracer.
      await poll(async () => allThreadsTraceStopped(pid), 'every thread of the debuggee in state t');
      await p.locator('.part.statusbar .statusbar-item', { hasText: `${SESSION} · paused` }).waitFor({ timeout: 30_000 });
      await screenshot(p, 'ui-event-breakpoint-paused');
      await runCommand(p, 'Kube Events: Open Timeline on the Debug Session');
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      const mark = frame.locator('#lanes-body .debug-mark.event-break').first();
      await mark.waitFor({ state: 'attached', timeout: 30_000 });
      assert.match((await mark.getAttribute('title')) ?? '', /^Paused by event breakpoint at \d\d:\d\d:\d\d: reason:FailedCreate under:Website\//);
      await frame.locator('button[data-mode="lanes"]').click();
      await p.locator('iframe.webview').first().screenshot({ path: join(resultsDir(), 'ui-event-breakpoint-lanes.png') });
      await frame.locator('button[data-mode="split"]').click();
      await runCommand(p, 'Debug: Stop');
      await poll(async () => pidsOf(bins.demoController).length === 0, 'the debuggee gone after Stop', { timeoutMs: 60_000 });
    }),
  );
});

/**
 * Runs a context menu's item. A click can land while the workbench re-renders the menu (the tree row under it
 * refreshed: the demo controller's FailedCreate repeats every few seconds) and then does nothing; the menu
 * stays open. Then the item, hovered and so focused, is run with Enter.
 */
async function chooseMenuItem(p: Page, label: string): Promise<void> {
  const menu = p.locator('.monaco-menu');
  const item = menu.locator('.action-item', { hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  await item.click();
  try {
    await menu.first().waitFor({ state: 'hidden', timeout: 3_000 });
  } catch {
    await item.hover();
    await p.keyboard.press('Enter');
    await menu.first().waitFor({ state: 'hidden', timeout: 5_000 });
  }
}
