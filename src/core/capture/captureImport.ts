/**
 * Imports of the dumps peers make, as captures (docs/ARCHITECTURE.md §18):
 * - `kubectl get events -o json`: one JSON document, a v1 `List` (or `EventList`) whose items are core/v1 or
 *   events.k8s.io/v1 Events, or one Event (`kubectl get event NAME -o json`);
 * - kubernetes-event-exporter's JSON lines (its `stdout` or `file` sink without a `layout`): one core/v1 Event a
 *   line, as the exporter's `EnhancedEvent` writes it: `clusterName` beside the event's fields, and `involvedObject`
 *   enriched with the object's `labels`, `annotations`, `ownerReferences` and `deleted`. The owner references
 *   become owner records (what the owner graph would have read), so `under:` rolls the events up. The exporter's own
 *   log lines, when its stderr was captured with its stdout (`kubectl logs`), are JSON with a `level`: skipped.
 * Every event goes through `normalizeEvent`, as a live one does, and its strings are bounded as a capture's are;
 * an event seen twice (the exporter writes updates too) is kept as last written.
 */
import { normalizeEvent, objectKey, type EventApi, type KubeEvent } from '../events/kubeEvent';
import { ownerRecordOf, type OwnerRecord } from '../owners/ownerMemory';
import { CAPTURE_FORMAT, CAPTURE_LIMITS, CAPTURE_VERSION, type Capture, type CaptureOrigin, type CaptureProblem, type CaptureResult } from './capture';
import { corrupt, hasPoisonedKey, hostile, notACapture, tooLarge, truncated, type CaptureLineReader } from './captureCodec';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What a file's first non-blank line says it is. */
export type CaptureShape = 'capture' | 'json-document' | 'event-lines' | 'unknown';

/**
 * Tells the shapes apart by the first non-blank line: a capture's header has `format`; a line that is a whole JSON
 * object with `items` is a one-line kubectl list, one with `metadata` (or a log line's `level`) an event line; a line
 * that opens an object but is not one alone is the start of kubectl's indented document.
 */
export function captureShape(firstLine: string): CaptureShape {
  let v: unknown;
  try {
    v = JSON.parse(firstLine);
  } catch {
    return /^\s*[{[]/.test(firstLine) ? 'json-document' : 'unknown';
  }
  if (!isObject(v)) return 'unknown';
  if ('format' in v) return 'capture';
  if (Array.isArray(v.items)) return 'json-document';
  if (isObject(v.metadata) || typeof v.level === 'string') return 'event-lines';
  return 'unknown';
}

/** What an import needs besides the text: when the dump was made and how many events to accept. */
export interface ImportContext {
  /** The file's modification time, epoch ms: the capture's `created`. */
  readonly modified: number;
  readonly maxEvents: number;
}

/** The API an item was written as: events.k8s.io (v1, or v1beta1 with the same field names), else core/v1. */
function apiOf(item: Json): EventApi {
  return typeof item.apiVersion === 'string' && item.apiVersion.startsWith('events.k8s.io/') ? 'events.k8s.io/v1' : 'core/v1';
}

/** What in an imported event is longer than a capture allows, or undefined. */
function oversized(e: KubeEvent): string | undefined {
  const max = CAPTURE_LIMITS.maxTextChars;
  for (const k of ['name', 'namespace', 'resourceVersion', 'type', 'reason', 'action', 'message', 'reportingController', 'reportingInstance'] as const) {
    if (e[k].length > max) return `an event whose ${k} is longer than ${max.toLocaleString('en-US')} characters`;
  }
  for (const ref of [e.regarding, e.related]) {
    if (ref && [ref.kind, ref.name, ref.namespace, ref.apiVersion, ref.uid, ref.resourceVersion, ref.fieldPath].some((s) => s.length > max)) return `an event whose object reference is longer than ${max.toLocaleString('en-US')} characters`;
  }
  return undefined;
}

function captureOf(events: readonly KubeEvent[], owners: ReadonlyMap<string, readonly OwnerRecord[]>, origin: CaptureOrigin, ctx: ImportContext): Capture {
  let from = Infinity;
  let to = 0;
  for (const e of events) {
    if (e.firstSeen > 0 && e.firstSeen < from) from = e.firstSeen;
    if (e.lastSeen > to) to = e.lastSeen;
  }
  const clusters = [...new Set(events.map((e) => e.cluster).filter((c): c is string => !!c))].map((name) => ({ name, id: '' }));
  return {
    header: {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      created: new Date(ctx.modified).toISOString(),
      from: from === Infinity ? to : from,
      to,
      query: '',
      clusters,
      origin,
    },
    events,
    owners: [...owners].map(([cluster, records]) => ({ cluster, records })),
    sessions: [],
  };
}

/** The 1-based line of a character position in `text`. */
function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Imports the output of `kubectl get events -o json` (the whole decoded text). */
export function importKubectlJson(text: string, ctx: ImportContext): CaptureResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // V8 says where, when it says, only in its message: read, never shown (it quotes the text).
    const message = err instanceof Error ? err.message : '';
    const position = /position (\d+)/.exec(message);
    const at = position ? Number(position[1]) : undefined;
    if (/end of JSON input/i.test(message) || (at !== undefined && at >= text.trimEnd().length - 1)) return truncated('the JSON document stops before its end');
    return corrupt('it is not valid JSON', at !== undefined ? lineAt(text, at) : undefined);
  }
  if (hasPoisonedKey(text)) return hostile('a key named "__proto__"');
  if (!isObject(doc)) return notACapture('It is JSON, but neither a list of events nor an event');
  const items: unknown[] | undefined = Array.isArray(doc.items) ? doc.items : doc.kind === 'Event' ? [doc] : undefined;
  if (!items) return notACapture('It is JSON, but neither a list of events (`kubectl get events -o json`) nor an event');
  const byUid = new Map<string, KubeEvent>();
  let others = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObject(item)) return corrupt(`item ${i + 1} of the list is not an object`);
    if (item.kind !== undefined && item.kind !== 'Event') {
      others++;
      continue;
    }
    const e = normalizeEvent(item, apiOf(item));
    if (!e) return corrupt(`item ${i + 1} of the list is an event without metadata.uid`);
    const big = oversized(e);
    if (big) return hostile(`${big} (item ${i + 1})`);
    byUid.set(e.uid, e);
    if (byUid.size > ctx.maxEvents) return tooLarge(`more than ${ctx.maxEvents.toLocaleString('en-US')} events`);
  }
  if (byUid.size === 0 && others > 0) return notACapture(`It is a list of ${others} objects, none of them an Event`);
  return { ok: true, value: captureOf([...byUid.values()], new Map(), 'kubectl', ctx) };
}

