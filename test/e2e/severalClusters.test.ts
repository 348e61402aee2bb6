// Several clusters as a person sees them (issue 22 §1): two real control planes, started here with their own CAs
// and tokens, picked together with Select Contexts…; the Events tree's top level is the cluster, the timeline has
// a Cluster column and names the cluster on each lane. The shared test cluster is not touched.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_ID } from '../../src/constants';
import { startControlPlane, type ControlPlane } from '../cluster/controlPlane';
import { writeClustersKubeconfig } from '../support/clustersKubeconfig';
import { UiSession } from '../support/uiSession';
import { openFile, poll, runQuickInputCommand, runCommand, screenshot, treeRows, viewPane, webviewFrame, widenSideBar } from '../support/workbench';

const run = promisify(execFile);
const CONTAINER = 'Kube Events';
const VIEW = 'Events';
const NS = 'shop';
/** The two contexts, as a controller author's kubeconfig might name a local and a shared cluster. */
const LOCAL = 'kind-dev';
const SHARED = 'staging';

async function kubectl(kubeconfig: string, context: string, args: string[], input?: string): Promise<string> {
  const child = run('kubectl', ['--kubeconfig', kubeconfig, '--context', context, '--request-timeout=10s', ...args], { timeout: 30_000 });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout;
}

