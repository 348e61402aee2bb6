import { oneLine, TEXT_LIMITS } from './text/boundedText';
import { isWarning, objectKey, type KubeEvent, type ObjectRef } from './events/kubeEvent';
import { formatAge } from './text/format';

/** How the tree groups events. */
export type GroupBy = 'namespace' | 'reason' | 'flat';

export const GROUP_BY_VALUES: readonly GroupBy[] = ['namespace', 'reason', 'flat'];

/** A cluster: the top level while several are watched (docs/ARCHITECTURE.md §6). */
export interface ClusterNode {
  readonly kind: 'cluster';
  readonly id: string;
  /** The cluster's name (`KubeEvent.cluster`). */
  readonly label: string;
  events: number;
  warnings: number;
}

/** A namespace (group by namespace) or a reason (group by reason). */
export interface GroupNode {
  readonly kind: 'group';
  readonly id: string;
  readonly label: string;
  readonly objects: Map<string, ObjectNode>;
  /** Its cluster, while the tree is grouped by cluster first. */
  readonly parent?: ClusterNode;
  events: number;
  warnings: number;
}

/** An involved object (`Kind/name`) and its events. */
export interface ObjectNode {
  readonly kind: 'object';
  readonly id: string;
  readonly ref: ObjectRef;
  readonly parent: GroupNode;
  readonly events: EventNodes;
  warnings: number;
  lastSeen: number;
}

/** An object's events, in the order they entered it. */
export interface EventNodes extends Iterable<EventNode> {
  readonly size: number;
  readonly first: EventNode | undefined;
}

/** One event; the node object is stable across updates of the event, so views can refresh it alone. */
export interface EventNode {
  readonly kind: 'event';
  readonly id: string;
  event: KubeEvent;
  readonly parent: ObjectNode | undefined;
}

/**
 * The model holds a node per event and per object, so they hold as little as they can: ids are spelt when a
 * view asks for them, and an object's events are a list threaded through their nodes rather than a Map each.
 */
/** A group as the model keeps it: its objects are the model's rows. */
interface Group extends GroupNode {
  readonly objects: Map<string, ObjectRow>;
  readonly parent?: ClusterRow;
}

/** A cluster as the model keeps it: its groups, or its events in the flat list. */
interface ClusterRow extends ClusterNode {
  readonly groups: Map<string, Group>;
  readonly flat: Map<string, EventRow>;
}

class ObjectRow implements ObjectNode, EventNodes {
  readonly kind = 'object';
  warnings = 0;
  lastSeen = 0;
  size = 0;
  first: EventRow | undefined = undefined;
  private last: EventRow | undefined = undefined;

  constructor(
    readonly ref: ObjectRef,
    readonly parent: Group,
  ) {}

  get id(): string {
    return `${this.parent.id}/obj:${objectKey(this.ref)}`;
  }

  get events(): EventNodes {
    return this;
  }

  add(node: EventRow): void {
    node.prev = this.last;
    node.next = undefined;
    if (this.last) this.last.next = node;
    else this.first = node;
    this.last = node;
    this.size++;
  }

  delete(node: EventRow): void {
    if (node.prev) node.prev.next = node.next;
    else this.first = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.last = node.prev;
    node.prev = node.next = undefined;
    this.size--;
  }

  *[Symbol.iterator](): Iterator<EventNode> {
    for (let node = this.first; node; node = node.next) yield node;
  }
}

class EventRow implements EventNode {
  readonly kind = 'event';
  prev: EventRow | undefined = undefined;
  next: EventRow | undefined = undefined;

  constructor(
    public event: KubeEvent,
    readonly parent: ObjectRow | undefined,
    /** Its cluster, in the flat list while the tree is grouped by cluster first. */
    readonly cluster?: ClusterRow,
  ) {}

  get id(): string {
    return this.parent ? `${this.parent.id}/event:${this.event.uid}` : `event:${this.event.uid}`;
  }
}

export type TreeNode = ClusterNode | GroupNode | ObjectNode | EventNode;

/** What a batch changed: refresh the root, or only these nodes (whose children or content changed). */
export interface TreeDelta {
  readonly root: boolean;
  readonly nodes: ReadonlySet<TreeNode>;
  /** Warnings that entered the tree (for the view badge). */
  readonly newWarnings: number;
  /** Objects a new warning arrived on in this batch: the view opens them (see {@link EventTreeModel.openings}). */
  readonly opened: ReadonlySet<ObjectNode>;
}

