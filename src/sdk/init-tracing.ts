import { context, diag, DiagConsoleLogger, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { describeConfig } from '../config/describe-config.js';
import type { ResolvedConfig, TracewireOptions } from '../config/types.js';
import type { ExportStats } from '../export/batch-processor.js';
import { createBatchProcessors } from '../export/create-exporters.js';
import { loadInstrumentations } from '../instrumentations/load-instrumentations.js';
import { hookLaterImports } from '../register/hook-later-imports.js';
import type { ExportControl } from '../internal/export-control.js';
import { globalState } from '../internal/global-state.js';
import { debug, warn } from '../internal/log.js';
import { maskUrl } from '../internal/mask-url.js';
import { VERSION } from '../internal/version.js';
import { createSampler } from '../samplers/create-sampler.js';
import { createPipeline } from './create-pipeline.js';
import { createResource } from './create-resource.js';
import { TracewireTracerProvider } from './tracewire-tracer-provider.js';
import { diagnoseConfig, diagnoseRuntime } from '../config/diagnose-config.js';
import { installShutdownHandlers, withTimeout } from './install-shutdown-handlers.js';
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

  const root = appRoot();
  for (const problem of [...diagnoseConfig(config), ...diagnoseRuntime(root)]) warn(problem);

  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(contextManager);
  if (!ownsContext) {
    warn('another OpenTelemetry SDK already registered a context manager; tracewire will use it.');
  }
  const pipeline = createPipeline(config);
  const ownsPropagator = propagation.setGlobalPropagator(pipeline.propagator);

  // Instrumentations first: they must patch http before the exporter's transport loads it.
  const instrumentations: Instrumentation[] = loadInstrumentations(
    config.instrumentations,
    root,
    pipeline.instrumentationConfigs,
    config.httpServer,
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
  const ownsGlobalProvider = trace.setGlobalTracerProvider(provider);
  if (!ownsGlobalProvider) {
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

  let removeHandlers: (() => void) | undefined;
  /** One line when a flush at shutdown or exit did not finish in time, then the dropped and failed totals. */
  let reportedTimeout = false;
  const reportTimeout = (where: string): void => {
    // The signal path and shutdown() bound the same flush: one report.
    if (reportedTimeout) return;
    reportedTimeout = true;
    const pending = batchProcessors.reduce((n, p) => n + p.pendingSpans(), 0);
    warn(
      `${where}: the span flush did not finish within ${config.shutdownTimeoutMs} ms (TRACEWIRE_SHUTDOWN_TIMEOUT); ` +
        `${pending} spans (queued spans and the batch in flight) were not exported. Remedy: check the collector, or raise TRACEWIRE_SHUTDOWN_TIMEOUT.`,
    );
    // The spans not exported are counted above: the totals line gives the dropped and failed ones.
    for (const processor of batchProcessors) processor.reportTotals(false);
  };
  const reportTotals = (): void => {
    for (const processor of batchProcessors) processor.reportTotals();
  };
  // With tracewire's exit handling installed, exports do not keep the process alive (so beforeExit comes even while
  // one is in flight, and its flush waits for it, bounded); without it, they do, as the stock exporters' do.
  const letProcessExit = config.shutdownSignals !== false;
  const running: ExportControl = Object.freeze({ letProcessExit, shutdownDeadline: undefined });
  const setExportControl = (control: ExportControl): void => {
    for (const processor of batchProcessors) processor.setExportControl(control);
  };
  if (letProcessExit) setExportControl(running);
  /**
   * From now on, exports retry only what can succeed within the shutdown bound (a refused connection fails at once),
   * and none keeps the process alive past it: the bound's own timer holds it while the flush runs.
   */
  const beginShutdown = (): void => setExportControl({ letProcessExit: true, shutdownDeadline: Date.now() + config.shutdownTimeoutMs });
  let shutdownPromise: Promise<void> | undefined;
  const forceFlush = (): Promise<void> => provider.forceFlush().catch((error: unknown) => debug(`forceFlush failed: ${String(error)}`));
  /** The flush at beforeExit or on a signal the app handles: bounded like shutdown; normal retries again after it. */
  const flushAtExit = (): Promise<void> => {
    beginShutdown();
    return forceFlush().finally(() => {
      if (shutdownPromise === undefined) setExportControl(running);
    });
  };
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      beginShutdown();
      removeHandlers?.();
      for (const instrumentation of instrumentations) {
        try {
          instrumentation.disable();
        } catch {
          // Disabling is best effort.
        }
      }
      if ((await withTimeout(provider.shutdown(), config.shutdownTimeoutMs)) === 'timeout') reportTimeout('shutdown');
      if (state.tracer === handle.tracer) state.tracer = undefined;
      if (state.contextManager === contextManager) state.contextManager = undefined;
      // Only the globals tracewire registered: another SDK's provider, propagator or context manager keeps working.
      if (ownsGlobalProvider) trace.disable();
      if (ownsPropagator) propagation.disable();
      if (ownsContext) context.disable();
      else contextManager.disable();
      if (state.handle === handle) state.handle = undefined;
    })();
    return shutdownPromise;
  };
  if (config.shutdownSignals !== false) {
    removeHandlers = installShutdownHandlers(
      { flush: flushAtExit, shutdown, reportTimeout, reportTotals },
      config.shutdownSignals,
      config.shutdownTimeoutMs,
    );
  }

  const handle: TracingHandle = Object.freeze({
    tracer: provider.getTracer('tracewire', VERSION),
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
  if (ownsGlobalProvider) state.tracer = handle.tracer;
  if (ownsContext) state.contextManager = contextManager;
  debug(
    `tracing started: service ${config.serviceName}, ${instrumentations.length} instrumentations, exporting to ${config.exporters.map((e) => (e === 'otlp' ? `${maskUrl(config.tracesEndpoint)} (${config.protocol})` : typeof e === 'string' ? e : e.constructor?.name)).join(', ') || 'nowhere'}`,
  );
  return handle;
}
