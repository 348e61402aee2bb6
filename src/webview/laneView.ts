/**
 * The time-lane pane: one lane per involved object (the most recently active first, at most
 * {@link DEFAULT_MAX_LANES}) on one shared axis: events seen once as markers at their lastSeen, counted events
 * as spans from first to last seen with their count. Zoom by buttons and ctrl+wheel, pan by shift+wheel when
 * zoomed.
 */
import { el, setText } from './dom';
import { RunOnceScheduler } from '../core/lifecycle';
import { formatClock, formatDateTime, formatDay, formatSpan } from '../core/text/format';
import { formatCount, formatTick } from './format';
import { laneLabel, laneTitle, markerTitle, spanTitle } from './laneText';
import {
  DEFAULT_MAX_LANES,
  MIN_SPAN_MS,
  ZOOM_FACTOR,
  dataRange,
  fitZoom,
  laneKeyOf,
  layoutLanes,
  panBy,
  placeMarks,
  sessionSpan,
  timeTicks,
  visibleRange,
  widenRange,
  zoomBy,
  type LaneMarker,
  type LaneSpan,
  type LaneZoom,
  type TimeRange,
} from './laneLayout';
import type { Row } from './timelineModel';
import type { DebugSessionDto, RecorderAttemptDto, RecorderLabelDto } from '../protocol/webview';

/** The Recorder lanes, one per label that has attempts, in this order (src/core/ledger/recorderLedger.ts). */
const RECORDER_LANES: ReadonlyArray<readonly [RecorderLabelDto, string]> = [
  ['created', 'created'],
  ['patched', 'count patched'],
  ['combined', 'combined'],
  ['spam-filtered', 'spam-filtered'],
  ['rejected', 'rejected'],
  ['not-arrived', 'not arrived'],
  ['pending', 'pending'],
];

export interface LaneElements {
  readonly section: HTMLElement;
  readonly axis: HTMLElement;
  readonly body: HTMLElement;
  readonly more: HTMLElement;
  readonly rangeLabel: HTMLElement;
  readonly zoomIn: HTMLButtonElement;
  readonly zoomOut: HTMLButtonElement;
  readonly zoomReset: HTMLButtonElement;
  readonly fitSession: HTMLButtonElement;
}

export interface LaneCallbacks {
  /** A marker was clicked: select and reveal its (newest) event. */
  onMarker(uid: string): void;
  /** The zoom changed (persisted by the app). */
  onZoom(zoom: LaneZoom | undefined): void;
}

/** Data changes re-layout the lanes at most this often (zoom and resize re-layout at once). */
const LAYOUT_INTERVAL_MS = 400;
/** A deferred re-layout waits at least this long, so a burst of batches becomes one layout. */
const MIN_DEFER_MS = 50;
/** Pixels of lane width per marker slot: markers closer than this merge. */
const PX_PER_SLOT = 4;
/** The label column's width (px) when `--lane-label-width` (media/timeline.css) cannot be read. */
const LABEL_FALLBACK_WIDTH = 200;
/** The lanes' track never gets narrower than this (px), however narrow the panel: the layout needs some slots. */
const MIN_TRACK_WIDTH_PX = 40;
/** `.lane-inner`'s inset on each side of the track. */
const TRACK_INSET_PX = 6;
/** Width of one character of a count label (10px tabular digits), and the label's padding. */
const COUNT_CHAR_PX = 6.5;
const COUNT_PAD_PX = 8;

const dtoOf = (r: Row) => r.dto;
const laneKey = (r: Row) => (r.laneKey ??= laneKeyOf(r.dto));

export class LaneView {
  private rows: readonly Row[] = [];
  private zoom: LaneZoom | undefined;
  private full: TimeRange | undefined;
  private selectedUid: string | undefined;
  private frame = 0;
  private lastLayout = 0;
  private readonly throttle = new RunOnceScheduler(() => this.schedule(), MIN_DEFER_MS);
  private sessions: readonly DebugSessionDto[] = [];
  private severalClusters = false;
  private recorder: { readonly session: string; readonly attempts: readonly RecorderAttemptDto[] } = { session: '', attempts: [] };

