import { trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import { parseTraceState } from './trace-state.js';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const FIELDS: readonly string[] = [TRACEPARENT, TRACESTATE];

/**
 * The `tracecontext` propagator: W3C Trace Context Level 2, in place of `@opentelemetry/core`'s
 * `W3CTraceContextPropagator`, from which it differs where the spec requires it:
 * - trace flags: the sampled and random-trace-id bits are kept as received and sent on; reserved bits are
 *   ignored on receipt and sent as zero (stock keeps and writes the whole byte, `0ff` for `ff`);
 * - traceparent: several traceparent fields are invalid (stock takes the first); optional whitespace
 *   (spaces and tabs) around it of any length (stock: one character);
 * - tracestate: the Level 2 key grammar (a digit may start a key, `@` anywhere after the first character), and
 *   an invalid header (a bad member, more than 32 members) is discarded as a whole, where stock drops the bad
 *   members one by one and keeps the first 32. Of duplicate keys the left-most is kept (stock: the last value).
 *   At most 512 characters are kept and sent on, truncated by whole entries (longer than 128 characters first).
 * Never throws on any carrier.
 * @internal
 */
export class TraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || isTracingSuppressed(context)) return;
    const traceparent = formatTraceparent(spanContext);
    if (traceparent === null) return;
    setter.set(carrier, TRACEPARENT, traceparent);
    // The spec asks not to send an empty tracestate.
    const traceState = spanContext.traceState?.serialize();
    if (typeof traceState === 'string' && traceState !== '') setter.set(carrier, TRACESTATE, traceState);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let traceparent: unknown = getter.get(carrier, TRACEPARENT);
    // Several traceparent fields make the header invalid: the trace restarts.
    if (Array.isArray(traceparent)) traceparent = traceparent.length === 1 ? traceparent[0] : undefined;
    const spanContext = parseTraceparent(traceparent);
    if (spanContext === null) return context;
    // Several tracestate fields are combined as RFC 9110 says; a tracestate that is invalid is discarded.
    const header: unknown = getter.get(carrier, TRACESTATE);
    const combined = Array.isArray(header) ? header.join(',') : header;
    if (typeof combined === 'string') {
      const traceState = parseTraceState(combined);
      if (traceState !== null) spanContext.traceState = traceState;
    }
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return FIELDS.slice();
  }
}
