import { ACTION_LENGTH_LIMIT, NOTE_LENGTH_LIMIT, utf8Length } from '../../core/events/eventValidation';
import { globMatches } from '../../core/text/glob';
import type { EventApi, ObjectKeyWith } from '../../core/events/kubeEvent';
import type { Result } from '../../core/result';
import type { Recorder, RecordOutcome, RecordResult } from '../../kube/recorder';

/**
 * Emit Test Event…'s logic without `vscode`, so unit tests reach it: what a run accepts, the reference it
 * sends, the burst, and the sentence it ends with. emitCommand.ts asks and notifies.
 */

/** The resource an event is about, as picked (a tree row, the quick pick, a manifest, the Kubernetes extension's explorer). */
export interface EmitTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Known from a tree row's events; the live object's uid is what is sent. */
  readonly uid?: string;
}

/** Everything the command asks for; passing it skips the prompts (tests, other extensions). */
export interface EmitInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly flavour: EventApi;
  readonly action?: string;
  /** Events to send (1 = a single event). Repeats exercise deduplication, aggregation, the spam filter and series. */
  readonly burst?: number;
  readonly intervalMs?: number;
  /** involvedObject.fieldPath / regarding.fieldPath, e.g. `spec.containers{app}`; absent unless asked for. */
  readonly fieldPath?: string;
}

/** What happened, returned to callers and stated to the user. */
export interface EmitReport {
  readonly target: EmitTarget;
  /** The live object's reference the events named; absent when the object could not be read. */
  readonly reference?: ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>;
  /** Empty when nothing was sent because the object could not be read. */
  readonly results: readonly RecordResult[];
  readonly summary: string;
}

/** The reference the events name, and what the user should know about it (a re-created object, a forbidden read). */
export interface LiveTarget {
  readonly ref: ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>;
  readonly notes: readonly string[];
}

/** Events one run sends at most: well past where aggregation (10) and the spam filter (25) set in. */
const MAX_BURST = 500;
/** The interval a burst starts with, and the longest one accepted. */
export const DEFAULT_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 60_000;
export const NOT_CONNECTED = 'not connected to a cluster, so there is nowhere to emit an event. Check the status bar or the log.';

/** Whether a command argument is a complete {@link EmitInput} (then the prompts are skipped). */
export function isEmitInput(v: unknown): v is EmitInput {
  const o = v as Partial<EmitInput> | undefined;
  return !!o && typeof o.type === 'string' && typeof o.reason === 'string' && typeof o.message === 'string' && (o.flavour === 'core/v1' || o.flavour === 'events.k8s.io/v1') && (o.fieldPath === undefined || typeof o.fieldPath === 'string');
}

/** The first `kubeEvents.emit.confirmContexts` glob the context matches: emitting into it asks first. */
export function confirmGlob(context: string, globs: readonly string[]): string | undefined {
  return globs.find((g) => globMatches(g, context));
}

/**
 * The reference client-go's `GetReference` would build from the live object (`read`, undefined when not
 * connected): uid and resourceVersion included, no fieldPath. A missing object is refused; a GET that RBAC
 * forbids sends what the pick knew, and says so.
 */
export function liveTarget(target: EmitTarget, read: Result<ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'>> | undefined): Result<LiveTarget> {
  const what = `${target.kind}/${target.name}`;
  if (!read) return { ok: false, reason: 'not-connected', message: NOT_CONNECTED };
  if (read.ok) {
    const notes = target.uid && target.uid !== read.value.uid ? [`${what} was re-created since the events in the tree: the event names the live object (uid ${read.value.uid})`] : [];
    return { ok: true, value: { ref: read.value, notes } };
  }
  if (read.reason === 'not-found') {
    return { ok: false, reason: read.reason, message: `The test event was not sent: ${read.message} An event names a live object by its uid and resourceVersion, as client-go's recorder does. Create the object, or pick another.` };
  }
  if (read.reason === 'forbidden') {
    const ref: ObjectKeyWith<'apiVersion' | 'uid' | 'resourceVersion'> = { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, uid: target.uid ?? '', resourceVersion: '' };
    return { ok: true, value: { ref, notes: [`${what} could not be read, so the event carries ${target.uid ? 'the uid from its earlier events and no resourceVersion' : 'no uid or resourceVersion'}: ${read.message}`] } };
  }
  return { ok: false, reason: read.reason, message: `The test event on ${what} was not sent: ${read.message}` };
}

