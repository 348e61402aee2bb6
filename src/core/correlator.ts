/**
 * What client-go does to an event between the recorder and the apiserver, so that emitting test events here
 * behaves like a controller's recorder:
 * - core/v1 (`tools/record`, events_cache.go): aggregation of similar events, then de-duplication into a
 *   count, then a per source+object spam filter ({@link EventCorrelator}).
 * - events.k8s.io/v1 (`tools/events`, event_broadcaster.go): isomorphic events become a series whose count
 *   is patched once, then counted locally and written when the series goes idle ({@link EventSeriesTracker}).
 * Pure code: time comes from a {@link Clock}, and nothing here sends anything.
 *
 * The core/v1 side is checked decision by decision against client-go v0.34.3 itself
 * (test/integration/correlatorOracle.test.ts), quirks included: keys whose fields run together, the spam
 * filter's float32 rate and truncated waits. Where it differs on purpose:
 * - A full aggregation group drops its oldest message; client-go drops an arbitrary one (Go map order).
 * - A combined event's name takes a nanosecond stamp that never repeats, shared with the recorder's names;
 *   client-go uses the clock's, so two combined events in one nanosecond would share a name.
 * - Out-of-range float-to-Duration conversions follow amd64 (see {@link TokenBucket}).
 * - A series refresh keeps our cached event; client-go keeps the server's answer in its place.
 * - An event observed while a series' final count is being written counts in that series (see
 *   {@link EventSeriesTracker.finishSeries}); client-go makes it wait, then starts a new event.
 */
import { systemClock, type Clock } from './ports';

// ---- client-go's numbers (tools/record/events_cache.go, tools/events/event_broadcaster.go) ----

/** client-go `maxLruCacheEntries`: size of each of the correlator's three LRU caches. */
export const MAX_LRU_CACHE_ENTRIES = 4096;
/** client-go `defaultAggregateMaxEvents`: distinct messages that trigger a combined event. */
export const DEFAULT_AGGREGATE_MAX_EVENTS = 10;
/** client-go `defaultAggregateIntervalInSeconds`: how long a group of similar events stays open. */
export const DEFAULT_AGGREGATE_INTERVAL_SECONDS = 600;
/** client-go `defaultSpamBurst`: events a source may send about one object (and type) at once. */
export const DEFAULT_SPAM_BURST = 25;
/** client-go `defaultSpamQPS`: refill rate of the spam filter's token bucket, 1 event per 5 minutes. */
export const DEFAULT_SPAM_QPS = 1 / 300;
/** client-go `EventAggregatorByReasonMessageFunc`'s prefix for combined events. */
export const AGGREGATE_MESSAGE_PREFIX = '(combined from similar events): ';
/** client-go tools/events `finishTime`: a series idle this long gets its final count written, then forgotten. */
export const SERIES_FINISH_TIME_MS = 6 * 60_000;
/** client-go tools/events `refreshTime`: every series is re-sent this often (heartbeat against the event TTL). */
export const SERIES_REFRESH_TIME_MS = 30 * 60_000;

// ---- wire shapes ----

/** An ObjectReference as core/v1 `involvedObject` and events.k8s.io/v1 `regarding`/`related` carry it. */
export interface ObjectReferenceJson {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiVersion?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly fieldPath?: string;
}

