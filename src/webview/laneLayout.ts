/**
 * The time-lane view's geometry: the shared time axis (range, zoom, pan, ticks) and one lane per involved
 * object with its markers. Pure (no DOM): positions are fractions of the lane width, 0 = start, 1 = end.
 */
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
/** Factor of one zoom step (button, or one ctrl+wheel notch). */
export const ZOOM_FACTOR = 2;

/** How a marker is coloured. */
export type MarkerKind = 'warning' | 'normal' | 'other';

const KIND_RANK: Readonly<Record<MarkerKind, number>> = { normal: 0, other: 1, warning: 2 };

export function markerKind(type: string): MarkerKind {
  return type === 'Warning' ? 'warning' : type === 'Normal' ? 'normal' : 'other';
}

/** One marker: the newest of the events of one kind that fall in the same slot of the lane. */
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
}

/** One involved object. */
export interface Lane {
  /** Kind, namespace and name: unique per object. */
  readonly key: string;
  /** `Kind/name`. */
  readonly label: string;
  readonly namespace: string;
  /** Newest lastSeen among the object's (shown) events: lanes are ordered by it. */
  readonly lastSeen: number;
  readonly events: number;
  readonly warnings: number;
  readonly markers: readonly LaneMarker[];
}

export interface LaneLayout {
  readonly lanes: readonly Lane[];
  /** Objects beyond `maxLanes` (the "+N more" note). */
  readonly hiddenLanes: number;
  readonly range: TimeRange;
}

/** The lane an event belongs to: its involved object's kind, namespace and name. */
export function laneKeyOf(e: EventDto): string {
  return `${e.objectKind}/${e.objectNamespace}/${e.objectName}`;
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
 * The axis that fits events' lastSeen (0 = unknown is ignored): from the oldest to the newest, at least
 * {@link MIN_SPAN_MS} wide (widened into the past). Undefined when no event has a time.
 */
export function dataRange<T>(items: readonly T[], dto: (item: T) => EventDto): TimeRange | undefined {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < items.length; i++) {
    const t = dto(items[i]).lastSeen;
    if (t <= 0) continue;
    if (t < min) min = t;
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

/** Groups events by involved object and places markers on `range`. Linear in the number of events. */
export function layoutLanes<T>(items: readonly T[], dto: (item: T) => EventDto, range: TimeRange, options: LaneLayoutOptions<T> = {}): LaneLayout {
  const keyOf = options.key ?? ((item: T) => laneKeyOf(dto(item)));
  const maxLanes = Math.max(0, Math.floor(options.maxLanes ?? DEFAULT_MAX_LANES));
  const slotCount = Math.max(1, Math.floor(options.slots ?? 200));
  interface Group {
    key: string;
    label: string;
    namespace: string;
    lastSeen: number;
    events: number;
    warnings: number;
    slots: Map<number, { x: number; kind: MarkerKind; e: EventDto; n: number }> | undefined;
  }
  // Pass 1: every object's recency and counts. Pass 2: markers for the lanes shown only.
  const groups = new Map<string, Group>();
  for (let i = 0; i < items.length; i++) {
    const e = dto(items[i]);
    const key = keyOf(items[i]);
    let g = groups.get(key);
    if (!g) {
      g = { key, label: e.objectLabel, namespace: e.objectNamespace, lastSeen: 0, events: 0, warnings: 0, slots: undefined };
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
  if (span > 0 && shown.length > 0) {
    for (let i = 0; i < items.length; i++) {
      const e = dto(items[i]);
      if (e.lastSeen < range.start || e.lastSeen > range.end) continue;
      const slots = groups.get(keyOf(items[i]))?.slots;
      if (!slots) continue;
      const x = (e.lastSeen - range.start) / span;
      const kind = markerKind(e.type);
      // Slot index and kind in one number: kinds of one slot stay apart.
      const slot = Math.min(slotCount - 1, Math.floor(x * slotCount)) * 3 + KIND_RANK[kind];
      const m = slots.get(slot);
      if (!m) slots.set(slot, { x, kind, e, n: 1 });
      else {
        m.n++;
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
      .map((m): LaneMarker => ({ x: m.x, kind: m.kind, uid: m.e.uid, reason: m.e.reason, lastSeen: m.e.lastSeen, events: m.n }));
    return { key: g.key, label: g.label, namespace: g.namespace, lastSeen: g.lastSeen, events: g.events, warnings: g.warnings, markers };
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
