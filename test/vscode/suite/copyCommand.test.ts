// Copy kubectl events Command through its real entry points (a tree row's context menu, the palette with
// the manifest under the cursor), reading the clipboard: an event's involvedObject is whatever its author
// wrote, so a line is copied only when every part of it is in Kubernetes' own character sets, and a copied
// line runs in a real /bin/sh with exactly the arguments shown and nothing else.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { Commands } from '../../../src/constants';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { connectAdmin } from '../../support/admin';
import { waitFor } from '../../support/waitFor';
import { activateForTests } from './testApi';

/** The object name the issue reports: a quote that closes POSIX or PowerShell quoting, a command, and ETX. */
const HOSTILE = `x'; calc; # \u0003evil`;
const SENTINEL = 'kube-events: clipboard untouched';

suite('Copy kubectl events Command is safe to paste', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const ns = `vs-copy-${suffix}`;

  async function createEvent(name: string): Promise<string> {
    const created = await client.request<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/events`, {
      method: 'POST',
      body: {
        metadata: { name: `copy.${randomBytes(6).toString('hex')}`, namespace: ns },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name },
        type: 'Warning',
        reason: 'CopyProbe',
        message: 'copy probe',
        source: { component: 'copy-test' },
        count: 1,
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
      },
    });
    return created.metadata.uid;
  }

  async function objectRow(uid: string): Promise<unknown> {
    return waitFor('the object row', () => api.tree.model.nodeForEvent(uid)?.parent, 15_000);
  }

  /** Runs the palette command, accepting the first quick-pick entry (the manifest under the cursor) as Enter would. */
  async function fromPalette(manifestName: string): Promise<string | undefined> {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${JSON.stringify(manifestName)}\n  namespace: ${ns}\n`;
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(text.indexOf('name:'));
    editor.selection = new vscode.Selection(at, at);
    // showTextDocument can resolve before the extension host hears which editor is active (seen under load:
    // the command then read the previous test's manifest).
    await waitFor('the manifest to be the active editor, cursor on its name', () => vscode.window.activeTextEditor?.document === doc && vscode.window.activeTextEditor.selection.active.isEqual(at), 10_000);
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand<string | undefined>(Commands.copyKubectlCommand)).finally(() => (settled = true));
    await waitFor(
      'the manifest entry to be accepted',
      async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled;
      },
      30_000,
    );
    const copied = await run;
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    return copied;
  }

  /** Runs a copied line in /bin/sh with a stub kubectl first on PATH; returns kubectl's argv. */
  function runInSh(line: string): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-copy-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$ARGV_OUT"\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'bin', 'calc'), `#!/bin/sh\necho ran > "$CANARY"\n`, { mode: 0o755 });
      const env = { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`, ARGV_OUT: path.join(dir, 'argv'), CANARY: path.join(dir, 'canary') };
      execFileSync('/bin/sh', ['-c', line], { env });
      assert.ok(!fs.existsSync(path.join(dir, 'canary')), `calc ran for: ${line}`);
      return fs.readFileSync(path.join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  suiteSetup(async () => {
    client = connectAdmin().client;
    await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } });
    api = await activateForTests();
    await waitFor('the admin stream to go live', () => api.session.contextName === 'admin' && api.session.state.phase === 'live', 30_000);
  });

  suiteTeardown(async () => {
    await client?.request(`/api/v1/namespaces/${ns}`, { method: 'DELETE' }).catch(() => undefined);
    client?.dispose();
  });

  test("tree row: an event on Pod x'; calc; # <U+0003>evil copies nothing", async () => {
    const row = await objectRow(await createEvent(HOSTILE));
    await vscode.env.clipboard.writeText(SENTINEL);
    const copied = await vscode.commands.executeCommand<string | undefined>(Commands.copyKubectlCommand, row);
    assert.equal(copied, undefined);
    assert.equal(await vscode.env.clipboard.readText(), SENTINEL);
  });

  test('tree row: a valid object copies the line, and /bin/sh hands kubectl exactly its arguments', async () => {
    const name = `web-${suffix}`;
    const row = await objectRow(await createEvent(name));
    await vscode.env.clipboard.writeText(SENTINEL);
    const copied = await vscode.commands.executeCommand<string | undefined>(Commands.copyKubectlCommand, row);
    const clip = await vscode.env.clipboard.readText();
    assert.equal(clip, copied);
    // This machine's terminal is a POSIX shell (Linux, no default profile set).
    assert.equal(clip, `kubectl events --context admin -n ${ns} --for Pod/${name} --watch`);
    assert.deepEqual(runInSh(clip), ['events', '--context', 'admin', '-n', ns, '--for', `Pod/${name}`, '--watch']);
  });

  test("palette: a manifest in the editor naming Pod x'; calc; # <U+0003>evil copies nothing", async () => {
    await vscode.env.clipboard.writeText(SENTINEL);
    assert.equal(await fromPalette(HOSTILE), undefined);
    assert.equal(await vscode.env.clipboard.readText(), SENTINEL);
  });

  test('palette: the manifest under the cursor copies its line', async () => {
    await vscode.env.clipboard.writeText(SENTINEL);
    const copied = await fromPalette('api-0');
    assert.equal(await vscode.env.clipboard.readText(), copied);
    assert.deepEqual(runInSh(copied ?? ''), ['events', '--context', 'admin', '-n', ns, '--for', 'Pod/api-0', '--watch']);
  });
});
