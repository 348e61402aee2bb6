/**
 * Who owns what, learnt lazily from the objects events name: GET each object once (through an
 * {@link OwnerResolver}), follow its ownerReferences up to the root, cache the answers. `under:` queries ask
 * {@link OwnerGraph.isUnder} synchronously and re-evaluate when {@link OwnerGraph.onDidLearn} fires.
 *
 * The chain outlives its objects: links are remembered across reloads through an {@link OwnerMemory}, and
 * for objects that answer 404 the graph falls back on what events say (see ownerInference.ts). Where neither
 * tells, {@link OwnerGraph.ownerUnknown} says so, so a view can report the events it cannot place.
 */
import { BoundedQueue } from '../boundedQueue';
import { Emitter, type Subscribe } from '../emitter';
import { objectKeyIgnoringKindCase, type KubeEvent, type ObjectKeyWith, type ObjectSelector } from '../events/kubeEvent';
import { OldestFirst } from '../oldestFirst';
import { linkFromEvent, replicaSetOfPodName } from './ownerInference';
import type { OwnerMemory, OwnerRecord } from './ownerMemory';
import { silentLogger, systemClock, type Clock, type Disposable, type Logger } from '../ports';
import type { Result } from '../result';
import { errorMessage } from '../text/errorMessage';

/** An entry of `metadata.ownerReferences`, as the apiserver returns it. */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
}

/** What the resolver found about one object. */
export interface OwnerInfo {
  readonly uid: string;
  readonly ownerReferences: readonly OwnerReference[];
  /**
   * The object's own `metadata.namespace` when the resolver knows it. An owner is requested with the namespace
   * of the object it owns; a cluster-scoped owner answers ''. Omitted: the requested namespace is kept.
   */
  readonly namespace?: string;
}

/**
 * Why an object could not be read: `not-found` (404), `forbidden` (403), `unknown-kind` (discovery does not
 * know the kind) are cached for `negativeTtlMs`; `unavailable` (network, 5xx, timeouts) for `errorTtlMs`.
 */
export type OwnerResolveReason = 'not-found' | 'forbidden' | 'unknown-kind' | 'unavailable';

/**
 * Port: reads one object's uid and ownerReferences (the object the graph asks for: `namespace` '' when it is
 * cluster-scoped, `uid` when known). Implemented in src/kube with discovery and a GET; tests pass a fake.
 * Expected failures are Results; a throw is treated as `unavailable`.
 */
