// Reason completion as a controller author meets it: the packaged .vsix in code-server against the real control
// plane. A new Go file with no recorder call yet; the author types a call and `"` (the editor closes the quote),
// the suggest widget offers the reasons the cluster has seen (one written by the demo controller, one hostile),
// and what is accepted is read back from the saved file and judged by Go's own parser.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { WEBSITE } from '../cluster/producers';
import { createNamespace } from '../support/admin';
import { createObject, recordEvent, type DemoObject } from '../support/demoCluster';
import { judgeGo } from '../support/goJudge';
import { UiSession } from '../support/uiSession';
import { openFile, poll, runCommand, screenshot, treeRows } from '../support/workbench';

const NAMESPACE = `completion-${randomBytes(3).toString('hex')}`;
/** A reason that closes the string and calls os.Exit if it is pasted raw into a literal. */
const HOSTILE = 'x", os.Exit(1), "';
const FILE = 'typing_controller.go';

const CONTROLLER = `package website

import (
	corev1 "k8s.io/api/core/v1"
)

func (r *WebsiteReconciler) Reconcile(site *Website) error {
	// first
	// second
	return nil
}
`;


/** Puts the cursor on line `line` in place of its placeholder comment, after the indentation. */
async function goToLineEnd(page: Page, line: number): Promise<void> {
  await runCommand(page, 'Go to Line/Column...', { closes: false });
  await page.locator('.quick-input-widget .quick-input-box input').fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  // Select back to the indentation and delete the placeholder.
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Delete');
}

const widget = (page: Page) => page.locator('.editor-widget.suggest-widget.visible');

/** The labels the visible suggest widget lists. */
async function suggestions(page: Page): Promise<string[]> {
  return widget(page).locator('.monaco-list-row .label-name').allInnerTexts();
}

/** Saves the editor and returns the file as it is on disk once it holds `expect`. */
async function savedText(page: Page, file: string, expect: string): Promise<string> {
  await page.keyboard.press('Control+S');
  return poll(async () => {
    const text = fs.readFileSync(file, 'utf8');
    return text.includes(expect) ? text : undefined;
  }, () => `${file} to hold ${JSON.stringify(expect)}; it holds:\n${fs.readFileSync(file, 'utf8')}`);
}

