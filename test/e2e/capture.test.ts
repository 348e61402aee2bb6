// Issue 22 §2 as a person does it, in code-server + headless Chromium against the real control plane: Save Capture…
// from the palette (its two quick picks and the save dialog answered on screen), the capture file opened from the
// workspace (the custom editor puts the window into capture mode: the banner over the Events view, in the status
// bar and in the editor), a truncated capture opened the same way (one error, nothing else changes), and Close
// Capture back to the live cluster. Screenshots: test-results/ui-capture-open.png, ui-capture-bad-file.png.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { seedDemo } from '../support/demoCluster';
import { UiSession } from '../support/uiSession';
import { notificationToasts, openFile, pickQuickInput, poll, runCommand, screenshot, treeMessage, treeRows, waitForNotification, waitForPrompt } from '../support/workbench';

/** Whether one of the extension's webviews (the capture editors) shows `text`. */
async function webviewShows(p: Page, text: string): Promise<boolean> {
  const frames = p.locator('iframe.webview[src*="extensionId=kube-events.kube-events"]');
  for (let i = 0; i < (await frames.count()); i++) {
    const body = p.frameLocator('iframe.webview[src*="extensionId=kube-events.kube-events"]').nth(i).frameLocator('#active-frame').locator('body');
    if (((await body.innerText({ timeout: 1_000 }).catch(() => '')) ?? '').includes(text)) return true;
  }
  return false;
}

const CONTAINER = 'Kube Events';
const VIEW = 'Events';

describe('captures in the workbench', () => {
  const ui = new UiSession('capture-');
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const [shop, batch] = [`ui-cap-shop-${suffix}`, `ui-cap-batch-${suffix}`];
  let workspace = '';

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    await seedDemo(client, [shop, batch]);
    for (const ns of [shop, batch]) ui.deleteNamespaceAtStop(client, ns);
    const server = await ui.startServer({ env: { KUBECONFIG: admin.kubeconfig }, settings: UiSession.watching([shop]) });
    workspace = server.workspaceDir;
    await ui.openPage({ width: 1500, height: 900 });
  }, { timeout: 240_000 });

  after(() => ui.stop());

  test('Save Capture… from the palette writes the file the dialog names', { timeout: 180_000 }, (t) =>
    ui.step(t, 'save', async (p) => {
      await ui.openContainer(p, CONTAINER);
      await poll(async () => (await treeRows(p, VIEW)).some((r) => r.startsWith('Deployment/web')), 'the shop namespace\'s rows');
      await runCommand(p, 'Kube Events: Save Capture…', { closes: false });
      await waitForPrompt(p, 'Time Range');
      await pickQuickInput(p, 'Last hour', { closes: false });
      await waitForPrompt(p, 'Clusters');
      await pickQuickInput(p, 'Without server addresses', { closes: false });
      // The save dialog (code-server's simple one: a path in the quick input), titled exactly so.
      await p.locator('.quick-input-widget .quick-input-title').filter({ hasText: /^Kube Events: Save Capture$/ }).waitFor({ state: 'visible' });
      // The dialog puts its default path in once it has read the folder, after its title shows: typed earlier, the
      // name is overwritten and the default saved. Wait for the default, then type over it.
      const input = p.locator('.quick-input-widget .quick-input-box input');
      const target = path.join(workspace, 'shop.kecapture');
      await poll(async () => (await input.inputValue()).endsWith('.kecapture'), 'the save dialog\'s default path');
      await input.fill(target);
      await poll(async () => (await input.inputValue()) === target, 'the save dialog to hold the typed path');
      await p.keyboard.press('Enter');
      await waitForNotification(p, 'saved', 60_000);
      assert.ok(fs.existsSync(path.join(workspace, 'shop.kecapture')));
    }),
  );

  test('opening the file from the workspace shows it read-only, with a banner that says which cluster and when', { timeout: 120_000 }, (t) =>
    ui.step(t, 'open', async (p) => {
      await openFile(p, 'shop.kecapture');
      const message = await poll(async () => ((await treeMessage(p, VIEW)).includes('Capture of admin') ? treeMessage(p, VIEW) : undefined), 'the capture banner over the Events view');
      assert.match(message, /Capture of admin, .* \(read-only\)\. Close Capture goes back to the live cluster\./);
      await poll(async () => (await p.locator('.statusbar-item', { hasText: 'Capture of admin' }).count()) > 0, 'the capture in the status bar');
      assert.ok((await treeRows(p, VIEW)).some((r) => r.startsWith('Deployment/web')));
      await poll(() => webviewShows(p, 'Kube Events capture: shop.kecapture'), 'the capture\'s summary in its editor');
      await screenshot(p, 'ui-capture-open');
    }),
  );

  test('a truncated capture gives one error and changes nothing', { timeout: 120_000 }, (t) =>
    ui.step(t, 'bad-file', async (p) => {
      const whole = fs.readFileSync(path.join(workspace, 'shop.kecapture'));
      fs.writeFileSync(path.join(workspace, 'cut.kecapture'), whole.subarray(0, Math.floor(whole.length / 2)));
      const rowsBefore = await treeRows(p, VIEW);
      const messageBefore = await treeMessage(p, VIEW);
      await openFile(p, 'cut.kecapture');
      const error = await waitForNotification(p, 'cut.kecapture', 30_000);
      assert.match(error, /Kube Events: Cannot open cut\.kecapture/);
      assert.equal((await notificationToasts(p)).filter((m) => m.includes('cut.kecapture')).length, 1, 'one error');
      assert.deepEqual(await treeRows(p, VIEW), rowsBefore);
      assert.equal(await treeMessage(p, VIEW), messageBefore, 'the open capture stays as it was');
      await poll(() => webviewShows(p, 'could not be opened as a capture'), 'the bad file\'s editor to say so');
      await screenshot(p, 'ui-capture-bad-file');
    }),
  );

  test('Close Capture goes back to the live cluster', { timeout: 120_000 }, (t) =>
    ui.step(t, 'close', async (p) => {
      await runCommand(p, 'Kube Events: Close Capture');
      await poll(async () => !(await treeMessage(p, VIEW)).includes('Capture of'), 'the banner to go');
      await poll(async () => (await treeRows(p, VIEW)).some((r) => r.startsWith('Deployment/web')), 'the live rows again');
    }),
  );
});
