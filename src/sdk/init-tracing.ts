import { context, diag, DiagConsoleLogger, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { describeConfig } from '../config/describe-config.js';
import type { ResolvedConfig, TracewireOptions } from '../config/types.js';
import type { ExportStats } from '../export/batch-processor.js';
import { createBatchProcessors } from '../export/create-exporters.js';
import { loadInstrumentations } from '../instrumentations/load-instrumentations.js';
import { hookLaterImports } from '../register/hook-later-imports.js';
import { globalState } from '../internal/global-state.js';
import { debug, warn } from '../internal/log.js';
import { maskUrl } from '../internal/mask-url.js';
import { VERSION } from '../internal/version.js';
import { createSampler } from '../samplers/create-sampler.js';
import { createPipeline } from './create-pipeline.js';
import { createResource } from './create-resource.js';
import { TracewireTracerProvider } from './tracewire-tracer-provider.js';
import { diagnoseConfig, diagnoseRuntime } from '../config/diagnose-config.js';
import { startLifecycle, type RunningParts } from './tracing-lifecycle.js';
import { LOG_LEVELS, resolveOptions } from './resolve-options.js';
import { appRoot } from './app-root.js';

/** What {@link initTracing} returns. */
export interface TracingHandle {
  /** A tracer of the registered provider, for manual spans. */
  readonly tracer: Tracer;
  /** The configuration in effect (frozen). */
  readonly config: ResolvedConfig;
  /** False when OTEL_SDK_DISABLED / `disabled` turned tracing off. */
  readonly enabled: boolean;
  /** Exports every ended span now. Resolves when done; never rejects. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and removes the signal handlers. Resolves when done; never rejects. */
  shutdown(): Promise<void>;
  /** Exported, dropped and failed span counts since start. */
  stats(): ExportStats;
}

function disabledHandle(config: ResolvedConfig): TracingHandle {
  return Object.freeze({
    tracer: trace.getTracer('tracewire', VERSION),
    config,
    enabled: false,
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      globalState().handle = undefined;
      return Promise.resolve();
    },
    stats: () => ({ exported: 0, dropped: 0, failed: 0, queued: 0 }),
  });
}

/**
 * Registers tracewire's context manager, propagator and tracer provider (each only where no other SDK registered one
 * first, with a warning otherwise), and loads and enables the instrumentations of the libraries the app has installed.
 */
function startTracing(config: ResolvedConfig, root: string): RunningParts {
  for (const problem of [...diagnoseConfig(config), ...diagnoseRuntime(root)]) warn(problem);

  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(contextManager);
  if (!ownsContext) warn('another OpenTelemetry SDK already registered a context manager; tracewire will use it.');
  const pipeline = createPipeline(config);
  const ownsPropagator = propagation.setGlobalPropagator(pipeline.propagator);

  // Instrumentations first: they must patch http before the exporter's transport loads it.
  const instrumentations: Instrumentation[] = loadInstrumentations(
    config.instrumentations,
    root,
    pipeline.instrumentationConfigs,
    config.httpServer,
    config.expressLayers,
  );

  const batchProcessors = createBatchProcessors(config);
  const sampling = createSampler(config, [...pipeline.firstProcessors, ...config.spanProcessors, ...batchProcessors]);
  const provider = new TracewireTracerProvider({
    resource: createResource(config),
    sampler: sampling.sampler,
    spanLimits: { ...config.spanLimits },
    spanProcessors: sampling.processors,
    contextManager: ownsContext ? contextManager : undefined,
  });
  const ownsProvider = trace.setGlobalTracerProvider(provider);
  if (!ownsProvider) {
    warn('another OpenTelemetry SDK already registered a tracer provider; spans from the global API go there, not to tracewire.');
  }
  for (const instrumentation of instrumentations) {
    try {
      instrumentation.setTracerProvider(provider);
      instrumentation.enable();
    } catch (error) {
      warn(`could not enable instrumentation ${instrumentation.instrumentationName}: ${(error as Error).message}`);
    }
  }
  // Without --import/--require tracewire/register: what the app imports from now on is instrumented too.
  hookLaterImports(instrumentations, import.meta.url);
  return {
    config,
    provider,
    batchProcessors,
    instrumentations,
    contextManager,
    owns: { provider: ownsProvider, propagator: ownsPropagator, context: ownsContext },
  };
}