  constructor(
    private readonly els: LaneElements,
    private readonly callbacks: LaneCallbacks,
    zoom: LaneZoom | undefined,
  ) {
    this.zoom = zoom;
    els.zoomIn.addEventListener('click', () => this.zoomAt(ZOOM_FACTOR, 1));
    els.zoomOut.addEventListener('click', () => this.zoomAt(1 / ZOOM_FACTOR, 1));
    els.zoomReset.addEventListener('click', () => this.setZoom(undefined));
    els.fitSession.addEventListener('click', () => this.fitSession());
    els.section.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    els.body.addEventListener('click', (e) => {
      const marker = e.target instanceof Element ? e.target.closest('[data-uid]') : null;
      const uid = marker instanceof HTMLElement ? marker.dataset.uid : undefined;
      if (uid !== undefined) this.callbacks.onMarker(uid);
    });
    new ResizeObserver(() => this.schedule()).observe(els.body);
  }

  setRows(rows: readonly Row[]): void {
    this.rows = rows;
    if (this.throttle.isScheduled() || this.frame !== 0) return;
    // Never in the table's frame: the rows paint first, the lanes follow.
    this.throttle.schedule(Math.max(MIN_DEFER_MS, this.lastLayout + LAYOUT_INTERVAL_MS - performance.now()));
  }

  setSelected(uid: string | undefined): void {
    if (uid === this.selectedUid) return;
    this.selectedUid = uid;
    for (const m of this.els.body.querySelectorAll<HTMLElement>('.marker.selected, .span.selected')) m.classList.remove('selected');
    if (uid !== undefined) {
      for (const m of this.els.body.querySelectorAll<HTMLElement>('.marker, .span')) if (m.dataset.uid === uid) m.classList.add('selected');
    }
  }

  /** The followed debug sessions, oldest first: drawn as ranges with their stops and continues. */
  setSessions(sessions: readonly DebugSessionDto[]): void {
    this.sessions = sessions;
    this.els.fitSession.hidden = sessions.length === 0;
    this.els.section.classList.toggle('has-debug', sessions.length > 0);
    this.schedule();
  }

  /** The recorder ledger's attempts (a debugged controller's claims from its log): drawn as the Recorder lanes. */
  setRecorder(session: string, attempts: readonly RecorderAttemptDto[]): void {
    this.recorder = { session, attempts };
    this.schedule();
  }

  /** Several clusters are watched: each lane's label names its cluster. */
  setSeveralClusters(several: boolean): void {
    if (this.severalClusters === several) return;
    this.severalClusters = several;
    this.schedule();
  }

  /** A debug session is running: its range grows with the clock. */
  get sessionRunning(): boolean {
    return this.sessions.some((s) => s.end === 0);
  }

  /** Zooms the axis to the newest debug session. */
  fitSession(): void {
    const last = this.sessions[this.sessions.length - 1];
    if (!last) return;
    const target = sessionSpan(last, Date.now());
    const full = widenRange(dataRange(this.rows, dtoOf), target);
    if (full) this.setZoom(fitZoom(full, target));
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
    const newest = this.sessions[this.sessions.length - 1];
    this.full = widenRange(dataRange(this.rows, dtoOf), newest ? sessionSpan(newest, Date.now()) : undefined);
    const attempts = this.recorder.attempts;
    if (attempts.length > 0) this.full = widenRange(this.full, { start: attempts[0].at, end: Math.max(attempts[attempts.length - 1].at, attempts[0].at + 1) });
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
    const trackWidth = Math.max(MIN_TRACK_WIDTH_PX, body.clientWidth - labelWidth);
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
    tickInner.append(...this.sessionOverlay(range, trackWidth, true));
    const tickTrack = el('div', 'lane-track');
    tickTrack.append(tickInner);
    axis.replaceChildren(el('div', 'lane-label'), tickTrack);

    const lanes = layout.lanes.map((lane) => {
      const row = el('div', 'lane');
      row.setAttribute('role', 'listitem');
      const text = laneLabel(lane, this.severalClusters);
      const label = el('div', 'lane-label');
      if (text.cluster) label.append(el('span', 'lane-cluster', text.cluster));
      label.append(text.object);
      label.title = laneTitle(lane, this.severalClusters);
      if (lane.warnings > 0) label.classList.add('has-warnings');
      const inner = el('div', 'lane-inner');
      inner.append(...this.sessionOverlay(range, trackWidth, false));
      if (lane.rows > 1) row.style.setProperty('--rows', String(lane.rows));
      this.appendSpans(inner, lane.spans, trackWidth - 2 * TRACK_INSET_PX);
      for (const m of lane.markers) inner.append(this.marker(m));
      const track = el('div', 'lane-track');
      track.append(inner);
      row.append(label, track);
      return row;
    });
    body.replaceChildren(...this.recorderLanes(range, trackWidth), ...lanes);
    more.hidden = layout.hiddenLanes === 0;
    setText(more, layout.hiddenLanes > 0 ? `+${layout.hiddenLanes} more ${layout.hiddenLanes === 1 ? 'object' : 'objects'} (narrow the filter to see them)` : '');
  }

