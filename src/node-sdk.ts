import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { resolveConfig } from './config/resolve-config.js';
import type { TracewireOptions } from './config/types.js';
import { BatchProcessor } from './export/batch-processor.js';
import { createExporters } from './export/create-exporters.js';
import { loadInstrumentations } from './instrumentations/load-instrumentations.js';
import { TracewireConfigError } from './internal/errors.js';
import { warn } from './internal/log.js';
import { createPropagator } from './propagation/create-propagator.js';
import { createSampler } from './samplers/create-sampler.js';
import { createResource } from './sdk/create-resource.js';
import { appRoot } from './sdk/init-tracing.js';

/**
 * For apps that also want OpenTelemetry metrics and logs: a NodeSDK (from the optional peer dependency
 * `@opentelemetry/sdk-node`) configured for traces exactly as {@link initTracing} would be, from the same
 * options and OTEL_* environment. Call `.start()` on it; add metric readers or log processors through `extra`.
 * Invalid options throw one TracewireConfigError, as initTracing does.
 *
 * @example
 * ```ts
 * import { createNodeSDK } from 'tracewire/node-sdk';
 * const sdk = createNodeSDK({ serviceName: 'billing' });
 * sdk.start();
 * process.on('SIGTERM', () => sdk.shutdown());
 * ```
 */
export function createNodeSDK(
  options: TracewireOptions = {},
  extra: Omit<ConstructorParameters<typeof NodeSDK>[0] & object, 'resource' | 'sampler' | 'spanProcessors' | 'textMapPropagator' | 'instrumentations' | 'spanLimits'> = {},
): NodeSDK {
  const { config, errors, warnings } = resolveConfig(options, process.env);
  if (errors.length > 0) throw new TracewireConfigError(errors);
  for (const message of warnings) warn(message);
  const spanProcessors: SpanProcessor[] = [...config.spanProcessors];
  for (const exporter of createExporters(config)) {
    spanProcessors.push(new BatchProcessor(exporter, { ...config.batch, destination: config.tracesEndpoint }));
  }
  return new NodeSDK({
    ...extra,
    autoDetectResources: false,
    resource: createResource(config),
    sampler: createSampler(config.sampler, config.samplerArg),
    spanProcessors,
    textMapPropagator: createPropagator(config.propagators),
    instrumentations: config.disabled ? [] : loadInstrumentations(config.instrumentations, appRoot()),
    spanLimits: { ...config.spanLimits },
  });
}
