/**
 * The host half of the language-server protocol (src/protocol/languageServer.ts), free of `vscode` so it runs
 * under plain Node: it keeps what the server subscribed to, follows the store, and sends each subscribed
 * object's and reason's state when it changed. {@link LanguageClientHost} owns one and relays messages.
 *
 * - An object's events are those about it and about everything it owns as far as the owner graph knows
 *   (the feed asks the graph to learn the objects of events in the namespaces it watches), in the window.
 *   Events about an earlier object of the same name (another uid) are left out.
 * - Whether the object exists is read when it is subscribed and every {@link EXISTS_POLL_MS} while it is; a
 *   deleted object sends no events (they are about something that is gone).
 * - Changes go out at most every `batchMs`; an unchanged state is not sent again. A tick every
 *   {@link WINDOW_TICK_MS} lets events leave the window.
 */
import { oneLine } from '../../core/text/boundedText';
import type { Subscribe } from '../../core/emitter';
import type { EventStore, StoreChange } from '../../core/events/eventStore';
import { objectKeyIgnoringKindCase, type KubeEvent, type ObjectKeyWith } from '../../core/events/kubeEvent';
import { systemClock, systemTimers, type Clock, type Logger, type Timers } from '../../core/ports';
import { RunOnceScheduler } from '../../core/lifecycle';
import { DisposableOwner } from '../disposable';
import {
  FEED_BATCH_MS,
  MAX_EDITOR_MESSAGE_LENGTH,
  MAX_EVENTS_PER_SUBJECT,
  MAX_KNOWN_REASONS,
  MAX_NAME_LENGTH,
  isSubscribeParams,
  objectKeyString,
  type EditorEventDto,
  type Existence,
  type ObjectKeyDto,
  type ObjectStateDto,
  type ObjectsParams,
  type ReasonStateDto,
  type ReasonsParams,
} from '../../protocol/languageServer';
import { errorMessage } from '../../core/text/errorMessage';

/** How often subscribed objects are read again, to notice a deletion or re-creation. */
const EXISTS_POLL_MS = 3_000;
/** Objects read per poll at most, round robin: a 500-document file costs the cluster 25 GETs every 3 s. */
const EXISTS_POLL_BATCH = 25;
/** How often every state is recomputed so that events leave the window. */
const WINDOW_TICK_MS = 15_000;
/** Reasons are recomputed at most this often (a hot reason can hold most of the store). */
const REASON_BATCH_MS = 1_000;

/** The owner graph as the feed uses it. */
export interface FeedOwners {
  ancestors(ref: ObjectKeyWith<never, 'uid'>): readonly ObjectKeyWith<'apiVersion', 'uid'>[];
  learn(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<void>;
}

/** What the feed reads of the store. */
export type FeedStore = Pick<EventStore, 'onDidChange' | 'byNamespace' | 'byObject' | 'byReason' | 'reasons'>;

/** The answer to an existence check: the uid is '' unless `exists` is `yes`. */
export interface ExistsAnswer {
  readonly exists: Existence;
  readonly uid: string;
}


export interface LanguageServerFeedOptions {
  readonly store: FeedStore;
  readonly owners: () => FeedOwners | undefined;
  /** Fires when the owner graph learnt more (throttled by the caller). */
  readonly onDidLearnOwners?: Subscribe<unknown>;
  readonly exists: (object: ObjectKeyDto) => Promise<ExistsAnswer>;
  readonly sendObjects: (params: ObjectsParams) => void;
  readonly sendReasons: (params: ReasonsParams) => void;
  /** `kubeEvents.editor.window` in milliseconds, read at each evaluation. */
  readonly windowMs: () => number;
  /**
   * A subscription names a Kubernetes object (apiVersion and kind) or says a recorder call is open: a reason
   * to connect (docs/ARCHITECTURE.md §13). A docker-compose file or a workflow has neither.
   */
  readonly wantCluster?: () => void;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly batchMs?: number;
}

/** Kinds compare case-insensitively (a manifest may say `deployment`; events say `Deployment`). */
const keyOf = objectKeyIgnoringKindCase;

interface Watched {
  readonly object: ObjectKeyDto;
  exists: Existence;
  uid: string;
  /** uid → event, for events about the object or anything it owns. */
  readonly members: Map<string, KubeEvent>;
  /** The JSON of the last state sent, to skip unchanged ones. */
  lastSent: string;
}

/** Cluster strings cut to what the protocol accepts: one oversized field must not get a whole update refused. */
function cut(s: string): string {
  return s.length <= MAX_NAME_LENGTH ? s : s.slice(0, MAX_NAME_LENGTH - 1) + '…';
}

function toEditorEventDto(e: KubeEvent): EditorEventDto {
  return {
    uid: cut(e.uid),
    type: cut(e.type),
    reason: cut(e.reason),
    message: oneLine(e.message, MAX_EDITOR_MESSAGE_LENGTH - 40),
    count: Number.isSafeInteger(e.count) && e.count > 0 ? e.count : 1,
    lastSeen: Number.isFinite(e.lastSeen) && e.lastSeen > 0 ? e.lastSeen : 0,
    kind: cut(e.regarding.kind),
    namespace: cut(e.regarding.namespace),
    name: cut(e.regarding.name),
    fieldPath: cut(e.regarding.fieldPath),
    source: cut(e.reportingController),
  };
}

/** Newest first; every Warning reason's newest event first of all, so diagnostics never lose a reason. */
function pickEvents(events: KubeEvent[]): EditorEventDto[] {
  events.sort((a, b) => b.lastSeen - a.lastSeen);
  const picked = new Set<KubeEvent>();
  const reasons = new Set<string>();
  for (const e of events) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    if (e.type === 'Warning' && !reasons.has(e.reason)) {
      reasons.add(e.reason);
      picked.add(e);
    }
  }
  for (const e of events) {
    if (picked.size >= MAX_EVENTS_PER_SUBJECT) break;
    picked.add(e);
  }
  return [...picked].sort((a, b) => b.lastSeen - a.lastSeen).map(toEditorEventDto);
}

