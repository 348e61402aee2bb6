import * as vscode from 'vscode';
import { Commands, Views } from '../../constants';
import type { EventStore, StoreChange } from '../../core/events/eventStore';
import { deletionNote } from '../../core/events/eventDeletion';
import { formatAge } from '../../core/text/format';
import { anyWithin, EventTreeModel, eventDescription, separatorIndex, type GroupBy, type TreeNode } from '../../core/eventTreeModel';
import { bounded, oneLine, TEXT_LIMITS } from '../../core/text/boundedText';
import { isWarning, objectLabel, RECORDER_OF, sourceLabel, writtenThrough, type KubeEvent } from '../../core/events/kubeEvent';
import { DisposableOwner } from '../disposable';
import { RunOnceScheduler } from '../../core/lifecycle';

/** Rows beyond this many under one parent are summarised by a "more" row (the timeline shows them all). */
const MAX_CHILDREN = 500;
/**
 * VS Code lists the children of every open row and keeps a copy of each row it lists (its TreeItem, the item it
 * sends the workbench, a node): groups start open while the tree has at most this many object rows, and closed
 * beyond it, so a large tree costs the extension host its groups until the user opens one.
 */
const OPEN_GROUPS_MAX_OBJECTS = 1_000;
/**
 * Groups that started closed start open again once the tree is down to this many object rows; not at
 * {@link OPEN_GROUPS_MAX_OBJECTS}, or a tree at the boundary would close and open its groups with every batch.
 */
const REOPEN_GROUPS_OBJECTS = 500;
/** At most one refresh per this many ms under load (≤ 5 refreshes a second). */
const REFRESH_INTERVAL_MS = 200;
/**
 * Every age on screen is computed from one clock reading, taken at the last full refresh; once that reading is
 * this old, the visible tree is refreshed as a whole, so no age shown is more than this many ms off.
 */
const AGE_STALE_MS = 3_000;

/** A row that stands for the children that were not shown. */
interface MoreNode {
  readonly kind: 'more';
  readonly hidden: number;
}

/** A row that marks a moment rather than an event: a debug session's start (src/host/debug). */
export interface SeparatorNode {
  readonly kind: 'separator';
  readonly id: string;
  /** When it happened: the flat list places the row by it. */
  readonly at: number;
  /**
   * When what it marks ended (a session's end). Once ended, the row shows only while an event of its range is
   * in the tree: it marks where those events begin, and says nothing over a filter that shows none of them.
   */
  readonly end?: number;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /** Run when the row is clicked. */
  readonly command?: string;
}

export type Row = TreeNode | MoreNode | SeparatorNode;

/** A plain projection of the tree for tests and diagnostics. */
export interface RowSnapshot {
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  /** What a screen reader says for the row. */
  readonly accessibility: string;
  readonly children: RowSnapshot[];
}

/**
 * Maps the pure {@link EventTreeModel} onto a VS Code TreeView: store changes are batched into at most one
 * refresh per 200 ms, limited to the subtrees that changed; the badge counts warnings that arrived while
 * the view was hidden.
 */
