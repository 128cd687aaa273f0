import { context, propagation, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator } from '@opentelemetry/core';
import { TraceContextPropagator } from './trace-context-propagator.js';
import { BaggagePropagator } from './baggage-propagator.js';
import { carrierGetter, carrierSetter } from './carrier.js';

/**
 * Used when no SDK registered a propagator (the API's no-op one reports no fields),
 * so the helpers still speak W3C before or without initTracing().
 */
const fallbackPropagator: TextMapPropagator = new CompositePropagator({
  propagators: [new TraceContextPropagator(), new BaggagePropagator()],
});

/** The registered propagator, or the W3C fallback while none is registered (the API's no-op reports no fields). */
function activePropagator(): Pick<TextMapPropagator, 'inject' | 'extract'> {
  return propagation.fields().length === 0 ? fallbackPropagator : propagation;
}

/**
 * Writes the trace context (and baggage) of `ctx` into `carrier`, using the configured propagators
 * (OTEL_PROPAGATORS; W3C traceparent/tracestate/baggage by default, also when tracing is not initialised).
 * Works with plain objects (HTTP, Kafka, AMQP headers), `Map`s and objects with `set` (gRPC `Metadata`, `Headers`).
 * Never throws; returns the carrier.
 *
 * @example
 * ```ts
 * const headers = injectContext({});            // { traceparent: '00-…-…-01' }
 * await producer.send({ topic, messages: [{ value, headers }] });
 * ```
 */
export function injectContext<C>(carrier: C, ctx: Context = context.active()): C {
  try {
    activePropagator().inject(ctx, carrier, carrierSetter);
  } catch {
    // A propagator failed on an unusual carrier: the message goes out without context.
  }
  return carrier;
}

/**
 * Reads the trace context (and baggage) from `carrier` and returns a Context whose parent is the remote span.
 * A missing or malformed header never throws: the returned context then has no remote parent
 * (spans started in it begin a new trace), and the `base` context is returned unchanged.
 *
 * @example
 * ```ts
 * const ctx = extractContext(message.headers);
 * await context.with(ctx, () => withSpan('process order', handle));
 * ```
 */
export function extractContext(carrier: unknown, base: Context = context.active()): Context {
  try {
    return activePropagator().extract(base, carrier, carrierGetter);
  } catch {
    return base;
  }
}
