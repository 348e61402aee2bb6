/** Which rows of a fixed-row-height list are in (or near) the viewport. Pure (no DOM). */

/** What {@link virtualWindow} reads from the scroll container. */
export interface ViewportMetrics {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly rowCount: number;
  /** Extra rows rendered above and below the viewport, so fast scrolling shows no gaps. Default 6. */
  readonly overscan?: number;
}

/** Rows `first` (inclusive) to `last` (exclusive) go in the DOM, translated down by `offset` pixels. */
export interface VirtualWindow {
  readonly first: number;
  readonly last: number;
  readonly offset: number;
  /** Height of the spacer that gives the scroll container its full scroll range. */
  readonly totalHeight: number;
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(v) ? Math.floor(v) : lo));
}

export function virtualWindow(m: ViewportMetrics): VirtualWindow {
  const rowHeight = m.rowHeight > 0 ? m.rowHeight : 1;
  const count = Math.max(0, Math.floor(m.rowCount));
  const overscan = Math.max(0, Math.floor(m.overscan ?? 6));
  const totalHeight = count * rowHeight;
  const maxTop = Math.max(0, totalHeight - Math.max(0, m.viewportHeight));
  const top = Math.min(Math.max(0, Number.isFinite(m.scrollTop) ? m.scrollTop : 0), maxTop);
  const visible = Math.ceil(Math.max(0, m.viewportHeight) / rowHeight) + 1;
  const first = clampInt(top / rowHeight - overscan, 0, count);
  const last = clampInt(top / rowHeight + visible + overscan, first, count);
  return { first, last, offset: first * rowHeight, totalHeight };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or undefined when it already
 * is (or does not exist).
 */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number): number | undefined {
  if (index < 0 || index >= rowCount || rowHeight <= 0) return undefined;
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return undefined;
}
