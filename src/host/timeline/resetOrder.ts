import type { KubeEvent } from '../../core/events/kubeEvent';
import { compareKeys, tieBreak, type SortKey, type SortState } from '../../protocol/timelineOrder';
import { eventSortKey } from './eventDto';

/** The order a reset sends events in (see {@link resetOrder}). */
export interface ResetOrder {
  /** The first screenful, in the view's sort order (the `events/reset` itself). */
  readonly first: readonly KubeEvent[];
  /** The rest, for the pages; lazily, so the first screenful goes out before anything else is done. */
  readonly rest: Iterator<KubeEvent>;
  /** How many events `rest` yields. */
  readonly restCount: number;
}

interface Ranked {
  readonly key: SortKey;
  readonly lastSeen: number;
  readonly uid: string;
  readonly event: KubeEvent;
}

/**
 * The order a reset sends the store's events in, so the view paints its first screen from the first message:
 * the `first` top events in the view's sort order among those it shows (`shown`: the view's filter, or the
 * host's; undefined: all), sorted; then the others it shows, most recently updated first; then, when the view
 * filters by itself and so must hold every event (`sendHidden`), those its filter hides. Later pages only add rows
 * below the first screenful, which therefore stays put while they arrive.
 *
 * `oldestFirst` is the store's snapshot (least recently updated first), read from its end. One pass with a bounded
 * heap (the worst of the best `first` at its root) picks the first screenful: O(n log first), no full sort and
 * nothing allocated for an event that ranks below it, on the extension host's thread. Keys are those the view
 * sorts by ({@link eventSortKey}).
 */
export function resetOrder(oldestFirst: readonly KubeEvent[], sort: SortState, first: number, shown: ((e: KubeEvent) => boolean) | undefined, sendHidden: boolean): ResetOrder {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const cmp = (a: Ranked, b: Ranked) => sign * compareKeys(a.key, b.key) || tieBreak(a, b);
  // Reasons, kinds, namespaces and sources repeat (the store interns them): lower-case each once.
  const lowered = new Map<string, string>();
  const lower = (s: string): string => {
    let l = lowered.get(s);
    if (l === undefined) lowered.set(s, (l = s.toLowerCase()));
    return l;
  };
  const memo = sort.column === 'message' ? undefined : lower;
  const heap: Ranked[] = [];
  const size = Math.max(0, Math.floor(first));
  let shownCount = 0;
  for (let i = oldestFirst.length - 1; i >= 0; i--) {
    const event = oldestFirst[i];
    if (shown && !shown(event)) continue;
    shownCount++;
    if (size === 0) continue;
    const key = eventSortKey(sort.column, event, memo);
    const lastSeen = eventSortKey('lastSeen', event) as number;
    if (heap.length >= size) {
      // Most events rank below the worst kept one: decide that before allocating anything.
      const worst = heap[0];
      if ((sign * compareKeys(key, worst.key) || tieBreak({ lastSeen, uid: event.uid }, worst)) >= 0) continue;
      heap[0] = { key, lastSeen, uid: event.uid, event };
      siftDown(heap, 0, cmp);
    } else {
      heap.push({ key, lastSeen, uid: event.uid, event });
      siftUp(heap, heap.length - 1, cmp);
    }
  }
  heap.sort(cmp);
  const top = heap.map((r) => r.event);
  const hidden = shown && sendHidden ? oldestFirst.length - shownCount : 0;
  return { first: top, rest: rest(oldestFirst, new Set(top), shown, hidden > 0), restCount: shownCount - top.length + hidden };
}

function* rest(oldestFirst: readonly KubeEvent[], top: ReadonlySet<KubeEvent>, shown: ((e: KubeEvent) => boolean) | undefined, sendHidden: boolean): Generator<KubeEvent> {
  for (let i = oldestFirst.length - 1; i >= 0; i--) {
    const e = oldestFirst[i];
    if (!top.has(e) && (!shown || shown(e))) yield e;
  }
  if (!shown || !sendHidden) return;
  for (let i = oldestFirst.length - 1; i >= 0; i--) {
    const e = oldestFirst[i];
    if (!shown(e)) yield e;
  }
}

/** Max-heap by `cmp` (the entry that sorts last at the root). */
function siftUp(heap: Ranked[], i: number, cmp: (a: Ranked, b: Ranked) => number): void {
  const item = heap[i];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (cmp(heap[parent], item) >= 0) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = item;
}

function siftDown(heap: Ranked[], i: number, cmp: (a: Ranked, b: Ranked) => number): void {
  const n = heap.length;
  const item = heap[i];
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && cmp(heap[child + 1], heap[child]) > 0) child++;
    if (cmp(heap[child], item) <= 0) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}
