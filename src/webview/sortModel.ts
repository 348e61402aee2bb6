/**
 * Sorting of the timeline table: comparators per column, a fast full sort, and a linear merge for batches.
 * Pure (no DOM), so it runs under node:test too.
 */
import type { EventDto, TimelineColumn } from '../protocol/webview';
import { compareKeys, tieBreak, type SortKey, type SortState } from '../protocol/timelineOrder';

const NUMERIC_COLUMNS: ReadonlySet<TimelineColumn> = new Set<TimelineColumn>(['lastSeen', 'firstSeen', 'count']);

/**
 * The state after clicking a column header: the same column flips direction; a new column starts descending
 * for times and counts (newest, largest first) and ascending for text.
 */
export function nextSort(current: SortState, column: TimelineColumn): SortState {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { column, direction: NUMERIC_COLUMNS.has(column) ? 'desc' : 'asc' };
}

/** The value a column sorts by. Text compares case-insensitively by code unit: fast and stable across locales. */
export function sortKey(column: TimelineColumn, e: EventDto): SortKey {
  switch (column) {
    case 'lastSeen':
      return e.lastSeen;
    case 'firstSeen':
      return e.firstSeen;
    case 'count':
      return e.count;
    case 'type':
      return e.type.toLowerCase();
    case 'reason':
      return e.reason.toLowerCase();
    case 'object':
      return e.objectLabel.toLowerCase();
    case 'message':
      return e.message.toLowerCase();
    case 'source':
      return e.source.toLowerCase();
    case 'namespace':
      return e.namespace.toLowerCase();
    case 'cluster':
      return e.cluster.toLowerCase();
    case 'writtenBy':
      return e.writtenBy;
    default: {
      const never: never = column;
      return never;
    }
  }
}

/** A total order on events for `sort`. */
export function comparator(sort: SortState): (a: EventDto, b: EventDto) => number {
  const { column } = sort;
  const sign = sort.direction === 'asc' ? 1 : -1;
  return (a, b) => sign * compareKeys(sortKey(column, a), sortKey(column, b)) || tieBreak(a, b);
}

/**
 * Sorts items (anything that carries an event) by `sort` and returns a new array. Keys are computed once per
 * item (or read from the caller's cache through `key`), not per comparison; input already in order (or in exact
 * reverse order, as the store's ascending snapshot is for the default sort) costs one linear pass.
 */
export function sortBy<T>(
  items: readonly T[],
  dto: (item: T) => EventDto,
  sort: SortState,
  key: (item: T) => SortKey = (item) => sortKey(sort.column, dto(item)),
): T[] {
  const n = items.length;
  const sign = sort.direction === 'asc' ? 1 : -1;
  const keys = new Array<SortKey>(n);
  for (let i = 0; i < n; i++) keys[i] = key(items[i]);
  const cmp = (i: number, j: number) => sign * compareKeys(keys[i], keys[j]) || tieBreak(dto(items[i]), dto(items[j]));
  let ascending = true;
  let descending = true;
  for (let i = 1; i < n && (ascending || descending); i++) {
    const c = cmp(i - 1, i);
    if (c > 0) ascending = false;
    if (c < 0) descending = false;
  }
  if (ascending) return items.slice();
  if (descending) return items.slice().reverse();
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(cmp);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[order[i]];
  return out;
}

/** Merges two arrays each sorted by `cmp` into one sorted array, in linear time. */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): T[] {
  if (b.length === 0) return a.slice();
  if (a.length === 0) return b.slice();
  const out = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
