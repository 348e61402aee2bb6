/**
 * Reads what client-go's core/v1 event broadcaster (k8s.io/client-go/tools/record, event.go) writes to a
 * controller's log, one line at a time:
 * - `StartLogging(klog.Infof)`: `Event(v1.ObjectReference{Kind:"…", Namespace:"…", …}): type: 'Warning' reason: '…' message`;
 * - `StartStructuredLogging(v)`: `"Event occurred" object="ns/name" fieldPath="…" kind="…" apiVersion="…" type="…" reason="…" message="…"`,
 *   as klog text (a `I1207 03:17:12.123456 pid file:line]` header, Go-quoted values) or as JSON (klog's zap
 *   format, logr's funcr: `msg` plus the same keys, `object` as `{name, namespace}`);
 * - the sink's errors: `"Server rejected event (will not retry!)"` with `err` (the apiserver's answer) and
 *   `event` (the Event, as its Go `String()` `&Event{…}` or as JSON), and `"Unable to write event (…)"`.
 * Both logging watchers see every attempt before the correlator, so these lines are what the controller tried,
 * not what reached the apiserver: the controller's claims (docs/ARCHITECTURE.md, "The recorder's ledger").
 * Pure code: no time source but the caller's.
 */

/** The object an attempt is about (core/v1 `involvedObject`). */
export interface AttemptObject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly fieldPath: string;
}

/** Which of client-go's loggers wrote the line. */
export type AttemptLogFormat = 'printf' | 'structured' | 'json';

/** One `Event(…)` / `"Event occurred"` line: an event the controller asked its recorder to write. */
export interface LoggedAttempt {
  readonly kind: 'attempt';
  readonly format: AttemptLogFormat;
  /** Epoch milliseconds from the line's own timestamp, undefined when it has none (or one not understood). */
  readonly at: number | undefined;
  readonly object: AttemptObject;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

/** One of the sink's error lines: the apiserver refused an event, or it could not be written (yet). */
export interface LoggedSinkError {
  readonly kind: 'rejected' | 'write-failed' | 'gave-up';
  readonly at: number | undefined;
  /** The event the sink tried to write, as far as the line says; undefined when it says nothing readable. */
  readonly object: AttemptObject | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
  /** The apiserver's (or the transport's) error text, '' when the line has none. */
  readonly error: string;
}

export type RecorderLogEntry = LoggedAttempt | LoggedSinkError;

/** Lines longer than this are not read (an event message is at most 1 KiB on the apiserver; a log line with a whole Event is a few KiB). */
const MAX_RECORDER_LINE = 64 * 1024;

const EVENT_OCCURRED = 'Event occurred';

// ---- klog text ---------------------------------------------------------------------------------------------------

/** `I1207 03:17:12.123456   10369 event.go:389] ` (severity, month+day, time, pid, file:line). */
const KLOG_HEADER = /^([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) +\d+ [^\]\s]*\] /;

/**
 * klog's header time: local time with no year. The year is the one that puts it nearest `now` (a line from
 * 31 December read on 1 January belongs to last year).
 */
function klogTime(m: RegExpExecArray, now: number): number {
  const year = new Date(now).getFullYear();
  let best = Number.NaN;
  for (const y of [year - 1, year, year + 1]) {
    const t = new Date(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Math.floor(Number(m[7]) / 1000)).getTime();
    if (Number.isNaN(best) || Math.abs(t - now) < Math.abs(best - now)) best = t;
  }
  return best;
}

/** Decodes the Go-quoted string (strconv.Quote) starting at `s[i] === '"'`: its value and the index after it. */
function readGoQuoted(s: string, i: number): { value: string; end: number } | undefined {
  if (s[i] !== '"') return undefined;
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '"') return { value: out, end: j + 1 };
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const e = s[j + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      j += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(j + 2, j + 2 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
      const code = Number.parseInt(hex, 16);
      // \x is a byte: Go quotes invalid UTF-8 that way; show it as the replacement character.
      out += e === 'x' ? (code < 0x80 ? String.fromCharCode(code) : '\uFFFD') : code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
      j += 2 + len;
    } else if (e !== undefined && e >= '0' && e <= '7') {
      const oct = s.slice(j + 1, j + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const code = Number.parseInt(oct, 8);
      out += code < 0x80 ? String.fromCharCode(code) : '\uFFFD';
      j += 4;
    } else return undefined;
  }
  return undefined;
}

