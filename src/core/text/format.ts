/**
 * Durations and clock times as every view writes them: the tree, the timeline, the log's messages, the
 * language server's hovers and the query descriptions import them from here. Pure (no DOM, no Node); clock
 * times are in the local time zone.
 */

const pad2 = (n: number): string => String(n).padStart(2, '0');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How long ago, compact like kubectl's AGE column: 45s, 3m, 5h, 2d (one unit; `0s` for a negative or unknown age). */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** How long something lasted, in at most two units: `45s`, `1m 30s`, `12m`, `1h 30m`, `2d 4h`. */
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

/** A duration as the query language writes it (`since:1h30m`): every non-zero unit, no spaces; `` for 0. */
export function formatQueryDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

/** A window in words, after "the last": `hour`, `2 hours`, `minute`, `30 minutes` (whole minutes). */
export function formatWindow(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m % 60 === 0 && m >= 60) return m === 60 ? 'hour' : `${m / 60} hours`;
  return m === 1 ? 'minute' : `${m} minutes`;
}

/** `14:03:12`, or `14:03` when `seconds` is false (local time). */
export function formatClock(t: number, seconds = true): string {
  const d = new Date(t);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return seconds ? `${hm}:${pad2(d.getSeconds())}` : hm;
}

/** `Mar 3` (local time). */
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
