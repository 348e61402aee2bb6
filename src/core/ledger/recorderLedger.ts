/**
 * The recorder's ledger: every event a controller's recorder attempted during a debug session (read from its
 * log by {@link parseRecorderLine}), and what became of each one, joined with what the watch saw.
 *
 * - Each attempt goes through our client-go-faithful correlator (src/core/correlator) in log order, as the
 *   controller's own `EventCorrelator` sees it: it predicts a create, a count patch, a combined event
 *   ("(combined from similar events)") or a drop by the spam filter, with the token bucket's state.
 * - A prediction that sends something is confirmed by the watch: an event about the same object with the same
 *   type and reason (and, when the session names its controller, that reportingController), the same message
 *   (or the combined prefix), a count at least the predicted one and a time no earlier than the attempt's
 *   second. Until then it is `pending`; past the bound, `not-arrived`; a late arrival still confirms it.
 * - The sink's "Server rejected event" line marks the attempt it names `rejected`, with the apiserver's answer.
 *
 * Attempts are the controller's claims, never events: nothing here goes into the event store, and every count
 * says "attempts". What the log cannot say is assumed: one recorder source per process (the log lines carry
 * no `source`), and the object's uid (structured lines carry none) does not change during the session.
 */
import { AGGREGATE_MESSAGE_PREFIX, EventCorrelator, type CorrelationReason } from '../correlator/correlator';
import { formatTime } from '../correlator/time';
import type { CoreV1EventBody } from '../correlator/wire';
import type { KubeEvent } from '../events/kubeEvent';
import type { Clock } from '../ports';
import { parseRecorderLine, type AttemptLogFormat, type AttemptObject, type LoggedSinkError, type RecorderLogEntry } from './recorderLog';

/** What became of one attempt. */
export type LedgerLabel = 'created' | 'patched' | 'combined' | 'spam-filtered' | 'rejected' | 'not-arrived' | 'pending';

/** Every label, in the order the views list them. */
export const LEDGER_LABELS: readonly LedgerLabel[] = ['created', 'patched', 'combined', 'spam-filtered', 'rejected', 'not-arrived', 'pending'];

/** How each label reads in counts ("10 created, 2 patched"). */
export const LEDGER_LABEL_TEXT: Readonly<Record<LedgerLabel, string>> = {
  created: 'created',
  patched: 'count patched',
  combined: 'combined',
  'spam-filtered': 'spam-filtered',
  rejected: 'rejected',
  'not-arrived': 'not arrived',
  pending: 'pending',
};

/** How long a sent attempt may take to show up in the watch before it is `not-arrived` (client-go's sink is rate-limited: a storm takes seconds to write). */
const DEFAULT_ARRIVAL_BOUND_MS = 60_000;
/** Attempts kept per ledger; older ones are dropped (and counted). */
const MAX_LEDGER_ATTEMPTS = 20_000;
/** A line's own time further than this from when it was read is not believed (a clock or zone mix-up): the read time is used. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** One attempt and what became of it. */
export interface LedgerAttempt {
  /** Order in the log, from 1. */
  readonly seq: number;
  /** Epoch milliseconds: the line's own time, else when it was read. */
  readonly at: number;
  readonly format: AttemptLogFormat;
  readonly object: AttemptObject;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  /** What the correlator predicted. */
  readonly predicted: CorrelationReason;
  /** The count the event should have after this attempt (1 for a create). */
  readonly predictedCount: number;
  /** Spam-filtered: milliseconds until the bucket held a token again, at the attempt. */
  readonly nextTokenMs: number | undefined;
  label: LedgerLabel;
  /** The apiserver's refusal, the sink's retries, the bucket's state: '' when there is nothing to add. */
  detail: string;
  /** The uid of the event the watch saw for it. */
  eventUid: string | undefined;
}

/** Attempt counts by label. */
export type LedgerCounts = Record<LedgerLabel, number>;

export interface RecorderLedgerOptions {
  readonly clock: Clock;
  /** The recording component, when known (the launch block's `controller`): joins only events it reported. */
  readonly source?: string;
  readonly boundMs?: number;
  readonly maxAttempts?: number;
}