/** klog text's `key=value` pairs after the quoted message: values Go-quoted, or bare up to the next space. */
function readKeyValues(s: string, i: number): Map<string, string> {
  const out = new Map<string, string>();
  while (i < s.length) {
    while (s[i] === ' ') i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const key = s.slice(i, eq);
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) break;
    if (s[eq + 1] === '"') {
      const q = readGoQuoted(s, eq + 1);
      if (!q) break;
      out.set(key, q.value);
      i = q.end;
    } else if (s[eq + 1] === '<') {
      // A multi-line value (`<\n\tline…\n >`): a line reader never sees it whole.
      out.set(key, '');
      break;
    } else {
      const sp = s.indexOf(' ', eq + 1);
      out.set(key, s.slice(eq + 1, sp < 0 ? s.length : sp));
      i = sp < 0 ? s.length : sp;
    }
  }
  return out;
}

/** `klog.KRef` as text: `ns/name`, or `name` for a cluster-scoped object. */
function splitRef(ref: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { namespace: '', name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

function structuredAttempt(kv: ReadonlyMap<string, string>, format: AttemptLogFormat, at: number | undefined, object: { namespace: string; name: string }): LoggedAttempt | undefined {
  const reason = kv.get('reason');
  const type = kv.get('type');
  if (reason === undefined || type === undefined) return undefined;
  return {
    kind: 'attempt',
    format,
    at,
    object: { kind: kv.get('kind') ?? '', namespace: object.namespace, name: object.name, apiVersion: kv.get('apiVersion') ?? '', fieldPath: kv.get('fieldPath') ?? '' },
    type,
    reason,
    message: kv.get('message') ?? '',
  };
}

/** `Event(v1.ObjectReference{Kind:"…", …}): type: 'T' reason: 'R' message` (the message runs to the end of the line). */
function printfAttempt(text: string, at: number | undefined): LoggedAttempt | undefined {
  const start = text.indexOf('Event(v1.ObjectReference{');
  if (start < 0) return undefined;
  const fields = new Map<string, string>();
  let i = start + 'Event(v1.ObjectReference{'.length;
  while (i < text.length && text[i] !== '}') {
    const colon = text.indexOf(':', i);
    if (colon < 0) return undefined;
    const key = text.slice(i, colon);
    if (!/^[A-Za-z]+$/.test(key)) return undefined;
    const q = readGoQuoted(text, colon + 1);
    if (!q) return undefined;
    fields.set(key, q.value);
    i = q.end;
    if (text.startsWith(', ', i)) i += 2;
  }
  const rest = /^\}\): type: '([^']*)' reason: '(.*?)' /.exec(text.slice(i) + ' ');
  if (!rest) return undefined;
  const messageStart = i + rest[0].length;
  return {
    kind: 'attempt',
    format: 'printf',
    at,
    object: { kind: fields.get('Kind') ?? '', namespace: fields.get('Namespace') ?? '', name: fields.get('Name') ?? '', apiVersion: fields.get('APIVersion') ?? '', fieldPath: fields.get('FieldPath') ?? '' },
    type: rest[1],
    reason: rest[2],
    message: text.slice(messageStart),
  };
}

/** The sink's error messages (event.go's `recordToSink` and `recordEvent`). */
function sinkErrorKind(msg: string): LoggedSinkError['kind'] | undefined {
  if (msg.startsWith('Server rejected event')) return 'rejected';
  if (msg.startsWith('Unable to write event (retry limit exceeded')) return 'gave-up';
  if (msg.startsWith('Unable to write event')) return 'write-failed';
  return undefined;
}

/**
 * The fields an `&Event{…}` (the Event's generated `String()`) names: the involved object, the reason and the
 * message. The message is the text between `,Message:` and `,Source:EventSource{`, so commas in it are kept.
 */
function readEventString(s: string): { object: AttemptObject; reason: string; message: string } | undefined {
  const io = /InvolvedObject:ObjectReference\{Kind:([^,]*),Namespace:([^,]*),Name:([^,]*),UID:[^,]*,APIVersion:([^,]*),ResourceVersion:[^,]*,FieldPath:([^,]*),\}/.exec(s);
  if (!io) return undefined;
  const after = io.index + io[0].length;
  const r = s.indexOf(',Reason:', after);
  const m = r < 0 ? -1 : s.indexOf(',Message:', r);
  const src = m < 0 ? -1 : s.lastIndexOf(',Source:EventSource{');
  if (r < 0 || m < 0 || src < m) return undefined;
  return {
    object: { kind: io[1], namespace: io[2], name: io[3], apiVersion: io[4], fieldPath: io[5] },
    reason: s.slice(r + ',Reason:'.length, m),
    message: s.slice(m + ',Message:'.length, src),
  };
}

