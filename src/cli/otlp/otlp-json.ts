/**
 * The OTLP/JSON shape of an ExportTraceServiceRequest, as the OTLP specification writes it: trace and span ids
 * as lower-case hex, enums as numbers, 64-bit integers as decimal strings. Both decoders of `tracewire dev`
 * produce this shape, and `--jsonl` writes it back out. @internal
 */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  bytesValue?: string;
}

/** @internal */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** @internal */
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

/** @internal */
export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: OtlpKeyValue[];
}

/** @internal */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { code: number; message: string };
  flags?: number;
}

/** @internal */
export interface OtlpScopeSpans {
  scope: { name: string; version?: string };
  spans: OtlpSpan[];
  schemaUrl?: string;
}

/** @internal */
export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** @internal */
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** What the decoders refuse to build: more spans than `maxSpans`, more list entries than `maxListLength`. @internal */
export interface DecodeLimits {
  /** More spans in one request: {@link OtlpTooManySpansError}, thrown before the rest is decoded. */
  readonly maxSpans: number;
  /** Entries of a list (attributes, events, links, array and kvlist values) beyond this are skipped, not decoded. */
  readonly maxListLength: number;
  /** Counts the entries skipped; the decoders add to it. */
  skipped: number;
}

/** No limits: everything is decoded. @internal */
export const UNLIMITED = (): DecodeLimits => ({ maxSpans: Infinity, maxListLength: Infinity, skipped: 0 });

/** A request with more spans than `tracewire dev` decodes at once; answered with HTTP 413. @internal */
export class OtlpTooManySpansError extends Error {
  readonly code = 'TRACEWIRE_OTLP_TOO_MANY_SPANS' as const;
  constructor(readonly maxSpans: number) {
    super(`more than ${maxSpans} spans in one request: send smaller batches (e.g. OTEL_BSP_MAX_EXPORT_BATCH_SIZE)`);
    this.name = 'OtlpTooManySpansError';
  }
}

/** A request body `tracewire dev` cannot decode; its message is the one line answered with HTTP 400. @internal */
export class OtlpDecodeError extends Error {
  readonly code = 'TRACEWIRE_OTLP_DECODE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}
