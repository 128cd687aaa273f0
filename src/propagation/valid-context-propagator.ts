import {
  isSpanContextValid,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { debug } from '../internal/log.js';

const LOWER_HEX = /^[0-9a-f]+$/;

/**
 * Wraps the configured propagators so extraction never yields an invalid remote parent: some propagators
 * (the Jaeger one, for `uber-trace-id: 0:0:0:1`) put all-zero ids in the context. Such a context is dropped, and
 * spans started in it begin a fresh trace with no trace of the bad header. Upper-case hex ids (accepted by the
 * Jaeger and B3 propagators) are lower-cased so the traceparent sent on is valid. Baggage extracted alongside is kept.
 * @internal
 */
export class ValidContextPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  /**
   * Instrumentations inject from inside the app's calls (undici's diagnostics-channel subscriber runs within
   * `fetch`): a propagator that throws must not break the call, which then goes out without context.
   */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      this.inner.inject(context, carrier, setter);
    } catch (error) {
      debug(`propagation: inject failed (${(error as Error)?.message ?? String(error)}); the request goes out without trace context`);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(context, carrier, getter);
    if (extracted === context) return extracted;
    const spanContext = trace.getSpanContext(extracted);
    if (spanContext === undefined) return extracted;
    if (!isSpanContextValid(spanContext)) {
      // Restore the base context's span (if any) rather than keep the invalid one.
      const base = trace.getSpan(context);
      return base === undefined ? trace.deleteSpan(extracted) : trace.setSpan(extracted, base);
    }
    if (LOWER_HEX.test(spanContext.traceId) && LOWER_HEX.test(spanContext.spanId)) return extracted;
    // Jaeger and B3 headers may carry upper-case hex; W3C traceparent going out must be lower-case.
    return trace.setSpanContext(extracted, {
      ...spanContext,
      traceId: spanContext.traceId.toLowerCase(),
      spanId: spanContext.spanId.toLowerCase(),
    });
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
