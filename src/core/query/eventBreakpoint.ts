/**
 * Event breakpoints (docs/ARCHITECTURE.md §12): a query (syntax.ts) plus two terms only a breakpoint has,
 * which say how many matching occurrences pause the debuggee:
 * - `count>N` (or `count>=N`): pause on the occurrence that makes more than N (at least N) since the
 *   breakpoint was armed or last fired; without it the first matching occurrence pauses;
 * - `within:DURATION` (as `since:`, e.g. `30s`, `1m`): only occurrences in that sliding window count, so
 *   `count>3 within:1m` is a rate.
 * An occurrence is an event created, or a repeat of one (its count rose: client-go's correlator patches the
 * count instead of writing a new event); a repeat that raised the count by k counts k times.
 * Pure: the debug adapter (src/host/debug/eventBreakpoints.ts) feeds it changes and pauses.
 */
import type { EventChange, KubeEvent } from '../events/kubeEvent';
import { matches, type MatchContext } from './evaluate';
import { parseDuration, parseQuery } from './parse';
import type { Query } from './syntax';

/** A parsed breakpoint. */
export interface EventBreakpointSpec {
  /** As typed, trimmed. */
  readonly text: string;
  readonly query: Query;
  /** Occurrences that fire it: `count>3` is 4, `count>=3` is 3, none is 1. */
  readonly threshold: number;
  /** The sliding window, undefined for "since armed". */
  readonly withinMs: number | undefined;
}

/** Splits on white space outside double quotes (the query's own quoting). */
function topLevelTokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\' && i + 1 < text.length) {
      cur += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && /\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Parses `reason:FailedCreate under:Website/shop/storefront count>3 within:1m`; an error says what is wrong. */
export function parseEventBreakpoint(text: string): { ok: true; value: EventBreakpointSpec } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'an event breakpoint needs a query, e.g. reason:FailedCreate under:Website/shop/storefront' };
  let threshold: number | undefined;
  let withinMs: number | undefined;
  const rest: string[] = [];
  for (const token of topLevelTokens(trimmed)) {
    const count = /^count(>=?)(\d+)$/.exec(token);
    if (count) {
      if (threshold !== undefined) return { ok: false, message: `"${token}": only one count term per breakpoint` };
      const n = Number(count[2]);
      threshold = count[1] === '>' ? n + 1 : Math.max(1, n);
      if (!Number.isSafeInteger(threshold) || threshold > 1_000_000) return { ok: false, message: `"${token}": the count must be at most 1000000` };
      continue;
    }
    if (/^count\b/.test(token)) return { ok: false, message: `"${token.slice(0, 40)}" is not a count term: write count>N or count>=N` };
    if (token.startsWith('within:')) {
      if (withinMs !== undefined) return { ok: false, message: `"${token.slice(0, 40)}": only one within term per breakpoint` };
      withinMs = parseDuration(token.slice('within:'.length));
      if (withinMs === undefined || withinMs <= 0) return { ok: false, message: `"${token.slice(0, 40)}": within takes a duration such as 30s, 1m or 1h30m` };
      continue;
    }
    rest.push(token);
  }
  if (rest.length === 0) return { ok: false, message: 'an event breakpoint needs at least one query term besides count and within, e.g. reason:FailedCreate' };
  const parsed = parseQuery(rest.join(' '));
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.value.terms.some((t) => t.key === 'session' || t.key === 'since' || t.key === 'until')) {
    return { ok: false, message: 'session:, since: and until: do not fit a breakpoint (it only sees what arrives during the session); use within: for a window' };
  }
  return { ok: true, value: { text: trimmed, query: parsed.value, threshold: threshold ?? 1, withinMs } };
}

/** Why a breakpoint fired: the breakpoint, the event whose arrival made the count, and how many it counted. */
export interface EventBreakpointHit {
  readonly spec: EventBreakpointSpec;
  readonly event: KubeEvent;
  readonly occurrences: number;
}

/**
 * Counts matching occurrences for a set of breakpoints during one debug session and says when one fires.
 * After firing a breakpoint starts counting afresh (it fires again on the next threshold).
 */
export class EventBreakpointCounter {
  /** Last count seen per event uid: a repeat counts by how much it rose. */
  private readonly counts = new Map<string, number>();
  private readonly windows = new Map<EventBreakpointSpec, number[]>();

  /** `armedAt`: events last seen before it (a relist, the store's past) never count. */
  constructor(
    readonly specs: readonly EventBreakpointSpec[],
    private readonly armedAt: number,
  ) {
    for (const s of specs) this.windows.set(s, []);
  }

  /** Feeds one change; returns the breakpoints it fired (at most one hit per breakpoint). */
  feed(change: EventChange, ctx: MatchContext): EventBreakpointHit[] {
    if (change.type === 'DELETED') return [];
    const e = change.event;
    const before = this.counts.get(e.uid);
    this.counts.set(e.uid, e.count);
    // Core/v1 timestamps have seconds: an event written in the armed second has lastSeen up to 999 ms before.
    if (e.lastSeen < Math.floor(this.armedAt / 1000) * 1000) return [];
    const added = before === undefined ? 1 : e.count - before;
    if (added <= 0) return [];
    const hits: EventBreakpointHit[] = [];
    for (const spec of this.specs) {
      if (!matches(spec.query, e, ctx)) continue;
      const times = this.windows.get(spec)!;
      for (let i = 0; i < added; i++) times.push(ctx.now);
      if (spec.withinMs !== undefined) {
        const from = ctx.now - spec.withinMs;
        while (times.length > 0 && times[0] < from) times.shift();
      }
      if (times.length >= spec.threshold) {
        hits.push({ spec, event: e, occurrences: times.length });
        times.length = 0;
      }
      // Bounded: nothing older than the threshold's worth is needed.
      if (times.length > spec.threshold) times.splice(0, times.length - spec.threshold);
    }
    return hits;
  }
}
