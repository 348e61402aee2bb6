import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseQuery } from '../../src/core/query/parse';
import type { KubeClient } from '../../src/kube/kubeClient';
import { startControlPlane, type ControlPlane } from '../cluster/controlPlane';
import { clientFor, openHistoryWindow, createCoreEvent, createNamespace, waitFor } from './support/cluster';

const TTL_SECONDS = 8;


describe('history against a real kube-apiserver with a short --event-ttl', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-history-it-'));
  before(async () => {
    // Its own control plane: the shared one keeps events for the default hour.
    cp = await startControlPlane({ eventTtlSeconds: TTL_SECONDS });
    admin = clientFor(cp, 'admin');
  });
  after(async () => {
    admin?.dispose();
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an event the apiserver expired, and a new window finds it with since:', async () => {
    const ns = await createNamespace(admin, 'history');
    const first = openHistoryWindow(cp, ns, dir);
    first.session.connect();
    const created = await createCoreEvent(admin, ns, { reason: 'BackOff', type: 'Warning', message: 'outlives the TTL' });
    const uid = created.metadata.uid;
    await waitFor('the event in the store', () => first.session.store.get(uid), 20_000);
    // The apiserver deletes it after the TTL (etcd lease expiry) and the watch reports DELETED.
    await waitFor('the TTL to expire the event', () => first.session.store.get(uid)?.expired, (TTL_SECONDS + 30) * 1000);
    const gone = await admin.request(`/api/v1/namespaces/${ns}/events/${created.metadata.name}`).then(
      () => false,
      () => true,
    );
    assert.ok(gone, 'the apiserver no longer has the event');
    await first.history.shutdown();
    first.session.dispose();

    // A reload: a new window seeds its store from history before its first list.
    const second = openHistoryWindow(cp, ns, dir);
    second.session.connect();
    await waitFor('the store seeded', () => second.session.store.get(uid), 10_000);
    assert.equal(second.session.store.get(uid)?.expired, true, 'seeded, marked expired');
    assert.equal(second.session.store.get(uid)?.message, 'outlives the TTL');
    await waitFor('the session to be live', () => second.session.state.phase === 'live', 20_000);

    // since: reaches into history even once memory no longer holds it.
    second.session.store.clear();
    const query = parseQuery('since:10m reason:BackOff is:expired');
    assert.ok(query.ok);
    assert.equal(await second.history.loadMatching(query.value, { now: Date.now() }), 1);
    assert.equal(second.session.store.get(uid)?.expired, true);
    await second.history.shutdown();
    second.session.dispose();
  });
});
