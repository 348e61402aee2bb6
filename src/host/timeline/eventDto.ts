import { bounded } from '../../core/text/boundedText';
import { objectLabel, writtenThrough, type KubeEvent } from '../../core/events/kubeEvent';
import { MAX_DTO_MESSAGE_LENGTH, type EventDto } from '../../protocol/webview';

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/**
 * Projects a store event onto the {@link EventDto} the timeline view receives. Pure and vscode-free. Text is
 * copied as is (the view renders it with `textContent`); only the message is cut, to bound the view's memory.
 */
export function toEventDto(e: KubeEvent): EventDto {
  // The marker says how much was left out; it must fit within the guard's bound with it.
  const message = bounded(e.message, MAX_DTO_MESSAGE_LENGTH - 40);
  return {
    uid: e.uid,
    type: e.type,
    reason: e.reason,
    action: e.action,
    message,
    namespace: e.namespace,
    objectKind: e.regarding.kind,
    objectName: e.regarding.name,
    objectNamespace: e.regarding.namespace,
    objectLabel: objectLabel(e.regarding),
    count: Number.isSafeInteger(e.count) && e.count >= 0 ? e.count : 0,
    source: e.reportingController,
    sourceInstance: e.reportingInstance,
    writtenBy: writtenThrough(e),
    readThrough: e.api,
    lastSeen: finite(e.lastSeen),
    firstSeen: finite(e.firstSeen),
    ours: e.ours,
    expired: e.expired,
  };
}
