import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent } from '../../../src/core/events/kubeEvent';
import { matches } from '../../../src/core/query/evaluate';
import { parseQuery } from '../../../src/core/query/parse';
import type { Query } from '../../../src/core/query/syntax';
import { eventSortKey, toEventDto } from '../../../src/host/timeline/eventDto';
import { resetOrder } from '../../../src/host/timeline/resetOrder';
import { TIMELINE_COLUMNS, type EventDto, type FilterStateDto } from '../../../src/protocol/webview';
import { dtoMatchable } from '../../../src/webview/dtoMatchable';
import { formatSpan } from '../../../src/core/text/format';
import { formatCount, statusLine } from '../../../src/webview/format';
import {
  MIN_SPAN_MS,
  dataRange,
  layoutLanes,
  markerKind,
  panBy,
  timeTicks,
  visibleRange,
  zoomBy,
} from '../../../src/webview/laneLayout';
import { comparator, mergeSorted, nextSort, sortBy, sortKey } from '../../../src/webview/sortModel';
import { DEFAULT_SORT, type SortState } from '../../../src/protocol/timelineOrder';
import { TimelineModel } from '../../../src/webview/timelineModel';
import { readViewState } from '../../../src/webview/viewState';
import { scrollToReveal, virtualWindow } from '../../../src/webview/virtualWindow';
import { anEvent, type EventOverrides } from '../support/eventBuilder';

const T0 = 1_700_000_000_000;
const id = (d: EventDto) => d;

function dto(overrides: EventOverrides = {}): EventDto {
  return toEventDto(anEvent(overrides));
}

