import type * as vscode from 'vscode';
import type { Broadcaster, Watcher } from '../../core/broadcaster';
import { oneLine } from '../../core/eventTreeModel';
import { isWarning, sourceLabel, type EventChange, type KubeEvent } from '../../core/kubeEvent';

/** Longest message written to the log; the tree tooltip and the timeline carry the full text. */
const MAX_MESSAGE = 2_000;

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
  return `Event(${oneLine(obj, 300)}): type: '${oneLine(e.type, 40)}' reason: '${oneLine(e.reason, 200)}' ${oneLine(e.message, MAX_MESSAGE)}${count}${from}${ours}`;
}

/** A broadcaster watcher that writes every added or changed event to the "Kube Events" log channel. */
export class EventLogSink implements vscode.Disposable {
  private readonly watcher: Watcher;

  constructor(broadcaster: Broadcaster<EventChange>, private readonly log: vscode.LogOutputChannel) {
    this.watcher = broadcaster.watch((batch) => this.write(batch), { name: 'log' });
  }

  private write(batch: readonly EventChange[]): void {
    for (const { type, event } of batch) {
      if (type === 'DELETED') {
        this.log.trace(`[events] expired on the server: ${event.namespace}/${event.name}`);
        continue;
      }
      const line = formatEventLine(event);
      if (isWarning(event)) this.log.warn(line);
      else this.log.info(line);
    }
  }

  dispose(): void {
    this.watcher.dispose();
  }
}
