// Emit and tree behaviour a person meets, in code-server + Chromium against the real control plane: an
// object opens when a new Warning arrives on it (with and without a filter); the reason and filter prompts
// send what was typed, not a remembered entry that merely starts with it; and what the palette emits names
// the live Pod, checked with kubectl. Screenshots go to test-results/emitux-*.png.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { createNamespace } from '../support/admin';
import { recordEvent, type DemoObject } from '../support/demoCluster';
import { UiSession } from '../support/uiSession';
import { answer, pickQuickInput, poll, runCommand, runQuickInputCommand, screenshot, treeMessage, treeRows, viewPane, waitForPrompt } from '../support/workbench';

const CONTAINER = 'Kube Events';
const VIEW = 'Events';

interface EventJson {
  message?: string;
  reason?: string;
  involvedObject: { uid?: string; resourceVersion?: string; fieldPath?: string };
}

function kubectl<T>(...args: string[]): T {
  const out = execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG!, '--context', 'admin', ...args, '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as T;
}

/** The rows of the open quick input, by aria-label (label, then description after a comma). */
function quickRows(page: Page): Promise<string[]> {
  return page.locator('.quick-input-list .monaco-list-row').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
}

/**
 * Types into the open quick input and waits until the list has caught up: a row offers exactly the typed
 * text (as its label, `Use "text"` or `Apply: text`), not only a longer entry that contains it.
 */
async function type(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  const offers = (r: string): boolean => r === text || r.startsWith(`${text},`) || r.includes(`"${text}"`) || r.endsWith(`: ${text}`) || r.includes(`: ${text},`);
  await poll(async () => (await quickRows(page)).some(offers), async () => `the quick input to offer "${text}"; rows: ${JSON.stringify(await quickRows(page))}`);
}

/** The focused row of the open quick input, by its aria-label (label first). */
async function focusedRow(page: Page): Promise<string> {
  return (await page.locator('.quick-input-list .monaco-list-row.focused').first().getAttribute('aria-label')) ?? '';
}

function objectRow(page: Page, label: string): Locator {
  return viewPane(page, VIEW).locator('.monaco-list-row', { hasText: label }).first();
}

