/**
 * Writes recorded events to the apiserver with client-go's policy (tools/record event.go `recordToSink` /
 * `recordEvent`, tools/events event_broadcaster.go `attemptRecording` / `recordEvent`):
 * - a patch is tried first when the event is a repeat; a 404 on the patch turns into a create with the
 *   resourceVersion cleared (the event expired or was deleted);
 * - errors the server answered with (any HTTP status) are final: the same request would be refused again.
 *   The one exception is tools/events: AlreadyExists while creating a series event is retried;
 * - transport errors are retried, up to 12 tries, 10 s apart: core/v1 sleeps `delay*random` before the
 *   first retry and the full delay after; events.k8s.io/v1 sleeps `wait.Jitter(delay, 0.25)` each time.
 */
import { eventsPath } from '../core/events/kubeEvent';
import type { SentEventsLedger } from '../core/events/ourEvents';
import { silentLogger, type Logger } from '../core/ports';
import { ok, type Failure } from '../core/result';
import type { CoreEventPatch, CoreV1EventBody, EventsV1EventBody } from '../core/correlator/wire';
import { classifyKubeError, type KubeClient } from './kubeClient';

/** client-go `maxTriesPerEvent` (tools/record and tools/events). */
export const MAX_TRIES_PER_EVENT = 12;
/** client-go `defaultSleepDuration` (tools/record and tools/events). */
export const DEFAULT_SLEEP_DURATION_MS = 10_000;
/** The jitter factor tools/events passes to `wait.Jitter` between tries. */
const EVENTS_V1_RETRY_JITTER = 0.25;

/** The patch type client-go uses for both event APIs (`types.StrategicMergePatchType`). */
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

export interface RecorderSinkOptions {
  readonly client: Pick<KubeClient, 'request'>;
  /** client-go `WithSleepDuration`; default {@link DEFAULT_SLEEP_DURATION_MS}. */
  readonly sleepDurationMs?: number;
  /** Default {@link MAX_TRIES_PER_EVENT}. */
  readonly maxTries?: number;
  /** Waits between tries; rejects when `signal` aborts. Tests pass a short or instant one. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1), for the randomised delays. */
  readonly random?: () => number;
  /** Gets retries and give-ups; pass one already tagged (the Recorder passes its `[recorder]` logger). */
  readonly logger?: Logger;
  /** Told of every write and the uid the server gave it: what makes an event "ours" (src/core/events/ourEvents.ts). */
  readonly ledger?: SentEventsLedger;
}

/** Per-call overrides. */
export interface WriteOptions {
  readonly signal?: AbortSignal;
  /** A single attempt (client-go's finishSeries/refresh pass calls recordEvent once, not the retry loop). */
  readonly maxTries?: number;
}

/** Why a write failed: refused by RBAC, refused otherwise, never reached, cancelled, or no credentials. */
export type SinkFailureReason = 'forbidden' | 'rejected' | 'unreachable' | 'cancelled' | 'credentials';

/** A failed write, with what was asked of whom, so the caller can explain it. */
export interface SinkFailure extends Failure<SinkFailureReason> {
  readonly method: 'POST' | 'PATCH';
  readonly path: string;
  /** The RBAC verb of the last request: `create` or `patch`. */
  readonly verb: 'create' | 'patch';
  /** `events`, with {@link group} `""` (core) or `events.k8s.io`. */
  readonly resource: 'events';
  readonly group: '' | 'events.k8s.io';
  readonly namespace: string;
  readonly name: string;
  readonly tries: number;
  /** HTTP status and Status reason/message when the server answered. */
  readonly status?: number;
  readonly statusReason?: string;
  readonly serverMessage?: string;
  /** Whether client-go would try the same write again later. */
  readonly retryable: boolean;
}

/** A successful write: which request did it, and the object the server returned. */
export interface SinkWrite<T> {
  readonly operation: 'create' | 'patch';
  /** The patch found no event (404) and the event was created instead. */
  readonly recreated: boolean;
  readonly object: T;
  readonly tries: number;
}

export type SinkResult<T> = { readonly ok: true; readonly value: SinkWrite<T> } | SinkFailure;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const reason = (): Error => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted) return reject(reason());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Flavour = 'core/v1' | 'events.k8s.io/v1';

interface Attempt {
  readonly method: 'POST' | 'PATCH';
  readonly path: string;
  readonly verb: 'create' | 'patch';
}

/** The outcome of one try: done (success or final failure) or retry. */
type TryOutcome<T> = { readonly done: true; readonly result: SinkResult<T> } | { readonly done: false; readonly failure: SinkFailure };

