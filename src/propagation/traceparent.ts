import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

// version "-" trace-id "-" parent-id "-" flags, then (only for versions after 00) more "-"-prefixed fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const HEX_ID = /^[0-9a-f]+$/;

/**
 * Parses a W3C `traceparent` header into a remote SpanContext, or returns `null` when it is not valid:
 * wrong shape, uppercase hex, version `ff`, all-zero ids, extra fields on version 00.
 * A future version (above 00) is read by its first four fields, as the W3C spec requires.
 * Surrounding whitespace is ignored. Never throws.
 *
 * @example
 * ```ts
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf9…', spanId: '00f0…', traceFlags: 1, isRemote: true }
 * ```
 */
export function parseTraceparent(header: unknown): SpanContext | null {
  if (typeof header !== 'string' || header.length > 512) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return null;
  if (version === '00' && rest !== undefined) return null;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : null;
}

/**
 * Formats a SpanContext as a W3C `traceparent` header (`00-<trace-id>-<span-id>-<flags>`),
 * or returns `null` when the context is invalid (all-zero or malformed ids). Never throws.
 *
 * @example
 * ```ts
 * formatTraceparent(trace.getActiveSpan()!.spanContext()); // '00-4bf9…-00f0…-01'
 * ```
 */
export function formatTraceparent(spanContext: SpanContext | null | undefined): string | null {
  if (spanContext == null || typeof spanContext !== 'object') return null;
  try {
    // Read once: a getter may throw, or answer differently on a second read.
    const { traceId, spanId, traceFlags } = spanContext;
    if (typeof traceId !== 'string' || typeof spanId !== 'string' || !isSpanContextValid({ traceId, spanId, traceFlags: 0 })) return null;
    if (!HEX_ID.test(traceId) || !HEX_ID.test(spanId)) return null;
    const flags = (Number(traceFlags) & 0xff).toString(16).padStart(2, '0');
    return `00-${traceId}-${spanId}-${flags}`;
  } catch {
    return null;
  }
}
