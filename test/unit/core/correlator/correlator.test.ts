import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGGREGATE_MESSAGE_PREFIX, DEFAULT_AGGREGATE_INTERVAL_SECONDS, DEFAULT_AGGREGATE_MAX_EVENTS, DEFAULT_SPAM_BURST, DEFAULT_SPAM_QPS, EventCorrelator, MAX_LRU_CACHE_ENTRIES } from '../../../../src/core/correlator/correlator';
import { LruCache } from '../../../../src/core/correlator/lru';
import { EventSeriesTracker, SERIES_FINISH_TIME_MS, SERIES_REFRESH_TIME_MS, getIsomorphicKey } from '../../../../src/core/correlator/series';
import { formatMicroTime, formatTime, monotonicUnixNano } from '../../../../src/core/correlator/time';
import { TokenBucket } from '../../../../src/core/correlator/tokenBucket';
import type { CoreV1EventBody, EventsV1EventBody, SeriesPatch } from '../../../../src/core/correlator/wire';
import type { Clock } from '../../../../src/core/ports';
import { KubeApiError, KubeNetworkError, type RequestOptions } from '../../../../src/kube/kubeClient';
import { Recorder, generateEventName } from '../../../../src/kube/recorder';
import { DEFAULT_SLEEP_DURATION_MS, MAX_TRIES_PER_EVENT, RecorderSink, STRATEGIC_MERGE_PATCH } from '../../../../src/kube/recorderSink';

const T0 = Date.UTC(2026, 6, 24, 14, 5, 30, 123);