/**
 * One write as {@link RecorderSink} retries it: its flavour, the event's namespace and name, the caller's options,
 * the delay after each failed try, and one try.
 */
type TryArgs<T> = [flavour: Flavour, namespace: string, name: string, opts: WriteOptions, delayAfter: (tries: number) => number, attempt: () => Promise<TryOutcome<T>>];

/** Sends events created and counted by the Recorder. One instance per client. */
export class RecorderSink {
  private readonly client: Pick<KubeClient, 'request'>;
  private readonly sleepDurationMs: number;
  private readonly maxTries: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly ledger: SentEventsLedger | undefined;

  constructor(options: RecorderSinkOptions) {
    this.client = options.client;
    this.sleepDurationMs = options.sleepDurationMs ?? DEFAULT_SLEEP_DURATION_MS;
    this.maxTries = options.maxTries ?? MAX_TRIES_PER_EVENT;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? silentLogger;
    this.ledger = options.ledger;
  }

  /** core/v1: patch with `patch` when given (a repeat, count > 1), else create. */
  writeCore(event: CoreV1EventBody, patch: CoreEventPatch | undefined, opts: WriteOptions = {}): Promise<SinkResult<CoreV1EventBody>> {
    return this.loop<CoreV1EventBody>('core/v1', event.metadata.namespace, event.metadata.name, opts, (tries) => (tries === 1 ? this.sleepDurationMs * this.random() : this.sleepDurationMs), () =>
      this.tryOnce<CoreV1EventBody>('core/v1', event, patch, false, opts.signal),
    );
  }

  /** events.k8s.io/v1: patch the series when the event carries one, else create. */
  writeEventsV1(event: EventsV1EventBody, opts: WriteOptions = {}): Promise<SinkResult<EventsV1EventBody>> {
    const patch = event.series ? { series: event.series } : undefined;
    return this.loop<EventsV1EventBody>(
      'events.k8s.io/v1',
      event.metadata.namespace,
      event.metadata.name,
      opts,
      () => this.sleepDurationMs * (1 + this.random() * EVENTS_V1_RETRY_JITTER),
      () => this.tryOnce<EventsV1EventBody>('events.k8s.io/v1', event, patch, true, opts.signal),
    );
  }

  /** {@link tries} with the ledger told before the first try and after the last. */
  private async loop<T>(...args: TryArgs<T>): Promise<SinkResult<T>> {
    const [, namespace, name] = args;
    this.ledger?.sending(namespace, name);
    let result: SinkResult<T> | undefined;
    try {
      result = await this.tries(...args);
      return result;
    } finally {
      const uid = result?.ok ? (result.value.object as { metadata?: { uid?: unknown } } | undefined)?.metadata?.uid : undefined;
      if (typeof uid === 'string' && uid) this.ledger?.sent(namespace, name, uid);
      else this.ledger?.notSent(namespace, name);
    }
  }

  private async tries<T>(...[flavour, namespace, name, opts, delayAfter, attempt]: TryArgs<T>): Promise<SinkResult<T>> {
    const maxTries = opts.maxTries ?? this.maxTries;
    let tries = 0;
    for (;;) {
      if (opts.signal?.aborted) return this.cancelled(flavour, namespace, name, tries);
      const outcome = await attempt();
      tries++;
      if (outcome.done) return outcome.result.ok ? ok({ ...outcome.result.value, tries }) : { ...outcome.result, tries };
      if (tries >= maxTries) {
        this.log.error(`giving up on event ${namespace}/${name} after ${tries} tries: ${outcome.failure.message}`);
        return {
          ...outcome.failure,
          tries,
          message: `${outcome.failure.message} Gave up after ${tries} ${tries === 1 ? 'try' : 'tries'} (client-go's limit is ${MAX_TRIES_PER_EVENT}).`,
        };
      }
      const delay = delayAfter(tries);
      this.log.warn(`could not write event ${namespace}/${name} (try ${tries} of ${maxTries}), retrying in ${Math.round(delay)} ms: ${outcome.failure.message}`);
      try {
        await this.sleep(delay, opts.signal);
      } catch {
        return this.cancelled(flavour, namespace, name, tries);
      }
    }
  }

  private cancelled(flavour: Flavour, namespace: string, name: string, tries: number): SinkFailure {
    return {
      ok: false,
      reason: 'cancelled',
      message: `Writing event ${namespace}/${name} was cancelled (the recorder was stopped) before it succeeded.`,
      method: 'POST',
      path: eventsPath(flavour, namespace),
      verb: 'create',
      resource: 'events',
      group: flavour === 'core/v1' ? '' : 'events.k8s.io',
      namespace,
      name,
      tries,
      retryable: false,
    };
  }

