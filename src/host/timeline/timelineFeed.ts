import type { Subscribe } from '../../core/emitter';
import type { EventStore, StoreChange } from '../../core/events/eventStore';
import { oneLine } from '../../core/text/boundedText';
import type { KubeEvent } from '../../core/events/kubeEvent';
import type { OwnerLookup } from '../../core/owners/ownerGraph';
import type { DebugChange } from '../debug/debugFollower';
import { systemClock, systemTimers, type Clock, type Logger, type Timers } from '../../core/ports';
import { RunOnceScheduler } from '../../core/lifecycle';
import { DisposableOwner } from '../disposable';
import { matches, usesOwners, usesSessions, type MatchContext, type SessionRanges } from '../../core/query/evaluate';
import { parseQuery } from '../../core/query/parse';
import { EMPTY_QUERY, type Query } from '../../core/query/syntax';
import { MAX_CLUSTER_NAME_LENGTH, MAX_CLUSTERS, MAX_FILTER_TEXT_LENGTH, isViewMessage, type DebugSessionDto, type EventDto, type FilterStateDto, type FilterWhere, type HostMessage, type RecorderAttemptsMessage } from '../../protocol/webview';
import { toEventDto } from './eventDto';
import { resetOrder } from './resetOrder';
import { DEFAULT_SORT, type SortState } from '../../protocol/timelineOrder';
import { errorMessage } from '../../core/text/errorMessage';

/** Default delay between batches of store changes sent to a visible view. */
const TIMELINE_BATCH_MS = 250;
/** Coalesces the resets that `view/ready` and "became visible" both ask for. */
const RESET_DELAY_MS = 30;
/** After the owner graph learns something, re-filter a host-side (`under:`) query at most this often. */
const OWNER_RESET_DELAY_MS = 1_000;
/** A batch that touches more events than this is sent as a reset instead. */
const RESET_THRESHOLD = 10_000;
/**
 * A reset goes out in pages (see {@link resetOrder}): first the view's first screenful (the top rows in its sort
 * order: more than any screen shows), then the rest, each page in its own task, so the view paints before the
 * rest arrives and neither side is blocked for long (serialising, cloning and merging 100,000 events at once
 * took the view half a second).
 */
const RESET_FIRST_CHUNK = 200;
const RESET_CHUNK = 5_000;

/** The store API the feed reads. */
export type TimelineStore = Pick<EventStore, 'snapshot' | 'get' | 'size' | 'onDidChange'>;


/** What a {@link TimelineFeed} needs; everything but `store`, `post` and `logger` is optional. */
export interface TimelineFeedOptions {
  readonly store: TimelineStore;
  /** Posts one message to the webview (`webview.postMessage`). */
  readonly post: (message: HostMessage) => unknown;
  /** Tagged by the caller, e.g. `tagged(log, 'timeline')`. */
  readonly logger: Logger;
  /**
   * The owner graph that answers `under:` terms for an event of this cluster (`KubeEvent.cluster`; undefined: the
   * primary's), read at each evaluation: it changes with the connection.
   */
  readonly owners?: (cluster?: string) => OwnerLookup | undefined;
  /** The clusters watched, the primary first: with more than one the view shows the Cluster column and lane labels. */
  readonly clusters?: {
    readonly names: () => readonly string[];
    /** Fires when the set of clusters changed (the feed posts the names again when they differ). */
    readonly onDidChange: Subscribe<unknown>;
  };
  /** Fires when the owner graph learnt more: a host-side filter is re-evaluated. */
  readonly onDidLearnOwners?: Subscribe<unknown>;
  /** Events lost on the way to the views so far (broadcaster drops), for the status line. */
  readonly dropped?: () => number;
  /** The followed debug sessions: `session:` terms (evaluated here) and the lanes' session markers. */
  readonly debug?: {
    readonly ranges: () => SessionRanges;
    readonly sessions: () => readonly DebugSessionDto[];
    /** Fires when a session starts, stops, continues or ends. */
    readonly onDidChange: Subscribe<DebugChange>;
  };
  /** The recorder ledger's attempts (src/host/debug/recorderLedgers.ts), for the lanes' Recorder lane. */
  readonly recorder?: {
    readonly attempts: () => Omit<RecorderAttemptsMessage, 'type'>;
    /** Fires when an attempt was read or a label changed; the feed posts at most every batch interval. */
    readonly onDidChange: Subscribe<void>;
  };
  /** The filter text to start with. */
  readonly initialFilterText?: string;
  /** Called with the normalised text after the user applied a valid filter in the view. */
  readonly onFilterApplied?: (text: string, query: Query) => void;
  /** The view asked to reveal a (held) event in the tree. */
  readonly onReveal: (uid: string) => void;
  /** The view asked to open a (held) event's involved object. */
  readonly onOpenResource: (uid: string) => void;
  /** The view reached its oldest rows: load older history (it arrives through the store). */
  readonly onOlder?: (before: number) => void;
  readonly clock?: Clock;
  readonly batchMs?: number;
  readonly timers?: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** Reset chunk sizes; default {@link RESET_FIRST_CHUNK} and {@link RESET_CHUNK}. */
  readonly resetChunks?: { readonly first: number; readonly rest: number };
}