export interface OwnerResolver {
  getOwners(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>>;
}

/**
 * An object the graph knows the owners of: what it remembers of it ({@link OwnerRecord}) and whether this session
 * has read it. Immutable; a re-read replaces it.
 */
export interface OwnerNode extends OwnerRecord {
  /**
   * Read from the cluster in this session. A remembered or inferred node is used until a GET answers; the
   * graph still asks once, and a successful read replaces it.
   */
  readonly fresh: boolean;
}

/** The synchronous read side of the graph, which the query evaluator uses for `under:`. */
export interface OwnerLookup {
  /**
   * True when `ref` (typically an event's involved object) is `root`, or `root` is among its owners, transitively,
   * as far as learnt so far. An ancestry not learnt yet answers false. `root` is an `under:` term's object: kinds
   * compare case-insensitively, names exactly.
   */
  isUnder(ref: ObjectKeyWith<never, 'uid'>, root: ObjectSelector): boolean;
}

/** Tuning; the defaults suit one cluster in one editor window. */
export interface OwnerGraphOptions {
  readonly clock?: Clock;
  /** Failed reads go here at debug level; pass one made by `tagged(logger, 'owners')`. */
  readonly logger?: Logger;
  /** Owner levels followed above the object (default 10). */
  readonly maxDepth?: number;
  /** Resolver calls in flight at once (default 4). */
  readonly concurrency?: number;
  /** How long not-found / forbidden / unknown-kind answers are kept (default 60 s). */
  readonly negativeTtlMs?: number;
  /** How long `unavailable` answers are kept (default 10 s). */
  readonly errorTtlMs?: number;
  /** Objects kept; the oldest learnt are forgotten first (default 10,000). */
  readonly maxObjects?: number;
  /** Where learnt links are kept across reloads; loaded before the first learn() reads anything. */
  readonly memory?: OwnerMemory;
  /** Objects with owners handed to `memory` at most; the most recently learnt are kept (default 5,000). */
  readonly maxRemembered?: number;
}

const LASTING_FAILURES: ReadonlySet<OwnerResolveReason> = new Set(['not-found', 'forbidden', 'unknown-kind']);

const keyOf = objectKeyIgnoringKindCase;

function rootMatches(kind: string, namespace: string, name: string, root: ObjectSelector): boolean {
  return name === root.name && (root.namespace === undefined || root.namespace === namespace) && kind.toLowerCase() === root.kind.toLowerCase();
}

/**
 * The owner graph, learnt lazily. Objects are cached by uid and by (kind, namespace, name); a uid that differs
 * from the cached one (the object was re-created) is read again. Concurrent reads of one object share one
 * resolver call; at most `concurrency` calls run at once; failures are cached for a while; cycles and depth
 * beyond `maxDepth` stop the ascent.
 */
export class OwnerGraph implements OwnerLookup, Disposable {
  private readonly byKey = new Map<string, OwnerNode>();
  private readonly byUid = new Map<string, OwnerNode>();
  /** Each remembering map's eviction cursor (src/core/oldestFirst.ts). */
  private readonly oldest = new Map<Map<string, unknown>, OldestFirst<string>>();
  /** key → epoch ms until which the object is not asked for again. */
  private readonly negative = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<OwnerNode | undefined>>();
  private readonly limiter: BoundedQueue;
  private readonly learned: Emitter<OwnerNode>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxDepth: number;
  private readonly negativeTtlMs: number;
  private readonly errorTtlMs: number;
  private readonly maxObjects: number;
  private readonly maxRemembered: number;
  private readonly memory: OwnerMemory | undefined;
  /** Keys of objects that answered 404 (most recent last): candidates for inference, and for ownerUnknown(). */
  private readonly gone = new Map<string, ObjectKeyWith<'apiVersion', 'uid'>>();
  private readonly missed: Emitter<ObjectKeyWith<'apiVersion', 'uid'>>;
  /** Settles when the remembered links are in the graph (at once without a memory). */
  private readonly ready: Promise<void>;
  private loaded = false;
  /** Links learnt since the last save. */
  private dirty = false;
  /** Bumped by clear() and dispose(): answers to older requests are dropped. */
  private generation = 0;
  private disposed = false;

  /**
   * Fires once for every object read (or re-read), inferred or remembered, after it is in the graph: views
   * re-filter `under:`.
   */
  readonly onDidLearn: Subscribe<OwnerNode>;
  /**
   * Fires when an object answered 404 and nothing tells its owner: a view's count of events it cannot place
   * changed.
   */
  readonly onDidMiss: Subscribe<ObjectKeyWith<'apiVersion', 'uid'>>;

  constructor(
    private readonly resolver: OwnerResolver,
    options: OwnerGraphOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.maxDepth = options.maxDepth ?? 10;
    this.negativeTtlMs = options.negativeTtlMs ?? 60_000;
    this.errorTtlMs = options.errorTtlMs ?? 10_000;
    this.maxObjects = Math.max(1, options.maxObjects ?? 10_000);
    this.limiter = new BoundedQueue({ concurrency: options.concurrency ?? 4 });
    this.learned = new Emitter<OwnerNode>((error) => this.log.error(`onDidLearn listener failed: ${String(error)}`));
    this.onDidLearn = this.learned.event;
    this.missed = new Emitter<ObjectKeyWith<'apiVersion', 'uid'>>((error) => this.log.error(`onDidMiss listener failed: ${String(error)}`));
    this.onDidMiss = this.missed.event;
    this.maxRemembered = Math.max(0, options.maxRemembered ?? 5_000);
    this.memory = options.memory;
    this.ready = this.memory ? this.load(this.memory) : Promise.resolve();
    if (!this.memory) this.loaded = true;
  }


  /** Objects currently cached. */
  get size(): number {
    return new Set([...this.byKey.values(), ...this.byUid.values()]).size;
  }

