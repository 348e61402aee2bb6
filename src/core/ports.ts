/** Narrow ports the core depends on; the host and the tests supply implementations. */

/** Has the shape of a `vscode.Disposable` without importing it. */
export interface Disposable {
  dispose(): void;
}

/**
 * A subset of VS Code's LogOutputChannel. Messages carry a component tag (`[watch]`, `[store]`…) added by
 * {@link tagged}; implementations add time and level.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Wall-clock time in epoch milliseconds; tests pass a fake. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Timers, the one timer port: {@link RunOnceScheduler} and the feeds schedule on it, and unit tests pass
 * fakes they fire by hand (with a fake {@link Clock} that advances with them).
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The platform's timers (Node's in the host and the server, the browser's in the webview). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** A logger that drops everything (unit tests, benchmarks). */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Prefixes every message with `[component] `. */
export function tagged(log: Logger, component: string): Logger {
  const p = `[${component}] `;
  return {
    trace: (m) => log.trace(p + m),
    debug: (m) => log.debug(p + m),
    info: (m) => log.info(p + m),
    warn: (m) => log.warn(p + m),
    error: (m) => log.error(p + m),
  };
}
