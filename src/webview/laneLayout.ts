/**
 * The time-lane view's geometry: the shared time axis (range, zoom, pan, ticks) and one lane per involved
 * object with its markers. Pure (no DOM): positions are fractions of the lane width, 0 = start, 1 = end.
 */
import { objectKey } from '../core/events/kubeEvent';
import type { EventDto } from '../protocol/webview';

/** A closed interval of epoch milliseconds, `start < end`. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A zoomed axis: `span` milliseconds ending `endOffset` before the data's newest event. `endOffset` 0 follows
 * new events as they arrive. No zoom (undefined) fits all the data.
 */
export interface LaneZoom {
  readonly span: number;
  readonly endOffset: number;
}

/** The narrowest axis, zoomed or not. */
export const MIN_SPAN_MS = 10_000;
/** Lanes shown before "+N more". */
export const DEFAULT_MAX_LANES = 30;
/** Slots per lane when the caller does not say (the view derives them from the lane's width). */
const DEFAULT_SLOTS = 200;
/** Factor of one zoom step (button, or one ctrl+wheel notch). */
export const ZOOM_FACTOR = 2;

/** How a marker is coloured. */
export type MarkerKind = 'warning' | 'normal' | 'other';

const KIND_RANK: Readonly<Record<MarkerKind, number>> = { normal: 0, other: 1, warning: 2 };

export function markerKind(type: string): MarkerKind {
  return type === 'Warning' ? 'warning' : type === 'Normal' ? 'normal' : 'other';
}

/**
 * One marker: the newest of the events of one kind that fall in the same slot of the lane. Events seen once,
 * and counted events whose first → last seen is too short to draw as a span at this zoom.
 */
export interface LaneMarker {
  /** 0..1 along the axis. */
  readonly x: number;
  readonly kind: MarkerKind;
  /** The newest event in the slot: what a click reveals. */
  readonly uid: string;
  readonly reason: string;
  readonly lastSeen: number;
  /** Events merged into this marker. */
  readonly events: number;
  /** Occurrences they stand for: the sum of their counts. */
  readonly count: number;
  /** The newest event in the slot. */
  readonly event: EventDto;
}

/**
 * A counted event (count > 1: core/v1 dedup or an events.k8s.io/v1 series) drawn from its first to its last
 * observation. The API keeps only those two observations (and the count), so the ends are what is known.
 */
export interface LaneSpan {
  /** 0..1 along the axis, clipped to it. */
  readonly x1: number;
  readonly x2: number;
  /** The span began before (ended after) the visible range. */
  readonly clippedStart: boolean;
  readonly clippedEnd: boolean;
  /** Sub-row of the lane, 0 at the top: overlapping spans stack, up to {@link MAX_SPAN_ROWS}. */
  readonly row: number;
  readonly kind: MarkerKind;
  /** The newest event of the span: what a click reveals. */
  readonly uid: string;
  readonly reason: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Occurrences: the event's count, or the sum when spans had to merge. */
  readonly count: number;
  /** Counted events merged into this span (more than one only when the rows ran out). */
  readonly events: number;
  /** The newest event of the span. */
  readonly event: EventDto;
}

/** One involved object. */
export interface Lane {
  /** Cluster, kind, namespace and name: unique per object (two clusters' `Pod/web` are two lanes). */
  readonly key: string;
  /** `Kind/name`. */
  readonly label: string;
  readonly namespace: string;
  /** The object's cluster ('' when its events name none): the lane's label names it while several are watched. */
  readonly cluster: string;
  /** Newest lastSeen among the object's (shown) events: lanes are ordered by it. */
  readonly lastSeen: number;
  readonly events: number;
  readonly warnings: number;
  readonly markers: readonly LaneMarker[];
  /** Warnings last, so they draw on top. */
  readonly spans: readonly LaneSpan[];
  /** Sub-rows the lane needs (at least 1): markers sit in row 0. */
  readonly rows: number;
}

export interface LaneLayout {
  readonly lanes: readonly Lane[];
  /** Objects beyond `maxLanes` (the "+N more" note). */
  readonly hiddenLanes: number;
  readonly range: TimeRange;
}