export class LanguageServerFeed extends DisposableOwner {
  private readonly objects = new Map<string, Watched>();
  private reasons = new Set<string>();
  /** The server completes reasons (a Go file is open): keep it told of the reasons the store knows. */
  private completesReasons = false;
  private readonly dirtyObjects = new Set<string>();
  private readonly dirtyReasons = new Set<string>();
  private knownSent = '';
  private readonly flushScheduler: RunOnceScheduler;
  private readonly reasonScheduler: RunOnceScheduler;
  private readonly pollTimer: unknown;
  private readonly tickTimer: unknown;
  private polling = false;
  private pollCursor = 0;
  /** Objects the owner graph was asked to learn, so each is asked once (the graph caches answers, but not for free). */
  private readonly asked = new Set<string>();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly batchMs: number;
  private readonly log: Logger;
  /** Bytes sent so far (JSON length), for the benchmark. */
  bytesSent = 0;
  /** Well-formed subscriptions received so far (the extension-host suite waits for the server's first). */
  subscriptions = 0;

  constructor(private readonly options: LanguageServerFeedOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.batchMs = options.batchMs ?? FEED_BATCH_MS;
    this.timers = options.timers ?? systemTimers;
    this.flushScheduler = this.register(new RunOnceScheduler(() => this.flushObjects(), this.batchMs, this.timers));
    this.reasonScheduler = this.register(new RunOnceScheduler(() => this.flushReasons(), 0, this.timers));
    this.log = options.logger;
    this.register(options.store.onDidChange((c) => this.onStoreChange(c)));
    if (options.onDidLearnOwners) this.register(options.onDidLearnOwners(() => this.rescan()));
    this.pollTimer = this.timers.setInterval(() => void this.poll(), EXISTS_POLL_MS);
    this.tickTimer = this.timers.setInterval(() => this.refresh(), WINDOW_TICK_MS);
  }

  /** Handles `kubeEvents/subscribe`; anything malformed is logged and ignored. */
  subscribe(params: unknown): void {
    if (this.isDisposed) return;
    if (!isSubscribeParams(params)) {
      this.log.warn('ignored a malformed subscription from the language server');
      return;
    }
    this.subscriptions++;
    if (params.recorderCalls || params.objects.some((o) => o.apiVersion !== '' && o.kind !== '')) this.options.wantCluster?.();
    const next = new Map(params.objects.map((o) => [keyOf(o), o]));
    for (const key of [...this.objects.keys()]) if (!next.has(key)) this.objects.delete(key);
    const added: Watched[] = [];
    for (const [key, object] of next) {
      if (this.objects.has(key)) continue;
      const w: Watched = { object, exists: 'unknown', uid: '', members: new Map(), lastSent: '' };
      this.objects.set(key, w);
      added.push(w);
    }
    if (added.length > 0) {
      this.scan(added);
      void this.checkEach(added);
    }
    const reasons = new Set(params.reasons);
    for (const r of reasons) if (!this.reasons.has(r)) this.dirtyReasons.add(r);
    this.reasons = reasons;
    this.completesReasons = params.completesReasons;
    this.knownSent = '';
    // A file just opened waits for nothing: its objects' states go out at once.
    this.scheduleFlush(0);
    this.scheduleReasons(0);
  }

