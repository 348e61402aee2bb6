/**
 * A capture: one file that brings an investigation back (docs/ARCHITECTURE.md §18). The events matching a query in a
 * time range, the owner links they need, the debug sessions of that range with their stops, and which clusters they
 * came from, named by context and by the identity hash history uses (never a credential, never a server address
 * unless the user asked for it). Pure: the file's encoding is captureCodec.ts, the imports of peers' dumps
 * captureImport.ts, the file itself src/capture/captureFile.ts.
 */
import type { KubeEvent } from '../events/kubeEvent';
import type { Failure } from '../result';
import type { OwnerRecord } from '../owners/ownerMemory';
import type { SessionRanges } from '../query/evaluate';

/** The header's `format`: what says a file is a capture at all. */
export const CAPTURE_FORMAT = 'kube-events-capture';
/**
 * The format version this build writes and the newest it reads. A reader refuses a higher one. Within a version a
 * writer may add optional fields an older reader ignores; whatever an older reader would misread raises it.
 */
export const CAPTURE_VERSION = 1;

/** A cluster the capture's events came from. */
export interface CaptureCluster {
  /** The kubeconfig context the events were watched through (what `cluster:` and the events' `cluster` say). */
  readonly name: string;
  /**
   * The cluster identity's hash, as history names its files (`clusterFileStem`, src/core/clusterIdentity.ts): it
   * tells two captures of one cluster apart from two clusters, without the server's URL or the user's name. ''
   * when the source did not say (an imported dump).
   */
  readonly id: string;
  /** The API server's URL: only when the user asked for it to be written. */
  readonly server?: string;
}

/**
 * How the views were laid out when the capture was saved (the timeline's sort, zoom and lanes, the tree's
 * grouping…): an open record the views read what they know from. Plain JSON, bounded in size and depth
 * ({@link CAPTURE_LIMITS}); keys that could reach an object's prototype are refused.
 */
export type CaptureLayout = { readonly [key: string]: CaptureJson };

/** A plain JSON value, as {@link CaptureLayout} holds. */
export type CaptureJson = null | boolean | number | string | readonly CaptureJson[] | { readonly [key: string]: CaptureJson };

/** Where a capture's events came from: saved by Kube Events, or imported from a peer's dump. */
export type CaptureOrigin = 'kube-events' | 'kubectl' | 'event-exporter';

/** The first line of a capture file. */
export interface CaptureHeader {
  readonly format: typeof CAPTURE_FORMAT;
  readonly version: number;
  /** When it was written (ISO 8601); for an import, when the dump was last modified. */
  readonly created: string;
  /** The time range of the events, epoch milliseconds (the query's range, or for an import the events' own). */
  readonly from: number;
  readonly to: number;
  /** The filter the events matched ('' for none, and for an import). */
  readonly query: string;
  readonly clusters: readonly CaptureCluster[];
  readonly layout?: CaptureLayout;
  readonly origin: CaptureOrigin;
  /** The extension version that wrote it. */
  readonly writer?: string;
}

/** The owner links learnt on one cluster that the capture's events need (src/core/owners/ownerMemory.ts). */
export interface CaptureOwners {
  /** The cluster's context name, as in {@link CaptureCluster.name} ('' when the source did not say). */
  readonly cluster: string;
  readonly records: readonly OwnerRecord[];
}

/**
 * A stop at a breakpoint (or a step, an exception, a pause) or a continue of a debug session, as the timeline
 * marks it (src/host/debug/debugFollower.ts `DebugMark`).
 */
export interface CaptureStop {
  readonly kind: 'stopped' | 'continued';
  /** Epoch milliseconds. */
  readonly at: number;
  /** The debug adapter's `stopped` reason (`breakpoint`, `step`, `exception`, `pause`…); '' for a continue. */
  readonly reason: string;
  /** A short description: for a stop an event breakpoint caused, the breakpoint and the event. */
  readonly text?: string;
  /** The event an event breakpoint stopped at. */
  readonly uid?: string;
}

/**
 * A debug session Kube Events followed (src/host/debug/debugFollower.ts `FollowedSession`): its range is what
 * `session:` matches ({@link captureSessionRanges}), its stops the timeline's markers.
 */
