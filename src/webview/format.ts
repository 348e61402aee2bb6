/** Time and number formatting for the timeline view, in the user's local time zone. Pure (no DOM). */
import { formatAge } from '../core/eventTreeModel';

const pad2 = (n: number): string => String(n).padStart(2, '0');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `14:03:12`, or `14:03` when `seconds` is false. */
export function formatClock(t: number, seconds = true): string {
  const d = new Date(t);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return seconds ? `${hm}:${pad2(d.getSeconds())}` : hm;
}

/** `Mar 3`. */
export function formatDay(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
}

/** `2024-03-03 14:03:12` (local), for tooltips; `unknown` for 0. */
export function formatDateTime(t: number): string {
  if (!(t > 0)) return 'unknown';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(t)}`;
}

/** A time in a table cell: age like kubectl (`45s`, `3m`, `5h`, `2d`), `—` when unknown. */
export function formatCellAge(t: number, now: number): string {
  return t > 0 ? formatAge(now - t) : '—';
}

/** A tick label: clock with seconds below a minute step, without them below a day, else the day. */
export function formatTick(t: number, stepMs: number): string {
  if (stepMs >= 86_400_000) return formatDay(t);
  return formatClock(t, stepMs < 60_000);
}

/** A duration for the time-range label: `45s`, `12m`, `1h 30m`, `2d 4h`. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 && m < 10 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** `12,345` with thin grouping that does not depend on the locale. */
export function formatCount(n: number): string {
  return String(Math.max(0, Math.floor(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The status line: `N events · M shown · K dropped`. */
export function statusLine(total: number, shown: number, dropped: number): string {
  return `${formatCount(total)} ${total === 1 ? 'event' : 'events'} · ${formatCount(shown)} shown · ${formatCount(dropped)} dropped`;
}
