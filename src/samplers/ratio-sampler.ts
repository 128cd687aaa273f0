import { TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

/**
 * The OpenTelemetry trace-id ratio sampler: keeps `ratio` (0 to 1) of new traces, decided from the trace id,
 * so every service using the same ratio keeps the same traces. Same as `OTEL_TRACES_SAMPLER=traceidratio`
 * with `OTEL_TRACES_SAMPLER_ARG=ratio`. Usually wrapped in {@link parentBased}.
 *
 * @example
 * ```ts
 * import { initTracing, parentBased, ratioSampler } from 'tracewire';
 * initTracing({ sampler: parentBased(ratioSampler(0.05)) }); // keep 5% of new traces
 * ```
 */
export function ratioSampler(ratio: number): Sampler {
  if (!(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
    throw new RangeError(`ratioSampler: ratio must be a number between 0 and 1, got ${String(ratio)}`);
  }
  return new TraceIdRatioBasedSampler(ratio);
}
