// Lets a test span a real window reload. A test calls requestReload(); when the whole run has ended, index.ts
// reloads the window (the workbench keeps its URL, so it loads the suite again in a fresh extension host),
// and runs only the tests matching the given pattern, which read what the first window left with
// reloadedWith(). The counts of both runs add up in the one closing "N passed, N failed" line.
// The state lives in the extension host's temp folder: the harness gives each code-server run its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const STATE_FILE = path.join(os.tmpdir(), 'kube-events-window-reload.json');

/** What crosses the reload. `phase`: asked for by a test in the first window; then running in the second. */
export interface ReloadState {
  readonly phase: 'requested' | 'reloaded';
  /** A mocha grep: the tests to run in the reloaded window. */
  readonly grep: string;
  /** Whatever the requesting test needs afterwards (JSON). */
  readonly data: unknown;
  /** The first window's counts, added to the second's. */
  readonly passed: number;
  readonly failed: number;
}

export function readReloadState(): ReloadState | undefined {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ReloadState;
  } catch {
    return undefined;
  }
}

export function writeReloadState(state: ReloadState): void {
  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
}

/** Asks for a window reload once this run ends; then the tests matching `grep` run again with `data`. */
export function requestReload(grep: string, data: unknown): void {
  writeReloadState({ phase: 'requested', grep, data, passed: 0, failed: 0 });
}

/** In the reloaded window: what the requesting test left; undefined in the first window. */
export function reloadedWith<T>(): T | undefined {
  const state = readReloadState();
  return state?.phase === 'reloaded' ? (state.data as T) : undefined;
}