function sinkError(kind: LoggedSinkError['kind'], at: number | undefined, event: unknown, error: unknown): LoggedSinkError {
  let read: { object: AttemptObject; reason: string; message: string } | undefined;
  if (typeof event === 'string') read = readEventString(event);
  else if (isRecord(event)) read = readEventJson(event);
  return { kind, at, object: read?.object, reason: read?.reason, message: read?.message, error: typeof error === 'string' ? error : '' };
}

// ---- JSON --------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An Event marshalled as JSON (zap's reflection of `*v1.Event`). */
function readEventJson(e: Json): { object: AttemptObject; reason: string; message: string } | undefined {
  const io = e.involvedObject;
  if (!isRecord(io)) return undefined;
  return {
    object: { kind: str(io.kind), namespace: str(io.namespace), name: str(io.name), apiVersion: str(io.apiVersion), fieldPath: str(io.fieldPath) },
    reason: str(e.reason),
    message: str(e.message),
  };
}

/** `ts` as zap writes it (seconds since the epoch, a number) or as funcr does (`2006-01-02 15:04:05.000000`, local time), or RFC 3339. */
function jsonTime(ts: unknown): number | undefined {
  if (typeof ts === 'number' && Number.isFinite(ts)) return ts < 1e11 ? ts * 1000 : ts;
  if (typeof ts !== 'string') return undefined;
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(ts.trim());
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (m[8]) {
    const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${String(ms).padStart(3, '0')}${m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]}`);
    return Number.isNaN(t) ? undefined : t;
  }
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms).getTime();
}

function parseJsonLine(line: string): RecorderLogEntry | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(o)) return undefined;
  const msg = str(o.msg);
  const at = jsonTime(o.ts);
  if (msg === EVENT_OCCURRED) {
    const kv = new Map<string, string>();
    for (const k of ['kind', 'apiVersion', 'fieldPath', 'type', 'reason', 'message']) if (typeof o[k] === 'string') kv.set(k, o[k]);
    const ref = o.object;
    const object = isRecord(ref) ? { namespace: str(ref.namespace), name: str(ref.name) } : splitRef(str(ref));
    return structuredAttempt(kv, 'json', at, object);
  }
  // StartLogging through a logr logger: the formatted line is the message.
  if (msg.includes('Event(v1.ObjectReference{')) {
    const a = printfAttempt(msg, at);
    return a ? { ...a, format: 'printf' } : undefined;
  }
  const kind = sinkErrorKind(msg);
  return kind ? sinkError(kind, at, o.event, o.err ?? o.error) : undefined;
}

// ---- entry point -------------------------------------------------------------------------------------------------

/**
 * One line of a controller's output: an attempt, a sink error, or undefined for any other line. `now` places a
 * klog header (which has no year) in time.
 */
export function parseRecorderLine(raw: string, now: number): RecorderLogEntry | undefined {
  if (raw.length > MAX_RECORDER_LINE) return undefined;
  const line = raw.replace(/\r$/, '');
  // A debug adapter or a wrapper may put a prefix before the JSON (a pid, a stream tag): start at the first brace.
  const brace = line.indexOf('{"');
  if (brace >= 0 && line.endsWith('}') && (brace === 0 || !line.includes('Event(v1.ObjectReference{'))) {
    const parsed = parseJsonLine(line.slice(brace));
    if (parsed) return parsed;
  }
  const header = KLOG_HEADER.exec(line);
  const at = header ? klogTime(header, now) : undefined;
  const body = header ? line.slice(header[0].length) : line;
  if (body.startsWith(`"${EVENT_OCCURRED}"`)) {
    const kv = readKeyValues(body, EVENT_OCCURRED.length + 2);
    return structuredAttempt(kv, 'structured', at, splitRef(kv.get('object') ?? ''));
  }
  if (body.startsWith('Event(v1.ObjectReference{')) return printfAttempt(body, at);
  if (body.startsWith('"')) {
    const q = readGoQuoted(body, 0);
    const kind = q && sinkErrorKind(q.value);
    if (q && kind) {
      const kv = readKeyValues(body, q.end);
      return sinkError(kind, at, kv.get('event'), kv.get('err'));
    }
  }
  return undefined;
}

/**
 * Splits a stream of output chunks (DAP `output` events cut anywhere) into lines. A line longer than
 * {@link MAX_RECORDER_LINE} is dropped whole rather than held.
 */
export class LineSplitter {
  private partial = '';
  private overflow = false;

  /** The complete lines in `chunk` (with what earlier chunks left). */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    const out = this.overflow ? parts.slice(1) : parts;
    this.overflow = false;
    if (this.partial.length > MAX_RECORDER_LINE) {
      this.partial = '';
      this.overflow = true;
    }
    return out;
  }

  /** What is left when the stream ends. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest && !this.overflow ? [rest] : [];
  }
}
