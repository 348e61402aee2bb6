/**
 * The object half of the language-server feed (languageServerFeed.ts combines it with the reason half): what the
 * objects the open manifests name have, sent as `kubeEvents/objects`. Free of `vscode`, so it runs under plain Node.
 *
 * - An object's events are those about it and about everything it owns as far as the owner graph knows
 *   (the feed asks the graph to learn the objects of events in the namespaces it watches), in the window.
 *   Events about an earlier object of the same name (another uid) are left out.
 * - Whether the object exists is read when it is subscribed and every {@link EXISTS_POLL_MS} while it is; a
 *   deleted object sends no events (they are about something that is gone).
 * - Changes go out at most every `batchMs`; an unchanged state is not sent again.
 */
import type { Subscribe } from '../../core/emitter';
import type { EventStore, StoreChange } from '../../core/events/eventStore';
import { objectKeyIgnoringKindCase, type KubeEvent, type ObjectKeyWith } from '../../core/events/kubeEvent';
import type { Clock, Logger, Timers } from '../../core/ports';
import { RunOnceScheduler } from '../../core/lifecycle';
import { DisposableOwner } from '../disposable';
import { objectKeyString, type Existence, type ObjectKeyDto, type ObjectStateDto, type ObjectsParams } from '../../protocol/languageServer';
import { errorMessage } from '../../core/text/errorMessage';
import { pickEvents } from './editorEvents';

/** How often subscribed objects are read again, to notice a deletion or re-creation. */
const EXISTS_POLL_MS = 3_000;
/** Objects read per poll at most, round robin: a 500-document file costs the cluster 25 GETs every 3 s. */
const EXISTS_POLL_BATCH = 25;

/** The owner graph as the feed uses it. */
export interface FeedOwners {
  ancestors(ref: ObjectKeyWith<never, 'uid'>): readonly ObjectKeyWith<'apiVersion', 'uid'>[];
  learn(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<void>;
}

/** The answer to an existence check: the uid is '' unless `exists` is `yes`. */
export interface ExistsAnswer {
  readonly exists: Existence;
  readonly uid: string;
}

export interface ObjectFeedOptions {
  readonly store: Pick<EventStore, 'onDidChange' | 'byNamespace' | 'byObject'>;
  readonly owners: () => FeedOwners | undefined;
  /** Fires when the owner graph learnt more (throttled by the caller). */
  readonly onDidLearnOwners?: Subscribe<unknown>;
  readonly exists: (object: ObjectKeyDto) => Promise<ExistsAnswer>;
  /** Sends `kubeEvents/objects`; never throws. */
  readonly sendObjects: (params: ObjectsParams) => void;
  /** `kubeEvents.editor.window` in milliseconds, read at each evaluation. */
  readonly windowMs: () => number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly batchMs: number;
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

export class ObjectFeed extends DisposableOwner {
  private readonly objects = new Map<string, Watched>();
  private readonly dirtyObjects = new Set<string>();
  /** The namespaces of the subscribed objects (asked for every event that arrives). */
  private namespaces = new Set<string>();
  /** Roots whose uid changed since the last flush: their members are rebuilt in one scan before it. */
  private readonly rescanBeforeFlush = new Set<Watched>();
  private readonly flushScheduler: RunOnceScheduler;
  private polling = false;
  private pollCursor = 0;
  /** Objects the owner graph was asked to learn, so each is asked once (the graph caches answers, but not for free). */
  private readonly asked = new Set<string>();
  private readonly log: Logger;
  /** Bytes sent so far (JSON length), for the benchmark. */
  bytesSent = 0;

  constructor(private readonly options: ObjectFeedOptions) {
    super();
    this.flushScheduler = this.register(new RunOnceScheduler(() => this.flushObjects(), options.batchMs, options.timers));
    this.log = options.logger;
    this.register(options.store.onDidChange((c) => this.onStoreChange(c)));
    if (options.onDidLearnOwners) this.register(options.onDidLearnOwners(() => this.rescan()));
    const pollTimer = options.timers.setInterval(() => void this.poll(), EXISTS_POLL_MS);
    this.register({ dispose: () => options.timers.clearInterval(pollTimer) }, { dispose: () => this.objects.clear() });
  }

