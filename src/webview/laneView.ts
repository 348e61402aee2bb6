/**
 * The time-lane pane: one lane per involved object (the most recently active first, at most
 * {@link DEFAULT_MAX_LANES}), markers at each event's lastSeen on one shared axis, zoom by buttons and
 * ctrl+wheel, pan by shift+wheel when zoomed.
 */
import { el, setText } from './dom';
import { formatClock, formatDateTime, formatDay, formatSpan, formatTick } from './format';
import {
  DEFAULT_MAX_LANES,
  MIN_SPAN_MS,
  ZOOM_FACTOR,
  dataRange,
  laneKeyOf,
  layoutLanes,
  panBy,
  timeTicks,
  visibleRange,
  zoomBy,
  type LaneMarker,
  type LaneZoom,
  type TimeRange,
} from './laneLayout';
import type { Row } from './timelineModel';

export interface LaneElements {
  readonly section: HTMLElement;
  readonly axis: HTMLElement;
  readonly body: HTMLElement;
  readonly more: HTMLElement;
  readonly rangeLabel: HTMLElement;
  readonly zoomIn: HTMLButtonElement;
  readonly zoomOut: HTMLButtonElement;
  readonly zoomReset: HTMLButtonElement;
}

export interface LaneCallbacks {
  /** A marker was clicked: select and reveal its (newest) event. */
  onMarker(uid: string): void;
  /** The zoom changed (persisted by the app). */
  onZoom(zoom: LaneZoom | undefined): void;
}

/** Data changes re-layout the lanes at most this often (zoom and resize re-layout at once). */
const LAYOUT_INTERVAL_MS = 400;
const MIN_DEFER_MS = 50;
/** Pixels of lane width per marker slot: markers closer than this merge. */
const PX_PER_SLOT = 4;
const LABEL_FALLBACK_WIDTH = 200;

const dtoOf = (r: Row) => r.dto;
const laneKey = (r: Row) => (r.laneKey ??= laneKeyOf(r.dto));