/** Sub-rows of overlapping spans a lane grows to (a crash-looping Pod's Pulled, Created, Started, BackOff). */
export const MAX_SPAN_ROWS = 4;
/** A span narrower than this many slots is drawn as a marker (with its count) instead. */
const MIN_SPAN_SLOTS = 2;

/** The lane an event belongs to: its involved object's cluster, kind, namespace and name. */
export function laneKeyOf(e: EventDto): string {
  const key = objectKey({ kind: e.objectKind, namespace: e.objectNamespace, name: e.objectName });
  return e.cluster ? `${e.cluster}\u0000${key}` : key;
}

/** True when the event occurred more than once over a stretch of time: the lanes draw it as a span. */
function isCounted(e: EventDto): boolean {
  return e.count > 1 && e.firstSeen > 0 && e.firstSeen < e.lastSeen;
}

export interface LaneLayoutOptions<T = unknown> {
  /** The item's {@link laneKeyOf}, when the caller caches it (grouping is the bulk of the work). */
  readonly key?: (item: T) => string;
  /** Default {@link DEFAULT_MAX_LANES}. */
  readonly maxLanes?: number;
  /** Slots per lane: markers in one slot merge (about one per 4 px of lane width). Default 200. */
  readonly slots?: number;
}

/**
 * The axis that fits the events: from the oldest observation (a counted event's firstSeen, else lastSeen) to the
 * newest lastSeen (0 = unknown is ignored), at least {@link MIN_SPAN_MS} wide (widened into the past).
 * Undefined when no event has a time.
 */
export function dataRange<T>(items: readonly T[], dto: (item: T) => EventDto): TimeRange | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < items.length; i++) {
    const e = dto(items[i]);
    const t = e.lastSeen;
    if (t <= 0) continue;
    const first = isCounted(e) ? e.firstSeen : t;
    if (first < min) min = first;
    if (t > max) max = t;
  }
  if (max === Number.NEGATIVE_INFINITY) return undefined;
  return { start: Math.min(min, max - MIN_SPAN_MS), end: max };
}

/** The axis actually shown: the whole data range, or the zoomed window of it. */
export function visibleRange(full: TimeRange, zoom: LaneZoom | undefined): TimeRange {
  if (!zoom) return full;
  const end = full.end - Math.max(0, zoom.endOffset);
  return { start: end - zoom.span, end };
}

/** Keeps a window of `span` inside `full`, moving it as little as needed. */
function clampWindow(full: TimeRange, start: number, span: number): LaneZoom | undefined {
  const fullSpan = full.end - full.start;
  if (span >= fullSpan) return undefined;
  let s = start;
  if (s + span > full.end) s = full.end - span;
  if (s < full.start) s = full.start;
  return { span, endOffset: full.end - (s + span) };
}

/**
 * Zooms by `factor` (> 1 in, < 1 out) keeping the time under `focus` (0..1 along the axis) in place. Zooming
 * out to the whole range returns undefined (fit); zooming in stops at {@link MIN_SPAN_MS}.
 */
export function zoomBy(full: TimeRange, zoom: LaneZoom | undefined, factor: number, focus = 0.5): LaneZoom | undefined {
  if (!(factor > 0) || !Number.isFinite(factor)) return zoom;
  const cur = visibleRange(full, zoom);
  const span = cur.end - cur.start;
  const f = Math.min(1, Math.max(0, Number.isFinite(focus) ? focus : 0.5));
  const next = Math.max(MIN_SPAN_MS, span / factor);
  const at = cur.start + f * span;
  return clampWindow(full, at - f * next, next);
}

/** Moves a zoomed axis by `fraction` of its span (negative = into the past). No zoom: nothing to move. */
export function panBy(full: TimeRange, zoom: LaneZoom | undefined, fraction: number): LaneZoom | undefined {
  if (!zoom || !Number.isFinite(fraction)) return zoom;
  const cur = visibleRange(full, zoom);
  return clampWindow(full, cur.start + fraction * zoom.span, zoom.span);
}

interface SlotMarker {
  x: number;
  kind: MarkerKind;
  e: EventDto;
  n: number;
  count: number;
}

interface SpanDraft {
  x1: number;
  x2: number;
  clippedStart: boolean;
  clippedEnd: boolean;
  row: number;
  kind: MarkerKind;
  e: EventDto;
  firstSeen: number;
  count: number;
  n: number;
}

