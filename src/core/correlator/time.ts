/** Time on the wire (metav1.Time, metav1.MicroTime), event-name stamps, and durations in explanations. */
import { systemClock, type Clock } from '../ports';

/** Go time.Duration units, in nanoseconds. */
const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** metav1.Time on the wire: RFC 3339 with second precision, `2026-07-24T14:05:30Z`. */
export function formatTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * metav1.MicroTime on the wire: exactly six fractional digits, `2026-07-24T14:05:30.123456Z`. The apiserver
 * refuses the millisecond form a plain Date serialises to. Fractional milliseconds give the microseconds.
 */
export function formatMicroTime(epochMs: number): string {
  const micros = Math.round(epochMs * 1000);
  const wholeMs = Math.floor(micros / 1_000_000) * 1000;
  const frac = String(micros - wholeMs * 1000).padStart(6, '0');
  return new Date(wholeMs).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/**
 * A source of strictly increasing Unix nanoseconds derived from a millisecond clock, for event names
 * (`<object>.<hex nanoseconds>`): two events created within one millisecond still get different names.
 */
export function monotonicUnixNano(clock: Clock = systemClock): () => bigint {
  let last = 0n;
  return () => {
    let ns = BigInt(Math.floor(clock.now())) * 1_000_000n;
    if (ns <= last) ns = last + 1n;
    last = ns;
    return ns;
  };
}

/** `1 second`, `300 seconds`: a duration in the correlator's explanations. */
export function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s === 1 ? '1 second' : `${s} seconds`;
}

/** Epoch milliseconds (possibly fractional) as whole nanoseconds, the resolution of Go's `time.Time`. */
export function epochMsToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}
