import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan } from '../otlp/otlp-json.js';

/** Attribute values after flattening OTLP's AnyValue. @internal */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** OTLP span kinds (SPAN_KIND_*), as numbered on the wire. @internal */
export const SPAN_KIND = Object.freeze({ UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 });
/** OTLP status codes. @internal */
export const STATUS_CODE = Object.freeze({ UNSET: 0, OK: 1, ERROR: 2 });

/**
 * One span as `tracewire dev` analyses it: ids in hex, times in nanoseconds since the epoch, the service
 * from its resource, attributes flattened. `source` keeps the OTLP/JSON it came from (for `--jsonl`). @internal
 */
export interface DevSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly service: string;
  readonly attributes: Readonly<Record<string, AttrValue>>;
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, AttrValue>> }>;
  readonly source?: { readonly resource: OtlpResourceSpans['resource']; readonly scope: OtlpScopeSpans['scope']; readonly span: OtlpSpan };
}
