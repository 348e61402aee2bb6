// Counted events on the time lanes: a span from first to last seen with its count, never a lone point that
// leaves the lane empty for the minutes the event kept firing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toEventDto } from '../../../src/host/timeline/eventDto';
import type { EventDto } from '../../../src/protocol/webview';
import { MAX_SPAN_ROWS, dataRange, layoutLanes } from '../../../src/webview/laneLayout';
import { markerTitle, spanTitle } from '../../../src/webview/laneText';
import { anEvent, type EventOverrides } from '../support/eventBuilder';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const id = (d: EventDto) => d;

function on(name: string, overrides: EventOverrides): EventDto {
  return toEventDto(anEvent({ regarding: { kind: 'Job', name, namespace: 'batch' }, namespace: 'batch', ...overrides }));
}

/** A counted core/v1 event: `count` occurrences from `first` to `last`. */
const counted = (name: string, first: number, last: number, count: number, extra: EventOverrides = {}) =>
  on(name, { firstSeen: first, firstTimestamp: first, lastSeen: last, lastTimestamp: last, count, ...extra });

describe('counted events as spans on the lanes', () => {
  it('draws FailedCreate ×10 over 11 minutes as one span from first to last seen, with its count', () => {
    const e = counted('quota', T0 + MIN, T0 + 12 * MIN, 10, { type: 'Warning', reason: 'FailedCreate' });
    const layout = layoutLanes([e], id, { start: T0, end: T0 + 20 * MIN }, { slots: 400 });
    const lane = layout.lanes[0];
    assert.deepEqual(lane.markers, [], 'no separate point for a spanned event');
    assert.equal(lane.spans.length, 1);
    const s = lane.spans[0];
    assert.equal(s.x1, 0.05);
    assert.equal(s.x2, 0.6);
    assert.deepEqual([s.kind, s.count, s.events, s.uid, s.row], ['warning', 10, 1, e.uid, 0]);
    assert.deepEqual([s.firstSeen, s.lastSeen, s.clippedStart, s.clippedEnd], [T0 + MIN, T0 + 12 * MIN, false, false]);
    assert.equal(lane.rows, 1);
    assert.match(spanTitle(s), /^FailedCreate ×10 · Warning\n.*→ last seen .* \(11m\)\nSource: default-scheduler · written via core\/v1 \(record\.EventRecorder\) · read via core\/v1$/);
  });

  it('covers the minutes a JobAlreadyActive ×7 kept firing: the lane is not empty between its ends', () => {
    const e = counted('nightly', T0, T0 + 7 * MIN, 7, { reason: 'JobAlreadyActive' });
    const [lane] = layoutLanes([e], id, { start: T0, end: T0 + 8 * MIN }, { slots: 200 }).lanes;
    const s = lane.spans[0];
    for (let minute = 0; minute <= 7; minute++) {
      const x = (minute * MIN) / (8 * MIN);
      assert.ok(s.x1 <= x && x <= s.x2, `minute ${minute} lies on the span`);
    }
  });

  it('draws an events.k8s.io/v1 series from eventTime (first observation) to lastObservedTime', () => {
    const e = toEventDto(
      anEvent({
        regarding: { kind: 'Pod', name: 'pending', namespace: 'shop' },
        type: 'Warning',
        reason: 'FailedScheduling',
        action: 'Scheduling',
        count: 6,
        series: { count: 6, lastObservedTime: T0 + 5 * MIN },
        eventTime: T0,
        firstTimestamp: 0,
        lastTimestamp: 0,
        firstSeen: T0,
        lastSeen: T0 + 5 * MIN,
      }),
    );
    assert.equal(e.writtenBy, 'events.k8s.io/v1');
    const [lane] = layoutLanes([e], id, { start: T0, end: T0 + 10 * MIN }).lanes;
    assert.deepEqual(lane.spans.map((s) => [s.x1, s.x2, s.count]), [[0, 0.5, 6]]);
    assert.match(spanTitle(lane.spans[0]), /written via events\.k8s\.io\/v1 \(events\.EventRecorder\) · read via core\/v1/);
  });

  it('fits the axis to a counted event\'s first observation, not only its last', () => {
    const e = counted('a', T0, T0 + 30 * MIN, 31);
    assert.deepEqual(dataRange([e, on('b', { lastSeen: T0 + 20 * MIN })], id), { start: T0, end: T0 + 30 * MIN });
  });

  it('clips a span to a zoomed axis and says which end runs on', () => {
    const e = counted('a', T0, T0 + 10 * MIN, 11);
    const [lane] = layoutLanes([e], id, { start: T0 + 2 * MIN, end: T0 + 6 * MIN }).lanes;
    const s = lane.spans[0];
    assert.deepEqual([s.x1, s.x2, s.clippedStart, s.clippedEnd], [0, 1, true, true]);
    const off = layoutLanes([e], id, { start: T0 + 11 * MIN, end: T0 + 12 * MIN }).lanes[0];
    assert.deepEqual([off.spans, off.markers], [[], []], 'a span that ended before the axis is not drawn');
  });

  it('keeps events seen once as markers, next to spans of the same object', () => {
    const once = on('a', { lastSeen: T0 + 9 * MIN, reason: 'Completed' });
    const many = counted('a', T0, T0 + 5 * MIN, 4, { reason: 'BackOff', type: 'Warning' });
    const [lane] = layoutLanes([once, many], id, { start: T0, end: T0 + 10 * MIN }).lanes;
    assert.deepEqual(lane.markers.map((m) => [m.reason, m.x, m.count]), [['Completed', 0.9, 1]]);
    assert.deepEqual(lane.spans.map((s) => s.reason), ['BackOff']);
    assert.equal(lane.events, 2);
  });

  it('moves a span off the markers\' row when it would cover one, so a point never reads as part of it', () => {
    const pulled = on('a', { lastSeen: T0 + 5 * MIN, reason: 'Pulled' });
    const pulling = counted('a', T0 + MIN, T0 + 8 * MIN, 17, { reason: 'Pulling' });
    const later = counted('a', T0 + 6 * MIN, T0 + 9 * MIN, 4, { reason: 'Later', type: 'Warning' });
    const [lane] = layoutLanes([pulled, pulling, later], id, { start: T0, end: T0 + 10 * MIN }).lanes;
    assert.deepEqual(lane.markers.map((m) => [m.reason, m.x]), [['Pulled', 0.5]]);
    assert.deepEqual(lane.spans.map((s) => [s.reason, s.row]), [['Pulling', 1], ['Later', 0]]);
    assert.equal(lane.rows, 2);
  });

  it('draws a counted event too short for the zoom as a marker that still tells its count', () => {
    const e = counted('a', T0 + 10 * MIN, T0 + 10 * MIN + 2_000, 3, { reason: 'Pulled' });
    const [lane] = layoutLanes([e], id, { start: T0, end: T0 + 20 * MIN }, { slots: 100 }).lanes;
    assert.deepEqual(lane.spans, []);
    assert.equal(lane.markers.length, 1);
    assert.equal(lane.markers[0].count, 3);
    assert.match(markerTitle(lane.markers[0]), /^Pulled · .* · ×3\nSource: default-scheduler/);
  });

  it('stacks overlapping spans into sub-rows and merges beyond MAX_SPAN_ROWS into an overlapping one, with the summed count', () => {
    assert.equal(MAX_SPAN_ROWS, 4);
    const spans = Array.from({ length: MAX_SPAN_ROWS + 2 }, (_, i) => counted('a', T0 + i * MIN, T0 + (10 + i) * MIN, 2 + i, { reason: `R${i}` }));
    const apart = counted('a', T0 + 15.5 * MIN, T0 + 19 * MIN, 5, { reason: 'Later' });
    const [lane] = layoutLanes([...spans, apart], id, { start: T0, end: T0 + 20 * MIN }).lanes;
    assert.equal(lane.rows, MAX_SPAN_ROWS);
    assert.deepEqual(lane.spans.map((s) => [s.reason, s.row, s.count, s.events]), [
      ['R0', 0, 2, 1],
      ['Later', 0, 5, 1],
      ['R1', 1, 3, 1],
      ['R2', 2, 4, 1],
      // R4 and R5 join R3, the overlapping span reaching furthest; the newest of them is shown.
      ['R5', 3, 5 + 6 + 7, 3],
    ]);
    const merged = lane.spans[4];
    assert.deepEqual([merged.x1, merged.x2, merged.firstSeen, merged.lastSeen], [0.15, 0.75, T0 + 3 * MIN, T0 + 15 * MIN]);
    assert.match(spanTitle(merged), /^3 repeated events overlap here, ×18 in all; newest: R5/);
  });

  it('never merges across a gap or over the markers\' row when another overlapping row exists', () => {
    const point = on('a', { lastSeen: T0 + 4 * MIN, reason: 'Pulled' });
    const long = [0, 1, 2].map((i) => counted('a', T0 + i * 10_000, T0 + 8 * MIN, 10, { reason: `L${i}` }));
    const short = counted('a', T0 + 6 * MIN, T0 + 6.2 * MIN, 3, { reason: 'Short' });
    const warn = counted('a', T0 + 5 * MIN, T0 + 9 * MIN, 3, { reason: 'W', type: 'Warning' });
    const extra = counted('a', T0 + 5.5 * MIN, T0 + 9.5 * MIN, 2, { reason: 'X', type: 'Warning' });
    const [lane] = layoutLanes([point, ...long, short, warn, extra], id, { start: T0, end: T0 + 10 * MIN }).lanes;
    for (const s of lane.spans) {
      if (s.row === 0) assert.ok(s.x2 < 0.4 || s.x1 > 0.4, `${s.reason} on row 0 leaves the Pulled marker uncovered`);
    }
    // Rows: 0 = W (after the marker), 1–3 = L0–L2 (they would cover it). X and Short find no free row.
    const merged = lane.spans.filter((s) => s.events > 1).map((s) => [s.reason, s.kind, s.row, s.count]);
    assert.deepEqual(merged, [
      ['L0', 'normal', 1, 13],
      ['X', 'warning', 0, 5],
    ], 'each into an overlapping span of its own kind');
  });

  it('merges counted events that would draw on the same pixels, as markers in one slot merge', () => {
    const a = counted('a', T0 + MIN, T0 + 5 * MIN, 3, { reason: 'Pulled' });
    const b = counted('a', T0 + MIN + 1_000, T0 + 5 * MIN + 1_000, 4, { reason: 'Created' });
    const [lane] = layoutLanes([a, b], id, { start: T0, end: T0 + 10 * MIN }, { slots: 50 }).lanes;
    assert.deepEqual(lane.spans.map((s) => [s.reason, s.count, s.events, s.firstSeen]), [['Created', 7, 2, T0 + MIN]]);
    const fine = layoutLanes([a, b], id, { start: T0, end: T0 + 10 * MIN }, { slots: 2_000 }).lanes[0];
    assert.equal(fine.spans.length, 2, 'apart when the lane is wide enough to tell them apart');
  });

  it('draws Warning spans after Normal ones, so they stay on top', () => {
    const w = counted('a', T0, T0 + 5 * MIN, 3, { type: 'Warning', reason: 'W' });
    const n = counted('a', T0 + 6 * MIN, T0 + 9 * MIN, 3, { reason: 'N' });
    const [lane] = layoutLanes([w, n], id, { start: T0, end: T0 + 10 * MIN }).lanes;
    assert.deepEqual(lane.spans.map((s) => s.reason), ['N', 'W']);
  });

  it('lays out 100,000 events with many counted ones in bounded output', () => {
    const events: EventDto[] = [];
    for (let i = 0; i < 100_000; i++) {
      const t = T0 + (i % 6_000) * 1_000;
      events.push(i % 3 === 0 ? counted(`p${i % 50}`, t - 60_000, t, 5) : on(`p${i % 50}`, { lastSeen: t }));
    }
    const range = dataRange(events, id);
    assert.ok(range);
    const layout = layoutLanes(events, id, range, { slots: 300 });
    for (const lane of layout.lanes) {
      assert.ok(lane.rows <= MAX_SPAN_ROWS);
      assert.ok(lane.spans.length <= MAX_SPAN_ROWS * 300, `${lane.spans.length} spans in ${lane.label}`);
    }
  });
});
