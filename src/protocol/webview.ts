/**
 * The message protocol of the "Kube Events: Timeline" webview panel, imported by both the host
 * (src/host/timeline) and the view (src/webview). Every message name carries its area (`events/…`,
 * `filter/…`, `view/…`, `event/…`). Both sides treat inbound messages as `unknown` until
 * {@link isHostMessage} / {@link isViewMessage} accept them.
 *
 * Handshake: the view posts `view/ready` (with its sort order) once its script runs; the host sends nothing
 * before that, then replies with a full reset and `stats`. A reset is an `events/reset` carrying the view's
 * first screenful (the top rows in the view's sort order and filter), then `events/page`s with the rest, each
 * in its own task, the last with `remaining: 0`. The host re-sends the reset whenever the panel becomes visible
 * again (the panel does not retain its context while hidden), and between resets sends batched
 * `events/append` / `events/upsert` / `events/remove` at most every 250 ms while visible.
 *
 * Plain data only (structured-clone safe): strings, finite numbers, booleans, arrays, plain objects.
 */
import type { EventApi } from '../core/events/kubeEvent';
import type { SortState } from './timelineOrder';

/** Longest event uid either side accepts (apiserver uids are 36 characters). */
const MAX_UID_LENGTH = 256;
/** Longest filter text either side accepts; matches `MAX_QUERY_LENGTH` in src/core/query/syntax.ts. */
export const MAX_FILTER_TEXT_LENGTH = 16_384;
/** Longest diagnostic text a `view/error` may carry. */
export const MAX_VIEW_ERROR_LENGTH = 4_096;
/** Longest {@link EventDto.message}: the host cuts longer messages (with an ellipsis) to bound the view's memory. */
export const MAX_DTO_MESSAGE_LENGTH = 4_096;

/**
 * The timeline table's columns, in display order, with their header labels. The host renders the header
 * from it; the view sorts by these ids.
 */
export const TIMELINE_COLUMNS = [
  ['lastSeen', 'Last Seen'],
  // Shown only while several clusters are watched (`clusters` message); hidden by the stylesheet otherwise.
  ['cluster', 'Cluster'],
  ['type', 'Type'],
  ['reason', 'Reason'],
  ['object', 'Object'],
  ['message', 'Message'],
  ['count', 'Count'],
  ['source', 'Source'],
  ['writtenBy', 'Written Via'],
  ['namespace', 'Namespace'],
  ['firstSeen', 'First Seen'],
] as const;

/** A column id of the timeline table. */
export type TimelineColumn = (typeof TIMELINE_COLUMNS)[number][0];

/**
 * One event as the timeline sees it: a compact, serialisable projection of a core `KubeEvent`, made by the
 * host (`toEventDto` in src/host/timeline/eventDto.ts) for `events/reset`, `events/append` and
 * `events/upsert`. Every string is cluster text, hence untrusted: the view renders it with `textContent` only.
 * Times are epoch milliseconds, 0 when unknown.
 */
export interface EventDto {
  readonly uid: string;
  /** The cluster the event came from (`KubeEvent.cluster`, what `cluster:` matches); '' when it names none. */
  readonly cluster: string;
  /** `Normal` or `Warning` on a valid event; anything else is kept as sent. */
  readonly type: string;
  readonly reason: string;
  readonly action: string;
  /** core/v1 `message`, events.k8s.io/v1 `note`; cut to `MAX_DTO_MESSAGE_LENGTH` characters by the host. */
  readonly message: string;
  /** The event's own namespace (what `ns:` matches). */
  readonly namespace: string;
  /** Involved object (`regarding`). */
  readonly objectKind: string;
  readonly objectName: string;
  readonly objectNamespace: string;
  /** `Kind/name`, as the tree labels the involved object. */
  readonly objectLabel: string;
  /** core/v1 `count`, else `series.count`, else 1; above 1 the lanes draw first → last seen as a span. */
  readonly count: number;
  /** Reporting controller (core/v1 `source.component` when unset, as on client-go's combined events). */
  readonly source: string;
  /** Reporting instance (core/v1 `source.host` when unset). */
  readonly sourceInstance: string;
  /** The API the event was written through (`writtenThrough` in src/core/events/kubeEvent.ts). */
  readonly writtenBy: EventApi;
  /** The API the host read it through (the watch's). */
  readonly readThrough: EventApi;
  readonly lastSeen: number;
  /** `firstTimestamp`, else `eventTime` (a series' first observation), else creation. */
  readonly firstSeen: number;
  /** Emitted by this extension. */
  readonly ours: boolean;
  /** Deleted by the apiserver (TTL), kept as history. */
  readonly expired: boolean;
}

