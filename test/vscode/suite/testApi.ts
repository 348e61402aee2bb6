import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KubeEventsApi, KubeEventsTesting } from '../../../src/compose/api';
import { EXTENSION_ID } from '../../../src/constants';

/**
 * Activates the extension and returns its test-only handle (`KubeEventsApi.testing`, present outside
 * production mode): the suite inspects the pipeline and views through it, not through the public API.
 */
export async function activateForTests(): Promise<KubeEventsTesting> {
  const extension = vscode.extensions.getExtension<KubeEventsApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  const api = await extension.activate();
  assert.ok(api.testing, 'the extension runs in production mode: no test handle');
  return api.testing;
}
