/**
 * Records events against an object, like client-go's `record.EventRecorder` (core/v1) and
 * `events.EventRecorder` (events.k8s.io/v1): builds the event, validates it locally against the apiserver's
 * limits, passes it through client-go's correlation (aggregation, counting and spam filter for core/v1;
 * series for events.k8s.io/v1), then writes it with client-go's retry policy. Every call says what happened.
 */
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { EventCorrelator, type CorrelationReason, type CorrelatorOptions } from '../core/correlator/correlator';
import { EventSeriesTracker, type SeriesFlushReport, type SeriesOptions, type SeriesReason, type SeriesWriter } from '../core/correlator/series';
import { formatMicroTime, formatTime, monotonicUnixNano } from '../core/correlator/time';
import type { CoreV1EventBody, EventsV1EventBody, ObjectReferenceJson } from '../core/correlator/wire';
import { isDns1123Subdomain, validateEvent, type EventFlavour, type EventValidationFailure } from '../core/events/eventValidation';
import { goSprintf } from '../core/text/goFormat';
import { objectPath, OUR_REPORTING_CONTROLLER, type PartialObjectRef } from '../core/events/kubeEvent';
import type { SentEventsLedger } from '../core/events/ourEvents';
import { silentLogger, systemClock, tagged, type Clock, type Logger, type Timers } from '../core/ports';
import { fail, ok, type Failure, type Result } from '../core/result';
import { RecorderSink, type RecorderSinkOptions, type SinkFailure, type SinkFailureReason } from './recorderSink';
import { errorMessage } from '../core/text/errorMessage';

// ---- ports ----

/** A kind resolved through discovery: its preferred group/version and whether it lives in a namespace. */
export interface ResolvedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/**
 * Resolves a kind (optionally with a known apiVersion) to its GVK and scope; `ConnectionScope.recorder` answers it
 * from Discovery. Used when an object reference has no apiVersion.
 */
export type ResolveKind = (kind: string, apiVersion?: string) => Promise<Result<ResolvedKind>>;


// ---- inputs ----

/** A full object as read from the cluster or a manifest: apiVersion, kind and metadata are used. */
export interface KubeObjectInput {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly resourceVersion?: string };
}

export type EventObject = PartialObjectRef | KubeObjectInput;

