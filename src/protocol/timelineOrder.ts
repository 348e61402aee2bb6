/**
 * The timeline table's sort order, shared by the view (which sorts what it holds, src/webview/sortModel.ts) and
 * the host (which sends the view's first screenful first, in this order: src/host/timeline/timelineFeed.ts).
 * Pure and plain data: the order crosses the boundary in `view/ready` and `view/sort`.
 */
import type { TimelineColumn } from './webview';

export type SortDirection = 'asc' | 'desc';

/** The table's sort order: one column and a direction. */
export interface SortState {
  readonly column: TimelineColumn;
  readonly direction: SortDirection;
}

/** Newest first, as `kubectl events` lists them (reversed). */
export const DEFAULT_SORT: SortState = Object.freeze({ column: 'lastSeen', direction: 'desc' });

/** What a column sorts by: a number, or lower-cased text. */
export type SortKey = number | string;

export function compareKeys(a: SortKey, b: SortKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ties (and equal keys) fall back to newest first, then uid, so the order is total and deterministic. */
export function tieBreak(a: { readonly lastSeen: number; readonly uid: string }, b: { readonly lastSeen: number; readonly uid: string }): number {
  if (a.lastSeen !== b.lastSeen) return b.lastSeen - a.lastSeen;
  return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
}