describe('Kube Events UI: emit fidelity, typed prompts, warnings opening objects', () => {
  // Tests do not depend on each other's outcome, only on the page: no step is critical.
  const ui = new UiSession('emitux-', false);
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const ns = `ui-emit-${suffix}`;
  const pods: DemoObject[] = [];

  let opened = false;

  /** Runs one test on the open workbench, opened by the first; whatever an earlier test left open is closed first. */
  function step(t: TestContext, name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    return ui.step(t, name, async (page) => {
      if (!opened) {
        await ui.openContainer(page, CONTAINER);
        opened = true;
      }
      await page.keyboard.press('Escape');
      await fn(page);
    });
  }

  /** Emit Test Event… from the palette on a Pod picked by name; `reason` answers the reason prompt. */
  async function emitFromPalette(p: Page, pod: string, reason: (p: Page) => Promise<void>, message: string): Promise<void> {
    await runQuickInputCommand(p, 'Kube Events: Emit Test Event…', 'Emit Test Event — Kind');
    await pickQuickInput(p, 'Pod', { closes: false });
    await waitForPrompt(p, 'Emit Test Event — Pod');
    await pickQuickInput(p, pod, { closes: false });
    await waitForPrompt(p, '(1/5): type');
    await pickQuickInput(p, 'Normal', { closes: false });
    await waitForPrompt(p, '(2/5): reason');
    await reason(p);
    await answer(p, '(3/5): message', message);
    await waitForPrompt(p, '(4/5): API');
    await pickQuickInput(p, 'core/v1', { closes: false });
    await answer(p, '(5/5): how many', '1');
    await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The one event kubectl lists with this message, once it is there. */
  function eventWithMessage(message: string): Promise<EventJson> {
    return poll(async () => kubectl<{ items: EventJson[] }>('get', 'events', '-n', ns).items.find((e) => e.message === message), `kubectl to list the event "${message}"`);
  }

  before(async () => {
    const admin = ui.connectAdmin();
    client = admin.client;
    await createNamespace(client, ns);
    for (const name of ['api-0', 'api-1']) {
      const o = await client.request<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/pods`, {
        method: 'POST',
        body: { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.example/api:1' }] } },
      });
      const pod = { apiVersion: 'v1', kind: 'Pod', namespace: ns, name, uid: o.metadata.uid };
      pods.push(pod);
      await recordEvent(client, pod, { reason: 'Scheduled', message: `Successfully assigned ${ns}/${name} to node-1`, component: 'default-scheduler', ageSeconds: 60 });
      await recordEvent(client, pod, { reason: 'Pulled', message: 'Container image already present on machine', component: 'kubelet', ageSeconds: 50, fieldPath: 'spec.containers{app}' });
    }
    await ui.start({ env: { KUBECONFIG: admin.kubeconfig }, settings: UiSession.watching([ns]) }, { width: 1400, height: 850 });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('a Pod whose events are all Normal opens when a new Warning arrives on it', { timeout: 120_000 }, (t) =>
    step(t, 'warning-opens', async (p) => {
      const row = objectRow(p, 'Pod/api-0');
      await row.waitFor({ timeout: 60_000 });
      assert.equal(await row.getAttribute('aria-expanded'), 'false', 'only Normal events: closed');
      await screenshot(p, 'emitux-before-warning');
      await recordEvent(client, pods[0], { type: 'Warning', reason: 'ProbeFailed', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', component: 'emitux-ui-test' });
      await poll(async () => (await row.getAttribute('aria-expanded')) === 'true', 'Pod/api-0 to open after its Warning arrived');
      await poll(async () => (await treeRows(p, VIEW)).some((r) => r.startsWith('ProbeFailed')), 'the ProbeFailed row to be visible');
      assert.equal(await objectRow(p, 'Pod/api-1').getAttribute('aria-expanded'), 'false', 'the other Pod stays as it was');
      await screenshot(p, 'emitux-warning-opens');
    }),
  );

  test('with a filter set, a Pod opens when a new Warning arrives on it', { timeout: 120_000 }, (t) =>
    step(t, 'warning-opens-filtered', async (p) => {
      await runCommand(p, 'Kube Events: Filter Events…', { closes: false });
      await type(p, 'kind:Pod');
      await p.keyboard.press('Enter');
      await poll(async () => /Filter: kind Pod/.test(await treeMessage(p, VIEW)), 'the kind:Pod filter above the tree');
      const row = objectRow(p, 'Pod/api-1');
      await row.waitFor();
      assert.equal(await row.getAttribute('aria-expanded'), 'false');
      await recordEvent(client, pods[1], { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app', component: 'emitux-ui-test' });
      await poll(async () => (await row.getAttribute('aria-expanded')) === 'true', 'Pod/api-1 to open under the filter');
      await poll(async () => (await treeRows(p, VIEW)).some((r) => r.startsWith('BackOff')), 'the BackOff row to be visible');
      await screenshot(p, 'emitux-warning-opens-filtered');
      await runCommand(p, 'Kube Events: Clear Filter');
      await poll(async () => !(await treeMessage(p, VIEW)).startsWith('Filter:'), 'the filter to be cleared');
    }),
  );

  test('Emit Test Event… from the palette names the live Pod by uid and resourceVersion (kubectl)', { timeout: 120_000 }, (t) =>
    step(t, 'palette-reference', async (p) => {
      await emitFromPalette(p, 'api-0', (q) => type(q, 'RolloutStuck').then(() => q.keyboard.press('Enter')), `remembered ${suffix}`);
      const emitted = await eventWithMessage(`remembered ${suffix}`);
      assert.equal(emitted.reason, 'RolloutStuck');
      // client-go's GetReference: the live object's uid and resourceVersion, no field path.
      const live = kubectl<{ metadata: { uid: string; resourceVersion: string } }>('get', 'pod', 'api-0', '-n', ns).metadata;
      assert.equal(emitted.involvedObject.uid, live.uid, 'involvedObject.uid');
      assert.equal(emitted.involvedObject.resourceVersion, live.resourceVersion, 'involvedObject.resourceVersion');
      assert.equal(emitted.involvedObject.fieldPath, undefined);
    }),
  );

  test('the reason prompt sends what was typed, not a remembered reason it is a prefix of', { timeout: 240_000 }, (t) =>
    step(t, 'reason-typed', async (p) => {
      await emitFromPalette(
        p,
        'api-0',
        async (q) => {
          await type(q, 'RolloutStuc');
          await screenshot(q, 'emitux-reason-typed');
          await q.keyboard.press('Enter');
        },
        `typed ${suffix}`,
      );
      assert.equal((await eventWithMessage(`typed ${suffix}`)).reason, 'RolloutStuc', 'the reason that was typed');
      // Moving to a suggestion and pressing Enter sends the suggestion.
      let chosen = '';
      await emitFromPalette(
        p,
        'api-1',
        async (q) => {
          await type(q, 'Rollout');
          await q.keyboard.press('ArrowDown');
          chosen = (await focusedRow(q)).split(',')[0].trim();
          await screenshot(q, 'emitux-reason-suggestion');
          await q.keyboard.press('Enter');
        },
        `suggestion ${suffix}`,
      );
      assert.match(chosen, /^RolloutStuck?$/, `a remembered reason was focused: "${chosen}"`);
      assert.equal((await eventWithMessage(`suggestion ${suffix}`)).reason, chosen);
    }),
  );

  test('the filter prompt applies what was typed, not a remembered filter it is a prefix of', { timeout: 120_000 }, (t) =>
    step(t, 'filter-typed', async (p) => {
      await runCommand(p, 'Kube Events: Filter Events…', { closes: false });
      await type(p, 'reason:RolloutStuck');
      await p.keyboard.press('Enter');
      await poll(async () => /Filter: reason RolloutStuck — \d+ of \d+ events/.test(await treeMessage(p, VIEW)), async () => `the remembered filter applied; message: ${await treeMessage(p, VIEW)}`);
      await runCommand(p, 'Kube Events: Filter Events…', { closes: false });
      await type(p, 'reason:RolloutStuc');
      await screenshot(p, 'emitux-filter-typed');
      await p.keyboard.press('Enter');
      await poll(async () => /Filter: reason RolloutStuc — \d+ of \d+ events/.test(await treeMessage(p, VIEW)), async () => `the typed filter applied; message: ${await treeMessage(p, VIEW)}`);
      await poll(async () => (await treeRows(p, VIEW)).some((r) => /^RolloutStuc(?!k)/.test(r)), 'the RolloutStuc row');
      await screenshot(p, 'emitux-filter-applied');
      await runCommand(p, 'Kube Events: Clear Filter');
      await poll(async () => !(await treeMessage(p, VIEW)).startsWith('Filter:'), 'the filter to be cleared');
    }),
  );
  test('an event deleted with kubectl is shown as deleted by a client, not as expired', { timeout: 120_000 }, (t) =>
    step(t, 'deleted-tooltip', async (p) => {
      // Independent of the tests above: no filter, and the Pod open (by hand if need be).
      const unfiltered = async (): Promise<boolean> => !(await treeMessage(p, VIEW)).startsWith('Filter:');
      if (!(await poll(unfiltered, 'no filter', { timeoutMs: 3_000 }).catch(() => false))) {
        await runCommand(p, 'Kube Events: Clear Filter');
        await poll(unfiltered, 'the filter to be cleared');
      }
      const recorded = await recordEvent(client, pods[1], { type: 'Warning', reason: 'DeletedByHand', message: 'this event is deleted with kubectl delete event', component: 'emitux-ui-test' });
      const row = viewPane(p, VIEW).locator('.monaco-list-row', { hasText: 'DeletedByHand' }).first();
      await poll(async () => {
        if (await row.isVisible()) return true;
        const pod = objectRow(p, 'Pod/api-1');
        if ((await pod.getAttribute('aria-expanded').catch(() => null)) === 'false') await pod.click();
        return false;
      }, 'the DeletedByHand row');
      execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG!, '--context', 'admin', 'delete', 'event', recorded.name, '-n', ns], { timeout: 30_000 });
      // The row stays as history, with the history icon once the deletion has arrived.
      await poll(async () => (await row.locator('.codicon-history').count()) > 0, 'the DeletedByHand row marked as deleted');
      const hover = p.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Deleted on the server' }).first();
      await poll(async () => {
        await p.mouse.move(1000, 700);
        await p.keyboard.press('Escape');
        await row.locator('.label-name, .monaco-highlighted-label').first().hover();
        return hover.waitFor({ timeout: 3_000 }).then(() => true, () => false);
      }, 'the tooltip of the deleted row');
      const text = (await hover.innerText()).replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
      assert.match(text, /Deleted on the server \d+s after its last update, before the event TTL \(1 h by default\) ran out: deleted by a client/);
      assert.doesNotMatch(text, /Deleted by the apiserver/);
      await screenshot(p, 'emitux-deleted-tooltip');
      await p.mouse.move(5, 5);
    }),
  );
});
