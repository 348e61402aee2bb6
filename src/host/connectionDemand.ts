import { Emitter, type Subscribe } from '../core/emitter';
import type { Disposable, Logger } from '../core/ports';
import type { SessionSettings } from '../kube/clusterSession';
import { DisposableOwner } from './disposable';

/**
 * Why the window talks to the cluster. Nothing connects without one (docs/ARCHITECTURE.md §13): activation
 * only follows YAML, Go and debugging, and most such files have nothing to do with Kubernetes.
 * - `view`: the Events view is shown;
 * - `timeline`: the timeline panel is shown;
 * - `document`: an open document holds a Kubernetes object (apiVersion and kind) or a Go recorder call;
 * - `debug`: a debug session's launch configuration has a `kubeEvents` block;
 * - `command`: the user ran a command that needs the cluster (Select Context…, Emit Test Event…, …).
 */
export type ConnectionReason = 'view' | 'timeline' | 'document' | 'debug' | 'command';

/** The reasons as the log and the status bar say them. */
const CONNECTION_REASON_TEXT: Readonly<Record<ConnectionReason, string>> = {
  view: 'the Events view is shown',
  timeline: 'the timeline is shown',
  document: 'an open document holds a Kubernetes object or a recorder call',
  debug: 'a debug session asks for it (its launch configuration has a kubeEvents block)',
  command: 'a command needs the cluster',
};

/** What the status bar says while no reason came yet. */
export const NOT_CONNECTED_TEXT =
  'Kube Events connects when its Events view or the timeline is shown, a Kubernetes manifest or a Go file with recorder calls is open, or a debug session asks for it. Until then it sends no request and runs no kubeconfig credential plugin.';

/**
 * Whether the window may connect, and the first reason it was given. The first {@link want} fires
 * {@link onDidDemand} once; the connection then stays for the window (a hidden view does not disconnect it:
 * a stream that stops and starts with the view would relist every time and lose what happened meanwhile).
 */
export class ConnectionDemand extends DisposableOwner {
  private first: ConnectionReason | undefined;
  private readonly demanded = this.register(new Emitter<ConnectionReason>());
  /** The first reason came: connect now. Fires once. */
  readonly onDidDemand = this.demanded.event;

  /** The first reason given; undefined while nothing asked for the cluster. */
  get reason(): ConnectionReason | undefined {
    return this.first;
  }

  /** Something needs the cluster; the first call connects, later ones change nothing. */
  want(reason: ConnectionReason): void {
    if (this.first !== undefined || this.isDisposed) return;
    this.first = reason;
    this.demanded.fire(reason);
  }
}

/** The settings' side of {@link connectWhenDemanded} (ExtensionSettings). */
export interface ConnectionSettings {
  readonly sessionSettings: SessionSettings;
  readonly onDidRequestConnection: Subscribe<SessionSettings>;
}

/**
 * Connects the session at the first reason, with the settings of that moment. Before it, a settings change that
 * would reconnect changes nothing on the wire; after it, every such change reaches the session.
 */
export function connectWhenDemanded(
  demand: ConnectionDemand,
  session: { update(settings: SessionSettings): void },
  settings: ConnectionSettings,
  log: Pick<Logger, 'info'>,
  held: () => boolean = () => false,
): Disposable[] {
  return [
    demand.onDidDemand((reason) => {
      // A capture is open (docs/ARCHITECTURE.md §18): the reason is kept, and closing it connects.
      if (held()) return;
      log.info(`[session] connecting: ${CONNECTION_REASON_TEXT[reason]}`);
      session.update(settings.sessionSettings);
    }),
    settings.onDidRequestConnection((next) => {
      if (demand.reason !== undefined && !held()) session.update(next);
    }),
  ];
}
