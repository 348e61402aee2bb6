// Debugging a controller as a person sees it: F5 on a launch configuration with a `kubeEvents` block runs a
// small controller (test/fixtures/debug-controller) under the built-in JavaScript debugger; it records events
// through @kubernetes/client-node against the real control plane and stops twice. While it is paused, the
// "kubelet" (this suite) writes about a Pod. Screenshots: the paused session (status bar, tree separator), the
// summary notification, the timeline fitted to the session with its range and stop markers, and the tree's
// separator after the session.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { EXTENSION_ID } from '../../src/constants';
import type { KubeClient } from '../../src/kube/kubeClient';
import { MIN_SPAN_MS } from '../../src/webview/laneLayout';
import { createNamespace } from '../support/admin';
import { findRepoRoot } from '../support/codeServer';
import { UiSession } from '../support/uiSession';
import { openViewContainer, poll, resultsDir, runCommand, screenshot, treeRows, viewPane, waitForNotification, webviewFrame, widenSideBar } from '../support/workbench';

const CONTAINER = 'Kube Events';
const VIEW = 'Events';
const NS = `debug-ui-${randomBytes(3).toString('hex')}`;
const SESSION = 'Debug website-controller';
const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function createEvent(client: KubeClient, ref: { apiVersion: string; kind: string; name: string }, component: string, reason: string, message: string, at: number): Promise<void> {
  await client.request(`/api/v1/namespaces/${NS}/events`, {
    method: 'POST',
    body: {
      metadata: { name: `${ref.name}.${randomBytes(8).toString('hex')}`, namespace: NS },
      involvedObject: { ...ref, namespace: NS },
      type: 'Normal',
      reason,
      message,
      source: { component },
      count: 1,
      firstTimestamp: iso(at),
      lastTimestamp: iso(at),
    },
  });
}

/** What the fit check reads of a tick or a band in the webview (the tests compile without the DOM library). */
interface Placed {
  readonly textContent: string | null;
  readonly title: string;
  readonly style: { readonly left: string; readonly width: string };
  readonly classList: { contains(name: string): boolean };
}

/**
 * The lane axis's width and the session band's, in ms, from the axis's tick labels (`12:03:04`) and the
 * positions (% of the axis) of the ticks and the band, and the session's length by the band's title (whole
 * seconds, so up to 1 s off); undefined until there are two ticks and a band.
 */
function axisFit(ticks: ReadonlyArray<{ text: string; left: number }>, band: { left: number; width: number; title: string } | undefined): { axisMs: number; sessionMs: number; titleMs: number } | undefined {
  const times = ticks.map((t) => ({ at: /^(\d\d):(\d\d):(\d\d)$/.exec(t.text), left: t.left })).filter((t) => t.at && Number.isFinite(t.left));
  if (!band || times.length < 2) return undefined;
  const seconds = (m: RegExpExecArray) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const [a, b] = [times[0], times[times.length - 1]];
  let deltaS = seconds(b.at!) - seconds(a.at!);
  if (deltaS < 0) deltaS += 86_400; // across midnight
  const msPerPercent = (deltaS * 1000) / (b.left - a.left);
  // The band's title names the session's start and end in whole seconds.
  const [start, end] = [...band.title.matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/g)].map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
  return { axisMs: Math.round(100 * msPerPercent), sessionMs: Math.round(band.width * msPerPercent), titleMs: end - start };
}

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'storefront' };
const pod = { apiVersion: 'v1', kind: 'Pod', name: 'storefront-7d9f6-x2lqp' };