  /** Whether any object is subscribed. */
  get watching(): boolean {
    return this.objects.size > 0;
  }

  /** The objects the open documents name now: new ones are read at once and their states go out without waiting. */
  subscribe(objects: readonly ObjectKeyDto[]): void {
    const next = new Map(objects.map((o) => [keyOf(o), o]));
    for (const key of [...this.objects.keys()]) if (!next.has(key)) this.objects.delete(key);
    const added: Watched[] = [];
    for (const [key, object] of next) {
      if (this.objects.has(key)) continue;
      const w: Watched = { object, exists: 'unknown', uid: '', members: new Map(), lastSent: '' };
      this.objects.set(key, w);
      added.push(w);
    }
    this.namespaces = new Set([...this.objects.values()].map((w) => w.object.namespace));
    if (added.length > 0) {
      this.scan(added);
      void this.checkEach(added);
    }
    // A file just opened waits for nothing: its objects' states go out at once.
    this.scheduleFlush(0);
  }

  /** The connection changed: everything is read again. */
  reset(): void {
    this.asked.clear();
    for (const w of this.objects.values()) {
      w.exists = 'unknown';
      w.uid = '';
      w.lastSent = '';
    }
    this.rescan();
    void this.checkEach([...this.objects.values()]);
  }

  /** Sends every state again (a restarted server knows nothing). */
  resend(): void {
    for (const w of this.objects.values()) {
      w.lastSent = '';
      this.dirtyObjects.add(keyOf(w.object));
    }
    this.scheduleFlush();
  }

  /** Computes every state again (the window passed, or changed); only states that changed are sent. */
  refresh(): void {
    for (const w of this.objects.values()) if (w.members.size > 0) this.dirtyObjects.add(keyOf(w.object));
    this.scheduleFlush();
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
    return ns !== '' && this.namespaces.has(ns);
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
    if (this.objects.size === 0) return;
    const owners = this.options.owners();
    for (const e of change.removed) {
      for (const w of this.objects.values()) if (w.members.delete(e.uid)) this.dirtyObjects.add(keyOf(w.object));
    }
    for (const list of [change.added, change.updated]) {
      for (const e of list) {
        if (this.watchesNamespace(e.regarding.namespace)) this.learn(e, owners);
        else if (e.regarding.namespace !== '') continue;
        for (const w of this.rootsOf(e, owners)) {
          w.members.set(e.uid, e);
          this.dirtyObjects.add(keyOf(w.object));
        }
      }
    }
    if (this.dirtyObjects.size > 0) this.scheduleFlush();
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
    const previousUid = w.uid;
    w.exists = answer.exists;
    w.uid = answer.uid;
    if (previousUid === answer.uid) {
      // Nothing to redo.
    } else if (previousUid === '') {
      // The first uid: every event about the name counted so far; those about another object of that name go.
      const key = keyOf(w.object);
      for (const [uid, e] of w.members) if (e.regarding.uid && e.regarding.uid !== answer.uid && keyOf(e.regarding) === key) w.members.delete(uid);
    } else {
      // Another uid: events of the earlier object with this name no longer count, and the new one's were left out.
      // Its members are rebuilt before the next flush, together with every other object read meanwhile: one pass
      // over the store however many objects answered.
      this.rescanBeforeFlush.add(w);
    }
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

  private scheduleFlush(delayMs = this.options.batchMs): void {
    if (this.isDisposed || this.dirtyObjects.size === 0) return;
    this.flushScheduler.scheduleIfIdle(delayMs);
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
    if (this.rescanBeforeFlush.size > 0) {
      const roots = [...this.rescanBeforeFlush].filter((w) => this.objects.get(keyOf(w.object)) === w);
      this.rescanBeforeFlush.clear();
      this.scan(roots);
    }
    const now = this.options.clock.now();
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
    if (out.length > 0) this.options.sendObjects({ objects: out });
  }
}
