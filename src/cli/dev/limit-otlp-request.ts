import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpSpan, OtlpTraceRequest } from '../otlp/otlp-json.js';

/** Limits `tracewire dev` applies to every decoded request before keeping any of it. @internal */
export interface IngestLimits {
  /** Longest string kept (attribute values and keys, names, messages), in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Most entries kept in one list (attributes, events, links, array and kvlist values). */
  readonly maxListLength: number;
}

/** The defaults: the SDK's count limits (128), and strings cut at 8192 characters. @internal */
export const INGEST_LIMITS: IngestLimits = Object.freeze({ maxStringLength: 8192, maxListLength: 128 });

/** What {@link limitOtlpRequest} cut. @internal */
export interface IngestCuts {
  /** Strings shortened to `maxStringLength`. */
  strings: number;
  /** List entries left out beyond `maxListLength`. */
  entries: number;
}

/**
 * A copy of the first `max` code units that owns its memory: V8's `slice` of a long string is a view that keeps
 * the whole original alive, which is exactly what truncation must not do. A surrogate pair is not split.
 */
function cut(text: string, max: number, cuts: IngestCuts): string {
  if (text.length <= max) return text;
  cuts.strings++;
  const end = max > 0 && (text.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return Buffer.from(text.slice(0, end), 'utf8').toString('utf8');
}

function shorten<T>(list: T[], limits: IngestLimits, cuts: IngestCuts): T[] {
  if (list.length <= limits.maxListLength) return list;
  cuts.entries += list.length - limits.maxListLength;
  list.length = limits.maxListLength;
  return list;
}

function limitValue(value: OtlpAnyValue, limits: IngestLimits, cuts: IngestCuts): void {
  if (value.stringValue !== undefined) value.stringValue = cut(value.stringValue, limits.maxStringLength, cuts);
  else if (value.bytesValue !== undefined) value.bytesValue = cut(value.bytesValue, limits.maxStringLength, cuts);
  else if (value.arrayValue !== undefined) {
    for (const v of shorten(value.arrayValue.values, limits, cuts)) limitValue(v, limits, cuts);
  } else if (value.kvlistValue !== undefined) limitAttributes(value.kvlistValue.values, limits, cuts);
}

function limitAttributes(list: OtlpKeyValue[], limits: IngestLimits, cuts: IngestCuts): void {
  for (const kv of shorten(list, limits, cuts)) {
    kv.key = cut(kv.key, limits.maxStringLength, cuts);
    limitValue(kv.value, limits, cuts);
  }
}

function limitSpan(span: OtlpSpan, limits: IngestLimits, cuts: IngestCuts): void {
  const max = limits.maxStringLength;
  span.name = cut(span.name, max, cuts);
  if (span.traceState !== undefined) span.traceState = cut(span.traceState, max, cuts);
  span.status.message = cut(span.status.message, max, cuts);
  limitAttributes(span.attributes, limits, cuts);
  for (const event of shorten(span.events, limits, cuts)) {
    event.name = cut(event.name, max, cuts);
    limitAttributes(event.attributes, limits, cuts);
  }
  for (const link of shorten(span.links, limits, cuts)) {
    if (link.traceState !== undefined) link.traceState = cut(link.traceState, max, cuts);
    limitAttributes(link.attributes, limits, cuts);
  }
}

function limitResourceSpans(rs: OtlpResourceSpans, limits: IngestLimits, cuts: IngestCuts): void {
  const max = limits.maxStringLength;
  if (rs.schemaUrl !== undefined) rs.schemaUrl = cut(rs.schemaUrl, max, cuts);
  limitAttributes(rs.resource.attributes, limits, cuts);
  for (const ss of rs.scopeSpans) {
    ss.scope.name = cut(ss.scope.name, max, cuts);
    if (ss.scope.version !== undefined) ss.scope.version = cut(ss.scope.version, max, cuts);
    if (ss.schemaUrl !== undefined) ss.schemaUrl = cut(ss.schemaUrl, max, cuts);
    for (const span of ss.spans) limitSpan(span, limits, cuts);
  }
}

/**
 * Applies the receiver's ingest limits to a freshly decoded request, in place (the decoders build new objects, so
 * nothing the caller shares is changed): every string is cut to `maxStringLength`, every list to `maxListLength`,
 * as the SDK's span limits do. The number of spans is not limited here (the assembler's budgets do that). Returns
 * what was cut, so the receiver can say so. Pure apart from the mutation; never throws on a decoded request. @internal
 *
 * @example
 * ```ts
 * const request = decodeOtlpJson(body);
 * const cuts = limitOtlpRequest(request, INGEST_LIMITS); // { strings: 1, entries: 0 } for one 60 MiB attribute
 * ```
 */
export function limitOtlpRequest(request: OtlpTraceRequest, limits: IngestLimits = INGEST_LIMITS): IngestCuts {
  const cuts: IngestCuts = { strings: 0, entries: 0 };
  for (const rs of request.resourceSpans) limitResourceSpans(rs, limits, cuts);
  return cuts;
}
