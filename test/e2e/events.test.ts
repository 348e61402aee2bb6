// Kube Events as a person uses it, against the real control plane: the packaged .vsix in code-server,
// driven through headless Chromium. Screenshots of every surface go to test-results/.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_ID } from '../../src/constants';
import type { KubeClient } from '../../src/kube/kubeClient';
import { UiSession } from '../support/uiSession';
import { recordEvent, seedDemo, type Demo } from '../support/demoCluster';
import { answer, outputLines, pickQuickInput, poll, runCommand, runQuickInputCommand, screenshot, setColorTheme, treeMessage, treeRows, typeAndAccept, viewPane, viewWelcomeText, waitForPrompt, webviewFrame, widenSideBar } from '../support/workbench';

const CONTAINER = 'Kube Events';
const VIEW = 'Events';
const HOSTILE = `<img src=x onerror=alert(1)> ${'x'.repeat(1000)} שלום עולם مرحبا بالعالم 🚀🔥✅`;

describe('Kube Events UI against a real control plane', () => {
  const ui = new UiSession();
  let client: KubeClient;
  let demo: Demo;
  const dialogs: string[] = [];

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    demo = await seedDemo(client, ['shop', 'batch']);
    await recordEvent(client, demo.pods[0], { type: 'Warning', reason: 'HostileText', message: HOSTILE, component: 'attacker' });
    const page = await ui.start({
      env: { KUBECONFIG: admin.kubeconfig },
      // Other suites leave their own namespaces in this cluster: watch the demo ones only.
      settings: UiSession.watching(['shop', 'batch']),
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('the tree shows the cluster\'s events grouped by namespace and object', { timeout: 120_000 }, (t) =>
    ui.step(t, 'tree', async (p) => {
      await ui.openContainer(p, CONTAINER);
      await widenSideBar(p, 620);
      const rows = await poll(async () => {
        const r = await treeRows(p, VIEW);
        return r.some((x) => x.startsWith('shop')) && r.some((x) => x.startsWith('BackOff')) ? r : undefined;
      }, 'the shop namespace and the BackOff warning in the tree');
      assert.ok(rows.some((r) => /^Pod\/web-7c9d8f6b5-m8p1z/.test(r)), 'the Pod with warnings is listed');
      assert.ok(rows.some((r) => /^BackOff.*×17/.test(r)), `the BackOff row shows its count: ${rows.join(' | ')}`);
      await screenshot(p, 'ui-tree');
    }),
  );

  test('a hostile event renders as inert text in the tree tooltip', { timeout: 60_000 }, (t) =>
    ui.step(t, 'tooltip', async (p) => {
      const row = viewPane(p, VIEW).locator('.monaco-list-row', { hasText: 'HostileText' }).first();
      await row.scrollIntoViewIfNeeded();
      const hover = p.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'onerror' }).first();
      // The pointer crosses other rows on its way and their hovers can linger on top: dismiss and retry.
      await poll(async () => {
        await p.mouse.move(1000, 700);
        await p.keyboard.press('Escape');
        await row.locator('.label-name, .monaco-highlighted-label').first().hover();
        return hover.waitFor({ timeout: 3_000 }).then(() => true, () => false);
      }, 'the tooltip of the HostileText row');
      // MarkdownString.appendText keeps runs of spaces as no-break spaces.
      const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
      assert.ok(text.includes('<img src=x onerror=alert(1)>'), 'the markup is shown as text');
      assert.ok(text.includes('שלום עולם') && text.includes('🚀'), 'RTL text and emoji survive');
      assert.equal(await hover.locator('img').count(), 0, 'no image element was created');
      await screenshot(p, 'ui-tree-hostile-tooltip');
      await p.mouse.move(5, 5);
    }),
  );

  test('Filter Events… narrows the tree to warnings', { timeout: 60_000 }, (t) =>
    ui.step(t, 'filter', async (p) => {
      await runCommand(p, 'Kube Events: Filter Events…', { closes: false });
      await typeAndAccept(p, 'type:Warning -reason:HostileText');
      const rows = await poll(async () => {
        if (!/Filter: type Warning, not reason HostileText — 5 of \d+ events/.test(await treeMessage(p, VIEW))) return undefined;
        const r = await treeRows(p, VIEW);
        return r.some((x) => x.startsWith('FailedCreate')) && !r.some((x) => x.startsWith('Scheduled')) ? r : undefined;
      }, 'only warnings in the tree, and the filter named above it');
      assert.ok(!rows.some((r) => r.startsWith('Started')), 'Normal events are hidden');
      await screenshot(p, 'ui-tree-filtered');
    }),
  );

  test('Filter by Resource from the palette shows a Deployment with everything it owns', { timeout: 60_000 }, (t) =>
    ui.step(t, 'filter-resource', async (p) => {
      await runCommand(p, 'Kube Events: Filter by Resource…', { closes: false });
      await pickQuickInput(p, 'Deployment', { closes: false });
      await pickQuickInput(p, 'web', { closes: false });
      // "Include owned resources" is the first, focused entry: the default a user accepts with Enter.
      await p.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Include owned resources' }).waitFor();
      await p.keyboard.press('Enter');
      const rows = await poll(async () => {
        // 13 = the Deployment's, ReplicaSet's and both Pods' events (the HostileText one included).
        if (!/under Deployment\/shop\/web — 13 of \d+ events/.test(await treeMessage(p, VIEW))) return undefined;
        const r = await treeRows(p, VIEW);
        return r.some((x) => x.startsWith('Pod/web-7c9d8f6b5-m8p1z')) && r.some((x) => x.startsWith('Pod/web-7c9d8f6b5-x2k4q')) && r.some((x) => x.startsWith('ReplicaSet/')) ? r : undefined;
      }, 'Pods and the ReplicaSet under the Deployment');
      assert.ok(!rows.some((r) => r.startsWith('batch')), 'other namespaces are filtered out');
      await screenshot(p, 'ui-tree-under-deployment');
      await runCommand(p, 'Kube Events: Clear Filter');
    }),
  );

  test('the output channel has one line per event, warnings at warn level', { timeout: 60_000 }, (t) =>
    ui.step(t, 'output', async (p) => {
      await runCommand(p, 'Kube Events: Show Log');
      // Monaco renders only the visible lines, wrapped, in whatever order the namespaces listed: narrow the
      // channel with the Output view's own filter box, as a person would, and read what it shows as one text.
      const filterBox = p.locator('.part.panel input[placeholder="Filter"]').first();
      await filterBox.fill('nightly-report');
      const visible = async (): Promise<string> => (await outputLines(p)).join(' ').replace(/\s+/g, ' ');
      const warnLine = /\[warning\] Event\(Job\/batch\/nightly-report-29410560\): type: 'Warning' reason: 'BackoffLimitExceeded' Job has reached the specified backoff limit/;
      const infoLine = /\[info\] Event\(CronJob\/batch\/nightly-report\): type: 'Normal' reason: 'SuccessfulCreate'/;
      // The filter applies after a debounce: wait until the filtered lines are what the view shows.
      await poll(async () => {
        // The Output view can re-render its filter box while the channel loads: keep the filter typed in.
        if ((await filterBox.inputValue().catch(() => '')) !== 'nightly-report') await filterBox.fill('nightly-report').catch(() => undefined);
        const t = await visible();
        // No [ns shop] line: the filter has applied, and what is left are the matching lines.
        return warnLine.test(t) && infoLine.test(t) && !t.includes('[ns shop]') ? t : undefined;
      }, async () => `only the nightly-report lines in the output channel, among them BackoffLimitExceeded and SuccessfulCreate; it shows: ${await visible()}`);
      await screenshot(p, 'ui-output');
      await filterBox.fill('');
    }),
  );

  test('the timeline shows the events in dark and light themes, hostile text inert', { timeout: 120_000 }, (t) =>
    ui.step(t, 'timeline', async (p) => {
      await runCommand(p, 'Kube Events: Open Timeline');
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      await frame.locator('text=FailedMount').first().waitFor({ timeout: 30_000 });
      // Give the timeline the room a user would: hide the bottom panel, narrow the side bar.
      await runCommand(p, 'View: Toggle Panel Visibility');
      await widenSideBar(p, 380);
      await screenshot(p, 'ui-timeline-dark');
      const hostile = frame.locator('text=/onerror=alert/').first();
      await hostile.waitFor({ timeout: 20_000 });
      assert.equal(await frame.locator('img').count(), 0, 'no <img> was created from event text');
      await setColorTheme(p, 'Light Modern');
      await frame.locator('text=FailedMount').first().waitFor();
      await screenshot(p, 'ui-timeline-light');
      await setColorTheme(p, 'Dark Modern');
      // The theme picker's quick input closes asynchronously; the next palette must not race it.
      await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      assert.deepEqual(dialogs, [], 'no script ran from event text');
    }),
  );

  test('Emit Test Event… from the palette against a Pod adds a row to the tree', { timeout: 120_000 }, (t) =>
    ui.step(t, 'emit', async (p) => {
      await runQuickInputCommand(p, 'Kube Events: Emit Test Event…', 'Emit Test Event — Kind');
      await pickQuickInput(p, 'Pod', { closes: false });
      await waitForPrompt(p, 'Emit Test Event — Pod');
      await pickQuickInput(p, 'web-7c9d8f6b5-x2k4q', { closes: false });
      await waitForPrompt(p, '(1/5): type');
      await pickQuickInput(p, 'Warning', { closes: false });
      await waitForPrompt(p, '(2/5): reason');
      await typeAndAccept(p, 'UiEmittedWarning');
      await answer(p, '(3/5): message', 'Emitted from the UI test through the palette');
      await waitForPrompt(p, '(4/5): API');
      await pickQuickInput(p, 'core/v1', { closes: false });
      await answer(p, '(5/5): how many', '1');
      await poll(async () => (await treeRows(p, VIEW)).some((r) => r.startsWith('UiEmittedWarning')), 'the emitted event in the tree', { timeoutMs: 30_000 });
      const toast = p.locator('.notifications-toasts .notification-list-item-message', { hasText: 'UiEmittedWarning' }).first();
      await toast.waitFor({ timeout: 10_000 });
      assert.match(await toast.innerText(), /created shop\/web-7c9d8f6b5-x2k4q\./);
      // The same event in the timeline (its batches go out every 250 ms) and in the log.
      await webviewFrame(p, EXTENSION_ID, 'panel').locator('text=UiEmittedWarning').first().waitFor({ timeout: 10_000 });
      await runCommand(p, 'Kube Events: Show Log');
      const filterBox = p.locator('.part.panel input[placeholder="Filter"]').first();
      await poll(async () => {
        if ((await filterBox.inputValue().catch(() => '')) !== 'UiEmittedWarning') await filterBox.fill('UiEmittedWarning').catch(() => undefined);
        return /\[warning\] Event\(Pod\/shop\/web-7c9d8f6b5-x2k4q\): type: 'Warning' reason: 'UiEmittedWarning'.*\[emitted from VS Code\]/.test((await outputLines(p)).join(' ').replace(/\s+/g, ' '));
      }, 'the emitted event in the Kube Events log, marked as emitted from VS Code');
      await screenshot(p, 'ui-emit');
    }),
  );
});