/**
 * Stacks spans (sorted by start) into at most {@link MAX_SPAN_ROWS} rows, first fit, leaving `gap` between
 * neighbours. Row 0 also holds the lane's markers (`points`, ascending): a span that would cover one moves down,
 * so a point never reads as part of a span. When every row is taken, a span merges into one it overlaps: one
 * bar over both, its count the sum, so the DOM stays bounded by the lane's width whatever the number of events.
 */
function stackSpans(spans: SpanDraft[], points: readonly number[], gap: number): { placed: SpanDraft[]; rows: number } {
  spans.sort((a, b) => a.x1 - b.x1 || b.x2 - a.x2);
  const last: Array<SpanDraft | undefined> = [];
  const placed: SpanDraft[] = [];
  let rows = 0;
  let p = 0;
  const fits = (row: number, s: SpanDraft): boolean => {
    const prev = last[row];
    if (prev && prev.x2 + gap > s.x1) return false;
    if (row > 0) return true;
    while (p < points.length && points[p] < s.x1 - gap) p++;
    return !(p < points.length && points[p] <= s.x2 + gap);
  };
  for (const s of spans) {
    let row = -1;
    for (let r = 0; r < MAX_SPAN_ROWS && row < 0; r++) if (fits(r, s)) row = r;
    if (row >= 0) {
      s.row = row;
      last[row] = s;
      rows = Math.max(rows, row + 1);
      placed.push(s);
      continue;
    }
    // Merge only into a span that overlaps this one (a merged bar never bridges a gap): of the same kind if
    // any, else the one reaching furthest; row 0 last, since its markers should stay uncovered.
    let into: SpanDraft | undefined;
    let best = -1;
    for (let r = 0; r < last.length; r++) {
      const l = last[r];
      if (!l || l.x2 + gap <= s.x1) continue;
      const score = (l.kind === s.kind ? 4 : 0) + (r > 0 ? 2 : 0) + l.x2;
      if (score > best) [into, best] = [l, score];
    }
    if (!into) continue; // unreachable: a row whose last span ends before this one starts would have fit
    into.n += s.n;
    into.count += s.count;
    into.firstSeen = Math.min(into.firstSeen, s.firstSeen);
    if (s.x2 > into.x2) {
      into.x2 = s.x2;
      into.clippedEnd = s.clippedEnd;
    }
    if (s.e.lastSeen > into.e.lastSeen) {
      into.e = s.e;
      into.kind = s.kind;
    } else if (KIND_RANK[s.kind] > KIND_RANK[into.kind]) into.kind = s.kind;
  }
  return { placed, rows: Math.max(1, rows) };
}

/**
 * Groups events by involved object and places them on `range`: counted events as spans from first to last
 * seen, the rest as markers at lastSeen. Linear in the number of events, plus a sort of each shown lane's spans.
 */
