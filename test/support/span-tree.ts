// Walking the parent links of received spans (from the in-process receiver, Jaeger or Tempo).
import type { ReceivedSpan } from './otlp-receiver.js';

export const parentOf = (spans: ReceivedSpan[], s: ReceivedSpan): ReceivedSpan | undefined =>
  spans.find((p) => p.spanId === s.parentSpanId);

/** True when `ancestor` is on the parent chain of `span`. */
export function descendsFrom(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  for (let p = parentOf(spans, span); p; p = parentOf(spans, p)) if (p.spanId === ancestor.spanId) return true;
  return false;
}

/** The nearest ancestor of `span` that belongs to another service (its caller across the wire). */
export function callerOf(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan | undefined {
  for (let p = parentOf(spans, span); p; p = parentOf(spans, p)) if (p.service !== span.service) return p;
  return undefined;
}