/**
 * Starts tracing for this process: builds the tracer provider (batching, OTLP/HTTP export to Jaeger or Tempo),
 * registers it with the OpenTelemetry API with the configured propagators, enables the instrumentations
 * of the libraries the app has installed, and flushes on SIGTERM/SIGINT/beforeExit.
 * Options in code win over OTEL_* environment variables, which win over defaults (see README "Configuration").
 * Invalid options throw one {@link TracewireConfigError}; invalid environment values warn and fall back.
 * A second call warns and returns the first handle.
 *
 * Libraries are instrumented when they are loaded after this call (fastify and fetch whenever they were loaded).
 * Modules an ES module app imports with `await import()` afterwards are instrumented too (hooks registered with
 * `module.registerHooks`, Node.js 22.22.3+/24.11.1+); its static imports are not, as Node.js loads them all before
 * any module body runs: start such an app with `node --import tracewire/register app.mjs`, or load it with
 * `await import('./app.mjs')` after this call (README "Set up tracing in code"). A library loaded too early is
 * named in a startup warning.
 *
 * @example
 * ```ts
 * import { initTracing } from 'tracewire';
 * const tracing = initTracing({ serviceName: 'checkout', endpoint: 'http://localhost:4318' });
 * // … later, e.g. in tests:
 * await tracing.shutdown();
 * ```
 */
export function initTracing(options: TracewireOptions = {}): TracingHandle {
  const state = globalState();
  if (state.handle !== undefined) {
    warn('initTracing() was called more than once; returning the handle of the first call (the options of this call are ignored).');
    return state.handle as TracingHandle;
  }
  const config = resolveOptions(options);
  if (config.logLevel !== 'warn' || process.env.OTEL_LOG_LEVEL !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: LOG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  }
  debug(`tracewire ${VERSION} resolved configuration:\n${describeConfig(config)}`);

  if (config.disabled) {
    debug('tracing is disabled (OTEL_SDK_DISABLED=true or disabled: true): nothing is registered or exported');
    const handle = disabledHandle(config);
    state.handle = handle;
    return handle;
  }

  const parts = startTracing(config, appRoot());
  const tracer = parts.provider.getTracer('tracewire', VERSION);
  // The lifecycle asks for the handle only at shutdown, after it exists.
  const { forceFlush, shutdown } = startLifecycle(parts, tracer, () => handle);
  const { batchProcessors } = parts;
  const handle: TracingHandle = Object.freeze({
    tracer,
    config,
    enabled: true,
    forceFlush,
    shutdown,
    stats(): ExportStats {
      const total: ExportStats = { exported: 0, dropped: 0, failed: 0, queued: 0 };
      for (const p of batchProcessors) {
        const s = p.getStats();
        total.exported += s.exported;
        total.dropped += s.dropped;
        total.failed += s.failed;
        total.queued += s.queued;
      }
      return total;
    },
  });
  state.handle = handle;
  if (parts.owns.provider) state.tracer = handle.tracer;
  if (parts.owns.context) state.contextManager = parts.contextManager;
  debug(
    `tracing started: service ${config.serviceName}, ${parts.instrumentations.length} instrumentations, exporting to ${config.exporters.map((e) => (e === 'otlp' ? `${maskUrl(config.tracesEndpoint)} (${config.protocol})` : typeof e === 'string' ? e : e.constructor?.name)).join(', ') || 'nowhere'}`,
  );
  return handle;
}