/** Everything one emission can say; {@link Recorder.event} and friends fill it from the recorder's defaults. */
export interface EmitSpec {
  readonly object: EventObject;
  readonly type: string;
  readonly reason: string;
  /** core/v1 `message`, events.k8s.io/v1 `note`. */
  readonly message: string;
  /** Default: the recorder's flavour. */
  readonly flavour?: EventFlavour;
  /** Required for events.k8s.io/v1; default: the recorder's `action`. */
  readonly action?: string;
  readonly related?: EventObject;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface RecorderOptions {
  readonly client: RecorderSinkOptions['client'];
  /** Discovery, for references without apiVersion. */
  readonly resolveKind?: ResolveKind;
  /** Default 'core/v1'. */
  readonly flavour?: EventFlavour;
  /** The `action` used by event/eventf/annotatedEventf for events.k8s.io/v1. */
  readonly action?: string;
  /** Default {@link OUR_REPORTING_CONTROLLER}. */
  readonly reportingController?: string;
  /** core/v1 `source.host` and `reportingInstance`; default the machine's hostname. */
  readonly host?: string;
  /** events.k8s.io/v1 `reportingInstance`; default `<reportingController>-<hostname>` like tools/events' NewRecorder. */
  readonly reportingInstance?: string;
  /** client-go CorrelatorOptions, plus `bypass` to turn correlation (and series) off. */
  readonly correlator?: CorrelatorOptions;
  /** Series finish/refresh intervals (tests shorten them). */
  readonly series?: Omit<SeriesOptions, 'clock' | 'bypass'>;
  readonly clock?: Clock;
  /** Retry knobs of the sink (sleep, sleepDurationMs, maxTries, random). */
  readonly sink?: Omit<RecorderSinkOptions, 'client' | 'logger' | 'ledger'>;
  /** Told of every write and its uid, so the views mark exactly these events as emitted from VS Code. */
  readonly ledger?: SentEventsLedger;
  /** Run series housekeeping on timers (default: Node's); `false` leaves it to {@link Recorder.tick}. */
  readonly timers?: Pick<Timers, 'setInterval' | 'clearInterval'> | false;
  readonly logger?: Logger;
}

// ---- outputs ----

export type RecordOutcomeKind = 'created' | 'patched' | 'skipped';

/** What one emission did. */
export interface RecordOutcome {
  readonly namespace: string;
  /** The event's name on the server (for a patch or a count, the existing event's). */
  readonly name: string;
  readonly flavour: EventFlavour;
  readonly outcome: RecordOutcomeKind;
  /** Plain words: what happened and which client-go rule decided it. */
  readonly explanation: string;
  readonly correlation: CorrelationReason | SeriesReason;
  /** core/v1 `count`, or the series count (1 for a single event). */
  readonly count: number;
  /** Conventions not followed (e.g. a reason that is not UpperCamelCase); never block sending. */
  readonly warnings: readonly string[];
  /** The body that was sent, or would have been for a skip. */
  readonly event: CoreV1EventBody | EventsV1EventBody;
}

export type RecordFailureReason = 'invalid-event' | 'unresolved-kind' | SinkFailureReason;

/** Why an emission failed: local validation (nothing sent), kind resolution, or the apiserver's answer. */
export type RecordFailure = Failure<RecordFailureReason> & { readonly validation?: EventValidationFailure; readonly sink?: SinkFailure };

export type RecordResult = { readonly ok: true; readonly value: RecordOutcome } | RecordFailure;

// ---- helpers ----

/**
 * client-go `GenerateEventName`: `<name>.<hex Unix nanoseconds>`, or a random UUID when that is not a valid
 * DNS-1123 subdomain (an object name can be valid for its kind and still not for an Event).
 */
export function generateEventName(refName: string, unixNano: bigint): string {
  const name = `${refName}.${unixNano.toString(16)}`;
  return isDns1123Subdomain(name) ? name : randomUUID();
}

function isFullObject(o: EventObject): o is KubeObjectInput {
  return typeof (o as KubeObjectInput).metadata === 'object' && (o as KubeObjectInput).metadata !== null;
}

function compactRef(r: ObjectReferenceJson): ObjectReferenceJson {
  const out: Record<string, string> = { kind: r.kind, name: r.name };
  for (const k of ['namespace', 'apiVersion', 'uid', 'resourceVersion', 'fieldPath'] as const) {
    const v = r[k];
    if (v) out[k] = v;
  }
  return out as unknown as ObjectReferenceJson;
}

function isCoreEvent(o: unknown): o is CoreV1EventBody {
  const e = o as Partial<CoreV1EventBody> | undefined;
  return typeof e === 'object' && e !== null && typeof e.metadata?.name === 'string' && typeof e.involvedObject === 'object' && typeof e.source === 'object';
}

// ---- the recorder ----

/**
 * Emits events like a controller's recorder would. `event`/`eventf`/`annotatedEventf` follow client-go's
 * `record.EventRecorder` with the flavour chosen at construction; {@link emit} takes everything per call.
 * Calls resolve when the event was written (with client-go's retries), skipped, or refused.
 */
export class Recorder {
  readonly flavour: EventFlavour;
  readonly reportingController: string;
  private readonly host: string;
  private readonly v1ReportingInstance: string;
  private readonly defaultAction: string | undefined;
  private readonly resolveKind: ResolveKind | undefined;
  private readonly clock: Clock;
  private readonly unixNano: () => bigint;
  private readonly correlator: EventCorrelator;
  private readonly series: EventSeriesTracker;
  private readonly sink: RecorderSink;
  private readonly log: Logger;
  private readonly timers: Pick<Timers, 'setInterval' | 'clearInterval'> | false;
  private readonly stopped = new AbortController();
  private handles: unknown[] = [];
  /** Correlation and writes run one event at a time, like client-go's single recording goroutine. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.flavour = options.flavour ?? 'core/v1';
    this.reportingController = options.reportingController ?? OUR_REPORTING_CONTROLLER;
    this.host = options.host ?? os.hostname();
    this.v1ReportingInstance = options.reportingInstance ?? `${this.reportingController}-${this.host}`;
    this.defaultAction = options.action;
    this.resolveKind = options.resolveKind;
    this.clock = options.clock ?? options.correlator?.clock ?? systemClock;
    this.unixNano = monotonicUnixNano(this.clock);
    const bypass = options.correlator?.bypass ?? false;
    this.correlator = new EventCorrelator({ ...options.correlator, clock: this.clock, unixNano: this.unixNano });
    this.series = new EventSeriesTracker({ ...options.series, clock: this.clock, bypass });
    this.log = tagged(options.logger ?? silentLogger, 'recorder');
    this.sink = new RecorderSink({ ...options.sink, client: options.client, logger: this.log, ...(options.ledger ? { ledger: options.ledger } : {}) });
    this.timers = options.timers === undefined ? { setInterval: (fn, ms) => setInterval(fn, ms).unref(), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) } : options.timers;
  }

  /** client-go `Event(object, eventtype, reason, message)`. */
  event(obj: EventObject, type: string, reason: string, message: string): Promise<RecordResult> {
    return this.emit({ object: obj, type, reason, message });
  }

