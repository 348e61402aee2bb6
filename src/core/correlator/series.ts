/** events.k8s.io/v1: client-go's series tracking (tools/events/event_broadcaster.go). See correlator.ts for where it differs on purpose. */
import { objectPath } from '../events/kubeEvent';
import { systemClock, type Clock } from '../ports';
import { formatMicroTime, seconds } from './time';
import type { EventsV1EventBody, ObjectReferenceJson, SeriesPatch } from './wire';

// client-go's numbers (tools/events/event_broadcaster.go).

/** client-go tools/events `finishTime`: a series idle this long gets its final count written, then forgotten. */
export const SERIES_FINISH_TIME_MS = 6 * 60_000;
/** client-go tools/events `refreshTime`: every series is re-sent this often (heartbeat against the event TTL). */
export const SERIES_REFRESH_TIME_MS = 30 * 60_000;

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
      return { action: 'create', event: first, reason: 'new', count: 1, explanation: `Created as a new event about ${objectPath(event.regarding)}.` };
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