export function layoutLanes<T>(items: readonly T[], dto: (item: T) => EventDto, range: TimeRange, options: LaneLayoutOptions<T> = {}): LaneLayout {
  const keyOf = options.key ?? ((item: T) => laneKeyOf(dto(item)));
  const maxLanes = Math.max(0, Math.floor(options.maxLanes ?? DEFAULT_MAX_LANES));
  const slotCount = Math.max(1, Math.floor(options.slots ?? DEFAULT_SLOTS));
  interface Group {
    key: string;
    label: string;
    namespace: string;
    cluster: string;
    lastSeen: number;
    events: number;
    warnings: number;
    slots: Map<number, SlotMarker> | undefined;
    /** Spans by start slot, end slot and kind: those that would draw on the same pixels merge, as markers do. */
    spans: Map<number, SpanDraft>;
  }
  // Pass 1: every object's recency and counts. Pass 2: markers and spans for the lanes shown only.
  const groups = new Map<string, Group>();
  for (let i = 0; i < items.length; i++) {
    const e = dto(items[i]);
    const key = keyOf(items[i]);
    let g = groups.get(key);
    if (!g) {
      g = { key, label: e.objectLabel, namespace: e.objectNamespace, cluster: e.cluster, lastSeen: 0, events: 0, warnings: 0, slots: undefined, spans: new Map() };
      groups.set(key, g);
    }
    g.events++;
    if (e.lastSeen > g.lastSeen) g.lastSeen = e.lastSeen;
    if (e.type === 'Warning') g.warnings++;
  }
  const ordered = [...groups.values()].sort((a, b) => b.lastSeen - a.lastSeen || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown = ordered.slice(0, maxLanes);
  for (const g of shown) g.slots = new Map();
  const span = range.end - range.start;
  const minSpan = (MIN_SPAN_SLOTS / slotCount) * span;
  if (span > 0 && shown.length > 0) {
    for (let i = 0; i < items.length; i++) {
      const e = dto(items[i]);
      if (e.lastSeen < range.start || (isCounted(e) ? e.firstSeen : e.lastSeen) > range.end) continue;
      const g = groups.get(keyOf(items[i]));
      const slots = g?.slots;
      if (!g || !slots) continue;
      const kind = markerKind(e.type);
      if (isCounted(e)) {
        const from = Math.max(e.firstSeen, range.start);
        const to = Math.min(e.lastSeen, range.end);
        if (to - from >= minSpan) {
          const x1 = (from - range.start) / span;
          const x2 = (to - range.start) / span;
          const cell = (Math.min(slotCount - 1, Math.floor(x1 * slotCount)) * (slotCount + 1) + Math.floor(x2 * slotCount)) * 3 + KIND_RANK[kind];
          const same = g.spans.get(cell);
          if (!same) {
            g.spans.set(cell, { x1, x2, clippedStart: e.firstSeen < range.start, clippedEnd: e.lastSeen > range.end, row: 0, kind, e, firstSeen: e.firstSeen, count: e.count, n: 1 });
            continue;
          }
          same.n++;
          same.count += e.count;
          same.firstSeen = Math.min(same.firstSeen, e.firstSeen);
          if (x1 < same.x1) [same.x1, same.clippedStart] = [x1, e.firstSeen < range.start];
          if (x2 > same.x2) [same.x2, same.clippedEnd] = [x2, e.lastSeen > range.end];
          if (e.lastSeen > same.e.lastSeen) same.e = e;
          continue;
        }
        if (e.lastSeen > range.end) continue;
      }
      const x = (e.lastSeen - range.start) / span;
      // Slot index and kind in one number: kinds of one slot stay apart.
      const slot = Math.min(slotCount - 1, Math.floor(x * slotCount)) * 3 + KIND_RANK[kind];
      const m = slots.get(slot);
      const count = Math.max(1, e.count);
      if (!m) slots.set(slot, { x, kind, e, n: 1, count });
      else {
        m.n++;
        m.count += count;
        if (e.lastSeen > m.e.lastSeen) {
          m.e = e;
          m.x = x;
        }
      }
    }
  }
  const lanes = shown.map((g): Lane => {
    // Warnings last, so they draw on top of the Normal markers they overlap.
    const markers = [...(g.slots?.values() ?? [])]
      .sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.x - b.x)
      .map((m): LaneMarker => ({ x: m.x, kind: m.kind, uid: m.e.uid, reason: m.e.reason, lastSeen: m.e.lastSeen, events: m.n, count: m.count, event: m.e }));
    const points = markers.map((m) => m.x).sort((a, b) => a - b);
    const { placed, rows } = stackSpans([...g.spans.values()], points, 1 / slotCount);
    const spans = placed
      .sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.row - b.row || a.x1 - b.x1)
      .map(
        (s): LaneSpan => ({
          x1: s.x1,
          x2: s.x2,
          clippedStart: s.clippedStart,
          clippedEnd: s.clippedEnd,
          row: s.row,
          kind: s.kind,
          uid: s.e.uid,
          reason: s.e.reason,
          firstSeen: s.firstSeen,
          lastSeen: s.e.lastSeen,
          count: s.count,
          events: s.n,
          event: s.e,
        }),
      );
    return { key: g.key, label: g.label, namespace: g.namespace, cluster: g.cluster, lastSeen: g.lastSeen, events: g.events, warnings: g.warnings, markers, spans, rows };
  });
  return { lanes, hiddenLanes: Math.max(0, ordered.length - lanes.length), range };
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK_STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
];