export class LaneView {
  private rows: readonly Row[] = [];
  private zoom: LaneZoom | undefined;
  private full: TimeRange | undefined;
  private selectedUid: string | undefined;
  private frame = 0;
  private lastLayout = 0;
  private throttle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly els: LaneElements,
    private readonly callbacks: LaneCallbacks,
    zoom: LaneZoom | undefined,
  ) {
    this.zoom = zoom;
    els.zoomIn.addEventListener('click', () => this.zoomAt(ZOOM_FACTOR, 1));
    els.zoomOut.addEventListener('click', () => this.zoomAt(1 / ZOOM_FACTOR, 1));
    els.zoomReset.addEventListener('click', () => this.setZoom(undefined));
    els.section.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    els.body.addEventListener('click', (e) => {
      const marker = e.target instanceof Element ? e.target.closest('.marker') : null;
      const uid = marker instanceof HTMLElement ? marker.dataset.uid : undefined;
      if (uid !== undefined) this.callbacks.onMarker(uid);
    });
    new ResizeObserver(() => this.schedule()).observe(els.body);
  }

  setRows(rows: readonly Row[]): void {
    this.rows = rows;
    if (this.throttle !== undefined || this.frame !== 0) return;
    // Never in the table's frame: the rows paint first, the lanes follow.
    const wait = Math.max(MIN_DEFER_MS, this.lastLayout + LAYOUT_INTERVAL_MS - performance.now());
    this.throttle = setTimeout(() => {
      this.throttle = undefined;
      this.schedule();
    }, wait);
  }

  setSelected(uid: string | undefined): void {
    if (uid === this.selectedUid) return;
    this.selectedUid = uid;
    for (const m of this.els.body.querySelectorAll<HTMLElement>('.marker.selected')) m.classList.remove('selected');
    if (uid !== undefined) {
      for (const m of this.els.body.querySelectorAll<HTMLElement>('.marker')) if (m.dataset.uid === uid) m.classList.add('selected');
    }
  }

  /** Re-renders when the pane becomes visible again (its width was 0 while hidden). */
  refresh(): void {
    this.schedule();
  }

  private setZoom(zoom: LaneZoom | undefined): void {
    this.zoom = zoom;
    this.callbacks.onZoom(zoom);
    this.schedule();
  }

  /** Zooms keeping the time at `focus` (0..1 of the axis) in place; buttons zoom around the newest end. */
  private zoomAt(factor: number, focus: number): void {
    if (!this.full) return;
    this.setZoom(zoomBy(this.full, this.zoom, factor, focus));
  }

  private onWheel(e: WheelEvent): void {
    if (!this.full) return;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      const track = this.els.body.querySelector('.lane-inner') ?? this.els.axis.querySelector('.lane-inner');
      const rect = track?.getBoundingClientRect();
      const focus = rect && rect.width > 0 ? (e.clientX - rect.left) / rect.width : 0.5;
      this.zoomAt(e.deltaY < 0 ? ZOOM_FACTOR : 1 / ZOOM_FACTOR, focus);
    } else if (this.zoom && (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY))) {
      e.preventDefault();
      const delta = e.shiftKey ? e.deltaY : e.deltaX;
      this.setZoom(panBy(this.full, this.zoom, Math.sign(delta) * 0.2));
    }
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    this.lastLayout = performance.now();
    const { body, axis, more, rangeLabel, zoomIn, zoomOut, zoomReset } = this.els;
    this.full = dataRange(this.rows, dtoOf);
    if (!this.full) {
      body.replaceChildren(el('div', 'lanes-empty', 'No events with a time to place on the lanes.'));
      axis.replaceChildren();
      more.hidden = true;
      setText(rangeLabel, '');
      zoomIn.disabled = zoomOut.disabled = zoomReset.disabled = true;
      return;
    }
    const range = visibleRange(this.full, this.zoom);
    const labelWidth = Number.parseFloat(getComputedStyle(this.els.section).getPropertyValue('--lane-label-width')) || LABEL_FALLBACK_WIDTH;
    const trackWidth = Math.max(40, body.clientWidth - labelWidth);
    const layout = layoutLanes(this.rows, dtoOf, range, { maxLanes: DEFAULT_MAX_LANES, slots: Math.ceil(trackWidth / PX_PER_SLOT), key: laneKey });

    zoomIn.disabled = range.end - range.start <= MIN_SPAN_MS;
    zoomOut.disabled = zoomReset.disabled = this.zoom === undefined;
    setText(rangeLabel, this.rangeText(range));

    const ticks = timeTicks(range, Math.max(2, Math.floor(trackWidth / 90)), -new Date(range.end).getTimezoneOffset() * 60_000);
    const tickInner = el('div', 'lane-inner');
    for (const t of ticks.times) {
      const tick = el('span', 'tick', formatTick(t, ticks.step));
      tick.style.left = `${((t - range.start) / (range.end - range.start)) * 100}%`;
      tickInner.append(tick);
    }
    const tickTrack = el('div', 'lane-track');
    tickTrack.append(tickInner);
    axis.replaceChildren(el('div', 'lane-label'), tickTrack);

    const lanes = layout.lanes.map((lane) => {
      const row = el('div', 'lane');
      row.setAttribute('role', 'listitem');
      const label = el('div', 'lane-label', lane.label);
      label.title = `${lane.label}${lane.namespace ? ` in ${lane.namespace}` : ''} · ${lane.events} ${lane.events === 1 ? 'event' : 'events'}${lane.warnings ? `, ${lane.warnings} warnings` : ''} · last ${formatDateTime(lane.lastSeen)}`;
      if (lane.warnings > 0) label.classList.add('has-warnings');
      const inner = el('div', 'lane-inner');
      for (const m of lane.markers) inner.append(this.marker(m));
      const track = el('div', 'lane-track');
      track.append(inner);
      row.append(label, track);
      return row;
    });
    body.replaceChildren(...lanes);
    more.hidden = layout.hiddenLanes === 0;
    setText(more, layout.hiddenLanes > 0 ? `+${layout.hiddenLanes} more ${layout.hiddenLanes === 1 ? 'object' : 'objects'} (narrow the filter to see them)` : '');
  }

  private marker(m: LaneMarker): HTMLElement {
    const node = el('span', `marker ${m.kind}`);
    node.dataset.uid = m.uid;
    node.style.left = `${m.x * 100}%`;
    if (m.events > 1) node.classList.add('multi');
    if (m.uid === this.selectedUid) node.classList.add('selected');
    node.title = `${m.reason} · ${formatDateTime(m.lastSeen)}${m.events > 1 ? ` · ${m.events} events here (newest shown)` : ''}`;
    return node;
  }

  private rangeText(range: TimeRange): string {
    const sameDay = new Date(range.start).toDateString() === new Date(range.end).toDateString();
    const start = sameDay ? formatClock(range.start) : `${formatDay(range.start)} ${formatClock(range.start)}`;
    const end = sameDay ? formatClock(range.end) : `${formatDay(range.end)} ${formatClock(range.end)}`;
    return `${start} – ${end} (${formatSpan(range.end - range.start)})${this.zoom ? '' : ' · all'}`;
  }
}
