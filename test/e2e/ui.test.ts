// The extension as a person sees it: the packaged .vsix installed into a fresh code-server, driven through
// headless Chromium. Builds nothing: expects dist/kube-events.vsix. Screenshots go to test-results/.
//
//   node --test --test-concurrency=1 --test-reporter=spec out/test/e2e/
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_ID, LOG_CHANNEL_NAME } from '../../src/constants';
import { UiSession } from '../support/uiSession';
import {
  openViewContainer,
  openWorkbench,
  poll,
  runCommand,
  screenshot,
  waitForOutputChannel,
  waitForTreeView,
} from '../support/workbench';

const CONTAINER_TITLE = 'Kube Events';
const EVENTS_VIEW = 'Events';
const SHOW_LOG_TITLE = 'Kube Events: Show Log';

describe('Kube Events UI in code-server', () => {
  const ui = new UiSession();

  before(async () => {
    // The extension host inherits code-server's environment: this is how it finds the test cluster.
    const kubeconfig = process.env.KUBECONFIG;
    await ui.start({ env: kubeconfig ? { KUBECONFIG: kubeconfig } : {} }, { width: 1400, height: 900 });
  }, { timeout: 180_000 });

  after(() => ui.stop());

  test('the workbench loads with Kube Events in the activity bar', { timeout: 90_000 }, (t) =>
    ui.step(t, 'workbench', async (p) => {
      await openWorkbench(p, ui.workbenchUrl, CONTAINER_TITLE);
    }),
  );

  test('the Kube Events container shows the Events view', { timeout: 60_000 }, (t) =>
    ui.step(t, 'container', async (p) => {
      await openViewContainer(p, CONTAINER_TITLE);
      // Rows, welcome content or a message: what it shows depends on the cluster the test runs against.
      const { rows, welcome, message } = await waitForTreeView(p, EVENTS_VIEW);
      t.diagnostic(`Events view: ${rows.length} rows, welcome ${JSON.stringify(welcome)}, message ${JSON.stringify(message)}`);
      await screenshot(p, 'ui-container');
    }),
  );

  test(`"${SHOW_LOG_TITLE}" shows the ${LOG_CHANNEL_NAME} output channel`, { timeout: 60_000 }, (t) =>
    ui.step(t, 'log', async (p) => {
      await runCommand(p, SHOW_LOG_TITLE);
      await waitForOutputChannel(p, LOG_CHANNEL_NAME);
      await screenshot(p, 'ui-log');
    }),
  );

  // A command can still work after activate() threw half-way; the extension host's log tells.
  test('the extension activated without errors', { timeout: 30_000 }, (t) =>
    ui.step(t, 'activation', async () => {
      const cs = ui.server;
      assert.ok(cs);
      // The log is written in batches; activation happened several steps ago, so its lines are due.
      const activated = `_doActivateExtension ${EXTENSION_ID},`;
      const log = await poll(
        async () => cs.extensionHostLog().includes(activated) && cs.extensionHostLog(),
        `no "${activated}" in the extension host log under ${cs.logsDir}`,
        { timeoutMs: 10_000 },
      );
      const failure = log.split('\n').findIndex((line) => line.includes(`Activating extension ${EXTENSION_ID} failed`));
      assert.equal(failure, -1, `activation failed:\n${log.split('\n').slice(failure, failure + 8).join('\n')}`);
    }),
  );
});
