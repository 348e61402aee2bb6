/**
 * The view's data: every event it holds, kept sorted, and the filtered rows the table and the lanes show.
 * Pure (no DOM). Filtering keeps the sorted order, so a filter change is one linear pass of `matches()` with no
 * sort; batches (and the pages of a reset) are sorted on their own and merged in linear time, so 100,000 events
 * arriving in pages never sort everything held again.
 */
import { matches, type Matchable } from '../core/query/evaluate';
import { parseQuery } from '../core/query/parse';
import { EMPTY_QUERY, type Query } from '../core/query/syntax';
import type { EventDto, FilterStateDto, FilterWhere } from '../protocol/webview';
import { dtoMatchable } from './dtoMatchable';
import { mergeSorted, sortBy, sortKey } from './sortModel';
import { DEFAULT_SORT, compareKeys, tieBreak, type SortKey, type SortState } from '../protocol/timelineOrder';

/** One held event. `matchable` (for `matches()`) is built on first use: an unfiltered view never needs it. */
export interface Row {
  readonly dto: EventDto;
  matchable: Matchable | undefined;
  /** The lane key, cached by the lane view. */
  laneKey?: string;
  /** The sort key for `keyColumn`, cached: merges compare each row many times. */
  sortKey?: SortKey;
  keyColumn?: SortState['column'];
}

const dtoOf = (r: Row): EventDto => r.dto;

export class TimelineModel {
  private byUid = new Map<string, Row>();
  /** Every held row, in sort order. */
  private all: Row[] = [];
  /** The rows that pass the filter, in sort order. */
  private shownRows: Row[] = [];
  private sortState: SortState = DEFAULT_SORT;
  private query: Query = EMPTY_QUERY;
  private filterWhere: FilterWhere = 'view';
  /** Bumped whenever `rows` changes, so renderers can skip work. */
  private rev = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Events held. */
  get total(): number {
    return this.byUid.size;
  }

  /** Filtered rows in sort order. Do not mutate. */
  get rows(): readonly Row[] {
    return this.shownRows;
  }

  get sort(): SortState {
    return this.sortState;
  }

  get revision(): number {
    return this.rev;
  }

  /** The query the view evaluates (empty when the host filters). */
  get activeQuery(): Query {
    return this.filterWhere === 'host' ? EMPTY_QUERY : this.query;
  }

  /** True when the filter has a `since:` term, whose result drifts with time. */
  get timeDependent(): boolean {
    return this.activeQuery.terms.some((t) => t.key === 'since' || t.key === 'until');
  }

  get(uid: string): Row | undefined {
    return this.byUid.get(uid);
  }

  /** Position of an event among the shown rows, or -1. */
  indexOf(uid: string): number {
    const row = this.byUid.get(uid);
    return row ? this.shownRows.indexOf(row) : -1;
  }

  /** Replaces everything (`events/reset`). */
  reset(events: readonly EventDto[], filter: FilterStateDto): void {
    this.setFilterQuiet(filter);
    const map = new Map<string, Row>();
    for (const dto of events) map.set(dto.uid, { dto, matchable: undefined });
    this.byUid = map;
    this.all = this.sorted(map.size === events.length ? events.map((d) => map.get(d.uid) as Row) : [...map.values()]);
    this.refilter();
  }

  /** Adds or replaces events (`events/page`, `events/append`, `events/upsert`). */
  upsert(events: readonly EventDto[]): void {
    if (events.length === 0) return;
    const fresh = new Map<string, Row>();
    const stale = new Set<Row>();
    for (const dto of events) {
      const old = this.byUid.get(dto.uid);
      if (old) stale.add(old);
      const row: Row = { dto, matchable: undefined };
      this.byUid.set(dto.uid, row);
      fresh.set(dto.uid, row);
    }
    const byDto = this.rowComparator();
    const incoming = this.sorted([...fresh.values()]);
    // Replaced rows leave both lists before the merge (identity lookups: cheaper than by uid).
    const keep = (r: Row) => !stale.has(r);
    const all = stale.size > 0 ? this.all.filter(keep) : this.all;
    const shown = stale.size > 0 ? this.shownRows.filter(keep) : this.shownRows;
    this.all = mergeSorted(all, incoming, byDto);
    this.shownRows = mergeSorted(shown, incoming.filter(this.predicate()), byDto);
    this.rev++;
  }

  /** Forgets events (`events/remove`); unknown uids are ignored. */
  remove(uids: readonly string[]): void {
    const gone = new Set<Row>();
    for (const uid of uids) {
      const row = this.byUid.get(uid);
      if (row) {
        gone.add(row);
        this.byUid.delete(uid);
      }
    }
    if (gone.size === 0) return;
    this.all = this.all.filter((r) => !gone.has(r));
    this.shownRows = this.shownRows.filter((r) => !gone.has(r));
    this.rev++;
  }

  /** Applies the host's filter state; returns true when the shown rows were recomputed. */
  setFilter(filter: FilterStateDto): boolean {
    if (!this.setFilterQuiet(filter)) return false;
    this.refilter();
    return true;
  }

  setSort(sort: SortState): void {
    if (sort.column === this.sortState.column && sort.direction === this.sortState.direction) return;
    this.sortState = sort;
    this.all = this.sorted(this.all);
    this.refilter();
  }

  /** Re-evaluates the filter over every held event (after a change of filter, or as time passes for `since:`). */
  refilter(): void {
    const q = this.activeQuery;
    this.shownRows = q.isEmpty ? this.all.slice() : this.all.filter(this.predicate());
    this.rev++;
  }

  private readonly rowKey = (r: Row): SortKey => {
    const column = this.sortState.column;
    if (r.keyColumn !== column || r.sortKey === undefined) {
      r.sortKey = sortKey(column, r.dto);
      r.keyColumn = column;
    }
    return r.sortKey;
  };

  private sorted(rows: readonly Row[]): Row[] {
    return sortBy(rows, dtoOf, this.sortState, this.rowKey);
  }

  private rowComparator(): (a: Row, b: Row) => number {
    const sign = this.sortState.direction === 'asc' ? 1 : -1;
    const key = this.rowKey;
    return (a, b) => sign * compareKeys(key(a), key(b)) || tieBreak(a.dto, b.dto);
  }

  private predicate(): (r: Row) => boolean {
    const q = this.activeQuery;
    if (q.isEmpty) return () => true;
    const ctx = { now: this.now() };
    return (r) => matches(q, (r.matchable ??= dtoMatchable(r.dto)), ctx);
  }

  /** Returns true when the effective query changed. */
  private setFilterQuiet(filter: FilterStateDto): boolean {
    const before = this.activeQuery;
    this.filterWhere = filter.where;
    if (filter.applied !== this.query.text) {
      const parsed = parseQuery(filter.applied);
      // The host only ever applies text that parsed; anything else keeps the current query.
      if (parsed.ok) this.query = parsed.value;
    }
    return this.activeQuery !== before;
  }
}