/** How many events a run sends: `burst` as a whole number from 1 to {@link MAX_BURST}. */
export function burstSize(spec: Pick<EmitInput, 'burst'>): number {
  return Math.max(1, Math.min(MAX_BURST, Math.floor(spec.burst ?? 1)));
}

/** How a burst is paced and followed (the command's progress notification). */
export interface BurstControl {
  readonly signal?: AbortSignal;
  /** After each event sent, with how many were sent so far. */
  readonly onSent?: (sent: number) => void;
  /** Waits between two events; a timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Sends one event to `live`; the results of the sends, stopping at the first failure or at `signal`. */
export async function sendBurst(recorder: Pick<Recorder, 'emit'>, live: LiveTarget, spec: EmitInput, control: BurstControl = {}): Promise<RecordResult[]> {
  const burst = burstSize(spec);
  const sleep = control.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const results: RecordResult[] = [];
  for (let i = 0; i < burst && !control.signal?.aborted; i++) {
    const r = await recorder.emit({ object: { ...live.ref, fieldPath: spec.fieldPath }, type: spec.type, reason: spec.reason, message: spec.message, flavour: spec.flavour, action: spec.action, signal: control.signal });
    results.push(r);
    control.onSent?.(i + 1);
    if (!r.ok) break;
    if (spec.intervalMs && i < burst - 1) await sleep(spec.intervalMs);
  }
  return results;
}

/** The report of a run: the summary, with the notes about the reference. */
export function emitReport(target: EmitTarget, live: LiveTarget, spec: EmitInput, results: readonly RecordResult[]): EmitReport {
  const summary = summarise(target, spec, results);
  return { target, reference: live.ref, results, summary: live.notes.length ? `${summary} Note: ${live.notes.join('; ')}.` : summary };
}

/** The prompts' checks: an error message, or undefined when the value is accepted. */
export const validate = {
  message: (v: string): string | undefined => (utf8Length(v) > NOTE_LENGTH_LIMIT ? `The apiserver allows at most ${NOTE_LENGTH_LIMIT} bytes; this is ${utf8Length(v)}.` : undefined),
  action: (v: string): string | undefined => (!v.trim() ? 'action is required' : v.length > ACTION_LENGTH_LIMIT ? `at most ${ACTION_LENGTH_LIMIT} characters` : undefined),
  burst: (v: string): string | undefined => (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= MAX_BURST ? undefined : `a number from 1 to ${MAX_BURST}`),
  interval: (v: string): string | undefined => (/^\d+$/.test(v.trim()) && +v <= MAX_INTERVAL_MS ? undefined : `a number of milliseconds up to ${MAX_INTERVAL_MS}`),
};

function describeOutcome(o: RecordOutcome): string {
  const where = `${o.namespace}/${o.name}`;
  switch (o.outcome) {
    case 'created':
      return `created ${where}`;
    case 'patched':
      return `patched ${where} (count ${o.count})`;
    case 'skipped':
      return `not sent: ${o.explanation}`;
  }
}

/** One sentence a person can act on: where the event went, what the correlator did, or why it was refused. */
export function summarise(target: EmitTarget, spec: Pick<EmitInput, 'type' | 'reason' | 'flavour'>, results: readonly RecordResult[]): string {
  const what = `${spec.type} ${spec.reason} on ${target.kind}/${target.name} (${spec.flavour})`;
  const failure = results.find((r) => !r.ok);
  const ok = results.filter((r): r is Extract<RecordResult, { ok: true }> => r.ok).map((r) => r.value);
  if (failure && !failure.ok) {
    const sent = ok.length ? ` after ${ok.length} sent` : '';
    return `${what} was not sent${sent}: ${failure.message}`;
  }
  if (ok.length === 1) return `${what}: ${describeOutcome(ok[0])}. ${ok[0].explanation}`;
  const count = (k: RecordOutcome['outcome']): number => ok.filter((o) => o.outcome === k).length;
  const last = ok[ok.length - 1];
  const skippedWhy = ok.find((o) => o.outcome === 'skipped')?.explanation;
  return `${what}: ${ok.length} emitted — ${count('created')} created, ${count('patched')} patched, ${count('skipped')} not sent${skippedWhy ? ` (${skippedWhy})` : ''}. Last: ${describeOutcome(last)}.`;
}
