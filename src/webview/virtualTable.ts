/**
 * The timeline table: a fixed-row-height virtual list. Only the rows in (and just around) the viewport exist in
 * the DOM; a spacer gives the scroll container its full height. Row elements are pooled and refilled on scroll.
 */
import { RECORDER_OF, sourceLabel } from '../core/events/kubeEvent';
import { TIMELINE_COLUMNS, type EventDto, type TimelineColumn } from '../protocol/webview';
import { el, setText, setTitle } from './dom';
import { formatDateTime } from '../core/text/format';
import { formatCellAge } from './format';
import type { SortState } from './sortModel';
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
  readonly typeText: HTMLElement;
  readonly reasonText: HTMLElement;
  readonly oursTag: HTMLElement;
  dto: EventDto | undefined;
  now: number;
  selected: boolean;
}

export class VirtualTable {
  private readonly pool: RowView[] = [];
  private rowsData: readonly Row[] = [];
  private selectedUid: string | undefined;
  private rowHeight = DEFAULT_ROW_HEIGHT;
  private frame = 0;
  private now = Date.now();

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
    new ResizeObserver(() => this.schedule()).observe(els.viewport);
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
    return Math.max(0, this.els.viewport.clientHeight - this.els.header.offsetHeight);
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    const vp = this.els.viewport;
    const w = virtualWindow({ scrollTop: vp.scrollTop, viewportHeight: this.bodyHeight(), rowHeight: this.rowHeight, rowCount: this.rowsData.length });
    this.els.spacer.style.height = `${w.totalHeight}px`;
    this.els.rows.style.transform = `translateY(${w.offset}px)`;
    const needed = w.last - w.first;
    while (this.pool.length < needed) {
      const view = this.createRow();
      this.pool.push(view);
      this.els.rows.append(view.root);
    }
    // Rows beyond the window leave the DOM: only what is visible (plus overscan) is ever there.
    while (this.pool.length > needed) this.pool.pop()?.root.remove();
    for (let i = 0; i < needed; i++) this.fill(this.pool[i], this.rowsData[w.first + i].dto, w.first + i);
    if (this.rowsData.length > 0 && w.last >= this.rowsData.length) this.callbacks.onNearEnd?.();
  }

  private createRow(): RowView {
    const root = el('div', 'row');
    root.setAttribute('role', 'row');
    const cells = {} as Record<TimelineColumn, HTMLElement>;
    for (const [id] of TIMELINE_COLUMNS) {
      const cell = el('div', `cell col-${id}`);
      cell.setAttribute('role', 'gridcell');
      cells[id] = cell;
      root.append(cell);
    }
    const typeIcon = el('span', 'type-icon');
    typeIcon.setAttribute('aria-hidden', 'true');
    const typeText = el('span', 'type-text');
    cells.type.append(typeIcon, typeText);
    const reasonText = el('span', 'reason-text');
    const oursTag = el('span', 'tag ours', 'vscode');
    oursTag.title = 'Emitted by this extension (Kube Events)';
    cells.reason.append(reasonText, oursTag);
    return { root, cells, typeText, reasonText, oursTag, dto: undefined, now: 0, selected: false };
  }

  /** Fills a pooled row; skipped when it already shows this very event version at this `now`. */
  private fill(view: RowView, e: EventDto, index: number): void {
    const selected = e.uid === this.selectedUid;
    if (view.dto === e && view.now === this.now && view.selected === selected) return;
    const root = view.root;
    root.dataset.uid = e.uid;
    // The workbench's context menu on a row (package.json webview/context: Go to Emitter) receives this object.
    root.dataset.vscodeContext = JSON.stringify({ webviewSection: 'eventRow', uid: e.uid, preventDefaultContextMenuItems: true });
    root.setAttribute('aria-rowindex', String(index + 2));
    root.setAttribute('aria-selected', String(selected));
    root.classList.toggle('selected', selected);
    root.classList.toggle('warning', e.type === 'Warning');
    root.classList.toggle('normal', e.type === 'Normal');
    root.classList.toggle('ours', e.ours);
    root.classList.toggle('expired', e.expired);
    setTitle(root, e.expired ? EXPIRED_TOOLTIP : undefined);
    const c = view.cells;
    setText(c.lastSeen, formatCellAge(e.lastSeen, this.now));
    setTitle(c.lastSeen, `Last seen ${formatDateTime(e.lastSeen)}`);
    setText(view.typeText, e.type);
    setText(view.reasonText, e.reason);
    view.oursTag.hidden = !e.ours;
    setText(c.object, e.objectLabel);
    setTitle(c.object, e.objectNamespace ? `${e.objectLabel} in ${e.objectNamespace}` : e.objectLabel);
    setText(c.message, e.message);
    setTitle(c.message, e.message);
    setText(c.count, String(e.count));
    const source = sourceLabel({ reportingController: e.source, reportingInstance: e.sourceInstance });
    setText(c.source, source);
    setTitle(c.source, source);
    setText(c.writtenBy, e.writtenBy);
    setTitle(c.writtenBy, `Written via ${e.writtenBy} (${RECORDER_OF[e.writtenBy]}); read via ${e.readThrough}`);
    setText(c.namespace, e.namespace);
    setText(c.firstSeen, formatCellAge(e.firstSeen, this.now));
    setTitle(c.firstSeen, `First seen ${formatDateTime(e.firstSeen)}`);
    view.dto = e;
    view.now = this.now;
    view.selected = selected;
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