function emptyCounts(): LedgerCounts {
  return { created: 0, patched: 0, combined: 0, 'spam-filtered': 0, rejected: 0, 'not-arrived': 0, pending: 0 };
}

/** `37 attempts: 10 created, 2 count patched, 25 combined` (labels with no attempt left out). */
export function countsText(counts: LedgerCounts): string {
  const total = LEDGER_LABELS.reduce((n, l) => n + counts[l], 0);
  const parts = LEDGER_LABELS.filter((l) => counts[l] > 0).map((l) => `${counts[l]} ${LEDGER_LABEL_TEXT[l]}`);
  return `${total} attempt${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** `4m12s`, `37s`: the wait for the spam filter's next token. */
export function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${m}m`;
}

function sameObject(a: AttemptObject, b: Pick<AttemptObject, 'kind' | 'namespace' | 'name'>): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

function objectIndexKey(namespace: string, kind: string, name: string, reason: string): string {
  return `${namespace}\u0000${kind}\u0000${name}\u0000${reason}`;
}

export class RecorderLedger {
  private readonly list: LedgerAttempt[] = [];
  private readonly correlator: EventCorrelator;
  private at = 0;
  private seq = 0;
  private dropped = 0;
  private readonly boundMs: number;
  private readonly maxAttempts: number;
  private sinkErrors = 0;

  constructor(private readonly options: RecorderLedgerOptions) {
    this.boundMs = options.boundMs ?? DEFAULT_ARRIVAL_BOUND_MS;
    this.maxAttempts = options.maxAttempts ?? MAX_LEDGER_ATTEMPTS;
    // The correlator's clock is the attempt's time, so a log read late decides as the controller did.
    this.correlator = new EventCorrelator({ clock: { now: () => this.at } });
  }

  /** The recording component the ledger joins on, if known. */
  get source(): string | undefined {
    return this.options.source;
  }

  /** The attempts kept, oldest first. */
  get attempts(): readonly LedgerAttempt[] {
    return this.list;
  }

  /** Attempts dropped from the front to stay within the bound. */
  get droppedAttempts(): number {
    return this.dropped;
  }

  /** Sink error lines read (rejections, failed writes). */
  get sinkErrorLines(): number {
    return this.sinkErrors;
  }

  /** Reads one line of the controller's output; returns whether it was an attempt or a sink error. */
  pushLine(line: string): boolean {
    const now = this.options.clock.now();
    const entry = parseRecorderLine(line, now);
    if (!entry) return false;
    this.add(entry, now);
    return true;
  }

