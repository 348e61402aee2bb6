import type { KubeEvent } from '../core/kubeEvent';
import type { EventDto } from '../protocol/webview';

/**
 * Rebuilds the `KubeEvent` fields the core query evaluator reads (type, reason, action, message, namespace,
 * involved object, reporting controller/instance, lastSeen, ours, expired) from a DTO, so the view filters with
 * the very `matches()` the tree uses. Fields a DTO does not carry are empty; no query key reads them.
 */
export function dtoToKubeEvent(d: EventDto): KubeEvent {
  return {
    uid: d.uid,
    name: '',
    namespace: d.namespace,
    resourceVersion: '',
    api: d.readThrough,
    type: d.type,
    reason: d.reason,
    action: d.action,
    message: d.message,
    regarding: { kind: d.objectKind, name: d.objectName, namespace: d.objectNamespace, apiVersion: '', uid: '', resourceVersion: '', fieldPath: '' },
    related: undefined,
    reportingController: d.source,
    reportingInstance: d.sourceInstance,
    count: d.count,
    series: undefined,
    firstTimestamp: d.firstSeen,
    lastTimestamp: d.lastSeen,
    eventTime: 0,
    creationTimestamp: 0,
    lastSeen: d.lastSeen,
    firstSeen: d.firstSeen,
    ours: d.ours,
    expired: d.expired,
  };
}
