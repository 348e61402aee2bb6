// Counted events, events.k8s.io/v1 series and client-go's combined events as a person sees them: spans on
// the timeline's lanes (dark and light), how each event was written and read, and who reported a combined
// event, in the timeline, the tree's tooltip and the log. Events are created through the API of the real
// control plane, shaped as kube-controller-manager, kube-scheduler and the kubelet write them.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { EXTENSION_ID } from '../../src/constants';
import type { KubeClient } from '../../src/kube/kubeClient';
import { connectAdmin, createNamespace } from '../support/admin';
import { UiSession } from '../support/uiSession';
import { openViewContainer, outputLines, poll, resultsDir, runCommand, screenshot, setColorTheme, viewPane, webviewFrame } from '../support/workbench';

const CONTAINER = 'Kube Events';
const VIEW = 'Events';
const MIN = 60_000;
const NS = `lanes-${randomBytes(3).toString('hex')}`;

interface Ref {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

const cronJob: Ref = { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly' };
const replicaSet: Ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f8' };
const pendingPod: Ref = { apiVersion: 'v1', kind: 'Pod', name: 'web-5d4f8-pending' };
const apiPod: Ref = { apiVersion: 'v1', kind: 'Pod', name: 'api-0' };

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** metav1.MicroTime: RFC 3339 with six fractional digits. */
const micro = (t: number) => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const eventName = (ref: Ref) => `${ref.name}.${randomBytes(8).toString('hex')}`;

interface CoreSpec {
  readonly type?: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly source: { component: string; host?: string };
  /** record.EventRecorder sets it to source.component; client-go's EventAggregate leaves it empty. */
  readonly reportingComponent?: string;
}

/** A core/v1 event as record.EventRecorder writes it (count and first/last timestamps). */
async function createCore(client: KubeClient, ref: Ref, spec: CoreSpec): Promise<void> {
  await client.request(`/api/v1/namespaces/${NS}/events`, {
    method: 'POST',
    body: {
      metadata: { name: eventName(ref), namespace: NS },
      involvedObject: { ...ref, namespace: NS },
      type: spec.type ?? 'Normal',
      reason: spec.reason,
      message: spec.message,
      source: spec.source,
      ...(spec.reportingComponent !== undefined ? { reportingComponent: spec.reportingComponent, reportingInstance: spec.source.host ?? '' } : {}),
      count: spec.count,
      firstTimestamp: iso(spec.first),
      lastTimestamp: iso(spec.last),
    },
  });
}

/** An events.k8s.io/v1 event with a series, as kube-scheduler's events.EventRecorder writes FailedScheduling. */
async function createSeries(client: KubeClient, ref: Ref, first: number, last: number, count: number): Promise<void> {
  await client.request(`/apis/events.k8s.io/v1/namespaces/${NS}/events`, {
    method: 'POST',
    body: {
      metadata: { name: eventName(ref), namespace: NS },
      regarding: { ...ref, namespace: NS },
      type: 'Warning',
      reason: 'FailedScheduling',
      action: 'Scheduling',
      note: '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
      eventTime: micro(first),
      series: { count, lastObservedTime: micro(last) },
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-node-a',
    },
  });
}

/** The text of the tree row's tooltip; the pointer may cross other rows on its way, so retry until it is this one's. */
async function treeTooltip(page: Page, rowText: string, expect: string): Promise<string> {
  const row = viewPane(page, VIEW).locator('.monaco-list-row', { hasText: rowText }).first();
  await row.scrollIntoViewIfNeeded();
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: expect }).first();
  await poll(async () => {
    await page.mouse.move(1000, 700);
    await page.keyboard.press('Escape');
    await row.locator('.label-name, .monaco-highlighted-label').first().hover();
    return hover.waitFor({ timeout: 3_000 }).then(() => true, () => false);
  }, `the tooltip of the ${rowText} row, with "${expect}"`);
  return (await hover.innerText()).replace(/\u00a0/g, ' ');
}

async function spanTitles(frame: FrameLocator): Promise<string[]> {
  return frame.locator('#lanes-body .span').evaluateAll((nodes) => nodes.map((n) => (n as { title: string }).title));
}