class FakeClock implements Clock {
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

let serial = 0;

function coreEvent(clock: Clock, over: { object?: string; type?: string; reason?: string; message?: string; fieldPath?: string } = {}): CoreV1EventBody {
  const object = over.object ?? 'web-0';
  const at = formatTime(clock.now());
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${object}.${(++serial).toString(16)}`, namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: object, namespace: 'shop', apiVersion: 'v1', uid: `uid-${object}`, ...(over.fieldPath ? { fieldPath: over.fieldPath } : {}) },
    reason: over.reason ?? 'BackOff',
    message: over.message ?? 'Back-off restarting failed container',
    type: over.type ?? 'Warning',
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'kube-events-vscode', host: 'laptop' },
    reportingComponent: 'kube-events-vscode',
    reportingInstance: 'laptop',
  };
}

function v1Event(clock: Clock, over: Partial<EventsV1EventBody> = {}): EventsV1EventBody {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `web-0.${(++serial).toString(16)}`, namespace: 'shop' },
    eventTime: formatMicroTime(clock.now()),
    reportingController: 'kube-events-vscode',
    reportingInstance: 'kube-events-vscode-laptop',
    action: 'Pulling',
    reason: 'Pulled',
    type: 'Normal',
    note: 'pulled image',
    regarding: { kind: 'Pod', name: 'web-0', namespace: 'shop', apiVersion: 'v1', uid: 'uid-web-0' },
    ...over,
  };
}

describe('time and names', () => {
  it('MicroTime has exactly six fractional digits', () => {
    assert.equal(formatMicroTime(T0), '2026-07-24T14:05:30.123000Z');
    assert.equal(formatMicroTime(T0 + 0.456), '2026-07-24T14:05:30.123456Z');
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z');
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1) + 999.999), '2026-01-01T00:00:00.999999Z');
    assert.match(formatMicroTime(Date.now()), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('metav1.Time has second precision', () => {
    assert.equal(formatTime(T0), '2026-07-24T14:05:30Z');
  });

  it('event names are <object name>.<hex Unix nanoseconds> (GenerateEventName)', () => {
    const ns = BigInt(T0) * 1_000_000n;
    assert.equal(generateEventName('web-0', ns), `web-0.${ns.toString(16)}`);
    assert.equal(generateEventName('web-0', 0x18b2f3c4d5e6f708n), 'web-0.18b2f3c4d5e6f708');
    // An object name that makes an invalid event name (uppercase is fine for some kinds) gets a UUID.
    assert.match(generateEventName('MyThing', ns), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('nanosecond stamps derive from the clock and never repeat within a millisecond', () => {
    const clock = new FakeClock();
    const next = monotonicUnixNano(clock);
    const a = next();
    const b = next();
    assert.equal(a, BigInt(T0) * 1_000_000n);
    assert.equal(b, a + 1n);
    clock.advance(1);
    assert.equal(next(), BigInt(T0 + 1) * 1_000_000n);
  });
});

describe('LruCache', () => {
  it('forgets the least recently used entry; get and set both make an entry recent', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    assert.equal(lru.get('a'), 1);
    lru.set('c', 3);
    assert.equal(lru.has('b'), false, 'b was the least recently used');
    assert.equal(lru.has('a'), true);
    assert.equal(lru.size, 2);
  });
});

describe('TokenBucket (x/time/rate as client-go uses it)', () => {
  it('starts full, refills continuously, never above burst', () => {
    const b = new TokenBucket(1, 2);
    assert.equal(b.tryAccept(0), true);
    assert.equal(b.tryAccept(0), true);
    assert.equal(b.tryAccept(0), false);
    assert.equal(b.msUntilNext(0), 1000);
    assert.equal(b.tryAccept(999), false);
    assert.equal(b.tryAccept(1000), true);
    assert.equal(b.tryAccept(100_000), true);
    assert.equal(b.tryAccept(100_000), true);
    assert.equal(b.tryAccept(100_000), false, 'capped at the burst');
  });
});

describe("EventCorrelator (client-go tools/record events_cache.go)", () => {
  it("uses client-go's numbers", () => {
    assert.equal(MAX_LRU_CACHE_ENTRIES, 4096);
    assert.equal(DEFAULT_AGGREGATE_MAX_EVENTS, 10);
    assert.equal(DEFAULT_AGGREGATE_INTERVAL_SECONDS, 600);
    assert.equal(DEFAULT_SPAM_BURST, 25);
    assert.equal(DEFAULT_SPAM_QPS, 1 / 300);
    assert.equal(AGGREGATE_MESSAGE_PREFIX, '(combined from similar events): ');
  });

  it('creates a first event and counts identical ones with a patch (eventLogger)', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = c.correlate(coreEvent(clock));
    assert.equal(first.action, 'create');
    assert.equal(first.reason, 'new');
    assert.equal(first.patch, undefined);
    clock.advance(5_000);
    const second = c.correlate(coreEvent(clock));
    assert.equal(second.action, 'patch');
    assert.equal(second.reason, 'deduplicated');
    assert.equal(second.event.count, 2);
    assert.equal(second.event.metadata.name, first.event.metadata.name, 'patches the first event');
    assert.equal(second.event.firstTimestamp, first.event.firstTimestamp);
    assert.deepEqual(second.patch, { count: 2, lastTimestamp: formatTime(T0 + 5_000), message: 'Back-off restarting failed container' });
    assert.match(second.explanation, /count 1 → 2/);
    clock.advance(5_000);
    const third = c.correlate(coreEvent(clock));
    assert.equal(third.event.count, 3);
    assert.equal(third.patch?.count, 3);
  });

  it('keys dedup on the full event: another message, reason, type or fieldPath is a new event', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    c.correlate(coreEvent(clock));
    for (const over of [{ message: 'other' }, { reason: 'Failed' }, { type: 'Normal' }, { fieldPath: 'spec.containers{app}' }]) {
      assert.equal(c.correlate(coreEvent(clock, over)).reason, 'new', JSON.stringify(over));
    }
  });

  it('updateState takes the name, resourceVersion and count the server returned', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = c.correlate(coreEvent(clock));
    c.updateState({ ...first.event, metadata: { ...first.event.metadata, name: 'stored-name', resourceVersion: '42' }, count: 7 });
    const next = c.correlate(coreEvent(clock));
    assert.equal(next.event.metadata.name, 'stored-name');
    assert.equal(next.event.metadata.resourceVersion, '42');
    assert.equal(next.event.count, 8);
  });

  it('combines 10 distinct messages within 600 s into one event with the exact prefix; the 11th counts on it', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 1; i <= 9; i++) {
      const r = c.correlate(coreEvent(clock, { message: `message ${i}` }));
      assert.equal(r.reason, 'new', `event ${i}`);
      clock.advance(30_000);
    }
    const tenth = c.correlate(coreEvent(clock, { message: 'message 10' }));
    assert.equal(tenth.action, 'create');
    assert.equal(tenth.reason, 'aggregated');
    assert.equal(tenth.event.message, '(combined from similar events): message 10');
    assert.equal(tenth.event.count, 1);
    assert.equal(tenth.event.reason, 'BackOff');
    assert.equal(tenth.event.type, 'Warning');
    assert.deepEqual(tenth.event.involvedObject, coreEvent(clock).involvedObject);
    assert.match(tenth.event.metadata.name, /^web-0\.[0-9a-f]+$/);
    assert.equal(tenth.event.reportingComponent, undefined, 'client-go builds the combined event without the reporting fields');
    assert.match(tenth.explanation, /combined/);
    clock.advance(1_000);
    const eleventh = c.correlate(coreEvent(clock, { message: 'message 11' }));
    assert.equal(eleventh.action, 'patch');
    assert.equal(eleventh.reason, 'aggregated');
    assert.equal(eleventh.event.metadata.name, tenth.event.metadata.name);
    assert.deepEqual(eleventh.patch, { count: 2, lastTimestamp: formatTime(clock.now()), message: '(combined from similar events): message 11' });
  });

  it('a group idle for more than 600 s starts afresh; the window slides with each similar event', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 1; i <= 9; i++) c.correlate(coreEvent(clock, { message: `m${i}` }));
    clock.advance(600_001);
    assert.equal(c.correlate(coreEvent(clock, { message: 'm10' })).reason, 'new', 'the old group expired');
    const slow = new EventCorrelator({ clock });
    for (let i = 1; i <= 9; i++) {
      slow.correlate(coreEvent(clock, { object: 'slow', message: `m${i}` }));
      clock.advance(599_000);
    }
    assert.equal(slow.correlate(coreEvent(clock, { object: 'slow', message: 'm10' })).reason, 'aggregated', '599 s between each still aggregates');
  });

  it('groups by source, object, type, reason and reporting fields: another reason is another group', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 1; i <= 9; i++) c.correlate(coreEvent(clock, { message: `m${i}` }));
    assert.equal(c.correlate(coreEvent(clock, { message: 'm10', reason: 'Failed' })).reason, 'new');
  });

  it('the spam filter stops the 26th rapid emission and refills one token per 300 s', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 1; i <= 25; i++) assert.notEqual(c.correlate(coreEvent(clock)).action, 'skip', `emission ${i}`);
    const spam = c.correlate(coreEvent(clock));
    assert.equal(spam.action, 'skip');
    assert.equal(spam.reason, 'spam-filtered');
    assert.match(spam.explanation, /spam filter/);
    assert.match(spam.explanation, /burst of 25/);
    assert.match(spam.explanation, /1 every 300 seconds/);
    assert.match(spam.explanation, /in about 300 seconds/);
    // The key is source + object + type: a different reason is still spam, a different type is not.
    assert.equal(c.correlate(coreEvent(clock, { reason: 'Other', message: 'x' })).action, 'skip');
    assert.equal(c.correlate(coreEvent(clock, { type: 'Normal' })).action, 'create');
    clock.advance(299_000);
    assert.equal(c.correlate(coreEvent(clock)).action, 'skip', 'not yet refilled');
    clock.advance(1_000);
    const refilled = c.correlate(coreEvent(clock));
    assert.equal(refilled.action, 'patch');
    // eventObserve counts before the filter, as in client-go: skipped emissions still raise the count.
    assert.equal(refilled.event.count, 28);
    assert.equal(c.correlate(coreEvent(clock)).action, 'skip', 'one token per 300 s');
  });

  it('evicts the least recently used of 4096 entries (maxLruCacheEntries)', () => {
    const clock = new FakeClock();
    const keep = new EventCorrelator({ clock });
    for (let i = 0; i < MAX_LRU_CACHE_ENTRIES; i++) keep.correlate(coreEvent(clock, { object: `pod-${i}` }));
    assert.equal(keep.correlate(coreEvent(clock, { object: 'pod-0' })).reason, 'deduplicated', '4096 entries still hold pod-0');
    const evict = new EventCorrelator({ clock });
    for (let i = 0; i <= MAX_LRU_CACHE_ENTRIES; i++) evict.correlate(coreEvent(clock, { object: `pod-${i}` }));
    assert.equal(evict.correlate(coreEvent(clock, { object: 'pod-0' })).reason, 'new', 'the 4097th entry pushed pod-0 out');
  });

  it('takes the CorrelatorOptions knobs; zero means the default', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, burst: 2, qps: 1, maxEvents: 3, lruSize: 1 });
    c.correlate(coreEvent(clock, { message: 'a' }));
    c.correlate(coreEvent(clock, { message: 'b' }));
    assert.equal(c.correlate(coreEvent(clock, { message: 'c' })).action, 'skip', 'burst 2');
    clock.advance(1_000);
    const third = c.correlate(coreEvent(clock, { message: 'd' }));
    assert.equal(third.reason, 'aggregated', 'maxEvents 3');
    const defaults = new EventCorrelator({ clock, burst: 0, qps: 0, maxEvents: 0, maxIntervalSeconds: 0, lruSize: 0 });
    for (let i = 1; i <= 25; i++) defaults.correlate(coreEvent(clock, { object: 'd' }));
    assert.equal(defaults.correlate(coreEvent(clock, { object: 'd' })).action, 'skip');
  });

  it('bypass turns correlation off: every emission is created as is', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, bypass: true });
    for (let i = 0; i < 40; i++) {
      const r = c.correlate(coreEvent(clock, { message: `m${i % 12}` }));
      assert.equal(r.action, 'create');
      assert.equal(r.reason, 'new');
      assert.equal(r.event.count, 1);
    }
  });
});

describe('EventSeriesTracker (client-go tools/events series)', () => {
  const noWrites = async (): Promise<{ retry: boolean }> => {
    throw new Error('nothing should be written');
  };

  it('uses client-go finishTime 6 min and refreshTime 30 min', () => {
    assert.equal(SERIES_FINISH_TIME_MS, 360_000);
    assert.equal(SERIES_REFRESH_TIME_MS, 1_800_000);
  });

  it('creates the first event, patches series count 2 on the first repeat, then counts locally', () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    const first = s.observe(v1Event(clock));
    assert.equal(first.action, 'create');
    assert.equal(first.event.series, undefined);
    clock.advance(1_000);
    const second = s.observe(v1Event(clock));
    assert.equal(second.action, 'patch');
    assert.equal(second.reason, 'series-started');
    assert.equal(second.event.metadata.name, first.event.metadata.name);
    assert.deepEqual(second.patch, { series: { count: 2, lastObservedTime: formatMicroTime(T0 + 1_000) } } satisfies SeriesPatch);
    clock.advance(1_000);
    const third = s.observe(v1Event(clock, { note: 'a different note is still the same series' }));
    assert.equal(third.action, 'skip');
    assert.equal(third.reason, 'series-counted');
    assert.equal(third.count, 3);
    assert.equal(third.event.series?.count, 3);
  });

  it('keys on type, action, reason, reporting controller and instance, regarding and related', () => {
    const clock = new FakeClock();
    const base = v1Event(clock);
    const variants: Partial<EventsV1EventBody>[] = [
      { type: 'Warning' },
      { action: 'Other' },
      { reason: 'Other' },
      { reportingController: 'other' },
      { reportingInstance: 'other' },
      { regarding: { ...base.regarding, name: 'web-1' } },
      { related: { kind: 'Node', name: 'node-1' } },
    ];
    for (const v of variants) assert.notEqual(getIsomorphicKey({ ...base, ...v }), getIsomorphicKey(base), JSON.stringify(v));
    assert.equal(getIsomorphicKey({ ...base, note: 'other', metadata: { name: 'x', namespace: 'shop' } }), getIsomorphicKey(base));
  });

  it('finishSeries writes the final count of a series idle for finishTime, then forgets it', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock, finishTimeMs: 60_000 });
    for (let i = 0; i < 3; i++) s.observe(v1Event(clock));
    const writes: SeriesPatch[] = [];
    const write = async (_e: EventsV1EventBody, p: SeriesPatch): Promise<{ retry: boolean }> => {
      writes.push(p);
      return { retry: false };
    };
    clock.advance(60_000);
    assert.deepEqual(await s.finishSeries(write), [], 'not idle for longer than finishTime yet');
    clock.advance(1);
    const reports = await s.finishSeries(write);
    assert.deepEqual(writes, [{ series: { count: 3, lastObservedTime: formatMicroTime(T0) } }]);
    assert.equal(reports[0]?.outcome, 'written');
    assert.equal(reports[0]?.count, 3);
    assert.equal(s.size, 0);
    assert.equal(s.observe(v1Event(clock)).action, 'create', 'a finished series starts again as a new event');
  });

  it('forgets idle singletons without writing; keeps a series whose write should be retried', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock, finishTimeMs: 1_000 });
    s.observe(v1Event(clock, { reason: 'Single' }));
    s.observe(v1Event(clock));
    s.observe(v1Event(clock));
    clock.advance(1_001);
    const reports = await s.finishSeries(async () => ({ retry: true }));
    assert.deepEqual(reports.map((r) => r.outcome).sort(), ['forgotten', 'kept']);
    assert.equal(s.size, 1);
  });

  it('keeps a series that was observed again while its final count was being written', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock, finishTimeMs: 1_000 });
    s.observe(v1Event(clock));
    s.observe(v1Event(clock));
    clock.advance(1_001);
    const reports = await s.finishSeries(async () => {
      s.observe(v1Event(clock));
      return { retry: false };
    });
    assert.equal(reports[0]?.outcome, 'kept');
    assert.equal(s.observe(v1Event(clock)).count, 4);
  });

  it('tick runs finish every finishTime and refresh every refreshTime on the clock', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    s.observe(v1Event(clock));
    s.observe(v1Event(clock));
    const written: number[] = [];
    const write = async (e: EventsV1EventBody): Promise<{ retry: boolean }> => {
      written.push(e.series!.count);
      return { retry: false };
    };
    clock.advance(SERIES_FINISH_TIME_MS - 1);
    assert.deepEqual(await s.tick(write), []);
    s.observe(v1Event(clock));
    clock.advance(1);
    assert.deepEqual(await s.tick(write), [], 'finish ran, but the series was active recently');
    clock.advance(SERIES_FINISH_TIME_MS);
    const r = await s.tick(write);
    assert.deepEqual(
      r.map((x) => x.outcome),
      ['written'],
    );
    assert.deepEqual(written, [3]);
    await s.tick(noWrites);
  });

  it('refreshSeries re-sends every series (heartbeat)', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    s.observe(v1Event(clock));
    s.observe(v1Event(clock));
    s.observe(v1Event(clock, { reason: 'Lonely' }));
    const reports = await s.refreshSeries(async () => ({ retry: false }));
    assert.deepEqual(
      reports.map((r) => [r.outcome, r.count]),
      [['refreshed', 2]],
    );
  });

  it('bypass creates every emission', () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock, bypass: true });
    for (let i = 0; i < 3; i++) assert.equal(s.observe(v1Event(clock)).action, 'create');
    assert.equal(s.size, 0);
  });
});

// ---- the sink's retry policy and the recorder, against a scripted fake of KubeClient.request ----

interface Call {
  readonly path: string;
  readonly method: string;
  readonly body: unknown;
  readonly contentType: string | undefined;
}

/** A value, an Error to throw, or `(call) => value` (`unknown` covers all three; they are told apart at run time). */
type Reply = unknown;

function fakeClient(replies: Reply[], fallback: Reply = (call: Call) => ({ ...(call.body as object), metadata: { ...(call.body as { metadata: object }).metadata, resourceVersion: '1' } })) {
  const calls: Call[] = [];
  const client = {
    async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
      const call = { path, method: opts.method ?? 'GET', body: opts.body, contentType: opts.contentType };
      calls.push(call);
      const reply = replies.length > 0 ? replies.shift() : fallback;
      if (reply instanceof Error) throw reply;
      return (typeof reply === 'function' ? (reply as (c: Call) => unknown)(call) : reply) as T;
    },
  };
  return { client, calls };
}

const netErr = (): KubeNetworkError => new KubeNetworkError('cannot reach https://127.0.0.1:6443: connection refused', 'ECONNREFUSED');
const apiErr = (status: number, reason: string, message = ''): KubeApiError => new KubeApiError(status, reason, message, 'POST', '/api/v1/namespaces/shop/events');

describe('RecorderSink: client-go retry policy', () => {
  it(`tries ${MAX_TRIES_PER_EVENT} times; core/v1 sleeps delay*random first, then the full delay`, async () => {
    const { client, calls } = fakeClient([], netErr());
    const sleeps: number[] = [];
    const sink = new RecorderSink({ client, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    const r = await sink.writeCore(coreEvent(new FakeClock()), undefined);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'unreachable');
      assert.equal(r.tries, 12);
      assert.match(r.message, /after 12 tries/);
    }
    assert.equal(calls.length, MAX_TRIES_PER_EVENT);
    assert.deepEqual(sleeps, [DEFAULT_SLEEP_DURATION_MS * 0.5, ...Array<number>(10).fill(DEFAULT_SLEEP_DURATION_MS)]);
  });

  it('events.k8s.io/v1 sleeps wait.Jitter(10 s, 0.25) between tries', async () => {
    const { client } = fakeClient([netErr(), netErr()]);
    const sleeps: number[] = [];
    const sink = new RecorderSink({ client, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    const r = await sink.writeEventsV1(v1Event(new FakeClock()));
    assert.equal(r.ok, true);
    if (r.ok) assert.equal(r.value.tries, 3);
    assert.deepEqual(sleeps, [11_250, 11_250]);
  });

  it('never retries an error the server answered (4xx or 5xx)', async () => {
    for (const err of [apiErr(403, 'Forbidden'), apiErr(422, 'Invalid'), apiErr(409, 'AlreadyExists'), apiErr(500, 'InternalError'), apiErr(503, 'ServiceUnavailable')]) {
      const { client, calls } = fakeClient([err]);
      const sink = new RecorderSink({ client, sleep: async () => assert.fail('no sleep expected') });
      const r = await sink.writeCore(coreEvent(new FakeClock()), undefined);
      assert.equal(r.ok, false);
      assert.equal(calls.length, 1, `HTTP ${err.status} is not retried`);
    }
  });

  it('a patch that gets 404 becomes a create without resourceVersion', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([apiErr(404, 'NotFound')]);
    const sink = new RecorderSink({ client });
    const event = { ...coreEvent(clock), count: 2, metadata: { name: 'web-0.1', namespace: 'shop', resourceVersion: '17' } };
    const r = await sink.writeCore(event, { count: 2, lastTimestamp: event.lastTimestamp });
    assert.equal(r.ok, true);
    if (r.ok) {
      assert.equal(r.value.operation, 'create');
      assert.equal(r.value.recreated, true);
    }
    assert.deepEqual(
      calls.map((c) => [c.method, c.path, c.contentType]),
      [
        ['PATCH', '/api/v1/namespaces/shop/events/web-0.1', STRATEGIC_MERGE_PATCH],
        ['POST', '/api/v1/namespaces/shop/events', undefined],
      ],
    );
    assert.deepEqual((calls[1].body as CoreV1EventBody).metadata, { name: 'web-0.1', namespace: 'shop' });
    assert.equal((calls[1].body as CoreV1EventBody).count, 2);
  });

  it('a series create that finds the event existing (AlreadyExists) is retried, as tools/events does', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([apiErr(404, 'NotFound'), apiErr(409, 'AlreadyExists')]);
    const sink = new RecorderSink({ client, sleep: async () => {} });
    const r = await sink.writeEventsV1({ ...v1Event(clock), series: { count: 2, lastObservedTime: formatMicroTime(T0) } });
    assert.equal(r.ok, true);
    assert.deepEqual(
      calls.map((c) => c.method),
      ['PATCH', 'POST', 'PATCH'],
    );
    assert.equal(calls[0].path.startsWith('/apis/events.k8s.io/v1/namespaces/shop/events/'), true);
  });

  it('explains a 403 with the verb, resource and namespace of the request, and the server message', async () => {
    const msg = 'events is forbidden: User "kube-events-restricted" cannot create resource "events" in API group "" in the namespace "shop"';
    const { client } = fakeClient([apiErr(403, 'Forbidden', msg)]);
    const r = await new RecorderSink({ client }).writeCore(coreEvent(new FakeClock()), undefined);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'forbidden');
      assert.equal(r.verb, 'create');
      assert.equal(r.namespace, 'shop');
      assert.match(r.message, /may not create "events" in namespace "shop"/);
      assert.match(r.message, /The server said: events is forbidden/);
    }
  });

  it('stops retrying when cancelled', async () => {
    const { client } = fakeClient([], netErr());
    const abort = new AbortController();
    const sink = new RecorderSink({
      client,
      sleep: async () => {
        abort.abort();
        throw new Error('aborted');
      },
    });
    const r = await sink.writeCore(coreEvent(new FakeClock()), undefined, { signal: abort.signal });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'cancelled');
  });
});

describe('Recorder (unit, scripted client)', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-0', uid: 'u-1', resourceVersion: '9', fieldPath: 'spec.containers{app}' };

  it('builds a core/v1 event like record.EventRecorder', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, clock, host: 'laptop', timers: false });
    const r = await rec.eventf(pod, 'Warning', 'BackOff', 'restarted %d times', 3);
    assert.equal(r.ok, true);
    const body = calls[0].body as CoreV1EventBody;
    assert.equal(body.metadata.name, `web-0.${(BigInt(T0) * 1_000_000n).toString(16)}`);
    assert.equal(body.metadata.namespace, 'shop');
    assert.deepEqual(body.involvedObject, pod);
    assert.equal(body.message, 'restarted 3 times');
    assert.equal(body.count, 1);
    assert.equal(body.firstTimestamp, '2026-07-24T14:05:30Z');
    assert.equal(body.lastTimestamp, body.firstTimestamp);
    assert.deepEqual(body.source, { component: 'kube-events-vscode', host: 'laptop' });
    assert.equal(body.reportingComponent, 'kube-events-vscode');
    assert.equal(body.reportingInstance, 'laptop');
    if (r.ok) assert.deepEqual([r.value.outcome, r.value.flavour, r.value.name], ['created', 'core/v1', body.metadata.name]);
  });

  it('builds an events.k8s.io/v1 event like events.EventRecorder, from a full object', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, clock, host: 'laptop', flavour: 'events.k8s.io/v1', timers: false });
    const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'd-1', resourceVersion: '5' }, spec: {} };
    const r = await rec.emit({ object: obj, type: 'Normal', reason: 'ScalingReplicaSet', action: 'Scale', message: 'scaled up', related: { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'shop', name: 'web-1' } });
    assert.equal(r.ok, true);
    const body = calls[0].body as EventsV1EventBody;
    assert.equal(calls[0].path, '/apis/events.k8s.io/v1/namespaces/shop/events');
    assert.equal(body.eventTime, '2026-07-24T14:05:30.123000Z');
    assert.equal(body.reportingController, 'kube-events-vscode');
    assert.equal(body.reportingInstance, 'kube-events-vscode-laptop');
    assert.equal(body.action, 'Scale');
    assert.equal(body.note, 'scaled up');
    assert.deepEqual(body.regarding, { kind: 'Deployment', name: 'web', namespace: 'shop', apiVersion: 'apps/v1', uid: 'd-1', resourceVersion: '5' });
    assert.deepEqual(body.related, { kind: 'ReplicaSet', name: 'web-1', namespace: 'shop', apiVersion: 'apps/v1' });
    assert.equal('count' in body || 'firstTimestamp' in body || 'source' in body, false, 'deprecated fields stay unset');
  });

  it('resolves a missing apiVersion through the port; cluster-scoped objects report from default', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([]);
    const asked: string[] = [];
    const rec = new Recorder({
      client,
      clock,
      timers: false,
      resolveKind: async (kind) => {
        asked.push(kind);
        return { ok: true, value: { apiVersion: 'v1', kind: 'Node', namespaced: false } };
      },
    });
    const r = await rec.event({ kind: 'Node', name: 'node-1', namespace: 'shop' }, 'Normal', 'Rebooted', 'node rebooted');
    assert.equal(r.ok, true);
    assert.deepEqual(asked, ['Node']);
    const body = calls[0].body as CoreV1EventBody;
    assert.equal(body.metadata.namespace, 'default');
    assert.deepEqual(body.involvedObject, { kind: 'Node', name: 'node-1', apiVersion: 'v1' });
    if (r.ok) assert.match(r.value.warnings.join(' '), /cluster-scoped/);
    const none = new Recorder({ client, clock, timers: false });
    const unresolved = await none.event({ kind: 'Widget', name: 'w' }, 'Normal', 'Made', 'x');
    assert.equal(unresolved.ok, false);
    if (!unresolved.ok) {
      assert.equal(unresolved.reason, 'unresolved-kind');
      assert.match(unresolved.message, /has no apiVersion/);
    }
    // A related object that cannot be referenced is left out with a warning, as tools/events does.
    const withRelated = await none.emit({ object: pod, related: { kind: 'Widget', name: 'w' }, type: 'Normal', reason: 'Made', message: 'x', flavour: 'events.k8s.io/v1', action: 'Make' });
    assert.equal(withRelated.ok, true);
    if (withRelated.ok) {
      assert.equal((withRelated.value.event as EventsV1EventBody).related, undefined);
      assert.match(withRelated.value.warnings.join(' '), /related object was left out/);
    }
  });

  it('validates locally first and sends nothing when invalid', async () => {
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, timers: false, flavour: 'events.k8s.io/v1', action: 'Test' });
    const r = await rec.event(pod, 'Normal', 'R'.repeat(200), 'note');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'invalid-event');
      assert.match(r.message, /reason is 200 characters; the apiserver allows at most 128 bytes/);
    }
    const noAction = await rec.emit({ object: pod, type: 'Normal', reason: 'Tested', message: 'x', action: '' });
    assert.equal(noAction.ok, false);
    assert.equal(calls.length, 0);
  });

  it('annotatedEventf carries annotations; the correlator counts repeats with a patch', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, clock, timers: false });
    await rec.annotatedEventf(pod, { 'example.com/run': '7' }, 'Normal', 'Tested', 'run %s', 'seven');
    const second = await rec.annotatedEventf(pod, { 'example.com/run': '7' }, 'Normal', 'Tested', 'run %s', 'seven');
    assert.deepEqual((calls[0].body as CoreV1EventBody).metadata.annotations, { 'example.com/run': '7' });
    assert.equal(calls[1].method, 'PATCH');
    assert.deepEqual(calls[1].body, { count: 2, lastTimestamp: '2026-07-24T14:05:30Z', message: 'run seven' });
    assert.equal(second.ok && second.value.outcome, 'patched');
    assert.equal(second.ok && second.value.count, 2);
    const bypass = new Recorder({ client, clock, timers: false, correlator: { bypass: true } });
    await bypass.event(pod, 'Normal', 'Tested', 'same');
    await bypass.event(pod, 'Normal', 'Tested', 'same');
    assert.deepEqual(
      calls.slice(2).map((c) => c.method),
      ['POST', 'POST'],
    );
  });

  it('sends one event at a time, so a repeat never races the create it counts on', async () => {
    const clock = new FakeClock();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { client, calls } = fakeClient([
      async (call: Call) => {
        await held;
        return { ...(call.body as object), metadata: { ...(call.body as CoreV1EventBody).metadata, resourceVersion: '1' } };
      },
    ]);
    const rec = new Recorder({ client, clock, timers: false });
    const first = rec.event(pod, 'Normal', 'Tested', 'same');
    const second = rec.event(pod, 'Normal', 'Tested', 'same');
    await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, 1, 'the repeat waits for the create');
    release();
    const results = await Promise.all([first, second]);
    assert.deepEqual(
      results.map((r) => r.ok && r.value.outcome),
      ['created', 'patched'],
    );
    assert.deepEqual(
      calls.map((c) => c.method),
      ['POST', 'PATCH'],
    );
  });

  it('after dispose nothing is sent', async () => {
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, timers: false });
    rec.dispose();
    const r = await rec.event(pod, 'Normal', 'Tested', 'too late');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'cancelled');
    assert.equal(calls.length, 0);
  });

  it('series: create, patch count 2, count locally, and write 3 on tick after finishTime', async () => {
    const clock = new FakeClock();
    const { client, calls } = fakeClient([]);
    const rec = new Recorder({ client, clock, timers: false, flavour: 'events.k8s.io/v1', action: 'Probe', series: { finishTimeMs: 1_000 } });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const r = await rec.event(pod, 'Warning', 'Unhealthy', 'probe failed');
      assert.equal(r.ok, true);
      if (r.ok) outcomes.push([r.value.outcome, r.value.count]);
    }
    assert.deepEqual(outcomes, [
      ['created', 1],
      ['patched', 2],
      ['skipped', 3],
    ]);
    clock.advance(1_001);
    const flushed = await rec.tick();
    assert.deepEqual(
      flushed.map((f) => [f.outcome, f.count]),
      [['written', 3]],
    );
    assert.deepEqual(
      calls.map((c) => c.method),
      ['POST', 'PATCH', 'PATCH'],
    );
    assert.equal((calls[2].body as SeriesPatch).series.count, 3);
    rec.dispose();
  });

  it("series: an event recorded during the series' final write waits, then starts a new event (client-go's lock order)", async () => {
    const clock = new FakeClock();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const echo = (call: Call) => ({ ...(call.body as object), metadata: { ...(call.body as { metadata: object }).metadata, resourceVersion: '1' } });
    // The third call is finishSeries' final PATCH: it hangs until released.
    const { client, calls } = fakeClient([echo, echo, (call: Call) => gate.then(() => echo(call))]);
    const rec = new Recorder({ client, clock, timers: false, flavour: 'events.k8s.io/v1', action: 'Probe', series: { finishTimeMs: 1_000 } });
    for (let i = 0; i < 3; i++) await rec.event(pod, 'Warning', 'Unhealthy', 'probe failed');
    clock.advance(1_001);
    const finishing = rec.finishSeries();
    while (calls.length < 3) await new Promise((r) => setImmediate(r));
    const during = rec.event(pod, 'Warning', 'Unhealthy', 'probe failed');
    release();
    assert.deepEqual((await finishing).map((f) => [f.outcome, f.count]), [['written', 3]]);
    const r = await during;
    assert.equal(r.ok, true);
    if (r.ok) assert.deepEqual([r.value.outcome, r.value.count], ['created', 1]);
    assert.deepEqual(calls.map((c) => c.method), ['POST', 'PATCH', 'PATCH', 'POST']);
    rec.dispose();
  });
});
