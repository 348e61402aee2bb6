// The messages between the extension host and the history worker (historyWorker.ts), which runs every SQLite
// call of the history on its own thread (docs/ARCHITECTURE.md §10). The host sends requests, each with an
// id; the worker handles them one at a time, in the order sent, and answers each once with the same id. So
// a query sent after a write reads what that write put in, and a close sent after a write closes after it.
import type { ClusterContext } from '../core/clusterIdentity';
import type { HistoryFailureReason, HistoryFilter, HistoryMode } from '../core/events/history';
import type { EventChange, KubeEvent } from '../core/events/kubeEvent';

/** What opening found on the way, for the one message the host shows. */
export interface OpenNotes {
  /** The unreadable file was moved here. */
  readonly movedAside?: string;
  /** A killed writer's unfinished transaction was rolled back: this many pages restored. */
  readonly rolledBack?: number;
}

/** An open database in the worker, as the host knows it. */
export interface OpenedDto {
  readonly handle: number;
  readonly file: string;
  readonly mode: HistoryMode;
  readonly notes: OpenNotes;
}

/** A request's body, by what the host asks (each answered by the value in {@link WorkerAnswers}). */
export type WorkerRequestBody =
  /**
   * Opens a history file, writing when this window gets the writer's lock, else reading (`writerOnly`: open
   * nothing and answer undefined then; `moveAside`: the file was found damaged, start a new one).
   */
  | { readonly kind: 'open'; readonly file: string; readonly cluster: ClusterContext; readonly writerOnly?: boolean; readonly moveAside?: boolean }
  /** Writes changes in order, in transactions of at most WRITE_CHUNK, one prepared statement reused for all. */
  | { readonly kind: 'write'; readonly handle: number; readonly changes: readonly EventChange[] }
  | { readonly kind: 'query'; readonly handle: number; readonly filter: HistoryFilter }
  | { readonly kind: 'stats'; readonly handle: number }
  /**
   * Prunes to the retention and the size cap in steps of at most `chunk` rows, each its own transaction. The
   * worker takes up the requests that arrived meanwhile between two steps, so a write or a query waits for
   * one step at most, never for the whole prune. Answers with the rows removed once nothing is left to prune.
   */
  | { readonly kind: 'prune'; readonly handle: number; readonly olderThan: number; readonly maxBytes: number; readonly chunk: number }
  | { readonly kind: 'clear'; readonly handle: number }
  | { readonly kind: 'check'; readonly handle: number }
  /** Tests: caps the file's size in pages (a disk that fills up, and clears again). */
  | { readonly kind: 'limitPages'; readonly handle: number; readonly pages: number }
  | { readonly kind: 'close'; readonly handle: number }
  /** Reads `meta` of a history file without claiming it (Clear History… lists them). */
  | { readonly kind: 'meta'; readonly file: string }
  /** Deletes a history file not open here; false while another window writes it. */
  | { readonly kind: 'delete'; readonly file: string }
  /** Closes whatever is still open and ends the worker after answering. */
  | { readonly kind: 'shutdown' };

/** The answer's value for each kind of request. */
export interface WorkerAnswers {
  readonly open: OpenedDto | undefined;
  readonly write: undefined;
  readonly query: KubeEvent[];
  readonly stats: { readonly events: number; readonly bytes: number };
  readonly prune: { readonly removed: number; readonly steps: number };
  readonly clear: undefined;
  readonly check: string;
  readonly limitPages: undefined;
  readonly close: undefined;
  readonly meta: { readonly server: string; readonly context: string } | undefined;
  readonly delete: boolean;
  readonly shutdown: undefined;
}

/** Host → worker. */
export type WorkerRequest = WorkerRequestBody & { readonly id: number };

/** Worker → host: the answer to request `id`, or why it failed (a HistoryError's reason and message). */
export type WorkerAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly reason: HistoryFailureReason; readonly message: string };

const REASONS: ReadonlySet<string> = new Set<HistoryFailureReason>(['busy', 'full', 'readOnly', 'io', 'corrupt']);

/** The worker is our own code, but what crosses a thread is still checked before the host trusts it. */
export function isWorkerAnswer(m: unknown): m is WorkerAnswer {
  if (typeof m !== 'object' || m === null) return false;
  const a = m as Record<string, unknown>;
  if (typeof a.id !== 'number' || !Number.isSafeInteger(a.id)) return false;
  if (a.ok === true) return 'value' in a;
  return a.ok === false && typeof a.reason === 'string' && REASONS.has(a.reason) && typeof a.message === 'string';
}