describe('reason completion in the editor (code-server)', () => {
  const ui = new UiSession('completion-');
  let client: KubeClient;
  let file = '';

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    ui.deleteNamespaceAtStop(client, NAMESPACE);
    await createNamespace(client, NAMESPACE);
    // The demo controller reconciles the Website and records DeploymentCreated (AnnotatedEventf) and Synced.
    const site: DemoObject = await createObject(client, `/apis/${WEBSITE.group}/${WEBSITE.version}/namespaces/${NAMESPACE}/${WEBSITE.plural}`, {
      apiVersion: `${WEBSITE.group}/${WEBSITE.version}`,
      kind: WEBSITE.kind,
      metadata: { name: 'storefront' },
      spec: { replicas: 1, image: 'registry.example/shop/storefront:5.2' },
    });
    await poll(async () => {
      const list = await client.request<{ items: { reason?: string; source?: { component?: string } }[] }>(`/api/v1/namespaces/${NAMESPACE}/events`);
      return list.items.some((e) => e.reason === 'DeploymentCreated' && e.source?.component === 'website-controller');
    }, 'the demo controller to record DeploymentCreated', { timeoutMs: 60_000, intervalMs: 500 });
    // Anyone who may create an Event may write this reason: core/v1 does not check its characters.
    await recordEvent(client, site, { type: 'Warning', reason: HOSTILE, message: 'a reason that tries to become code', component: 'website-controller' });
    const server = await ui.startServer({ env: { KUBECONFIG: admin.kubeconfig } });
    file = join(server.workspaceDir, FILE);
    fs.writeFileSync(file, CONTROLLER);
    await ui.openPage({ width: 1400, height: 900 });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('typing a call and `"` offers the cluster\'s reasons; the accepted one lands in the literal', { timeout: 150_000 }, (t) =>
    ui.step(t, 'typed', async (p) => {
      await ui.openContainer(p, 'Kube Events');
      await poll(async () => (await treeRows(p, 'Events')).length > 0, 'the Events view to show events', { timeoutMs: 60_000 });
      await openFile(p, FILE);
      await goToLineEnd(p, 8);
      // Typed as a person types: the editor closes "(" and '"' by itself.
      await p.keyboard.type('r.Recorder.Eventf(site, corev1.EventTypeNormal, ', { delay: 20 });
      await p.keyboard.type('"');
      // The widget shows a screenful of the cluster's reasons (the suites before this one left many on the shared
      // cluster); DeploymentCreated may be further down until the prefix is typed below.
      const offered = await poll(async () => {
        const labels = await suggestions(p);
        return labels.length >= 3 ? labels : undefined;
      }, async () => `the suggest widget to offer the cluster's reasons; it shows ${JSON.stringify(await suggestions(p))}`, { timeoutMs: 20_000 });
      t.diagnostic(`offered after '"': ${JSON.stringify(offered)}`);
      // Each is a reason the apiserver holds (the crafted one shown escaped, as the next test checks).
      const held = new Set((await client.request<{ items: { reason?: string }[] }>('/api/v1/events')).items.map((e) => e.reason ?? ''));
      assert.deepEqual(offered.filter((l) => !held.has(l) && l !== 'x\\", os.Exit(1), \\"'), [], 'only the cluster\'s reasons are offered');
      await screenshot(p, 'ui-completion-offered');
      // Narrow by typing, as a person does, then accept.
      await p.keyboard.type('DeploymentCr');
      await poll(async () => {
        const labels = await suggestions(p);
        return labels.length > 0 && labels[0] === 'DeploymentCreated';
      }, async () => `the filtered widget; it shows ${JSON.stringify(await suggestions(p))}`);
      await screenshot(p, 'ui-completion-filtered');
      await p.keyboard.press('Enter');
      await poll(async () => (await widget(p).count()) === 0, 'the suggest widget to close');
      const text = await savedText(p, file, 'EventTypeNormal, "DeploymentCreated")');
      assert.match(text, /^\tr\.Recorder\.Eventf\(site, corev1\.EventTypeNormal, "DeploymentCreated"\)$/m, text);
    }),
  );

  test('a hostile reason from the cluster is offered escaped, and stays one string literal', { timeout: 120_000 }, (t) =>
    ui.step(t, 'hostile', async (p) => {
      await goToLineEnd(p, 9);
      await p.keyboard.type('r.Recorder.Eventf(site, corev1.EventTypeWarning, ', { delay: 20 });
      await p.keyboard.type('"');
      const escaped = 'x\\", os.Exit(1), \\"';
      // The widget opens on a screenful of the cluster's reasons; typing its first letter brings the crafted one up.
      await poll(async () => (await suggestions(p)).length > 0, async () => `the suggest widget; it shows ${JSON.stringify(await suggestions(p))}`, { timeoutMs: 20_000 });
      await p.keyboard.type('x');
      await poll(async () => (await suggestions(p))[0] === escaped, async () => `${escaped} first; the widget shows ${JSON.stringify(await suggestions(p))}`, { timeoutMs: 20_000 });
      await screenshot(p, 'ui-completion-hostile');
      await p.keyboard.press('Enter');
      await poll(async () => (await widget(p).count()) === 0, 'the suggest widget to close');
      // The author finishes the call.
      await p.keyboard.press('End');
      await p.keyboard.press('ArrowLeft');
      await p.keyboard.type(', "m"');
      const text = await savedText(p, file, ', "m")');
      t.diagnostic(`the saved file:\n${text}`);
      assert.ok(text.includes(`\tr.Recorder.Eventf(site, corev1.EventTypeWarning, "${escaped}", "m")\n`), text);
      // Go's parser reads two calls; the second has four arguments and the hostile reason as its third, whole.
      const [judged] = judgeGo({ sources: [text] }).sources;
      assert.deepEqual(judged.errors, []);
      assert.equal(judged.calls.length, 2);
      assert.equal(judged.calls[1].args.length, 4);
      assert.equal(judged.calls[1].args[2].literal, HOSTILE);
      await screenshot(p, 'ui-completion-accepted');
    }),
  );
});