  /** Adds what a line said, read at `readAt`. */
  add(entry: RecorderLogEntry, readAt: number): void {
    const at = entry.at !== undefined && Math.abs(entry.at - readAt) <= MAX_CLOCK_SKEW_MS ? entry.at : readAt;
    if (entry.kind !== 'attempt') {
      this.sinkErrors++;
      this.sinkError(entry);
      return;
    }
    this.at = Math.max(this.at, at);
    const source = this.options.source ?? '';
    const body: CoreV1EventBody = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${entry.object.name}.ledger`, namespace: entry.object.namespace || 'default' },
      involvedObject: { kind: entry.object.kind, namespace: entry.object.namespace, name: entry.object.name, apiVersion: entry.object.apiVersion, fieldPath: entry.object.fieldPath },
      reason: entry.reason,
      message: entry.message,
      type: entry.type,
      count: 1,
      firstTimestamp: formatTime(this.at),
      lastTimestamp: formatTime(this.at),
      source: { component: source },
      // client-go's recorder sets ReportingController from source.Component (event.go, generateEvent).
      reportingComponent: source,
      reportingInstance: '',
    };
    const result = this.correlator.correlate(body);
    // client-go calls UpdateState with the server's answer after a write; assume it succeeded.
    if (result.action !== 'skip') this.correlator.updateState(result.event);
    const spam = result.reason === 'spam-filtered';
    this.list.push({
      seq: ++this.seq,
      at: this.at,
      format: entry.format,
      object: entry.object,
      type: entry.type,
      reason: entry.reason,
      message: entry.message,
      predicted: result.reason,
      predictedCount: result.event.count,
      nextTokenMs: spam ? result.nextTokenMs : undefined,
      label: spam ? 'spam-filtered' : 'pending',
      detail: spam ? `dropped by client-go's spam filter; next token in ${formatWait(result.nextTokenMs ?? 0)}` : '',
      eventUid: undefined,
    });
    if (this.list.length > this.maxAttempts) {
      const n = this.list.length - this.maxAttempts;
      this.list.splice(0, n);
      this.dropped += n;
    }
  }

  /** The sink's error names the event it tried: the oldest attempt still waiting for it takes the error. */
  private sinkError(e: LoggedSinkError): void {
    if (!e.object || e.reason === undefined) return;
    const object = e.object;
    const message = e.message ?? '';
    const target = this.list.find(
      (a) =>
        (a.label === 'pending' || a.label === 'not-arrived') &&
        !a.detail.startsWith('rejected') &&
        sameObject(a.object, object) &&
        a.reason === e.reason &&
        (a.message === message || (a.predicted === 'aggregated' && message === AGGREGATE_MESSAGE_PREFIX + a.message)),
    );
    if (!target) return;
    const error = e.error || 'no reason given';
    if (e.kind === 'rejected') {
      target.label = 'rejected';
      target.detail = `the apiserver refused it: ${error}`;
    } else if (e.kind === 'gave-up') target.detail = `client-go gave up writing it after its retries: ${error}`;
    else target.detail = `a write failed; client-go retries: ${error}`;
  }

  /**
   * Joins the attempts still open with what the watch holds. Returns whether a label changed. Cheap to call
   * often: with nothing pending or not-arrived it does not read the events.
   */
  reconcile(events: Iterable<KubeEvent>): boolean {
    const open = this.list.filter((a) => a.label === 'pending' || a.label === 'not-arrived');
    if (open.length === 0) return false;
    const wanted = new Set(open.map((a) => objectIndexKey(a.object.namespace, a.object.kind, a.object.name, a.reason)));
    const index = new Map<string, KubeEvent[]>();
    const source = this.options.source;
    for (const e of events) {
      if (source && e.reportingController !== source) continue;
      const key = objectIndexKey(e.regarding.namespace, e.regarding.kind, e.regarding.name, e.reason);
      if (!wanted.has(key)) continue;
      const list = index.get(key);
      if (list) list.push(e);
      else index.set(key, [e]);
    }
    const now = this.options.clock.now();
    let changed = false;
    for (const a of open) {
      const candidates = index.get(objectIndexKey(a.object.namespace, a.object.kind, a.object.name, a.reason)) ?? [];
      const match = candidates.find((e) => this.confirms(a, e));
      let label: LedgerLabel;
      if (match) {
        label = a.predicted === 'aggregated' ? 'combined' : a.predicted === 'deduplicated' ? 'patched' : 'created';
        a.eventUid = match.uid;
      } else label = now - a.at > this.boundMs ? 'not-arrived' : 'pending';
      if (label === 'not-arrived' && a.label !== 'not-arrived' && !a.detail) a.detail = `not seen in the watch within ${formatWait(this.boundMs)}`;
      if (label !== a.label) {
        if (a.label === 'not-arrived' && a.detail.startsWith('not seen')) a.detail = '';
        a.label = label;
        changed = true;
      }
    }
    return changed;
  }

  private confirms(a: LedgerAttempt, e: KubeEvent): boolean {
    if (e.type !== a.type) return false;
    // Timestamps on core/v1 events are whole seconds: the attempt's second, with a second's slack.
    const from = Math.floor(a.at / 1000) * 1000 - 1000;
    if (e.lastSeen < from) return false;
    if (a.predicted === 'aggregated') return e.message.startsWith(AGGREGATE_MESSAGE_PREFIX) && e.count >= a.predictedCount;
    if (e.message !== a.message) return false;
    if (a.predicted === 'deduplicated') return e.count >= a.predictedCount;
    return e.firstSeen >= from;
  }

  /** Attempt counts by label, over all attempts or those `which` keeps. */
  counts(which?: (a: LedgerAttempt) => boolean): LedgerCounts {
    const out = emptyCounts();
    for (const a of this.list) if (!which || which(a)) out[a.label]++;
    return out;
  }
}