/**
 * The host half of the timeline protocol, free of `vscode` so it runs under plain Node: the ready handshake,
 * resets, batching of store changes, the filter (parsed here; evaluated here only when it needs the owner
 * graph) and validation of every inbound message. {@link TimelinePanel} owns one per panel and relays
 * visibility and messages to it.
 *
 * - Nothing is posted before `view/ready`. `view/ready` and becoming visible both schedule a full reset
 *   (coalesced), since a hidden panel loses its context.
 * - While visible, store changes collect and go out at most every `batchMs` as `events/append` (new),
 *   `events/upsert` (changed) and `events/remove`; while hidden they are dropped (a reset follows on show).
 */
export class TimelineFeed extends DisposableOwner {
  private readonly store: TimelineStore;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly batchMs: number;

  private ready = false;
  private visible = true;

  private filterText = '';
  private query: Query = EMPTY_QUERY;
  private filterError: FilterStateDto['error'];
  /** Uids the view holds while the host filters (`where: 'host'`); unused otherwise. */
  private sent = new Set<string>();

  /** uid → latest version (or undefined when removed) since the last flush, in first-touch order. */
  private pending = new Map<string, KubeEvent | undefined>();
  /** Pending uids the view has not held before (sent as `events/append` rather than `events/upsert`). */
  private pendingAdded = new Set<string>();
  private readonly flushScheduler: RunOnceScheduler;
  private readonly resetScheduler: RunOnceScheduler;
  /** Sends the next chunk of a reset in progress. */
  private readonly chunkScheduler: RunOnceScheduler;
  private sendChunk: (() => void) | undefined;
  private resetGeneration = 0;
  private resetDue = 0;
  /** "Fit to session" asked for before the view could receive it. */
  private fitPending = false;
  /** The view's sort order (`view/ready`, `view/sort`): a reset's first screenful follows it. */
  private viewSort: SortState = DEFAULT_SORT;
  /** The cluster names last posted (joined), so an unchanged set is not posted again. */
  private clustersSent: string | undefined;

  constructor(private readonly options: TimelineFeedOptions) {
    super();
    this.store = options.store;
    this.log = options.logger;
    this.clock = options.clock ?? systemClock;
    this.batchMs = options.batchMs ?? TIMELINE_BATCH_MS;
    const timers = options.timers ?? systemTimers;
    this.flushScheduler = this.register(new RunOnceScheduler(() => this.flush(), this.batchMs, timers));
    this.resetScheduler = this.register(new RunOnceScheduler(() => this.reset(), 0, timers));
    this.chunkScheduler = this.register(new RunOnceScheduler(() => this.sendChunk?.(), 0, timers));
    if (options.initialFilterText) this.applyFilterText(options.initialFilterText, false);
    this.register(this.store.onDidChange((c) => this.onStoreChange(c)));
    if (options.debug) {
      const debug = options.debug;
      this.register(
        debug.onDidChange(({ rangesMoved }) => {
          // A session that started or ended moves what `session:` matches; marks alone do not.
          if (rangesMoved && usesSessions(this.query)) this.scheduleReset(0);
          else this.postSessions();
        }),
      );
    }
    if (options.recorder) {
      const recorderScheduler = this.register(new RunOnceScheduler(() => this.postRecorder(), this.batchMs, timers));
      this.register(options.recorder.onDidChange(() => recorderScheduler.scheduleIfIdle()));
    }
    if (options.clusters) this.register(options.clusters.onDidChange(() => this.postClusters(false)));
    if (options.onDidLearnOwners) {
      this.register(
        options.onDidLearnOwners(() => {
          if (this.where === 'host') this.scheduleReset(OWNER_RESET_DELAY_MS);
        }),
      );
    }
  }

