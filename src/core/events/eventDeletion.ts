/**
 * Why an event the store keeps as history is gone from the server. The apiserver deletes an event when its
 * TTL runs out (`--event-ttl`, 1 h by default), counted from the event's last write: each create, update and
 * patch sets it again, and kube-apiserver's lease reuse (`--lease-reuse-duration-seconds`, 60 s) can add up
 * to a minute. Anyone with `delete` on events can remove one sooner (`kubectl delete event`). The watch
 * reports both as the same DELETED, so the cause is told from the event's age at deletion, and only where
 * that age can tell: a delete long after the TTL may have been by hand too, and a cluster with a shorter TTL
 * looks like deletes by hand. The note says what it is based on.
 */
import type { KubeEvent } from './kubeEvent';

/** kube-apiserver's default `--event-ttl`. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;

/** Ages within this much below the TTL still count as a TTL expiry (clocks of event writers drift). */
const TTL_SLACK_MS = 60_000;

/** How a deleted event most likely went: `ttl` expired, `deleted` earlier than the TTL allows, `unknown` age. */
export type DeletionCause = 'ttl' | 'deleted' | 'unknown';

/** The event's last write as far as it says: its last occurrence, or its creation when that is later. */
function lastWrite(e: KubeEvent): number {
  return Math.max(e.lastSeen, e.creationTimestamp);
}

/** The likely cause of a deletion; `unknown` for an event that is not deleted or whose times are missing. */
export function deletionCause(e: KubeEvent, ttlMs: number = DEFAULT_EVENT_TTL_MS): DeletionCause {
  const at = e.deletedAt ?? 0;
  const written = lastWrite(e);
  if (!e.expired || !at || !written) return 'unknown';
  return at - written >= ttlMs - TTL_SLACK_MS ? 'ttl' : 'deleted';
}

/** `5m`, `1h 2m`: the age at deletion, rounded down to minutes (seconds under two minutes). */
function span(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** One or two plain sentences for tooltips: deleted, when relative to its last update, and the likely cause. */
export function deletionNote(e: KubeEvent, ttlMs: number = DEFAULT_EVENT_TTL_MS): string {
  if (!e.expired) return '';
  const ttl = ttlMs === DEFAULT_EVENT_TTL_MS ? 'the event TTL (1 h by default)' : `the event TTL (${span(ttlMs)})`;
  const cause = deletionCause(e, ttlMs);
  if (cause === 'unknown') return 'Deleted on the server; kept here as history.';
  const age = span((e.deletedAt ?? 0) - lastWrite(e));
  if (cause === 'ttl') return `Deleted on the server ${age} after its last update: ${ttl} ran out. Kept here as history.`;
  return `Deleted on the server ${age} after its last update, before ${ttl} ran out: deleted by a client (kubectl delete event, a controller), or the apiserver runs with a shorter --event-ttl. Kept here as history.`;
}