describe('Timeline spans, written/read APIs and combined events against a real control plane', () => {
  // A failure saves test-results/failure-spans-<name>.png. Only a failed critical step (the workbench and the
  // timeline opening) skips the rest: the checks after it are independent of each other.
  const ui = new UiSession('spans-', false);
  let client: KubeClient;

  before(async () => {
    const { kubeconfig, client: admin } = connectAdmin();
    client = admin;
    await createNamespace(client, NS);
    const now = Date.now();
    // The CronJob's JobAlreadyActive fired 7 times in 7 minutes; its SuccessfulCreate once, before.
    await createCore(client, cronJob, { reason: 'SuccessfulCreate', message: 'Created job nightly-29410560', count: 1, first: now - 13 * MIN, last: now - 13 * MIN, source: { component: 'cronjob-controller' }, reportingComponent: 'cronjob-controller' });
    await createCore(client, cronJob, { reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid', count: 7, first: now - 8 * MIN, last: now - 1 * MIN, source: { component: 'cronjob-controller' }, reportingComponent: 'cronjob-controller' });
    // FailedCreate ×10 over 11 minutes (a ResourceQuota blocks the ReplicaSet).
    await createCore(client, replicaSet, {
      type: 'Warning',
      reason: 'FailedCreate',
      message: 'Error creating: pods "web-5d4f8-7xq2p" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=2, limited: cpu=2',
      count: 10,
      first: now - 12 * MIN,
      last: now - 1 * MIN,
      source: { component: 'replicaset-controller' },
      reportingComponent: 'replicaset-controller',
    });
    await createCore(client, replicaSet, { reason: 'SuccessfulCreate', message: 'Created pod: web-5d4f8-pending', count: 1, first: now - 12.5 * MIN, last: now - 12.5 * MIN, source: { component: 'replicaset-controller' }, reportingComponent: 'replicaset-controller' });
    // kube-scheduler: events.k8s.io/v1 with a series, read back through core/v1 by the extension.
    await createSeries(client, pendingPod, now - 6 * MIN, now - 30_000, 6);
    // The kubelet's aggregated event: source only, no reportingComponent (client-go's EventAggregate).
    await createCore(client, apiPod, {
      type: 'Warning',
      reason: 'FailedMount',
      message: '(combined from similar events): MountVolume.SetUp failed for volume "config-9" : configmap "api-config-9" not found',
      count: 3,
      first: now - 5 * MIN,
      last: now - 2 * MIN,
      source: { component: 'kubelet', host: 'node-a' },
    });
    await createCore(client, apiPod, { reason: 'Pulled', message: 'Container image "registry.example/api:2.1" already present on machine', count: 1, first: now - 4 * MIN, last: now - 4 * MIN, source: { component: 'kubelet', host: 'node-a' }, reportingComponent: 'kubelet' });
    await ui.start({
      env: { KUBECONFIG: kubeconfig },
      settings: UiSession.watching([NS]),
    });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('the timeline opens on the events created through the API', { timeout: 120_000 }, (t) =>
    ui.step(
      t,
      'open',
      async (p) => {
        await ui.openContainer(p, CONTAINER);
        await runCommand(p, 'Kube Events: Open Timeline');
        const frame = webviewFrame(p, EXTENSION_ID, 'panel');
        for (const reason of ['FailedScheduling', 'FailedMount', 'JobAlreadyActive', 'FailedCreate']) {
          await frame.locator('#rows .row', { hasText: reason }).first().waitFor({ timeout: 30_000 });
        }
        await runCommand(p, 'View: Close Primary Side Bar');
      },
      true,
    ),
  );

  test('counted events are spans from first to last seen with their count, in dark and light themes', { timeout: 180_000 }, (t) =>
    ui.step(t, 'lanes', async (p) => {
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      const failedCreate = frame.locator('#lanes-body .span.warning[title^="FailedCreate ×10"]');
      await poll(async () => (await failedCreate.count()) === 1, async () => `a FailedCreate ×10 span; spans: ${JSON.stringify(await spanTitles(frame))}`);
      // 11 of the axis' 13 minutes: most of the lane, not one point.
      const track = await frame.locator('#lanes-body .lane-track').first().boundingBox();
      const bar = await failedCreate.boundingBox();
      assert.ok(track && bar, 'the lane and the span are on screen');
      assert.ok(bar.width > track.width * 0.7, `the span covers the 11 minutes (${bar.width.toFixed(0)} of ${track.width.toFixed(0)} px)`);
      assert.equal(await frame.locator('#lanes-body .span-count', { hasText: '×10' }).count(), 1, 'the count is written on the lane');
      const titles = await spanTitles(frame);
      const jobActive = titles.find((x) => x.startsWith('JobAlreadyActive ×7'));
      assert.ok(jobActive, `a JobAlreadyActive ×7 span: ${JSON.stringify(titles)}`);
      assert.match(jobActive, /\(7m\)/, 'first → last seen spans the 7 minutes');
      const series = titles.find((x) => x.startsWith('FailedScheduling ×6'));
      assert.ok(series, `the scheduler's series is a span: ${JSON.stringify(titles)}`);
      assert.match(series, /written via events\.k8s\.io\/v1 \(events\.EventRecorder\) · read via core\/v1/);
      const combined = titles.find((x) => x.startsWith('FailedMount ×3'));
      assert.ok(combined, `the combined event is a span: ${JSON.stringify(titles)}`);
      assert.match(combined, /Source: kubelet on node-a · written via core\/v1 \(record\.EventRecorder\)/);
      // Events seen once stay markers; a Warning span stands out from a Normal one.
      assert.ok((await frame.locator('#lanes-body .marker.normal:not(.span-end)').count()) >= 3, 'SuccessfulCreate and Pulled are markers');
      await screenshot(p, 'ui-timeline-spans-dark');
      let light = false;
      try {
        await frame.locator('button[data-mode="lanes"]').click();
        await frame.locator('#app.mode-lanes').waitFor();
        await p.locator('iframe.webview').first().screenshot({ path: join(resultsDir(), 'ui-timeline-lanes-dark.png') });
        light = true;
        await setColorTheme(p, 'Light Modern');
        await failedCreate.waitFor();
        await p.locator('iframe.webview').first().screenshot({ path: join(resultsDir(), 'ui-timeline-lanes-light.png') });
        await frame.locator('button[data-mode="split"]').click();
        await screenshot(p, 'ui-timeline-spans-light');
      } finally {
        // Leave the workbench as the next checks expect it (both panes, dark), whatever happened here.
        await frame.locator('button[data-mode="split"]').click().catch(() => undefined);
        if (light) await setColorTheme(p, 'Dark Modern');
        await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      }
    }),
  );

  test('the table says how each event was written, and who reported the combined event', { timeout: 60_000 }, (t) =>
    ui.step(t, 'table', async (p) => {
      const frame = webviewFrame(p, EXTENSION_ID, 'panel');
      const scheduler = frame.locator('#rows .row', { hasText: 'FailedScheduling' }).first();
      assert.equal(await scheduler.locator('.col-writtenBy').innerText(), 'events.k8s.io/v1');
      assert.match((await scheduler.locator('.col-writtenBy').getAttribute('title')) ?? '', /read via core\/v1/);
      const combined = frame.locator('#rows .row', { hasText: 'FailedMount' }).first();
      assert.equal(await combined.locator('.col-source').innerText(), 'kubelet on node-a');
      assert.equal(await combined.locator('.col-writtenBy').innerText(), 'core/v1');
    }),
  );

  test('the tree tooltip tells the written-via API from the read-via one, and names the combined event\'s source', { timeout: 90_000 }, (t) =>
    ui.step(t, 'tooltip', async (p) => {
      await runCommand(p, 'View: Toggle Primary Side Bar Visibility');
      await openViewContainer(p, CONTAINER);
      await poll(async () => (await viewPane(p, VIEW).locator('.monaco-list-row', { hasText: 'FailedScheduling' }).count()) > 0, 'the FailedScheduling row in the tree');
      const scheduler = await treeTooltip(p, 'FailedScheduling', 'Written via');
      assert.match(scheduler, /Written via: events\.k8s\.io\/v1 \(events\.EventRecorder\)/);
      assert.match(scheduler, /Read via: core\/v1/);
      assert.doesNotMatch(scheduler, /\(core\/v1\)\s*$/m, 'no bare "(core/v1)" that reads as the writer');
      await screenshot(p, 'ui-tree-tooltip-written-read');
      const combined = await treeTooltip(p, 'FailedMount', 'combined from similar');
      assert.match(combined, /Source: kubelet on node-a/);
      assert.match(combined, /Written via: core\/v1 \(record\.EventRecorder\)/);
      await p.mouse.move(5, 5);
    }),
  );

  test('the log line of the combined event names its source', { timeout: 60_000 }, (t) =>
    ui.step(t, 'log', async (p) => {
      await runCommand(p, 'Kube Events: Show Log');
      const filterBox = p.locator('.part.panel input[placeholder="Filter"]').first();
      const text = await poll(async () => {
        if ((await filterBox.inputValue().catch(() => '')) !== 'combined from similar') await filterBox.fill('combined from similar').catch(() => undefined);
        const t = (await outputLines(p)).join(' ').replace(/\s+/g, ' ');
        return /reason: 'FailedMount'.*\(×3\) \[source: kubelet on node-a\]/.test(t) ? t : undefined;
      }, async () => `the FailedMount line with its source; the log shows: ${(await outputLines(p)).join(' ')}`);
      assert.ok(text.includes(`Event(Pod/${NS}/api-0)`));
      await screenshot(p, 'ui-log-combined-source');
      await filterBox.fill('');
    }),
  );
});
