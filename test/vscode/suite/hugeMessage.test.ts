// A 1 MiB event message (anyone who may create an Event can send one) in the real extension host against
// the real control plane: every place that shows it is bounded and says how much was left out; export keeps
// it whole.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KubeEventsTesting } from '../../../src/compose/api';
import { activateForTests } from './testApi';
import { Commands } from '../../../src/constants';
import { eventTooltip, type RowSnapshot } from '../../../src/host/tree/eventTreeProvider';
import type { KubeClient } from '../../../src/kube/kubeClient';
import { waitFor } from '../../support/waitFor';
import { connectAdmin } from '../../support/admin';

const MIB = 1_048_576;

function flatten(rows: RowSnapshot[]): RowSnapshot[] {
  return rows.flatMap((r) => [r, ...flatten(r.children)]);
}

suite('a 1 MiB message', () => {
  let api: KubeEventsTesting;
  let client: KubeClient;
  const suffix = randomBytes(3).toString('hex');
  const ns = `vs-huge-${suffix}`;

  suiteSetup(async () => {
    client = connectAdmin().client;
    await client.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } });
    api = await activateForTests();
    await waitFor('a live stream', () => api.session.state.phase === 'live', 30_000);
  });

  suiteTeardown(() => {
    api?.filter.clear();
    client?.dispose();
  });

  test('is bounded in the tree row, its accessibility label and its hover, and exported whole', async () => {
    const message = `huge ${suffix} ${'m'.repeat(MIB - 6 - suffix.length)}`;
    assert.equal(message.length, MIB);
    const created = await client.request<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/events`, {
      method: 'POST',
      body: {
        metadata: { name: `huge.${suffix}`, namespace: ns },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: 'huge-0' },
        type: 'Warning',
        reason: 'HugeMessage',
        message,
        source: { component: 'anyone' },
        count: 1,
        firstTimestamp: new Date().toISOString(),
        lastTimestamp: new Date().toISOString(),
      },
    });
    const uid = created.metadata.uid;
    const stored = await waitFor('the event in the store', () => api.session.store.get(uid), 20_000);
    assert.equal(stored.message.length, MIB, 'the store keeps the whole text');

    assert.equal(api.filter.set(`ns:${ns}`), undefined);
    const row = await waitFor('the row', () => flatten(api.tree.snapshot()).find((r) => r.label === 'HugeMessage'), 20_000);
    assert.ok(row.description.length < 300, `description is ${row.description.length} characters`);
    assert.match(row.description, /…\(\d+ more characters\)$/);
    assert.ok(row.accessibility.length < 700, `accessibility label is ${row.accessibility.length} characters`);
    assert.match(row.accessibility, /…\(1048\d{3} more characters\)$/);

    const hover = eventTooltip(stored, Date.now()).value;
    assert.ok(hover.length < 10_000, `hover is ${hover.length} characters`);
    assert.match(hover, /more(&nbsp;| )characters/);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-export-')), 'huge.ndjson');
    assert.equal(await vscode.commands.executeCommand<string>(Commands.exportEvents, 'ndjson', file), file);
    const exported = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { uid: string; message: string });
    assert.equal(exported.find((e) => e.uid === uid)?.message.length, MIB, 'export keeps the whole text');
  });
});