function query(text: string): Query {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const VIEW_ALL: FilterStateDto = { text: '', applied: '', where: 'view' };
const viewFilter = (text: string): FilterStateDto => ({ text, applied: query(text).text, where: 'view' });

/** A deterministic mix of events over 20 objects, types, reasons and times. */
function mixed(n: number): EventDto[] {
  const reasons = ['Scheduled', 'Pulled', 'BackOff', 'Created', 'FailedMount'];
  return Array.from({ length: n }, (_, i) =>
    dto({
      uid: `uid-${String(i).padStart(6, '0')}`,
      type: i % 7 === 0 ? 'Warning' : 'Normal',
      reason: reasons[i % reasons.length],
      message: `message ${(i * 7919) % 1000}`,
      namespace: i % 3 === 0 ? 'prod' : 'dev',
      regarding: { kind: i % 2 ? 'Pod' : 'ReplicaSet', name: `obj-${i % 20}`, namespace: i % 3 === 0 ? 'prod' : 'dev' },
      count: 1 + ((i * 31) % 9),
      lastSeen: T0 + ((i * 104_729) % 3_600_000),
      firstSeen: T0 - ((i * 13) % 1000) * 1000,
      reportingController: i % 4 ? 'kubelet' : 'kube-events-vscode',
      ours: i % 4 === 0,
    }),
  );
}

function isSorted(rows: readonly EventDto[], sort: SortState): boolean {
  const cmp = comparator(sort);
  for (let i = 1; i < rows.length; i++) if (cmp(rows[i - 1], rows[i]) > 0) return false;
  return true;
}

describe('timeline sorting', () => {
  it('defaults to newest first and flips or resets direction on header clicks', () => {
    assert.deepEqual(DEFAULT_SORT, { column: 'lastSeen', direction: 'desc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'lastSeen'), { column: 'lastSeen', direction: 'asc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'reason'), { column: 'reason', direction: 'asc' });
    assert.deepEqual(nextSort({ column: 'reason', direction: 'asc' }, 'reason'), { column: 'reason', direction: 'desc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'count'), { column: 'count', direction: 'desc' });
    assert.deepEqual(nextSort(DEFAULT_SORT, 'firstSeen'), { column: 'firstSeen', direction: 'desc' });
  });

  for (const column of ['lastSeen', 'type', 'reason', 'object', 'message', 'count', 'source', 'namespace', 'firstSeen'] as const) {
    for (const direction of ['asc', 'desc'] as const) {
      it(`sorts by ${column} ${direction} into a total order`, () => {
        const sort = { column, direction };
        const rows = sortBy(mixed(500), id, sort);
        assert.equal(rows.length, 500);
        assert.ok(isSorted(rows, sort));
        assert.equal(new Set(rows.map((r) => r.uid)).size, 500);
      });
    }
  }

  it('compares text case-insensitively and breaks ties newest first, then by uid', () => {
    const a = dto({ uid: 'a', reason: 'backoff', lastSeen: T0 });
    const b = dto({ uid: 'b', reason: 'BackOff', lastSeen: T0 + 1 });
    const c = dto({ uid: 'c', reason: 'BACKOFF', lastSeen: T0 + 1 });
    const d = dto({ uid: 'd', reason: 'Created', lastSeen: T0 });
    assert.deepEqual(sortBy([d, a, c, b], id, { column: 'reason', direction: 'asc' }).map((r) => r.uid), ['b', 'c', 'a', 'd']);
  });

  it('takes the store order (ascending lastSeen) to newest first by reversal, without reordering ties', () => {
    const asc = Array.from({ length: 100 }, (_, i) => dto({ uid: `u${String(i).padStart(3, '0')}`, lastSeen: T0 + i }));
    assert.deepEqual(sortBy(asc, id, DEFAULT_SORT).map((r) => r.uid), asc.map((r) => r.uid).reverse());
  });

  it('merges two sorted runs into one sorted run', () => {
    const sort: SortState = { column: 'count', direction: 'desc' };
    const cmp = comparator(sort);
    const all = mixed(300);
    const a = sortBy(all.slice(0, 200), id, sort);
    const b = sortBy(all.slice(200), id, sort);
    const merged = mergeSorted(a, b, cmp);
    assert.deepEqual(merged, sortBy(all, id, sort));
    assert.deepEqual(mergeSorted([], b, cmp), b);
    assert.deepEqual(mergeSorted(a, [], cmp), a);
  });
});

describe('timeline model', () => {
  it('resets to every event, newest first', () => {
    const m = new TimelineModel(() => T0);
    const events = mixed(200);
    m.reset(events, VIEW_ALL);
    assert.equal(m.total, 200);
    assert.equal(m.rows.length, 200);
    assert.ok(isSorted(m.rows.map((r) => r.dto), DEFAULT_SORT));
  });

  it('keeps the same rows whether events arrive in one reset or in batches of upserts and removes', () => {
    const events = mixed(1_000);
    const filter = viewFilter('type:Warning,Normal -reason:Created');
    const sort: SortState = { column: 'object', direction: 'asc' };
    const batched = new TimelineModel(() => T0 + 3_600_000);
    batched.setSort(sort);
    batched.reset(events.slice(0, 100), filter);
    for (let i = 100; i < 1_000; i += 37) batched.upsert(events.slice(i, i + 37));
    // New versions of some events (changed reason / count), and removals.
    const changed = events.filter((_, i) => i % 11 === 0).map((d, i) => ({ ...d, reason: i % 2 ? 'Created' : 'Pulled', count: d.count + 1 }));
    batched.upsert(changed);
    const removed = events.filter((_, i) => i % 13 === 0).map((d) => d.uid);
    batched.remove(removed);
    batched.remove(['not-held']);

    const byUid = new Map(events.map((d) => [d.uid, d]));
    for (const d of changed) byUid.set(d.uid, d);
    for (const uid of removed) byUid.delete(uid);
    const direct = new TimelineModel(() => T0 + 3_600_000);
    direct.setSort(sort);
    direct.reset([...byUid.values()], filter);

    assert.equal(batched.total, byUid.size);
    assert.deepEqual(batched.rows.map((r) => r.dto), direct.rows.map((r) => r.dto));
    assert.ok(isSorted(batched.rows.map((r) => r.dto), sort));
    assert.ok(batched.rows.every((r) => r.dto.reason !== 'Created'));
  });

  it('filters with the core query language and keeps the sort order without re-sorting', () => {
    const m = new TimelineModel(() => T0 + 3_600_000);
    m.reset(mixed(700), VIEW_ALL);
    const before = m.rows.map((r) => r.dto.uid);
    assert.equal(m.setFilter(viewFilter('type:Warning ns:prod')), true);
    const expected = before.filter((uid) => {
      const r = m.get(uid);
      return r?.dto.type === 'Warning' && r.dto.namespace === 'prod';
    });
    assert.deepEqual(m.rows.map((r) => r.dto.uid), expected);
    assert.ok(m.rows.length > 0);
    assert.equal(m.setFilter(viewFilter('type:Warning ns:prod')), false, 'same filter: nothing to do');
    m.setFilter(VIEW_ALL);
    assert.equal(m.rows.length, 700);
  });

  it('evaluates since: against the clock', () => {
    let now = T0 + 60_000;
    const m = new TimelineModel(() => now);
    m.reset([dto({ lastSeen: T0 }), dto({ lastSeen: T0 + 50_000 })], viewFilter('since:30s'));
    assert.equal(m.timeDependent, true);
    assert.equal(m.rows.length, 1);
    now += 60_000;
    m.refilter();
    assert.equal(m.rows.length, 0);
  });

  it('applies no filter of its own when the host filters (under:)', () => {
    const m = new TimelineModel(() => T0);
    const events = [dto({ regarding: { kind: 'Pod', name: 'web-1' } }), dto({ regarding: { kind: 'Pod', name: 'db-1' } })];
    m.reset(events, { text: 'under:Deployment/web', applied: 'under:Deployment/web', where: 'host' });
    assert.equal(m.rows.length, 2);
    assert.equal(m.activeQuery.isEmpty, true);
  });

  it("ends a reset's pages as one reset would, with a filter typed between them, its first screenful staying on top", () => {
    // The events as the store holds them; the host sends them in resetOrder's pages, the view merges each.
    const events: KubeEvent[] = Array.from({ length: 2_000 }, (_, i) =>
      anEvent({
        type: i % 7 === 0 ? 'Warning' : 'Normal',
        reason: ['Scheduled', 'Pulled', 'BackOff', 'Created', 'FailedMount'][i % 5],
        regarding: { kind: i % 2 ? 'Pod' : 'ReplicaSet', name: `obj-${(i * 7919) % 97}`, namespace: i % 3 ? 'dev' : 'prod' },
        count: 1 + ((i * 31) % 9),
        lastSeen: T0 + ((i * 104_729) % 3_600_000),
      }),
    );
    for (const sort of [DEFAULT_SORT, { column: 'object', direction: 'asc' }, { column: 'count', direction: 'desc' }] as const) {
      const order = resetOrder(events, sort, 50, undefined, true);
      const dtos = [...order.first, ...{ [Symbol.iterator]: () => order.rest }].map(toEventDto);
      assert.equal(dtos.length, events.length);
      assert.equal(order.restCount, events.length - 50);
      const paged = new TimelineModel(() => T0 + 3_600_000);
      paged.setSort(sort);
      paged.reset(dtos.slice(0, 50), VIEW_ALL);
      const firstScreen = paged.rows.map((r) => r.dto.uid);
      for (let i = 50, page = 0; i < dtos.length; i += 300, page++) {
        // The user types a filter while the pages arrive: it applies to those held and to every later page.
        if (page === 2) paged.setFilter(viewFilter('type:Warning,Normal -reason:Created'));
        paged.upsert(dtos.slice(i, i + 300));
      }
      const direct = new TimelineModel(() => T0 + 3_600_000);
      direct.setSort(sort);
      direct.reset(events.map(toEventDto), viewFilter('type:Warning,Normal -reason:Created'));
      assert.equal(paged.total, events.length, `${sort.column}: every event held`);
      assert.deepEqual(paged.rows.map((r) => r.dto.uid), direct.rows.map((r) => r.dto.uid), `${sort.column}: same rows in the same order`);
      paged.setFilter(VIEW_ALL);
      assert.deepEqual(paged.rows.slice(0, firstScreen.length).map((r) => r.dto.uid), firstScreen, `${sort.column}: no page put a row above the first screenful`);
    }
  });

  it('ranks events in the host exactly as the view sorts their DTOs', () => {
    const events = [
      anEvent({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting', regarding: { kind: 'Pod', name: 'Web-1', namespace: 'prod' } }),
      anEvent({ reason: 'backoff', message: 'x'.repeat(5_000), count: 3, reportingController: 'Kubelet', eventTime: T0 }),
      anEvent({ type: 'Custom', reason: 'Évicted', namespace: 'ÄPP', count: -1, lastSeen: Number.NaN }),
    ];
    for (const [column] of TIMELINE_COLUMNS) {
      for (const e of events) assert.equal(eventSortKey(column, e), sortKey(column, toEventDto(e)), `${column} of ${e.reason}`);
    }
  });

  it('re-sorts on a sort change and finds rows by uid', () => {
    const m = new TimelineModel(() => T0);
    m.reset(mixed(50), VIEW_ALL);
    m.setSort({ column: 'count', direction: 'asc' });
    assert.ok(isSorted(m.rows.map((r) => r.dto), { column: 'count', direction: 'asc' }));
    const third = m.rows[3].dto.uid;
    assert.equal(m.indexOf(third), 3);
    assert.equal(m.indexOf('nope'), -1);
  });

  it('matches a DTO exactly as the core matches the event it came from', () => {
    const events: KubeEvent[] = [
      anEvent({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting', regarding: { kind: 'Pod', name: 'web-1', namespace: 'prod' }, namespace: 'prod' }),
      anEvent({ reason: 'ScalingReplicaSet', action: 'Scale', regarding: { kind: 'Deployment', name: 'web', namespace: 'prod' }, namespace: 'prod' }),
      anEvent({ reportingController: 'kube-events-vscode', ours: true, expired: true, regarding: { kind: 'Node', name: 'n1', namespace: '' }, namespace: 'default' }),
      anEvent({ reportingController: '', reportingInstance: 'node-a', message: '<img src=x onerror=alert(1)>' }),
    ];
    const queries = [
      'type:Warning', '-type:warning', 'reason:Back*', 'kind:pod', 'name:web-1', 'ns:prod', 'object:Pod/prod/web-1', 'object:Node//n1',
      'source:kube-events-vscode', 'source:node-a', 'action:Scale', 'is:ours', 'is:expired', 'is:warning', 'back-off', '"onerror=alert"',
      'since:1h', 'under:Deployment/prod/web', 'web*',
    ];
    const now = T0 + 10_000_000;
    for (const text of queries) {
      const q = query(text);
      for (const e of events) assert.equal(matches(q, dtoMatchable(toEventDto(e)), { now }), matches(q, e, { now }), `${text} on ${e.uid}`);
    }
  });
});

describe('virtual window', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = virtualWindow({ scrollTop: 2_200, viewportHeight: 440, rowHeight: 22, rowCount: 100_000, overscan: 5 });
    assert.deepEqual(w, { first: 95, last: 126, offset: 95 * 22, totalHeight: 2_200_000 });
    assert.ok(w.last - w.first <= 440 / 22 + 1 + 2 * 5);
  });

  it('clamps at the top, at the bottom and for short or empty lists', () => {
    assert.deepEqual(virtualWindow({ scrollTop: 0, viewportHeight: 220, rowHeight: 22, rowCount: 1_000, overscan: 2 }), { first: 0, last: 13, offset: 0, totalHeight: 22_000 });
    const bottom = virtualWindow({ scrollTop: 1e9, viewportHeight: 220, rowHeight: 22, rowCount: 1_000, overscan: 2 });
    assert.equal(bottom.last, 1_000);
    assert.equal(bottom.first, 1_000 - 10 - 2);
    assert.deepEqual(virtualWindow({ scrollTop: 500, viewportHeight: 220, rowHeight: 22, rowCount: 3 }), { first: 0, last: 3, offset: 0, totalHeight: 66 });
    assert.deepEqual(virtualWindow({ scrollTop: 0, viewportHeight: 220, rowHeight: 22, rowCount: 0 }), { first: 0, last: 0, offset: 0, totalHeight: 0 });
    assert.deepEqual(virtualWindow({ scrollTop: Number.NaN, viewportHeight: -5, rowHeight: 0, rowCount: 4 }).first, 0);
  });

  it('scrolls the least to reveal a row', () => {
    assert.equal(scrollToReveal(10, 0, 440, 22, 100), undefined);
    assert.equal(scrollToReveal(50, 0, 440, 22, 100), 51 * 22 - 440);
    assert.equal(scrollToReveal(2, 500, 440, 22, 100), 44);
    assert.equal(scrollToReveal(100, 0, 440, 22, 100), undefined);
    assert.equal(scrollToReveal(-1, 0, 440, 22, 100), undefined);
  });
});

describe('time lanes', () => {
  const lane = (name: string, times: number[], type = 'Normal') =>
    times.map((t) => dto({ type, lastSeen: t, regarding: { kind: 'Pod', name, namespace: 'prod' }, namespace: 'prod' }));

  it('fits the axis to the data, at least MIN_SPAN_MS wide', () => {
    assert.equal(dataRange([], id), undefined);
    assert.equal(dataRange([dto({ lastSeen: 0 })], id), undefined);
    assert.deepEqual(dataRange([dto({ lastSeen: T0 })], id), { start: T0 - MIN_SPAN_MS, end: T0 });
    assert.deepEqual(dataRange([dto({ lastSeen: T0 }), dto({ lastSeen: T0 + 60_000 }), dto({ lastSeen: 0 })], id), { start: T0, end: T0 + 60_000 });
  });

  it('makes one lane per object, most recent first, top N with a count of the rest', () => {
    const events = Array.from({ length: 40 }, (_, i) => lane(`p${i}`, [T0 + i * 1000, T0 + i * 500])).flat();
    const range = { start: T0, end: T0 + 40_000 };
    const layout = layoutLanes(events, id, range, { maxLanes: 30 });
    assert.equal(layout.lanes.length, 30);
    assert.equal(layout.hiddenLanes, 10);
    assert.equal(layout.lanes[0].label, 'Pod/p39');
    assert.equal(layout.lanes[29].label, 'Pod/p10');
    assert.equal(layout.lanes[0].events, 2);
    for (let i = 1; i < layout.lanes.length; i++) assert.ok(layout.lanes[i - 1].lastSeen >= layout.lanes[i].lastSeen);
  });

  it('places markers by lastSeen on the shared axis and skips those outside it', () => {
    const events = [...lane('a', [T0, T0 + 50_000, T0 + 100_000]), ...lane('b', [T0 + 25_000], 'Warning'), ...lane('c', [T0 + 200_000])];
    const layout = layoutLanes(events, id, { start: T0, end: T0 + 100_000 }, { slots: 1000 });
    const a = layout.lanes.find((l) => l.label === 'Pod/a');
    const b = layout.lanes.find((l) => l.label === 'Pod/b');
    const c = layout.lanes.find((l) => l.label === 'Pod/c');
    assert.deepEqual(a?.markers.map((m) => m.x), [0, 0.5, 1]);
    assert.deepEqual(b?.markers.map((m) => [m.x, m.kind]), [[0.25, 'warning']]);
    assert.deepEqual(c?.markers, [], 'the lane is listed (recent) but its marker is off the axis');
  });

  it('merges markers of one kind that share a slot, keeping the newest, and draws warnings last', () => {
    const events = [...lane('a', [T0 + 1_000, T0 + 2_000, T0 + 3_000]), ...lane('a', [T0 + 1_500], 'Warning'), ...lane('a', [T0 + 90_000])];
    const layout = layoutLanes(events, id, { start: T0, end: T0 + 100_000 }, { slots: 10 });
    const markers = layout.lanes[0].markers;
    assert.deepEqual(markers.map((m) => [m.kind, m.events, m.lastSeen]), [
      ['normal', 3, T0 + 3_000],
      ['normal', 1, T0 + 90_000],
      ['warning', 1, T0 + 1_500],
    ]);
    assert.equal(markers[0].uid, events[2].uid);
  });

  it('classifies marker kinds by type', () => {
    assert.equal(markerKind('Warning'), 'warning');
    assert.equal(markerKind('Normal'), 'normal');
    assert.equal(markerKind('<b>x</b>'), 'other');
  });

  it('zooms around a focus point, clamps to the data and to MIN_SPAN_MS, and fits when zoomed all the way out', () => {
    const full = { start: T0, end: T0 + 3_600_000 };
    const z1 = zoomBy(full, undefined, 2, 1);
    assert.deepEqual(z1, { span: 1_800_000, endOffset: 0 });
    assert.deepEqual(visibleRange(full, z1), { start: T0 + 1_800_000, end: T0 + 3_600_000 });
    const z2 = zoomBy(full, z1, 2, 0.5);
    assert.deepEqual(visibleRange(full, z2), { start: T0 + 2_250_000, end: T0 + 2_250_000 + 900_000 });
    assert.equal(zoomBy(full, z2, 0.5, 0.5) !== undefined, true);
    assert.equal(zoomBy(full, z1, 0.5), undefined, 'back to the whole range');
    assert.equal(zoomBy(full, z1, 1e9)?.span, MIN_SPAN_MS);
    assert.deepEqual(zoomBy(full, z1, Number.NaN), z1);
  });

  it('follows new events when zoomed at the newest end', () => {
    const z = zoomBy({ start: T0, end: T0 + 100_000 }, undefined, 4, 1);
    assert.deepEqual(visibleRange({ start: T0, end: T0 + 200_000 }, z), { start: T0 + 175_000, end: T0 + 200_000 });
  });

  it('pans a zoomed axis within the data', () => {
    const full = { start: T0, end: T0 + 100_000 };
    const z = zoomBy(full, undefined, 4, 1);
    const back = panBy(full, z, -0.5);
    assert.deepEqual(visibleRange(full, back), { start: T0 + 62_500, end: T0 + 87_500 });
    assert.deepEqual(visibleRange(full, panBy(full, z, -100)), { start: T0, end: T0 + 25_000 });
    assert.deepEqual(panBy(full, z, 100), { span: 25_000, endOffset: 0 });
    assert.equal(panBy(full, undefined, -0.5), undefined);
  });

  it('picks round ticks that fit', () => {
    const ticks = timeTicks({ start: T0 + 1, end: T0 + 3_600_000 }, 6);
    assert.equal(ticks.step, 10 * 60_000);
    assert.ok(ticks.times.length <= 7 && ticks.times.length >= 4);
    for (const t of ticks.times) {
      assert.equal(t % ticks.step, 0);
      assert.ok(t >= T0 + 1 && t <= T0 + 3_600_000);
    }
    const local = timeTicks({ start: 0, end: 86_400_000 * 3 }, 3, 3_600_000);
    assert.equal(local.step, 86_400_000);
    assert.equal((local.times[0] + 3_600_000) % 86_400_000, 0, 'aligned to local midnight');
    assert.deepEqual(timeTicks({ start: 5, end: 5 }, 4), { step: 0, times: [] });
  });
});

describe('timeline formatting and state', () => {
  it('writes the status line', () => {
    assert.equal(statusLine(100_000, 1_234, 0), '100,000 events · 1,234 shown · 0 dropped');
    assert.equal(statusLine(1, 1, 5), '1 event · 1 shown · 5 dropped');
    assert.equal(formatCount(999), '999');
  });

  it('formats spans', () => {
    assert.equal(formatSpan(45_000), '45s');
    assert.equal(formatSpan(90_000), '1m 30s');
    assert.equal(formatSpan(30 * 60_000), '30m');
    assert.equal(formatSpan(90 * 60_000), '1h 30m');
    assert.equal(formatSpan(50 * 3_600_000), '2d 2h');
  });

  it('keeps only valid fields of a persisted view state', () => {
    assert.deepEqual(readViewState(undefined), {});
    assert.deepEqual(readViewState('x'), {});
    assert.deepEqual(
      readViewState({ filterText: 'type:Warning', sort: { column: 'count', direction: 'asc' }, mode: 'lanes', zoom: { span: 60_000, endOffset: 0 } }),
      { filterText: 'type:Warning', sort: { column: 'count', direction: 'asc' }, mode: 'lanes', zoom: { span: 60_000, endOffset: 0 } },
    );
    assert.deepEqual(readViewState({ filterText: 3, sort: { column: '__proto__', direction: 'asc' }, mode: 'grid', zoom: { span: -1, endOffset: 0 } }), {});
  });
});
