// What crosses from the window that saves a capture to the fresh window that opens it (capture.test.ts): the runner
// (runExtensionHost.ts) names a file in CAPTURE_HANDOFF_ENV for both, and starts the second code-server, with no
// cluster, only when the first left that file.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file the live window writes what it showed into. */
export const CAPTURE_HANDOFF_ENV = 'KUBE_EVENTS_CAPTURE_HANDOFF';
/** Set in the fresh window. */
export const CAPTURE_FRESH_ENV = 'KUBE_EVENTS_CAPTURE_FRESH';
/** The tests the fresh window runs (a mocha grep). */
export const CAPTURE_FRESH_GREP = 'captures in a fresh window';

/** What the live window showed, to be shown again from the capture alone. */
export interface CaptureHandoff {
  readonly file: string;
  readonly namespace: string;
  /** The Events view's rows (labels and descriptions without ages), group by group. */
  readonly rows: readonly string[];
  /** The events the timeline was given (uid, reason, count, last seen), sorted. */
  readonly timeline: readonly string[];
  /** `under:Deployment/<ns>/web`: how many events. */
  readonly underCount: number;
  /** The manifest and its summary CodeLens without the age. */
  readonly manifest: string;
  readonly lens: string;
  /** A reason only the test wrote, and a Go recorder call's lens for it without its window and age. */
  readonly reason: string;
  readonly goLens: string;
}

/**
 * Where the live window saves its capture: beside the handoff file, which outlives the first code-server's run dir
 * (its temp folder goes with it); a temp folder when the runner named none.
 */
export function captureDir(fallback: () => string): string {
  const file = process.env[CAPTURE_HANDOFF_ENV];
  return file ? path.dirname(file) : fallback();
}

export function writeHandoff(handoff: CaptureHandoff): void {
  const file = process.env[CAPTURE_HANDOFF_ENV];
  if (file) fs.writeFileSync(file, JSON.stringify(handoff));
}

export function readHandoff(): CaptureHandoff | undefined {
  const file = process.env[CAPTURE_HANDOFF_ENV];
  if (!file || !fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CaptureHandoff;
}