export class EventTreeProvider extends DisposableOwner implements vscode.TreeDataProvider<Row> {
  readonly model: EventTreeModel;
  readonly view: vscode.TreeView<Row>;
  private readonly changed = this.register(new vscode.EventEmitter<Row | Row[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refreshed = this.register(new vscode.EventEmitter<void>());
  /** Fires after the model changed and the view was told: counts read now are current. */
  readonly onDidRefresh = this.refreshed.event;
  private readonly itemRequested = this.register(new vscode.EventEmitter<Row>());
  /** Fires for each row VS Code asks the item of (it keeps a copy of every row it lists): for the tests. */
  readonly onDidRequestItem = this.itemRequested.event;
  private pendingUpserts = new Map<string, KubeEvent>();
  private pendingRemovals = new Map<string, KubeEvent>();
  private readonly flushScheduler = this.register(new RunOnceScheduler(() => this.flush(), REFRESH_INTERVAL_MS));
  private lastRefresh = 0;
  private unseenWarnings = 0;
  private refreshes = 0;
  private readonly now: () => number;
  /** The one moment every age in the tree is computed from (see {@link AGE_STALE_MS}). */
  private agesFrom: number;
  /** Rows VS Code has asked for since the last full refresh: only those can be refreshed on their own. */
  private rendered = new WeakSet<Row>();
  private separator: SeparatorNode | undefined;
  /** The groups start closed (see {@link OPEN_GROUPS_MAX_OBJECTS}); decided when VS Code lists the root rows. */
  private groupsClosed = false;

  constructor(
    private readonly store: EventStore,
    groupBy: GroupBy,
    private filter: (e: KubeEvent) => boolean,
    private readonly timeDependent: () => boolean = () => false,
    now: () => number = Date.now,
  ) {
    super();
    this.now = now;
    this.agesFrom = now();
    this.model = new EventTreeModel(groupBy, filter);
    this.model.reset(store.all(), groupBy, filter);
    this.view = vscode.window.createTreeView(Views.events, { treeDataProvider: this, showCollapseAll: true });
    this.register(
      this.view,
      store.onDidChange((c) => this.onStoreChange(c)),
      this.view.onDidChangeVisibility((e) => {
        if (!e.visible) return;
        this.clearBadge();
        if (this.now() - this.agesFrom >= AGE_STALE_MS) this.fire(undefined);
      }),
    );
    const ages = setInterval(() => {
      // A hidden view costs nothing: it is refreshed as a whole when it is shown, with a fresh reading.
      if (!this.view.visible || this.now() - this.agesFrom < AGE_STALE_MS) return;
      // A `since:` filter depends on the clock: re-evaluate it, not only the ages in the descriptions.
      if (this.timeDependent()) this.reset();
      else this.fire(undefined);
    }, AGE_STALE_MS / 3);
    this.register({ dispose: () => clearInterval(ages) });
  }

  /** Tree refreshes fired so far (for the benchmark and diagnostics). */
  get refreshCount(): number {
    return this.refreshes;
  }

  /** Rebuilds the tree with another grouping or filter. */
  reset(groupBy: GroupBy = this.model.grouping, filter: (e: KubeEvent) => boolean = this.filter): void {
    this.filter = filter;
    this.pendingUpserts.clear();
    this.pendingRemovals.clear();
    this.model.reset(this.store.all(), groupBy, filter);
    this.fire(undefined);
    this.refreshed.fire();
  }

  /** Puts the clusters at the top level (several are watched) or not (docs/ARCHITECTURE.md §6). */
  setClustered(byCluster: boolean): void {
    if (this.model.byCluster === byCluster) return;
    this.pendingUpserts.clear();
    this.pendingRemovals.clear();
    this.model.reset(this.store.all(), this.model.grouping, this.filter, byCluster);
    this.fire(undefined);
    this.refreshed.fire();
  }

  /** Shows (or removes) the separator row among the root rows. */
  setSeparator(separator: SeparatorNode | undefined): void {
    const a = this.separator;
    if (a === separator || (a && separator && a.id === separator.id && a.label === separator.label && a.description === separator.description && a.at === separator.at && a.end === separator.end)) return;
    this.separator = separator;
    this.fire(undefined);
  }

  /** Set after every flush: only a changed text goes to the workbench. */
  set message(text: string | undefined) {
    if (this.view.message !== text) this.view.message = text;
  }

  /**
   * The row of a stored event, for the commands that act on rows: its node when the tree shows it, else a row of
   * its own (the timeline shows events the tree's filter hides). Undefined when the store no longer holds it.
   */
  rowForEvent(uid: string): Row | undefined {
    const event = this.store.get(uid);
    if (!event) return undefined;
    return this.model.nodeForEvent(uid) ?? { kind: 'event', id: uid, event, parent: undefined };
  }

  /** Selects the event's row; false when it is filtered out or beyond the rows the tree lists. */
  async reveal(uid: string, focus = true): Promise<boolean> {
    this.flush();
    const node = this.model.nodeForEvent(uid);
    if (!node) return false;
    try {
      await this.view.reveal(node, { select: true, focus, expand: true });
      return true;
    } catch {
      // The row sits beyond MAX_CHILDREN (under "… N more"): VS Code cannot resolve it.
      return false;
    }
  }

  getTreeItem(row: Row): vscode.TreeItem {
    this.rendered.add(row);
    this.itemRequested.fire(row);
    return this.treeItem(row);
  }

  private treeItem(row: Row): vscode.TreeItem {
    if (row.kind === 'separator') {
      const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
      item.id = row.id;
      item.description = row.description;
      item.tooltip = row.tooltip;
      item.iconPath = themeIcon('debug-alt', 'debugIcon.startForeground');
      item.contextValue = 'separator debugSession';
      item.accessibilityInformation = { label: `${row.label}, ${row.description}` };
      if (row.command) item.command = { command: row.command, title: 'Show Events of the Debug Session' };
      return item;
    }
    if (row.kind === 'more') {
      const item = new vscode.TreeItem(`… ${row.hidden} more`, vscode.TreeItemCollapsibleState.None);
      item.tooltip = 'Only the newest rows are listed here. Open the timeline to see all of them, or narrow the filter.';
      item.command = { command: Commands.openTimeline, title: 'Open Timeline' };
      return item;
    }
    switch (row.kind) {
      case 'cluster': {
        const item = new vscode.TreeItem(row.label || '(no cluster)', vscode.TreeItemCollapsibleState.Expanded);
        item.id = row.id;
        item.description = `${row.events} event${row.events === 1 ? '' : 's'}${row.warnings ? ` · ${row.warnings} warning${row.warnings === 1 ? '' : 's'}` : ''}`;
        item.iconPath = themeIcon('server-environment');
        item.contextValue = 'cluster';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(row.label, this.groupsClosed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
        // VS Code applies a row's state only to an id it has not seen: the id says how the group starts, so the
        // groups close when the tree grows large and open again when it shrinks; in between the user's choice holds.
        item.id = this.groupsClosed ? `${row.id}#closed` : row.id;
        item.description = `${row.events} event${row.events === 1 ? '' : 's'}${row.warnings ? ` · ${row.warnings} warning${row.warnings === 1 ? '' : 's'}` : ''}`;
        item.iconPath = themeIcon(this.model.grouping === 'reason' ? 'tag' : 'symbol-namespace');
        item.contextValue = 'group';
        return item;
      }
      case 'object': {
        // Objects with warnings start open, so what needs attention is visible without a click. VS Code applies
        // that state only to an id it has not seen: each new warning gives the row a new id, so it opens again.
        const state = row.warnings ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
        const item = new vscode.TreeItem(objectLabel(row.ref), state);
        const openings = this.model.openings(row);
        item.id = openings ? `${row.id}#${openings}` : row.id;
        const n = row.events.size;
        item.description = `${n} event${n === 1 ? '' : 's'}${row.warnings ? ` · ${row.warnings} warning${row.warnings === 1 ? '' : 's'}` : ''} · ${formatAge(this.agesFrom - row.lastSeen)}`;
        item.iconPath = row.warnings
          ? themeIcon('warning', 'list.warningForeground')
          : themeIcon('symbol-object');
        item.contextValue = row.warnings ? 'object warning' : 'object';
        return item;
      }
      case 'event': {
        const e = row.event;
        const item = new vscode.TreeItem(e.reason || '(no reason)', vscode.TreeItemCollapsibleState.None);
        item.id = row.id;
        const prefix = this.model.grouping === 'namespace' ? '' : `${objectLabel(e.regarding)} · `;
        item.description = prefix + eventDescription(e, this.agesFrom);
        item.iconPath = eventIcon(e);
        item.contextValue = ['event', isWarning(e) ? 'warning' : 'normal', e.ours ? 'ours' : '', e.expired ? 'expired' : ''].filter(Boolean).join(' ');
        item.accessibilityInformation = { label: `${e.type} ${e.reason} on ${objectLabel(e.regarding)}: ${oneLine(e.message, TEXT_LIMITS.accessibility)}` };
        return item;
      }
    }
  }

  /** Tooltips are built on hover, not for every row of every refresh (the tree's hottest path under load). */
  resolveTreeItem(item: vscode.TreeItem, row: Row): vscode.TreeItem {
    if (row.kind === 'event') item.tooltip = eventTooltip(row.event, this.agesFrom);
    else if (row.kind === 'object') item.tooltip = objectTooltip(row.ref.kind, row.ref.namespace, row.ref.name, row.ref.uid);
    return item;
  }

  getChildren(row?: Row): Row[] {
    const rows = this.children(row);
    if (!row) this.groupsClosed = this.startClosed(rows);
    return rows;
  }

  /** Whether the groups start closed now: by the object rows the groups list, with hysteresis. */
  private startClosed(roots: readonly Row[]): boolean {
    let objects = 0;
    for (const g of roots) if (g.kind === 'group') objects += Math.min(g.objects.size, MAX_CHILDREN);
    return objects > (this.groupsClosed ? REOPEN_GROUPS_OBJECTS : OPEN_GROUPS_MAX_OBJECTS);
  }

  private children(row?: Row): Row[] {
    if (row?.kind === 'more' || row?.kind === 'separator') return [];
    const all: Row[] = row ? this.model.children(row) : this.model.roots();
    const rows = all.length <= MAX_CHILDREN ? all : [...all.slice(0, MAX_CHILDREN), { kind: 'more', hidden: all.length - MAX_CHILDREN } as MoreNode];
    const sep = this.separator;
    if (row || !sep || (sep.end !== undefined && !anyWithin(this.model.events(), sep.at, sep.end))) return rows;
    const at = separatorIndex(rows.filter((r): r is TreeNode => r.kind !== 'more' && r.kind !== 'separator'), sep.at, this.model.grouping);
    return [...rows.slice(0, at), sep, ...rows.slice(at)];
  }

  getParent(row: Row): Row | undefined {
    return row.kind === 'more' || row.kind === 'separator' ? undefined : this.model.parent(row);
  }

  /** The tree as labels, for the extension-host tests (expands everything). */
  snapshot(): RowSnapshot[] {
    this.flush();
    const walk = (rows: Row[]): RowSnapshot[] =>
      rows.map((r) => {
        const item = this.treeItem(r);
        const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
        return { label, description: String(item.description ?? ''), contextValue: item.contextValue ?? '', accessibility: item.accessibilityInformation?.label ?? '', children: walk(this.children(r)) };
      });
    return walk(this.children());
  }

  /** Applies pending changes now (used before reveal and snapshots). */
  flush(): void {
    this.flushScheduler.cancel();
    if (this.pendingUpserts.size === 0 && this.pendingRemovals.size === 0) return;
    const upserts = [...this.pendingUpserts.values()];
    const removals = [...this.pendingRemovals.values()];
    this.pendingUpserts.clear();
    this.pendingRemovals.clear();
    const delta = this.model.apply(upserts, removals);
    if (delta.newWarnings > 0 && !this.view.visible) {
      this.unseenWarnings += delta.newWarnings;
      this.view.badge = { value: this.unseenWarnings, tooltip: `${this.unseenWarnings} new warning event${this.unseenWarnings === 1 ? '' : 's'}` };
    }
    if (delta.root) this.fire(undefined);
    else if (delta.nodes.size > 0) {
      // Only nodes VS Code has rendered can be refreshed on their own; others refresh with their parent.
      const known = [...delta.nodes].filter((n) => this.rendered.has(n));
      if (known.length > 0) this.fire(known);
    }
    // Counts changed even when no visible row did (events the filter hides still count in the total).
    this.refreshed.fire();
  }

  private clearBadge(): void {
    this.unseenWarnings = 0;
    this.view.badge = undefined;
  }

  private onStoreChange(c: StoreChange): void {
    if (c.cleared) {
      this.reset();
      return;
    }
    for (const e of c.removed) {
      this.pendingUpserts.delete(e.uid);
      this.pendingRemovals.set(e.uid, e);
    }
    for (const e of c.added) this.pendingUpserts.set(e.uid, e);
    for (const e of c.updated) this.pendingUpserts.set(e.uid, e);
    this.flushScheduler.scheduleIfIdle(Math.max(0, this.lastRefresh + REFRESH_INTERVAL_MS - this.now()));
  }

  private fire(what: Row[] | undefined): void {
    // Rows refreshed on their own keep the reading of the rows around them; once it is stale, all rows go.
    if (what !== undefined && this.now() - this.agesFrom >= AGE_STALE_MS) what = undefined;
    this.lastRefresh = this.now();
    this.refreshes++;
    if (what === undefined) {
      this.rendered = new WeakSet();
      this.agesFrom = this.now();
    }
    this.changed.fire(what);
  }
}

function eventIcon(e: KubeEvent): vscode.ThemeIcon {
  if (e.expired) return themeIcon('history', 'disabledForeground');
  if (isWarning(e)) return themeIcon('warning', 'list.warningForeground');
  if (e.ours) return themeIcon('beaker', 'charts.blue');
  return themeIcon('info', 'charts.blue');
}

/** One ThemeIcon per icon and colour, made on first use: VS Code keeps the TreeItem of every row it has listed. */
const icons = new Map<string, vscode.ThemeIcon>();

function themeIcon(id: string, color?: string): vscode.ThemeIcon {
  const key = color ? `${id} ${color}` : id;
  let icon = icons.get(key);
  if (!icon) {
    icon = new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
    icons.set(key, icon);
  }
  return icon;
}

/** Cluster text goes in through appendText (escaped), never as markdown or HTML. */
function line(md: vscode.MarkdownString, label: string, value: string): void {
  if (!value) return;
  md.appendMarkdown(`**${label}:** `);
  md.appendText(value);
  md.appendMarkdown('  \n');
}

function objectTooltip(kind: string, namespace: string, name: string, uid: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  line(md, 'Kind', kind);
  line(md, 'Namespace', namespace);
  line(md, 'Name', name);
  line(md, 'UID', uid);
  return md;
}

export function eventTooltip(e: KubeEvent, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(isWarning(e) ? '$(warning) ' : '$(info) ');
  md.supportThemeIcons = true;
  md.appendText(`${e.type || 'Unknown'} · ${e.reason}`);
  md.appendMarkdown('\n\n');
  md.appendText(e.message ? bounded(e.message, TEXT_LIMITS.hover) : '(no message)');
  md.appendMarkdown('\n\n---\n\n');
  line(md, 'Object', `${objectLabel(e.regarding)}${e.regarding.namespace ? ` (namespace ${e.regarding.namespace})` : ''}`);
  line(md, 'Field', e.regarding.fieldPath);
  if (e.related) line(md, 'Related', objectLabel(e.related));
  line(md, 'Count', e.count > 1 ? String(e.count) : '');
  line(md, 'Last seen', e.lastSeen ? `${new Date(e.lastSeen).toISOString()} (${formatAge(now - e.lastSeen)} ago)` : '');
  line(md, 'First seen', e.firstSeen ? new Date(e.firstSeen).toISOString() : '');
  line(md, 'Source', sourceLabel(e));
  line(md, 'Action', e.action);
  const written = writtenThrough(e);
  line(md, 'Written via', `${written} (${RECORDER_OF[written]})`);
  line(md, 'Read via', e.api);
  line(md, 'Event', `${e.namespace}/${e.name}`);
  if (e.ours) md.appendMarkdown('_Emitted from VS Code by Kube Events._  \n');
  // Our own words and numbers, no cluster text: markdown, so the sentence wraps in the hover.
  if (e.expired) md.appendMarkdown(`_${deletionNote(e)}_  \n`);
  return md;
}
