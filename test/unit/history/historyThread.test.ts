import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broadcaster } from '../../../src/core/events/broadcaster';
import { EventStore } from '../../../src/core/events/eventStore';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import { HistoryService } from '../../../src/history/historyService';
import { anEvent } from '../support/eventBuilder';
import { historyWorkerFile } from '../../support/historyWorkerFile';
import { waitFor } from '../../support/waitFor';

// Only the service is imported here: whatever loads SQLite into this process's main thread, it is the service.

const CLUSTER = { server: 'https://127.0.0.1:6443', user: 'dev', context: 'kind-dev' };

describe('history service off the calling thread', () => {
  it('runs SQLite in the worker: the thread that writes, seeds and queries never loads it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-thread-'));
    const broadcaster = new Broadcaster<EventChange>();
    const store = new EventStore({ capacity: 1000 });
    broadcaster.watch((batch) => void store.applyBatch(batch), { name: 'store' });
    const svc = new HistoryService({
      dir,
      broadcaster,
      store,
      settings: () => ({ enabled: true, retentionDays: 7, maxMegabytes: 500 }),
      onNotice: (n) => assert.fail(JSON.stringify(n)),
      flushMs: 10,
      workerFile: historyWorkerFile(),
    });
    await svc.open(CLUSTER);
    for (let i = 0; i < 50; i++) await broadcaster.action({ type: 'ADDED', event: anEvent() });
    // The broadcaster hands changes to its watchers a moment after it accepted them.
    await waitFor('every change written', async () => {
      await svc.flush();
      return (await svc.database!.query({ limit: 100 })).length === 50;
    }, 5000);
    const loaded = Object.keys(require.cache).filter((m) => m.includes('node-sqlite3-wasm'));
    assert.deepEqual(loaded, [], 'no SQLite module on this thread');
    await svc.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