  /** Who evaluates the current filter. */
  get where(): FilterWhere {
    // The owner graph and the debug sessions live in the host: queries that need them are evaluated here.
    return usesOwners(this.query) || usesSessions(this.query) ? 'host' : 'view';
  }

  /** Fits the lanes' axis to the newest debug session, now or once the view is ready and visible. */
  fitSession(): void {
    if (this.canPost()) this.post({ type: 'lanes/fitSession' });
    else this.fitPending = true;
  }

  /** The filter box text (possibly one that failed to parse). */
  get text(): string {
    return this.filterText;
  }

  /** The query in effect. */
  get appliedQuery(): Query {
    return this.query;
  }

  /** The view has said `view/ready` since the panel was created. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Relays the panel's visibility. Hidden: pending changes are dropped. Visible again: a full reset. */
  setVisible(visible: boolean): void {
    if (this.isDisposed || visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      this.clearPending();
      this.flushScheduler.cancel();
      this.resetScheduler.cancel();
      this.chunkScheduler.cancel();
    } else if (this.ready) {
      this.scheduleReset(RESET_DELAY_MS);
    }
  }

  /**
   * Sets the filter text, as the filter box would (for commands such as "Filter to This Resource"). A bad query
   * is reported to the view and changes nothing else. Returns the error message, if any.
   */
  setFilterText(text: string): string | undefined {
    return this.applyFilterText(text, false);
  }

