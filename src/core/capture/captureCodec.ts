/**
 * The capture file's text (docs/ARCHITECTURE.md §18): newline-delimited JSON, gzipped by the file layer
 * (src/capture/captureFile.ts). The first line is the header ({@link CaptureHeader}); each further line is one
 * record tagged by `kind`:
 *   {"kind":"event","event":{…}}                 one event, its fields as KubeEvent names them (times epoch ms)
 *   {"kind":"owners","cluster":"…","records":[…]} owner records of one cluster, at most 10,000 a line
 *   {"kind":"session","session":{…}}             one debug session with its stops
 *   {"kind":"end","events":N,"owners":N,"sessions":N}  the last line: what a whole file holds
 * A file without its end line was cut short. A reader of this version ignores record kinds and fields it does not
 * know (a newer writer of the same version may add them) but refuses a higher version. Decoding checks every
 * field's type and bound and refuses keys that reach an object's prototype; nothing of a line is kept but the
 * checked values. Pure: lines in, a capture or one problem out.
 */
import { withPooledStrings, type EventSeries, type KubeEvent, type ObjectRef } from '../events/kubeEvent';
import { ownerRecordOf, type OwnerRecord } from '../owners/ownerMemory';
import {
  CAPTURE_FORMAT,
  CAPTURE_LIMITS,
  CAPTURE_VERSION,
  type Capture,
  type CaptureCluster,
  type CaptureHeader,
  type CaptureLayout,
  type CaptureOrigin,
  type CaptureProblem,
  type CaptureResult,
  type CaptureSession,
  type CaptureStop,
} from './capture';

type Json = Record<string, unknown>;

const ORIGINS: ReadonlySet<string> = new Set<CaptureOrigin>(['kube-events', 'kubectl', 'event-exporter']);
/** Keys that would reach an object's prototype if a reader ever assigned them (`Object.assign`, a merge). */
const POISONED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ---------------------------------------------------------------------------------------------------------------
// Problems: what is wrong, and what to do.

export function corrupt(what: string, line?: number): CaptureProblem {
  return {
    ok: false,
    reason: 'corrupt',
    message: `it is damaged: ${what}${line ? ` (line ${line})` : ''}. Ask for the file again, or save the capture again.`,
    ...(line ? { line } : {}),
  };
}

export function hostile(what: string, line?: number): CaptureProblem {
  return {
    ok: false,
    reason: 'hostile',
    message: `refused: ${what}${line ? ` (line ${line})` : ''}. Nothing Kube Events, kubectl or kubernetes-event-exporter writes looks like this; the file was changed or made to harm a reader.`,
    ...(line ? { line } : {}),
  };
}

export function truncated(what: string): CaptureProblem {
  return { ok: false, reason: 'truncated', message: `it ends early (${what}): it was cut short, by a copy or download that did not finish or a write that failed. Ask for the file again.` };
}

export function tooLarge(what: string): CaptureProblem {
  return { ok: false, reason: 'too-large', message: `it is too large: ${what}. Save a smaller capture (a shorter time range or a narrower filter).` };
}

export function notACapture(what: string): CaptureProblem {
  return {
    ok: false,
    reason: 'not-a-capture',
    message: `${what}. Kube Events opens its own captures, the output of \`kubectl get events -o json\`, and kubernetes-event-exporter's JSON lines, each plain or gzipped.`,
  };
}

