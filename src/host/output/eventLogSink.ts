import type * as vscode from 'vscode';
import type { Broadcaster } from '../../core/events/broadcaster';
import { oneLine, TEXT_LIMITS } from '../../core/text/boundedText';
import { isWarning, sourceLabel, type EventChange, type KubeEvent } from '../../core/events/kubeEvent';
import { DisposableOwner } from '../disposable';

/**
 * One log line per event, shaped like client-go's `StartLogging` line:
 * `Event(Pod/shop/web-0): type: 'Warning' reason: 'BackOff' Back-off restarting failed container (×7) [source: kubelet on node-a]`.
 * The source comes last (client-go's line has none), falling back to core/v1 `source` as the model does.
 * Cluster text is folded to one line, so a message cannot forge further log lines.
 */
export function formatEventLine(e: KubeEvent): string {
  const obj = `${e.regarding.kind}/${e.regarding.namespace ? `${e.regarding.namespace}/` : ''}${e.regarding.name}`;
  const count = e.count > 1 ? ` (×${e.count})` : '';
  const source = sourceLabel(e);
  const from = source ? ` [source: ${oneLine(source, 300)}]` : '';
  const ours = e.ours ? ' [emitted from VS Code]' : '';
  return `Event(${oneLine(obj, 300)}): type: '${oneLine(e.type, 40)}' reason: '${oneLine(e.reason, 200)}' ${oneLine(e.message, TEXT_LIMITS.logLine)}${count}${from}${ours}`;
}

/**
 * Oldest first by last seen, like `kubectl events`; ties by first seen, then by name, so the order is stable.
 * Namespaces and names are ASCII DNS names, compared by code unit: the tie-break only needs to be stable, and
 * `localeCompare` took half a second of a 100,000-event list's sort.
 */
function byLastSeenAsc(a: KubeEvent, b: KubeEvent): number {
  return a.lastSeen - b.lastSeen || a.firstSeen - b.firstSeen || byCodeUnit(a.namespace, b.namespace) || byCodeUnit(a.name, b.name);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How many of a list's events the log writes: the newest, like the tail `kubectl events` ends with. */
const LOG_LIST_LINES = 1_000;

/**
 * A broadcaster watcher that writes every added or changed event to the "Kube Events" log channel. A (re)list
 * arrives in the apiserver's name order, all at one moment: it is held until its last change and then written
 * oldest first by last seen, each line saying when the event was last seen (the log's own timestamp is the
 * moment of the list, not of the event). Of a long list only the newest `listLines` are written, after a line
 * saying how many were left out: a cluster's first list can bring 100,000 events, and writing each cost the
 * extension host seconds and the log file megabytes that nobody reads (the views hold them all).
 */
export class EventLogSink extends DisposableOwner {
  private listed: EventChange[] = [];
  /** Several clusters are watched: each line starts with its cluster's name (docs/ARCHITECTURE.md §1). */
  private clustered = false;

  constructor(
    broadcaster: Broadcaster<EventChange>,
    private readonly log: vscode.LogOutputChannel,
    private readonly listLines = LOG_LIST_LINES,
  ) {
    super();
    this.register(broadcaster.watch((batch) => this.write(batch), { name: 'log' }));
  }

  /** Whether lines name their cluster: on while more than one is watched. */
  setClustered(clustered: boolean): void {
    this.clustered = clustered;
  }

  private write(batch: readonly EventChange[]): void {
    for (const change of batch) {
      if (change.list) {
        this.listed.push(change);
        if (change.list === 'last') this.writeList();
        continue;
      }
      // A list cut short (a stop, a 410 mid-list) has no last change: what it brought is written before the watch.
      if (this.listed.length > 0) this.writeList();
      this.writeOne(change, '');
    }
  }

  private writeList(): void {
    const dump = this.listed.sort((a, b) => byLastSeenAsc(a.event, b.event));
    this.listed = [];
    const shown = dump.filter((c) => c.type !== 'DELETED').length;
    if (shown > this.listLines) {
      this.log.info(`[events] listed ${shown.toLocaleString('en-US')} events; the newest ${this.listLines.toLocaleString('en-US')} follow (the Events view, the timeline and Export Events… have every one)`);
    }
    let skip = Math.max(0, shown - this.listLines);
    for (const change of dump) {
      if (skip > 0 && change.type !== 'DELETED') {
        skip--;
        continue;
      }
      const at = change.event.lastSeen ? ` [listed; last seen ${new Date(change.event.lastSeen).toISOString()}]` : ' [listed]';
      this.writeOne(change, at);
    }
  }

  private writeOne({ type, event }: EventChange, suffix: string): void {
    const cluster = this.clustered ? `[${oneLine(event.cluster ?? '', 200)}] ` : '';
    if (type === 'DELETED') {
      this.log.trace(`${cluster}[events] deleted on the server: ${event.namespace}/${event.name}`);
      return;
    }
    const line = cluster + formatEventLine(event) + suffix;
    if (isWarning(event)) this.log.warn(line);
    else this.log.info(line);
  }

  /** A list still held is written before the watcher goes. */
  override dispose(): void {
    if (!this.isDisposed && this.listed.length > 0) this.writeList();
    super.dispose();
  }
}
