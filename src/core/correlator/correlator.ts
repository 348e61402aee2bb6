/**
 * What client-go does to an event between the recorder and the apiserver, so that emitting test events here
 * behaves like a controller's recorder:
 * - core/v1 (`tools/record`, events_cache.go): aggregation of similar events, then de-duplication into a
 *   count, then a per source+object spam filter ({@link EventCorrelator}).
 * - events.k8s.io/v1 (`tools/events`, event_broadcaster.go): isomorphic events become a series whose count
 *   is patched once, then counted locally and written when the series goes idle ({@link EventSeriesTracker}).
 * Pure code: time comes from a `Clock`, and nothing here sends anything. The parts, in this folder: wire.ts (the JSON),
 * time.ts, lru.ts and tokenBucket.ts (client-go's building blocks), this file and series.ts.
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
import { objectPath } from '../events/kubeEvent';
import { systemClock, type Clock } from '../ports';
import { LruCache } from './lru';
import { NS_PER_S, epochMsToNs, formatTime, monotonicUnixNano, seconds } from './time';
import { TokenBucket } from './tokenBucket';
import type { CoreEventPatch, CoreV1EventBody, ObjectReferenceJson } from './wire';

// client-go's numbers (tools/record/events_cache.go).

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
  /** For a spam-filtered event: milliseconds until its source+object+type bucket holds a token again. */
  readonly nextTokenMs?: number;
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
    const what = objectPath(observed.involvedObject);
    if (!accepted) {
      return {
        action: 'skip',
        event: observed,
        reason: 'spam-filtered',
        nextTokenMs: bucket.msUntilNext(now),
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
