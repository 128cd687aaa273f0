import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { TracewireConfigError } from '../internal/errors.js';
import type { MonotonicClock } from './rate-limiting-sampler.js';
import { TailSamplingProcessor, type TailSamplingSettings, type TailSamplingStats } from './tail-sampling-processor.js';

/** Options of {@link tailSampling}. */
export interface TailSamplingOptions {
  /** Keep every local trace in which a span has status ERROR. Default true. */
  keepErrors?: boolean;
  /** Keep every local trace whose local root span took longer than this, ms. Default: no latency rule. */
  slowerThanMs?: number;
  /** Ratio (0 to 1) of the remaining traces kept, decided from the trace id like `traceidratio`. Default 0.1. */
  otherwise?: number;
  /** Most traces held while waiting for their root span. Default 10000. */
  maxTraces?: number;
  /** Most ended spans held in all. Default 100000. */
  maxSpans?: number;
  /** Longest a trace is held waiting for its root span, ms; then it is decided on what is known. Default 60000. */
  maxAgeMs?: number;
  /** The clock, ms (`performance.now` by default). For tests. */
  clock?: MonotonicClock;
}

const RECORD_AND_SAMPLE: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

/**
 * The sampler returned by {@link tailSampling}. As a sampler it records every span; the decision is made
 * by the processing stage tracewire puts in front of the exporters when this sampler is configured.
 * @example
 * ```ts
 * const sampler = tailSampling({ slowerThanMs: 1000 });
 * initTracing({ sampler });
 * setInterval(() => console.log(sampler.stats()), 60_000).unref();
 * ```
 */
export class TailSampler implements Sampler {
  private processor: TailSamplingProcessor | undefined;

  /** @internal */
  constructor(readonly settings: TailSamplingSettings) {}

  shouldSample(): SamplingResult {
    return RECORD_AND_SAMPLE;
  }

  /** What the tail-sampling stage has kept, dropped and holds now (all zero before tracing starts). */
  stats(): TailSamplingStats {
    return (
      this.processor?.stats() ?? {
        keptTraces: 0,
        droppedTraces: 0,
        droppedSpans: 0,
        overflowTraces: 0,
        expiredTraces: 0,
        pendingTraces: 0,
        heldSpans: 0,
      }
    );
  }

  /** The stage that decides for `next` (the exporting processors). One per sampler. @internal */
  createProcessor(next: readonly SpanProcessor[]): SpanProcessor {
    if (this.processor !== undefined)
      throw new Error('a TailSampler can serve one tracer provider only; call tailSampling() again for another');
    this.processor = new TailSamplingProcessor(this.settings, next);
    return this.processor;
  }

  toString(): string {
    const s = this.settings;
    return `TailSampler{keepErrors=${s.keepErrors}, slowerThanMs=${s.slowerThanMs}, otherwise=${s.otherwise}}`;
  }
}

function check(problems: string[], name: string, value: unknown, ok: (v: number) => boolean, expected: string): void {
  if (value !== undefined && !(typeof value === 'number' && ok(value)))
    problems.push(`tailSampling: ${name}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}

/**
 * In-process tail sampling ("keep errors and slow requests"). Every span is recorded; when this service's
 * local root span of a trace ends, its whole local trace is kept if any span in it has status ERROR
 * (`keepErrors`) or the root took longer than `slowerThanMs`, and otherwise with probability `otherwise`
 * (decided from the trace id, so services using the same ratio keep the same traces).
 *
 * Memory is bounded by `maxTraces`, `maxSpans` and `maxAgeMs`: a trace pushed out early, or held too long
 * because its root never ends here, is decided on what is known then (kept if it had an error so far, else
 * by the ratio), and counted in {@link TailSampler.stats}.
 *
 * What it cannot do: each service decides only for its own spans. Spans that other services sent are not
 * seen here, and this service's decision does not reach them, so a complete cross-service decision needs
 * the OpenTelemetry Collector's tail_sampling processor (see examples/deploy/collector/tail-sampling.yaml).
 * Spans that end after their trace was decided follow that decision. Throws a {@link TracewireConfigError}
 * listing every bad option.
 *
 * @example
 * ```ts
 * import { initTracing, tailSampling } from 'tracewire';
 * initTracing({ sampler: tailSampling({ keepErrors: true, slowerThanMs: 1000, otherwise: 0.1 }) });
 * ```
 */
export function tailSampling(options: TailSamplingOptions = {}): TailSampler {
  const problems: string[] = [];
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (options.keepErrors !== undefined && typeof options.keepErrors !== 'boolean')
    problems.push(`tailSampling: keepErrors: expected a boolean, got ${JSON.stringify(options.keepErrors)}`);
  check(problems, 'slowerThanMs', options.slowerThanMs, (v) => v >= 0, 'a number of ms, 0 or more');
  check(problems, 'otherwise', options.otherwise, (v) => v >= 0 && v <= 1, 'a ratio between 0 and 1');
  check(problems, 'maxTraces', options.maxTraces, positiveInt, 'a positive integer');
  check(problems, 'maxSpans', options.maxSpans, positiveInt, 'a positive integer');
  check(problems, 'maxAgeMs', options.maxAgeMs, (v) => v > 0 && Number.isFinite(v), 'a positive number of ms');
  if (options.clock !== undefined && typeof options.clock !== 'function')
    problems.push('tailSampling: clock: expected a function returning ms');
  if (problems.length > 0) throw new TracewireConfigError(problems, 'tailSampling()');
  return new TailSampler(
    Object.freeze({
      keepErrors: options.keepErrors ?? true,
      slowerThanMs: options.slowerThanMs ?? Number.POSITIVE_INFINITY,
      otherwise: options.otherwise ?? 0.1,
      maxTraces: options.maxTraces ?? 10_000,
      maxSpans: options.maxSpans ?? 100_000,
      maxAgeMs: options.maxAgeMs ?? 60_000,
      clock: options.clock ?? performance.now.bind(performance),
    }),
  );
}
