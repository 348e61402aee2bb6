/**
 * The timeline table: a fixed-row-height virtual list. Only the rows in (and just around) the viewport exist in
 * the DOM; a spacer gives the scroll container its full height. Row elements are pooled, each placed at its own
 * row's offset: a scroll by a few rows refills only the few row elements that came into view, the others keep
 * their place and content, and a refill writes only the cells whose value changed. Nothing in a frame reads
 * layout: the viewport's and the header's heights come from a ResizeObserver.
 */
import { RECORDER_OF, sourceLabel } from '../core/events/kubeEvent';
import { TIMELINE_COLUMNS, type EventDto, type TimelineColumn } from '../protocol/webview';
import { el, setText, setTitle } from './dom';
import { formatDateTime } from '../core/text/format';
import { formatCellAge } from './format';
import type { SortState } from '../protocol/timelineOrder';
import type { Row } from './timelineModel';
import { scrollToReveal, virtualWindow } from './virtualWindow';

export interface TableElements {
  readonly table: HTMLElement;
  /** The header row, sticky inside the viewport. */
  readonly header: HTMLElement;
  readonly viewport: HTMLElement;
  readonly spacer: HTMLElement;
  readonly rows: HTMLElement;
  readonly empty: HTMLElement;
}

export interface TableCallbacks {
  /** A row was selected by click or keyboard. */
  onSelect(uid: string): void;
  /** Click or Enter on a row: reveal it in the tree. */
  onReveal(uid: string): void;
  /** Double click or Shift+Enter on a row: open its involved object. */
  onOpenResource(uid: string): void;
  /** A column header was clicked. */
  onSort(column: TimelineColumn): void;
  /** The last rows came into view (the view may then load older history). */
  onNearEnd?(): void;
}

const DEFAULT_ROW_HEIGHT = 22;
const EXPIRED_TOOLTIP = 'Deleted on the server (event TTL or a delete by hand); kept here as history.';

/** The cells of one pooled row element, filled by {@link VirtualTable.fill}. */
interface RowView {
  readonly root: HTMLElement;
  readonly cells: Record<TimelineColumn, HTMLElement>;
  /** The one text node of each cell (of its text span in the type and reason cells): refills set their `data`. */
  readonly text: Record<TimelineColumn, Text>;
  readonly oursTag: HTMLElement;
  /** What the element shows: the event version, at which `now`, selected or not, and at which row index (-1: none). */
  dto: EventDto | undefined;
  now: number;
  selected: boolean;
  index: number;
  lastSeenAge: string;
  firstSeenAge: string;
}

export class VirtualTable {
  private pool: RowView[] = [];
  private rowsData: readonly Row[] = [];
  private selectedUid: string | undefined;
  private rowHeight = DEFAULT_ROW_HEIGHT;
  private frame = 0;
  private now = Date.now();
  /** The viewport's and the header's heights, as the ResizeObserver last saw them. */
  private viewportHeight = 0;
  private headerHeight = 0;
  private spacerHeight = -1;

  constructor(
    private readonly els: TableElements,
    private readonly callbacks: TableCallbacks,
  ) {
    const h = Number.parseFloat(getComputedStyle(els.table).getPropertyValue('--row-height'));
    if (h > 0) this.rowHeight = h;
    els.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    els.rows.addEventListener('click', (e) => {
      const uid = this.uidAt(e.target);
      if (uid === undefined) return;
      this.select(uid);
      this.callbacks.onReveal(uid);
    });
    els.rows.addEventListener('dblclick', (e) => {
      const uid = this.uidAt(e.target);
      if (uid !== undefined) this.callbacks.onOpenResource(uid);
    });
    els.viewport.addEventListener('keydown', (e) => this.onKey(e));
    els.header.addEventListener('click', (e) => {
      const button = e.target instanceof Element ? e.target.closest('button.sort') : null;
      const column = button instanceof HTMLElement ? button.dataset.column : undefined;
      const known = TIMELINE_COLUMNS.find(([id]) => id === column);
      if (known) this.callbacks.onSort(known[0]);
    });
    // Read sizes here, where layout is fresh anyway, never in a frame.
    const sizes = new ResizeObserver(() => {
      this.viewportHeight = els.viewport.clientHeight;
      this.headerHeight = els.header.offsetHeight;
      this.schedule();
    });
    sizes.observe(els.viewport);
    sizes.observe(els.header);
  }

  get selected(): string | undefined {
    return this.selectedUid;
  }

  /** New rows (after a batch, filter or sort change): re-render on the next frame. */
  setRows(rows: readonly Row[]): void {
    this.rowsData = rows;
    this.els.table.setAttribute('aria-rowcount', String(rows.length + 1));
    this.els.empty.hidden = rows.length > 0;
    this.schedule();
  }

  /** Ages are relative: refresh the visible rows' cells against a new `now`. */
  tick(now: number): void {
    this.now = now;
    this.schedule();
  }

