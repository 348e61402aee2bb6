/**
 * The message protocol of the "Kube Events: Timeline" webview panel, imported by both the host
 * (src/host/timeline) and the view (src/webview). Every message name carries its area (`events/…`,
 * `filter/…`, `view/…`, `event/…`). Both sides treat inbound messages as `unknown` until
 * {@link isHostMessage} / {@link isViewMessage} accept them.
 *
 * Handshake: the view posts `view/ready` once its script runs; the host sends nothing before that, then
 * replies with `filter/state`, a full `events/reset` and `stats`. The host re-sends the reset whenever the
 * panel becomes visible again (the panel does not retain its context while hidden), and between resets
 * sends batched `events/upsert` / `events/remove` at most every 250 ms while visible.
 *
 * Plain data only (structured-clone safe): strings, finite numbers, booleans, arrays, plain objects.
 */
import type { EventApi } from '../core/events/kubeEvent';

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

/** Sent by the host after `view/ready` and on becoming visible: replaces everything the view holds. */
export interface EventsResetMessage {
  readonly type: 'events/reset';
  readonly events: readonly EventDto[];
  /** The filter in effect for these events (sent too so a reset alone restores a fresh view). */
  readonly filter: FilterStateDto;
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

/** Everything the host posts to the timeline view. */
export type HostMessage =
  | EventsResetMessage
  | EventsAppendMessage
  | EventsUpsertMessage
  | EventsRemoveMessage
  | FilterStateMessage
  | StatsMessage
  | DebugSessionsMessage
  | LanesFitSessionMessage;

/** Posted by the view once its script has started and it can receive messages. */
export interface ViewReadyMessage {
  readonly type: 'view/ready';
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
export type ViewMessage = ViewReadyMessage | FilterChangeMessage | EventRevealMessage | EventOpenResourceMessage | ViewErrorMessage | HistoryOlderMessage;

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

const DTO_STRING_KEYS = ['uid', 'type', 'reason', 'action', 'message', 'namespace', 'objectKind', 'objectName', 'objectNamespace', 'objectLabel', 'source', 'sourceInstance'] as const;
const DTO_NUMBER_KEYS = ['count', 'lastSeen', 'firstSeen'] as const;
const DTO_BOOLEAN_KEYS = ['ours', 'expired'] as const;
const DTO_API_KEYS = ['writtenBy', 'readThrough'] as const;
const DTO_KEYS: readonly string[] = [...DTO_STRING_KEYS, ...DTO_NUMBER_KEYS, ...DTO_BOOLEAN_KEYS, ...DTO_API_KEYS];

function isEventApi(v: unknown): v is EventApi {
  return v === 'core/v1' || v === 'events.k8s.io/v1';
}

/** True for a well-formed {@link EventDto}: every field present with its type, nothing else. */
function isEventDto(v: unknown): v is EventDto {
  if (!isPlainObject(v) || !hasExactKeys(v, DTO_KEYS)) return false;
  if (!isUid(v.uid)) return false;
  for (const k of DTO_STRING_KEYS) if (typeof v[k] !== 'string') return false;
  for (const k of DTO_NUMBER_KEYS) if (!isFiniteNumber(v[k])) return false;
  for (const k of DTO_BOOLEAN_KEYS) if (typeof v[k] !== 'boolean') return false;
  for (const k of DTO_API_KEYS) if (!isEventApi(v[k])) return false;
  return true;
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

/** Accepts exactly the {@link HostMessage} shapes; the view calls it on every inbound message. */
export function isHostMessage(m: unknown): m is HostMessage {
  if (!isPlainObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'events/reset':
      return hasExactKeys(m, ['type', 'events', 'filter']) && isEventDtoArray(m.events) && isFilterStateDto(m.filter);
    case 'events/append':
    case 'events/upsert':
      return hasExactKeys(m, ['type', 'events']) && isEventDtoArray(m.events);
    case 'events/remove':
      return hasExactKeys(m, ['type', 'uids']) && isUidArray(m.uids);
    case 'filter/state':
      return hasExactKeys(m, ['type', ...FILTER_STATE_KEYS], ['error']) && isFilterStateFields(m);
    case 'stats':
      return hasExactKeys(m, ['type', 'total', 'shown', 'dropped']) && isCount(m.total) && isCount(m.shown) && isCount(m.dropped);
    case 'debug/sessions':
      return hasExactKeys(m, ['type', 'sessions']) && Array.isArray(m.sessions) && m.sessions.length <= MAX_DEBUG_SESSIONS && m.sessions.every(isDebugSessionDto);
    case 'lanes/fitSession':
      return hasExactKeys(m, ['type']);
    default:
      return false;
  }
}

/** Accepts exactly the {@link ViewMessage} shapes; the host calls it on every inbound message. */
export function isViewMessage(m: unknown): m is ViewMessage {
  if (!isPlainObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'view/ready':
      return hasExactKeys(m, ['type']);
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
