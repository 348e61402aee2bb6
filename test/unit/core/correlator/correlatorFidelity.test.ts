/**
 * Where client-go's correlator does something a careful reimplementation would not: the spam filter's rate
 * held as a float32, and cache keys joined with no separator. These cases pin client-go's behaviour (read
 * from k8s.io/client-go v0.34.3 and golang.org/x/time v0.9.0), including where it is surprising.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SPAM_BURST, DEFAULT_SPAM_QPS, EventCorrelator, getAggregateKeys, getEventKey, getSpamKey } from '../../../../src/core/correlator/correlator';
import { EventSeriesTracker, SERIES_FINISH_TIME_MS, SERIES_REFRESH_TIME_MS, getIsomorphicKey } from '../../../../src/core/correlator/series';
import { formatMicroTime, formatTime } from '../../../../src/core/correlator/time';
import { TokenBucket } from '../../../../src/core/correlator/tokenBucket';
import type { CoreV1EventBody, EventsV1EventBody, SeriesPatch } from '../../../../src/core/correlator/wire';
import type { Clock } from '../../../../src/core/ports';

/** A round start time: the boundary cases below fall on whole seconds. */
const T0 = Date.UTC(2026, 2, 9, 8, 0, 0);
const S = 1000;

class FakeClock implements Clock {
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

function event(clock: Clock, over: Partial<Omit<CoreV1EventBody, 'source' | 'involvedObject'>> & { source?: CoreV1EventBody['source']; object?: Partial<CoreV1EventBody['involvedObject']> } = {}): CoreV1EventBody {
  const at = formatTime(clock.now());
  const { object, ...rest } = over;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `cache-1.${clock.now().toString(16)}`, namespace: 'infra' },
    involvedObject: { kind: 'StatefulSet', name: 'cache', namespace: 'infra', apiVersion: 'apps/v1', uid: 'c0ffee', ...object },
    reason: 'FailedCreate',
    message: 'create Pod cache-1 failed: quota exceeded',
    type: 'Warning',
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'statefulset-controller', host: 'cp-1' },
    reportingComponent: 'statefulset-controller',
    reportingInstance: 'cp-1',
    ...rest,
  };
}