const byLastSeenDesc = (a: { lastSeen: number }, b: { lastSeen: number }): number => b.lastSeen - a.lastSeen;
const eventLastSeenDesc = (a: EventNode, b: EventNode): number => b.event.lastSeen - a.event.lastSeen;

/**
 * The grouping, filtering and pruning behind the Events tree, free of VS Code. It keeps stable node
 * objects and updates them in place from event changes, reporting which nodes changed so the tree view
 * refreshes only those subtrees. Group nodes sort by name; objects and events newest first.
 */
export class EventTreeModel {
  private groups = new Map<string, Group>();
  private flat = new Map<string, EventRow>();
  /** The clusters, by name, while {@link clustered}. */
  private clusterRows = new Map<string, ClusterRow>();
  /** The top level is the cluster (several are watched); the grouping goes on below it. */
  private clustered = false;
  /** Where each visible event sits, by uid. */
  private nodes = new Map<string, EventRow>();
  /**
   * How many times a new warning arrived on an object, by object node id. Kept across resets, so a filter
   * change does not count the warnings it re-inserts as new ones (nor re-open what the user closed).
   */
  private openCounts = new Map<string, number>();

  constructor(
    private groupBy: GroupBy = 'namespace',
    private filter: (e: KubeEvent) => boolean = () => true,
  ) {}

  get grouping(): GroupBy {
    return this.groupBy;
  }

  /** Whether the top level is the cluster. */
  get byCluster(): boolean {
    return this.clustered;
  }

  /** Number of events in the tree (after the filter). */
  get size(): number {
    return this.nodes.size;
  }

  /** Rebuilds everything, e.g. after the grouping or the filter changed. */
  reset(events: Iterable<KubeEvent>, groupBy: GroupBy = this.groupBy, filter: (e: KubeEvent) => boolean = this.filter, byCluster: boolean = this.clustered): void {
    this.groupBy = groupBy;
    this.filter = filter;
    this.clustered = byCluster;
    this.groups = new Map();
    this.flat = new Map();
    this.clusterRows = new Map();
    this.nodes = new Map();
    const dirty = new Set<TreeNode>();
    for (const e of events) if (this.filter(e)) this.insert(e, dirty);
    if (this.openCounts.size > 0) {
      const objects = new Set<string>();
      for (const g of this.groups.values()) for (const o of g.objects.values()) objects.add(o.id);
      for (const id of this.openCounts.keys()) if (!objects.has(id)) this.openCounts.delete(id);
    }
  }

  /**
   * Bumped each time a new warning event arrives on the object (not for repeats of one, nor for events a reset
   * re-inserts). The view folds it into the object row's id: VS Code applies a row's initial collapsible state
   * only to an id it has not seen, so a new id is how an object opens when a warning arrives on it.
   */
  openings(node: ObjectNode): number {
    return this.openCounts.size === 0 ? 0 : (this.openCounts.get(node.id) ?? 0);
  }

  /**
   * Applies what the store reports (new or updated events, and events it no longer holds) and says what
   * to refresh.
   */
  apply(upserts: Iterable<KubeEvent>, removals: Iterable<KubeEvent> = []): TreeDelta {
    const dirty = new Set<TreeNode>();
    const opened = new Set<ObjectRow>();
    let root = false;
    let newWarnings = 0;
    for (const event of removals) {
      const existing = this.nodes.get(event.uid);
      if (existing) root = this.remove(existing, dirty) || root;
    }
    for (const event of upserts) {
      const existing = this.nodes.get(event.uid);
      const visible = this.filter(event);
      if (existing && !visible) {
        root = this.remove(existing, dirty) || root;
      } else if (existing && visible) {
        // An event that turns into a warning is a new warning on its object too.
        const turned = isWarning(event) && !event.expired && !isWarning(existing.event);
        if (this.locationOf(existing.event) === this.locationOf(event)) {
          this.update(existing, event, dirty);
        } else {
          root = this.remove(existing, dirty) || root;
          root = this.insert(event, dirty) || root;
        }
        if (turned) this.markOpened(event, opened);
      } else if (visible) {
        root = this.insert(event, dirty) || root;
        if (isWarning(event) && !event.expired) {
          newWarnings++;
          this.markOpened(event, opened);
        }
      }
    }
    const alive = new Set([...dirty].filter((n) => this.contains(n)));
    const open = new Set([...opened].filter((n) => this.contains(n)));
    for (const o of open) this.openCounts.set(o.id, this.openings(o) + 1);
    return { root, nodes: root ? new Set() : alive, newWarnings, opened: open };
  }

