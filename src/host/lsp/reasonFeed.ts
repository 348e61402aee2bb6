/**
 * The reason half of the language-server feed (languageServerFeed.ts combines it with the object half): the state of
 * each reason the open Go recorder calls name, and the reasons the store knows for completion, sent as
 * `kubeEvents/reasons`. Free of `vscode`, so it runs under plain Node.
 *
 * - A reason's state counts its events in the window, across every object; a hot reason can hold most of the
 *   store, so changes are recomputed at most every {@link REASON_BATCH_MS}.
 * - The known reasons go out when they changed, while anything is open that the feed serves; an unchanged state
 *   is not sent again.
 */
import type { EventStore, StoreChange } from '../../core/events/eventStore';
import type { KubeEvent } from '../../core/events/kubeEvent';
import type { Clock, Timers } from '../../core/ports';
import { RunOnceScheduler } from '../../core/lifecycle';
import { DisposableOwner } from '../disposable';
import { MAX_KNOWN_REASONS, MAX_NAME_LENGTH, type ReasonStateDto, type ReasonsParams } from '../../protocol/languageServer';
import { pickEvents } from './editorEvents';

/** Reasons are recomputed at most this often (a hot reason can hold most of the store). */
const REASON_BATCH_MS = 1_000;

export interface ReasonFeedOptions {
  readonly store: Pick<EventStore, 'onDidChange' | 'byReason' | 'reasons'>;
  /** Sends `kubeEvents/reasons`; never throws. */
  readonly sendReasons: (params: ReasonsParams) => void;
  /** `kubeEvents.editor.window` in milliseconds, read at each evaluation. */
  readonly windowMs: () => number;
  readonly clock: Clock;
  readonly timers: Timers;
}

export class ReasonFeed extends DisposableOwner {
  private reasons = new Set<string>();
  /** The server completes reasons (a Go file is open): keep it told of the reasons the store knows. */
  private completesReasons = false;
  /** The subscription names objects too: the known reasons go out then as well, as they did before the split. */
  private objectsOpen = false;
  private readonly dirtyReasons = new Set<string>();
  private knownSent = '';
  private readonly lastReasonJson = new Map<string, string>();
  private readonly reasonScheduler: RunOnceScheduler;
  /** Bytes sent so far (JSON length), for the benchmark. */
  bytesSent = 0;

  constructor(private readonly options: ReasonFeedOptions) {
    super();
    this.reasonScheduler = this.register(new RunOnceScheduler(() => this.flushReasons(), 0, options.timers));
    this.register(options.store.onDidChange((c) => this.onStoreChange(c)));
  }

  /** The reasons the open documents name now, whether a Go file is open, and whether any object is subscribed. */
  subscribe(reasons: readonly string[], completesReasons: boolean, objectsOpen: boolean): void {
    const next = new Set(reasons);
    for (const r of next) if (!this.reasons.has(r)) this.dirtyReasons.add(r);
    this.reasons = next;
    this.completesReasons = completesReasons;
    this.objectsOpen = objectsOpen;
    this.knownSent = '';
    this.scheduleReasons(0);
  }

  /** The connection changed: every state is computed again, and the known reasons sent again. */
  reset(): void {
    this.knownSent = '';
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.scheduleReasons(0);
  }

  /** Sends every state again (a restarted server knows nothing). */
  resend(): void {
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.knownSent = '';
    this.scheduleReasons(0);
  }

  /** Computes every state again (the window passed, or changed); only states that changed are sent. */
  refresh(): void {
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.scheduleReasons(0);
  }

  // -------------------------------------------------------------------------------------------------------------

  private onStoreChange(change: StoreChange): void {
    // A cleared store comes with a new connection, and reset() follows it.
    if (this.isDisposed || change.cleared) return;
    for (const list of [change.removed, change.added, change.updated]) {
      for (const e of list) if (this.reasons.has(e.reason)) this.dirtyReasons.add(e.reason);
    }
    if (this.dirtyReasons.size > 0 || ((this.reasons.size > 0 || this.completesReasons) && change.added.length > 0)) this.scheduleReasons(REASON_BATCH_MS);
  }

  private scheduleReasons(delayMs: number): void {
    this.reasonScheduler.scheduleIfIdle(delayMs);
  }

  private reasonState(reason: string, now: number): ReasonStateDto {
    const since = now - this.options.windowMs();
    const events: KubeEvent[] = [];
    let occurrences = 0;
    let lastSeen = 0;
    // Distinct objects (kinds compared case-insensitively), counted without a key string per event: a hot reason
    // holds most of the store.
    const objects = new Map<string, Map<string, Set<string>>>();
    const lowerKinds = new Map<string, string>();
    let distinct = 0;
    for (const e of this.options.store.byReason(reason)) {
      if (e.lastSeen < since) continue;
      events.push(e);
      occurrences += e.count > 0 ? e.count : 1;
      lastSeen = Math.max(lastSeen, e.lastSeen);
      const { kind, namespace, name } = e.regarding;
      let lower = lowerKinds.get(kind);
      if (lower === undefined) {
        lower = kind.toLowerCase();
        lowerKinds.set(kind, lower);
      }
      let byNamespace = objects.get(lower);
      if (!byNamespace) objects.set(lower, (byNamespace = new Map<string, Set<string>>()));
      let names = byNamespace.get(namespace);
      if (!names) byNamespace.set(namespace, (names = new Set<string>()));
      if (!names.has(name)) {
        names.add(name);
        distinct++;
      }
    }
    return { reason, occurrences, objects: distinct, lastSeen, events: pickEvents(events) };
  }

  private flushReasons(): void {
    if (this.isDisposed || (this.reasons.size === 0 && !this.objectsOpen && !this.completesReasons)) return;
    const now = this.options.clock.now();
    const reasons: ReasonStateDto[] = [];
    for (const r of this.dirtyReasons) {
      if (!this.reasons.has(r)) continue;
      const state = this.reasonState(r, now);
      const json = JSON.stringify(state);
      if (this.lastReasonJson.get(r) === json) continue;
      this.lastReasonJson.set(r, json);
      reasons.push(state);
    }
    this.dirtyReasons.clear();
    for (const r of [...this.lastReasonJson.keys()]) if (!this.reasons.has(r)) this.lastReasonJson.delete(r);
    const known = this.options.store.reasons().filter((r) => r !== '' && r.length <= MAX_NAME_LENGTH).slice(0, MAX_KNOWN_REASONS);
    const knownJson = known.join('\n');
    const knownChanged = knownJson !== this.knownSent;
    if (reasons.length === 0 && !knownChanged) return;
    this.knownSent = knownJson;
    const params: ReasonsParams = { reasons, known: knownChanged ? known : null };
    this.bytesSent += JSON.stringify(params).length;
    this.options.sendReasons(params);
  }
}