/** Where a query's bad term is, as {@link FilterStateDto.error} reports it (UTF-16 offsets into `text`). */
export interface FilterErrorDto {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Who filters. `view`: the host sends every event and the view evaluates `applied` itself with the core
 * parser. `host`: the query needs the owner graph (`under:`), which lives in the host, so the host sends only
 * matching events and the view applies no filter of its own.
 */
export type FilterWhere = 'view' | 'host';

/**
 * The filter's state, sent by the host after every `filter/change`, after `view/ready`, and when the host's
 * filter text changes for another reason (a command). `text` is what the box should show; `applied` is the
 * normalised text of the query in effect, which differs from `text` after an error (the previous filter
 * stays in effect).
 */
export interface FilterStateDto {
  readonly text: string;
  readonly applied: string;
  readonly where: FilterWhere;
  /** Present when `text` did not parse: shown inline under the filter box, with the bad span marked. */
  readonly error?: FilterErrorDto;
}

/**
 * Sent by the host after `view/ready`, on becoming visible and when a host-side filter changes: replaces
 * everything the view holds with the first screenful of events (the top rows in the view's sort order that pass
 * its filter); `events/page`s follow with the rest.
 */
export interface EventsResetMessage {
  readonly type: 'events/reset';
  readonly events: readonly EventDto[];
  /** The filter in effect for these events (sent too so a reset alone restores a fresh view). */
  readonly filter: FilterStateDto;
  /** Events the `events/page`s of this reset will still bring (an estimate: the store changes meanwhile); 0 when none follow. */
  readonly remaining: number;
}

/**
 * Sent by the host after an `events/reset`, each in its own task: more of the events the reset replaces the
 * view's with (the view adds them as it adds `events/upsert`s). The last page of a reset has `remaining: 0`.
 */
export interface EventsPageMessage {
  readonly type: 'events/page';
  readonly events: readonly EventDto[];
  /** Events later pages will still bring (an estimate); 0 on the last. */
  readonly remaining: number;
}

/** Sent by the host: events the view did not hold before (a batch of store additions). */
export interface EventsAppendMessage {
  readonly type: 'events/append';
  readonly events: readonly EventDto[];
}

/** Sent by the host at most every 250 ms while visible: new versions of events, or new events. */
export interface EventsUpsertMessage {
  readonly type: 'events/upsert';
  readonly events: readonly EventDto[];
}

/** Sent by the host: events the view must forget (evicted from the store, or no longer matching a host filter). */
export interface EventsRemoveMessage {
  readonly type: 'events/remove';
  readonly uids: readonly string[];
}

/** Sent by the host with every reset and batch: see {@link FilterStateDto}. */
export interface FilterStateMessage extends FilterStateDto {
  readonly type: 'filter/state';
}

/**
 * Sent by the host after every reset and batch. `total`: events the store holds; `shown`: events the host
 * sent after its own filtering (equals `total` when the view filters); `dropped`: events lost on the way to
 * the views (broadcaster queue drops), never silent.
 */
export interface StatsMessage {
  readonly type: 'stats';
  readonly total: number;
  readonly shown: number;
  readonly dropped: number;
}

/** Most cluster names a `clusters` message carries; longest name either side accepts. */
export const MAX_CLUSTERS = 64;
export const MAX_CLUSTER_NAME_LENGTH = 256;

/**
 * Sent by the host after `view/ready` and whenever the set of watched clusters changes: their names, the primary
 * first. With more than one the view shows the Cluster column and names the cluster on each lane.
 */
export interface ClustersMessage {
  readonly type: 'clusters';
  readonly names: readonly string[];
}

/** Most debug sessions a `debug/sessions` message carries (the newest ones). */
export const MAX_DEBUG_SESSIONS = 10;
/** Most marks per session (the host keeps the newest). */
export const MAX_DEBUG_MARKS = 500;
/** Longest event-breakpoint text on a mark either side accepts. */
export const MAX_DEBUG_TRIGGER_LENGTH = 600;
/** Longest session name or controller either side accepts. */
export const MAX_DEBUG_NAME_LENGTH = 256;

/** A stop at a breakpoint (or step, exception, pause) or a continue of a debug session, epoch milliseconds. */
export interface DebugMarkDto {
  readonly kind: 'stopped' | 'continued';
  readonly at: number;
  /** A stop an event breakpoint caused: what to say (breakpoint and event, cluster text) and the event's uid. */
  readonly trigger?: string;
  readonly uid?: string;
}

/**
 * A debug session Kube Events followed (src/host/debug): drawn on the lanes as a range from `start` to `end`
 * (0 while it runs: up to now) with its marks. `name` and `controller` come from the user's launch
 * configuration: rendered with `textContent` like cluster text.
 */
export interface DebugSessionDto {
  readonly id: string;
  readonly name: string;
  /** The launch configuration's `kubeEvents.controller`, '' when none. */
  readonly controller: string;
  readonly start: number;
  readonly end: number;
  readonly marks: readonly DebugMarkDto[];
}

/** Sent by the host after `view/ready`, with every reset, and whenever a session starts, stops, continues or ends. */
export interface DebugSessionsMessage {
  readonly type: 'debug/sessions';
  /** Oldest first; the last is what "Fit to session" and `session:last` mean. */
  readonly sessions: readonly DebugSessionDto[];
}

/** Sent by the host ("Open Timeline on the Debug Session"): fit the lanes' axis to the newest session. */
export interface LanesFitSessionMessage {
  readonly type: 'lanes/fitSession';
}

/** Most attempts a `recorder/attempts` message carries (the newest). */
export const MAX_RECORDER_ATTEMPTS = 2_000;
/** Longest text field of a {@link RecorderAttemptDto}. */
export const MAX_RECORDER_TEXT_LENGTH = 1_024;
/** What became of an attempt (src/core/ledger/recorderLedger.ts `LedgerLabel`). */
export type RecorderLabelDto = 'created' | 'patched' | 'combined' | 'spam-filtered' | 'rejected' | 'not-arrived' | 'pending';
const RECORDER_LABELS: readonly string[] = ['created', 'patched', 'combined', 'spam-filtered', 'rejected', 'not-arrived', 'pending'];

/**
 * One attempt a debugged controller's recorder logged (the recorder ledger, src/host/debug/recorderLedgers.ts):
 * a claim read from its output, not an event. Drawn on the lanes' Recorder lane. Every string is the
 * controller's text: rendered with `textContent`.
 */
export interface RecorderAttemptDto {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly label: RecorderLabelDto;
  readonly type: string;
  readonly reason: string;
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly message: string;
  /** The apiserver's refusal, the spam filter's next token…; '' when none. */
  readonly detail: string;
}

/** Sent by the host after `view/ready` and whenever the newest ledger changed: replaces the Recorder lane's attempts. */
export interface RecorderAttemptsMessage {
  readonly type: 'recorder/attempts';
  /** The session the attempts are from, '' when none. */
  readonly session: string;
  /** Oldest first, at most {@link MAX_RECORDER_ATTEMPTS}. */
  readonly attempts: readonly RecorderAttemptDto[];
}

/** Everything the host posts to the timeline view. */
export type HostMessage =
  | EventsResetMessage
  | EventsPageMessage
  | EventsAppendMessage
  | EventsUpsertMessage
  | EventsRemoveMessage
  | FilterStateMessage
  | StatsMessage
  | ClustersMessage
  | DebugSessionsMessage
  | LanesFitSessionMessage
  | RecorderAttemptsMessage;

/** Posted by the view once its script has started and it can receive messages, with its (restored) sort order. */
export interface ViewReadyMessage {
  readonly type: 'view/ready';
  /** The host sends the first screenful in this order. */
  readonly sort: SortState;
}

/** Posted by the view when the user sorted by another column or direction (the next reset's first screenful follows it). */
export interface ViewSortMessage {
  readonly type: 'view/sort';
  readonly sort: SortState;
}

/** Posted by the view when the user edits the filter box (debounced); the host answers with `filter/state`. */
export interface FilterChangeMessage {
  readonly type: 'filter/change';
  readonly text: string;
}

/** Posted by the view when the user clicks a row or a lane marker: the host reveals the event in the tree. */
export interface EventRevealMessage {
  readonly type: 'event/reveal';
  readonly uid: string;
}

/** Posted by the view for "Open Resource": the host opens the event's involved object (read-only YAML). */
export interface EventOpenResourceMessage {
  readonly type: 'event/openResource';
  readonly uid: string;
}

/** Posted by the view when its own script fails, so the failure reaches the host log instead of vanishing. */
export interface ViewErrorMessage {
  readonly type: 'view/error';
  readonly message: string;
}

/**
 * Posted by the view when the user scrolls to the oldest rows or zooms out: the host loads the page of
 * history last seen before `before` (epoch ms) into the store, and it arrives as `events/append`.
 */
export interface HistoryOlderMessage {
  readonly type: 'history/older';
  readonly before: number;
}

/** Everything the view posts to the host. */
export type ViewMessage = ViewReadyMessage | ViewSortMessage | FilterChangeMessage | EventRevealMessage | EventOpenResourceMessage | ViewErrorMessage | HistoryOlderMessage;

// ---------------------------------------------------------------------------------------------------------------
// Guards. Strict: exact key sets (no extra keys), exact types, finite numbers, bounded strings, plain objects.

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own enumerable keys are exactly `keys` (order free). */
function hasExactKeys(o: Plain, keys: readonly string[], optional: readonly string[] = []): boolean {
  let n = 0;
  for (const k of Object.keys(o)) {
    if (keys.includes(k)) n++;
    else if (!optional.includes(k)) return false;
  }
  return n === keys.length;
}

function isString(v: unknown, max = Number.POSITIVE_INFINITY): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isUid(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_UID_LENGTH;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Every key of an {@link EventDto} (the type makes this list complete), and how many there are. */
const DTO_KEYS: Readonly<Record<keyof EventDto, true>> = {
  uid: true, cluster: true, type: true, reason: true, action: true, message: true, namespace: true, objectKind: true, objectName: true,
  objectNamespace: true, objectLabel: true, count: true, source: true, sourceInstance: true, writtenBy: true,
  readThrough: true, lastSeen: true, firstSeen: true, ours: true, expired: true,
};
const DTO_KEY_COUNT = Object.keys(DTO_KEYS).length;

function isEventApi(v: unknown): v is EventApi {
  return v === 'core/v1' || v === 'events.k8s.io/v1';
}

/**
 * True for a well-formed {@link EventDto}: every field present with its type, and as many own keys as the DTO
 * has, so nothing else (a plain object's prototype, `Object.prototype`, has none of these names). Runs for every
 * event of a reset: it reads each field once (comparing key lists cost 400 string comparisons per event).
 */
function isEventDto(v: unknown): v is EventDto {
  if (!isPlainObject(v)) return false;
  return (
    isUid(v.uid) &&
    isString(v.cluster, MAX_CLUSTER_NAME_LENGTH) &&
    typeof v.type === 'string' &&
    typeof v.reason === 'string' &&
    typeof v.action === 'string' &&
    typeof v.message === 'string' &&
    typeof v.namespace === 'string' &&
    typeof v.objectKind === 'string' &&
    typeof v.objectName === 'string' &&
    typeof v.objectNamespace === 'string' &&
    typeof v.objectLabel === 'string' &&
    typeof v.source === 'string' &&
    typeof v.sourceInstance === 'string' &&
    isFiniteNumber(v.count) &&
    isFiniteNumber(v.lastSeen) &&
    isFiniteNumber(v.firstSeen) &&
    typeof v.ours === 'boolean' &&
    typeof v.expired === 'boolean' &&
    isEventApi(v.writtenBy) &&
    isEventApi(v.readThrough) &&
    Object.keys(v).length === DTO_KEY_COUNT
  );
}

function isTimelineColumn(v: unknown): v is TimelineColumn {
  return typeof v === 'string' && TIMELINE_COLUMNS.some(([id]) => id === v);
}

/** True for a {@link SortState} with exactly its two keys (also how the view reads its persisted sort). */
export function isSortState(v: unknown): v is SortState {
  return isPlainObject(v) && hasExactKeys(v, ['column', 'direction']) && isTimelineColumn(v.column) && (v.direction === 'asc' || v.direction === 'desc');
}

function isEventDtoArray(v: unknown): v is EventDto[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isEventDto(v[i])) return false;
  return true;
}

function isUidArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isUid(v[i])) return false;
  return true;
}

