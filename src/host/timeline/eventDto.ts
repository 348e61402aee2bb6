import { bounded } from '../../core/text/boundedText';
import { objectLabel, writtenThrough, type KubeEvent } from '../../core/events/kubeEvent';
import { MAX_DTO_MESSAGE_LENGTH, type EventDto, type TimelineColumn } from '../../protocol/webview';
import type { SortKey } from '../../protocol/timelineOrder';

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

function dtoCount(n: number): number {
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function dtoMessage(message: string): string {
  // The marker says how much was left out; it must fit within the guard's bound with it.
  return bounded(message, MAX_DTO_MESSAGE_LENGTH - 40);
}

/**
 * The key the view sorts `column` by for this event (src/webview/sortModel.ts's `sortKey` of its DTO), without
 * building the DTO: the host picks the view's first screenful from every event the store holds with it. `lower`
 * lower-cases text (the caller may memoise it).
 */
export function eventSortKey(column: TimelineColumn, e: KubeEvent, lower: (s: string) => string = (s) => s.toLowerCase()): SortKey {
  switch (column) {
    case 'lastSeen':
      return finite(e.lastSeen);
    case 'firstSeen':
      return finite(e.firstSeen);
    case 'count':
      return dtoCount(e.count);
    case 'type':
      return lower(e.type);
    case 'reason':
      return lower(e.reason);
    case 'object':
      return lower(objectLabel(e.regarding));
    case 'message':
      return lower(dtoMessage(e.message));
    case 'source':
      return lower(e.reportingController);
    case 'namespace':
      return lower(e.namespace);
    case 'cluster':
      return lower(e.cluster ?? '');
    case 'writtenBy':
      return writtenThrough(e);
    default: {
      const never: never = column;
      return never;
    }
  }
}

/**
 * Projects a store event onto the {@link EventDto} the timeline view receives. Pure and vscode-free. Text is
 * copied as is (the view renders it with `textContent`); only the message is cut, to bound the view's memory.
 */
export function toEventDto(e: KubeEvent): EventDto {
  const message = dtoMessage(e.message);
  return {
    uid: e.uid,
    cluster: e.cluster ?? '',
    type: e.type,
    reason: e.reason,
    action: e.action,
    message,
    namespace: e.namespace,
    objectKind: e.regarding.kind,
    objectName: e.regarding.name,
    objectNamespace: e.regarding.namespace,
    objectLabel: objectLabel(e.regarding),
    count: dtoCount(e.count),
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
