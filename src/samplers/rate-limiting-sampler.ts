import { isSpanContextValid, trace, TraceFlags, type Attributes, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { TracewireConfigError } from '../internal/errors.js';

/** A clock in milliseconds that never goes backwards, such as `performance.now`. */
export type MonotonicClock = () => number;

const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
const SAMPLED_CHILD: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/**
 * Keeps at most `tracesPerSecond` new traces per second, with a token bucket that holds one second's budget,
 * so a burst after a quiet period is kept up to that size. No timers, and no allocation per decision.
 *
 * The decision is made for spans that start a trace in this process (no parent, or a parent from another
 * process). A span whose parent is in this process follows its parent, so traces are never cut in half.
 * Kept root spans carry `sampler.type = "ratelimiting"` and `sampler.param = tracesPerSecond`, the attributes
 * Jaeger uses to tell a rate-limited trace from a probabilistic one; since the fraction kept depends on the
 * traffic, backends cannot re-weight counts from it, which is why the kept rate is recorded instead.
 *
 * Use {@link rateLimitingSampler} to create one; wrap it in {@link parentBased} to honour decisions of
 * upstream services (that is what the `parentbased_ratelimiting` name does).
 *
 * @example
 * ```ts
 * initTracing({ sampler: new RateLimitingSampler(100) });
 * ```
 */
export class RateLimitingSampler implements Sampler {
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly now: MonotonicClock;
  private readonly sampled: SamplingResult;
  private balance: number;
  private last: number;

  /**
   * @param tracesPerSecond - traces kept per second, a positive finite number (fractions allowed: 0.5 is one every 2 s).
   * @param now - the clock, `performance.now` by default; tests pass their own.
   */
  constructor(
    readonly tracesPerSecond: number,
    now: MonotonicClock = performance.now.bind(performance),
  ) {
    if (!(Number.isFinite(tracesPerSecond) && tracesPerSecond > 0)) {
      throw new TracewireConfigError(
        [`tracesPerSecond must be a positive finite number, got ${String(tracesPerSecond)}`],
        'RateLimitingSampler',
      );
    }
    this.capacity = Math.max(1, tracesPerSecond);
    this.perMs = tracesPerSecond / 1000;
    this.now = now;
    this.balance = this.capacity;
    this.last = now();
    const attributes: Attributes = Object.freeze({ 'sampler.type': 'ratelimiting', 'sampler.param': tracesPerSecond });
    this.sampled = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED, attributes });
  }

  shouldSample(context: Context): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && !parent.isRemote && isSpanContextValid(parent)) {
      return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED_CHILD : NOT_SAMPLED;
    }
    const t = this.now();
    if (t > this.last) {
      const balance = this.balance + (t - this.last) * this.perMs;
      this.balance = balance > this.capacity ? this.capacity : balance;
      this.last = t;
    }
    if (this.balance >= 1) {
      this.balance -= 1;
      return this.sampled;
    }
    return NOT_SAMPLED;
  }

  toString(): string {
    return `RateLimitingSampler{${this.tracesPerSecond}/s}`;
  }
}

/**
 * A sampler that keeps at most `tracesPerSecond` new traces per second (token bucket, bursts up to one
 * second's budget). Same as `OTEL_TRACES_SAMPLER=ratelimiting` with `OTEL_TRACES_SAMPLER_ARG=tracesPerSecond`.
 * See {@link RateLimitingSampler} for the details and the attributes it adds.
 *
 * @example
 * ```ts
 * import { initTracing, parentBased, rateLimitingSampler } from 'tracewire';
 * initTracing({ sampler: parentBased(rateLimitingSampler(100)) }); // at most 100 new traces/s
 * ```
 */
export function rateLimitingSampler(tracesPerSecond: number): RateLimitingSampler {
  return new RateLimitingSampler(tracesPerSecond);
}
