/**
 * The custom messages between the extension host (the language client, src/host/lsp) and the Kube Events
 * language server (src/server), imported by both sides. Every method has the `kubeEvents/` prefix.
 *
 * The server never talks to the cluster: it is one more watcher of the host's event store, and only of what
 * its open documents need (docs/ARCHITECTURE.md).
 *
 * 1. After `initialized`, and whenever the connection or the settings change, the host sends
 *    {@link ClusterNotification} (context, default namespace, the editor window).
 * 2. Whenever the set of object references in open manifests or reasons in open Go files changes, the server
 *    sends {@link SubscribeNotification} with the complete set (not a delta). Closing every file sends an
 *    empty set.
 * 3. The host answers with {@link ObjectsNotification} (each subscribed object's events, owned objects
 *    included, plus whether the object exists) and {@link ReasonsNotification} (each subscribed reason's
 *    totals, and the reasons the store knows while the server completes them), then sends them again for the subjects that changed, at most every {@link FEED_BATCH_MS}.
 *    A subject is always sent whole, so a lost or reordered update is repaired by the next one.
 *
 * Traffic is proportional to what is open: events go out only for subscribed objects and reasons, each
 * update carries at most {@link MAX_EVENTS_PER_SUBJECT} events, and every message is cut by the host.
 * Each side checks what arrives with the guards below and drops (and logs) anything malformed.
 */
import { NotificationType } from 'vscode-languageserver-protocol';
import type { ObjectKeyWith } from '../core/events/kubeEvent';

/** How often the host sends changes for subscribed subjects, at most. */
export const FEED_BATCH_MS = 200;
/**
 * The server's `experimental` capability that carries its process id (`initialize` result): the host reads
 * it so tests can kill the server and watch the client restart it.
 */
export const SERVER_PID_CAPABILITY = 'kubeEventsPid';
/** Events an update carries for one object or reason, newest first. */
export const MAX_EVENTS_PER_SUBJECT = 50;
/** Subjects one subscription may name (objects and reasons each). */
export const MAX_SUBJECTS = 2_000;
/** Longest message the host sends in an {@link EditorEventDto}. */
export const MAX_EDITOR_MESSAGE_LENGTH = 1_000;
/** Longest name, kind, namespace, reason or component accepted (Kubernetes names are at most 253). */
export const MAX_NAME_LENGTH = 512;
/** Reasons the host lists for completion at most. */
export const MAX_KNOWN_REASONS = 1_000;

/**
 * An object a manifest declares. `namespace` is the document's, else the watched context's, else `default`
 * (resolved by the server; '' only for cluster-scoped kinds); `apiVersion` is the document's, '' when absent
 * (it helps the host find the kind).
 */
export type ObjectKeyDto = ObjectKeyWith<'apiVersion'>;

/** One event as the editor shows it. Every string is cluster text, hence untrusted: the server escapes it. */
export interface EditorEventDto {
  readonly uid: string;
  readonly type: string;
  readonly reason: string;
  /** Cut to {@link MAX_EDITOR_MESSAGE_LENGTH} characters by the host. */
  readonly message: string;
  readonly count: number;
  /** Epoch milliseconds. */
  readonly lastSeen: number;
  /** The involved object. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `spec.containers{app}` and the like, '' when absent. */
  readonly fieldPath: string;
  /** Reporting controller (core/v1 `source.component` when unset). */
  readonly source: string;
}

/** Sent by the host after `initialized` and on every connection or settings change. */
export interface ClusterParams {
  /** The kubeconfig context watched, '' when none. */
  readonly context: string;
  /** The namespace a manifest without one lands in: the context's namespace, else `default`. */
  readonly defaultNamespace: string;
  /** `kubeEvents.editor.window` in milliseconds: events last seen longer ago are not shown. */
  readonly windowMs: number;
  /** The stream is live: existence answers and counts can be trusted. */
  readonly live: boolean;
  /**
   * How many clusters are watched (Select Contexts…). Manifests are judged against `context` alone (the primary
   * one); with more than one, the lenses and hovers say which context that is.
   */
  readonly clusters: number;
}

/** Sent by the server: everything its open documents mention, replacing the previous subscription. */
export interface SubscribeParams {
  readonly objects: readonly ObjectKeyDto[];
  readonly reasons: readonly string[];
  /**
   * A Go file is open, so the server completes reasons: the host sends the reasons its store knows
   * ({@link ReasonsParams.known}) even when no subject is subscribed (a file whose first recorder call is being typed).
   */
  readonly completesReasons: boolean;
  /**
   * An open Go document holds a recorder call, whether or not its reason could be read (a call being typed, a
   * reason computed at run time): with the objects, what tells the host the documents need the cluster.
   */
  readonly recorderCalls: boolean;
}

