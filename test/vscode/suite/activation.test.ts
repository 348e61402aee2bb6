// Runs inside the extension host, against the real `vscode` API.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsApi, KubeEventsTesting } from '../../../src/compose/api';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import { waitFor } from '../../support/waitFor';
import { activateForTests } from './testApi';

interface ContributedCommand {
  command: string;
}

// First in the run (files run in name order, this suite first in its file): nothing has shown the Events view yet.
suite('no cluster connection without a reason', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-reason-'));
  const write = (name: string, text: string): vscode.Uri => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return vscode.Uri.file(file);
  };

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Runs a short Node program under the debugger (js-debug) and waits for the session to end. */
  async function debugRun(api: KubeEventsTesting, name: string, kubeEvents?: unknown): Promise<void> {
    const program = write('tick.js', 'setTimeout(() => {}, 500);\n').fsPath;
    const config: vscode.DebugConfiguration = { type: 'node', request: 'launch', name, program, runtimeExecutable: process.execPath, console: 'internalConsole', ...(kubeEvents ? { kubeEvents } : {}) };
    assert.ok(await vscode.debug.startDebugging(undefined, config), `the debug session "${name}" did not start`);
    await waitFor(`"${name}" to end`, () => api.debug.last?.name === name && api.debug.last.end !== undefined, 60_000);
  }

  /** Whether the extension's bundle `name` (dist/) is loaded in this extension host: Node's module cache is the process's. */
  function bundleLoaded(name: string): boolean {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
    const file = path.join(extension.extensionPath, 'dist', name);
    return require.cache[file] !== undefined || (fs.existsSync(file) && require.cache[fs.realpathSync(file)] !== undefined);
  }

  test('activation with a YAML file open loads neither client-node nor the language client; the server starts after it', async () => {
    // A YAML file about something else activates the extension (onLanguage:yaml); the Events view stays hidden.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(write('values.yaml', 'replicaCount: 2\nimage:\n  tag: "1.27"\n')), { preview: false });
    const api = await activateForTests(false);
    assert.equal(bundleLoaded('kube.js'), false, 'activation loaded @kubernetes/client-node (dist/kube.js)');
    // The language server starts for the open YAML file, its client from its own bundle, once activation is over.
    await waitFor('the language server', () => api.languageServer.pid, 30_000);
    assert.equal(bundleLoaded('languageClient.js'), true, 'the language client was not loaded from dist/languageClient.js');
    assert.equal(bundleLoaded('kube.js'), false, 'serving a YAML file loaded @kubernetes/client-node');
    assert.equal(api.session.state.phase, 'idle');
  });

  test('YAML and Go files that are not about Kubernetes, and plain debugging, do not connect', async () => {
    const api = await activateForTests(false);
    assert.equal(api.session.state.phase, 'idle', 'activation alone connected');
    assert.equal(api.session.connectionScope === undefined, true, 'activation alone made a client');
    assert.equal(api.connectionReason, undefined);
    assert.match(api.statusText(), /not connected/);
    const unrelated = [
      write('docker-compose.yml', 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "8080:80"\n'),
      write('.github/workflows/ci.yml', 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n'),
      write('main.go', 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n'),
    ];
    for (const uri of unrelated) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    // The server analyses what is open and tells the host (once: the three mention nothing, alike).
    await waitFor('the language server\'s first subscription', () => api.languageServer.subscriptions > 0, 30_000);
    // A debug session whose launch configuration has no kubeEvents block is no reason either.
    await debugRun(api, 'plain program');
    // Absence takes a while to show: the server analyses each document 100 ms after it changed.
    const quietUntil = Date.now() + 3_000;
    await waitFor('a quiet moment', () => Date.now() > quietUntil || api.connectionReason !== undefined, 10_000);
    assert.equal(api.connectionReason, undefined, 'a docker-compose file, a workflow, a Go file without recorder calls or plain debugging connected');
    assert.equal(api.session.connectionScope === undefined, true, 'a connection scope (a client) exists');
    assert.match(api.statusText(), /not connected/);
  });

  test('a launch configuration with a kubeEvents block connects, and the connection stays after the session', async () => {
    const api = await activateForTests(false);
    await debugRun(api, 'with kubeEvents', { filter: 'type:Warning' });
    assert.equal(api.connectionReason, 'debug');
    await waitFor('the stream to go live', () => api.session.state.phase === 'live', 30_000);
    assert.doesNotMatch(api.statusText(), /not connected/);
    assert.equal(api.filter.text, '', 'the launch filter was restored at the end');
  });

  test('the first connection loads @kubernetes/client-node, from its own bundle', async () => {
    const api = await activateForTests(false);
    // Run alone (a grep), nothing has connected yet: Reconnect is a reason.
    if (api.connectionReason === undefined) await vscode.commands.executeCommand(Commands.reconnect);
    await waitFor('the stream to go live', () => api.session.state.phase === 'live', 30_000);
    assert.equal(bundleLoaded('kube.js'), true, 'connected without loading dist/kube.js');
  });
});

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
