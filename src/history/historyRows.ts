// The row codec of the history database: an event to its columns and JSON body (without default values)
// and back.
import type { KubeEvent, ObjectRef } from '../core/events/kubeEvent';

/** The columns a row is read back with besides `body`. */
export interface Row {
  readonly uid: string;
  readonly last_seen: number;
  readonly object_uid: string;
  readonly type: string;
  readonly reason: string;
  readonly namespace: string;
  readonly count: number;
  readonly resource_version: string;
  readonly expired: number;
  readonly body: string;
}

const EMPTY_REF: ObjectRef = { kind: '', name: '', namespace: '', apiVersion: '', uid: '', resourceVersion: '', fieldPath: '' };

/** Drops empty strings, zeros and false: a stored event is mostly defaults, and bytes per event matter. */
function compact<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== '' && v !== 0 && v !== false && v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}

/** A timestamp equal to the row's `last_seen` is written as this, 2 bytes instead of 13. */
const SAME_AS_LAST_SEEN = -1;

const TIMESTAMPS = ['firstTimestamp', 'lastTimestamp', 'eventTime', 'creationTimestamp'] as const;

function derivedFirstSeen(e: Pick<KubeEvent, 'firstTimestamp' | 'eventTime' | 'creationTimestamp'>): number {
  return e.firstTimestamp || e.eventTime || e.creationTimestamp;
}

/**
 * The event without what has a column of its own (the involved object's uid included), without default
 * values, with `lastSeen` taken from its column and `firstSeen` derived as normalizeEvent does (kept only
 * when it differs), and the involved object's namespace kept only when it is not the event's.
 */
export function encodeBody(e: KubeEvent): string {
  const { uid: _u, type: _t, reason: _r, namespace: _n, count: _c, resourceVersion: _v, expired: _x, lastSeen: _l, firstSeen, regarding, related, ours, ...rest } = e;
  const body: Record<string, unknown> = compact(rest);
  // Our recorder sent it (src/core/events/ourEvents.ts). Not `ours`: rows of earlier versions carry that key, judged by
  // the reporting controller anyone can set, and are not trusted.
  if (ours) body.sent = 1;
  for (const k of TIMESTAMPS) if (e[k] !== 0 && e[k] === e.lastSeen) body[k] = SAME_AS_LAST_SEEN;
  if (firstSeen !== derivedFirstSeen(e)) body.firstSeen = firstSeen;
  const { uid: _ru, namespace: regardingNamespace, ...ref } = regarding;
  const r: Record<string, unknown> = compact(ref);
  if (regardingNamespace !== e.namespace) r.namespace = regardingNamespace;
  body.regarding = r;
  if (related) body.related = compact(related);
  return JSON.stringify(body);
}

export function decodeRow(r: Row): KubeEvent {
  const b = JSON.parse(r.body) as Partial<KubeEvent> & { regarding: Partial<ObjectRef>; related?: Partial<ObjectRef>; sent?: number };
  const lastSeen = r.last_seen;
  const time = (v: number | undefined): number => (v === SAME_AS_LAST_SEEN ? lastSeen : (v ?? 0));
  const firstTimestamp = time(b.firstTimestamp);
  const eventTime = time(b.eventTime);
  const creationTimestamp = time(b.creationTimestamp);
  return {
    uid: r.uid,
    name: b.name ?? '',
    namespace: r.namespace,
    resourceVersion: r.resource_version,
    api: b.api ?? 'core/v1',
    type: r.type,
    reason: r.reason,
    action: b.action ?? '',
    message: b.message ?? '',
    regarding: { ...EMPTY_REF, ...b.regarding, namespace: b.regarding.namespace ?? r.namespace, uid: r.object_uid },
    related: b.related ? { ...EMPTY_REF, ...b.related } : undefined,
    reportingController: b.reportingController ?? '',
    reportingInstance: b.reportingInstance ?? '',
    count: r.count,
    series: b.series ?? undefined,
    firstTimestamp,
    lastTimestamp: time(b.lastTimestamp),
    eventTime,
    creationTimestamp,
    lastSeen,
    firstSeen: b.firstSeen ?? derivedFirstSeen({ firstTimestamp, eventTime, creationTimestamp }),
    ours: b.sent === 1,
    expired: r.expired === 1,
  };
}
