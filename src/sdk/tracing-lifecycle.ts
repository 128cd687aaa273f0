import { context, propagation, trace } from '@opentelemetry/api';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ResolvedConfig } from '../config/types.js';
import type { BatchProcessor } from '../export/batch-processor.js';
import type { ExportControl } from '../internal/export-control.js';
import { globalState } from '../internal/global-state.js';
import { debug, warn } from '../internal/log.js';
import { installShutdownHandlers, withTimeout } from './install-shutdown-handlers.js';
import type { TracewireTracerProvider } from './tracewire-tracer-provider.js';

/** What initTracing built and registered, as the lifecycle needs it. @internal */
export interface RunningParts {
  readonly config: ResolvedConfig;
  readonly provider: TracewireTracerProvider;
  readonly batchProcessors: readonly BatchProcessor[];
  readonly instrumentations: readonly Instrumentation[];
  readonly contextManager: AsyncLocalStorageContextManager;
  /** Which globals tracewire registered (and so may disable at shutdown). */
  readonly owns: { readonly provider: boolean; readonly propagator: boolean; readonly context: boolean };
}

/** Flush and shutdown of a running tracewire, and its handlers for signals and exit. @internal */
export interface Lifecycle {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The reports of a flush that did not finish in time: one line with the spans not exported, then the totals.
 * The signal path and shutdown() bound the same flush, so the line is printed once.
 */
function timeoutReporter(config: ResolvedConfig, batchProcessors: readonly BatchProcessor[]): (where: string) => void {
  let reported = false;
  return (where) => {
    if (reported) return;
    reported = true;
    const pending = batchProcessors.reduce((n, p) => n + p.pendingSpans(), 0);
    warn(
      `${where}: the span flush did not finish within ${config.shutdownTimeoutMs} ms (TRACEWIRE_SHUTDOWN_TIMEOUT); ` +
        `${pending} spans (queued spans and the batch in flight) were not exported. Remedy: check the collector, or raise TRACEWIRE_SHUTDOWN_TIMEOUT.`,
    );
    // The spans not exported are counted above: the totals line gives the dropped and failed ones.
    for (const processor of batchProcessors) processor.reportTotals(false);
  };
}

/** Disables the instrumentations, best effort. */
function disableInstrumentations(instrumentations: readonly Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    try {
      instrumentation.disable();
    } catch {
      // Disabling is best effort.
    }
  }
}

/** Disables the globals tracewire registered, and forgets its state. */
function releaseGlobals(parts: RunningParts, tracer: unknown, handle: unknown): void {
  const state = globalState();
  if (state.tracer === tracer) state.tracer = undefined;
  if (state.contextManager === parts.contextManager) state.contextManager = undefined;
  // Only the globals tracewire registered: another SDK's provider, propagator or context manager keeps working.
  if (parts.owns.provider) trace.disable();
  if (parts.owns.propagator) propagation.disable();
  if (parts.owns.context) context.disable();
  else parts.contextManager.disable();
  if (state.handle === handle) state.handle = undefined;
}

/**
 * Flush and shutdown for `parts`, with the signal and exit handlers the configuration asks for. Exports do not keep
 * the process alive while tracewire's exit handling is installed (so beforeExit comes even while one is in flight, and
 * its flush waits for it, bounded); without it they do, as the stock exporters' do. From the start of a shutdown or an
 * exit flush, exports retry only what can succeed within the shutdown bound (a refused connection fails at once).
 * `handleOf()` gives the handle once it exists (shutdown clears the global state only if it is still that handle).
 * @internal
 */
export function startLifecycle(parts: RunningParts, tracer: unknown, handleOf: () => unknown): Lifecycle {
  const { config, provider, batchProcessors } = parts;
  const reportTimeout = timeoutReporter(config, batchProcessors);
  const reportTotals = (): void => {
    for (const processor of batchProcessors) processor.reportTotals();
  };
  const letProcessExit = config.shutdownSignals !== false;
  const running: ExportControl = Object.freeze({ letProcessExit, shutdownDeadline: undefined });
  const setExportControl = (control: ExportControl): void => {
    for (const processor of batchProcessors) processor.setExportControl(control);
  };
  if (letProcessExit) setExportControl(running);
  const beginShutdown = (): void => setExportControl({ letProcessExit: true, shutdownDeadline: Date.now() + config.shutdownTimeoutMs });

  let removeHandlers: (() => void) | undefined;
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
      disableInstrumentations(parts.instrumentations);
      if ((await withTimeout(provider.shutdown(), config.shutdownTimeoutMs)) === 'timeout') reportTimeout('shutdown');
      releaseGlobals(parts, tracer, handleOf());
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
  return { forceFlush, shutdown };
}
