import type * as vscode from 'vscode';
import { StateKeys } from '../constants';
import { Emitter, type Subscribe } from '../core/emitter';
import { errorMessage } from '../core/text/errorMessage';
import type { EventStore } from '../core/events/eventStore';
import { objectKey, type KubeEvent } from '../core/events/kubeEvent';
import type { OwnerGraph } from '../core/owners/ownerGraph';
import type { Logger } from '../core/ports';
import { addRecent } from '../core/recentList';
import { countUnplaced } from '../core/owners/unplacedEvents';
import { matches, usesOwners, type SessionRanges } from '../core/query/evaluate';
import { parseQuery } from '../core/query/parse';
import { EMPTY_QUERY, type Query, type QueryError } from '../core/query/syntax';
import { DisposableOwner } from './disposable';

const HISTORY_SIZE = 20;

/**
 * The active filter, shared by the tree, the timeline and the commands. A bad query is refused with a
 * message that points at the bad term, and the current filter stays as it was. It uses only types from
 * `vscode` (the memento), so unit tests reach it.
 */
export class FilterController extends DisposableOwner {
  private current: Query = EMPTY_QUERY;
  private readonly changed: Emitter<Query>;
  readonly onDidChange: Subscribe<Query>;
  /** The last {@link ownerUnknownCount}; undefined when the store, the query or the owner graph changed since. */
  private unknownCount: number | undefined;
  /** Views other than the tree whose filters need the owner graph (see {@link setOwnerDemand}). */
  private readonly demands = new Set<string>();
  private sessions: () => SessionRanges | undefined = () => undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly store: EventStore,
    /** The owner graph of an event's cluster (`KubeEvent.cluster`); without one, the primary cluster's. */
    private readonly owners: (cluster?: string) => OwnerGraph | undefined,
    onDidChangeOwners?: Subscribe<void>,
    log?: Pick<Logger, 'error'>,
  ) {
    super();
    // A listener that throws is logged and the others still run, as with a vscode.EventEmitter.
    this.changed = this.register(new Emitter<Query>(log && ((err) => log.error(`[filter] a listener failed: ${errorMessage(err)}`))));
    this.onDidChange = this.changed.event;
    const saved = memento.get<string>(StateKeys.query, '');
    const parsed = parseQuery(saved);
    if (parsed.ok) this.current = parsed.value;
    // New events may name objects the owner graph has not seen: learn them while an `under:` filter is on.
    // Controllers' events that name their Pods are worth keeping whatever the filter: the Pods may be gone
    // by the time someone filters `under:` their Deployment.
    this.register(
      store.onDidChange((c) => {
        this.unknownCount = undefined;
        for (const e of c.added) this.owners(e.cluster)?.observe(e);
        if (!this.learning) return;
        for (const e of c.added) this.learn(e);
      }),
    );
    if (onDidChangeOwners) this.register(onDidChangeOwners(() => (this.unknownCount = undefined)));
    if (this.learning) this.learnAll();
  }

  /**
   * Where `session:` terms find the debug sessions they refer to (src/host/debug). The debug adapter is built
   * after the filter, which it drives, so it hands its ranges over here.
   */
  useSessions(ranges: () => SessionRanges | undefined): void {
    this.sessions = ranges;
  }

  /**
   * Another view (the timeline, with its own filter) needs the owner graph taught, or no longer does. The
   * graph learns while any view's filter has an `under:` term.
   */
  setOwnerDemand(view: string, needed: boolean): void {
    const before = this.learning;
    if (needed) this.demands.add(view);
    else this.demands.delete(view);
    if (!before && this.learning) this.learnAll();
  }

  /** Another view's filter text changed (the timeline's): it needs the owner graph while it has an `under:` term. */
  setViewQuery(view: string, text: string): void {
    const parsed = parseQuery(text);
    this.setOwnerDemand(view, parsed.ok && usesOwners(parsed.value));
  }

  /** Whether the filter depends on the clock (a `since:` or `until:` term): it is evaluated again as time passes. */
  get usesTime(): boolean {
    return this.current.terms.some((t) => t.key === 'since' || t.key === 'until');
  }

  /** Whether stored and new events are taught to the owner graph: some view filters `under:`. */
  private get learning(): boolean {
    return this.usesOwners || this.demands.size > 0;
  }

  get query(): Query {
    return this.current;
  }

  get history(): readonly string[] {
    return this.memento.get<string[]>(StateKeys.queryHistory, []);
  }

  get usesOwners(): boolean {
    return usesOwners(this.current);
  }

  /** The error message for a query that does not parse, or undefined. */
  validate(text: string): string | undefined {
    const parsed = parseQuery(text);
    return parsed.ok ? undefined : parsed.message;
  }

  /** Parses and applies a query; on error returns it and changes nothing. */
  set(text: string): QueryError | undefined {
    const parsed = parseQuery(text);
    if (!parsed.ok) return parsed;
    this.apply(parsed.value);
    if (!parsed.value.isEmpty) {
      void this.memento.update(StateKeys.queryHistory, addRecent(this.history, parsed.value.text, HISTORY_SIZE));
    }
    return undefined;
  }

  clear(): void {
    this.apply(EMPTY_QUERY);
  }

  /** The predicate the views use; it reads the owner graph as it learns. */
  predicate(): (e: KubeEvent) => boolean {
    const query = this.current;
    if (query.isEmpty) return () => true;
    const owners = this.owners();
    const sessions = this.sessions();
    const ownersOf = (cluster: string | undefined): OwnerGraph | undefined => this.owners(cluster);
    return (e) => matches(query, e, { now: Date.now(), owners, ownersOf, sessions });
  }

  /**
   * With an `under:` filter on: how many events the filter hides only because their owner chain cannot be
   * known (an object on it answered 404, and nothing remembered or inferred tells its owner), but which it
   * would show if their owner were the `under:` root. The views say so instead of dropping them silently. 0
   * without an `under:` filter.
   */
  get ownerUnknownCount(): number {
    this.unknownCount ??= this.countOwnerUnknown();
    return this.unknownCount;
  }

  private countOwnerUnknown(): number {
    const graph = this.owners();
    return graph ? countUnplaced(this.store.all(), this.current, graph, Date.now()) : 0;
  }

  private apply(query: Query): void {
    this.current = query;
    this.unknownCount = undefined;
    void this.memento.update(StateKeys.query, query.text);
    if (this.usesOwners) this.learnAll();
    this.changed.fire(query);
  }

  /** Teaches the owner graph every object the stored events name (known ones cost a map look-up). */
  relearn(): void {
    if (this.learning) this.learnAll();
  }

  private learnAll(): void {
    // What events say first, so an object that answers 404 below is already placed.
    for (const e of this.store.all()) this.owners(e.cluster)?.observe(e);
    const seen = new Set<string>();
    for (const e of this.store.all()) {
      const key = `${e.cluster ?? ''}\u0000${e.regarding.uid || objectKey(e.regarding)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.learn(e);
    }
  }

  private learn(e: KubeEvent): void {
    const graph = this.owners(e.cluster);
    if (!graph || !e.regarding.kind || !e.regarding.name) return;
    void graph.learn({ apiVersion: e.regarding.apiVersion, kind: e.regarding.kind, namespace: e.regarding.namespace, name: e.regarding.name, uid: e.regarding.uid || undefined });
  }
}