/** Axis ticks: round times at a step from a fixed ladder. */
export interface TimeTicks {
  readonly step: number;
  /** Epoch milliseconds, ascending, all within the range. */
  readonly times: readonly number[];
}

/**
 * At most `maxTicks` round times in `range` (the smallest step of the ladder that fits). `utcOffsetMs` aligns
 * hour and day ticks to local midnight (pass minus `Date#getTimezoneOffset()` in milliseconds).
 */
export function timeTicks(range: TimeRange, maxTicks: number, utcOffsetMs = 0): TimeTicks {
  const span = range.end - range.start;
  const max = Math.max(1, Math.floor(maxTicks));
  if (!(span > 0)) return { step: 0, times: [] };
  const step = TICK_STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / DAY) * DAY;
  const times: number[] = [];
  let t = Math.ceil((range.start + utcOffsetMs) / step) * step - utcOffsetMs;
  for (; t <= range.end && times.length < max + 1; t += step) times.push(t);
  return { step, times };
}

/** A debug session's range on the axis: up to `now` while it runs (`end` 0). */
export function sessionSpan(session: { readonly start: number; readonly end: number }, now: number): TimeRange {
  const end = session.end > 0 ? session.end : Math.max(now, session.start);
  return { start: session.start, end: Math.max(end, session.start + 1) };
}

/** The data range widened to take in `extra` (the newest debug session), or `extra` alone when there is no data. */
export function widenRange(full: TimeRange | undefined, extra: TimeRange | undefined): TimeRange | undefined {
  if (!extra) return full;
  if (!full) return { start: Math.min(extra.start, extra.end - MIN_SPAN_MS), end: extra.end };
  return { start: Math.min(full.start, extra.start), end: Math.max(full.end, extra.end) };
}

/**
 * "Fit to session": the zoom that shows `target` with a margin of `pad` (a fraction of its length) on each side,
 * at least {@link MIN_SPAN_MS} wide; undefined (fit all) when that is the whole range anyway.
 */
export function fitZoom(full: TimeRange, target: TimeRange, pad = 0.05): LaneZoom | undefined {
  const length = Math.max(MIN_SPAN_MS, (target.end - target.start) * (1 + 2 * pad));
  const middle = (target.start + target.end) / 2;
  return clampWindow(full, middle - length / 2, length);
}

/** A debug mark placed on the axis; marks closer than one slot merge (stops win over continues). */
export interface PlacedMark {
  readonly x: number;
  readonly kind: 'stopped' | 'continued';
  readonly at: number;
  /** Marks merged into this one. */
  readonly n: number;
  /** An event breakpoint's stop: what fired it, and the event's uid. */
  readonly trigger?: string;
  readonly uid?: string;
}

/** Places marks that fall inside `range`, merging those within one of `slots` slots of the axis. */
export function placeMarks(marks: ReadonlyArray<{ readonly kind: 'stopped' | 'continued'; readonly at: number; readonly trigger?: string; readonly uid?: string }>, range: TimeRange, slots: number): PlacedMark[] {
  const span = range.end - range.start;
  if (!(span > 0)) return [];
  const bySlot = new Map<number, PlacedMark>();
  const count = Math.max(1, Math.floor(slots));
  for (const m of marks) {
    if (m.at < range.start || m.at > range.end) continue;
    const x = (m.at - range.start) / span;
    const slot = Math.min(count - 1, Math.floor(x * count));
    const had = bySlot.get(slot);
    const kind = had?.kind === 'stopped' || m.kind === 'stopped' ? 'stopped' : 'continued';
    const keepHad = had && had.kind === 'stopped' && m.kind !== 'stopped';
    // An event breakpoint's stop keeps what fired it, whichever mark shares its slot.
    const trigger = m.trigger !== undefined ? { trigger: m.trigger, uid: m.uid } : had?.trigger !== undefined ? { trigger: had.trigger, uid: had.uid } : {};
    bySlot.set(slot, { x: keepHad ? had.x : x, kind, at: keepHad ? had.at : m.at, n: (had?.n ?? 0) + 1, ...trigger });
  }
  return [...bySlot.values()].sort((a, b) => a.x - b.x);
}