  /**
   * Each debug session in view: a shaded band from start to end (to now while it runs) and a line at each stop
   * and continue. On the axis the band carries the session's name, so the lanes read "these events arrived
   * while the program was paused (someone else wrote them), these right after it continued".
   */
  private sessionOverlay(range: TimeRange, trackWidth: number, axis: boolean): HTMLElement[] {
    const out: HTMLElement[] = [];
    const span = range.end - range.start;
    if (!(span > 0)) return out;
    const now = Date.now();
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    for (const s of this.sessions) {
      const sr = sessionSpan(s, now);
      if (sr.end < range.start || sr.start > range.end) continue;
      const x1 = clamp((sr.start - range.start) / span);
      const x2 = clamp((sr.end - range.start) / span);
      const title = `Debug session "${s.name}"${s.controller ? ` (${s.controller})` : ''}: ${formatDateTime(s.start)} – ${s.end ? formatDateTime(s.end) : 'running'}`;
      const band = el('span', `session-band${s.end === 0 ? ' running' : ''}${sr.start < range.start ? ' clipped-start' : ''}`);
      band.style.left = `${x1 * 100}%`;
      band.style.width = `${(x2 - x1) * 100}%`;
      band.title = title;
      out.push(band);
      if (axis && sr.start >= range.start) {
        const flag = el('span', 'session-flag', `▶ ${s.name}`);
        flag.style.left = `${x1 * 100}%`;
        flag.title = title;
        out.push(flag);
      }
      for (const m of placeMarks(s.marks, range, Math.ceil(trackWidth / PX_PER_SLOT))) {
        const line = el('span', `debug-mark ${m.kind}${m.trigger ? ' event-break' : ''}`);
        line.style.left = `${m.x * 100}%`;
        line.title = m.n > 1 ? `${m.n} stops and continues around ${formatClock(m.at)}` : `${m.kind === 'stopped' ? 'Paused (breakpoint or step)' : 'Continued'} at ${formatClock(m.at)}`;
        // An event breakpoint's pause names the event that fired it (textContent/title only: cluster text).
        if (m.trigger && m.n === 1) line.title = `Paused by event breakpoint at ${formatClock(m.at)}: ${m.trigger}`;
        if (m.uid) line.dataset.uid = m.uid;
        // A text glyph, not ⏸ (which fonts draw as a coloured emoji).
        if (axis && m.kind === 'stopped') line.append(el('span', 'debug-mark-glyph', '‖'));
        out.push(line);
      }
    }
    return out;
  }

  /**
   * One lane per label with attempts: where each attempt the controller logged went (created, count patched,
   * combined, spam-filtered, rejected, not arrived, pending). They are its claims, not events: ticks, not markers,
   * and no event row to select.
   */
  private recorderLanes(range: TimeRange, trackWidth: number): HTMLElement[] {
    const { session, attempts } = this.recorder;
    if (attempts.length === 0) return [];
    const span = range.end - range.start;
    const out: HTMLElement[] = [];
    for (const [label, text] of RECORDER_LANES) {
      const mine = attempts.filter((a) => a.label === label);
      if (mine.length === 0) continue;
      const row = el('div', `lane recorder ${label}`);
      row.setAttribute('role', 'listitem');
      const name = el('div', 'lane-label recorder-label', `Recorder · ${text} ${mine.length}`);
      name.title = `${mine.length} ${mine.length === 1 ? 'attempt' : 'attempts'} the controller's recorder logged${session ? ` in debug session "${session}"` : ''} that ${mine.length === 1 ? 'was' : 'were'} ${text}. These are the controller's claims read from its log, not events.`;
      const inner = el('div', 'lane-inner');
      inner.append(...this.sessionOverlay(range, trackWidth, false));
      for (const a of mine) {
        if (a.at < range.start || a.at > range.end || !(span > 0)) continue;
        const tick = el('span', `recorder-mark ${label}`);
        tick.style.left = `${((a.at - range.start) / span) * 100}%`;
        tick.title = `${formatClock(a.at)} · ${text}: ${a.type} ${a.reason} on ${a.object}: ${a.message}${a.detail ? `\n${a.detail}` : ''}`;
        inner.append(tick);
      }
      const track = el('div', 'lane-track');
      track.append(inner);
      row.append(name, track);
      out.push(row);
    }
    return out;
  }