  private async tryOnce<T>(
    flavour: Flavour,
    event: CoreV1EventBody | EventsV1EventBody,
    patch: object | undefined,
    seriesRetry: boolean,
    signal: AbortSignal | undefined,
  ): Promise<TryOutcome<T>> {
    const namespace = event.metadata.namespace;
    const name = event.metadata.name;
    const collection = eventsPath(flavour, namespace);
    let last: Attempt | undefined;
    try {
      if (patch) {
        last = { method: 'PATCH', path: `${collection}/${encodeURIComponent(name)}`, verb: 'patch' };
        try {
          const object = await this.client.request<T>(last.path, { method: 'PATCH', body: patch, contentType: STRATEGIC_MERGE_PATCH, signal });
          return { done: true, result: ok({ operation: 'patch', recreated: false, object, tries: 0 }) };
        } catch (err) {
          if (classifyKubeError(err).reason !== 'notFound') throw err;
          this.log.debug(`event ${namespace}/${name} to patch was not found; creating it`);
        }
      }
      const { resourceVersion: _cleared, ...metadata } = event.metadata;
      last = { method: 'POST', path: collection, verb: 'create' };
      const object = await this.client.request<T>(collection, { method: 'POST', body: { ...event, metadata }, signal });
      return { done: true, result: ok({ operation: 'create', recreated: patch !== undefined, object, tries: 0 }) };
    } catch (err) {
      const at = last ?? { method: 'POST', path: collection, verb: 'create' };
      const failure = describeWriteError(err, flavour, at, namespace, name);
      // tools/events: a series event whose patch found nothing and whose create found it existing raced
      // with its own first create; trying again patches it.
      if (seriesRetry && patch && failure.status === 409 && failure.statusReason === 'AlreadyExists') return { done: false, failure: { ...failure, retryable: true } };
      return failure.retryable ? { done: false, failure } : { done: true, result: failure };
    }
  }
}

/** `/api/v1/namespaces/<ns>/events` or `/apis/events.k8s.io/v1/namespaces/<ns>/events`. */
/**
 * client-go's policy on the classifier's facts: whatever the server answered is final (the same write would
 * be refused again), so is having no credentials; anything else is a transport failure and is tried again.
 * This is the recorder's own rule, not the classifier's `retryable`: client-go retries a 5xx no more than a 403.
 */
function describeWriteError(err: unknown, flavour: Flavour, at: Attempt, namespace: string, name: string): SinkFailure {
  const group: SinkFailure['group'] = flavour === 'core/v1' ? '' : 'events.k8s.io';
  const base = { ok: false as const, method: at.method, path: at.path, verb: at.verb, resource: 'events' as const, group, namespace, name, tries: 0 };
  const resourceName = group ? `events.${group}` : 'events';
  const failure = classifyKubeError(err);
  if (failure.status !== undefined) {
    const server = failure.serverMessage ? ` The server said: ${failure.serverMessage}` : '';
    const status = { status: failure.status, statusReason: failure.statusReason, serverMessage: failure.serverMessage };
    if (failure.reason === 'forbidden') {
      return {
        ...base,
        ...status,
        reason: 'forbidden',
        retryable: false,
        message:
          `Forbidden: you may not ${at.verb} "${resourceName}" in namespace "${namespace}" (RBAC: verb "${at.verb}", resource "events", ` +
          `API group ${group ? `"${group}"` : '"" (core)'}, namespace "${namespace}"). ` +
          (at.verb === 'patch' ? 'Patching is how repeated events are counted. ' : '') +
          `Ask for a Role that grants "${at.verb}" on "events" in that namespace, or emit in a namespace you may write to.${server}`,
      };
    }
    return {
      ...base,
      ...status,
      reason: 'rejected',
      retryable: false,
      message: `The apiserver refused to ${at.verb} ${flavour} event ${namespace}/${name}: HTTP ${failure.status}${failure.statusReason ? ` ${failure.statusReason}` : ''}.${server}`,
    };
  }
  if (failure.reason === 'credentials') {
    return { ...base, reason: 'credentials', retryable: false, message: `No credentials to send the event: ${failure.detail}` };
  }
  return { ...base, reason: 'unreachable', retryable: true, message: `Could not ${at.verb} event ${namespace}/${name}: ${failure.detail}.` };
}