describe('Kube Events UI with an unreachable cluster', () => {
  const ui = new UiSession('unreachable-');

  after(() => ui.stop());

  before(async () => {
    // A kubeconfig whose server refuses connections: port 1 on loopback is never listening.
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'kube-events-unreachable-'));
    const kubeconfig = join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: lab, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: dev, user: {token: "not-a-real-token"}}]\ncontexts: [{name: lab, context: {cluster: lab, user: dev}}]\ncurrent-context: lab\n',
    );
    await ui.start({ env: { KUBECONFIG: kubeconfig } }, { width: 1400, height: 800 });
  }, { timeout: 180_000 });

  test('the welcome view says the cluster cannot be reached and offers what to do', { timeout: 120_000 }, (t) =>
    ui.step(t, 'welcome', async (p) => {
      await ui.openContainer(p, CONTAINER);
      const text = await poll(async () => {
        const w = await viewWelcomeText(p, VIEW);
        return w.includes('cannot be reached') ? w : undefined;
      }, 'the unreachable-cluster welcome view');
      assert.match(text, /Retry Now/);
      assert.match(text, /Select Context/);
      const status = await p.locator('.statusbar-item', { hasText: 'reconnecting' }).first().innerText();
      assert.match(status, /lab · all namespaces · reconnecting/);
      await screenshot(p, 'ui-welcome-unreachable');
    }),
  );
});
