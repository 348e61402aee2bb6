// Runs inside the extension host, against the real `vscode` API.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KubeEventsApi } from '../../../src/compose/api';
import { Commands, EXTENSION_ID } from '../../../src/constants';

interface ContributedCommand {
  command: string;
}

suite('activation', () => {
  let extension: vscode.Extension<KubeEventsApi>;
  let api: KubeEventsApi;

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension<KubeEventsApi>(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed in this extension host`);
    extension = found;
    api = await extension.activate();
  });

  test('activate() returns the API object', () => {
    assert.equal(extension.isActive, true);
    assert.ok(api !== null && typeof api === 'object', `activate() returned ${typeof api}`);
    assert.equal(typeof api.version, 'number');
  });

  test('the API other extensions get is the narrow, versioned one; the test handle is apart', () => {
    assert.equal(api.version, 2);
    assert.deepEqual(Object.keys(api).sort(), ['context', 'events', 'filter', 'namespaces', 'onDidChangeEvents', 'onDidChangeState', 'state', 'testing', 'version']);
    assert.ok(Array.isArray(api.events()));
    assert.equal(typeof api.state, 'string');
    const subscription = api.onDidChangeState(() => {});
    subscription.dispose();
    assert.ok(api.testing, 'the extension-host suite runs the extension outside production mode');
  });

  test('every command in package.json is registered', async () => {
    // Read from the installed manifest so the check grows with every command added to package.json.
    const manifest = extension.packageJSON as { contributes?: { commands?: ContributedCommand[] } } | undefined;
    const contributed: ContributedCommand[] = manifest?.contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('kubeEvents.showLog runs', async () => {
    await vscode.commands.executeCommand(Commands.showLog);
  });
});
