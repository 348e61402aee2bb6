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

/** Newest first; every Warning reason's newest event first of all, so diagnostics never lose a reason. Sorts `events` in place. */
export function pickEvents(events: KubeEvent[]): EditorEventDto[] {
  events.sort((a, b) => b.lastSeen - a.lastSeen);
  const picked = new Set<KubeEvent>();
  const reasons = new Set<string>();
  for (const e of events) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    if (e.type === 'Warning' && !reasons.has(e.reason)) {
      reasons.add(e.reason);
      picked.add(e);
    }
  }
  for (const e of events) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    picked.add(e);
  }
  return [...picked].sort((a, b) => b.lastSeen - a.lastSeen).map(toEditorEventDto);
}
