import { context, ROOT_CONTEXT, type Context, type Link, type SpanKind, type Attributes } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { JaegerRemoteSampler as JaegerRemoteSamplerClass } from '@opentelemetry/sampler-jaeger-remote';
import { createRequire } from 'node:module';
import type { JaegerRemoteOptions } from '../config/types.js';
import { JAEGER_REMOTE_DEFAULTS } from '../config/resolve-sampler.js';
import { warn } from '../internal/log.js';

const localRequire = createRequire(import.meta.url);

/**
 * The `jaeger_remote` sampler: @opentelemetry/sampler-jaeger-remote, loaded only when configured, with three
 * fixes around it. Its polling timer is unref'd (so it never keeps the process alive) and stopped at shutdown;
 * the first strategy is fetched at start rather than one interval later; and its requests are not traced.
 * A failing sampling endpoint is reported once. Create one with {@link jaegerRemoteSampler}.
 *
 * @example
 * ```ts
 * const remote = jaegerRemoteSampler({ serviceName: 'checkout' });
 * remote.shutdown(); // stop polling
 * ```
 */
export class JaegerRemote implements Sampler {
  private readonly remote: JaegerRemoteSamplerClass;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly url: string;

  constructor(settings: Readonly<Required<JaegerRemoteOptions>>, serviceName: string) {
    const { JaegerRemoteSampler } = localRequire('@opentelemetry/sampler-jaeger-remote') as typeof import('@opentelemetry/sampler-jaeger-remote');
    this.url = `${settings.endpoint}/sampling?service=${serviceName}`;
    // The package starts a setInterval in its constructor and keeps no way to stop it: capture the handle.
    const realSetInterval = globalThis.setInterval;
    let timer: NodeJS.Timeout | undefined;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => (timer = realSetInterval(...args))) as typeof setInterval;
    try {
      // The timer's callbacks run in the context active here: with tracing suppressed, polls make no spans.
      this.remote = context.with(suppressTracing(ROOT_CONTEXT), () => new JaegerRemoteSampler({
        endpoint: settings.endpoint,
        serviceName,
        poolingInterval: settings.pollingIntervalMs,
        initialSampler: new TraceIdRatioBasedSampler(settings.initialSamplingRate),
      }));
    } finally {
      globalThis.setInterval = realSetInterval;
    }
    this.timer = timer;
    this.timer?.unref();
    void context.with(suppressTracing(ROOT_CONTEXT), () => this.firstFetch(settings.initialSamplingRate));
  }

  private async firstFetch(initialRate: number): Promise<void> {
    try {
      // Not part of the package's typed surface; it is the method its own timer calls.
      await (this.remote as unknown as { getAndUpdateSampler(): Promise<void> }).getAndUpdateSampler();
    } catch (error) {
      const { message, cause } = error as Error & { cause?: { code?: string } };
      warn(
        `Jaeger remote sampling: ${this.url} failed (${cause?.code ?? message}); keeping ${initialRate} of new traces (initialSamplingRate) ` +
          'and retrying every pollingIntervalMs. Check the endpoint in OTEL_TRACES_SAMPLER_ARG (Jaeger serves it on port 5778).',
      );
    }
  }

  shouldSample(ctx: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return this.remote.shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
  }

  /** Stops polling. */
  shutdown(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  toString(): string {
    return `JaegerRemote{${this.url}}`;
  }
}

/**
 * A sampler that follows the sampling strategy a Jaeger server (or an OpenTelemetry Collector with the
 * jaegerremotesampling extension) serves for `serviceName`: probabilistic or per-operation probabilities,
 * fetched at start and every `pollingIntervalMs`, with `initialSamplingRate` until the first answer.
 * Same as `OTEL_TRACES_SAMPLER=jaeger_remote`; use the name there, or this in code to wrap it yourself.
 * Its polling never keeps the process alive; initTracing stops it at shutdown when it is the configured
 * sampler (call `shutdown()` yourself if you wrap it in another sampler).
 *
 * @example
 * ```ts
 * import { initTracing, jaegerRemoteSampler, parentBased } from 'tracewire';
 * const remote = jaegerRemoteSampler({ serviceName: 'checkout', endpoint: 'http://jaeger:5778' });
 * initTracing({ serviceName: 'checkout', sampler: remote });
 * ```
 */
export function jaegerRemoteSampler(options: JaegerRemoteOptions & { serviceName: string }): JaegerRemote {
  const { serviceName, ...settings } = options;
  return new JaegerRemote({ ...JAEGER_REMOTE_DEFAULTS, ...settings }, serviceName);
}
