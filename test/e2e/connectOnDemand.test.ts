// No cluster traffic without a reason (docs/ARCHITECTURE.md §13), judged from the apiserver's side: a control
// plane of this file's own, so that its audit log holds nobody else's requests. Two fresh windows (two
// code-servers with the packaged .vsix) in turn:
// - YAML and Go files that are not about Kubernetes open, the Events view not shown: not one request from us,
//   and the status bar says Kube Events is not connected; then a manifest opens: the list+watch starts.
// - The Events view is shown: the window connects and the events appear.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { loadKubeconfig } from '../../src/kube/kubeConfigLoader';
import { USER_AGENT } from '../../src/kube/kubeClient';
import { startControlPlane, type ControlPlane } from '../cluster/controlPlane';
import { auditFrom, type AuditEntry } from '../support/audit';
import { seedDemo } from '../support/demoCluster';
import { UiSession } from '../support/uiSession';
import { openViewContainer, openWorkbench, openFile, poll, screenshot, treeRows, widenSideBar } from '../support/workbench';

const CONTAINER = 'Kube Events';
const SHOP = 'reason-shop';

/** Files a Go developer opens every day that have nothing to do with Kubernetes. */
const UNRELATED: Record<string, string> = {
  'docker-compose.yml': 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "8080:80"\n  db:\n    image: postgres:16\n',
  '.github/workflows/ci.yml': 'name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n',
  'cmd/server/main.go': 'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nfunc main() {\n\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })\n\t_ = http.ListenAndServe(":8080", nil)\n}\n',
};
const MANIFEST = { name: 'deploy/web.yaml', text: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${SHOP}\nspec:\n  replicas: 2\n` };

/**
 * How long the window is watched for a request it should not send. Absence takes time to show: within it the
 * extension activates (on the YAML file), its language server starts and analyses every open document, which
 * takes a few seconds here. The code before this change listed and watched events right at activation.
 */
const QUIET_MS = 15_000;


/** Our status bar item's text. */
function statusItem(page: Page, text: string) {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text }).first();
}

function describeRequests(entries: readonly AuditEntry[]): string {
  return entries.map((e) => `${e.verb} ${e.requestURI} (${e.stage})`).join('\n') || '(none)';
}

describe('no cluster traffic without a reason (code-server, own control plane)', () => {
  let cp: ControlPlane;
  let client: KubeClient;
  /** What the apiserver logged of our extension's requests received since `since` (a line per stage: a watch has two). */
  const ours = (since: Date): AuditEntry[] => auditFrom(cp.auditLogPath, USER_AGENT, since);

  before(async () => {
    cp = await startControlPlane();
    const loaded = loadKubeconfig({ path: cp.kubeconfigPath, context: 'admin' });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.message);
    client = loaded.value.client;
    // Workloads with events about them, as their controllers would record them.
    await seedDemo(client, [SHOP, 'reason-batch']);
  }, { timeout: 180_000 });

  after(async () => {
    client?.dispose();
    await cp?.stop();
  });

  describe('a window with YAML and Go files that are not about Kubernetes', () => {
    const ui = new UiSession('reason-');
    let since: Date;

    before(async () => {
      const server = await ui.startServer({ env: { KUBECONFIG: cp.kubeconfigPath } });
      for (const [name, text] of Object.entries({ ...UNRELATED, [MANIFEST.name]: MANIFEST.text })) {
        fs.mkdirSync(dirname(join(server.workspaceDir, name)), { recursive: true });
        fs.writeFileSync(join(server.workspaceDir, name), text);
      }
      await ui.openPage({ width: 1400, height: 900 });
    }, { timeout: 180_000 });

    after(() => ui.stop());

    test('sends no request at all, and the status bar says why it is not connected', { timeout: 120_000 }, (t) =>
      ui.step(t, 'quiet', async (p) => {
        since = new Date();
        await openWorkbench(p, ui.workbenchUrl, CONTAINER);
        for (const name of Object.keys(UNRELATED)) await openFile(p, name);
        const item = statusItem(p, 'Kube Events: not connected');
        /** Fails as soon as one request from us arrives. */
        const noRequest = (): void => {
          const sent = ours(since);
          if (sent.length > 0) throw new Error(`the window sent requests without a reason:\n${describeRequests(sent)}`);
        };
        // The extension is active once its status bar item shows; then the quiet time runs.
        await poll(async () => (noRequest(), item.isVisible()), 'the status bar to say Kube Events is not connected', { timeoutMs: 60_000, intervalMs: 250 });
        const quietUntil = Date.now() + QUIET_MS;
        await poll(async () => (noRequest(), Date.now() > quietUntil), 'the quiet time', { timeoutMs: QUIET_MS + 10_000, intervalMs: 500 });
        t.diagnostic(`requests from ${USER_AGENT} in ${QUIET_MS / 1000} s with docker-compose.yml, a workflow and a Go file open: 0`);
        await item.hover();
        const tooltip = await poll(async () => {
          const text = await p.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'connects when' }).first().innerText().catch(() => '');
          // MarkdownString.appendText keeps runs of spaces as no-break spaces.
          return text.replace(/\u00a0/g, ' ') || undefined;
        }, 'the status bar tooltip');
        assert.match(tooltip, /Events view or the timeline is shown, a Kubernetes manifest or a Go file with recorder calls is open/);
        await screenshot(p, 'ui-not-connected');
        await p.mouse.move(700, 400);
      }),
    );

    test('a manifest with apiVersion and kind connects: the apiserver sees the list and the watch', { timeout: 120_000 }, (t) =>
      ui.step(t, 'manifest', async (p) => {
        const opened = new Date();
        await openFile(p, MANIFEST.name);
        const sent = await poll(async () => {
          const s = ours(opened);
          return s.some((e) => e.verb === 'list' && e.objectRef?.resource === 'events') && s.some((e) => e.verb === 'watch' && e.objectRef?.resource === 'events') ? s : undefined;
        }, async () => `an event list and watch after the manifest opened; seen:\n${describeRequests(ours(opened))}`, { timeoutMs: 60_000 });
        t.diagnostic(`first requests after the manifest opened:\n${describeRequests(sent.slice(0, 6))}`);
        await statusItem(p, 'live').waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await statusItem(p, 'not connected').count(), 0);
        // The manifest's Deployment has an event: its CodeLens shows it once the stream is live.
        const lens = await poll(async () => {
          const texts = await p.locator('.monaco-editor .codelens-decoration').allInnerTexts();
          return texts.find((x) => /\b\d+ events?\b/.test(x) && !x.startsWith('no events'));
        }, 'the Deployment\'s events on its CodeLens', { timeoutMs: 30_000 });
        t.diagnostic(`CodeLens: ${lens}`);
        await screenshot(p, 'ui-connected-by-manifest');
      }),
    );
  });

  describe('a fresh window where the Events view is shown', () => {
    const ui = new UiSession('reason-view-');

    before(async () => {
      await ui.start({ env: { KUBECONFIG: cp.kubeconfigPath } }, { width: 1400, height: 900 });
    }, { timeout: 180_000 });

    after(() => ui.stop());

    test('connects when the view is shown, and the events appear', { timeout: 120_000 }, (t) =>
      ui.step(t, 'view', async (p) => {
        const since = new Date();
        await openWorkbench(p, ui.workbenchUrl, CONTAINER);
        assert.deepEqual(ours(since).map((e) => `${e.verb} ${e.requestURI}`), [], 'requests before the view was shown');
        await openViewContainer(p, CONTAINER);
        await widenSideBar(p, 560);
        const rows = await poll(async () => {
          const r = await treeRows(p, 'Events');
          return r.some((x) => x.startsWith(SHOP)) && r.some((x) => x.startsWith('BackOff')) ? r : undefined;
        }, 'the shop namespace and its BackOff warning in the tree', { timeoutMs: 60_000 });
        t.diagnostic(`rows: ${rows.slice(0, 6).join(' | ')}`);
        const sent = ours(since);
        assert.ok(sent.some((e) => e.verb === 'list' && e.objectRef?.resource === 'events'), describeRequests(sent));
        assert.ok(sent.some((e) => e.verb === 'watch' && e.objectRef?.resource === 'events'), describeRequests(sent));
        await statusItem(p, 'live').waitFor({ state: 'visible', timeout: 30_000 });
        await screenshot(p, 'ui-connected-by-view');
      }),
    );
  });
});
