import {
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

/** The trace context header of Jaeger's native propagation format. */
export const UBER_TRACE_ID_HEADER = 'uber-trace-id';
/** Baggage travels in one header per entry: `uberctx-{key}: {url-encoded value}`. */
export const UBER_BAGGAGE_PREFIX = 'uberctx-';

/** A header name is an RFC 9110 token: baggage keys that are not one cannot be sent as `uberctx-{key}`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `{trace-id}:{span-id}:{parent-span-id}:{flags}`, ids in hex of at most 32 and 16 digits, flags one byte in hex. */
const UBER_TRACE_ID = /^([0-9a-f]{1,32}):([0-9a-f]{1,16}):([0-9a-f]{1,16}):([0-9a-f]{1,2})$/i;
/** Jaeger's flags: bit 0 sampled, bit 1 debug (which implies sampled). */
const JAEGER_SAMPLED = 0x01;
const JAEGER_DEBUG = 0x02;

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Jaeger's native propagation format (`OTEL_PROPAGATORS=jaeger`), written in tracewire from the format's
 * documentation because the OpenTelemetry package for it is not published for OpenTelemetry JS 3.x.
 *
 * - Inject: `uber-trace-id: {trace-id}:{span-id}:0:{flags}` (32 and 16 lower-case hex digits, the deprecated
 *   parent id `0`, flags `01` when sampled and `00` when not), and one `uberctx-{key}` header per baggage entry
 *   with the value percent-encoded, so every header written is a valid header value. Entries whose key is not a
 *   valid header-name token are not sent. Nothing is injected for an invalid span context or with tracing suppressed.
 * - Extract: the header as Jaeger clients send it, also percent-encoded (`%3A`), ids shorter than full length
 *   left-padded with zeros; the sampled and debug flags both mean sampled. Anything malformed is ignored.
 * For the same contexts this writes the same headers as `@opentelemetry/propagator-jaeger` 2.x did
 * (test/unit/jaeger-propagator.test.ts compares with recorded output), except that it never writes a header value
 * or name that Node.js would reject.
 * @internal
 */
export class JaegerPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext !== undefined && isSpanContextValid(spanContext) && !isTracingSuppressed(context)) {
      const flags = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
      setter.set(carrier, UBER_TRACE_ID_HEADER, `${spanContext.traceId}:${spanContext.spanId}:0:${flags}`);
    }
    const baggage = propagation.getBaggage(context);
    if (baggage === undefined) return;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (TOKEN.test(key)) setter.set(carrier, UBER_BAGGAGE_PREFIX + key, encodeURIComponent(entry.value));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    const header = first(getter.get(carrier, UBER_TRACE_ID_HEADER));
    if (typeof header === 'string') {
      const match = UBER_TRACE_ID.exec(decode(header.trim()) ?? '');
      if (match !== null) {
        const spanContext = {
          traceId: match[1]!.toLowerCase().padStart(32, '0'),
          spanId: match[2]!.toLowerCase().padStart(16, '0'),
          traceFlags: parseInt(match[4]!, 16) & (JAEGER_SAMPLED | JAEGER_DEBUG) ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        };
        if (isSpanContextValid(spanContext)) result = trace.setSpanContext(result, spanContext);
      }
    }
    let baggage = propagation.getBaggage(context);
    for (const name of getter.keys(carrier)) {
      if (name.length <= UBER_BAGGAGE_PREFIX.length || name.slice(0, UBER_BAGGAGE_PREFIX.length).toLowerCase() !== UBER_BAGGAGE_PREFIX)
        continue;
      const raw = first(getter.get(carrier, name));
      const value = typeof raw === 'string' ? decode(raw) : undefined;
      if (value === undefined) continue;
      baggage = (baggage ?? propagation.createBaggage()).setEntry(name.slice(UBER_BAGGAGE_PREFIX.length), { value });
    }
    return baggage === undefined || baggage === propagation.getBaggage(context) ? result : propagation.setBaggage(result, baggage);
  }

  fields(): string[] {
    return [UBER_TRACE_ID_HEADER];
  }
}