async function createEvent(kubeconfig: string, context: string, type: string, reason: string, pod: string, message: string, count = 1, kind = 'Pod'): Promise<void> {
  const now = Date.now();
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod}.${reason.toLowerCase()}.${now.toString(36)}`, namespace: NS },
    involvedObject: { apiVersion: 'v1', kind, namespace: NS, name: pod },
    type,
    reason,
    message,
    source: { component: 'kubelet', host: 'node-1' },
    count,
    firstTimestamp: new Date(now - (count - 1) * 60_000).toISOString(),
    lastTimestamp: new Date(now).toISOString(),
  });
  await kubectl(kubeconfig, context, ['create', '-f', '-'], manifest);
}

describe('several clusters in code-server', () => {
  const ui = new UiSession();
  let local: ControlPlane | undefined;
  let shared: ControlPlane | undefined;
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'kube-events-clusters-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');

  before(async () => {
    local = await startControlPlane();
    shared = await startControlPlane();
    writeClustersKubeconfig(kubeconfig, [
      [LOCAL, local],
      [SHARED, shared],
    ]);
    for (const context of [LOCAL, SHARED]) await kubectl(kubeconfig, context, ['create', 'namespace', NS]);
    await createEvent(kubeconfig, LOCAL, 'Warning', 'BackOff', 'checkout-0', 'Back-off restarting failed container app in pod checkout-0', 6);
    await createEvent(kubeconfig, LOCAL, 'Normal', 'Pulled', 'checkout-0', 'Container image "registry.example/shop/checkout:2.4.0-dev" already present on machine', 6);
    await createEvent(kubeconfig, SHARED, 'Normal', 'Scheduled', 'checkout-0', 'Successfully assigned shop/checkout-0 to node-1');
    await createEvent(kubeconfig, SHARED, 'Warning', 'FailedMount', 'web-1', 'MountVolume.SetUp failed for volume "config": configmap "web-config" not found', 3);
    // A ConfigMap both clusters have, with one event in kind-dev and two in staging: a manifest of it is judged
    // against kind-dev (the primary) alone.
    for (const context of [LOCAL, SHARED]) await kubectl(kubeconfig, context, ['create', 'configmap', 'web-config', '-n', NS, '--from-literal=mode=dev']);
    await createEvent(kubeconfig, LOCAL, 'Warning', 'InvalidConfig', 'web-config', 'key "mode" is not one of prod, staging', 1, 'ConfigMap');
    await createEvent(kubeconfig, SHARED, 'Normal', 'Synced', 'web-config', 'synced to 3 replicas', 1, 'ConfigMap');
    await createEvent(kubeconfig, SHARED, 'Warning', 'Drifted', 'web-config', 'differs from git', 1, 'ConfigMap');
    const server = await ui.startServer({ runDir: join(dir, 'code-server'), env: { KUBECONFIG: kubeconfig }, settings: UiSession.watching([NS]) });
    fs.writeFileSync(join(server.workspaceDir, 'web-config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: ${NS}\ndata:\n  mode: dev\n`);
    await ui.openPage();
  }, { timeout: 240_000 });

  after(async () => {
    await ui.stop();
    await shared?.stop();
    await local?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Select Contexts… with both: the tree\'s top level is the cluster, each with its own events', { timeout: 180_000 }, (t) =>
    ui.step(t, 'clusters-tree', async (p) => {
      await ui.openContainer(p, CONTAINER);
      await runQuickInputCommand(p, 'Kube Events: Select Contexts…', 'Select Contexts');
      for (const context of [LOCAL, SHARED]) {
        const row = p.locator('.quick-input-list .monaco-list-row', { has: p.locator('.label-name', { hasText: context }) }).first();
        const checked = await row.getAttribute('aria-checked');
        if (checked !== 'true') await row.click();
      }
      await poll(
        async () => (await p.locator('.quick-input-list .monaco-list-row[aria-checked="true"]').count()) === 2,
        'both contexts checked',
      );
      await p.keyboard.press('Enter');
      await widenSideBar(p, 520);
      const rows = await poll(async () => {
        const r = await treeRows(p, VIEW);
        const top = (name: string) => r.some((x) => x.startsWith(name));
        return top(LOCAL) && top(SHARED) && r.some((x) => x.startsWith('FailedMount')) && r.some((x) => x.startsWith('BackOff')) ? r : undefined;
      }, 'both clusters at the tree\'s top level, with their events');
      // Top level first, each cluster's namespace under it: kind-dev, shop, …, staging, shop, ….
      const firstLocal = rows.findIndex((r) => r.startsWith(LOCAL));
      const firstShared = rows.findIndex((r) => r.startsWith(SHARED));
      assert.ok(firstLocal < firstShared, rows.join(' | '));
      const localPart = rows.slice(firstLocal, firstShared);
      const sharedPart = rows.slice(firstShared);
      assert.ok(localPart.some((r) => r.startsWith('BackOff')) && !localPart.some((r) => r.startsWith('FailedMount')), `kind-dev's subtree: ${localPart.join(' | ')}`);
      assert.ok(sharedPart.some((r) => r.startsWith('FailedMount')) && !sharedPart.some((r) => r.startsWith('BackOff')), `staging's subtree: ${sharedPart.join(' | ')}`);
      assert.match(await p.locator('.statusbar').innerText(), new RegExp(`${LOCAL}.*${SHARED}`, 's'), 'the status bar names both clusters');
      await viewPane(p, VIEW).locator('.monaco-list-row').first().hover();
      await screenshot(p, 'ui-several-clusters-tree');
    }),
  );

  test('the timeline has a Cluster column and names the cluster on each lane', { timeout: 120_000 }, (t) =>
    ui.step(t, 'clusters-timeline', async (p) => {
      await runCommand(p, 'Kube Events: Open Timeline');
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      await frame.locator('#app.several-clusters').waitFor({ timeout: 30_000 });
      await frame.locator('#table-header .col-cluster').waitFor({ state: 'visible', timeout: 10_000 });
      await frame.locator('#rows .row', { hasText: 'FailedMount' }).first().waitFor({ timeout: 30_000 });
      const failedMount = frame.locator('#rows .row', { hasText: 'FailedMount' }).first();
      assert.equal(await failedMount.locator('.col-cluster').innerText(), SHARED);
      const backOff = frame.locator('#rows .row', { hasText: 'BackOff' }).first();
      assert.equal(await backOff.locator('.col-cluster').innerText(), LOCAL);
      // Pod/checkout-0 exists in both clusters: two lanes, each labelled with its cluster.
      await poll(async () => (await frame.locator('.lane-label', { hasText: 'Pod/checkout-0' }).count()) === 2, 'a checkout-0 lane per cluster');
      const badges = (await frame.locator('.lane-label .lane-cluster').allInnerTexts()).sort();
      assert.deepEqual([...new Set(badges)], [LOCAL, SHARED]);
      await screenshot(p, 'ui-several-clusters-timeline');
    }),
  );

  test('a manifest is judged against the primary context, and its CodeLens says which', { timeout: 120_000 }, (t) =>
    ui.step(t, 'clusters-manifest', async (p) => {
      await openFile(p, 'web-config.yaml');
      const texts = await poll(async () => {
        const l = await p.locator('.monaco-editor .codelens-decoration').allInnerTexts();
        return l.some((x) => x.includes('context')) ? l : undefined;
      }, 'the CodeLens naming the context', { timeoutMs: 60_000 });
      t.diagnostic(`lenses: ${JSON.stringify(texts)}`);
      // kind-dev's one InvalidConfig only: staging's Synced and Drifted are another cluster's ConfigMap.
      assert.ok(texts.some((x) => /^⚠ 1 warning · 1 event · last \d+[smh] ago · context kind-dev/.test(x)), JSON.stringify(texts));
      await screenshot(p, 'ui-several-clusters-manifest');
    }),
  );
});
