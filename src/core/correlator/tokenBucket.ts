/** The spam filter's token bucket: k8s.io/client-go util/flowcontrol over golang.org/x/time/rate, computed exactly. */
import { NS_PER_S, epochMsToNs } from './time';

/** Go's largest time.Duration; `Time.Sub` saturates at it. */
const MAX_DURATION_NS = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Go's `Duration.Seconds()`: whole seconds and the nanosecond remainder converted separately, then added. */
function durationSeconds(ns: bigint): number {
  return Number(ns / NS_PER_S) + Number(ns % NS_PER_S) / 1e9;
}

/**
 * Go's `time.Duration(f)` for a float64 on amd64: truncation toward zero, and the CPU's "integer indefinite"
 * (the smallest int64) for NaN and values out of range. Other architectures saturate instead.
 */
function goDurationFromFloat(f: number): bigint {
  if (!(f > -(2 ** 63) && f < 2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/**
 * The token bucket of client-go's spam filter, computing exactly what it computes. client-go builds it with
 * `flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(qps float32, burst, clock)`, a `rate.Limiter` whose
 * `AllowN(now, 1)` decides. Three things surprise:
 * - The rate passes through a float32: 1/300 becomes 0.0033333334140479565, a hair above 1/300, so a token is
 *   ready about 7 µs per 300 s sooner than with a double.
 * - Refill is `Duration.Seconds() · rate` in float64 over whole nanoseconds, and a shortfall becomes a wait of
 *   `time.Duration(1e9 · missing / rate)`, truncated: a bucket short by less than 1 ns of refill still allows
 *   the event, and its level goes a little below zero.
 * - A clock that steps back neither refills nor drains; an allowed event then moves the bucket's time back.
 * The bucket starts full: its last update is Go's zero time, so the first refill saturates at `burst`.
 */
export class TokenBucket {
  /** The refill rate in tokens per second, as x/time/rate holds it: float64(float32(qps)). */
  readonly limit: number;
  private tokens: number;
  /** Nanoseconds of the last update; undefined is Go's zero `time.Time`. */
  private lastNs: bigint | undefined;

  constructor(
    qps: number,
    readonly burst: number,
  ) {
    this.limit = Math.fround(qps);
    this.tokens = burst;
  }

  /** x/time/rate `advance`: the level at `nowNs`, without changing the bucket. */
  private advance(nowNs: bigint): number {
    let elapsed = MAX_DURATION_NS;
    if (this.lastNs !== undefined) {
      const last = nowNs < this.lastNs ? nowNs : this.lastNs;
      elapsed = nowNs - last;
      if (elapsed > MAX_DURATION_NS) elapsed = MAX_DURATION_NS;
    }
    const delta = this.limit <= 0 ? 0 : durationSeconds(elapsed) * this.limit;
    const tokens = this.tokens + delta;
    return tokens > this.burst ? this.burst : tokens;
  }

  /** x/time/rate `durationFromTokens`, in nanoseconds. */
  private durationFromTokens(tokens: number): bigint {
    if (this.limit <= 0) return MAX_DURATION_NS;
    return goDurationFromFloat(1e9 * (tokens / this.limit));
  }

  /** The level at `nowMs` (x/time/rate `TokensAt`); may be a little below zero, see the class comment. */
  tokensAt(nowMs: number): number {
    return this.advance(epochMsToNs(nowMs));
  }

  /** flowcontrol `TryAccept` = x/time/rate `AllowN(now, 1)`: takes one token if there is one. */
  tryAccept(nowMs: number): boolean {
    const now = epochMsToNs(nowMs);
    const tokens = this.advance(now) - 1;
    const wait = tokens < 0 ? this.durationFromTokens(-tokens) : 0n;
    if (!(1 <= this.burst && wait <= 0n)) return false;
    this.lastNs = now;
    this.tokens = tokens;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  msUntilNext(nowMs: number): number {
    const missing = 1 - this.advance(epochMsToNs(nowMs));
    if (!(missing > 0)) return 0;
    const ns = this.durationFromTokens(missing);
    return ns > 0n ? Math.ceil(Number(ns) / 1e6) : 0;
  }
}