  /** Whether the node is still part of the tree (a batch may have removed what it first touched). */
  contains(node: TreeNode): boolean {
    switch (node.kind) {
      case 'cluster':
        return this.clusterRows.get(node.label) === node;
      case 'group':
        return this.groups.get(node.id) === node;
      case 'object':
        return this.contains(node.parent) && node.parent.objects.get(objectKey(node.ref)) === node;
      case 'event':
        return this.nodes.get(node.event.uid) === node;
    }
  }

  roots(): TreeNode[] {
    if (this.clustered) return [...this.clusterRows.values()].sort((a, b) => a.label.localeCompare(b.label));
    if (this.groupBy === 'flat') return [...this.flat.values()].sort(eventLastSeenDesc);
    return [...this.groups.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  children(node: TreeNode): TreeNode[] {
    switch (node.kind) {
      case 'cluster': {
        const row = this.clusterRows.get(node.label);
        if (!row) return [];
        if (this.groupBy === 'flat') return [...row.flat.values()].sort(eventLastSeenDesc);
        return [...row.groups.values()].sort((a, b) => a.label.localeCompare(b.label));
      }
      case 'group':
        return [...node.objects.values()].sort(byLastSeenDesc);
      case 'object':
        return [...node.events].sort(eventLastSeenDesc);
      case 'event':
        return [];
    }
  }

  parent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'cluster':
        return undefined;
      case 'group':
        return node.parent;
      case 'object':
        return node.parent;
      case 'event':
        return node.parent ?? (node as EventRow).cluster;
    }
  }

  /** The node showing this event, if it passes the filter. */
  nodeForEvent(uid: string): EventNode | undefined {
    return this.nodes.get(uid);
  }

  /** Every visible event, in no particular order. */
  *events(): IterableIterator<KubeEvent> {
    for (const n of this.nodes.values()) yield n.event;
  }

  private markOpened(e: KubeEvent, into: Set<ObjectRow>): void {
    const object = this.nodes.get(e.uid)?.parent;
    if (object) into.add(object);
  }

  private groupKey(e: KubeEvent): { id: string; label: string } {
    const key = this.groupBy === 'reason' ? { id: `reason:${e.reason}`, label: e.reason || '(no reason)' } : { id: `ns:${e.namespace}`, label: e.namespace || '(cluster)' };
    // Under a cluster, a group's id names the cluster too: two clusters' `default` are two rows.
    return this.clustered ? { id: `cluster:${e.cluster ?? ''}/${key.id}`, label: key.label } : key;
  }

  private locationOf(e: KubeEvent): string {
    if (this.groupBy === 'flat') return this.clustered ? (e.cluster ?? '') : '';
    return `${this.groupKey(e).id}\u0000${objectKey(e.regarding)}`;
  }

  /** The cluster's row, made when its first event comes; `created` says so (the root changed). */
  private clusterRow(e: KubeEvent): { row: ClusterRow; created: boolean } {
    const name = e.cluster ?? '';
    const found = this.clusterRows.get(name);
    if (found) return { row: found, created: false };
    const row: ClusterRow = { kind: 'cluster', id: `cluster:${name}`, label: name, groups: new Map(), flat: new Map(), events: 0, warnings: 0 };
    this.clusterRows.set(name, row);
    return { row, created: true };
  }

  /** Returns true when the root's children changed. */
  private insert(e: KubeEvent, dirty: Set<TreeNode>): boolean {
    const cluster = this.clustered ? this.clusterRow(e) : undefined;
    if (cluster) {
      cluster.row.events++;
      if (isWarning(e)) cluster.row.warnings++;
      dirty.add(cluster.row);
    }
    if (this.groupBy === 'flat') {
      const node = new EventRow(e, undefined, cluster?.row);
      if (cluster) cluster.row.flat.set(e.uid, node);
      else this.flat.set(e.uid, node);
      this.nodes.set(e.uid, node);
      return cluster ? cluster.created : true;
    }
    const { id, label } = this.groupKey(e);
    let rootChanged = cluster?.created ?? false;
    let group = this.groups.get(id);
    if (!group) {
      group = { kind: 'group', id, label, objects: new Map(), events: 0, warnings: 0, ...(cluster ? { parent: cluster.row } : {}) };
      this.groups.set(id, group);
      cluster?.row.groups.set(id, group);
      // Under a cluster a new group changes that cluster's children, not the root's.
      if (!cluster) rootChanged = true;
    }
    const okey = objectKey(e.regarding);
    let object = group.objects.get(okey);
    if (!object) {
      object = new ObjectRow(e.regarding, group);
      group.objects.set(okey, object);
    }
    const node = new EventRow(e, object);
    object.add(node);
    this.nodes.set(e.uid, node);
    this.account(object, e, +1);
    dirty.add(group);
    dirty.add(object);
    return rootChanged;
  }

