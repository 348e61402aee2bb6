/**
 * The timeline view: wires the model, the table, the lanes, the filter box and the status line to the host
 * protocol. One instance per page.
 */
import type { HostMessage } from '../protocol/webview';
import { byId, setText } from './dom';
import { FilterBox } from './filterBox';
import { formatCount, statusLine } from './format';
import { LaneView } from './laneView';
import { nextSort } from './sortModel';
import { DEFAULT_SORT, type SortState } from '../protocol/timelineOrder';
import { TimelineModel } from './timelineModel';
import { readViewState, type LayoutMode, type TimelineViewState } from './viewState';
import { VirtualTable } from './virtualTable';
import type { VsCodeApi } from './vscodeApi';

/** How often relative ages (and `since:` filters) are refreshed. */
const TICK_MS = 10_000;

interface Stats {
  total: number;
  dropped: number;
}

export class TimelineApp {
  private readonly model = new TimelineModel();
  private readonly table: VirtualTable;
  private readonly lanes: LaneView;
  private readonly filter: FilterBox;
  private readonly app: HTMLElement;
  private readonly status: HTMLElement;
  private readonly openButton: HTMLButtonElement;
  private state: TimelineViewState;
  private stats: Stats | undefined;
  private receivedReset = false;
  /** Events the pages of the current reset will still bring (0: every page is in). */
  private remaining = 0;
  /** The `before` of the last history page asked for. */
  private olderAsked: number | undefined;

  constructor(private readonly api: VsCodeApi) {
    this.state = readViewState(api.getState());
    this.app = byId('app', HTMLElement);
    this.status = byId('status', HTMLElement);
    this.openButton = byId('open-resource', HTMLButtonElement);

    this.table = new VirtualTable(
      {
        table: byId('table', HTMLElement),
        header: byId('table-header', HTMLElement),
        viewport: byId('viewport', HTMLElement),
        spacer: byId('spacer', HTMLElement),
        rows: byId('rows', HTMLElement),
        empty: byId('empty', HTMLElement),
      },
      {
        onSelect: (uid) => this.onSelected(uid),
        onReveal: (uid) => this.api.postMessage({ type: 'event/reveal', uid }),
        onOpenResource: (uid) => this.api.postMessage({ type: 'event/openResource', uid }),
        onSort: (column) => this.setSort(column),
        onNearEnd: () => this.requestOlder(),
      },
    );
    this.lanes = new LaneView(
      {
        section: byId('lanes', HTMLElement),
        axis: byId('lanes-axis', HTMLElement),
        body: byId('lanes-body', HTMLElement),
        more: byId('lanes-more', HTMLElement),
        rangeLabel: byId('time-range', HTMLElement),
        zoomIn: byId('zoom-in', HTMLButtonElement),
        zoomOut: byId('zoom-out', HTMLButtonElement),
        zoomReset: byId('zoom-reset', HTMLButtonElement),
        fitSession: byId('zoom-session', HTMLButtonElement),
      },
      {
        onMarker: (uid) => {
          this.table.select(uid, true);
          this.api.postMessage({ type: 'event/reveal', uid });
        },
        onZoom: (zoom) => this.save({ zoom }),
      },
      this.state.zoom,
    );
    this.filter = new FilterBox({ input: byId('filter', HTMLInputElement), error: byId('filter-error', HTMLElement) }, (text) =>
      this.api.postMessage({ type: 'filter/change', text }),
    );

    byId('zoom-out', HTMLButtonElement).addEventListener('click', () => this.requestOlder());
    this.openButton.addEventListener('click', () => {
      const uid = this.table.selected;
      if (uid !== undefined && this.model.get(uid)) this.api.postMessage({ type: 'event/openResource', uid });
    });
    for (const button of this.app.querySelectorAll<HTMLButtonElement>('.segmented button[data-mode]')) {
      button.addEventListener('click', () => {
        const mode = button.dataset.mode;
        if (mode === 'table' || mode === 'split' || mode === 'lanes') this.setMode(mode);
      });
    }

    this.model.setSort(this.state.sort ?? DEFAULT_SORT);
    this.table.setSort(this.model.sort);
    this.setMode(this.state.mode ?? 'split');
    setInterval(() => this.tick(), TICK_MS);
  }

  /** The table's sort order (the host sends the first screenful in it). */
  get sort(): SortState {
    return this.model.sort;
  }