export interface CaptureSession {
  readonly id: string;
  readonly name: string;
  /** The debug type (`go`, `node`…). */
  readonly type: string;
  /** The launch configuration's `kubeEvents.controller`, '' when none. */
  readonly controller: string;
  /** Epoch milliseconds. */
  readonly start: number;
  /** Absent when it still ran when the capture was saved. */
  readonly end?: number;
  readonly stops: readonly CaptureStop[];
}

/** A whole capture, as written and as read back. */
export interface Capture {
  readonly header: CaptureHeader;
  readonly events: readonly KubeEvent[];
  readonly owners: readonly CaptureOwners[];
  readonly sessions: readonly CaptureSession[];
}

/**
 * The bounds a capture is read within, so a hostile file costs no more than these. Text is bounded as the API
 * server bounds an event: no string is longer than the largest object etcd stores (1.5 MiB), no line longer than
 * the largest request body the API server accepts (3 MiB) plus room for JSON's escapes.
 */
export const CAPTURE_LIMITS = {
  /** Default bound on the file's bytes, and on what it decompresses to. */
  maxBytes: 512 * 1024 * 1024,
  /** Default bound on its events. */
  maxEvents: 1_000_000,
  /** One line of the file, in bytes. */
  maxLineBytes: 4 * 1024 * 1024,
  /** Any one string (an event's message is the longest). */
  maxTextChars: 1_572_864,
  /** Names, ids, reasons of sessions, clusters and stops. */
  maxNameChars: 1_024,
  maxClusters: 64,
  maxOwnerRecords: 1_000_000,
  /** Owner records per `owners` line. */
  maxOwnerRecordsPerLine: 10_000,
  maxSessions: 100,
  maxStopsPerSession: 500,
  /** The query's characters. */
  maxQueryChars: 10_000,
  /** The layout as JSON text, and how deeply it nests. */
  maxLayoutChars: 64 * 1024,
  maxLayoutDepth: 16,
} as const;

/** The bounds a caller may tighten or widen. */
export interface CaptureReadOptions {
  /** Most bytes of the file and of what it decompresses to (default {@link CAPTURE_LIMITS}.maxBytes). */
  readonly maxBytes?: number;
  /** Most events (default {@link CAPTURE_LIMITS}.maxEvents). */
  readonly maxEvents?: number;
}

/**
 * Why a capture cannot be opened, with one message that says what is wrong and what to do (never a stack trace):
 * - `unreadable`: the file cannot be read at all (missing, a folder, no permission);
 * - `not-a-capture`: neither a capture nor a dump Kube Events imports;
 * - `truncated`: it ends early (a cut download or copy, a write that did not finish);
 * - `corrupt`: bad gzip data, a line that is not JSON, a record that is not what its kind says (`line`: the
 *   1-based line of the decompressed text, when one is to blame);
 * - `future-version`: written by a newer Kube Events, in a format `version` this one does not know;
 * - `too-large`: more bytes or events than the bounds allow ({@link CaptureReadOptions});
 * - `hostile`: built to harm a reader: oversized fields, too many records, keys that reach an object's prototype.
 */
export type CaptureProblem =
  | Failure<'unreadable' | 'not-a-capture' | 'truncated' | 'too-large'>
  | (Failure<'corrupt' | 'hostile'> & { readonly line?: number })
  | (Failure<'future-version'> & { readonly version: number });

/** What reading a capture answers: the whole capture, or the one problem that kept it from being read. */
export type CaptureResult = { readonly ok: true; readonly value: Capture } | CaptureProblem;

/**
 * What `session:current` and `session:last` mean in a capture: the newest session, and the newest of those that
 * still ran when it was saved.
 */
export function captureSessionRanges(sessions: readonly CaptureSession[]): SessionRanges {
  const newest = (list: readonly CaptureSession[]): CaptureSession | undefined => list.reduce<CaptureSession | undefined>((a, s) => (!a || s.start >= a.start ? s : a), undefined);
  const last = newest(sessions);
  const current = newest(sessions.filter((s) => s.end === undefined));
  const range = (s: CaptureSession | undefined) => s && (s.end === undefined ? { start: s.start } : { start: s.start, end: s.end });
  return { ...(current ? { current: range(current) } : {}), ...(last ? { last: range(last) } : {}) };
}