describe('Debugging a controller: the session in the views', () => {
  // A step is critical only when it says so: later checks do not depend on the earlier ones' outcome.
  const ui = new UiSession('debug-', false);
  const step = ui.step.bind(ui);
  let client: KubeClient;

  /** The status bar entry of the followed session, e.g. "Debug website-controller · paused". */
  const sessionStatus = (p: Page, text: string) => p.locator('.part.statusbar .statusbar-item', { hasText: text });

  before(async () => {
    const admin = ui.connectAdmin();
    const kubeconfig = admin.kubeconfig;
    client = admin.client;
    ui.deleteNamespaceAtStop(client, NS);
    await createNamespace(client, NS);
    const now = Date.now();
    await createEvent(client, deployment, 'deployment-controller', 'ScalingReplicaSet', 'Scaled up replica set storefront-7d9f6 to 3', now - 40_000);
    await createEvent(client, pod, 'default-scheduler', 'Scheduled', `Successfully assigned ${NS}/${pod.name} to node-a`, now - 35_000);
    const server = await ui.startServer({
      env: { KUBECONFIG: kubeconfig },
      settings: { 'kubeEvents.namespaces': [NS], 'kubeEvents.tree.groupBy': 'flat', 'workbench.colorTheme': 'Default Dark Modern', 'debug.openDebug': 'neverOpen', 'debug.internalConsoleOptions': 'neverOpen' },
    });
    const ws = server.workspaceDir;
    copyFileSync(join(findRepoRoot(), 'test', 'fixtures', 'debug-controller', 'controller.mjs'), join(ws, 'controller.mjs'));
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(
      join(ws, '.vscode', 'launch.json'),
      JSON.stringify(
        {
          version: '0.2.0',
          configurations: [
            {
              type: 'node',
              request: 'launch',
              name: SESSION,
              program: '${workspaceFolder}/controller.mjs',
              runtimeExecutable: process.execPath,
              console: 'internalConsole',
              env: {
                KUBECONFIG: kubeconfig,
                KUBE_EVENTS_CLIENT: join(findRepoRoot(), 'node_modules', '@kubernetes', 'client-node', 'dist', 'index.js'),
                DEMO_NAMESPACE: NS,
                RECONCILES: '2',
                STOP_WITH_DEBUGGER: '1',
              },
              kubeEvents: { filter: `ns:${NS}`, controller: 'website-controller' },
            },
          ],
        },
        null,
        2,
      ),
    );
    await ui.openPage({ width: 1500, height: 900 });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('F5 starts the session: the launch filter applies, the tree and the status bar show the paused session', { timeout: 180_000 }, (t) =>
    step(
      t,
      'paused',
      async (p) => {
        await ui.openContainer(p, CONTAINER);
        await widenSideBar(p, (current) => current + 260);
        await poll(async () => (await treeRows(p, VIEW)).some((r) => r.includes('ScalingReplicaSet')), 'the seeded events in the tree');
        await runCommand(p, 'Debug: Start Debugging');
        await sessionStatus(p, `${SESSION} · paused`).waitFor({ timeout: 60_000 });
        // The launch filter (ns: plus source: for the controller) hides what others wrote.
        const rows = await poll(async () => {
          const r = await treeRows(p, VIEW);
          return r.some((x) => x.includes('Reconciling')) && !r.some((x) => x.includes('ScalingReplicaSet')) ? r : undefined;
        }, async () => `the launch filter in the tree; rows: ${JSON.stringify(await treeRows(p, VIEW))}`);
        assert.ok(rows.some((r) => /▶ debug: Debug website-controller started \d\d:\d\d:\d\d/.test(r)), `the separator row: ${JSON.stringify(rows)}`);
        // Someone else writes about the controller's Pod while it is paused.
        await createEvent(client, pod, 'kubelet', 'Started', 'Started container app', Date.now());
        await screenshot(p, 'ui-debug-paused');
      },
      true,
    ),
  );

  test('continue, a second stop, continue, end: the summary counts the controller\'s events and names the field it counted by', { timeout: 180_000 }, (t) =>
    step(
      t,
      'summary',
      async (p) => {
        await runCommand(p, 'Debug: Continue');
        // The second reconcile has begun (a second Reconciling) and stopped again.
        await poll(
          async () => (await treeRows(p, VIEW)).filter((r) => r.includes('Reconciling')).length === 2 && (await sessionStatus(p, `${SESSION} · paused`).count()) === 1,
          async () => `the second stop; rows: ${JSON.stringify(await treeRows(p, VIEW))}`,
          { timeoutMs: 60_000 },
        );
        // A pause long enough to read as a gap on the lanes.
        await createEvent(client, pod, 'kubelet', 'Pulled', 'Container image "registry.example/shop/storefront:2.3" already present on machine', Date.now());
        await p.waitForTimeout(1500);
        await runCommand(p, 'Debug: Continue');
        const text = await waitForNotification(p, 'had reportingController website-controller', 60_000);
        assert.match(text, /Debug session "Debug website-controller" ended after \d+s; during it 5 events \(1 warning\) had reportingController website-controller: Reconciled ×2, Reconciling ×2, SlowReconcile ×1\./);
        await screenshot(p, 'ui-debug-summary');
      },
      true,
    ),
  );

  test('"Open Timeline" fits the lanes to the session: its range and both stops, and session:last in the filter', { timeout: 120_000 }, (t) =>
    step(t, 'timeline', async (p) => {
      await p.locator('.notifications-toasts .notification-list-item', { hasText: 'had reportingController website-controller' }).getByRole('button', { name: 'Open Timeline' }).click();
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      await frame.locator('#rows .row', { hasText: 'SlowReconcile' }).first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#filter').inputValue(), 'session:last');
      await poll(async () => (await frame.locator('#lanes-body .lane').first().locator('.debug-mark.stopped').count()) === 2, 'two stop markers on a lane');
      assert.ok((await frame.locator('#lanes-axis .session-flag', { hasText: SESSION }).count()) === 1, 'the session is named on the axis');
      assert.ok((await frame.locator('#lanes-body .session-band').count()) >= 2, 'the session band spans the lanes');
      const rows = await frame.locator('#rows .row .col-reason').allInnerTexts();
      assert.deepEqual([...new Set(rows)].sort(), ['Pulled', 'Reconciled', 'Reconciling', 'SlowReconcile', 'Started']);
      // The axis is fitted to the session: the band (start and end) and both stops are on it, and it is no
      // wider than "Fit to Session" makes it: the session plus 5 % on each side, but at least MIN_SPAN_MS.
      // A session shorter than that (this one lasts some seconds, more on a slow machine) fills only its
      // share of the minimum span, so the band's width in % is no measure of the fit. Instead the axis's
      // own scale is read from its tick labels (whole seconds) and positions, all inline styles of one render:
      // the lanes re-render as events arrive, so measure until one layout holds all of them.
      let seen = '';
      await poll(async () => {
        const axis = await frame.locator('#lanes-axis').evaluate((el) => ({
          ticks: ([...el.querySelectorAll('.tick')] as Placed[]).map((t) => ({ text: t.textContent ?? '', left: Number.parseFloat(t.style.left) })),
          bands: ([...el.querySelectorAll('.session-band')] as Placed[]).map((b) => ({ left: Number.parseFloat(b.style.left), width: Number.parseFloat(b.style.width), clipped: b.classList.contains('clipped-start'), title: b.title })),
        }));
        seen = JSON.stringify(axis);
        const fit = axisFit(axis.ticks, axis.bands[0]);
        if (!fit) return false;
        seen += ` → axis ${fit.axisMs} ms, band ${fit.sessionMs} ms, session ${fit.titleMs} ms by its title`;
        // Its start is on the axis (not clipped), its end too (the band is as long as the session), and the
        // axis is no wider than the fit makes it (a few ms for the rounding of the positions).
        return !axis.bands[0].clipped && fit.sessionMs > fit.titleMs - 1000 && fit.axisMs <= Math.max(MIN_SPAN_MS, fit.sessionMs * 1.1) + 5;
      }, () => `the axis fitted to the session (${seen})`);
      t.diagnostic(`lanes axis: ${seen}`);
      await runCommand(p, 'View: Close Primary Side Bar');
      await screenshot(p, 'ui-debug-timeline');
      await frame.locator('button[data-mode="lanes"]').click();
      await p.locator('iframe.webview').first().screenshot({ path: join(resultsDir(), 'ui-debug-lanes.png') });
      await frame.locator('button[data-mode="split"]').click();
    }),
  );

  test('after the session the tree has its filter back and keeps the separator between before and during', { timeout: 90_000 }, (t) =>
    step(t, 'tree', async (p) => {
      await runCommand(p, 'View: Toggle Primary Side Bar Visibility');
      await openViewContainer(p, CONTAINER);
      const rows = await poll(async () => {
        const r = await treeRows(p, VIEW);
        return r.some((x) => x.includes('ScalingReplicaSet')) && r.some((x) => x.includes('ended')) ? r : undefined;
      }, async () => `the unfiltered tree with the separator; rows: ${JSON.stringify(await treeRows(p, VIEW))}`);
      const sep = rows.findIndex((r) => r.includes('▶ debug:'));
      assert.ok(sep > 0, `the separator sits among the rows: ${JSON.stringify(rows)}`);
      assert.ok(rows.slice(sep + 1).some((r) => r.includes('ScalingReplicaSet')), 'what came before the session is below it');
      assert.ok(rows.slice(0, sep).some((r) => r.includes('SlowReconcile')), 'what came during it is above');
      await viewPane(p, VIEW).locator('.monaco-list-row', { hasText: '▶ debug:' }).first().waitFor();
      await screenshot(p, 'ui-debug-tree-separator');
    }),
  );

  test('the editor checks the kubeEvents block of launch.json against the contributed schema', { timeout: 90_000 }, (t) =>
    step(t, 'schema', async (p) => {
      const file = join(ui.server!.workspaceDir, '.vscode', 'launch.json');
      const bad = { type: 'node', request: 'launch', name: 'Typo', program: '${workspaceFolder}/controller.mjs', kubeEvents: { filtr: 'type:Warning', controller: 'website controller' } };
      writeFileSync(file, JSON.stringify({ version: '0.2.0', configurations: [bad] }, null, 2));
      // Quick Open lists recent files first and re-filters as it searches: wait until the file is the focused row.
      await p.keyboard.press('Control+P');
      await p.locator('.quick-input-widget .quick-input-box input').fill('launch.json .vscode');
      await poll(async () => (await p.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'launch.json' }).count()) === 1, 'launch.json focused in Quick Open');
      await p.keyboard.press('Enter');
      await p.locator('.tab', { hasText: 'launch.json' }).first().waitFor();
      await p.locator('.part.statusbar [id="status.problems"]').click();
      const panel = p.locator('.part.panel .markers-panel');
      const text = await poll(async () => {
        const all = (await panel.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
        return /Property filtr is not allowed/.test(all) && /A controller name has no spaces or quotes/.test(all) ? all : undefined;
      }, async () => `the schema's problems; the panel shows: ${await panel.innerText().catch(() => '(none)')}`);
      assert.ok(text.includes('launch.json'));
      await screenshot(p, 'ui-debug-launch-schema');
    }),
  );
});