  /**
   * Asks the host for the history older than the oldest event held. Each boundary is asked for once: when
   * history has nothing older, the oldest event stays the same and nothing more is asked. Not while the pages of
   * a reset still arrive: the oldest rows may be among them.
   */
  private requestOlder(): void {
    if (this.remaining > 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const row of this.model.rows) if (row.dto.lastSeen > 0 && row.dto.lastSeen < oldest) oldest = row.dto.lastSeen;
    if (!Number.isFinite(oldest) || oldest === this.olderAsked) return;
    this.olderAsked = oldest;
    this.api.postMessage({ type: 'history/older', before: oldest });
  }

  /** Handles one validated host message. */
  handle(m: HostMessage): void {
    switch (m.type) {
      case 'events/reset':
        this.model.reset(m.events, m.filter);
        this.filter.show(m.filter, !this.receivedReset);
        this.save({ filterText: m.filter.applied });
        this.receivedReset = true;
        this.remaining = m.remaining;
        this.rowsChanged();
        break;
      case 'events/page':
        this.model.upsert(m.events);
        this.remaining = m.remaining;
        // The lanes keep the first screenful's objects until the last page: laying out every page's growing
        // set of rows again would keep the view busy while the pages arrive.
        this.rowsChanged(m.remaining === 0);
        break;
      case 'events/append':
      case 'events/upsert':
        this.model.upsert(m.events);
        this.rowsChanged();
        break;
      case 'events/remove':
        this.model.remove(m.uids);
        this.rowsChanged();
        break;
      case 'filter/state': {
        const { type: _type, ...state } = m;
        this.filter.show(state, false);
        this.save({ filterText: state.applied });
        if (this.model.setFilter(state)) this.rowsChanged();
        break;
      }
      case 'stats':
        this.stats = { total: m.total, dropped: m.dropped };
        this.renderStatus();
        break;
      case 'clusters': {
        // Several clusters: the Cluster column (media/timeline.css shows it under this class) and lane labels.
        const several = m.names.length > 1;
        this.app.classList.toggle('several-clusters', several);
        this.lanes.setSeveralClusters(several);
        break;
      }
      case 'debug/sessions':
        this.lanes.setSessions(m.sessions);
        break;
      case 'recorder/attempts':
        this.lanes.setRecorder(m.session, m.attempts);
        break;
      case 'lanes/fitSession':
        if (this.state.mode === 'table') this.setMode('split');
        this.lanes.fitSession();
        break;
      default: {
        const never: never = m;
        throw new Error(`unhandled host message ${JSON.stringify(never)}`);
      }
    }
  }

  private rowsChanged(lanes = true): void {
    const rows = this.model.rows;
    this.table.setRows(rows);
    if (lanes && this.state.mode !== 'table') this.lanes.setRows(rows);
    const selected = this.table.selected;
    this.openButton.disabled = selected === undefined || this.model.get(selected) === undefined;
    this.renderStatus();
  }

  private renderStatus(): void {
    const total = this.stats?.total ?? this.model.total;
    const line = statusLine(total, this.model.rows.length, this.stats?.dropped ?? 0);
    setText(this.status, !this.receivedReset ? 'Waiting for events…' : this.remaining > 0 ? `${line} · loading ${formatCount(this.remaining)} more…` : line);
  }

  private onSelected(uid: string): void {
    this.lanes.setSelected(uid);
    this.openButton.disabled = this.model.get(uid) === undefined;
  }

  private setSort(column: Parameters<typeof nextSort>[1]): void {
    const sort = nextSort(this.model.sort, column);
    this.model.setSort(sort);
    this.table.setSort(sort);
    this.save({ sort });
    this.api.postMessage({ type: 'view/sort', sort });
    this.rowsChanged();
  }

  private setMode(mode: LayoutMode): void {
    this.app.classList.remove('mode-table', 'mode-split', 'mode-lanes');
    this.app.classList.add(`mode-${mode}`);
    for (const button of this.app.querySelectorAll<HTMLButtonElement>('.segmented button[data-mode]')) {
      button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
    }
    const wasTableOnly = this.state.mode === 'table';
    this.save({ mode });
    if (mode !== 'table' && wasTableOnly) this.lanes.setRows(this.model.rows);
    this.lanes.refresh();
  }

  private tick(): void {
    if (this.lanes.sessionRunning) this.lanes.refresh();
    if (this.model.timeDependent) {
      this.model.refilter();
      this.rowsChanged();
    }
    this.table.tick(Date.now());
  }

  private save(patch: Partial<TimelineViewState>): void {
    this.state = { ...this.state, ...patch };
    this.api.setState(this.state);
  }
}