/** Whether an object is in the cluster: `unknown` while it has not been read (or cannot be). */
export type Existence = 'yes' | 'no' | 'unknown';

/** One object's state: its events and those of everything it owns (as far as the owner graph knows). */
export interface ObjectStateDto {
  readonly object: ObjectKeyDto;
  readonly exists: Existence;
  /** Events in the window, all of them (only the newest are in `events`). */
  readonly total: number;
  /** Warning events in the window. */
  readonly warnings: number;
  /** Newest first, at most {@link MAX_EVENTS_PER_SUBJECT}; every Warning reason's newest event is included. */
  readonly events: readonly EditorEventDto[];
}

/** Sent by the host for the subscribed objects that changed. */
export interface ObjectsParams {
  readonly objects: readonly ObjectStateDto[];
}

/** One reason's activity in the window, across the watched namespaces. */
export interface ReasonStateDto {
  readonly reason: string;
  /** Occurrences (event counts summed). */
  readonly occurrences: number;
  /** Distinct involved objects. */
  readonly objects: number;
  /** Epoch milliseconds, 0 when never seen. */
  readonly lastSeen: number;
  /** Newest first, at most {@link MAX_EVENTS_PER_SUBJECT}. */
  readonly events: readonly EditorEventDto[];
}

/** Sent by the host for the subscribed reasons that changed, with the reasons known for completion. */
export interface ReasonsParams {
  readonly reasons: readonly ReasonStateDto[];
  /** Every reason the store holds (for completion), at most {@link MAX_KNOWN_REASONS}; null: unchanged since the last. */
  readonly known: readonly string[] | null;
}

/** Host → server: the cluster and the settings the server resolves documents against. */
export const ClusterNotification = /* @__PURE__ */ new NotificationType<ClusterParams>('kubeEvents/cluster');
/** Server → host: the complete set of objects and reasons the open documents mention. */
export const SubscribeNotification = /* @__PURE__ */ new NotificationType<SubscribeParams>('kubeEvents/subscribe');
/** Host → server: the full state of the subscribed objects that changed. */
export const ObjectsNotification = /* @__PURE__ */ new NotificationType<ObjectsParams>('kubeEvents/objects');
/** Host → server: the full state of the subscribed reasons that changed. */
export const ReasonsNotification = /* @__PURE__ */ new NotificationType<ReasonsParams>('kubeEvents/reasons');

/** The key both sides use for an object: `Kind/namespace/name`, kind compared case-sensitively as written (core's `objectKey`). */
export { objectKey as objectKeyString } from '../core/events/kubeEvent';

// ---------------------------------------------------------------------------------------------------------------
// Guards. Strict: exact key sets, exact types, finite numbers, bounded strings and arrays, plain objects.

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function hasExactKeys(o: Plain, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  return own.length === keys.length && own.every((k) => keys.includes(k));
}

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_NAME_LENGTH;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isArrayOf<T>(v: unknown, max: number, item: (x: unknown) => x is T): v is T[] {
  return Array.isArray(v) && v.length <= max && v.every((x) => item(x));
}

const OBJECT_KEYS = ['kind', 'namespace', 'name', 'apiVersion'];

function isObjectKeyDto(v: unknown): v is ObjectKeyDto {
  return isPlainObject(v) && hasExactKeys(v, OBJECT_KEYS) && OBJECT_KEYS.every((k) => isName(v[k])) && v.kind !== '' && v.name !== '';
}

const EVENT_STRING_KEYS = ['uid', 'type', 'reason', 'kind', 'namespace', 'name', 'fieldPath', 'source'];
const EVENT_KEYS = [...EVENT_STRING_KEYS, 'message', 'count', 'lastSeen'];

function isEditorEventDto(v: unknown): v is EditorEventDto {
  if (!isPlainObject(v) || !hasExactKeys(v, EVENT_KEYS)) return false;
  if (!EVENT_STRING_KEYS.every((k) => isName(v[k]))) return false;
  return typeof v.message === 'string' && v.message.length <= MAX_EDITOR_MESSAGE_LENGTH && isCount(v.count) && isTime(v.lastSeen);
}

export function isClusterParams(v: unknown): v is ClusterParams {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['context', 'defaultNamespace', 'windowMs', 'live', 'clusters']) &&
    isName(v.context) &&
    isName(v.defaultNamespace) &&
    isCount(v.windowMs) &&
    typeof v.live === 'boolean' &&
    isCount(v.clusters)
  );
}

