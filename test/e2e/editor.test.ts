// Events where the code is, as a person sees them: the packaged .vsix in code-server against the real control
// plane, a manifest and a Go controller file open in the editor. Screenshots (both themes) go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { UiSession } from '../support/uiSession';
import { recordEvent, seedDemo, type Demo } from '../support/demoCluster';
import { openWorkbench, openFile, poll, runCommand, screenshot, setColorTheme } from '../support/workbench';

const SHOP = 'editor-shop';
const HOSTILE = '[run me](command:workbench.action.terminal.new) **loud** <b>bold</b>';

const MANIFEST = `# The shop's web tier (rendered by Helm, then edited by hand).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${SHOP}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: registry.example/shop/web:1.4.2
---
apiVersion: v1
kind: Service
metadata:
  name: web-preview
  namespace: ${SHOP}
spec:
  selector:
    app: web
  ports:
    - port: 80
`;

const CONTROLLER = `package website

import (
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
)

const (
	ReasonSynced  = "Synced"
	ReasonBackOff = "BackOff"
)

func (r *WebsiteReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.Recorder = mgr.GetEventRecorderFor("website-controller")
	return nil
}

func (r *WebsiteReconciler) Reconcile(site *Website) error {
	if err := r.deploy(site); err != nil {
		r.Recorder.Eventf(site, corev1.EventTypeWarning, ReasonBackOff, "deploy failed: %v", err)
		return err
	}
	r.Recorder.Event(site, corev1.EventTypeNormal, ReasonSynced, "Website synced")
	r.Recorder.Eventf(site, corev1.EventTypeWarning, "PreviewExpired", "preview %s expired", site.Name)
	r.Recorder.Eventf(site, corev1.EventTypeNormal, "cache_warmed", "cache warmed")
	return nil
}
`;


/** The CodeLens texts on screen. */
async function lenses(page: Page): Promise<string[]> {
  return page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
}

/** Puts the cursor at line:column (Go to Line) and shows the hover there. */
async function hoverAt(page: Page, line: number, column: number): Promise<string> {
  await runCommand(page, 'Go to Line/Column...', { closes: false });
  await page.locator('.quick-input-widget .quick-input-box input').fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await runCommand(page, 'Show or Focus Hover');
  // The Problems part and ours are separate rows of one hover: wait for ours (it ends with our commands).
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  return poll(async () => {
    const text = await hover.innerText().catch(() => '');
    return text.includes('Show Events') ? text : undefined;
  }, 'the Kube Events hover');
}

describe('events in the editor (code-server)', () => {
  const ui = new UiSession();
  let client: KubeClient;
  let demo: Demo;

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    demo = await seedDemo(client, [SHOP, 'editor-batch']);
    await recordEvent(client, demo.pods[0], { type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed: HTTP probe failed with statuscode: 503 ${HOSTILE}`, component: 'kubelet', count: 7, ageSeconds: 40, fieldPath: 'spec.containers{app}' });
    for (const pod of demo.pods) await recordEvent(client, pod, { type: 'Warning', reason: 'BackOff', message: 'deploy failed: image pull back-off', component: 'website-controller', count: 3, ageSeconds: 20 });
    const server = await ui.startServer({ env: { KUBECONFIG: admin.kubeconfig } });
    fs.writeFileSync(join(server.workspaceDir, 'web.yaml'), MANIFEST);
    fs.writeFileSync(join(server.workspaceDir, 'website_controller.go'), CONTROLLER);
    await ui.openPage({ width: 1400, height: 900 });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('a manifest shows squiggles, CodeLenses and an escaped hover', { timeout: 120_000 }, (t) =>
    ui.step(t, 'manifest', async (p) => {
      await openWorkbench(p, ui.workbenchUrl, 'Kube Events');
      await openFile(p, 'web.yaml');
      await poll(async () => (await p.locator('.monaco-editor .squiggly-warning').count()) >= 2, 'two warning squiggles', { timeoutMs: 60_000 });
      const texts = await poll(async () => {
        const l = await lenses(p);
        return l.some((x) => x.includes('warnings')) && l.some((x) => x.startsWith('not in cluster')) ? l : undefined;
      }, 'the CodeLenses', { timeoutMs: 30_000 });
      t.diagnostic(`lenses: ${JSON.stringify(texts)}`);
      assert.ok(texts.some((x) => /⚠ \d+ warnings · \d+ events · last \d+[smh] ago/.test(x)));
      for (const theme of ['Light Modern', 'Dark Modern']) {
        await setColorTheme(p, theme);
        const kind = theme.startsWith('Light') ? 'light' : 'dark';
        await screenshot(p, `ui-editor-manifest-${kind}`);
        const hover = await hoverAt(p, 5, 10);
        assert.match(hover, /Unhealthy/);
        // The hostile message is shown as text: its brackets and stars are there, no link was made of them.
        assert.ok(hover.includes('[run me](command:workbench.action.terminal.new)'), hover);
        assert.equal(await p.locator('.monaco-hover a[href*="terminal"], .monaco-hover a[data-href*="terminal"]').count(), 0);
        await screenshot(p, `ui-editor-manifest-hover-${kind}`);
        await p.keyboard.press('Escape');
      }
    }),
  );

  test('a Go controller file shows live counts on its recorder calls', { timeout: 120_000 }, (t) =>
    ui.step(t, 'go', async (p) => {
      await openFile(p, 'website_controller.go');
      const texts = await poll(async () => {
        const l = await lenses(p);
        return l.some((x) => x.startsWith('BackOff:') && !x.includes('never')) ? l : undefined;
      }, 'the live BackOff count', { timeoutMs: 60_000 });
      t.diagnostic(`lenses: ${JSON.stringify(texts)}`);
      assert.ok(texts.some((x) => /^BackOff: \d+ in the last hour on \d+ objects · last \d+[smh] ago/.test(x)), JSON.stringify(texts));
      assert.ok(texts.some((x) => x.startsWith('PreviewExpired: never seen')));
      await poll(async () => (await p.locator('.monaco-editor .squiggly-info').count()) >= 1, 'the reason naming hint', { timeoutMs: 30_000 });
      for (const theme of ['Dark Modern', 'Light Modern']) {
        await setColorTheme(p, theme);
        const kind = theme.startsWith('Light') ? 'light' : 'dark';
        await screenshot(p, `ui-editor-go-${kind}`);
        const hover = await hoverAt(p, 20, 55);
        assert.match(hover, /BackOff/);
        await screenshot(p, `ui-editor-go-hover-${kind}`);
        await p.keyboard.press('Escape');
      }
    }),
  );
});
