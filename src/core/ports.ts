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
