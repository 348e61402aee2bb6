/**
 * One normalised model for core/v1 `Event` and events.k8s.io/v1 `Event` objects. Both APIs are views of
 * the same storage; the model keeps every field either can carry, under the events.k8s.io/v1 names.
 */

import { eventStrings } from './stringPool';

/** The reporting controller this extension writes into events it emits. */
export const OUR_REPORTING_CONTROLLER = 'kube-events-vscode';

/** Which API an event was read from (or is written to). */
export type EventApi = 'core/v1' | 'events.k8s.io/v1';

/** The REST path of the events of `api` in `namespace`, or in every namespace when it is ''. */
export function eventsPath(api: EventApi, namespace: string): string {
  const base = api === 'core/v1' ? '/api/v1' : '/apis/events.k8s.io/v1';
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/events` : `${base}/events`;
}

/** The client-go recorder that writes through each API (docs/ARCHITECTURE.md §1). */
export const RECORDER_OF: Readonly<Record<EventApi, string>> = {
  'core/v1': 'record.EventRecorder',
  'events.k8s.io/v1': 'events.EventRecorder',
};

/**
 * What names an API object: kind, namespace and name. `namespace` is '' for a cluster-scoped object.
 *
 * The one object-reference family of the extension (docs/ARCHITECTURE.md §1) is declared here and nowhere else:
 * - {@link ObjectKey}: kind, namespace, name, what identifies an object (and what `objectKey` keys);
 * - {@link ObjectRef}: every field of an ObjectReference, as an event carries it;
 * - {@link ObjectKeyWith}: an ObjectKey plus named fields of ObjectRef, some required and some optional, for what
 *   a module needs (`ObjectKeyWith<'apiVersion'>` for a manifest, `ObjectKeyWith<never, 'uid'>` for an owned object);
 * - {@link PartialObjectRef}: kind and name, the rest as far as known (an ObjectReference as JSON or a caller gives it);
 * - {@link ObjectSelector}: an object as a user names it, in any namespace when none is given.
 * Kubernetes' own `OwnerReference` (src/core/ownerGraph.ts) is an entry of `metadata.ownerReferences`, not a member.
 */
export interface ObjectKey {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A reference to an API object, as carried by an event's involvedObject / regarding / related ('' when absent). */
export interface ObjectRef extends ObjectKey {
  readonly apiVersion: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly fieldPath: string;
}

/**
 * An object as a user names it in `object:` and `under:`: `namespace` undefined means any namespace, '' a
 * cluster-scoped object.
 */
export type ObjectSelector = Omit<ObjectKey, 'namespace'> & { readonly namespace?: string | undefined };

/**
 * An {@link ObjectKey} plus the fields `Has` of {@link ObjectRef}, and the fields `MayHave` where known: an object
 * read live is `ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>`, one to read `ObjectKeyWith<never, 'apiVersion'>`.
 */
export type ObjectKeyWith<Has extends keyof ObjectRef, MayHave extends keyof ObjectRef = never> = ObjectKey &
  Pick<ObjectRef, Has> &
  Partial<Pick<ObjectRef, MayHave>>;

/**
 * Kind and name, and whatever else of an {@link ObjectRef} is known: an ObjectReference as JSON carries it (absent
 * fields left out) or as a caller hands it in.
 */
export type PartialObjectRef = Pick<ObjectRef, 'kind' | 'name'> & Partial<Omit<ObjectRef, 'kind' | 'name'>>;

/** An events.k8s.io/v1 series (core/v1 carries the same under `series` with `count`/`lastObservedTime`). */
export interface EventSeries {
  readonly count: number;
  /** Epoch milliseconds. */
  readonly lastObservedTime: number;
}

/**
 * A Kubernetes event as the broadcaster, store and views see it. Times are epoch milliseconds (0 when
 * absent); strings are never undefined (empty when absent). Produced by {@link normalizeEvent} in the
 * EventSource and never mutated afterwards: an update replaces the whole object.
 */
export interface KubeEvent {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly resourceVersion: string;
  /** The API the object was read through (the watch's), not the one it was written through: see {@link writtenThrough}. */
  readonly api: EventApi;
  /** `Normal` or `Warning` on a valid event; anything else is kept as sent. */
  readonly type: string;
  readonly reason: string;
  readonly action: string;
  /** core/v1 `message`, events.k8s.io/v1 `note`. */
  readonly message: string;
  /** core/v1 `involvedObject`, events.k8s.io/v1 `regarding`. */
  readonly regarding: ObjectRef;
  readonly related: ObjectRef | undefined;
  /**
   * `reportingController`, else core/v1 `source.component` (events.k8s.io/v1 `deprecatedSource.component`).
   * The fallback matters for client-go's "(combined from similar events)" event, which carries only `source`.
   * Every view and the `source:` filter read this field; none reads the raw fields again.
   */
  readonly reportingController: string;
  /** `reportingInstance`, else core/v1 `source.host` (events.k8s.io/v1 `deprecatedSource.host`). */
  readonly reportingInstance: string;
  /** core/v1 `count`, else `series.count`, else 1. */
  readonly count: number;
  readonly series: EventSeries | undefined;
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  readonly eventTime: number;
  readonly creationTimestamp: number;
  /** `series.lastObservedTime` → `lastTimestamp` → `eventTime` → `creationTimestamp` (kubectl events' order). */
  readonly lastSeen: number;
  /** `firstTimestamp` → `eventTime` → `creationTimestamp`. */
  readonly firstSeen: number;
  /**
   * Written by this extension's recorder: its uid is one the recorder sent (src/core/events/ourEvents.ts), in this
   * window or, through history, an earlier one. Never judged by a field of the event, which any writer sets;
   * {@link normalizeEvent} leaves it false and the session marks the events it knows (src/kube/clusterSession.ts).
   */
  readonly ours: boolean;
  /** The apiserver deleted it (TTL or by hand); the store keeps it as history. */
  readonly expired: boolean;
  /** When the store learnt of the deletion (epoch ms); absent while the event exists, or when unknown. */
  readonly deletedAt?: number;
  /**
   * The cluster the event came from: the name of the kubeconfig context that first connected to that cluster
   * identity (docs/ARCHITECTURE.md §1). The session sets it on every event it feeds, from a pool (one string per
   * cluster); absent only on events built by hand (tests, benches). `cluster:` matches it.
   */
  readonly cluster?: string;
}

/** What happened to an event, as the EventSource reports it and the broadcaster distributes it. */
export type EventChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change to one event. */
export interface EventChange {
  readonly type: EventChangeType;
  readonly event: KubeEvent;
  /**
   * Set on changes that came from a (re)list rather than from the watch. A list arrives page by page in the
   * apiserver's key order; `'last'` marks its final change, so a watcher that shows events in time order (the
   * log) knows the dump is complete.
   */
  readonly list?: 'more' | 'last';
}

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/**
 * The last timestamp string parsed and its value: an event's timestamps are mostly one instant written two or
 * three times (first, last, creation), and neighbours in a stream share seconds, so this saves most `Date.parse`s.
 */
let lastTime = '';
let lastMillis = 0;

/** Accepts RFC 3339 strings (micro or second precision) and Dates; anything else is 0. */
function toMillis(v: unknown): number {
  if (typeof v === 'string') {
    if (v === lastTime) return lastMillis;
    if (v === '') return 0;
    const t = Date.parse(v);
    lastTime = v;
    lastMillis = Number.isNaN(t) ? 0 : t;
    return lastMillis;
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 0 : v.getTime();
  return 0;
}

const EMPTY_REF: ObjectRef = Object.freeze({ kind: '', name: '', namespace: '', apiVersion: '', uid: '', resourceVersion: '', fieldPath: '' });

const { vocabulary, objects, messages } = eventStrings;

/** `ref` with its strings taken from the pools (stringPool.ts), so the events about one object share them. */
function pooledRef(ref: ObjectRef): ObjectRef {
  return {
    kind: vocabulary.intern(ref.kind),
    name: objects.intern(ref.name),
    namespace: vocabulary.intern(ref.namespace),
    apiVersion: vocabulary.intern(ref.apiVersion),
    uid: objects.intern(ref.uid),
    resourceVersion: objects.intern(ref.resourceVersion),
    fieldPath: vocabulary.intern(ref.fieldPath),
  };
}

function toObjectRef(v: unknown): ObjectRef | undefined {
  const o = obj(v);
  if (!o) return undefined;
  return pooledRef({
    kind: str(o.kind),
    name: str(o.name),
    namespace: str(o.namespace),
    apiVersion: str(o.apiVersion),
    uid: str(o.uid),
    resourceVersion: str(o.resourceVersion),
    fieldPath: str(o.fieldPath),
  });
}

/**
 * `e` with the strings events repeat taken from the pools (stringPool.ts), as {@link normalizeEvent} takes them:
 * for events made another way (rows read back from the history).
 */
export function withPooledStrings(e: KubeEvent): KubeEvent {
  return {
    ...e,
    namespace: vocabulary.intern(e.namespace),
    type: vocabulary.intern(e.type),
    reason: vocabulary.intern(e.reason),
    action: vocabulary.intern(e.action),
    message: messages.intern(e.message),
    regarding: e.regarding === EMPTY_REF ? EMPTY_REF : pooledRef(e.regarding),
    related: e.related && pooledRef(e.related),
    reportingController: vocabulary.intern(e.reportingController),
    reportingInstance: vocabulary.intern(e.reportingInstance),
  };
}

/**
 * Normalises a core/v1 or events.k8s.io/v1 Event (raw JSON as the apiserver sends it, or the Date-carrying
 * objects @kubernetes/client-node deserialises). Returns undefined when the object has no uid: such an
 * object cannot be tracked and is not an event the apiserver stored. Strings that events repeat come from
 * the pools (stringPool.ts); nothing of `raw` is kept but its strings.
 */
export function normalizeEvent(raw: unknown, api: EventApi, cluster?: string): KubeEvent | undefined {
  const o = obj(raw);
  const meta = obj(o?.metadata);
  if (!o || !meta || !str(meta.uid)) return undefined;
  const isV1 = api === 'events.k8s.io/v1';
  const seriesRaw = obj(o.series);
  const series: EventSeries | undefined = seriesRaw
    ? { count: typeof seriesRaw.count === 'number' ? seriesRaw.count : 0, lastObservedTime: toMillis(seriesRaw.lastObservedTime) }
    : undefined;
  const firstTimestamp = toMillis(isV1 ? o.deprecatedFirstTimestamp : o.firstTimestamp);
  const lastTimestamp = toMillis(isV1 ? o.deprecatedLastTimestamp : o.lastTimestamp);
  const eventTime = toMillis(o.eventTime);
  const creationTimestamp = toMillis(meta.creationTimestamp);
  const legacyCount = isV1 ? o.deprecatedCount : o.count;
  const count = typeof legacyCount === 'number' && legacyCount > 0 ? legacyCount : series && series.count > 0 ? series.count : 1;
  const legacySource = obj(isV1 ? o.deprecatedSource : o.source);
  const reportingController = str(isV1 ? o.reportingController : o.reportingComponent) || str(legacySource?.component);
  const reportingInstance = str(o.reportingInstance) || str(legacySource?.host);
  const event: { -readonly [K in keyof KubeEvent]: KubeEvent[K] } = {
    uid: str(meta.uid),
    name: str(meta.name),
    namespace: vocabulary.intern(str(meta.namespace)),
    resourceVersion: str(meta.resourceVersion),
    api,
    type: vocabulary.intern(str(o.type)),
    reason: vocabulary.intern(str(o.reason)),
    action: vocabulary.intern(str(o.action)),
    message: messages.intern(str(isV1 ? o.note : o.message)),
    regarding: toObjectRef(isV1 ? o.regarding : o.involvedObject) ?? EMPTY_REF,
    related: toObjectRef(o.related),
    reportingController: vocabulary.intern(reportingController),
    reportingInstance: vocabulary.intern(reportingInstance),
    count,
    series,
    firstTimestamp,
    lastTimestamp,
    eventTime,
    creationTimestamp,
    lastSeen: (series && series.lastObservedTime) || lastTimestamp || eventTime || creationTimestamp,
    firstSeen: firstTimestamp || eventTime || creationTimestamp,
    // Who wrote an event is not in the event: reportingController and source are whatever the writer sent.
    ours: false,
    expired: false,
  };
  // Only when given, so an event of no cluster has no such key (hand-built events and fixtures compare equal).
  if (cluster !== undefined) event.cluster = vocabulary.intern(cluster);
  return event;
}

/**
 * Which API the event was written through, judged from the fields only an events.k8s.io/v1 writer
 * (client-go's `events.EventRecorder`) sets: `eventTime` (the apiserver requires it on every create through
 * events.k8s.io/v1) and `series`. core/v1 `record.EventRecorder` sets neither; it counts with `count` and
 * first/last timestamps. `action` alone does not decide: a core/v1 writer may set it too (Emit Test Event does).
 * Independent of {@link KubeEvent.api}, the API the event was read through: both read the same storage.
 */
export function writtenThrough(e: Pick<KubeEvent, 'eventTime' | 'series'>): EventApi {
  return e.eventTime > 0 || e.series !== undefined ? 'events.k8s.io/v1' : 'core/v1';
}

/** `controller on instance` (either may be empty), as every view names who reported an event. */
export function sourceLabel(e: Pick<KubeEvent, 'reportingController' | 'reportingInstance'>): string {
  return e.reportingController && e.reportingInstance ? `${e.reportingController} on ${e.reportingInstance}` : e.reportingController || e.reportingInstance;
}

/** `Kind/name`, the way kubectl and the tree name an involved object. */
export function objectLabel(ref: Pick<ObjectKey, 'kind' | 'name'>): string {
  return ref.kind ? `${ref.kind}/${ref.name}` : ref.name;
}

/**
 * `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object: how logs and explanations name an object
 * without a namespace column beside it.
 */
export function objectPath(ref: Pick<PartialObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/**
 * A key for an involved object that survives a missing uid: `kind/namespace/name`, every part as written (the
 * namespace empty for cluster-scoped objects). The tree, the timeline's lanes and the language server's protocol
 * key objects with it.
 */
export function objectKey(ref: ObjectKey): string {
  // Keys are kept by the store's and the tree's indexes, one per object: the objects of one kind in one namespace
  // share the pooled `Kind/namespace/` (stringPool.ts), so a key costs little more than the name it ends with.
  return vocabulary.intern(`${ref.kind}/${ref.namespace}/`) + ref.name;
}

/**
 * {@link objectKey} with the kind's case folded: how the owner graph and the editors look objects up, since
 * a manifest or a query may say `deployment` where events say `Deployment`.
 */
export function objectKeyIgnoringKindCase(ref: ObjectKey): string {
  return objectKey({ kind: ref.kind.toLowerCase(), namespace: ref.namespace, name: ref.name });
}

export function isWarning(e: Pick<KubeEvent, 'type'>): boolean {
  return e.type === 'Warning';
}