function isFilterError(v: unknown, text: string): v is FilterErrorDto {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['message', 'start', 'end']) &&
    isString(v.message, MAX_VIEW_ERROR_LENGTH) &&
    isCount(v.start) &&
    isCount(v.end) &&
    v.start <= v.end &&
    v.end <= text.length
  );
}

const FILTER_STATE_KEYS = ['text', 'applied', 'where'] as const;

function isFilterStateFields(o: Plain): boolean {
  if (!isString(o.text, MAX_FILTER_TEXT_LENGTH) || !isString(o.applied, MAX_FILTER_TEXT_LENGTH)) return false;
  if (o.where !== 'view' && o.where !== 'host') return false;
  return o.error === undefined ? !('error' in o) : isFilterError(o.error, o.text);
}

/** True for a well-formed {@link FilterStateDto} (used inside `events/reset`). */
function isFilterStateDto(v: unknown): v is FilterStateDto {
  return isPlainObject(v) && hasExactKeys(v, FILTER_STATE_KEYS, ['error']) && isFilterStateFields(v);
}

function isDebugMark(v: unknown): v is DebugMarkDto {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['kind', 'at'], ['trigger', 'uid']) &&
    (v.kind === 'stopped' || v.kind === 'continued') &&
    isCount(v.at) &&
    (v.trigger === undefined || isString(v.trigger, MAX_DEBUG_TRIGGER_LENGTH)) &&
    (v.uid === undefined || isString(v.uid, 256))
  );
}

