import { normalizeEvent, type EventChange, type EventChangeType, type KubeEvent, type ObjectRef } from '../../../src/core/events/kubeEvent';

/** Overrides for {@link anEvent}: any KubeEvent field, with `regarding` merged field by field. */
export type EventOverrides = Partial<Omit<KubeEvent, 'regarding'>> & { regarding?: Partial<ObjectRef> };

let serial = 0;

/**
 * A valid core/v1 KubeEvent for unit tests: a Normal `Scheduled` event on a Pod in `default`, with a fresh uid
 * and name unless given. Times derive from `lastSeen` when only it is given.
 */
export function anEvent(overrides: EventOverrides = {}): KubeEvent {
  const n = ++serial;
  const { regarding, ...rest } = overrides;
  const lastSeen = rest.lastSeen ?? 1_700_000_000_000 + n * 1000;
  const namespace = rest.namespace ?? 'default';
  const ref: ObjectRef = {
    kind: 'Pod',
    name: `pod-${n}`,
    namespace,
    apiVersion: 'v1',
    uid: `pod-uid-${n}`,
    resourceVersion: '1',
    fieldPath: '',
    ...regarding,
  };
  return {
    uid: `event-uid-${n}`,
    name: `${ref.name}.${n.toString(16)}`,
    namespace,
    resourceVersion: '1',
    api: 'core/v1',
    type: 'Normal',
    reason: 'Scheduled',
    action: '',
    message: `message ${n}`,
    regarding: ref,
    related: undefined,
    reportingController: 'default-scheduler',
    reportingInstance: '',
    count: 1,
    series: undefined,
    firstTimestamp: lastSeen,
    lastTimestamp: lastSeen,
    eventTime: 0,
    creationTimestamp: lastSeen,
    lastSeen,
    firstSeen: lastSeen,
    ours: false,
    expired: false,
    ...rest,
  };
}

/** The same event in a new version: `resourceVersion` bumped unless given, fields overridden. */
export function nextVersion(event: KubeEvent, overrides: EventOverrides = {}): KubeEvent {
  const { regarding, ...rest } = overrides;
  return {
    ...event,
    resourceVersion: String(Number(event.resourceVersion) + 1),
    ...rest,
    regarding: { ...event.regarding, ...regarding },
  };
}

export function change(type: EventChangeType, event: KubeEvent): EventChange {
  return { type, event };
}

export const added = (event: KubeEvent): EventChange => change('ADDED', event);
export const modified = (event: KubeEvent): EventChange => change('MODIFIED', event);
export const deleted = (event: KubeEvent): EventChange => change('DELETED', event);

/** What {@link aWatchedChange} is about: the involved object and the event's type and reason. */
export interface WatchedEventSpec {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly type: string;
  readonly reason: string;
}

/**
 * The `n`th kubelet-like core/v1 event as the watch delivers it (wire JSON through normalizeEvent, stamped now),
 * for suites that feed the broadcaster at a rate; `prefix` keeps one suite's names apart from another's.
 */
export function aWatchedChange(n: number, spec: WatchedEventSpec, prefix = 'load'): EventChange {
  const t = new Date().toISOString();
  const { namespace, kind, name, uid, type, reason } = spec;
  const event = normalizeEvent(
    {
      metadata: { name: `${prefix}-${n}`, namespace, uid: `${prefix}-uid-${n}-${namespace}`, resourceVersion: String(n + 1), creationTimestamp: t },
      involvedObject: { kind, namespace, name, uid },
      type,
      reason,
      message: `load event ${n}`,
      source: { component: 'kubelet' },
      count: 1,
      lastTimestamp: t,
    },
    'core/v1',
  );
  if (!event) throw new Error(`event ${n} did not normalize`);
  return { type: 'ADDED', event };
}
