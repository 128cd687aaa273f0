import type { AttrValue, DevSpan } from './dev-span.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpTraceRequest } from '../otlp/otlp-json.js';

function value(v: OtlpAnyValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(value);
  if (v.kvlistValue !== undefined) return flattenAttributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** OTLP key-values as a plain object, AnyValues flattened. Pure. @internal */
export function flattenAttributes(list: readonly OtlpKeyValue[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list) out[kv.key] = value(kv.value);
  return out;
}

/**
 * One {@link DevSpan} per span of a decoded request, with the service name taken from its resource
 * (`unknown_service` when the resource has none). @internal
 *
 * @example
 * ```ts
 * const spans = flattenSpans(decodeOtlpJson(body));
 * spans[0]?.service; // 'checkout'
 * ```
 */
export function flattenSpans(request: OtlpTraceRequest): DevSpan[] {
  const spans: DevSpan[] = [];
  for (const rs of request.resourceSpans) {
    const resource = flattenAttributes(rs.resource.attributes);
    const service =
      typeof resource['service.name'] === 'string' && resource['service.name'] !== '' ? resource['service.name'] : 'unknown_service';
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          name: s.name,
          kind: s.kind,
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          statusCode: s.status.code,
          statusMessage: s.status.message,
          service,
          attributes: flattenAttributes(s.attributes),
          events: s.events.map((e) => ({ name: e.name, attributes: flattenAttributes(e.attributes) })),
          source: { resource: rs.resource, scope: ss.scope, span: s },
        });
      }
    }
  }
  return spans;
}