export function isSubscribeParams(v: unknown): v is SubscribeParams {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['objects', 'reasons', 'completesReasons', 'recorderCalls']) &&
    typeof v.completesReasons === 'boolean' &&
    isArrayOf(v.objects, MAX_SUBJECTS, isObjectKeyDto) &&
    isArrayOf(v.reasons, MAX_SUBJECTS, (r): r is string => isName(r) && r !== '') &&
    typeof v.recorderCalls === 'boolean'
  );
}

function isObjectState(v: unknown): v is ObjectStateDto {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['object', 'exists', 'total', 'warnings', 'events']) &&
    isObjectKeyDto(v.object) &&
    (v.exists === 'yes' || v.exists === 'no' || v.exists === 'unknown') &&
    isCount(v.total) &&
    isCount(v.warnings) &&
    isArrayOf(v.events, MAX_EVENTS_PER_SUBJECT, isEditorEventDto)
  );
}

export function isObjectsParams(v: unknown): v is ObjectsParams {
  return isPlainObject(v) && hasExactKeys(v, ['objects']) && isArrayOf(v.objects, MAX_SUBJECTS, isObjectState);
}

function isReasonState(v: unknown): v is ReasonStateDto {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['reason', 'occurrences', 'objects', 'lastSeen', 'events']) &&
    isName(v.reason) &&
    isCount(v.occurrences) &&
    isCount(v.objects) &&
    isTime(v.lastSeen) &&
    isArrayOf(v.events, MAX_EVENTS_PER_SUBJECT, isEditorEventDto)
  );
}

export function isReasonsParams(v: unknown): v is ReasonsParams {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['reasons', 'known']) &&
    isArrayOf(v.reasons, MAX_SUBJECTS, isReasonState) &&
    (v.known === null || isArrayOf(v.known, MAX_KNOWN_REASONS, (r): r is string => isName(r)))
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The recorder ledger (src/host/debug/recorderLedgers.ts): what a debugged controller's recorder logged, per reason.

/** Longest ledger text (a count line, a lint) either side accepts. */
export const MAX_LEDGER_TEXT_LENGTH = 2_000;
/** Lints per reason. */
const MAX_LEDGER_LINTS = 4;

/** One reason's attempts in the newest ledger: the controller's claims from its log, not events. */
export interface LedgerReasonDto {
  readonly reason: string;
  readonly attempts: number;
  /** `37 attempts: 10 created, 2 count patched, 25 combined`. */
  readonly text: string;
  /** The live lints on the calls that record this reason (src/core/ledger/recorderLint.ts). */
  readonly lints: ReadonlyArray<{ readonly rule: 'distinct-messages' | 'spam-filter'; readonly text: string }>;
}

/** Sent by the host whenever the newest ledger changed (at most every {@link FEED_BATCH_MS}), and to a restarted server. */
export interface LedgerParams {
  /** The debug session's name, '' when there is no ledger. */
  readonly session: string;
  readonly reasons: readonly LedgerReasonDto[];
}

/** Host → server: the recorder ledger's figures per reason. */
export const LedgerNotification = /* @__PURE__ */ new NotificationType<LedgerParams>('kubeEvents/ledger');

function isLedgerText(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_LEDGER_TEXT_LENGTH;
}

function isLedgerReason(v: unknown): v is LedgerReasonDto {
  return (
    isPlainObject(v) &&
    hasExactKeys(v, ['reason', 'attempts', 'text', 'lints']) &&
    isName(v.reason) &&
    isCount(v.attempts) &&
    isLedgerText(v.text) &&
    isArrayOf(v.lints, MAX_LEDGER_LINTS, (l): l is LedgerReasonDto['lints'][number] => isPlainObject(l) && hasExactKeys(l, ['rule', 'text']) && (l.rule === 'distinct-messages' || l.rule === 'spam-filter') && isLedgerText(l.text))
  );
}

export function isLedgerParams(v: unknown): v is LedgerParams {
  return isPlainObject(v) && hasExactKeys(v, ['session', 'reasons']) && isName(v.session) && isArrayOf(v.reasons, MAX_SUBJECTS, isLedgerReason);
}

/** The extension's commands the server puts on CodeLenses and in hovers (the host trusts only these in hovers). */
export const EDITOR_COMMANDS = {
  /** Takes the query text as its argument. */
  filterEvents: 'kubeEvents.filterEvents',
  /** Takes `{ kind: 'object', ref }`, the shape of an Events-view object row, to preselect the object. */
  emitTestEvent: 'kubeEvents.emitTestEvent',
  /** No argument: opens the recorder ledger of the newest debug session. */
  showRecorderLedger: 'kubeEvents.showRecorderLedger',
  /** Takes `{ uid }`: the event whose recorder call to open (src/host/emitter). */
  goToEmitter: 'kubeEvents.goToEmitter',
} as const;
