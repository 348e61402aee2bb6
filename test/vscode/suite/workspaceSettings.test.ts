// A repository's .vscode/settings.json cannot choose the kubeconfig (whose exec plugins would run and whose
// server would receive the user's credentials) nor empty the production guard: those settings are read from
// the user's settings only (docs/ARCHITECTURE.md §13). The suite's workspace is trusted (code-server runs
// with --disable-workspace-trust), the case where VS Code itself would hand a workspace's value over.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { waitFor } from '../../support/waitFor';
import { activateForTests } from './testApi';

/** A harmless setting the workspace file also sets, to know when VS Code has read it. */
const MARKER_MINUTES = 59;

suite('workspace settings cannot choose the kubeconfig or turn off the production guard', () => {
  let api: KubeEventsTesting;
  let folder: string;
  let settingsFile: string;
  let before: string | undefined;
  let repoKubeconfig: string;
  let canary: string;

  suiteSetup(async () => {
    api = await activateForTests();
    await waitFor('the admin stream to go live', () => api.session.contextName === 'admin' && api.session.state.phase === 'live', 30_000);
    folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    assert.ok(folder, 'the suite runs with a workspace folder open');
    settingsFile = path.join(folder, '.vscode', 'settings.json');
    before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    // A repository's kubeconfig whose exec plugin leaves a mark if it ever runs, pointing at a server of its own.
    canary = path.join(folder, 'exec-plugin-ran');
    repoKubeconfig = path.join(folder, 'repo-kubeconfig.yaml');
    fs.writeFileSync(
      repoKubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: repo',
        'clusters: [{name: repo, cluster: {server: "https://127.0.0.1:9"}}]',
        'contexts: [{name: repo, context: {cluster: repo, user: repo}}]',
        'users:',
        '- name: repo',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        '      command: /bin/sh',
        `      args: ["-c", "touch ${canary}; echo '{}'"]`,
        '      interactiveMode: Never',
        '',
      ].join('\n'),
    );
  });

  suiteTeardown(async () => {
    if (before === undefined) fs.rmSync(settingsFile, { force: true });
    else fs.writeFileSync(settingsFile, before);
    await waitFor('the workspace settings to be gone', () => api.settings().editorWindowMs !== MARKER_MINUTES * 60_000, 15_000);
    await vscode.commands.executeCommand('kubernetesStandin.setKubeconfig', process.env.KUBECONFIG ?? '');
    fs.rmSync(repoKubeconfig, { force: true });
    fs.rmSync(canary, { force: true });
  });

  test('kubeEvents.kubeconfig, vs-kubernetes.kubeconfig and an empty emit.confirmContexts in .vscode/settings.json are ignored', async () => {
    const userKubeconfig = api.settings().kubeconfig;
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          'kubeEvents.kubeconfig': repoKubeconfig,
          'kubeEvents.emit.confirmContexts': [],
          'vs-kubernetes': { 'vs-kubernetes.kubeconfig': repoKubeconfig },
          'kubeEvents.editor.window': MARKER_MINUTES,
        },
        null,
        2,
      ),
    );
    await waitFor('VS Code to read the workspace settings', () => api.settings().editorWindowMs === MARKER_MINUTES * 60_000, 15_000);
    // What VS Code hands an extension for each (printed for the record: `machine` scope drops the value).
    for (const key of ['kubeEvents.kubeconfig', 'kubeEvents.emit.confirmContexts', 'vs-kubernetes']) {
      console.log(`# inspect(${key}).workspaceValue = ${JSON.stringify(vscode.workspace.getConfiguration().inspect(key)?.workspaceValue)}`);
    }
    // The Kubernetes extension, reading the same workspace, reports the repository's kubeconfig.
    await vscode.commands.executeCommand('kubernetesStandin.setKubeconfig', repoKubeconfig);
    // A reconnect to the repository's kubeconfig (and its exec plugin) would come after the report: give it
    // a quiet moment to show, ending early if it does.
    const quietUntil = Date.now() + 3_000;
    await waitFor('a quiet moment after the report', () => Date.now() > quietUntil || fs.existsSync(canary) || api.session.connection?.files.includes(repoKubeconfig) === true, 10_000);

    const config = api.settings();
    assert.notEqual(config.kubeconfig, repoKubeconfig);
    assert.equal(config.kubeconfig, userKubeconfig);
    assert.deepEqual(config.emitConfirmContexts, ['*prod*']);
    assert.ok(config.workspaceIgnored.includes('vs-kubernetes.kubeconfig'), JSON.stringify(config.workspaceIgnored));
    assert.equal(api.session.contextName, 'admin');
    assert.ok(!api.session.connection?.files.includes(repoKubeconfig), JSON.stringify(api.session.connection?.files));
    assert.ok(!fs.existsSync(canary), "the repository kubeconfig's exec plugin ran");
  });
});