/** True for a well-formed {@link DebugSessionDto}. */
function isDebugSessionDto(v: unknown): v is DebugSessionDto {
  if (!isPlainObject(v) || !hasExactKeys(v, ['id', 'name', 'controller', 'start', 'end', 'marks'])) return false;
  if (!isUid(v.id) || !isString(v.name, MAX_DEBUG_NAME_LENGTH) || !isString(v.controller, MAX_DEBUG_NAME_LENGTH)) return false;
  if (!isCount(v.start) || !isCount(v.end) || (v.end !== 0 && v.end < v.start)) return false;
  return Array.isArray(v.marks) && v.marks.length <= MAX_DEBUG_MARKS && v.marks.every(isDebugMark);
}

/** True for a well-formed {@link RecorderAttemptDto}. */
function isRecorderAttemptDto(v: unknown): v is RecorderAttemptDto {
  if (!isPlainObject(v) || !hasExactKeys(v, ['at', 'label', 'type', 'reason', 'object', 'message', 'detail'])) return false;
  if (!isCount(v.at) || typeof v.label !== 'string' || !RECORDER_LABELS.includes(v.label)) return false;
  return (['type', 'reason', 'object', 'message', 'detail'] as const).every((k) => isString(v[k], MAX_RECORDER_TEXT_LENGTH));
}

