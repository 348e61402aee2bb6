import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture } from '../../../../src/core/capture/capture';
import { Broadcaster } from '../../../../src/core/events/broadcaster';
import { EventStore } from '../../../../src/core/events/eventStore';
import type { EventChange } from '../../../../src/core/events/kubeEvent';
import type { OwnerGraph } from '../../../../src/core/owners/ownerGraph';
import { matches } from '../../../../src/core/query/evaluate';
import { parseQuery } from '../../../../src/core/query/parse';
import { captureBannerText, CaptureMode } from '../../../../src/host/capture/captureMode';
import { silentLogger } from '../../../../src/core/ports';
import { anEvent } from '../../support/eventBuilder';

const T0 = Date.UTC(2026, 11, 7, 7, 10);

function aCapture(events = 40): Capture {
  const list = Array.from({ length: events }, (_, i) =>
    anEvent({ namespace: 'shop', lastSeen: T0 + (events - i) * 1000, regarding: { kind: 'Pod', name: `web-5d8f-${i}`, namespace: 'shop', uid: `p${i}` } }),
  );
  return {
    header: { format: CAPTURE_FORMAT, version: CAPTURE_VERSION, created: new Date(T0 + 3_600_000).toISOString(), from: T0, to: T0 + 3_600_000, query: '', clusters: [{ name: 'admin', id: 'abc' }], origin: 'kube-events' },
    events: list,
    owners: [
      {
        cluster: 'admin',
        records: list.map((e) => ({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: e.regarding.name, uid: e.regarding.uid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs1', controller: true }], source: 'read' as const })),
      },
    ],
    sessions: [
      { id: 's1', name: 'older', type: 'go', controller: '', start: T0 + 1_500, end: T0 + 5_000, stops: [] },
      { id: 's2', name: 'newest', type: 'go', controller: 'website-controller', start: T0 + 10_500, end: T0 + 20_000, stops: [{ kind: 'stopped', at: T0 + 12_000, reason: 'breakpoint' }] },
    ],
  };
}

async function until(what: string, test: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rig() {
  // A short incoming queue: a capture larger than it must still arrive whole.
  const broadcaster = new Broadcaster<EventChange>({ queueLength: 8 });
  const store = new EventStore();
  broadcaster.watch((batch) => void store.applyBatch(batch), { name: 'store' });
  const seen: EventChange[] = [];
  broadcaster.watch((batch) => void seen.push(...batch), { name: 'log' });
  const calls: string[] = [];
  let graph: OwnerGraph | undefined;
  const mode = new CaptureMode({
    session: { disconnect: () => calls.push('disconnect'), store, broadcaster, ours: { clear: () => calls.push('ours cleared') } },
    history: { detach: () => calls.push('history detached') },
    owners: { useGraph: (g) => void ((graph = g), calls.push(g ? 'capture graph' : 'live graph')) },
    reconnect: () => calls.push('reconnect'),
    logger: silentLogger,
  });
  return { broadcaster, store, seen, calls, mode, graph: () => graph };
}

describe('capture mode', () => {
  it('ends the live connection and history writes, and puts the capture\'s events through the broadcaster as one list', async () => {
    const { store, seen, calls, mode } = rig();
    store.applyBatch([{ type: 'ADDED', event: anEvent({ namespace: 'live' }) }]);
    const capture = aCapture();
    await mode.open(capture, '/tmp/shop.kecapture');
    await until('every event in the store', () => store.size === 40 && seen.length === 40);
    assert.deepEqual(calls, ['disconnect', 'history detached', 'ours cleared', 'capture graph']);
    assert.equal([...store.all()].filter((e) => e.namespace === 'live').length, 0, 'the live events are gone from the store');
    // Oldest first, the last one marking the list's end, so the log writes it in order.
    assert.deepEqual(seen.map((c) => c.event.lastSeen), [...seen.map((c) => c.event.lastSeen)].sort((a, b) => a - b));
    assert.deepEqual([seen[0].list, seen[39].list], ['more', 'last']);
    assert.equal(mode.current?.eventCount, 40);
  });

  it('answers session: from the capture\'s own sessions, from their first second', async () => {
    const { mode } = rig();
    assert.deepEqual(mode.ranges(), {});
    await mode.open(aCapture(), '/tmp/shop.kecapture');
    assert.deepEqual(mode.ranges(), { last: { start: T0 + 10_000, end: T0 + 20_000 } });
    assert.deepEqual(mode.current?.sessions.map((s) => [s.name, s.end, s.marks.length]), [['older', T0 + 5_000, 0], ['newest', T0 + 20_000, 1]]);
  });

  it('places under: with the capture\'s owner records, reading nothing from a cluster', async () => {
    const { mode, graph, store } = rig();
    await mode.open(aCapture(3), '/tmp/shop.kecapture');
    await until('the events', () => store.size === 3);
    const g = graph();
    assert.ok(g);
    for (const e of store.all()) await g.learn({ ...e.regarding, uid: e.regarding.uid });
    const q = parseQuery('under:ReplicaSet/shop/web-5d8f');
    assert.ok(q.ok);
    assert.equal([...store.all()].filter((e) => matches(q.value, e, { now: Date.now(), owners: g })).length, 3);
  });

  it('on close empties the store before connecting again, and gives the live owner graph back', async () => {
    const { mode, store, calls } = rig();
    await mode.open(aCapture(5), '/tmp/shop.kecapture');
    await until('the events', () => store.size === 5);
    calls.length = 0;
    let sizeAtReconnect = -1;
    mode.onDidChange((open) => {
      if (!open) sizeAtReconnect = store.size;
    });
    mode.close();
    assert.equal(sizeAtReconnect, 0);
    assert.deepEqual(calls, ['live graph', 'ours cleared', 'reconnect']);
    assert.equal(mode.current, undefined);
    mode.close();
    assert.deepEqual(calls, ['live graph', 'ours cleared', 'reconnect'], 'a second close does nothing');
  });

  it('says which cluster and when in its banner', () => {
    const text = captureBannerText(aCapture(1).header);
    assert.match(text, /^Capture of admin, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d – \S+ \(read-only\)$/);
  });
});
