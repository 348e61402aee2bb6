/**
 * The window's read-only capture mode (docs/ARCHITECTURE.md §18): while a capture is open, the live connection is
 * ended (history on disk is kept, and no longer written), the store holds the capture's events, fed through the
 * broadcaster like a list so that every watcher (tree, log, timeline, language server) gets them, the owner graph
 * is the capture's records (no read to any cluster) and `session:` reads the capture's debug sessions. Closing it
 * empties the store and connects again as before. No `vscode` import: the host adapter (captureCommands.ts) shows it.
 */
import { captureSessionRanges, type Capture, type CaptureHeader, type CaptureSession } from '../../core/capture/capture';
import { Emitter, type Subscribe } from '../../core/emitter';
import type { Broadcaster } from '../../core/events/broadcaster';
import type { EventStore } from '../../core/events/eventStore';
import type { EventChange, KubeEvent } from '../../core/events/kubeEvent';
import type { OwnerGraph } from '../../core/owners/ownerGraph';
import { recordedOwnerGraph } from '../../core/owners/recordedOwners';
import { tagged, type Disposable, type Logger } from '../../core/ports';
import type { SessionRanges } from '../../core/query/evaluate';
import { formatDateTime, formatClock } from '../../core/text/format';
import { oneLine } from '../../core/text/boundedText';
import type { FollowedSession } from '../debug/debugFollower';
import { matchStart } from '../debug/debugText';

/** The longest opening a capture waits for what the live watch delivered before it stopped. */
const DRAIN_MAX_MS = 2_000;

/** A capture open in this window. */
export interface OpenCapture {
  /** The file it was read from (shown in the banner's tooltip and the log). */
  readonly file: string;
  readonly header: CaptureHeader;
  /** How many events it holds (the store may keep fewer: its bounds apply). */
  readonly eventCount: number;
  /** Its debug sessions as the views show followed ones (the timeline's lanes, the tree's separator). */
  readonly sessions: readonly FollowedSession[];
  /** Its debug sessions as written (what `session:` reads). */
  readonly captured: readonly CaptureSession[];
}

/** What capture mode needs of the pipeline. */
export interface CaptureModeDeps {
  readonly session: {
    /** Ends the live connection without a replacement; the store and history on disk stay. */
    disconnect(): void;
    readonly store: EventStore;
    readonly broadcaster: Broadcaster<EventChange>;
    readonly ours: { clear(): void };
  };
  /** History stops writing (the capture's events are no live cluster's); it opens again with the next connection. */
  readonly history: { detach(): void };
  /** The owner graph the views use: the capture's while it is open, the connection's otherwise. */
  readonly owners: { useGraph(graph: OwnerGraph | undefined): void };
  /** Connects again as before the capture (when something had asked for the cluster). */
  readonly reconnect: () => void;
  readonly logger: Logger;
}

/** The changes a capture's events go in as: one list, oldest last seen first, like a list the watch delivers. */
function captureChanges(events: readonly KubeEvent[]): EventChange[] {
  const sorted = [...events].sort((a, b) => a.lastSeen - b.lastSeen);
  return sorted.map((event, i) => ({ type: 'ADDED' as const, event, list: i === sorted.length - 1 ? ('last' as const) : ('more' as const) }));
}

/** A capture's debug sessions as followed sessions (ended, each with its stops), for the views that show those. */
function followedSessionsOf(sessions: readonly CaptureSession[], capturedTo: number): FollowedSession[] {
  return sessions.map((s) => ({
    id: s.id,
    name: s.name,
    type: s.type,
    start: s.start,
    // A session still running when the capture was written ends, as far as the capture knows, at its end.
    end: s.end ?? capturedTo,
    block: s.controller ? { controller: s.controller } : {},
    marks: s.stops.map((m) => ({ kind: m.kind, at: m.at, reason: m.reason, ...(m.uid !== undefined && m.text !== undefined ? { trigger: { uid: m.uid, text: m.text } } : {}) })),
    stopped: false,
  }));
}

/** The banner's one line: which cluster(s), and when. */
export function captureBannerText(header: CaptureHeader): string {
  const clusters = header.clusters.map((c) => oneLine(c.name, 80)).join(', ') || 'an unnamed cluster';
  const sameDay = new Date(header.from).toDateString() === new Date(header.to).toDateString();
  const to = sameDay ? formatClock(header.to) : formatDateTime(header.to);
  return `Capture of ${clusters}, ${formatDateTime(header.from)} – ${to} (read-only)`;
}

