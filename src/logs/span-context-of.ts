import { context, INVALID_TRACEID, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { HEX_BYTE } from '../internal/hex-byte.js';

/** Trace flags as the two lowercase hex digits log formats use (`01` sampled, `03` sampled with a random trace id), indexed by the flags byte. @internal */
export const FLAGS_HEX: readonly string[] = HEX_BYTE;

/**
 * The span context of the span active in `ctx` (default: the active context), or undefined when there is
 * no span or its ids are the all-zero invalid ones (a no-op tracer's span). Never throws: a broken context
 * or span implementation counts as "no span". One context lookup and one string comparison; no allocation.
 * @internal
 */
export function spanContextOf(ctx: Context | undefined): SpanContext | undefined {
  try {
    const span = trace.getSpan(ctx === undefined ? context.active() : ctx);
    if (span === undefined) return undefined;
    const spanContext = span.spanContext();
    return spanContext.traceId === INVALID_TRACEID ? undefined : spanContext;
  } catch {
    return undefined;
  }
}
