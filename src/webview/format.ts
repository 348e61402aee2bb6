/** The timeline's own formatting (cells, ticks, counts) over core/text/format.ts's durations and clock times. Pure (no DOM). */
import { formatAge, formatClock, formatDay } from '../core/text/format';

/** A time in a table cell: age like kubectl (`45s`, `3m`, `5h`, `2d`), `—` when unknown. */
export function formatCellAge(t: number, now: number): string {
  return t > 0 ? formatAge(now - t) : '—';
}

/** A tick label: clock with seconds below a minute step, without them below a day, else the day. */
export function formatTick(t: number, stepMs: number): string {
  if (stepMs >= 86_400_000) return formatDay(t);
  return formatClock(t, stepMs < 60_000);
}

/** `12,345` with thin grouping that does not depend on the locale. */
export function formatCount(n: number): string {
  return String(Math.max(0, Math.floor(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The status line: `N events · M shown · K dropped`. */
export function statusLine(total: number, shown: number, dropped: number): string {
  return `${formatCount(total)} ${total === 1 ? 'event' : 'events'} · ${formatCount(shown)} shown · ${formatCount(dropped)} dropped`;
}
