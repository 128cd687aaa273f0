import { INVALID_SPANID, INVALID_TRACEID, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import { KNOWN_TRACE_FLAGS } from './trace-flags.js';

// version "-" trace-id "-" parent-id "-" flags, then (only for versions after 00) more "-"-prefixed fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const HEX_ID = /^[0-9a-f]+$/;
const FLAGS_FIELD: readonly string[] = ['00', '01', '02', '03'];

/**
 * Parses a W3C `traceparent` header into a remote SpanContext, or returns `null` when it is not valid:
 * wrong shape, uppercase hex, version `ff`, all-zero ids, extra fields on version 00.
 * A future version (above 00) is read by its first four fields, as the W3C spec requires.
 * The trace flags keep the bits Trace Context Level 2 defines, sampled (`01`) and random-trace-id (`02`);
 * the reserved ones are ignored. Surrounding whitespace is ignored. Never throws.
 *
 * @example
 * ```ts
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03');
 * // { traceId: '4bf9…', spanId: '00f0…', traceFlags: 3, isRemote: true }
 * ```
 */
export function parseTraceparent(header: unknown): SpanContext | null {
  if (typeof header !== 'string' || header.length > 512) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return null;
  if (version === '00' && rest !== undefined) return null;
  // The pattern admits only lower-case hex ids of the right lengths: all zeros is the one invalid value left.
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return null;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & KNOWN_TRACE_FLAGS, isRemote: true };
}

/**
 * Formats a SpanContext as a W3C `traceparent` header (`00-<trace-id>-<span-id>-<flags>`),
 * or returns `null` when the context is invalid (all-zero or malformed ids). The flags are the sampled and
 * random-trace-id bits; reserved bits are written as zero, as the spec requires. Never throws.
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
    const flags = FLAGS_FIELD[Number(traceFlags) & KNOWN_TRACE_FLAGS]!;
    return `00-${traceId}-${spanId}-${flags}`;
  } catch {
    return null;
  }
}