  private marker(m: LaneMarker): HTMLElement {
    const node = el('span', `marker ${m.kind}`);
    node.dataset.uid = m.uid;
    node.style.left = `${m.x * 100}%`;
    if (m.events > 1 || m.count > 1) node.classList.add('multi');
    if (m.uid === this.selectedUid) node.classList.add('selected');
    node.title = markerTitle(m);
    return node;
  }

  /**
   * Each span: a bar from first to last seen (its left edge marks the first observation unless the span began
   * before the axis), a marker at the last observation, and the count: inside the bar when it fits, else
   * beside it where its sub-row is free, else only in the tooltip.
   */
  private appendSpans(inner: HTMLElement, spans: readonly LaneSpan[], widthPx: number): void {
    const byRow = new Map<number, LaneSpan[]>();
    for (const s of spans) {
      const list = byRow.get(s.row);
      if (list) list.push(s);
      else byRow.set(s.row, [s]);
    }
    for (const list of byRow.values()) list.sort((a, b) => a.x1 - b.x1);
    const labels: HTMLElement[] = [];
    const ends: HTMLElement[] = [];
    for (const s of spans) {
      const title = spanTitle(s);
      const bar = el('span', `span ${s.kind}`);
      bar.dataset.uid = s.uid;
      bar.style.left = `${s.x1 * 100}%`;
      bar.style.width = `${(s.x2 - s.x1) * 100}%`;
      if (s.row > 0) bar.style.setProperty('--row', String(s.row));
      if (s.clippedStart) bar.classList.add('clipped-start');
      if (s.clippedEnd) bar.classList.add('clipped-end');
      if (s.uid === this.selectedUid) bar.classList.add('selected');
      bar.title = title;
      inner.append(bar);
      if (!s.clippedEnd) {
        const end = el('span', `marker ${s.kind} span-end`);
        end.dataset.uid = s.uid;
        end.style.left = `${s.x2 * 100}%`;
        if (s.row > 0) end.style.setProperty('--row', String(s.row));
        if (s.uid === this.selectedUid) end.classList.add('selected');
        end.title = title;
        ends.push(end);
      }
      const text = `×${formatCount(s.count)}`;
      const need = text.length * COUNT_CHAR_PX + COUNT_PAD_PX;
      const row = byRow.get(s.row) ?? [];
      const i = row.indexOf(s);
      const x1 = s.x1 * widthPx;
      const x2 = s.x2 * widthPx;
      const freeAfter = (i + 1 < row.length ? row[i + 1].x1 * widthPx : widthPx) - x2 - COUNT_PAD_PX;
      const freeBefore = x1 - (i > 0 ? row[i - 1].x2 * widthPx + COUNT_PAD_PX : 0);
      let place: 'inside' | 'after' | 'before' | undefined;
      if (x2 - x1 >= need + COUNT_PAD_PX) place = 'inside';
      else if (freeAfter >= need) place = 'after';
      else if (freeBefore >= need) place = 'before';
      if (!place) continue;
      const label = el('span', `span-count ${s.kind} ${place}`, text);
      label.dataset.uid = s.uid;
      label.title = title;
      if (s.row > 0) label.style.setProperty('--row', String(s.row));
      if (place === 'before') label.style.right = `${(1 - s.x1) * 100}%`;
      else label.style.left = `${s.x1 === s.x2 || place === 'inside' ? s.x1 * 100 : s.x2 * 100}%`;
      labels.push(label);
    }
    // Ends and counts after every bar, so a later bar never covers them.
    inner.append(...ends, ...labels);
  }

  private rangeText(range: TimeRange): string {
    const sameDay = new Date(range.start).toDateString() === new Date(range.end).toDateString();
    const start = sameDay ? formatClock(range.start) : `${formatDay(range.start)} ${formatClock(range.start)}`;
    const end = sameDay ? formatClock(range.end) : `${formatDay(range.end)} ${formatClock(range.end)}`;
    return `${start} – ${end} (${formatSpan(range.end - range.start)})${this.zoom ? '' : ' · all'}`;
  }
}
