/**
 * What Save Capture… writes (docs/ARCHITECTURE.md §18), chosen without `vscode`: the events of a time range, the
 * debug sessions in it with their stops, and the clusters' identities (a hash of the server; the address only when
 * asked, never a credential).
 */
import type { CaptureCluster, CaptureSession } from '../../core/capture/capture';
import type { KubeEvent } from '../../core/events/kubeEvent';
import { clusterFileStem, type ClusterIdentity } from '../../core/clusterIdentity';
import type { FollowedSession } from '../debug/debugFollower';

/** A time range to capture, epoch ms; `label` is what the quick pick and the log say. */
export interface CaptureRange {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** The ranges Save Capture… offers, `now` being the moment it asks: the last 15 min, hour and day, everything held, each debug session. */
export function captureRanges(events: readonly KubeEvent[], sessions: readonly FollowedSession[], now: number): CaptureRange[] {
  const oldest = events.reduce((min, e) => Math.min(min, e.firstSeen || e.lastSeen), now);
  const out: CaptureRange[] = [
    { from: now - 15 * 60_000, to: now, label: 'Last 15 minutes' },
    { from: now - 3_600_000, to: now, label: 'Last hour' },
    { from: now - 86_400_000, to: now, label: 'Last 24 hours' },
    { from: Math.min(oldest, now), to: now, label: 'Everything held' },
  ];
  for (const s of [...sessions].reverse()) out.push({ from: s.start, to: s.end ?? now, label: `Debug session "${s.name}"` });
  return out;
}

/** The events of `range`: those seen in it at least once (first seen no later than its end, last seen no earlier than its start), oldest first. */
export function eventsInRange(events: Iterable<KubeEvent>, range: Pick<CaptureRange, 'from' | 'to'>): KubeEvent[] {
  const out: KubeEvent[] = [];
  for (const e of events) {
    if (e.lastSeen >= range.from && (e.firstSeen || e.lastSeen) <= range.to) out.push(e);
  }
  return out.sort((a, b) => a.lastSeen - b.lastSeen);
}

/** The debug sessions that overlap `range`, with their stops in it. */
export function sessionsInRange(sessions: readonly FollowedSession[], range: Pick<CaptureRange, 'from' | 'to'>): CaptureSession[] {
  return sessions
    .filter((s) => s.start <= range.to && (s.end ?? range.to) >= range.from)
    .map((s) => ({
      id: s.id,
      name: s.name,
      type: s.type,
      start: s.start,
      controller: s.block.controller ?? '',
      ...(s.end !== undefined ? { end: s.end } : {}),
      stops: s.marks
        .filter((m) => m.at >= range.from && m.at <= range.to)
        .map((m) => ({ kind: m.kind, at: m.at, reason: m.reason, ...(m.trigger ? { text: m.trigger.text, uid: m.trigger.uid } : {}) })),
    }));
}

/**
 * A cluster as a capture names it: the context, the identity's hash history names its files by (neither the server
 * nor the user in it), and the server only when `withServer`. Never a credential.
 */
/**
 * A capture's events by the cluster they came from, in the order of `clusters` (an event that names no cluster, or
 * one not named there, belongs to the first: the primary). Each cluster's owner links are read from its own graph.
 */
export function eventsByCluster(events: readonly KubeEvent[], clusters: readonly CaptureCluster[]): Map<string, KubeEvent[]> {
  const out = new Map<string, KubeEvent[]>(clusters.map((c) => [c.name, []]));
  const primary = clusters[0]?.name;
  if (primary === undefined) return out;
  for (const e of events) (out.get(e.cluster ?? primary) ?? out.get(primary))?.push(e);
  return out;
}

export function captureCluster(context: string, identity: ClusterIdentity, withServer: boolean, sha256Hex: (text: string) => string): CaptureCluster {
  return { name: context, id: clusterFileStem(identity, sha256Hex), ...(withServer ? { server: identity.server } : {}) };
}

/** The default file name: `<context>-<date>.kecapture`, with only characters every file system takes. */
export function defaultCaptureName(context: string, now: number, extension: string): string {
  const safe = (context || 'cluster').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64);
  const stamp = new Date(now).toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return `${safe}-${stamp}.${extension}`;
}
