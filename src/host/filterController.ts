import * as vscode from 'vscode';
import { StateKeys } from '../constants';
import type { EventStore } from '../core/eventStore';
import { objectKey, type KubeEvent } from '../core/kubeEvent';
import type { OwnerGraph } from '../core/ownerGraph';
import { EMPTY_QUERY, matches, parseQuery, usesOwners, type Query, type QueryError, type SessionRanges } from '../core/query';

const HISTORY_SIZE = 20;

/**
 * The active filter, shared by the tree, the timeline and the commands. A bad query is refused with a
 * message that points at the bad term, and the current filter stays as it was.
 */
export class FilterController implements vscode.Disposable {
  private current: Query = EMPTY_QUERY;
  private readonly changed = new vscode.EventEmitter<Query>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly memento: vscode.Memento,
    private readonly store: EventStore,
    private readonly owners: () => OwnerGraph | undefined,
    /** The debug sessions `session:` refers to (src/host/debug). */
    private readonly sessions: () => SessionRanges | undefined = () => undefined,
  ) {
    const saved = memento.get<string>(StateKeys.query, '');
    const parsed = parseQuery(saved);
    if (parsed.ok) this.current = parsed.value;
    // New events may name objects the owner graph has not seen: learn them while an `under:` filter is on.
    this.disposables.push(
      store.onDidChange((c) => {
        if (!this.usesOwners) return;
        for (const e of c.added) this.learn(e);
      }),
    );
    if (this.usesOwners) this.learnAll();
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
      const history = [parsed.value.text, ...this.history.filter((h) => h !== parsed.value.text)].slice(0, HISTORY_SIZE);
      void this.memento.update(StateKeys.queryHistory, history);
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
    return (e) => matches(query, e, { now: Date.now(), owners, sessions });
  }

  private apply(query: Query): void {
    this.current = query;
    void this.memento.update(StateKeys.query, query.text);
    if (this.usesOwners) this.learnAll();
    this.changed.fire(query);
  }

  /** Teaches the owner graph every object the stored events name (known ones cost a map look-up). */
  relearn(): void {
    if (this.usesOwners) this.learnAll();
  }

  private learnAll(): void {
    const seen = new Set<string>();
    for (const e of this.store.all()) {
      const key = e.regarding.uid || objectKey(e.regarding);
      if (seen.has(key)) continue;
      seen.add(key);
      this.learn(e);
    }
  }

  private learn(e: KubeEvent): void {
    const graph = this.owners();
    if (!graph || !e.regarding.kind || !e.regarding.name) return;
    void graph.learn({ apiVersion: e.regarding.apiVersion, kind: e.regarding.kind, namespace: e.regarding.namespace, name: e.regarding.name, uid: e.regarding.uid || undefined });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
