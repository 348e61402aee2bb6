import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { EventSource, type SourceState, type WatchTiming } from '../../src/kube/eventSource';
import type { EventChange } from '../../src/core/events/kubeEvent';
import { startStandIn, type StandInOptions } from '../support/standInApiserver';
import { waitFor } from '../support/waitFor';

/**
 * The list+watch against a stand-in apiserver (test/integration/support/standInApiserver.ts), for what a real
 * one will not do on demand: answer 410 to every watch, or serve a list page larger than V8's longest string.
 * The source runs with its production timings and budgets.
 */

/** How long the LISTs are counted. KUBE_EVENTS_LIST_RATE_WINDOW_S=60 measures a whole minute. */
const WINDOW_S = Number(process.env.KUBE_EVENTS_LIST_RATE_WINDOW_S ?? '10');

/** What a source reported, kept small: events of a megabyte each are counted, not held. */
class Tally {
  readonly adds = new Map<string, number>();
  readonly messageChars = new Map<string, number>();
  readonly states: SourceState[] = [];
  sink = (batch: EventChange[]): void => {
    for (const c of batch) {
      if (c.type !== 'ADDED') continue;
      this.adds.set(c.event.uid, (this.adds.get(c.event.uid) ?? 0) + 1);
      this.messageChars.set(c.event.uid, c.event.message.length);
    }
  };
}

/** Runs a source against a stand-in for WINDOW_S seconds and returns how many LISTs it sent. */
async function listsInWindow(opts: StandInOptions, timing: Partial<WatchTiming> = {}): Promise<{ lists: number; watches: number; perMinute: number; states: SourceState[] }> {
  const standIn = await startStandIn(opts);
  const client = standIn.client();
  const tally = new Tally();
  const source = new EventSource({ client, namespaces: [standIn.namespace], sink: tally.sink, timing });
  source.onDidChangeState((s) => tally.states.push(s));
  try {
    source.start();
    await delay(WINDOW_S * 1000);
    const lists = standIn.traffic.lists.length;
    return { lists, watches: standIn.traffic.watches, perMinute: Math.round((lists * 60) / WINDOW_S), states: tally.states };
  } finally {
    source.stop();
    client.dispose();
    await standIn.close();
  }
}

describe('EventSource against a stand-in apiserver', () => {
  it('backs off between relists when every watch answers 410 Gone, in each form, and when continue tokens expire', async () => {
    const [status, errorEvent, expiredContinue] = await Promise.all([
      listsInWindow({ events: 3, watch: 'status' }),
      listsInWindow({ events: 3, watch: 'errorEvent' }),
      // Pages of 2 events out of 3: every list's second page finds its continue token expired.
      listsInWindow({ events: 3, watch: 'status', expireContinue: true }, { pageSize: 2 }),
    ]);
    const report = { status, errorEvent, expiredContinue };
    console.log(`LISTs in ${WINDOW_S} s (per minute): ${Object.entries(report).map(([k, v]) => `${k} ${v.lists} (${v.perMinute}/min)`).join(', ')}`);
    // client-go's reflector spacing: waits of [0.8, 1.6) s, [1.6, 3.2) s, [3.2, 6.4) s, [6.4, 12.8) s … after the first
    // list. In 10 s that is at most 4 lists (0.8 + 1.6 + 3.2 < 10 < 0.8 + 1.6 + 3.2 + 6.4), at least 3 (1.6 + 3.2 < 10).
    // Without a backoff, each relist follows the last at once: hundreds a second.
    const most = 1 + countWaitsWithin(WINDOW_S * 1000, 800);
    for (const [form, r] of Object.entries({ status, errorEvent })) {
      assert.ok(r.lists <= most, `${form}: ${r.lists} LISTs in ${WINDOW_S} s; at most ${most} with the reflector's backoff`);
      assert.ok(r.lists >= 3, `${form}: it keeps relisting (${r.lists} LISTs)`);
      assert.ok(r.states.some((s) => s.phase === 'relisting'), `${form}: the state says it relists`);
    }
    // Each attempt here is a first page and a refused second one.
    const r = expiredContinue;
    assert.ok(r.lists <= 2 * most, `expired continue tokens: ${r.lists} LISTs in ${WINDOW_S} s; at most ${2 * most}`);
    assert.ok(r.lists >= 2 * 3, `expired continue tokens: it keeps relisting (${r.lists} LISTs)`);
    assert.equal(r.watches, 0, 'no list completed, so nothing was watched');
  });

  it('lists a namespace whose events make one page larger than V8\'s longest string, each event once', async () => {
    // 400 events with 1.35 MiB messages: one page of them (limit 500) is ~540 MiB, over V8's 2^29 - 24 characters.
    const events = 400;
    const messageChars = Math.round(1.35 * 1024 * 1024);
    const standIn = await startStandIn({ events, messageChars, watch: 'open' });
    const client = standIn.client();
    const tally = new Tally();
    const source = new EventSource({ client, namespaces: [standIn.namespace], sink: tally.sink });
    source.onDidChangeState((s) => tally.states.push(s));
    try {
      source.start();
      // A functional deadline: the page sizes adapt within a few requests, then the ~540 MiB arrive.
      await waitFor(`all ${events} events and a live watch`, () => tally.adds.size === events && source.state.phase === 'live', 120_000);
      assert.deepEqual([...tally.adds.values()].filter((n) => n !== 1), [], 'each event arrives once');
      assert.ok([...tally.messageChars.values()].every((n) => n === messageChars), 'each message arrives whole');
      const limits = standIn.traffic.lists.map((l) => l.limit);
      assert.equal(limits[0], 500, 'the first page asks for the usual limit');
      assert.ok(Math.min(...limits) < 500, `later pages ask for fewer events (${limits.slice(0, 12).join(', ')} …)`);
      assert.ok(!tally.states.some((s) => s.phase === 'reconnecting'), 'no failed list');
    } finally {
      source.stop();
      client.dispose();
      await standIn.close();
    }
  });
});

/** How many waits of the reflector's backoff (each at least its step, the step doubling from `initialMs`) fit in `ms`. */
function countWaitsWithin(ms: number, initialMs: number): number {
  let n = 0;
  let spent = 0;
  for (let step = initialMs; spent + step <= ms; step *= 2) {
    spent += step;
    n++;
  }
  return n;
}
