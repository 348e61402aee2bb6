import type { Matchable } from '../core/query/evaluate';
import type { EventDto } from '../protocol/webview';

/**
 * The fields the core query evaluator reads, taken from a DTO, so the view filters with the very `matches()`
 * the tree uses. A DTO carries every one of them (under its own names); nothing is invented.
 */
export function dtoMatchable(d: EventDto): Matchable {
  return {
    type: d.type,
    reason: d.reason,
    action: d.action,
    message: d.message,
    namespace: d.namespace,
    regarding: { kind: d.objectKind, namespace: d.objectNamespace, name: d.objectName },
    reportingController: d.source,
    reportingInstance: d.sourceInstance,
    lastSeen: d.lastSeen,
    ours: d.ours,
    expired: d.expired,
    // '' on the wire is an event of no cluster: absent here, as on the event itself.
    ...(d.cluster ? { cluster: d.cluster } : {}),
  };
}
