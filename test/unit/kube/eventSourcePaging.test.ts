import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource, type SourceState, type WatchTiming } from '../../../src/kube/eventSource';
import type { EventChange } from '../../../src/core/events/kubeEvent';
import { startStandIn, type StandIn, type StandInOptions } from '../../support/standInApiserver';
import { waitFor } from '../../support/waitFor';

/**
 * The list's byte budget and the bounded reconciliation map, against a plain-HTTP stand-in apiserver
 * (test/support/standInApiserver.ts) with a small page budget; test/integration/eventSourceStandIn.test.ts
 * runs the production budget against a page larger than V8's longest string.
 */

class Recorder {
  readonly changes: EventChange[] = [];
  readonly states: SourceState[] = [];
  sink = (batch: EventChange[]): void => {
    this.changes.push(...batch);
  };
  uids(type: EventChange['type']): string[] {
    return this.changes.filter((c) => c.type === type).map((c) => c.event.uid);
  }
}

async function withSource(
  standInOptions: StandInOptions,
  timing: Partial<WatchTiming>,
  bounds: { maxEvents: number; maxBytes: number } | undefined,
  body: (standIn: StandIn, source: EventSource, rec: Recorder) => Promise<void>,
): Promise<void> {
  const standIn = await startStandIn(standInOptions);
  const client = standIn.client();
  const rec = new Recorder();
  const source = new EventSource({ client, namespaces: [standIn.namespace], sink: rec.sink, timing, bounds });
  source.onDidChangeState((s) => rec.states.push(s));
  try {
    source.start();
    await body(standIn, source, rec);
  } finally {
    source.stop();
    client.dispose();
    await standIn.close();
  }
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `uid-${from + i}`);

describe('EventSource list pages within a byte budget', () => {
  it('drops a page over the budget unread, asks again with half the limit, then sizes pages by their bytes', async () => {
    // 30 events of ~10.4 kB: all of them (limit 500) are ~312 kB, over a 64 KiB budget; 3 (~31 kB) fit in half of it.
    await withSource({ events: 30, messageChars: 10_000, watch: 'open' }, { pageBytes: 64 * 1024 }, undefined, async (standIn, source, rec) => {
      await waitFor('live', () => source.state.phase === 'live');
      const limits = standIn.traffic.lists.map((l) => l.limit);
      assert.deepEqual(limits.slice(0, 8), [500, 250, 125, 62, 31, 15, 7, 3], 'halved until a page fits');
      assert.ok(limits.slice(8).every((l) => l === 3), `then pages aimed at half the budget (${limits.join(', ')})`);
      assert.deepEqual(rec.uids('ADDED').sort(), range(0, 30).sort(), 'each event once');
      assert.ok(rec.changes.every((c) => c.event.message.length === 10_000), 'whole messages');
      assert.equal(rec.changes.at(-1)?.list, 'last', 'the list still ends with its marker');
      assert.ok(!rec.states.some((s) => s.phase === 'reconnecting' || s.phase === 'error'), 'no failed list');
    });
  });

  it('reads an event larger than the budget on its own, one a page', async () => {
    await withSource({ events: 4, messageChars: 20_000, watch: 'open' }, { pageBytes: 8 * 1024 }, undefined, async (standIn, source, rec) => {
      await waitFor('live', () => source.state.phase === 'live');
      assert.deepEqual(rec.uids('ADDED').sort(), range(0, 4).sort());
      const limits = standIn.traffic.lists.map((l) => l.limit);
      assert.deepEqual(limits.slice(-4), [1, 1, 1, 1], `one event a page (${limits.join(', ')})`);
    });
  });
});

describe('EventSource reconciliation memory', () => {
  it('remembers at most the store\'s bound, and synthesises DELETED on a relist for what it still holds', async () => {
    // Every watch answers 410, so the source relists (after the reflector's backoff, shortened here).
    const timing: Partial<WatchTiming> = { relistBackoffInitialMs: 100, relistBackoffMaxMs: 100 };
    await withSource({ events: 20, watch: 'status' }, timing, { maxEvents: 5, maxBytes: Number.MAX_SAFE_INTEGER }, async (standIn, _source, rec) => {
      await waitFor('the first list', () => rec.changes.some((c) => c.list === 'last'));
      const listsBefore = standIn.traffic.lists.length;
      // Events 0-14 and 18-19 vanish. The source holds only the 5 listed last (15-19): 18 and 19 get a DELETED;
      // 0-14 were forgotten, as the store, bounded alike, forgot them.
      standIn.serve(15, 18);
      await waitFor('a relist', () => standIn.traffic.lists.length > listsBefore && rec.uids('DELETED').length > 0);
      await waitFor('the relist to end', () => rec.changes.filter((c) => c.list === 'last').length >= 2);
      assert.deepEqual(rec.uids('DELETED').sort(), range(18, 20).sort());
      assert.deepEqual(rec.uids('ADDED').sort(), range(0, 20).sort(), 'the unchanged events are not reported again');
      assert.ok(rec.changes.filter((c) => c.type === 'DELETED').every((c) => c.event.expired && c.event.message.length > 0), 'a synthesised DELETED carries the whole event');
    });
  });
});