/** Imports kubernetes-event-exporter's JSON lines, one line at a time (see the module comment). */
export class EventExporterImporter implements CaptureLineReader {
  private readonly byUid = new Map<string, KubeEvent>();
  /** Per cluster ('' when the exporter had no `clusterName`), per object: the owners it carried, last written. */
  private readonly owners = new Map<string, Map<string, OwnerRecord>>();
  private ownerCount = 0;
  private lines = 0;

  constructor(private readonly ctx: ImportContext) {}

  get events(): number {
    return this.byUid.size;
  }

  line(textLine: string, n: number): CaptureProblem | undefined {
    if (textLine.trim() === '') return undefined;
    this.lines++;
    let v: unknown;
    try {
      v = JSON.parse(textLine);
    } catch {
      return corrupt('a line that is not JSON (kubernetes-event-exporter writes one JSON event a line)', n);
    }
    if (hasPoisonedKey(textLine)) return hostile('a key named "__proto__"', n);
    if (!isObject(v)) return corrupt('a line that is not a JSON object', n);
    if (!isObject(v.metadata) && typeof v.level === 'string') return undefined;
    const e0 = normalizeEvent(v, apiOf(v));
    if (!e0) return corrupt('a line that is not an event (it has no metadata.uid)', n);
    const big = oversized(e0);
    if (big) return hostile(big, n);
    const cluster = typeof v.clusterName === 'string' && v.clusterName !== '' ? v.clusterName : undefined;
    if (cluster !== undefined && cluster.length > CAPTURE_LIMITS.maxNameChars) return hostile('a clusterName longer than a context name can be', n);
    const e = cluster !== undefined ? { ...e0, cluster } : e0;
    this.byUid.set(e.uid, e);
    if (this.byUid.size > this.ctx.maxEvents) return tooLarge(`more than ${this.ctx.maxEvents.toLocaleString('en-US')} events`);
    return this.learnOwners(v.involvedObject, cluster ?? '', n);
  }

  private learnOwners(involved: unknown, cluster: string, n: number): CaptureProblem | undefined {
    if (!isObject(involved) || !Array.isArray(involved.ownerReferences) || involved.ownerReferences.length === 0) return undefined;
    const record = ownerRecordOf({
      apiVersion: involved.apiVersion ?? '',
      kind: involved.kind,
      namespace: involved.namespace ?? '',
      name: involved.name,
      uid: involved.uid ?? '',
      ownerReferences: involved.ownerReferences,
      // The exporter read the object's metadata from the API server, as the owner graph's own reads do.
      source: 'read',
    });
    if (!record) return undefined;
    let records = this.owners.get(cluster);
    if (!records) {
      if (this.owners.size >= CAPTURE_LIMITS.maxClusters) return hostile(`events of more than ${CAPTURE_LIMITS.maxClusters} clusters`, n);
      this.owners.set(cluster, (records = new Map<string, OwnerRecord>()));
    }
    const key = objectKey(record);
    if (!records.has(key)) {
      if (++this.ownerCount > CAPTURE_LIMITS.maxOwnerRecords) return hostile(`more than ${CAPTURE_LIMITS.maxOwnerRecords} owner records`, n);
    }
    records.set(key, record);
    return undefined;
  }

  finish(): CaptureResult {
    if (this.byUid.size === 0) return notACapture(this.lines === 0 ? 'It is empty' : 'It holds no events, only log lines');
    const owners = new Map([...this.owners].map(([cluster, records]) => [cluster, [...records.values()]]));
    return { ok: true, value: captureOf([...this.byUid.values()], owners, 'event-exporter', this.ctx) };
  }
}
