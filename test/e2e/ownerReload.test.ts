// Issue 15, point 2 as a person meets it: filter `under:` a Deployment, its Pods are deleted, the browser
// reloads the window, and the Events view still shows every event under the Deployment and says how many
// events it cannot place. The packaged .vsix in code-server, driven through headless Chromium, against the
// real control plane; screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubeClient } from '../../src/kube/kubeClient';
import { createNamespace } from '../support/admin';
import { UiSession } from '../support/uiSession';
import { createObject, ownerRef, recordEvent, TEST_HOLD, type DemoObject } from '../support/demoCluster';
import { openViewContainer, poll, runCommand, screenshot, treeMessage, treeRows, waitForView } from '../support/workbench';

const CONTAINER = 'Kube Events';
const VIEW = 'Events';
// The test cluster runs real controllers. These objects are kept out of their way, so that only the test
// decides what happens to them: the Pods are bound to a node that does not exist (the scheduler and kwok
// leave them alone); the Deployment is paused with no replicas (no new ReplicaSet, nothing to scale); the
// ReplicaSet has no replicas and is terminating before its Pods exist, held by a finalizer of ours (its
// controller neither creates nor deletes Pods for it, and the garbage collector waits for it to be gone).
const POD_SPEC = { nodeName: 'worker-1', containers: [{ name: 'app', image: 'registry.example/shop/web:1.4.2' }] };

describe('under: across a browser reload', () => {
  const ui = new UiSession();
  let client: KubeClient;
  const ns = `ui-owners-${randomBytes(3).toString('hex')}`;
  const pods: DemoObject[] = [];

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    await createNamespace(client, ns);
    const labels = { app: 'web', 'pod-template-hash': '6b7c8d9f5' };
    const deployment = await createObject(client, `/apis/apps/v1/namespaces/${ns}/deployments`, {
      metadata: { name: 'web' },
      spec: { paused: true, replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: POD_SPEC } },
    });
    const rs = await createObject(client, `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      metadata: { name: 'web-6b7c8d9f5', labels, ownerReferences: [ownerRef(deployment)], finalizers: [TEST_HOLD] },
      spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: POD_SPEC } },
    });
    await client.request(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs.name}`, { method: 'DELETE' });
    // The second Pod was adopted: no event names it and its name carries no ReplicaSet's, so after the reload
    // only the links the first window remembered place it.
    for (const name of ['web-6b7c8d9f5-k2v9q', 'adopted-z7wxp']) {
      pods.push(await createObject(client, `/api/v1/namespaces/${ns}/pods`, { metadata: { name, labels, ownerReferences: [ownerRef(rs)] }, spec: POD_SPEC }));
    }
    await recordEvent(client, deployment, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rs.name} from 0 to 2`, component: 'deployment-controller' });
    await recordEvent(client, rs, { reason: 'SuccessfulCreate', message: `Created pod: ${pods[0].name}`, component: 'replicaset-controller' });
    for (const p of pods) {
      await recordEvent(client, p, { reason: 'Scheduled', message: `Successfully assigned ${ns}/${p.name} to worker-1`, component: 'default-scheduler' });
      await recordEvent(client, p, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app', component: 'kubelet' });
    }
    await ui.start({ env: { KUBECONFIG: admin.kubeconfig }, settings: UiSession.watching([ns]) });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('the Pods are deleted, the window reloads, and under: still counts every event', { timeout: 180_000 }, (t) =>
    ui.step(t, 'ui-owners-after-reload', async (page) => {
      await ui.openContainer(page, CONTAINER);
      await runCommand(page, 'Kube Events: Filter Events…', { closes: false });
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill(`under:Deployment/${ns}/web`);
      await page.keyboard.press('Enter');
      await poll(async () => /— 6 of 6 events/.test(await treeMessage(page, VIEW)), async () => `all 6 events under the Deployment: "${await treeMessage(page, VIEW)}"`, { timeoutMs: 60_000 });

      // Scaled to zero: the Pods answer 404 from now on. A Pod nothing ties to the Deployment gets events too.
      for (const p of pods) await client.request(`/api/v1/namespaces/${ns}/pods/${p.name}`, { method: 'DELETE', query: { gracePeriodSeconds: 0 } });
      const stray: DemoObject = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'stray-5c4d2', uid: randomBytes(8).toString('hex') };
      await recordEvent(client, stray, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', component: 'kubelet' });
      await recordEvent(client, stray, { type: 'Warning', reason: 'BackOff', message: 'Back-off pulling image', component: 'kubelet' });
      await poll(async () => /— 6 of 8 events/.test(await treeMessage(page, VIEW)), async () => `the stray Pod's events in the store: "${await treeMessage(page, VIEW)}"`, { timeoutMs: 30_000 });

      await page.reload();
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      // The workbench restores the open container itself; clicking its icon while it does would hide it again.
      await waitForView(page, VIEW, 20_000).catch(() => openViewContainer(page, CONTAINER));
      const message = await poll(
        async () => {
          const m = await treeMessage(page, VIEW);
          return /— 6 of 8 events/.test(m) && m.includes('2 events about objects that no longer exist: owner unknown') ? m : undefined;
        },
        async () => `after the reload, 6 of 8 events under the Deployment and 2 reported: "${await treeMessage(page, VIEW)}"`,
        { timeoutMs: 60_000 },
      );
      assert.match(message, new RegExp(`under Deployment/${ns}/web`));
      const rows = await treeRows(page, VIEW);
      for (const p of pods) assert.ok(rows.some((r) => r.startsWith(`Pod/${p.name}`)), `the deleted Pod ${p.name} is still listed: ${rows.join(' | ')}`);
      await screenshot(page, 'ui-owners-after-reload');
    }),
  );
});