  /**
   * Reads `ref` if unseen, then its owners, up to the root or `maxDepth` levels. Resolves when the ascent is
   * done; never rejects. Calling it for every event is cheap: known objects cost map look-ups only.
   */
  async learn(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<void> {
    if (this.disposed || !ref.kind || !ref.name) return;
    await this.ready;
    if (this.disposed) return;
    const visited = new Set<string>([ref.uid || keyOf(ref)]);
    const node = await this.fetch(ref);
    if (!node) return;
    visited.add(keyOf(node));
    if (node.uid) visited.add(node.uid);
    await this.ascend(node, 0, visited);
  }

  /** The cached object, by uid when given and known, else by kind, namespace and name. */
  lookup(ref: ObjectKeyWith<never, 'uid'>): OwnerNode | undefined {
    if (ref.uid) {
      const byUid = this.byUid.get(ref.uid);
      if (byUid) return byUid;
    }
    const node = this.byKey.get(keyOf(ref));
    // Same name, other uid: the object was deleted and re-created; what we know is about the old one.
    if (node && ref.uid && node.uid && node.uid !== ref.uid) return undefined;
    return node;
  }

  isUnder(ref: ObjectKeyWith<never, 'uid'>, root: ObjectSelector): boolean {
    if (rootMatches(ref.kind, ref.namespace, ref.name, root)) return true;
    let found = false;
    this.walk(ref, (owner) => {
      if (rootMatches(owner.kind, owner.namespace, owner.name, root)) found = true;
      return found;
    });
    return found;
  }

  /**
   * The known ancestors of `ref`, nearest first (controllers before other owners at each level), each once.
   * Includes owners named by ownerReferences but not read yet (their namespace is then assumed to be the
   * owned object's).
   */
  ancestors(ref: ObjectKeyWith<never, 'uid'>): readonly ObjectKeyWith<'apiVersion', 'uid'>[] {
    const out: ObjectKeyWith<'apiVersion', 'uid'>[] = [];
    this.walk(ref, (owner) => {
      out.push(owner);
      return false;
    });
    return out;
  }

  /**
   * Learns what a controller's SuccessfulCreate / SuccessfulDelete event says about the object it names
   * (see ownerInference.ts). Never overrides what a GET of that object answered. Cheap for other events.
   */
  observe(e: KubeEvent): void {
    if (this.disposed) return;
    const link = linkFromEvent(e);
    if (!link) return;
    const key = keyOf(link.child);
    const known = this.byKey.get(key);
    if (known && (known.source === 'read' || known.fresh)) return;
    if (known && known.ownerReferences.some((o) => o.uid === link.owner.uid && o.kind === link.owner.kind)) return;
    this.put(Object.freeze({ ...link.child, uid: known?.uid ?? '', ownerReferences: Object.freeze([Object.freeze(link.owner)]), source: 'event', fresh: false }));
  }

  /**
   * True when the ancestry of `ref` is broken by an object that answered 404 and whose owners nothing tells
   * (not remembered, no event names it, no known ReplicaSet in its name): `under:` cannot place `ref`.
   * False while objects are still being read, and for objects known to have no owners.
   */
  ownerUnknown(ref: ObjectKeyWith<never, 'uid'>): boolean {
    const missing = (r: ObjectKeyWith<never, 'uid'>): boolean =>
      this.gone.has(keyOf(r)) && !this.lookup(r);
    if (missing(ref)) return true;
    let broken = false;
    this.walk(ref, (owner) => (broken = missing(owner)));
    return broken;
  }

  /**
   * Hands the links learnt so far to the memory (objects with owners, most recently learnt last, at most
   * `maxRemembered`). Does nothing without a memory, before the remembered links are loaded (so a save never
   * drops them), or when nothing changed since the last save. Never rejects.
   */
  async flush(): Promise<void> {
    if (!this.memory || !this.loaded || !this.dirty) return;
    this.dirty = false;
    const records = this.records();
    try {
      await this.memory.save(records);
    } catch (error) {
      this.log.warn(`could not save ${records.length} owner links: ${errorMessage(error)}`);
    }
  }

  /** The links worth remembering: objects with owners, oldest learnt first, the newest `maxRemembered`. */
  records(): OwnerRecord[] {
    const seen = new Set<OwnerNode>();
    const out: OwnerRecord[] = [];
    for (const node of this.byKey.values()) {
      if (seen.has(node) || node.ownerReferences.length === 0) continue;
      seen.add(node);
      out.push({
        apiVersion: node.apiVersion,
        kind: node.kind,
        namespace: node.namespace,
        name: node.name,
        uid: node.uid,
        ownerReferences: node.ownerReferences,
        source: node.source,
      });
    }
    return out.slice(Math.max(0, out.length - this.maxRemembered));
  }

  /** Forgets everything (a context switch); answers to requests still in flight are dropped. */
  clear(): void {
    this.generation++;
    this.byKey.clear();
    this.byUid.clear();
    this.negative.clear();
    this.inFlight.clear();
    this.gone.clear();
  }

  /** Call flush() first to keep what was learnt since the last save. */
  dispose(): void {
    this.disposed = true;
    this.clear();
    this.learned.dispose();
    this.missed.dispose();
  }

  private async load(memory: OwnerMemory): Promise<void> {
    const generation = this.generation;
    let records: readonly OwnerRecord[] = [];
    try {
      records = await memory.load();
    } catch (error) {
      this.log.warn(`could not load remembered owner links: ${errorMessage(error)}`);
    }
    if (generation !== this.generation || this.disposed) return;
    // Oldest first, so the newest stay when there are more than maxObjects; a read in this session wins.
    for (const r of records) {
      const known = this.byKey.get(keyOf(r));
      if (known) continue;
      this.put(
        Object.freeze({
          apiVersion: r.apiVersion,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          uid: r.uid,
          ownerReferences: Object.freeze(r.ownerReferences.map((o) => Object.freeze({ ...o }))),
          source: r.source,
          fresh: false,
        }),
        false,
      );
    }
    this.loaded = true;
    this.log.debug(`loaded ${records.length} remembered owner links`);
  }

  /** Adds a node under its key and uid, and tells listeners. `dirty`: it is news worth saving. */
  private put(node: OwnerNode, dirty = true): void {
    this.remember(this.byKey, keyOf(node), node);
    if (node.uid) this.remember(this.byUid, node.uid, node);
    if (dirty && node.ownerReferences.length > 0) this.dirty = true;
    this.learned.fire(node);
  }

  /**
   * A Pod that answered 404 and whose owners nothing else tells: its generated name names its ReplicaSet,
   * which is used only when a ReplicaSet of exactly that name is known in the Pod's namespace (see
   * replicaSetOfPodName for why the name alone would not do).
   */
  private inferFromName(ref: ObjectKeyWith<'apiVersion', 'uid'>): OwnerNode | undefined {
    if (ref.kind !== 'Pod' || this.lookup(ref)) return undefined;
    const rsName = replicaSetOfPodName(ref.name);
    if (!rsName) return undefined;
    const rs = this.byKey.get(keyOf({ kind: 'ReplicaSet', namespace: ref.namespace, name: rsName }));
    if (!rs || rs.kind !== 'ReplicaSet' || !rs.uid) return undefined;
    const node: OwnerNode = Object.freeze({
      apiVersion: ref.apiVersion || 'v1',
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      uid: ref.uid ?? '',
      ownerReferences: Object.freeze([Object.freeze({ apiVersion: rs.apiVersion, kind: 'ReplicaSet', name: rs.name, uid: rs.uid, controller: true })]),
      source: 'name' as const,
      fresh: false,
    });
    this.put(node);
    return node;
  }

  /** Records a 404; infers what it can, else tells listeners that an owner is unknown. */
  private markGone(ref: ObjectKeyWith<'apiVersion', 'uid'>, key: string): OwnerNode | undefined {
    this.remember(this.gone, key, ref);
    const known = this.lookup(ref) ?? this.inferFromName(ref);
    if (!known) this.missed.fire(ref);
    return known;
  }

  /** A ReplicaSet just became known: Pods that answered 404 earlier may carry its name. */
  private inferGonePods(rs: OwnerNode): void {
    if (rs.kind !== 'ReplicaSet' || !rs.uid) return;
    for (const ref of [...this.gone.values()]) {
      if (ref.kind === 'Pod' && ref.namespace === rs.namespace && replicaSetOfPodName(ref.name) === rs.name) this.inferFromName(ref);
    }
  }

  /**
   * Breadth-first over known ownerReferences, bounded by `maxDepth` levels and a visited set (cycles).
   * `visit` returns true to stop.
   */
  private walk(ref: ObjectKeyWith<never, 'uid'>, visit: (owner: ObjectKeyWith<'apiVersion', 'uid'>) => boolean): void {
    const start = this.lookup(ref);
    if (!start) return;
    const seen = new Set<string>([start.uid || keyOf(start)]);
    let level: OwnerNode[] = [start];
    for (let depth = 0; depth < this.maxDepth && level.length > 0; depth++) {
      const next: OwnerNode[] = [];
      for (const node of level) {
        for (const o of controllersFirst(node.ownerReferences)) {
          const ownerRef = this.ownerRefOf(node, o);
          const id = o.uid || keyOf(ownerRef);
          if (seen.has(id)) continue;
          seen.add(id);
          if (visit(ownerRef)) return;
          const owner = this.lookup(ownerRef);
          if (owner) next.push(owner);
        }
      }
      level = next;
    }
  }

  /** The reference to GET for an owner: the owned object's namespace, or the owner's own once known. */
  private ownerRefOf(node: OwnerNode, o: OwnerReference): ObjectKeyWith<'apiVersion', 'uid'> {
    const known = o.uid ? this.byUid.get(o.uid) : undefined;
    return { apiVersion: o.apiVersion, kind: o.kind, namespace: known ? known.namespace : node.namespace, name: o.name, uid: o.uid || undefined };
  }

  private async ascend(node: OwnerNode, depth: number, visited: Set<string>): Promise<void> {
    if (depth >= this.maxDepth) return;
    await Promise.all(
      node.ownerReferences.map(async (o) => {
        const ref = this.ownerRefOf(node, o);
        const id = o.uid || keyOf(ref);
        if (visited.has(id)) return;
        visited.add(id);
        const owner = await this.fetch(ref);
        if (owner && !this.disposed) await this.ascend(owner, depth + 1, visited);
      }),
    );
  }

  /**
   * The cached node, or one resolver call shared by everyone asking for the same object meanwhile. Only the
   * read is shared, never an ascent, so learners of a cycle cannot wait on each other.
   */
  private fetch(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<OwnerNode | undefined> {
    const known = this.lookup(ref);
    if (known?.fresh) {
      // Used again: an owner shared by many objects stays among the newest, so bounds forget it last.
      this.remember(this.byKey, keyOf(known), known);
      return Promise.resolve(known);
    }
    const key = keyOf(ref);
    const until = this.negative.get(key);
    if (until !== undefined) {
      if (until > this.clock.now()) return Promise.resolve(known);
      this.negative.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const request = this.limiter
      .run(() => this.resolve(ref))
      .then((result) => {
        if (generation !== this.generation) return undefined;
        if (!result.ok) {
          const ttl = LASTING_FAILURES.has(result.reason) ? this.negativeTtlMs : this.errorTtlMs;
          this.remember(this.negative, key, this.clock.now() + ttl);
          this.log.debug(`${ref.kind}/${ref.namespace}/${ref.name}: ${result.reason}: ${result.message}`);
          // Gone: what was remembered or inferred about it is all there will be.
          if (result.reason === 'not-found') return this.markGone(ref, key);
          return this.lookup(ref);
        }
        this.gone.delete(key);
        return this.store(ref, key, result.value);
      })
      .finally(() => {
        if (this.inFlight.get(key) === request) this.inFlight.delete(key);
      });
    this.inFlight.set(key, request);
    return request;
  }

  private async resolve(ref: ObjectKeyWith<'apiVersion', 'uid'>): Promise<Result<OwnerInfo, OwnerResolveReason>> {
    try {
      return await this.resolver.getOwners(ref);
    } catch (error) {
      return { ok: false, reason: 'unavailable', message: errorMessage(error) };
    }
  }

  private store(ref: ObjectKeyWith<'apiVersion', 'uid'>, requestedKey: string, info: OwnerInfo): OwnerNode {
    const ownerReferences = Object.freeze(
      (info.ownerReferences ?? [])
        .filter((o) => o && typeof o.kind === 'string' && o.kind !== '' && typeof o.name === 'string' && o.name !== '')
        .map((o) => Object.freeze({ ...o })),
    );
    const node: OwnerNode = Object.freeze({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      namespace: info.namespace ?? ref.namespace,
      name: ref.name,
      uid: info.uid || ref.uid || '',
      ownerReferences,
      source: 'read',
      fresh: true,
    });
    const key = keyOf(node);
    // A cluster-scoped owner asked for under its dependant's namespace: answer that key too.
    if (requestedKey !== key) this.remember(this.byKey, requestedKey, node);
    this.put(node);
    this.inferGonePods(node);
    return node;
  }

  /** Map insertion order is learning order: past `maxObjects`, the oldest entry goes. */
  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.maxObjects) {
      let cursor = this.oldest.get(map);
      if (!cursor) this.oldest.set(map, (cursor = new OldestFirst(map)));
      const oldest = cursor.next();
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}

function controllersFirst(refs: readonly OwnerReference[]): readonly OwnerReference[] {
  return refs.some((r) => r.controller) ? [...refs.filter((r) => r.controller), ...refs.filter((r) => !r.controller)] : refs;
}