describe('spam filter: the float32 rate of flowcontrol and x/time/rate', () => {
  it('accepts an event at +600 s after a burst at t0 and one at +344 s, as client-go does', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 0; i < DEFAULT_SPAM_BURST; i++) assert.notEqual(c.correlate(event(clock, { message: `replica ${i}` })).action, 'skip', `burst event ${i + 1}`);
    assert.equal(c.correlate(event(clock, { message: 'one too many' })).action, 'skip', 'the 26th at t0 is filtered');
    clock.set(T0 + 344 * S);
    assert.notEqual(c.correlate(event(clock, { message: 'at 344 s' })).action, 'skip');
    clock.set(T0 + 600 * S);
    assert.notEqual(c.correlate(event(clock, { message: 'at 600 s' })).action, 'skip', 'client-go accepts the event at t0+600 s');
  });

  it('accepts an event at +900 s after a burst at t0 and events at +611 s and +627 s, where a plain double-rate bucket would not', () => {
    // 611 s refill 2.0366… tokens, 16 s more 0.0533…, 273 s more 0.91: three tokens spent, exactly one left in
    // real numbers. A plain bucket with a double 1/300 sums to 0.9999999999999999 and filters the event.
    // client-go sends it: its float32 rate, 0.0033333334 > 1/300, leaves 1.0000000242… (and even with an
    // exact rate, x/time/rate would turn so small a shortfall into a wait that truncates to 0 ns).
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 0; i < DEFAULT_SPAM_BURST; i++) c.correlate(event(clock, { message: `replica ${i}` }));
    for (const at of [611, 627, 900]) {
      clock.set(T0 + at * S);
      assert.notEqual(c.correlate(event(clock, { message: `at ${at} s` })).action, 'skip', `the event at t0+${at} s is sent`);
    }
    clock.set(T0 + 901 * S);
    assert.equal(c.correlate(event(clock, { message: 'at 901 s' })).action, 'skip', 'and the bucket is empty again');
  });

  it('a plain bucket with a double-precision rate would have refused the +900 s event (the case is a real boundary)', () => {
    const levelAt900 = (rate: number): number => {
      let level = 0; // the burst of 25 spent at t0
      let last = 0;
      for (const at of [611, 627, 900]) {
        level = Math.min(DEFAULT_SPAM_BURST, level + (at - last) * rate);
        last = at;
        if (at !== 900) level -= 1;
      }
      return level;
    };
    assert.ok(levelAt900(1 / 300) < 1, `double: ${levelAt900(1 / 300)}`);
    assert.ok(levelAt900(Math.fround(1 / 300)) >= 1, `float32: ${levelAt900(Math.fround(1 / 300))}`);
  });

  it('keeps the rate as float32: DEFAULT_SPAM_QPS is 1/300 but the bucket refills at 0.0033333334…/s', () => {
    assert.equal(DEFAULT_SPAM_QPS, 1 / 300);
    const b = new TokenBucket(DEFAULT_SPAM_QPS, 1);
    assert.equal(b.limit, Math.fround(1 / 300));
    assert.equal(b.limit, 0.0033333334140479565);
  });

  it('refills one token in 300 s from empty, and in fact 7.3 µs sooner', () => {
    // float32(1/300)·300 s = 1.0000000242… tokens: the token is complete at 299.9999927 s.
    const b = new TokenBucket(1 / 300, 1);
    assert.equal(b.tryAccept(0), true);
    assert.equal(b.tryAccept(299_999), false);
    assert.equal(b.tryAccept(299_999.992), false);
    assert.equal(b.tryAccept(299_999.993), true);
  });

  it('accepts when short of a token by less than one nanosecond of refill (durationFromTokens truncates)', () => {
    // At float32(0.7) = 0.69999998… tokens/s a token takes 1.4285714529 s. Asked at 1.428571452 s, the bucket
    // is short by 6e-10 tokens; x/time/rate turns that into a wait of time.Duration(0.9 ns) = 0 and allows
    // the event, leaving the bucket a little below zero. One nanosecond earlier the wait is 1 ns: refused.
    const b = new TokenBucket(0.7, 1);
    assert.equal(b.tryAccept(0), true);
    assert.ok(b.tokensAt(1428.571452) < 1, 'less than a whole token is there');
    assert.equal(b.tryAccept(1428.571452), true, 'the missing 0.9 ns of refill rounds to no wait at all');
    assert.ok(b.tokensAt(1428.571452) < 0, 'and the bucket now holds a little less than zero');
    const c = new TokenBucket(0.7, 1);
    assert.equal(c.tryAccept(0), true);
    assert.equal(c.tryAccept(1428.571451), false);
  });

  it('a clock that goes back neither refills nor unfills; the bucket then counts from the earlier time', () => {
    const b = new TokenBucket(1, 2);
    assert.equal(b.tryAccept(T0 + 10 * S), true);
    assert.equal(b.tryAccept(T0), true, 'one token left at the earlier time');
    assert.equal(b.tryAccept(T0), false);
    assert.equal(b.tryAccept(T0 + 1 * S), true, 'refilled from T0, not from T0+10 s');
  });

  it('tells how long until the next token in the explanation, from the float32 rate', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock, burst: 1 });
    c.correlate(event(clock));
    clock.set(T0 + 100 * S);
    const r = c.correlate(event(clock));
    assert.equal(r.action, 'skip');
    assert.match(r.explanation, /in about 200 seconds/);
  });
});