  setSort(sort: SortState): void {
    for (const header of this.els.header.querySelectorAll<HTMLElement>('[role="columnheader"]')) {
      const button = header.querySelector<HTMLElement>('button.sort');
      const indicator = header.querySelector('.sort-indicator');
      const active = button?.dataset.column === sort.column;
      header.setAttribute('aria-sort', active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      header.classList.toggle('sorted', active);
      if (indicator) setText(indicator, active ? (sort.direction === 'asc' ? '▲' : '▼') : '');
    }
  }

  /** Selects a row (or nothing); `reveal` scrolls it into view. */
  select(uid: string | undefined, reveal = false): void {
    const changed = uid !== this.selectedUid;
    this.selectedUid = uid;
    if (uid !== undefined && reveal) this.scrollTo(uid);
    if (changed && uid !== undefined) this.callbacks.onSelect(uid);
    this.schedule();
  }

  scrollTo(uid: string): void {
    const index = this.rowsData.findIndex((r) => r.dto.uid === uid);
    const vp = this.els.viewport;
    const top = scrollToReveal(index, vp.scrollTop, this.bodyHeight(), this.rowHeight, this.rowsData.length);
    if (top !== undefined) vp.scrollTop = top;
  }

  focus(): void {
    this.els.viewport.focus();
  }

  /** The header sticks to the top of the scroll container; rows show in the rest of it. */
  private bodyHeight(): number {
    return Math.max(0, this.viewportHeight - this.headerHeight);
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    const scrollTop = this.els.viewport.scrollTop;
    const w = virtualWindow({ scrollTop, viewportHeight: this.bodyHeight(), rowHeight: this.rowHeight, rowCount: this.rowsData.length });
    if (w.totalHeight !== this.spacerHeight) {
      this.spacerHeight = w.totalHeight;
      this.els.spacer.style.height = `${w.totalHeight}px`;
    }
    const needed = w.last - w.first;
    // Elements that still show a row of the window keep it (its content is refreshed only if it changed);
    // the others are refilled with the rows that came into view.
    const placed = new Array<RowView | undefined>(needed);
    const free: RowView[] = [];
    for (const view of this.pool) {
      if (view.index >= w.first && view.index < w.last) placed[view.index - w.first] = view;
      else free.push(view);
    }
    const fillAt = (index: number): boolean => {
      let view = placed[index - w.first];
      if (!view) {
        view = free.pop();
        if (!view) {
          view = this.createRow();
          this.pool.push(view);
          this.els.rows.append(view.root);
        }
      }
      return this.fill(view, this.rowsData[index].dto, index);
    };
    // The rows in view first. When most of them are new (a jump, a new sort), the overscan rows wait for the next
    // frame: they are not on screen yet, and filling them too would nearly double the frame's work.
    const inView = virtualWindow({ scrollTop, viewportHeight: this.bodyHeight(), rowHeight: this.rowHeight, rowCount: this.rowsData.length, overscan: 0 });
    let filled = 0;
    for (let i = inView.first; i < inView.last; i++) if (fillAt(i)) filled++;
    if (filled > (inView.last - inView.first) / 2) {
      this.schedule();
      return;
    }
    for (let i = w.first; i < w.last; i++) if (i < inView.first || i >= inView.last) fillAt(i);
    // Rows beyond the window leave the DOM: only what is visible (plus overscan) is ever there.
    if (free.length > 0) {
      const gone = new Set(free);
      for (const view of free) view.root.remove();
      this.pool = this.pool.filter((v) => !gone.has(v));
    }
    if (this.rowsData.length > 0 && w.last >= this.rowsData.length) this.callbacks.onNearEnd?.();
  }

  private createRow(): RowView {
    const root = el('div', 'row');
    root.setAttribute('role', 'row');
    const cells = {} as Record<TimelineColumn, HTMLElement>;
    const text = {} as Record<TimelineColumn, Text>;
    for (const [id] of TIMELINE_COLUMNS) {
      const cell = el('div', `cell col-${id}`);
      cell.setAttribute('role', 'gridcell');
      cells[id] = cell;
      text[id] = document.createTextNode('');
      root.append(cell);
    }
    const typeIcon = el('span', 'type-icon');
    typeIcon.setAttribute('aria-hidden', 'true');
    const typeText = el('span', 'type-text');
    const reasonText = el('span', 'reason-text');
    const oursTag = el('span', 'tag ours', 'vscode');
    oursTag.title = 'Emitted by this extension (Kube Events)';
    for (const [id] of TIMELINE_COLUMNS) {
      if (id === 'type') typeText.append(text.type);
      else if (id === 'reason') reasonText.append(text.reason);
      else cells[id].append(text[id]);
    }
    cells.type.append(typeIcon, typeText);
    cells.reason.append(reasonText, oursTag);
    return { root, cells, text, oursTag, dto: undefined, now: 0, selected: false, index: -1, lastSeenAge: '', firstSeenAge: '' };
  }

  /**
   * Shows event `e` as row `index` in a pooled element, writing only what differs from what the element shows:
   * nothing when it already shows this very event version there at this `now`.
   */
  private fill(view: RowView, e: EventDto, index: number): boolean {
    const selected = e.uid === this.selectedUid;
    const prev = view.dto;
    if (prev === e && view.now === this.now && view.selected === selected && view.index === index) return false;
    const root = view.root;
    const c = view.cells;
    const t = view.text;
    if (view.index !== index) {
      view.index = index;
      root.style.transform = `translateY(${index * this.rowHeight}px)`;
      root.setAttribute('aria-rowindex', String(index + 2));
    }
    if (prev === undefined || view.selected !== selected) {
      view.selected = selected;
      root.setAttribute('aria-selected', String(selected));
      root.classList.toggle('selected', selected);
    }
    if (prev !== e) {
      view.dto = e;
      if (prev?.uid !== e.uid) {
        root.dataset.uid = e.uid;
        // The workbench's context menu on a row (package.json webview/context: Go to Emitter) receives this object.
        root.dataset.vscodeContext = JSON.stringify({ webviewSection: 'eventRow', uid: e.uid, preventDefaultContextMenuItems: true });
      }
      if (prev?.type !== e.type) {
        root.classList.toggle('warning', e.type === 'Warning');
        root.classList.toggle('normal', e.type === 'Normal');
        t.type.data = e.type;
      }
      if (prev?.ours !== e.ours) {
        root.classList.toggle('ours', e.ours);
        view.oursTag.hidden = !e.ours;
      }
      if (prev?.expired !== e.expired) {
        root.classList.toggle('expired', e.expired);
        setTitle(root, e.expired ? EXPIRED_TOOLTIP : undefined);
      }
      if (prev?.reason !== e.reason) t.reason.data = e.reason;
      if (prev?.objectLabel !== e.objectLabel || prev.objectNamespace !== e.objectNamespace) {
        t.object.data = e.objectLabel;
        setTitle(c.object, e.objectNamespace ? `${e.objectLabel} in ${e.objectNamespace}` : e.objectLabel);
      }
      if (prev?.message !== e.message) {
        t.message.data = e.message;
        setTitle(c.message, e.message);
      }
      if (prev?.count !== e.count) t.count.data = String(e.count);
      if (prev?.source !== e.source || prev.sourceInstance !== e.sourceInstance) {
        const source = sourceLabel({ reportingController: e.source, reportingInstance: e.sourceInstance });
        t.source.data = source;
        setTitle(c.source, source);
      }
      if (prev?.writtenBy !== e.writtenBy || prev.readThrough !== e.readThrough) {
        t.writtenBy.data = e.writtenBy;
        setTitle(c.writtenBy, `Written via ${e.writtenBy} (${RECORDER_OF[e.writtenBy]}); read via ${e.readThrough}`);
      }
      if (prev?.namespace !== e.namespace) t.namespace.data = e.namespace;
      if (prev?.cluster !== e.cluster) {
        t.cluster.data = e.cluster;
        setTitle(c.cluster, e.cluster);
      }
      if (prev?.lastSeen !== e.lastSeen) setTitle(c.lastSeen, `Last seen ${formatDateTime(e.lastSeen)}`);
      if (prev?.firstSeen !== e.firstSeen) setTitle(c.firstSeen, `First seen ${formatDateTime(e.firstSeen)}`);
    }
    view.now = this.now;
    const lastSeenAge = formatCellAge(e.lastSeen, this.now);
    if (lastSeenAge !== view.lastSeenAge) {
      view.lastSeenAge = lastSeenAge;
      t.lastSeen.data = lastSeenAge;
    }
    const firstSeenAge = formatCellAge(e.firstSeen, this.now);
    if (firstSeenAge !== view.firstSeenAge) {
      view.firstSeenAge = firstSeenAge;
      t.firstSeen.data = firstSeenAge;
    }
    return true;
  }

  private uidAt(target: EventTarget | null): string | undefined {
    const row = target instanceof Element ? target.closest('.row') : null;
    return row instanceof HTMLElement && this.els.rows.contains(row) ? row.dataset.uid : undefined;
  }

  private onKey(e: KeyboardEvent): void {
    // Keys typed on a header button belong to that button.
    if (e.target !== this.els.viewport) return;
    const n = this.rowsData.length;
    if (n === 0) return;
    const page = Math.max(1, Math.floor(this.bodyHeight() / this.rowHeight) - 1);
    const current = this.selectedUid === undefined ? -1 : this.rowsData.findIndex((r) => r.dto.uid === this.selectedUid);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = current + 1;
        break;
      case 'ArrowUp':
        next = current < 0 ? 0 : current - 1;
        break;
      case 'PageDown':
        next = current + page;
        break;
      case 'PageUp':
        next = current - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'Enter':
        if (current >= 0) {
          const uid = this.rowsData[current].dto.uid;
          if (e.shiftKey) this.callbacks.onOpenResource(uid);
          else this.callbacks.onReveal(uid);
          e.preventDefault();
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    const index = Math.min(n - 1, Math.max(0, next));
    this.select(this.rowsData[index].dto.uid, true);
  }
}
