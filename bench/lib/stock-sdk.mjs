// The stock OpenTelemetry JS 3.x trace setup for Node.js, as its docs build it now that NodeTracerProvider and its
// register() are gone: the sdk-trace TracerProvider, registered globally with the AsyncLocalStorage context manager
// and the W3C propagators (what NodeTracerProvider.register() did in 2.x).
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';

/** A stock TracerProvider with `options`, registered as the global provider (context manager and propagators too). */
export function registerStockProvider(options) {
  const provider = new TracerProvider(options);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  return provider;
}