  private update(node: EventRow, e: KubeEvent, dirty: Set<TreeNode>): void {
    const old = node.event;
    node.event = e;
    const cluster = node.parent?.parent.parent ?? node.cluster;
    if (cluster) {
      cluster.warnings += (isWarning(e) ? 1 : 0) - (isWarning(old) ? 1 : 0);
      dirty.add(cluster);
    }
    const object = node.parent;
    if (object) {
      const w = (isWarning(e) ? 1 : 0) - (isWarning(old) ? 1 : 0);
      object.warnings += w;
      object.parent.warnings += w;
      // Repeats move lastSeen forward: only a step back needs a scan of the object's events.
      if (e.lastSeen >= old.lastSeen) object.lastSeen = Math.max(object.lastSeen, e.lastSeen);
      else {
        object.lastSeen = 0;
        for (const n of object) object.lastSeen = Math.max(object.lastSeen, n.event.lastSeen);
      }
      // The object's position among its siblings may change with lastSeen: refresh its group too.
      dirty.add(object.parent);
      dirty.add(object);
    }
    dirty.add(node);
  }

  /** Returns true when the root's children changed. */
  private remove(node: EventRow, dirty: Set<TreeNode>): boolean {
    this.nodes.delete(node.event.uid);
    const cluster = node.parent?.parent.parent ?? node.cluster;
    let clusterGone = false;
    if (cluster) {
      cluster.events--;
      if (isWarning(node.event)) cluster.warnings--;
      dirty.add(cluster);
      cluster.flat.delete(node.event.uid);
      if (cluster.events === 0) {
        this.clusterRows.delete(cluster.label);
        clusterGone = true;
      }
    }
    if (!node.parent) {
      if (!cluster) this.flat.delete(node.event.uid);
      return cluster ? clusterGone : true;
    }
    const object = node.parent;
    const group = object.parent;
    object.delete(node);
    this.account(object, node.event, -1);
    dirty.add(object);
    dirty.add(group);
    if (object.size === 0) {
      group.objects.delete(objectKey(object.ref));
      if (this.openCounts.size > 0) this.openCounts.delete(object.id);
    }
    if (group.objects.size === 0) {
      this.groups.delete(group.id);
      cluster?.groups.delete(group.id);
      return cluster ? clusterGone : true;
    }
    return clusterGone;
  }

  /** Keeps counters and last-seen of an object and its group in step with its events. */
  private account(object: ObjectRow, e: KubeEvent, sign: 1 | -1): void {
    const w = isWarning(e) ? sign : 0;
    object.warnings += w;
    object.parent.warnings += w;
    object.parent.events += sign;
    if (sign > 0) {
      object.lastSeen = Math.max(object.lastSeen, e.lastSeen);
    } else if (e.lastSeen >= object.lastSeen) {
      object.lastSeen = 0;
      for (const n of object) if (n.event !== e) object.lastSeen = Math.max(object.lastSeen, n.event.lastSeen);
    }
  }
}

/**
 * Where a separator row for a moment `at` (a debug session's start) goes among the root rows: in the flat list
 * (newest first) above the first event last seen before it; when grouped (groups have no time), first.
 */
export function separatorIndex(roots: readonly TreeNode[], at: number, groupBy: GroupBy): number {
  if (groupBy !== 'flat') return 0;
  const i = roots.findIndex((n) => n.kind === 'event' && n.event.lastSeen < at);
  return i < 0 ? roots.length : i;
}

/** Whether any of the events was last seen within `start`..`end` (stops at the first). */
export function anyWithin(events: Iterable<KubeEvent>, start: number, end: number): boolean {
  for (const e of events) if (e.lastSeen >= start && e.lastSeen <= end) return true;
  return false;
}

/** `×count · age · message`, the description of an event row. */
export function eventDescription(e: KubeEvent, now: number): string {
  const parts = [e.count > 1 ? `×${e.count}` : '', formatAge(now - e.lastSeen), oneLine(e.message, TEXT_LIMITS.treeRow)];
  return parts.filter(Boolean).join(' · ');
}