  /** The connection changed: everything is read again. */
  reset(): void {
    this.asked.clear();
    for (const w of this.objects.values()) {
      w.exists = 'unknown';
      w.uid = '';
      w.lastSent = '';
    }
    this.knownSent = '';
    this.rescan();
    void this.checkEach([...this.objects.values()]);
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.scheduleReasons(0);
  }

  /** Sends every state again (a restarted server knows nothing). */
  resend(): void {
    for (const w of this.objects.values()) {
      w.lastSent = '';
      this.dirtyObjects.add(keyOf(w.object));
    }
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.knownSent = '';
    this.scheduleFlush();
    this.scheduleReasons(0);
  }

  override dispose(): void {
    super.dispose();
    this.timers.clearInterval(this.pollTimer);
    this.timers.clearInterval(this.tickTimer);
    this.objects.clear();
  }

  // -------------------------------------------------------------------------------------------------------------

  /** The watched roots an event belongs to: its own object, and its known owners. */
  private rootsOf(e: KubeEvent, owners: FeedOwners | undefined): Watched[] {
    const out: Watched[] = [];
    const direct = this.objects.get(keyOf(e.regarding));
    if (direct && !(direct.uid && e.regarding.uid && direct.uid !== e.regarding.uid)) out.push(direct);
    if (owners) {
      const ref = { kind: e.regarding.kind, namespace: e.regarding.namespace, name: e.regarding.name, uid: e.regarding.uid || undefined };
      for (const a of owners.ancestors(ref)) {
        const w = this.objects.get(keyOf(a));
        if (w && !out.includes(w)) out.push(w);
      }
    }
    return out;
  }

  /**
   * Whether events in this namespace may be about something a watched object owns. Cluster-scoped objects
   * (Namespaces, Nodes) own nothing through ownerReferences in practice; counting them would make the graph
   * read every object in the cluster, so they get the events about themselves only.
   */
  private watchesNamespace(ns: string): boolean {
    if (ns === '') return false;
    for (const w of this.objects.values()) if (w.object.namespace === ns) return true;
    return false;
  }

  private learn(e: KubeEvent, owners: FeedOwners | undefined): void {
    if (!owners || !e.regarding.kind || !e.regarding.name) return;
    const r = e.regarding;
    const id = `${keyOf(r)}/${r.uid}`;
    if (this.asked.has(id)) return;
    if (this.asked.size >= 20_000) this.asked.clear();
    this.asked.add(id);
    void owners.learn({ apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, uid: r.uid || undefined });
  }

  private onStoreChange(change: StoreChange): void {
    if (this.isDisposed) return;
    if (change.cleared) {
      this.rescan();
      return;
    }
    const owners = this.objects.size > 0 ? this.options.owners() : undefined;
    for (const e of change.removed) {
      for (const w of this.objects.values()) if (w.members.delete(e.uid)) this.dirtyObjects.add(keyOf(w.object));
      if (this.reasons.has(e.reason)) this.dirtyReasons.add(e.reason);
    }
    for (const list of [change.added, change.updated]) {
      for (const e of list) {
        if (this.reasons.has(e.reason)) this.dirtyReasons.add(e.reason);
        if (this.objects.size === 0) continue;
        if (this.watchesNamespace(e.regarding.namespace)) this.learn(e, owners);
        else if (e.regarding.namespace !== '') continue;
        for (const w of this.rootsOf(e, owners)) {
          w.members.set(e.uid, e);
          this.dirtyObjects.add(keyOf(w.object));
        }
      }
    }
    if (this.dirtyObjects.size > 0) this.scheduleFlush();
    if (this.dirtyReasons.size > 0 || ((this.reasons.size > 0 || this.completesReasons) && change.added.length > 0)) this.scheduleReasons(REASON_BATCH_MS);
  }

  /** Rebuilds the members of the given roots (all by default) from the store: one pass per namespace. */
  private scan(roots: readonly Watched[] = [...this.objects.values()]): void {
    if (roots.length === 0) return;
    const owners = this.options.owners();
    const byNamespace = new Map<string, Watched[]>();
    for (const w of roots) {
      w.members.clear();
      this.dirtyObjects.add(keyOf(w.object));
      const list = byNamespace.get(w.object.namespace) ?? [];
      list.push(w);
      byNamespace.set(w.object.namespace, list);
    }
    const wanted = new Set(roots);
    // Many events share an object: walk each object's ancestry once per scan.
    const memo = new Map<string, Watched[]>();
    const visit = (e: KubeEvent): void => {
      const id = `${keyOf(e.regarding)}/${e.regarding.uid}`;
      let found = memo.get(id);
      if (!found) {
        this.learn(e, owners);
        found = this.rootsOf(e, owners).filter((w) => wanted.has(w));
        memo.set(id, found);
      }
      for (const w of found) w.members.set(e.uid, e);
    };
    for (const [ns, list] of byNamespace) {
      if (ns !== '') for (const e of this.options.store.byNamespace(ns)) visit(e);
      // A cluster-scoped root: the events about it, whichever namespace they were recorded in.
      else for (const w of list) for (const e of this.options.store.byObject(w.object.kind, '', w.object.name)) visit(e);
    }
  }

