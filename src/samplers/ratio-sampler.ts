import { TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { TracewireConfigError } from '../internal/errors.js';

/**
 * The stock trace-id ratio sampler with its decision bound made readable, so tracewire's tracer can decide
 * for an unsampled span without building it (see `compileSamplingPlan`). Decisions are the stock ones.
 * @internal
 */
export class RatioSampler extends TraceIdRatioBasedSampler {
  /** A trace is kept when the XOR of its id's four 32-bit words is below this bound (the stock rule). */
  readonly upperBound: number;

  constructor(ratio: number) {
    super(ratio);
    const r = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
    this.upperBound = r === 1 ? 0x100000000 : Math.floor(r * 0xffffffff);
  }
}

/**
 * The OpenTelemetry trace-id ratio sampler: keeps `ratio` (0 to 1) of new traces, decided from the trace id,
 * so every service using the same ratio keeps the same traces. Same as `OTEL_TRACES_SAMPLER=traceidratio`
 * with `OTEL_TRACES_SAMPLER_ARG=ratio`. Usually wrapped in {@link parentBased}.
 * An unsampled span costs about as much as a span of the no-op API (see bench/README.md).
 *
 * @example
 * ```ts
 * import { initTracing, parentBased, ratioSampler } from 'tracewire';
 * initTracing({ sampler: parentBased(ratioSampler(0.05)) }); // keep 5% of new traces
 * ```
 */
export function ratioSampler(ratio: number): Sampler {
  if (!(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
    throw new TracewireConfigError([`ratio must be a number between 0 and 1, got ${String(ratio)}`], 'ratioSampler()');
  }
  return new RatioSampler(ratio);
}