function futureVersion(version: number): CaptureProblem {
  return {
    ok: false,
    reason: 'future-version',
    version,
    message: `it was written by a newer Kube Events (format ${version}; this one reads format ${CAPTURE_VERSION} and older). Update the extension to open it.`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks. Each answers the value, or what is wrong with it: a string when the record is damaged, an
// {@link Oversized} when it is larger than a capture allows (no writer makes one: hostile).

interface Oversized {
  readonly oversized: string;
}

function isOversized(v: unknown): v is Oversized {
  return typeof v === 'object' && v !== null && 'oversized' in v;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Whether `text` (one JSON text) has a key that reaches an object's prototype. `JSON.parse` makes `__proto__` an
 * own property, harmless until someone copies it with `Object.assign`, so it is refused outright. Only a text that
 * spells `__proto__` or escapes a character can have one, so most texts are not parsed twice.
 */
export function hasPoisonedKey(text: string): boolean {
  if (!text.includes('__proto__') && !text.includes('\\u')) return false;
  let found = false;
  JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__') found = true;
    return value;
  });
  return found;
}

function text(v: unknown, max: number = CAPTURE_LIMITS.maxTextChars): string | undefined {
  return typeof v === 'string' && v.length <= max ? v : undefined;
}

function time(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

const REF_KEYS = ['kind', 'name', 'namespace', 'apiVersion', 'uid', 'resourceVersion', 'fieldPath'] as const;

function refOf(v: unknown, field: string): ObjectRef | string | Oversized {
  if (!isObject(v)) return `the event's ${field} is not an object`;
  const out: Record<string, string> = {};
  for (const k of REF_KEYS) {
    const s = text(v[k] ?? '');
    if (s === undefined) return typeof v[k] === 'string' ? { oversized: `an event whose ${field}.${k} is longer than ${CAPTURE_LIMITS.maxTextChars.toLocaleString('en-US')} characters` } : `the event's ${field}.${k} is not a string`;
    out[k] = s;
  }
  return out as unknown as ObjectRef;
}

const EVENT_STRINGS = ['uid', 'name', 'namespace', 'resourceVersion', 'type', 'reason', 'action', 'message', 'reportingController', 'reportingInstance'] as const;
const EVENT_TIMES = ['firstTimestamp', 'lastTimestamp', 'eventTime', 'creationTimestamp'] as const;

/** An event record's `event`, checked field by field; the derived `firstSeen`/`lastSeen` are computed again. */
function eventOf(v: unknown): KubeEvent | string | Oversized {
  if (!isObject(v)) return 'an event that is not an object';
  const s: Record<string, string> = {};
  for (const k of EVENT_STRINGS) {
    const value = text(v[k] ?? '');
    if (value === undefined) {
      return typeof v[k] === 'string' ? { oversized: `an event whose ${k} is longer than ${CAPTURE_LIMITS.maxTextChars.toLocaleString('en-US')} characters` } : `the event's ${k} is not a string`;
    }
    s[k] = value;
  }
  if (!s.uid) return 'an event without a uid';
  const api = v.api;
  if (api !== 'core/v1' && api !== 'events.k8s.io/v1') return "the event's api is neither core/v1 nor events.k8s.io/v1";
  const regarding = refOf(v.regarding, 'regarding');
  if (typeof regarding === 'string' || isOversized(regarding)) return regarding;
  let related: ObjectRef | undefined;
  if (v.related !== undefined && v.related !== null) {
    const r = refOf(v.related, 'related');
    if (typeof r === 'string' || isOversized(r)) return r;
    related = r;
  }
  let series: EventSeries | undefined;
  if (v.series !== undefined && v.series !== null) {
    const sr = v.series;
    if (!isObject(sr) || time(sr.count) === undefined || time(sr.lastObservedTime) === undefined) return "the event's series is not a count and a time";
    series = { count: sr.count as number, lastObservedTime: sr.lastObservedTime as number };
  }
  const t: Record<string, number> = {};
  for (const k of EVENT_TIMES) {
    const value = time(v[k] ?? 0);
    if (value === undefined) return `the event's ${k} is not a time in epoch milliseconds`;
    t[k] = value;
  }
  const count = time(v.count ?? 1);
  if (count === undefined) return "the event's count is not a number";
  const ours = v.ours ?? false;
  const expired = v.expired ?? false;
  if (typeof ours !== 'boolean' || typeof expired !== 'boolean') return "the event's ours or expired is not true or false";
  let deletedAt: number | undefined;
  if (v.deletedAt !== undefined) {
    deletedAt = time(v.deletedAt);
    if (deletedAt === undefined) return "the event's deletedAt is not a time";
  }
  let cluster: string | undefined;
  if (v.cluster !== undefined) {
    cluster = text(v.cluster, CAPTURE_LIMITS.maxNameChars);
    if (cluster === undefined) return "the event's cluster is not a short string";
  }
  const event: KubeEvent = {
    uid: s.uid,
    name: s.name,
    namespace: s.namespace,
    resourceVersion: s.resourceVersion,
    api,
    type: s.type,
    reason: s.reason,
    action: s.action,
    message: s.message,
    regarding,
    related,
    reportingController: s.reportingController,
    reportingInstance: s.reportingInstance,
    count,
    series,
    firstTimestamp: t.firstTimestamp,
    lastTimestamp: t.lastTimestamp,
    eventTime: t.eventTime,
    creationTimestamp: t.creationTimestamp,
    // As normalizeEvent derives them (src/core/events/kubeEvent.ts), so the file cannot make them disagree.
    lastSeen: (series && series.lastObservedTime) || t.lastTimestamp || t.eventTime || t.creationTimestamp,
    firstSeen: t.firstTimestamp || t.eventTime || t.creationTimestamp,
    ours,
    expired,
    ...(deletedAt !== undefined ? { deletedAt } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
  };
  return withPooledStrings(event);
}

/** A layout: plain JSON, bounded in size and depth, without keys that reach a prototype. */
function layoutOf(v: unknown): CaptureLayout | string {
  if (!isObject(v)) return 'the layout is not an object';
  let nodes = 0;
  const walk = (x: unknown, depth: number): string | undefined => {
    if (++nodes > CAPTURE_LIMITS.maxLayoutChars) return 'the layout has too many values';
    if (depth > CAPTURE_LIMITS.maxLayoutDepth) return `the layout nests deeper than ${CAPTURE_LIMITS.maxLayoutDepth} levels`;
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return undefined;
    if (typeof x === 'number') return Number.isFinite(x) ? undefined : 'the layout holds a number that is not finite';
    if (Array.isArray(x)) {
      for (const y of x) {
        const p = walk(y, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    if (typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return 'the layout holds something that is not plain JSON';
    for (const k of Object.keys(x)) {
      if (POISONED_KEYS.has(k)) return `the layout has the key "${k}"`;
      const p = walk((x as Json)[k], depth + 1);
      if (p) return p;
    }
    return undefined;
  };
  const problem = walk(v, 0);
  if (problem) return problem;
  if (JSON.stringify(v).length > CAPTURE_LIMITS.maxLayoutChars) return `the layout is larger than ${CAPTURE_LIMITS.maxLayoutChars / 1024} KiB`;
  return v as CaptureLayout;
}

function clusterOf(v: unknown): CaptureCluster | string {
  if (!isObject(v)) return 'a cluster that is not an object';
  const name = text(v.name, CAPTURE_LIMITS.maxNameChars);
  const id = text(v.id, CAPTURE_LIMITS.maxNameChars);
  if (name === undefined || id === undefined) return "a cluster's name or id is not a short string";
  if (v.server === undefined) return { name, id };
  const server = text(v.server, CAPTURE_LIMITS.maxNameChars);
  if (server === undefined) return "a cluster's server is not a short string";
  return { name, id, server };
}

/**
 * Checks the header's format and version first (a future header may look like nothing this one knows), then the
 * rest. Answers the header, or the problem: `not-a-capture`, `future-version`, `corrupt` or `hostile`.
 */
function headerOf(v: unknown, line: number): CaptureHeader | CaptureProblem {
  if (!isObject(v) || v.format !== CAPTURE_FORMAT) return notACapture('Its first line is not a Kube Events capture header');
  const version = v.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return corrupt('the header has no format version', line);
  if (version > CAPTURE_VERSION) return futureVersion(version);
  const created = text(v.created, 64);
  const from = time(v.from);
  const to = time(v.to);
  const query = text(v.query ?? '', CAPTURE_LIMITS.maxQueryChars);
  if (created === undefined || from === undefined || to === undefined) return corrupt('the header has no creation time or time range', line);
  if (query === undefined) return typeof v.query === 'string' ? hostile(`a query longer than ${CAPTURE_LIMITS.maxQueryChars} characters`, line) : corrupt('the header\'s query is not text', line);
  const origin = v.origin ?? 'kube-events';
  if (typeof origin !== 'string' || !ORIGINS.has(origin)) return corrupt('the header says it came from an unknown origin', line);
  if (!Array.isArray(v.clusters)) return corrupt('the header has no list of clusters', line);
  if (v.clusters.length > CAPTURE_LIMITS.maxClusters) return hostile(`more than ${CAPTURE_LIMITS.maxClusters} clusters`, line);
  const clusters: CaptureCluster[] = [];
  for (const c of v.clusters as unknown[]) {
    const cluster = clusterOf(c);
    if (typeof cluster === 'string') return corrupt(cluster, line);
    clusters.push(cluster);
  }
  let layout: CaptureLayout | undefined;
  if (v.layout !== undefined) {
    const l = layoutOf(v.layout);
    if (typeof l === 'string') return hostile(l, line);
    layout = l;
  }
  let writer: string | undefined;
  if (v.writer !== undefined) {
    writer = text(v.writer, CAPTURE_LIMITS.maxNameChars);
    if (writer === undefined) return corrupt("the header's writer is not a short string", line);
  }
  return {
    format: CAPTURE_FORMAT,
    version,
    created,
    from,
    to,
    query,
    clusters,
    ...(layout ? { layout } : {}),
    origin: origin as CaptureOrigin,
    ...(writer !== undefined ? { writer } : {}),
  };
}

function stopOf(v: unknown): CaptureStop | string {
  if (!isObject(v)) return 'a stop that is not an object';
  if (v.kind !== 'stopped' && v.kind !== 'continued') return "a stop's kind is neither stopped nor continued";
  const at = time(v.at);
  const reason = text(v.reason ?? '', CAPTURE_LIMITS.maxNameChars);
  if (at === undefined || reason === undefined) return 'a stop without a time or with a long reason';
  const stop: { -readonly [K in keyof CaptureStop]: CaptureStop[K] } = { kind: v.kind, at, reason };
  if (v.text !== undefined) {
    const t = text(v.text, CAPTURE_LIMITS.maxNameChars);
    if (t === undefined) return "a stop's text is not a short string";
    stop.text = t;
  }
  if (v.uid !== undefined) {
    const u = text(v.uid, CAPTURE_LIMITS.maxNameChars);
    if (u === undefined) return "a stop's uid is not a short string";
    stop.uid = u;
  }
  return stop;
}

function sessionOf(v: unknown): CaptureSession | string | Oversized {
  if (!isObject(v)) return 'a session that is not an object';
  const id = text(v.id, CAPTURE_LIMITS.maxNameChars);
  const name = text(v.name, CAPTURE_LIMITS.maxNameChars);
  const type = text(v.type ?? '', CAPTURE_LIMITS.maxNameChars);
  const controller = text(v.controller ?? '', CAPTURE_LIMITS.maxNameChars);
  const start = time(v.start);
  if (id === undefined || name === undefined || type === undefined || controller === undefined || start === undefined) return "a session's id, name, type, controller or start is missing or too long";
  let end: number | undefined;
  if (v.end !== undefined) {
    end = time(v.end);
    if (end === undefined || end < start) return 'a session ends before it starts';
  }
  if (!Array.isArray(v.stops)) return 'a session without its list of stops';
  if (v.stops.length > CAPTURE_LIMITS.maxStopsPerSession) return { oversized: `a session with more than ${CAPTURE_LIMITS.maxStopsPerSession} stops` };
  const stops: CaptureStop[] = [];
  for (const s of v.stops as unknown[]) {
    const stop = stopOf(s);
    if (typeof stop === 'string') return stop;
    stops.push(stop);
  }
  return { id, name, type, controller, start, ...(end !== undefined ? { end } : {}), stops };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing.

/** An event as its record writes it: the model's fields but the derived ones, absent optional fields left out. */
function eventJson(e: KubeEvent): Json {
  const o: Json = {
    uid: e.uid,
    name: e.name,
    namespace: e.namespace,
    resourceVersion: e.resourceVersion,
    api: e.api,
    type: e.type,
    reason: e.reason,
    action: e.action,
    message: e.message,
    regarding: e.regarding,
    reportingController: e.reportingController,
    reportingInstance: e.reportingInstance,
    count: e.count,
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    creationTimestamp: e.creationTimestamp,
  };
  if (e.related) o.related = e.related;
  if (e.series) o.series = e.series;
  if (e.ours) o.ours = true;
  if (e.expired) o.expired = true;
  if (e.deletedAt !== undefined) o.deletedAt = e.deletedAt;
  if (e.cluster !== undefined) o.cluster = e.cluster;
  return o;
}

/**
 * Checks what a capture is about to write against what a reader accepts, so nothing is written that cannot be
 * opened again: answers what is wrong (a programming error, or a layout a view made too large), or undefined.
 */
export function captureWriteProblem(capture: Capture): string | undefined {
  const header = headerOf(JSON.parse(JSON.stringify(capture.header)), 1);
  if ('ok' in header) return header.message;
  let records = 0;
  for (const o of capture.owners) records += o.records.length;
  if (records > CAPTURE_LIMITS.maxOwnerRecords) return `more than ${CAPTURE_LIMITS.maxOwnerRecords} owner records`;
  if (capture.sessions.length > CAPTURE_LIMITS.maxSessions) return `more than ${CAPTURE_LIMITS.maxSessions} debug sessions`;
  for (const s of capture.sessions) {
    const checked = sessionOf(JSON.parse(JSON.stringify(s)));
    if (typeof checked === 'string') return checked;
    if (isOversized(checked)) return checked.oversized;
  }
  return undefined;
}

/**
 * The capture's lines, in file order, without their line ends: the header, the events, the owner records, the
 * sessions, the end record.
 */
export function* captureLines(capture: Capture): Generator<string> {
  const h = capture.header;
  yield JSON.stringify({
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    created: h.created,
    from: h.from,
    to: h.to,
    query: h.query,
    clusters: h.clusters.map((c) => (c.server !== undefined ? { name: c.name, id: c.id, server: c.server } : { name: c.name, id: c.id })),
    ...(h.layout ? { layout: h.layout } : {}),
    origin: h.origin,
    ...(h.writer !== undefined ? { writer: h.writer } : {}),
  });
  for (const e of capture.events) yield `{"kind":"event","event":${JSON.stringify(eventJson(e))}}`;
  let owners = 0;
  for (const o of capture.owners) {
    // At least one line per cluster, so a cluster without records reads back as one.
    let i = 0;
    do {
      const records = o.records.slice(i, (i += CAPTURE_LIMITS.maxOwnerRecordsPerLine));
      owners += records.length;
      yield JSON.stringify({ kind: 'owners', cluster: o.cluster, records });
    } while (i < o.records.length);
  }
  for (const s of capture.sessions) {
    yield JSON.stringify({
      kind: 'session',
      session: { id: s.id, name: s.name, type: s.type, controller: s.controller, start: s.start, ...(s.end !== undefined ? { end: s.end } : {}), stops: s.stops },
    });
  }
  yield JSON.stringify({ kind: 'end', events: capture.events.length, owners, sessions: capture.sessions.length });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

/**
 * Reads a file's lines one at a time, in order, and answers the whole at the end: a capture (its own format) or an
 * import (captureImport.ts). `line` answers a problem as soon as one is found, after which the reader is done.
 */
export interface CaptureLineReader {
  /** One line without its line end (a CR before it already removed), and its 1-based number. */
  line(text: string, n: number): CaptureProblem | undefined;
  /** Events read so far. */
  readonly events: number;
  /** After the last line: the whole capture, or what is missing. */
  finish(): CaptureResult;
}

/** Reads a capture of this format, line by line (see the module comment). */
export class CaptureDecoder implements CaptureLineReader {
  private header: CaptureHeader | undefined;
  private readonly decoded: KubeEvent[] = [];
  private readonly owners = new Map<string, OwnerRecord[]>();
  private ownerCount = 0;
  private readonly sessions: CaptureSession[] = [];
  private ended = false;
  private readonly clusterNames = new Map<string, string>();

  constructor(private readonly maxEvents: number = CAPTURE_LIMITS.maxEvents) {}

  get events(): number {
    return this.decoded.length;
  }

  line(textLine: string, n: number): CaptureProblem | undefined {
    if (textLine.trim() === '') return undefined;
    if (this.ended) return corrupt('there is more after its end record', n);
    let v: unknown;
    try {
      v = JSON.parse(textLine);
    } catch {
      return corrupt('a line that is not JSON', n);
    }
    if (hasPoisonedKey(textLine)) return hostile('a key named "__proto__"', n);
    if (!this.header) {
      const header = headerOf(v, n);
      if ('ok' in header) return header;
      this.header = header;
      return undefined;
    }
    if (!isObject(v)) return corrupt('a record that is not an object', n);
    switch (v.kind) {
      case 'event': {
        if (this.decoded.length >= this.maxEvents) return tooLarge(`more than ${this.maxEvents.toLocaleString('en-US')} events`);
        const e = eventOf(v.event);
        if (typeof e === 'string') return corrupt(e, n);
        if (isOversized(e)) return hostile(e.oversized, n);
        if (e.cluster !== undefined) {
          // One string per cluster across the events, as the session's pool gives them.
          const pooled = this.clusterNames.get(e.cluster);
          if (pooled === undefined && this.clusterNames.size < CAPTURE_LIMITS.maxClusters * 4) this.clusterNames.set(e.cluster, e.cluster);
          this.decoded.push(pooled === undefined ? e : { ...e, cluster: pooled });
        } else {
          this.decoded.push(e);
        }
        return undefined;
      }
      case 'owners': {
        const cluster = text(v.cluster, CAPTURE_LIMITS.maxNameChars);
        if (cluster === undefined || !Array.isArray(v.records)) return corrupt('an owners record without its cluster or records', n);
        if (v.records.length > CAPTURE_LIMITS.maxOwnerRecordsPerLine) return hostile(`more than ${CAPTURE_LIMITS.maxOwnerRecordsPerLine} owner records on one line`, n);
        this.ownerCount += v.records.length;
        if (this.ownerCount > CAPTURE_LIMITS.maxOwnerRecords) return hostile(`more than ${CAPTURE_LIMITS.maxOwnerRecords} owner records`, n);
        let list = this.owners.get(cluster);
        if (!list) {
          if (this.owners.size >= CAPTURE_LIMITS.maxClusters) return hostile(`owner records of more than ${CAPTURE_LIMITS.maxClusters} clusters`, n);
          this.owners.set(cluster, (list = []));
        }
        for (const r of v.records as unknown[]) {
          const record = ownerRecordOf(r);
          if (!record) return corrupt('an owner record that is not one (an object, its owners, bounded names)', n);
          list.push(record);
        }
        return undefined;
      }
      case 'session': {
        if (this.sessions.length >= CAPTURE_LIMITS.maxSessions) return hostile(`more than ${CAPTURE_LIMITS.maxSessions} debug sessions`, n);
        const s = sessionOf(v.session);
        if (typeof s === 'string') return corrupt(s, n);
        if (isOversized(s)) return hostile(s.oversized, n);
        this.sessions.push(s);
        return undefined;
      }
      case 'end': {
        const counts = [v.events, v.owners, v.sessions];
        if (!counts.every((c) => typeof c === 'number')) return corrupt('an end record without its counts', n);
        if (v.events !== this.decoded.length || v.owners !== this.ownerCount || v.sessions !== this.sessions.length) {
          return corrupt(
            `its end record counts ${String(v.events)} events, ${String(v.owners)} owner records and ${String(v.sessions)} sessions, but the file holds ${this.decoded.length}, ${this.ownerCount} and ${this.sessions.length}`,
            n,
          );
        }
        this.ended = true;
        return undefined;
      }
      default:
        // A kind a newer writer of this version added: ignored, as the version rule says.
        if (typeof v.kind !== 'string') return corrupt('a record without a kind', n);
        return undefined;
    }
  }

  finish(): CaptureResult {
    if (!this.header) return notACapture('It is empty');
    if (!this.ended) return truncated(`after ${this.decoded.length.toLocaleString('en-US')} events, its end record is missing`);
    const capture: Capture = {
      header: this.header,
      events: this.decoded,
      owners: [...this.owners].map(([cluster, records]) => ({ cluster, records })),
      sessions: this.sessions,
    };
    return { ok: true, value: capture };
  }
}
