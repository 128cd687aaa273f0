import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TracewireOptions } from './config/types.js';
import { createBatchProcessors } from './export/create-exporters.js';
import { loadInstrumentations } from './instrumentations/load-instrumentations.js';
import { createPipeline } from './sdk/create-pipeline.js';
import { createSampler } from './samplers/create-sampler.js';
import { createResource } from './sdk/create-resource.js';
import { PooledIdGenerator } from './sdk/pooled-id-generator.js';
import { appRoot } from './sdk/app-root.js';
import { resolveOptions } from './sdk/resolve-options.js';

/**
 * For apps that also want OpenTelemetry metrics and logs: a NodeSDK (from the optional peer dependency
 * `@opentelemetry/sdk-node`) configured for traces exactly as {@link initTracing} would be, from the same
 * options and OTEL_* environment. Call `.start()` on it; add metric readers or log processors through `extra`.
 * With a metric reader, incoming HTTP requests are measured in `http.server.request.duration` as the stock
 * `@opentelemetry/instrumentation-http` measures them (also with tracewire's own server instrumentation, the default).
 * `extra.idGenerator` replaces tracewire's pooled id generator (the default).
 * Invalid options throw one TracewireConfigError, as initTracing does.
 *
 * @example
 * ```ts
 * import { createNodeSDK } from 'tracewire/node-sdk';
 * const sdk = createNodeSDK({ serviceName: 'billing' });
 * sdk.start();
 * // with metrics: createNodeSDK({ serviceName: 'billing' }, { metricReaders: [new PeriodicExportingMetricReader({ exporter })] })
 * process.on('SIGTERM', () => sdk.shutdown());
 * ```
 */
export function createNodeSDK(
  options: TracewireOptions = {},
  extra: Omit<
    ConstructorParameters<typeof NodeSDK>[0] & object,
    'resource' | 'sampler' | 'spanProcessors' | 'textMapPropagator' | 'instrumentations' | 'spanLimits'
  > = {},
): NodeSDK {
  const config = resolveOptions(options);
  const pipeline = createPipeline(config);
  const sampling = createSampler(config, [...pipeline.firstProcessors, ...config.spanProcessors, ...createBatchProcessors(config)]);
  return new NodeSDK({
    ...extra,
    autoDetectResources: false,
    resource: createResource(config),
    sampler: sampling.sampler,
    // Your own idGenerator wins; the SDK's tracer sets only the sampled flag either way (no W3C random-trace-id flag).
    idGenerator: extra.idGenerator ?? new PooledIdGenerator(),
    spanProcessors: sampling.processors,
    textMapPropagator: pipeline.propagator,
    instrumentations: config.disabled
      ? []
      : loadInstrumentations(config.instrumentations, appRoot(), pipeline.instrumentationConfigs, config.httpServer, config.expressLayers),
    spanLimits: { ...config.spanLimits },
  });
}