  /** client-go `Eventf(object, eventtype, reason, messageFmt, args...)`. */
  eventf(obj: EventObject, type: string, reason: string, fmt: string, ...args: unknown[]): Promise<RecordResult> {
    return this.emit({ object: obj, type, reason, message: goSprintf(fmt, ...args) });
  }

  /** client-go `AnnotatedEventf(object, annotations, eventtype, reason, messageFmt, args...)`. */
  annotatedEventf(obj: EventObject, annotations: Readonly<Record<string, string>>, type: string, reason: string, fmt: string, ...args: unknown[]): Promise<RecordResult> {
    return this.emit({ object: obj, annotations, type, reason, message: goSprintf(fmt, ...args) });
  }

  /** Emits one event with every choice explicit (flavour, action, related, annotations). */
  async emit(spec: EmitSpec): Promise<RecordResult> {
    const flavour = spec.flavour ?? this.flavour;
    const regarding = await this.reference(spec.object, 'the object');
    if (!regarding.ok) return regarding;
    let related: ObjectReferenceJson | undefined;
    const relatedNotes: string[] = [];
    if (spec.related) {
      // Like tools/events: a related object without a usable reference is left out, not fatal.
      const r = await this.reference(spec.related, 'the related object');
      if (r.ok) related = r.value.ref;
      else relatedNotes.push(`the related object was left out: ${r.message.replace(/^Not sent: /, '')}`);
    }
    const ref = regarding.value.ref;
    const namespace = ref.namespace || 'default';
    const unixNano = this.unixNano();
    const name = generateEventName(ref.name, unixNano);
    const action = spec.action ?? this.defaultAction ?? '';
    const reportingInstance = flavour === 'core/v1' ? this.host : this.v1ReportingInstance;

    const checked = validateEvent({
      flavour,
      namespace,
      name,
      type: spec.type,
      reason: spec.reason,
      action,
      message: spec.message,
      reportingController: this.reportingController,
      reportingInstance,
      regarding: ref,
    });
    if (!checked.ok) {
      this.log.warn(`not sent: ${checked.message}`);
      return { ok: false, reason: 'invalid-event', message: checked.message, validation: checked };
    }
    const warnings = [...regarding.value.notes, ...relatedNotes, ...checked.value.warnings];
    const metadata = { name, namespace, ...(spec.annotations && Object.keys(spec.annotations).length > 0 ? { annotations: { ...spec.annotations } } : {}) };
    const signal = spec.signal ? AbortSignal.any([spec.signal, this.stopped.signal]) : this.stopped.signal;

    if (flavour === 'core/v1') {
      const now = formatTime(this.clock.now());
      const body: CoreV1EventBody = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata,
        involvedObject: ref,
        reason: spec.reason,
        message: spec.message,
        type: spec.type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this.reportingController, ...(this.host ? { host: this.host } : {}) },
        reportingComponent: this.reportingController,
        reportingInstance,
        ...(action ? { action } : {}),
        ...(related ? { related } : {}),
      };
      return this.serially(() => this.sendCore(body, warnings, signal));
    }
    const body: EventsV1EventBody = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata,
      eventTime: formatMicroTime(Number(unixNano / 1000n) / 1000),
      reportingController: this.reportingController,
      reportingInstance,
      action,
      reason: spec.reason,
      type: spec.type,
      note: spec.message,
      regarding: ref,
      ...(related ? { related } : {}),
    };
    return this.serially(() => this.sendV1(body, warnings, signal));
  }

  /**
   * Series housekeeping on the recorder's clock: writes final counts of series idle for the finish time and
   * re-sends series due for a refresh. Timers call this; tests with a fake clock call it directly.
   */
  tick(): Promise<SeriesFlushReport[]> {
    return this.serially(() => this.series.tick(this.seriesWriter));
  }

  /** Writes the final count of every series idle for the finish time now (tools/events `finishSeries`). */
  finishSeries(): Promise<SeriesFlushReport[]> {
    return this.serially(() => this.series.finishSeries(this.seriesWriter));
  }

  /** Stops timers and cancels writes in flight (their calls resolve with `cancelled`). */
  dispose(): void {
    if (this.timers) for (const h of this.handles) this.timers.clearInterval(h);
    this.handles = [];
    this.stopped.abort(new Error('the recorder was stopped'));
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private readonly seriesWriter: SeriesWriter = async (event) => {
    const r = await this.sink.writeEventsV1(event, { maxTries: 1, signal: this.stopped.signal });
    if (r.ok) this.log.debug(`series of ${event.metadata.namespace}/${event.metadata.name} written: count ${event.series?.count ?? 1}`);
    else this.log.warn(`series of ${event.metadata.namespace}/${event.metadata.name} not written: ${r.message}`);
    return { retry: !r.ok && r.retryable };
  };

  private startSeriesTimers(): void {
    if (!this.timers || this.handles.length > 0 || this.stopped.signal.aborted) return;
    const run = (what: () => Promise<SeriesFlushReport[]>): void => {
      void what().catch((err: unknown) => this.log.error(`series housekeeping failed: ${errorMessage(err)}`));
    };
    // Like tools/events: finishSeries every finishTime and a refresh every refreshTime, independently. Each
    // holds the send queue as client-go's passes hold the cache lock: an event recorded during a series'
    // final write waits, then starts a new series instead of being counted in the finished one.
    this.handles.push(this.timers.setInterval(() => run(() => this.serially(() => this.series.finishSeries(this.seriesWriter))), this.series.finishTimeMs));
    this.handles.push(this.timers.setInterval(() => run(() => this.serially(() => this.series.refreshSeries(this.seriesWriter))), this.series.refreshTimeMs));
  }

  private async sendCore(body: CoreV1EventBody, warnings: string[], signal: AbortSignal): Promise<RecordResult> {
    const c = this.correlator.correlate(body);
    const base = { namespace: c.event.metadata.namespace, name: c.event.metadata.name, flavour: 'core/v1' as const, correlation: c.reason, warnings };
    if (c.action === 'skip') {
      this.log.info(`skipped ${objectPath(body.involvedObject)} ${body.reason}: ${c.explanation}`);
      return ok({ ...base, outcome: 'skipped', count: c.event.count, explanation: c.explanation, event: c.event });
    }
    const written = await this.sink.writeCore(c.event, c.action === 'patch' ? c.patch : undefined, { signal });
    if (!written.ok) return this.refused(written);
    const server = written.value.object;
    // The server's copy carries the name and resourceVersion later patches use (client-go UpdateState).
    if (isCoreEvent(server)) this.correlator.updateState(server);
    const name = server?.metadata?.name ?? c.event.metadata.name;
    const count = typeof server?.count === 'number' ? server.count : c.event.count;
    const recreated = written.value.recreated ? ` The event to patch no longer existed (expired or deleted), so it was created again with count ${count}.` : '';
    const outcome = written.value.operation === 'create' ? 'created' : 'patched';
    this.log.info(`${outcome} core/v1 event ${base.namespace}/${name} (${c.reason}, count ${count})`);
    return ok({ ...base, name, outcome, count, explanation: c.explanation + recreated, event: c.event });
  }

  private async sendV1(body: EventsV1EventBody, warnings: string[], signal: AbortSignal): Promise<RecordResult> {
    const s = this.series.observe(body);
    const base = { namespace: s.event.metadata.namespace, name: s.event.metadata.name, flavour: 'events.k8s.io/v1' as const, correlation: s.reason, warnings, count: s.count };
    if (s.action === 'skip') {
      this.log.info(`counted ${objectPath(body.regarding)} ${body.reason} in series ${base.namespace}/${base.name}: ${s.count}`);
      return ok({ ...base, outcome: 'skipped', explanation: s.explanation, event: s.event });
    }
    this.startSeriesTimers();
    const written = await this.sink.writeEventsV1(s.event, { signal });
    if (!written.ok) return this.refused(written);
    const recreated = written.value.recreated ? ` The event to patch no longer existed (expired or deleted), so it was created again with series count ${s.count}.` : '';
    const outcome = written.value.operation === 'create' ? 'created' : 'patched';
    this.log.info(`${outcome} events.k8s.io/v1 event ${base.namespace}/${base.name} (${s.reason}, count ${s.count})`);
    return ok({ ...base, outcome, explanation: s.explanation + recreated, event: s.event });
  }

  private refused(f: SinkFailure): RecordFailure {
    this.log.warn(f.message);
    return { ok: false, reason: f.reason, message: f.message, sink: f };
  }

  /** client-go `GetReference`, with discovery for a missing apiVersion; notes say what was adjusted. */
  private async reference(o: EventObject, what: string): Promise<Result<{ ref: ObjectReferenceJson; notes: string[] }, 'unresolved-kind'>> {
    const full = isFullObject(o);
    const kind = o.kind ?? '';
    let apiVersion = o.apiVersion ?? '';
    let namespace = (full ? o.metadata.namespace : o.namespace) ?? '';
    const name = (full ? o.metadata.name : o.name) ?? '';
    const notes: string[] = [];
    let resolvedKind = kind;
    if (!apiVersion && kind) {
      if (!this.resolveKind) return fail('unresolved-kind', `Not sent: ${what} (${kind}/${name}) has no apiVersion, and there is no discovery to look the kind up. Give its apiVersion.`);
      const resolved = await this.resolveKind(kind);
      if (!resolved.ok) return fail('unresolved-kind', `Not sent: could not find the apiVersion of kind "${kind}" for ${what}: ${resolved.message}`);
      apiVersion = resolved.value.apiVersion;
      resolvedKind = resolved.value.kind || kind;
      if (!resolved.value.namespaced && namespace) {
        notes.push(`${resolvedKind} is cluster-scoped: its namespace "${namespace}" was dropped from the reference, and the event goes to "default"`);
        namespace = '';
      }
    }
    const ref = compactRef({
      kind: resolvedKind,
      name,
      namespace,
      apiVersion,
      uid: full ? o.metadata.uid ?? '' : o.uid ?? '',
      resourceVersion: full ? o.metadata.resourceVersion ?? '' : o.resourceVersion ?? '',
      fieldPath: full ? '' : o.fieldPath ?? '',
    });
    return ok({ ref, notes });
  }
}