export interface EventMetadataJson {
  readonly name: string;
  readonly namespace: string;
  readonly resourceVersion?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A core/v1 Event as the Recorder builds it and the sink sends it (JSON field names). */
export interface CoreV1EventBody {
  readonly apiVersion: 'v1';
  readonly kind: 'Event';
  readonly metadata: EventMetadataJson;
  readonly involvedObject: ObjectReferenceJson;
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly count: number;
  /** RFC 3339, second precision (metav1.Time). */
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly source: { readonly component?: string; readonly host?: string };
  /** Go's `ReportingController`; its JSON name is `reportingComponent`. */
  readonly reportingComponent?: string;
  readonly reportingInstance?: string;
  readonly action?: string;
  readonly related?: ObjectReferenceJson;
}

/** The body of a core/v1 dedup patch: what client-go's two-way strategic merge patch contains. */
export interface CoreEventPatch {
  readonly count: number;
  readonly lastTimestamp: string;
  readonly message?: string;
}

/** An events.k8s.io/v1 Event as the Recorder builds it and the sink sends it. */
export interface EventsV1EventBody {
  readonly apiVersion: 'events.k8s.io/v1';
  readonly kind: 'Event';
  readonly metadata: EventMetadataJson;
  /** MicroTime: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  readonly eventTime: string;
  readonly series?: SeriesJson;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly type: string;
  readonly note: string;
  readonly regarding: ObjectReferenceJson;
  readonly related?: ObjectReferenceJson;
}

export interface SeriesJson {
  readonly count: number;
  /** MicroTime. */
  readonly lastObservedTime: string;
}

/** The body of an events.k8s.io/v1 series patch (client-go's `createPatchBytesForSeries`). */
export interface SeriesPatch {
  readonly series: SeriesJson;
}

// ---- time and names ----

/** metav1.Time on the wire: RFC 3339 with second precision, `2026-07-24T14:05:30Z`. */
export function formatTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * metav1.MicroTime on the wire: exactly six fractional digits, `2026-07-24T14:05:30.123456Z`. The apiserver
 * refuses the millisecond form a plain Date serialises to. Fractional milliseconds give the microseconds.
 */
export function formatMicroTime(epochMs: number): string {
  const micros = Math.round(epochMs * 1000);
  const wholeMs = Math.floor(micros / 1_000_000) * 1000;
  const frac = String(micros - wholeMs * 1000).padStart(6, '0');
  return new Date(wholeMs).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/**
 * A source of strictly increasing Unix nanoseconds derived from a millisecond clock, for event names
 * (`<object>.<hex nanoseconds>`): two events created within one millisecond still get different names.
 */
export function monotonicUnixNano(clock: Clock = systemClock): () => bigint {
  let last = 0n;
  return () => {
    let ns = BigInt(Math.floor(clock.now())) * 1_000_000n;
    if (ns <= last) ns = last + 1n;
    last = ns;
    return ns;
  };
}

// ---- an LRU cache (k8s.io/utils/lru semantics: Get and Add both make an entry the most recent) ----

/** A bounded map that forgets its least recently used entry when full. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!(maxEntries > 0)) throw new RangeError(`an LRU cache needs room for at least one entry, not ${maxEntries}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const v = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}

// ---- the spam filter's token bucket (k8s.io/client-go util/flowcontrol over golang.org/x/time/rate) ----

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
/** Go's largest time.Duration; `Time.Sub` saturates at it. */
const MAX_DURATION_NS = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Epoch milliseconds (possibly fractional) as whole nanoseconds, the resolution of Go's `time.Time`. */
export function epochMsToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** Go's `Duration.Seconds()`: whole seconds and the nanosecond remainder converted separately, then added. */
function durationSeconds(ns: bigint): number {
  return Number(ns / NS_PER_S) + Number(ns % NS_PER_S) / 1e9;
}

/**
 * Go's `time.Duration(f)` for a float64 on amd64: truncation toward zero, and the CPU's "integer indefinite"
 * (the smallest int64) for NaN and values out of range. Other architectures saturate instead.
 */
function goDurationFromFloat(f: number): bigint {
  if (!(f > -(2 ** 63) && f < 2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/**
 * The token bucket of client-go's spam filter, computing exactly what it computes. client-go builds it with
 * `flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(qps float32, burst, clock)`, a `rate.Limiter` whose
 * `AllowN(now, 1)` decides. Three things surprise:
 * - The rate passes through a float32: 1/300 becomes 0.0033333334140479565, a hair above 1/300, so a token is
 *   ready about 7 µs per 300 s sooner than with a double.
 * - Refill is `Duration.Seconds() · rate` in float64 over whole nanoseconds, and a shortfall becomes a wait of
 *   `time.Duration(1e9 · missing / rate)`, truncated: a bucket short by less than 1 ns of refill still allows
 *   the event, and its level goes a little below zero.
 * - A clock that steps back neither refills nor drains; an allowed event then moves the bucket's time back.
 * The bucket starts full: its last update is Go's zero time, so the first refill saturates at `burst`.
 */
export class TokenBucket {
  /** The refill rate in tokens per second, as x/time/rate holds it: float64(float32(qps)). */
  readonly limit: number;
  private tokens: number;
  /** Nanoseconds of the last update; undefined is Go's zero `time.Time`. */
  private lastNs: bigint | undefined;

  constructor(
    qps: number,
    readonly burst: number,
  ) {
    this.limit = Math.fround(qps);
    this.tokens = burst;
  }

  /** x/time/rate `advance`: the level at `nowNs`, without changing the bucket. */
  private advance(nowNs: bigint): number {
    let elapsed = MAX_DURATION_NS;
    if (this.lastNs !== undefined) {
      const last = nowNs < this.lastNs ? nowNs : this.lastNs;
      elapsed = nowNs - last;
      if (elapsed > MAX_DURATION_NS) elapsed = MAX_DURATION_NS;
    }
    const delta = this.limit <= 0 ? 0 : durationSeconds(elapsed) * this.limit;
    const tokens = this.tokens + delta;
    return tokens > this.burst ? this.burst : tokens;
  }

  /** x/time/rate `durationFromTokens`, in nanoseconds. */
  private durationFromTokens(tokens: number): bigint {
    if (this.limit <= 0) return MAX_DURATION_NS;
    return goDurationFromFloat(1e9 * (tokens / this.limit));
  }

  /** The level at `nowMs` (x/time/rate `TokensAt`); may be a little below zero, see the class comment. */
  tokensAt(nowMs: number): number {
    return this.advance(epochMsToNs(nowMs));
  }

  /** flowcontrol `TryAccept` = x/time/rate `AllowN(now, 1)`: takes one token if there is one. */
  tryAccept(nowMs: number): boolean {
    const now = epochMsToNs(nowMs);
    const tokens = this.advance(now) - 1;
    const wait = tokens < 0 ? this.durationFromTokens(-tokens) : 0n;
    if (!(1 <= this.burst && wait <= 0n)) return false;
    this.lastNs = now;
    this.tokens = tokens;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  msUntilNext(nowMs: number): number {
    const missing = 1 - this.advance(epochMsToNs(nowMs));
    if (!(missing > 0)) return 0;
    const ns = this.durationFromTokens(missing);
    return ns > 0n ? Math.ceil(Number(ns) / 1e6) : 0;
  }
}

// ---- core/v1: EventCorrelator ----

/** The knobs of client-go's `CorrelatorOptions`; a missing or zero value takes client-go's default. */
export interface CorrelatorOptions {
  /** `LRUCacheSize`, default {@link MAX_LRU_CACHE_ENTRIES}. */
  readonly lruSize?: number;
  /** `BurstSize`, default {@link DEFAULT_SPAM_BURST}. */
  readonly burst?: number;
  /** `QPS`, default {@link DEFAULT_SPAM_QPS}. */
  readonly qps?: number;
  /** `MaxEvents`, default {@link DEFAULT_AGGREGATE_MAX_EVENTS}. */
  readonly maxEvents?: number;
  /** `MaxIntervalInSeconds`, default {@link DEFAULT_AGGREGATE_INTERVAL_SECONDS}. */
  readonly maxIntervalSeconds?: number;
  /** `Clock`, default the system clock. */
  readonly clock?: Clock;
  /** Correlator off: every event is created as it is (no aggregation, counting or spam filter). */
  readonly bypass?: boolean;
  /** Unix nanoseconds for combined events' names; share the Recorder's so names never collide. */
  readonly unixNano?: () => bigint;
}

/** Why the correlator decided what it decided. */
export type CorrelationReason = 'new' | 'deduplicated' | 'aggregated' | 'spam-filtered';

/** What to send for one core/v1 event, returned by {@link EventCorrelator.correlate}. */
export interface CorrelationResult {
  /** `create` a new event, `patch` an existing one with {@link patch}, or send nothing. */
  readonly action: 'create' | 'patch' | 'skip';
  /** The event to create, or the observed event a patch applies to (its name, namespace, new count). */
  readonly event: CoreV1EventBody;
  readonly patch?: CoreEventPatch;
  readonly reason: CorrelationReason;
  /** Plain words for the user: what happened and which client-go rule did it. */
  readonly explanation: string;
}

interface AggregateRecord {
  readonly localKeys: Set<string>;
  /** Nanoseconds: client-go compares the interval at full `time.Time` precision. */
  lastTimestampNs: bigint;
}

interface EventLog {
  /** Go keeps `uint(event.Count)`: 0 means "not seen", any other value (even negative) is a count. */
  readonly count: number;
  readonly firstTimestamp: string;
  readonly name: string;
  readonly resourceVersion: string;
}

// client-go joins the fields of its three core/v1 cache keys with strings.Join(…, ""): no separator. So
// reason "Back" + message "Off x" is the same event as "BackOff" + " x", and source kubelet/node-1 the same
// source as kubeletnode-/1. A user comparing with their controller sees these merges, so keep them.
const CLIENT_GO_KEY_JOIN = '';

function refKeyParts(r: ObjectReferenceJson, withFieldPath: boolean): string[] {
  const parts = [r.kind, r.namespace ?? '', r.name];
  if (withFieldPath) parts.push(r.fieldPath ?? '');
  parts.push(r.uid ?? '', r.apiVersion ?? '');
  return parts;
}

/** client-go `getEventKey`: source, involved object (with fieldPath), type, reason and message, run together. */
export function getEventKey(e: CoreV1EventBody): string {
  return [e.source.component ?? '', e.source.host ?? '', ...refKeyParts(e.involvedObject, true), e.type, e.reason, e.message].join(CLIENT_GO_KEY_JOIN);
}

/** client-go `getSpamKey`: source, involved object and type, run together; no reason, no message. */
export function getSpamKey(e: CoreV1EventBody): string {
  return [e.source.component ?? '', e.source.host ?? '', ...refKeyParts(e.involvedObject, false), e.type].join(CLIENT_GO_KEY_JOIN);
}

/** client-go `EventAggregatorByReasonFunc`: [group key (fields run together), local key (the message)]. */
export function getAggregateKeys(e: CoreV1EventBody): [string, string] {
  const group = [
    e.source.component ?? '',
    e.source.host ?? '',
    ...refKeyParts(e.involvedObject, false),
    e.type,
    e.reason,
    e.reportingComponent ?? '',
    e.reportingInstance ?? '',
  ].join(CLIENT_GO_KEY_JOIN);
  return [group, e.message];
}

function describeRef(r: ObjectReferenceJson): string {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s === 1 ? '1 second' : `${s} seconds`;
}

/**
 * client-go's `EventCorrelator` for core/v1 events, in client-go's order: `EventAggregate`, then
 * `eventObserve` (dedup), then the spam filter. Call {@link correlate} before sending and
 * {@link updateState} with what the server returned after a successful write.
 */
export class EventCorrelator {
  readonly bypass: boolean;
  private readonly clock: Clock;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  private readonly maxIntervalNs: bigint;
  private readonly unixNano: () => bigint;
  private readonly aggregates: LruCache<string, AggregateRecord>;
  private readonly logs: LruCache<string, EventLog>;
  private readonly spam: LruCache<string, TokenBucket>;

  constructor(options: CorrelatorOptions = {}) {
    // populateDefaults: zero means "default", as in client-go.
    const lruSize = options.lruSize || MAX_LRU_CACHE_ENTRIES;
    this.burst = options.burst || DEFAULT_SPAM_BURST;
    // client-go's QPS option is a float32: a rate that rounds to 0 there means "default" too.
    this.qps = Math.fround(options.qps ?? 0) || DEFAULT_SPAM_QPS;
    this.maxEvents = options.maxEvents || DEFAULT_AGGREGATE_MAX_EVENTS;
    const maxIntervalSeconds = options.maxIntervalSeconds || DEFAULT_AGGREGATE_INTERVAL_SECONDS;
    this.maxIntervalMs = maxIntervalSeconds * 1000;
    this.maxIntervalNs = BigInt(Math.floor(maxIntervalSeconds)) * NS_PER_S;
    this.clock = options.clock ?? systemClock;
    this.bypass = options.bypass ?? false;
    this.unixNano = options.unixNano ?? monotonicUnixNano(this.clock);
    this.aggregates = new LruCache(lruSize);
    this.logs = new LruCache(lruSize);
    this.spam = new LruCache(lruSize);
  }

  /** Decides what to send for `event`: create it, patch an earlier one, or skip it. */
  correlate(event: CoreV1EventBody): CorrelationResult {
    if (this.bypass) {
      return { action: 'create', event, reason: 'new', explanation: 'Correlation is off: sent as a new event, as is (no aggregation, counting or spam filter).' };
    }
    const aggregated = this.aggregate(event);
    const { observed, patch, previous } = this.observe(aggregated.event, aggregated.key);
    const bucketKey = getSpamKey(observed);
    let bucket = this.spam.get(bucketKey);
    const now = this.clock.now();
    bucket ??= new TokenBucket(this.qps, this.burst);
    const accepted = bucket.tryAccept(now);
    this.spam.set(bucketKey, bucket);
    const what = describeRef(observed.involvedObject);
    if (!accepted) {
      return {
        action: 'skip',
        event: observed,
        reason: 'spam-filtered',
        explanation:
          `Not sent: the spam filter stopped it. "${observed.source.component ?? ''}" already sent ${this.burst} ${observed.type} events about ${what} ` +
          `in a burst; client-go's EventSourceObjectSpamFilter allows a burst of ${this.burst} per source, object and type, then 1 every ${seconds(1000 / this.qps)}. ` +
          `The next one is allowed in about ${seconds(bucket.msUntilNext(now))}.`,
      };
    }
    const action = observed.count > 1 ? 'patch' : 'create';
    if (aggregated.combined) {
      return {
        action,
        event: observed,
        ...(patch ? { patch } : {}),
        reason: 'aggregated',
        explanation:
          action === 'create'
            ? `Sent as a combined event: ${this.maxEvents} ${observed.type} "${observed.reason}" events with different messages about ${what} within ` +
              `${seconds(this.maxIntervalMs)} make client-go's EventAggregator replace them with one event whose message starts "${AGGREGATE_MESSAGE_PREFIX.trim()}".`
            : `Counted on the combined event ${observed.metadata.name} (now ${observed.count}): more similar ${observed.type} "${observed.reason}" events with ` +
              `different messages about ${what} within ${seconds(this.maxIntervalMs)}; client-go's EventAggregator keeps combining them.`,
      };
    }
    if (action === 'patch' && previous) {
      return {
        action,
        event: observed,
        ...(patch ? { patch } : {}),
        reason: 'deduplicated',
        explanation:
          `Counted on the existing event ${observed.metadata.name} (count ${previous.count} → ${observed.count}): it is identical to one sent before ` +
          `(same source, object, type, reason and message), so client-go's eventLogger patches the count and lastTimestamp instead of creating another.`,
      };
    }
    return { action: 'create', event: observed, reason: 'new', explanation: `Created as a new event about ${what}.` };
  }

  /** client-go `UpdateState`: remember the name, resourceVersion and count the server returned. */
  updateState(serverEvent: CoreV1EventBody): void {
    if (this.bypass) return;
    this.logs.set(getEventKey(serverEvent), {
      count: serverEvent.count ?? 0,
      firstTimestamp: serverEvent.firstTimestamp,
      name: serverEvent.metadata.name,
      resourceVersion: serverEvent.metadata.resourceVersion ?? '',
    });
  }

  /** client-go `EventAggregate`. */
  private aggregate(event: CoreV1EventBody): { event: CoreV1EventBody; key: string; combined: boolean } {
    const now = this.clock.now();
    const nowNs = epochMsToNs(now);
    const eventKey = getEventKey(event);
    const [aggregateKey, localKey] = getAggregateKeys(event);
    let record = this.aggregates.get(aggregateKey);
    // An unknown group, or one whose last similar event is older than the interval, starts afresh.
    if (!record || nowNs - record.lastTimestampNs > this.maxIntervalNs) record = { localKeys: new Set(), lastTimestampNs: nowNs };
    record.localKeys.add(localKey);
    record.lastTimestampNs = nowNs;
    this.aggregates.set(aggregateKey, record);
    if (record.localKeys.size < this.maxEvents) return { event, key: eventKey, combined: false };
    // Go's PopAny removes an arbitrary key; the oldest is as good and keeps tests deterministic.
    record.localKeys.delete(record.localKeys.values().next().value as string);
    const at = formatTime(now);
    const combined: CoreV1EventBody = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${event.involvedObject.name}.${this.unixNano().toString(16)}`, namespace: event.metadata.namespace },
      count: 1,
      firstTimestamp: at,
      involvedObject: event.involvedObject,
      lastTimestamp: at,
      message: AGGREGATE_MESSAGE_PREFIX + event.message,
      type: event.type,
      reason: event.reason,
      source: event.source,
    };
    return { event: combined, key: aggregateKey, combined: true };
  }

  /** client-go `eventLogger.eventObserve`. */
  private observe(event: CoreV1EventBody, key: string): { observed: CoreV1EventBody; patch?: CoreEventPatch; previous?: EventLog } {
    const last = this.logs.get(key);
    let observed = event;
    let patch: CoreEventPatch | undefined;
    if (last && last.count !== 0) {
      const { resourceVersion: _dropped, ...meta } = event.metadata;
      observed = {
        ...event,
        metadata: { ...meta, name: last.name, ...(last.resourceVersion ? { resourceVersion: last.resourceVersion } : {}) },
        firstTimestamp: last.firstTimestamp,
        // int32(uint(count)) + 1, with Go's int32 wrap-around.
        count: (last.count + 1) | 0,
      };
      // The two-way merge patch between the event with count 0, lastTimestamp 0 and message "" and the
      // observed event holds exactly these fields.
      patch = { count: observed.count, lastTimestamp: observed.lastTimestamp, ...(observed.message ? { message: observed.message } : {}) };
    }
    this.logs.set(key, {
      count: observed.count,
      firstTimestamp: observed.firstTimestamp,
      name: observed.metadata.name,
      resourceVersion: observed.metadata.resourceVersion ?? '',
    });
    return patch ? { observed, patch, ...(last ? { previous: last } : {}) } : { observed };
  }
}

// ---- events.k8s.io/v1: series ----

/** Options of {@link EventSeriesTracker}; times are injectable so tests do not wait minutes. */
export interface SeriesOptions {
  readonly clock?: Clock;
  /** tools/events `finishTime`, default {@link SERIES_FINISH_TIME_MS}. */
  readonly finishTimeMs?: number;
  /** tools/events `refreshTime`, default {@link SERIES_REFRESH_TIME_MS}. */
  readonly refreshTimeMs?: number;
  /** Series off: every emission is created as a new event. */
  readonly bypass?: boolean;
}

export type SeriesReason = 'new' | 'series-started' | 'series-counted';

/** What to send for one events.k8s.io/v1 event, returned by {@link EventSeriesTracker.observe}. */
export interface SeriesResult {
  readonly action: 'create' | 'patch' | 'skip';
  /** The event to create, or the series' first event carrying the new `series` (name, namespace). */
  readonly event: EventsV1EventBody;
  readonly patch?: SeriesPatch;
  readonly reason: SeriesReason;
  /** The count the series has now (1 for a new event). */
  readonly count: number;
  readonly explanation: string;
}

/** Writes one series patch; `retry: true` means the write failed in a way worth trying again later. */
export type SeriesWriter = (event: EventsV1EventBody, patch: SeriesPatch) => Promise<{ readonly retry: boolean }>;

/** What a finish or refresh pass did with one cached event. */
export interface SeriesFlushReport {
  readonly namespace: string;
  readonly name: string;
  readonly count: number;
  /** `written` final count then forgotten; `refreshed` heartbeat; `kept` write to retry; `forgotten` idle singleton. */
  readonly outcome: 'written' | 'refreshed' | 'kept' | 'forgotten';
}

interface SeriesEntry {
  /** The first event, as created; never carries `series` itself. */
  readonly event: EventsV1EventBody;
  readonly eventTimeMs: number;
  series?: { count: number; lastObservedMs: number };
}

/** tools/events `getKey`: type, action, reason, reportingController, reportingInstance, regarding, related. */
export function getIsomorphicKey(e: EventsV1EventBody): string {
  const ref = (r: ObjectReferenceJson | undefined): string[] =>
    r ? [r.kind, r.namespace ?? '', r.name, r.uid ?? '', r.apiVersion ?? '', r.resourceVersion ?? '', r.fieldPath ?? ''] : ['', '', '', '', '', '', ''];
  // client-go's key is a struct compared field by field, so the fields must not run together: JSON keeps them apart.
  return JSON.stringify([e.type, e.action, e.reason, e.reportingController, e.reportingInstance, ...ref(e.regarding), ...ref(e.related)]);
}

/**
 * The series logic of client-go's tools/events broadcaster. The first event of a key is created; the first
 * repeat sets `series {count: 2, lastObservedTime}` and is patched; later repeats only count locally.
 * {@link finishSeries} writes the final count of series idle for `finishTime` and forgets them (and idle
 * singletons); {@link refreshSeries} re-sends every series (heartbeat). {@link tick} runs whichever is due.
 */
export class EventSeriesTracker {
  readonly bypass: boolean;
  readonly finishTimeMs: number;
  readonly refreshTimeMs: number;
  private readonly clock: Clock;
  private readonly cache = new Map<string, SeriesEntry>();
  private lastFinish: number;
  private lastRefresh: number;

  constructor(options: SeriesOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.finishTimeMs = options.finishTimeMs || SERIES_FINISH_TIME_MS;
    this.refreshTimeMs = options.refreshTimeMs || SERIES_REFRESH_TIME_MS;
    this.bypass = options.bypass ?? false;
    this.lastFinish = this.lastRefresh = this.clock.now();
  }

  /** Events (singletons and series) currently remembered. */
  get size(): number {
    return this.cache.size;
  }

  observe(event: EventsV1EventBody): SeriesResult {
    if (this.bypass) {
      return { action: 'create', event, reason: 'new', count: 1, explanation: 'Series are off: sent as a new event, as is.' };
    }
    const key = getIsomorphicKey(event);
    const entry = this.cache.get(key);
    const now = this.clock.now();
    if (!entry) {
      const { series: _none, ...first } = event;
      this.cache.set(key, { event: first, eventTimeMs: now });
      return { action: 'create', event: first, reason: 'new', count: 1, explanation: `Created as a new event about ${describeRef(event.regarding)}.` };
    }
    if (entry.series) {
      entry.series.count++;
      entry.series.lastObservedMs = now;
      return {
        action: 'skip',
        event: withSeries(entry),
        reason: 'series-counted',
        count: entry.series.count,
        explanation:
          `Counted in the series of ${entry.event.metadata.name} (now ${entry.series.count}) without a request: client-go's events recorder writes ` +
          `the final count once the series has been idle for ${seconds(this.finishTimeMs)}, and refreshes it every ${seconds(this.refreshTimeMs)}.`,
      };
    }
    entry.series = { count: 2, lastObservedMs: now };
    const ev = withSeries(entry);
    return {
      action: 'patch',
      event: ev,
      patch: { series: ev.series! },
      reason: 'series-started',
      count: 2,
      explanation:
        `Started a series on ${entry.event.metadata.name}: it repeats an event sent before (same type, action, reason, reporting controller and ` +
        `instance, regarding and related objects), so its series is patched to count 2; further repeats are counted locally.`,
    };
  }

  /** tools/events `finishSeries`: writes final counts of series idle for `finishTime` and forgets them. */
  async finishSeries(write: SeriesWriter): Promise<SeriesFlushReport[]> {
    const now = this.clock.now();
    this.lastFinish = now;
    const due: { key: string; entry: SeriesEntry; count: number; last: number; record: boolean }[] = [];
    for (const [key, entry] of this.cache) {
      if (entry.series) {
        if (entry.series.lastObservedMs < now - this.finishTimeMs) due.push({ key, entry, count: entry.series.count, last: entry.series.lastObservedMs, record: true });
      } else if (entry.eventTimeMs < now - this.finishTimeMs) {
        due.push({ key, entry, count: 1, last: entry.eventTimeMs, record: false });
      }
    }
    const reports: SeriesFlushReport[] = [];
    for (const d of due) {
      const report = { namespace: d.entry.event.metadata.namespace, name: d.entry.event.metadata.name, count: d.count };
      if (d.record) {
        const snapshot = withSeries(d.entry, { count: d.count, lastObservedMs: d.last });
        const { retry } = await write(snapshot, { series: snapshot.series! });
        if (retry) {
          reports.push({ ...report, outcome: 'kept' });
          continue;
        }
      }
      // An event observed while the write was in flight means the series is active again: keep it. client-go
      // holds its cache lock across these writes, so there the event waits and then starts a new event. The
      // recorder gets the same order by running this pass on its send queue (src/kube/recorder.ts); a caller
      // that observes concurrently anyway has the event counted in the series.
      const current = this.cache.get(d.key);
      const unchanged = current === d.entry && (current.series ? current.series.count === d.count && current.series.lastObservedMs === d.last : !d.record);
      if (unchanged) this.cache.delete(d.key);
      reports.push({ ...report, outcome: unchanged ? (d.record ? 'written' : 'forgotten') : 'kept' });
    }
    return reports;
  }

  /** tools/events `refreshExistingEventSeries`: re-sends every series so it outlives the event TTL. */
  async refreshSeries(write: SeriesWriter): Promise<SeriesFlushReport[]> {
    this.lastRefresh = this.clock.now();
    const reports: SeriesFlushReport[] = [];
    for (const entry of [...this.cache.values()]) {
      if (!entry.series) continue;
      const snapshot = withSeries(entry);
      const { retry } = await write(snapshot, { series: snapshot.series! });
      reports.push({ namespace: entry.event.metadata.namespace, name: entry.event.metadata.name, count: snapshot.series!.count, outcome: retry ? 'kept' : 'refreshed' });
    }
    return reports;
  }

  /** Runs {@link finishSeries} and {@link refreshSeries} when their interval has passed on the clock. */
  async tick(write: SeriesWriter): Promise<SeriesFlushReport[]> {
    const now = this.clock.now();
    const reports: SeriesFlushReport[] = [];
    if (now - this.lastRefresh >= this.refreshTimeMs) reports.push(...(await this.refreshSeries(write)));
    if (now - this.lastFinish >= this.finishTimeMs) reports.push(...(await this.finishSeries(write)));
    return reports;
  }
}

function withSeries(entry: SeriesEntry, series = entry.series): EventsV1EventBody {
  return series ? { ...entry.event, series: { count: series.count, lastObservedTime: formatMicroTime(series.lastObservedMs) } } : entry.event;
}
