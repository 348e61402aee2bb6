import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KubeEventsApi, KubeEventsTesting } from '../../../src/compose/api';
import { EXTENSION_ID, Views } from '../../../src/constants';
import { waitFor } from '../../support/waitFor';

/**
 * Activates the extension and returns its test-only handle (`KubeEventsApi.testing`, present outside
 * production mode): the suite inspects the pipeline and views through it, not through the public API.
 * Activation alone never connects (docs/ARCHITECTURE.md §13): unless `connect` is false, the Events view is
 * shown, as a user would, which is the reason to connect the suites rely on.
 */
export async function activateForTests(connect = true): Promise<KubeEventsTesting> {
  const extension = vscode.extensions.getExtension<KubeEventsApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  const api = await extension.activate();
  assert.ok(api.testing, 'the extension runs in production mode: no test handle');
  if (connect) {
    await vscode.commands.executeCommand(`${Views.events}.focus`);
    const testing = api.testing;
    await waitFor('the Events view on screen to connect the window', () => testing.connectionReason !== undefined, 10_000);
  }
  return api.testing;
}
