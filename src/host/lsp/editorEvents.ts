/**
 * The events one editor subject (an object or a reason) shows, picked and cut to what the language-server protocol
 * accepts (src/protocol/languageServer.ts). Both feeds send their lists through this one rule.
 */
import { oneLine } from '../../core/text/boundedText';
import type { KubeEvent } from '../../core/events/kubeEvent';
import { MAX_EDITOR_MESSAGE_LENGTH, MAX_EVENTS_PER_SUBJECT, MAX_NAME_LENGTH, type EditorEventDto } from '../../protocol/languageServer';

/** Cluster strings cut to what the protocol accepts: one oversized field must not get a whole update refused. */
function cut(s: string): string {
  return s.length <= MAX_NAME_LENGTH ? s : s.slice(0, MAX_NAME_LENGTH - 1) + '…';
}

function toEditorEventDto(e: KubeEvent): EditorEventDto {
  return {
    uid: cut(e.uid),
    type: cut(e.type),
    reason: cut(e.reason),
    message: oneLine(e.message, MAX_EDITOR_MESSAGE_LENGTH - 40),
    count: Number.isSafeInteger(e.count) && e.count > 0 ? e.count : 1,
    lastSeen: Number.isFinite(e.lastSeen) && e.lastSeen > 0 ? e.lastSeen : 0,
    kind: cut(e.regarding.kind),
    namespace: cut(e.regarding.namespace),
    name: cut(e.regarding.name),
    fieldPath: cut(e.regarding.fieldPath),
    source: cut(e.reportingController),
  };
}

/**
 * Where `list` (indices of `events`, in the order {@link precedes} gives, at most `max`) would hold `i`, and
 * puts it there; beyond `max` the last one falls off.
 */
function insertRanked(events: readonly KubeEvent[], list: number[], i: number, max: number): void {
  if (list.length >= max && !precedes(events, i, list[list.length - 1])) return;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (precedes(events, list[mid], i)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, i);
  if (list.length > max) list.pop();
}

/** Newest first; of two seen at the same time, the one earlier in the list (what a stable sort keeps). */
function precedes(events: readonly KubeEvent[], i: number, j: number): boolean {
  const a = events[i].lastSeen;
  const b = events[j].lastSeen;
  return a > b || (a === b && i < j);
}

/**
 * Newest first; every Warning reason's newest event first of all, so diagnostics never lose a reason. One pass
 * that keeps only the newest {@link MAX_EVENTS_PER_SUBJECT} and each Warning reason's newest: a reason with
 * 30,000 events in the store is not sorted whole every time one more arrives.
 */
export function pickEvents(events: readonly KubeEvent[]): EditorEventDto[] {
  const max = MAX_EVENTS_PER_SUBJECT;
  const newest: number[] = [];
  const newestOfReason = new Map<string, number>();
  // From the end: the store lists events oldest first, so once `newest` is full most events fall out at one comparison.
  for (let i = events.length - 1; i >= 0; i--) {
    insertRanked(events, newest, i, max);
    const e = events[i];
    if (e.type !== 'Warning') continue;
    const j = newestOfReason.get(e.reason);
    if (j === undefined || precedes(events, i, j)) newestOfReason.set(e.reason, i);
  }
  const warnings: number[] = [];
  for (const i of newestOfReason.values()) insertRanked(events, warnings, i, max);
  const picked = new Set<number>(warnings);
  for (const i of newest) {
    if (picked.size >= max) break;
    picked.add(i);
  }
  return [...picked].sort((a, b) => events[b].lastSeen - events[a].lastSeen).map((i) => toEditorEventDto(events[i]));
}
