/**
 * Which events this extension wrote, judged by what its recorder sent rather than by any field of the event:
 * `reportingController`, `source.component` and annotations are set by whoever writes the event, so anyone who
 * may create Events could make one look emitted from VS Code. The recorder's sink tells the ledger each write
 * as it happens (docs/ARCHITECTURE.md §9):
 *
 * - before a create or patch of `namespace/name`, that name is being written by us ({@link sending});
 * - the server's answer names the event's uid ({@link sent}), which is ours from then on; a refused or failed
 *   write ends the claim on the name ({@link notSent}).
 *
 * An event is ours when its uid is one we sent, or while our write of its exact name is in flight: the watch
 * may deliver the new event before the create's response arrives, and the name (`<object>.<hex Unix
 * nanoseconds>`, chosen at that moment) cannot be taken by anyone else without our create then failing with
 * AlreadyExists, which ends the claim. Events of earlier windows keep the mark through history, which stores
 * it with the event (src/history/historyDatabase.ts).
 */
import type { KubeEvent } from './kubeEvent';
import { OldestFirst } from '../oldestFirst';

/** What the recorder's sink reports about its writes. */
export interface SentEventsLedger {
  /** A create or patch of the event `namespace/name` is about to be sent. */
  sending(namespace: string, name: string): void;
  /** The write of `namespace/name` succeeded; the server's object has `uid`. */
  sent(namespace: string, name: string, uid: string): void;
  /** The write of `namespace/name` failed or was given up: the name is no longer claimed. */
  notSent(namespace: string, name: string): void;
}

/** The uids kept at most; the oldest are forgotten first (the store holds far fewer events than this). */
const DEFAULT_MAX_UIDS = 50_000;

function nameKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

/** The ledger of one cluster's events written by this window's recorders; see the module comment. */
export class OurEvents implements SentEventsLedger {
  private readonly uids = new Set<string>();
  private readonly oldestUid = new OldestFirst(this.uids);
  /** namespace/name → writes of it in flight (a patch and a series refresh may overlap). */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly maxUids = DEFAULT_MAX_UIDS) {}

  /** Uids known to be ours. */
  get size(): number {
    return this.uids.size;
  }

  /** True when our recorder wrote `e` (its uid), or is writing an event of its exact name right now. */
  isOurs(e: Pick<KubeEvent, 'uid' | 'namespace' | 'name'>): boolean {
    return (e.uid !== '' && this.uids.has(e.uid)) || (this.inFlight.size > 0 && this.inFlight.has(nameKey(e.namespace, e.name)));
  }

  sending(namespace: string, name: string): void {
    const key = nameKey(namespace, name);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  sent(namespace: string, name: string, uid: string): void {
    if (uid) this.add(uid);
    this.release(namespace, name);
  }

  notSent(namespace: string, name: string): void {
    this.release(namespace, name);
  }

  /** Forgets everything (the store was cleared for another cluster). */
  clear(): void {
    this.uids.clear();
    this.inFlight.clear();
  }

  private add(uid: string): void {
    this.uids.delete(uid);
    this.uids.add(uid);
    if (this.uids.size > this.maxUids) {
      const oldest = this.oldestUid.next();
      if (oldest !== undefined) this.uids.delete(oldest);
    }
  }

  private release(namespace: string, name: string): void {
    const key = nameKey(namespace, name);
    const n = (this.inFlight.get(key) ?? 0) - 1;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }
}
