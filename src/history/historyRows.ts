// The row codec of the history database: an event to its columns and JSON body (without default values)
// and back.
import type { EventChange, KubeEvent, ObjectRef } from '../core/events/kubeEvent';

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

/** A column's value, as bound to UPSERT (historySchema.ts). */
export type Value = string | number | Uint8Array;

type Place = 'column' | 'body' | 'rule';

/**
 * Where each field of an event is stored: in a column of its own, in the JSON body, or by a rule of its own in
 * {@link encodeRow}. Typed over every key of KubeEvent, so a field added there does not compile until it is
 * given a place here. `cluster` (the event's cluster, where several are watched) is not stored: a history file
 * is one cluster's, and what is read back is marked with it.
 */
const STORED: { readonly [K in keyof Required<KubeEvent>]: Place } & { readonly cluster?: Place } = {
  uid: 'column',
  name: 'body',
  namespace: 'column',
  resourceVersion: 'column',
  api: 'body',
  type: 'column',
  reason: 'column',
  action: 'body',
  message: 'body',
  regarding: 'rule',
  related: 'rule',
  reportingController: 'body',
  reportingInstance: 'body',
  count: 'column',
  series: 'body',
  firstTimestamp: 'body',
  lastTimestamp: 'body',
  eventTime: 'body',
  creationTimestamp: 'body',
  lastSeen: 'column',
  firstSeen: 'rule',
  ours: 'rule',
  expired: 'column',
  deletedAt: 'body',
  cluster: 'rule',
};
const BODY_KEYS = (Object.keys(STORED) as Array<keyof KubeEvent>).filter((k) => STORED[k] === 'body');
const REF_KEYS = ['kind', 'namespace', 'name', 'apiVersion', 'uid', 'resourceVersion', 'fieldPath'] as const;

/** A stored event is mostly defaults, and bytes per event matter: empty strings, zeros and false are left out. */
function isDefault(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined || v === null;
}

/** The reference's fields without defaults, but for those stored elsewhere (`regarding`'s uid and namespace). */
function compactRef(ref: ObjectRef, skip?: 'uid and namespace'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of REF_KEYS) if (!isDefault(ref[k]) && !(skip && (k === 'uid' || k === 'namespace'))) out[k] = ref[k];
  return out;
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
function encodeBody(e: KubeEvent): string {
  const body: Record<string, unknown> = {};
  for (const k of BODY_KEYS) if (!isDefault(e[k])) body[k] = e[k];
  // Our recorder sent it (src/core/events/ourEvents.ts). Not `ours`: rows of earlier versions carry that key, judged by
  // the reporting controller anyone can set, and are not trusted.
  if (e.ours) body.sent = 1;
  for (const k of TIMESTAMPS) if (e[k] !== 0 && e[k] === e.lastSeen) body[k] = SAME_AS_LAST_SEEN;
  if (e.firstSeen !== derivedFirstSeen(e)) body.firstSeen = e.firstSeen;
  const r = compactRef(e.regarding, 'uid and namespace');
  if (e.regarding.namespace !== e.namespace) r.namespace = e.regarding.namespace;
  body.regarding = r;
  if (e.related) body.related = compactRef(e.related);
  return JSON.stringify(body);
}

/**
 * A change as UPSERT's ten values, in its order (uid, last_seen, type, reason, namespace, object_uid, count,
 * expired, resource_version, body). Text goes in as UTF-8 bytes, which SQLite casts back to TEXT
 * (historySchema.ts): Node encodes them natively, where node-sqlite3-wasm encodes a string argument character by
 * character in JavaScript into memory it allocates and frees for each value.
 */
export function encodeRow(change: EventChange): Value[] {
  const e = change.event;
  const expired = change.type === 'DELETED' || e.expired ? 1 : 0;
  return [
    Buffer.from(e.uid), e.lastSeen, Buffer.from(e.type), Buffer.from(e.reason), Buffer.from(e.namespace), Buffer.from(e.regarding.uid),
    e.count, expired, Buffer.from(e.resourceVersion), Buffer.from(encodeBody(e)),
  ];
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