describe('cache keys: fields joined with no separator, as client-go does', () => {
  it('reason "Back" + message "Off x" is the same event as reason "BackOff" + message " x" (getEventKey)', () => {
    const clock = new FakeClock();
    const a = event(clock, { reason: 'Back', message: 'Off x' });
    const b = event(clock, { reason: 'BackOff', message: ' x' });
    assert.equal(getEventKey(a), getEventKey(b));
    const c = new EventCorrelator({ clock });
    const first = c.correlate(a);
    assert.equal(first.reason, 'new');
    clock.set(T0 + 5 * S);
    const second = c.correlate({ ...b, lastTimestamp: formatTime(clock.now()) });
    assert.equal(second.action, 'patch', 'client-go counts it on the first event');
    assert.equal(second.reason, 'deduplicated');
    assert.equal(second.event.metadata.name, first.event.metadata.name);
    assert.equal(second.event.reason, 'BackOff', 'the patched event carries the new reason, but the patch does not');
    assert.deepEqual(second.patch, { count: 2, lastTimestamp: formatTime(T0 + 5 * S), message: ' x' });
  });

  it('source kubelet/node-1 is the same source as kubeletnode-/1 for dedup, spam and aggregation', () => {
    const clock = new FakeClock();
    const a = event(clock, { source: { component: 'kubelet', host: 'node-1' } });
    const b = event(clock, { source: { component: 'kubeletnode-', host: '1' } });
    assert.equal(getEventKey(a), getEventKey(b));
    assert.equal(getSpamKey(a), getSpamKey(b));
    assert.equal(getAggregateKeys(a)[0], getAggregateKeys(b)[0]);
    const c = new EventCorrelator({ clock, burst: 2 });
    assert.equal(c.correlate(a).reason, 'new');
    assert.equal(c.correlate(b).reason, 'deduplicated');
    assert.equal(c.correlate({ ...b, message: 'a different message' }).action, 'skip', 'one spam bucket for both sources');
  });

  it('the spam key runs object and type together: kind/namespace/name shifts share one bucket', () => {
    const clock = new FakeClock();
    const a = event(clock, { object: { kind: 'Pod', namespace: 'ab', name: 'c' } });
    const b = event(clock, { object: { kind: 'Pod', namespace: 'a', name: 'bc' } });
    assert.equal(getSpamKey(a), getSpamKey(b));
    const c = new EventCorrelator({ clock, burst: 1 });
    assert.equal(c.correlate(a).action, 'create');
    assert.equal(c.correlate(b).action, 'skip', 'ab/c used the only token of a/bc too');
  });

  it('aggregation groups reason and reporting fields run together: "Failed"+"Createx" = "FailedCreate"+"x"', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    for (let i = 1; i <= 9; i++) {
      const r = c.correlate(event(clock, { reason: 'Failed', reportingComponent: 'Createx', reportingInstance: '', message: `attempt ${i}` }));
      assert.equal(r.reason, 'new', `attempt ${i}`);
    }
    const tenth = c.correlate(event(clock, { reason: 'FailedCreate', reportingComponent: 'x', reportingInstance: '', message: 'attempt 10' }));
    assert.equal(tenth.reason, 'aggregated', 'the tenth distinct message in the run-together group is combined');
    assert.equal(tenth.event.message, '(combined from similar events): attempt 10');
  });

  it('fieldPath runs into the uid in the event key: "spec.x"+"y" and "spec."+"xy" count as one event', () => {
    const clock = new FakeClock();
    const a = event(clock, { object: { fieldPath: 'spec.x', uid: 'y' } });
    const b = event(clock, { object: { fieldPath: 'spec.', uid: 'xy' } });
    assert.equal(getEventKey(a), getEventKey(b));
    // …but the spam key has no fieldPath, so their uids make two buckets.
    assert.notEqual(getSpamKey(a), getSpamKey(b));
  });

  it('the events.k8s.io/v1 isomorphic key is a struct in client-go, so it does not run fields together', () => {
    const base: EventsV1EventBody = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'cache.1', namespace: 'infra' },
      eventTime: formatMicroTime(T0),
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Scale',
      reason: 'Back',
      type: 'Normal',
      note: '',
      regarding: { kind: 'StatefulSet', name: 'cache', namespace: 'infra' },
    };
    assert.notEqual(getIsomorphicKey(base), getIsomorphicKey({ ...base, action: 'ScaleBack', reason: '' }));
    assert.notEqual(getIsomorphicKey(base), getIsomorphicKey({ ...base, regarding: { kind: 'StatefulSetinfra', name: 'cache', namespace: '' } }));
    // A nil related and an all-empty related are the same key (Go's zero ObjectReference).
    assert.equal(getIsomorphicKey(base), getIsomorphicKey({ ...base, related: { kind: '', name: '' } }));
  });
});

describe('updateState: what the server said', () => {
  it('a count of 0 from the server means "no earlier event": the next one is created, as client-go does', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator({ clock });
    const first = c.correlate(event(clock));
    c.updateState({ ...first.event, count: 0 });
    const next = c.correlate(event(clock));
    assert.equal(next.action, 'create');
    assert.equal(next.event.count, 1);
  });
});