/** What the editor features name as the context of an open capture's events (the CodeLens says it). */
export function captureContextLabel(header: CaptureHeader): string {
  return `capture of ${header.clusters.map((c) => c.name).join(', ') || 'an unnamed cluster'}`;
}

/** See the module comment. */
export class CaptureMode implements Disposable {
  private currentCapture: OpenCapture | undefined;
  private graph: OwnerGraph | undefined;
  /** Opens under way (the live connection is already ended while the last events drain). */
  private opening = 0;
  private readonly log: Logger;
  private readonly changed: Emitter<OpenCapture | undefined>;
  /** A capture was opened (its events are in the store) or closed (undefined). */
  readonly onDidChange: Subscribe<OpenCapture | undefined>;

  constructor(private readonly deps: CaptureModeDeps) {
    this.log = tagged(deps.logger, 'capture');
    this.changed = new Emitter<OpenCapture | undefined>((err) => this.log.warn(`a listener failed: ${String(err)}`));
    this.onDidChange = this.changed.event;
  }

  /** The capture open now; undefined while the window is live. */
  get current(): OpenCapture | undefined {
    return this.currentCapture;
  }

  get isOpen(): boolean {
    return this.currentCapture !== undefined;
  }

  /** Nothing may connect: a capture is open, or being opened. */
  get holdsConnection(): boolean {
    return this.currentCapture !== undefined || this.opening > 0;
  }

  /**
   * What `session:` evaluates against while a capture is open: its own sessions (the newest, and the newest still
   * running when it was saved), starting at the second, as the follower's do (event times have seconds only).
   */
  ranges(): SessionRanges {
    const sessions = this.currentCapture?.captured ?? [];
    return captureSessionRanges(sessions.map((s) => ({ ...s, start: matchStart(s.start) })));
  }

  /**
   * Puts the window into capture mode with `capture` (replacing one already open). Resolves once its events went
   * through the broadcaster.
   */
  async open(capture: Capture, file: string): Promise<OpenCapture> {
    const { session, history, owners } = this.deps;
    if (!this.currentCapture) {
      this.opening++;
      try {
        session.disconnect();
        // What the live watch delivered before it stopped reaches the store (and history) before the store is emptied.
        await drained(session.broadcaster);
        history.detach();
      } finally {
        this.opening--;
      }
    }
    this.graph?.dispose();
    session.store.clear();
    session.ours.clear();
    this.graph = recordedOwnerGraph(
      capture.owners.flatMap((o) => o.records),
      tagged(this.deps.logger, 'owners'),
    );
    owners.useGraph(this.graph);
    const open: OpenCapture = {
      file,
      header: capture.header,
      eventCount: capture.events.length,
      sessions: followedSessionsOf(capture.sessions, capture.header.to),
      captured: capture.sessions,
    };
    this.currentCapture = open;
    this.log.info(`opened ${file}: ${capture.events.length} events of ${capture.header.clusters.map((c) => c.name).join(', ') || 'an unnamed cluster'}, ${new Date(capture.header.from).toISOString()} – ${new Date(capture.header.to).toISOString()}`);
    this.changed.fire(open);
    await feed(session.broadcaster, captureChanges(capture.events));
    return open;
  }

  /** Leaves capture mode: the store is emptied and the window connects again as it was. Nothing when none is open. */
  close(): void {
    if (!this.currentCapture) return;
    this.log.info(`closed ${this.currentCapture.file}; back to the live cluster`);
    this.currentCapture = undefined;
    this.deps.owners.useGraph(undefined);
    this.graph?.dispose();
    this.graph = undefined;
    // Before the connection: the first list must not reconcile the capture's events as deletions of the live cluster.
    this.deps.session.store.clear();
    this.deps.session.ours.clear();
    this.changed.fire(undefined);
    this.deps.reconnect();
  }

  dispose(): void {
    this.graph?.dispose();
    this.changed.dispose();
  }
}

/** Settles once the broadcaster holds nothing undelivered (at most {@link DRAIN_MAX_MS}). */
async function drained(broadcaster: Broadcaster<EventChange>): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS;
  const busy = (): boolean => {
    const s = broadcaster.stats();
    return s.incoming > 0 || s.waiting > 0 || s.watchers.some((w) => w.queued > 0);
  };
  while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Offers each change while the incoming queue has room and waits for room after that (as the session's own feed
 * does), so a capture larger than the queue loses nothing before distribution.
 */
async function feed(broadcaster: Broadcaster<EventChange>, changes: readonly EventChange[]): Promise<void> {
  let i = 0;
  while (i < changes.length && broadcaster.offer(changes[i])) i++;
  if (i < changes.length) await Promise.all(changes.slice(i).map((c) => broadcaster.action(c)));
}