/** Accepts exactly the {@link HostMessage} shapes; the view calls it on every inbound message. */
export function isHostMessage(m: unknown): m is HostMessage {
  if (!isPlainObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'events/reset':
      return hasExactKeys(m, ['type', 'events', 'filter', 'remaining']) && isCount(m.remaining) && isEventDtoArray(m.events) && isFilterStateDto(m.filter);
    case 'events/page':
      return hasExactKeys(m, ['type', 'events', 'remaining']) && isCount(m.remaining) && isEventDtoArray(m.events);
    case 'events/append':
    case 'events/upsert':
      return hasExactKeys(m, ['type', 'events']) && isEventDtoArray(m.events);
    case 'events/remove':
      return hasExactKeys(m, ['type', 'uids']) && isUidArray(m.uids);
    case 'filter/state':
      return hasExactKeys(m, ['type', ...FILTER_STATE_KEYS], ['error']) && isFilterStateFields(m);
    case 'stats':
      return hasExactKeys(m, ['type', 'total', 'shown', 'dropped']) && isCount(m.total) && isCount(m.shown) && isCount(m.dropped);
    case 'clusters':
      return (
        hasExactKeys(m, ['type', 'names']) &&
        Array.isArray(m.names) &&
        m.names.length <= MAX_CLUSTERS &&
        m.names.every((n: unknown) => isString(n, MAX_CLUSTER_NAME_LENGTH))
      );
    case 'debug/sessions':
      return hasExactKeys(m, ['type', 'sessions']) && Array.isArray(m.sessions) && m.sessions.length <= MAX_DEBUG_SESSIONS && m.sessions.every(isDebugSessionDto);
    case 'lanes/fitSession':
      return hasExactKeys(m, ['type']);
    case 'recorder/attempts':
      return (
        hasExactKeys(m, ['type', 'session', 'attempts']) &&
        isString(m.session, MAX_DEBUG_NAME_LENGTH) &&
        Array.isArray(m.attempts) &&
        m.attempts.length <= MAX_RECORDER_ATTEMPTS &&
        m.attempts.every(isRecorderAttemptDto)
      );
    default:
      return false;
  }
}

/** Accepts exactly the {@link ViewMessage} shapes; the host calls it on every inbound message. */
export function isViewMessage(m: unknown): m is ViewMessage {
  if (!isPlainObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'view/ready':
    case 'view/sort':
      return hasExactKeys(m, ['type', 'sort']) && isSortState(m.sort);
    case 'filter/change':
      return hasExactKeys(m, ['type', 'text']) && isString(m.text, MAX_FILTER_TEXT_LENGTH);
    case 'event/reveal':
    case 'event/openResource':
      return hasExactKeys(m, ['type', 'uid']) && isUid(m.uid);
    case 'view/error':
      return hasExactKeys(m, ['type', 'message']) && isString(m.message, MAX_VIEW_ERROR_LENGTH);
    case 'history/older':
      return hasExactKeys(m, ['type', 'before']) && isFiniteNumber(m.before) && m.before > 0;
    default:
      return false;
  }
}
