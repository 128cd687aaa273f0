// The public surface of tracewire. Named exports only; types kept apart.
export { initTracing } from './sdk/init-tracing.js';
export { withSpan } from './api/with-span.js';
export { traced } from './api/traced.js';
export { injectContext, extractContext } from './propagation/inject-context.js';
export { parseTraceparent, formatTraceparent } from './propagation/traceparent.js';
export { ratioSampler } from './samplers/ratio-sampler.js';
export { parentBased } from './samplers/parent-based.js';
export { rateLimitingSampler, RateLimitingSampler } from './samplers/rate-limiting-sampler.js';
export { tailSampling, TailSampler } from './samplers/tail-sampling.js';
export { jaegerRemoteSampler, JaegerRemote } from './samplers/jaeger-remote-sampler.js';
export { getLogContext } from './logs/get-log-context.js';
export { resolveConfig } from './config/resolve-config.js';
export { TracewireConfigError } from './internal/errors.js';

export type { TracingHandle } from './sdk/init-tracing.js';
export type { WithSpanOptions } from './api/with-span.js';
export type { ExportStats } from './export/batch-processor.js';
export type { ParentBasedOptions } from './samplers/parent-based.js';
export type { MonotonicClock } from './samplers/rate-limiting-sampler.js';
export type { TailSamplingOptions } from './samplers/tail-sampling.js';
export type { TailSamplingStats } from './samplers/tail-sampling-processor.js';
export type {
  BatchOptions,
  ConfigResolution,
  ExporterName,
  InstrumentationName,
  JaegerRemoteOptions,
  LogLevelName,
  OtlpEncoderName,
  OtlpProtocol,
  PropagatorName,
  ResolvedConfig,
  SamplerName,
  SpanLimitOptions,
  TracewireOptions,
} from './config/types.js';
export type { Env } from './config/env.js';
export type { LogCorrelationOptions, LogFieldNames } from './logs/resolve-log-options.js';