  private rescan(): void {
    if (this.isDisposed || this.objects.size === 0) return;
    this.scan();
    this.scheduleFlush();
  }

  private async check(w: Watched): Promise<void> {
    let answer: ExistsAnswer;
    try {
      answer = await this.options.exists(w.object);
    } catch (err) {
      this.log.debug(`existence of ${objectKeyString(w.object)}: ${errorMessage(err)}`);
      answer = { exists: 'unknown', uid: '' };
    }
    if (this.isDisposed || this.objects.get(keyOf(w.object)) !== w) return;
    if (answer.exists === w.exists && answer.uid === w.uid) return;
    const uidChanged = w.uid !== answer.uid;
    w.exists = answer.exists;
    w.uid = answer.uid;
    // Another uid: events of the earlier object with this name no longer count.
    if (uidChanged) this.scan([w]);
    this.dirtyObjects.add(keyOf(w.object));
    this.scheduleFlush();
  }

  /** One read at a time: opening a file of 500 documents must not fire 500 requests at once. */
  private async checkEach(list: readonly Watched[]): Promise<void> {
    for (const w of list) {
      if (this.isDisposed) return;
      await this.check(w);
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.isDisposed) return;
    this.polling = true;
    try {
      const all = [...this.objects.values()];
      const n = Math.min(all.length, EXISTS_POLL_BATCH);
      for (let i = 0; i < n; i++) await this.check(all[(this.pollCursor + i) % all.length]);
      this.pollCursor = all.length > 0 ? (this.pollCursor + n) % all.length : 0;
    } finally {
      this.polling = false;
    }
  }

  /** Computes every state again (the window passed, or changed); only states that changed are sent. */
  refresh(): void {
    for (const w of this.objects.values()) if (w.members.size > 0) this.dirtyObjects.add(keyOf(w.object));
    for (const r of this.reasons) this.dirtyReasons.add(r);
    this.scheduleFlush();
    this.scheduleReasons(0);
  }

  private scheduleFlush(delayMs = this.batchMs): void {
    if (this.isDisposed || this.dirtyObjects.size === 0) return;
    this.flushScheduler.scheduleIfIdle(delayMs);
  }

  private scheduleReasons(delayMs: number): void {
    this.reasonScheduler.scheduleIfIdle(delayMs);
  }

  private objectState(w: Watched, now: number): ObjectStateDto {
    const since = now - this.options.windowMs();
    const inWindow: KubeEvent[] = [];
    let warnings = 0;
    if (w.exists !== 'no') {
      for (const e of w.members.values()) {
        if (e.lastSeen < since) continue;
        inWindow.push(e);
        if (e.type === 'Warning') warnings++;
      }
    }
    return { object: w.object, exists: w.exists, total: inWindow.length, warnings, events: pickEvents(inWindow) };
  }

  private flushObjects(): void {
    if (this.isDisposed) return;
    const now = this.clock.now();
    const out: ObjectStateDto[] = [];
    for (const key of this.dirtyObjects) {
      const w = this.objects.get(key);
      if (!w) continue;
      const state = this.objectState(w, now);
      const json = JSON.stringify(state);
      if (json === w.lastSent) continue;
      w.lastSent = json;
      this.bytesSent += json.length;
      out.push(state);
    }
    this.dirtyObjects.clear();
    if (out.length > 0) this.send(() => this.options.sendObjects({ objects: out }));
  }

  private reasonState(reason: string, now: number): ReasonStateDto {
    const since = now - this.options.windowMs();
    const events = this.options.store.byReason(reason).filter((e) => e.lastSeen >= since);
    let occurrences = 0;
    let lastSeen = 0;
    const objects = new Set<string>();
    for (const e of events) {
      occurrences += e.count > 0 ? e.count : 1;
      lastSeen = Math.max(lastSeen, e.lastSeen);
      objects.add(keyOf(e.regarding));
    }
    return { reason, occurrences, objects: objects.size, lastSeen, events: pickEvents(events) };
  }

  private lastReasonJson = new Map<string, string>();

  private flushReasons(): void {
    if (this.isDisposed || (this.reasons.size === 0 && this.objects.size === 0 && !this.completesReasons)) return;
    const now = this.clock.now();
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
    this.send(() => this.options.sendReasons(params));
  }

  private send(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.debug(`send failed: ${errorMessage(err)}`);
    }
  }
}