describe('events.k8s.io/v1 series: finishSeries and refresh as tools/events does them', () => {
  function v1(clock: Clock, over: Partial<EventsV1EventBody> = {}): EventsV1EventBody {
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `cache.${clock.now().toString(16)}`, namespace: 'infra' },
      eventTime: formatMicroTime(clock.now()),
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Scale',
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      note: 'scaled up',
      regarding: { kind: 'Deployment', name: 'cache', namespace: 'infra', uid: 'd1' },
      ...over,
    };
  }
  type Write = { name: string; patch: SeriesPatch };
  const recorder = (writes: Write[], retry = false) => async (e: EventsV1EventBody, patch: SeriesPatch) => {
    writes.push({ name: e.metadata.name, patch });
    return { retry };
  };

  it('a series is finished only when idle strictly longer than 6 min (LastObservedTime.Before(now − finishTime))', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    const first = s.observe(v1(clock));
    clock.set(T0 + 10 * S);
    s.observe(v1(clock));
    clock.set(T0 + 20 * S);
    s.observe(v1(clock));
    const writes: Write[] = [];
    clock.set(T0 + 20 * S + SERIES_FINISH_TIME_MS);
    assert.deepEqual(await s.finishSeries(recorder(writes)), [], 'idle exactly finishTime: kept');
    clock.set(T0 + 20 * S + SERIES_FINISH_TIME_MS + 1);
    const reports = await s.finishSeries(recorder(writes));
    assert.deepEqual(writes, [{ name: first.event.metadata.name, patch: { series: { count: 3, lastObservedTime: formatMicroTime(T0 + 20 * S) } } }]);
    assert.deepEqual(reports.map((r) => [r.outcome, r.count]), [['written', 3]]);
    assert.equal(s.size, 0);
  });

  it('a singleton is forgotten without a write once its eventTime is older than 6 min; a new repeat is a new event', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    s.observe(v1(clock));
    const writes: Write[] = [];
    clock.set(T0 + SERIES_FINISH_TIME_MS + 1);
    assert.deepEqual((await s.finishSeries(recorder(writes))).map((r) => r.outcome), ['forgotten']);
    assert.deepEqual(writes, []);
    assert.equal(s.observe(v1(clock)).action, 'create');
  });

  it('a failed final write that should be retried keeps the series, still counting, until a later finish', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    s.observe(v1(clock));
    s.observe(v1(clock));
    clock.set(T0 + SERIES_FINISH_TIME_MS + 1);
    const writes: Write[] = [];
    assert.deepEqual((await s.finishSeries(recorder(writes, true))).map((r) => r.outcome), ['kept']);
    assert.equal(s.observe(v1(clock)).count, 3, 'the kept series goes on counting');
    clock.set(T0 + 2 * SERIES_FINISH_TIME_MS + 2);
    assert.deepEqual((await s.finishSeries(recorder(writes))).map((r) => [r.outcome, r.count]), [['written', 3]]);
  });

  it('the 30-minute refresh re-sends every series, idle or not, with its current count, and keeps them', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    const a = s.observe(v1(clock));
    s.observe(v1(clock));
    s.observe(v1(clock, { reason: 'Lonely' }));
    clock.set(T0 + 29 * 60 * S);
    s.observe(v1(clock));
    const writes: Write[] = [];
    clock.set(T0 + SERIES_REFRESH_TIME_MS);
    const reports = await s.tick(recorder(writes));
    // tick ran refresh (30 min since start) and finish (6 min since start): the series was observed 1 min ago,
    // so finish leaves it, and the 30-minute-old singleton is forgotten.
    assert.deepEqual(writes, [{ name: a.event.metadata.name, patch: { series: { count: 3, lastObservedTime: formatMicroTime(T0 + 29 * 60 * S) } } }]);
    assert.deepEqual(reports.map((r) => [r.outcome, r.count]).sort(), [['forgotten', 1], ['refreshed', 3]]);
    assert.equal(s.size, 1);
    assert.equal(s.observe(v1(clock)).count, 4, 'the refreshed series keeps counting');
  });

  it('tick runs refresh every 30 min and finish every 6 min, each on its own schedule', async () => {
    const clock = new FakeClock();
    const s = new EventSeriesTracker({ clock });
    const writes: Write[] = [];
    // Keep one series busy: observed every minute for an hour.
    s.observe(v1(clock));
    let refreshes = 0;
    for (let minute = 1; minute <= 60; minute++) {
      clock.set(T0 + minute * 60 * S);
      s.observe(v1(clock));
      const reports = await s.tick(recorder(writes));
      refreshes += reports.filter((r) => r.outcome === 'refreshed').length;
      assert.equal(reports.filter((r) => r.outcome === 'written').length, 0, `minute ${minute}: a busy series is never finished`);
    }
    assert.equal(refreshes, 2, 'refreshed at 30 and 60 min');
    assert.deepEqual(writes.map((w) => w.patch.series.count), [31, 61]);
  });
});
