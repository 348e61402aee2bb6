/**
 * What client-go does to an event between the recorder and the apiserver, so that emitting test events here
 * behaves like a controller's recorder:
 * - core/v1 (`tools/record`, events_cache.go): aggregation of similar events, then de-duplication into a
 *   count, then a per source+object spam filter ({@link EventCorrelator}).
 * - events.k8s.io/v1 (`tools/events`, event_broadcaster.go): isomorphic events become a series whose count
 *   is patched once, then counted locally and written when the series goes idle ({@link EventSeriesTracker}).
 * Pure code: time comes from a `Clock`, and nothing here sends anything. The parts: wire.ts (the JSON), time.ts,
 * lru.ts and tokenBucket.ts (client-go's building blocks), correlator.ts and series.ts; this file re-exports them.
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
export * from './wire';
export { epochMsToNs, formatMicroTime, formatTime, monotonicUnixNano } from './time';
export { LruCache } from './lru';
export { TokenBucket } from './tokenBucket';
export * from './correlator';
export * from './series';