  /** Handles one message from the view; anything that is not a well-formed {@link ViewMessage} is logged and ignored. */
  receive(message: unknown): void {
    if (this.isDisposed) return;
    if (!isViewMessage(message)) {
      const type = message !== null && typeof message === 'object' && typeof (message as { type?: unknown }).type === 'string' ? (message as { type: string }).type.slice(0, 64) : typeof message;
      this.log.warn(`ignored a malformed message from the view (${JSON.stringify(type)})`);
      return;
    }
    switch (message.type) {
      case 'view/ready':
        this.ready = true;
        this.viewSort = message.sort;
        this.scheduleReset(RESET_DELAY_MS);
        break;
      case 'view/sort':
        this.viewSort = message.sort;
        break;
      case 'filter/change':
        this.applyFilterText(message.text, true);
        break;
      case 'event/reveal':
      case 'event/openResource': {
        if (!this.store.get(message.uid)) {
          this.log.info(`${message.type}: event ${message.uid} is no longer held`);
          return;
        }
        if (message.type === 'event/reveal') this.options.onReveal(message.uid);
        else this.options.onOpenResource(message.uid);
        break;
      }
      case 'view/error':
        this.log.warn(`view error: ${oneLine(message.message, 500)}`);
        break;
      case 'history/older':
        this.options.onOlder?.(message.before);
        break;
      default: {
        const never: never = message;
        throw new Error(`unhandled view message ${JSON.stringify(never)}`);
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.clearPending();
  }

  // -------------------------------------------------------------------------------------------------------------

  private filterState(): FilterStateDto {
    const state = { text: this.filterText, applied: this.query.text, where: this.where };
    return this.filterError ? { ...state, error: this.filterError } : state;
  }

  private applyFilterText(text: string, fromView: boolean): string | undefined {
    const parsed = parseQuery(text);
    // Text the view could not even hold (a paste into a command): refuse it without touching the box.
    if (text.length > MAX_FILTER_TEXT_LENGTH) return parsed.ok ? `the filter is longer than ${MAX_FILTER_TEXT_LENGTH} characters` : parsed.message;
    this.filterText = text;
    if (!parsed.ok) {
      this.filterError = { message: parsed.message, start: parsed.start, end: parsed.end };
      this.postFilterState();
      return parsed.message;
    }
    const hostBefore = usesOwners(this.query) || usesSessions(this.query);
    const hostAfter = usesOwners(parsed.value) || usesSessions(parsed.value);
    const changed = parsed.value.text !== this.query.text;
    this.filterError = undefined;
    this.query = parsed.value;
    if (changed && fromView) this.options.onFilterApplied?.(parsed.value.text, parsed.value);
    // Host-side filtering changes which events the view holds: only a reset (which carries the filter) can say that.
    if (changed && (hostBefore || hostAfter)) this.scheduleReset(0);
    else this.postFilterState();
    return undefined;
  }

  private clearPending(): void {
    this.pending.clear();
    this.pendingAdded.clear();
  }

  private postFilterState(): void {
    if (this.canPost()) this.post({ type: 'filter/state', ...this.filterState() });
  }

  private canPost(): boolean {
    return this.ready && this.visible && !this.isDisposed;
  }

  private post(message: HostMessage): void {
    try {
      const r = this.options.post(message);
      if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
        (r as PromiseLike<unknown>).then(undefined, (err: unknown) => this.log.debug(`post ${message.type} failed: ${String(err)}`));
      }
    } catch (err) {
      this.log.debug(`post ${message.type} failed: ${errorMessage(err)}`);
    }
  }

  private matchesHost(e: KubeEvent, now: number, owners = this.options.owners?.()): boolean {
    const sessions = this.options.debug?.ranges();
    const of = this.options.owners;
    // Each event's `under:` is answered by its own cluster's graph (one cluster: the primary's, as `owners`).
    const ctx: MatchContext = { now, ...(owners ? { owners } : {}), ...(of ? { ownersOf: (c: string | undefined) => of(c) } : {}), ...(sessions ? { sessions } : {}) };
    return matches(this.query, e, ctx);
  }

  /** Posts the watched clusters' names when they differ from what the view last got (and always after a reset). */
  private postClusters(force: boolean): void {
    if (!this.options.clusters || !this.canPost()) return;
    const names = this.options.clusters.names().slice(0, MAX_CLUSTERS).map((n) => n.slice(0, MAX_CLUSTER_NAME_LENGTH));
    const key = names.join('\u0000');
    if (!force && key === this.clustersSent) return;
    this.clustersSent = key;
    this.post({ type: 'clusters', names });
  }

  private postSessions(): void {
    if (this.options.debug && this.canPost()) this.post({ type: 'debug/sessions', sessions: this.options.debug.sessions() });
    this.postRecorder();
  }

  private postRecorder(): void {
    if (this.options.recorder && this.canPost()) this.post({ type: 'recorder/attempts', ...this.options.recorder.attempts() });
  }

  private postStats(): void {
    const total = this.store.size;
    const dropped = this.options.dropped?.() ?? 0;
    this.post({ type: 'stats', total, shown: this.where === 'host' ? this.sent.size : total, dropped: Number.isSafeInteger(dropped) && dropped >= 0 ? dropped : 0 });
  }

  private scheduleReset(delayMs: number): void {
    if (!this.canPost()) return;
    const due = this.clock.now() + delayMs;
    if (this.resetScheduler.isScheduled() && this.resetDue <= due) return;
    this.resetDue = due;
    this.resetScheduler.schedule(delayMs);
  }

  /**
   * Sends everything the store holds (filtered when the host filters), replacing what the view holds: an
   * `events/reset` with the view's first screenful, then `events/page`s with the rest (see {@link resetOrder}).
   * Each page reads the store's current version of its events, so a page never undoes a batch sent before it;
   * events gone meanwhile are skipped, and the last page always goes out (`remaining: 0`).
   */
  private reset(): void {
    if (!this.canPost()) return;
    this.flushScheduler.cancel();
    this.chunkScheduler.cancel();
    this.clearPending();
    const generation = ++this.resetGeneration;
    const host = this.where === 'host';
    const now = this.clock.now();
    const owners = this.options.owners?.();
    const viewQuery = host || this.query.isEmpty ? undefined : this.query;
    const shown = host ? (e: KubeEvent) => this.matchesHost(e, now, owners) : viewQuery ? (e: KubeEvent) => matches(viewQuery, e, { now }) : undefined;
    const order = resetOrder(this.store.snapshot(), this.viewSort, Math.max(1, this.options.resetChunks?.first ?? RESET_FIRST_CHUNK), shown, !host);
    const rest = Math.max(1, this.options.resetChunks?.rest ?? RESET_CHUNK);
    this.sent = new Set();
    /** The event the next page starts with (looked at ahead, so the page that takes the last one says so). */
    let ahead = order.rest.next();
    let taken = 0;
    const dto = (event: KubeEvent, out: EventDto[]): void => {
      const e = this.store.get(event.uid);
      if (!e || (host && !this.matchesHost(e, now))) return;
      if (host) this.sent.add(e.uid);
      out.push(toEventDto(e));
    };
    const page = (size: number): EventDto[] => {
      const out: EventDto[] = [];
      while (out.length < size && ahead.done !== true) {
        dto(ahead.value, out);
        taken++;
        ahead = order.rest.next();
      }
      return out;
    };
    const remaining = () => (ahead.done === true ? 0 : Math.max(1, order.restCount - taken));
    const first: EventDto[] = [];
    for (const e of order.first) dto(e, first);
    this.post({ type: 'events/reset', events: first, filter: this.filterState(), remaining: remaining() });
    this.postClusters(true);
    this.postStats();
    this.postSessions();
    if (this.fitPending) {
      this.fitPending = false;
      this.post({ type: 'lanes/fitSession' });
    }
    this.sendChunk = (): void => {
      if (generation !== this.resetGeneration || !this.canPost()) return;
      const events = page(rest);
      this.post({ type: 'events/page', events, remaining: remaining() });
      if (ahead.done !== true) this.chunkScheduler.schedule();
      else this.postStats();
    };
    if (ahead.done !== true) this.chunkScheduler.schedule();
  }

  private onStoreChange(change: StoreChange): void {
    if (!this.canPost()) return;
    if (change.cleared) {
      this.scheduleReset(0);
      return;
    }
    for (const e of change.added) {
      this.pending.set(e.uid, e);
      this.pendingAdded.add(e.uid);
    }
    for (const e of change.updated) this.pending.set(e.uid, e);
    for (const e of change.removed) {
      this.pending.set(e.uid, undefined);
      this.pendingAdded.delete(e.uid);
    }
    if (this.resetScheduler.isScheduled()) {
      // The reset will carry these.
      this.clearPending();
      return;
    }
    if (this.pending.size > RESET_THRESHOLD) {
      this.scheduleReset(this.batchMs);
      return;
    }
    this.flushScheduler.scheduleIfIdle();
  }

  private flush(): void {
    if (!this.canPost() || this.pending.size === 0) return;
    const pending = this.pending;
    const added = this.pendingAdded;
    this.pending = new Map();
    this.pendingAdded = new Set();
    const host = this.where === 'host';
    const now = this.clock.now();
    const append: EventDto[] = [];
    const upsert: EventDto[] = [];
    const remove: string[] = [];
    for (const [uid, e] of pending) {
      if (e === undefined || (host && !this.matchesHost(e, now))) {
        if (!host || this.sent.delete(uid)) remove.push(uid);
        continue;
      }
      if (host ? !this.sent.has(uid) : added.has(uid)) append.push(toEventDto(e));
      else upsert.push(toEventDto(e));
      if (host) this.sent.add(uid);
    }
    if (remove.length > 0) this.post({ type: 'events/remove', uids: remove });
    if (append.length > 0) this.post({ type: 'events/append', events: append });
    if (upsert.length > 0) this.post({ type: 'events/upsert', events: upsert });
    this.postStats();
  }
}
