import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import {
  OtlpDecodeError,
  OtlpTooManySpansError,
  UNLIMITED,
  type DecodeLimits,
  type OtlpAnyValue,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpLink,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpTraceRequest,
} from './otlp-json.js';

// Field numbers of opentelemetry/proto/{collector/trace,trace,common,resource}/v1/*.proto. Fields not listed
// here (dropped counts, entity refs, deprecated ones) are skipped, as protobuf readers must.
const MAX_DEPTH = 32;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function expectWire(actual: WireType, expected: WireType, what: string): void {
  if (actual !== expected) throw new OtlpDecodeError(`malformed protobuf: ${what} has wire type ${actual}, expected ${expected}`);
}

/** A reader over the bytes of the length-delimited field at the reader's position. */
function sub(reader: BinaryReader, wire: WireType, what: string): BinaryReader {
  expectWire(wire, WireType.LengthDelimited, what);
  return new BinaryReader(reader.bytes());
}

function readBytesField(r: BinaryReader, wire: WireType, what: string): Uint8Array {
  expectWire(wire, WireType.LengthDelimited, what);
  return r.bytes();
}

/** Spans still allowed in this request, and the limits. */
interface Budget {
  spansLeft: number;
  readonly limits: DecodeLimits;
}

/** True when `length` entries are already in a list: the next is skipped (not decoded) and counted. */
function full(length: number, budget: Budget): boolean {
  if (length < budget.limits.maxListLength) return false;
  budget.limits.skipped++;
  return true;
}

function anyValue(r: BinaryReader, depth: number, budget: Budget): OtlpAnyValue {
  if (depth > MAX_DEPTH) throw new OtlpDecodeError(`malformed protobuf: attribute values nested deeper than ${MAX_DEPTH}`);
  const value: OtlpAnyValue = {};
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) value.stringValue = (expectWire(wire, WireType.LengthDelimited, 'AnyValue.string_value'), r.string());
    else if (field === 2) value.boolValue = (expectWire(wire, WireType.Varint, 'AnyValue.bool_value'), r.bool());
    else if (field === 3) value.intValue = (expectWire(wire, WireType.Varint, 'AnyValue.int_value'), String(r.int64()));
    else if (field === 4) value.doubleValue = (expectWire(wire, WireType.Bit64, 'AnyValue.double_value'), r.double());
    else if (field === 5) {
      const values: OtlpAnyValue[] = [];
      const list = sub(r, wire, 'AnyValue.array_value');
      while (list.pos < list.len) {
        const [f, w] = list.tag();
        if (f === 1 && !full(values.length, budget)) values.push(anyValue(sub(list, w, 'ArrayValue.values'), depth + 1, budget));
        else list.skip(w, f);
      }
      value.arrayValue = { values };
    } else if (field === 6) {
      const values: OtlpKeyValue[] = [];
      const list = sub(r, wire, 'AnyValue.kvlist_value');
      while (list.pos < list.len) {
        const [f, w] = list.tag();
        if (f === 1 && !full(values.length, budget)) values.push(keyValue(sub(list, w, 'KeyValueList.values'), budget, depth + 1));
        else list.skip(w, f);
      }
      value.kvlistValue = { values };
    } else if (field === 7) value.bytesValue = Buffer.from(readBytesField(r, wire, 'AnyValue.bytes_value')).toString('base64');
    else r.skip(wire, field);
  }
  return value;
}

function keyValue(r: BinaryReader, budget: Budget, depth = 0): OtlpKeyValue {
  let key = '';
  let value: OtlpAnyValue = {};
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) key = (expectWire(wire, WireType.LengthDelimited, 'KeyValue.key'), r.string());
    else if (field === 2) value = anyValue(sub(r, wire, 'KeyValue.value'), depth + 1, budget);
    else r.skip(wire, field);
  }
  return { key, value };
}

function event(r: BinaryReader, budget: Budget): OtlpEvent {
  const e: OtlpEvent = { timeUnixNano: '0', name: '', attributes: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) e.timeUnixNano = (expectWire(wire, WireType.Bit64, 'Event.time_unix_nano'), String(r.fixed64()));
    else if (field === 2) e.name = (expectWire(wire, WireType.LengthDelimited, 'Event.name'), r.string());
    else if (field === 3 && !full(e.attributes.length, budget)) e.attributes.push(keyValue(sub(r, wire, 'Event.attributes'), budget));
    else r.skip(wire, field);
  }
  return e;
}

function link(r: BinaryReader, budget: Budget): OtlpLink {
  const l: OtlpLink = { traceId: '', spanId: '', attributes: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) l.traceId = hex(readBytesField(r, wire, 'Link.trace_id'));
    else if (field === 2) l.spanId = hex(readBytesField(r, wire, 'Link.span_id'));
    else if (field === 3) l.traceState = (expectWire(wire, WireType.LengthDelimited, 'Link.trace_state'), r.string());
    else if (field === 4 && !full(l.attributes.length, budget)) l.attributes.push(keyValue(sub(r, wire, 'Link.attributes'), budget));
    else r.skip(wire, field);
  }
  return l;
}

function span(r: BinaryReader, budget: Budget): OtlpSpan {
  const s: OtlpSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
    events: [],
    links: [],
    status: { code: 0, message: '' },
  };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    switch (field) {
      case 1:
        s.traceId = hex(readBytesField(r, wire, 'Span.trace_id'));
        break;
      case 2:
        s.spanId = hex(readBytesField(r, wire, 'Span.span_id'));
        break;
      case 3:
        s.traceState = (expectWire(wire, WireType.LengthDelimited, 'Span.trace_state'), r.string());
        break;
      case 4:
        s.parentSpanId = hex(readBytesField(r, wire, 'Span.parent_span_id'));
        break;
      case 5:
        s.name = (expectWire(wire, WireType.LengthDelimited, 'Span.name'), r.string());
        break;
      case 6:
        s.kind = (expectWire(wire, WireType.Varint, 'Span.kind'), r.int32());
        break;
      case 7:
        s.startTimeUnixNano = (expectWire(wire, WireType.Bit64, 'Span.start_time_unix_nano'), String(r.fixed64()));
        break;
      case 8:
        s.endTimeUnixNano = (expectWire(wire, WireType.Bit64, 'Span.end_time_unix_nano'), String(r.fixed64()));
        break;
      case 9:
        if (full(s.attributes.length, budget)) r.skip(wire, field);
        else s.attributes.push(keyValue(sub(r, wire, 'Span.attributes'), budget));
        break;
      case 11:
        if (full(s.events.length, budget)) r.skip(wire, field);
        else s.events.push(event(sub(r, wire, 'Span.events'), budget));
        break;
      case 13:
        if (full(s.links.length, budget)) r.skip(wire, field);
        else s.links.push(link(sub(r, wire, 'Span.links'), budget));
        break;
      case 15: {
        const st = sub(r, wire, 'Span.status');
        while (st.pos < st.len) {
          const [f, w] = st.tag();
          if (f === 2) s.status.message = (expectWire(w, WireType.LengthDelimited, 'Status.message'), st.string());
          else if (f === 3) s.status.code = (expectWire(w, WireType.Varint, 'Status.code'), st.int32());
          else st.skip(w, f);
        }
        break;
      }
      case 16:
        s.flags = (expectWire(wire, WireType.Bit32, 'Span.flags'), r.fixed32());
        break;
      default:
        r.skip(wire, field);
    }
  }
  if (s.traceId.length !== 32)
    throw new OtlpDecodeError(`malformed protobuf: span "${s.name}" has a trace id of ${s.traceId.length / 2} bytes, expected 16`);
  if (s.spanId.length !== 16)
    throw new OtlpDecodeError(`malformed protobuf: span "${s.name}" has a span id of ${s.spanId.length / 2} bytes, expected 8`);
  return s;
}

function scopeSpans(r: BinaryReader, budget: Budget): OtlpScopeSpans {
  const ss: OtlpScopeSpans = { scope: { name: '' }, spans: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) {
      const sc = sub(r, wire, 'ScopeSpans.scope');
      while (sc.pos < sc.len) {
        const [f, w] = sc.tag();
        if (f === 1) ss.scope.name = (expectWire(w, WireType.LengthDelimited, 'InstrumentationScope.name'), sc.string());
        else if (f === 2) ss.scope.version = (expectWire(w, WireType.LengthDelimited, 'InstrumentationScope.version'), sc.string());
        else sc.skip(w, f);
      }
    } else if (field === 2) {
      if (--budget.spansLeft < 0) throw new OtlpTooManySpansError(budget.limits.maxSpans);
      ss.spans.push(span(sub(r, wire, 'ScopeSpans.spans'), budget));
    } else if (field === 3) ss.schemaUrl = (expectWire(wire, WireType.LengthDelimited, 'ScopeSpans.schema_url'), r.string());
    else r.skip(wire, field);
  }
  return ss;
}

function resourceSpans(r: BinaryReader, budget: Budget): OtlpResourceSpans {
  const rs: OtlpResourceSpans = { resource: { attributes: [] }, scopeSpans: [] };
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) {
      const res = sub(r, wire, 'ResourceSpans.resource');
      while (res.pos < res.len) {
        const [f, w] = res.tag();
        if (f === 1 && !full(rs.resource.attributes.length, budget))
          rs.resource.attributes.push(keyValue(sub(res, w, 'Resource.attributes'), budget));
        else res.skip(w, f);
      }
    } else if (field === 2) rs.scopeSpans.push(scopeSpans(sub(r, wire, 'ResourceSpans.scope_spans'), budget));
    else if (field === 3) rs.schemaUrl = (expectWire(wire, WireType.LengthDelimited, 'ResourceSpans.schema_url'), r.string());
    else r.skip(wire, field);
  }
  return rs;
}

/**
 * Decodes an OTLP/protobuf ExportTraceServiceRequest into its OTLP/JSON shape. Throws {@link OtlpDecodeError}
 * with a one-line message on bytes that are not such a request, and {@link OtlpTooManySpansError} as soon as more
 * than `limits.maxSpans` spans were found (before decoding the rest). List entries beyond `limits.maxListLength` are
 * skipped without being decoded, and counted in `limits.skipped`. @internal
 *
 * @example
 * ```ts
 * const request = decodeOtlpProtobuf(body); // body: the bytes POSTed to /v1/traces
 * request.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.traceId; // '4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function decodeOtlpProtobuf(bytes: Uint8Array, limits: DecodeLimits = UNLIMITED()): OtlpTraceRequest {
  const request: OtlpTraceRequest = { resourceSpans: [] };
  const budget: Budget = { spansLeft: limits.maxSpans, limits };
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1) request.resourceSpans.push(resourceSpans(sub(r, wire, 'ExportTraceServiceRequest.resource_spans'), budget));
      else r.skip(wire, field);
    }
  } catch (error) {
    if (error instanceof OtlpDecodeError || error instanceof OtlpTooManySpansError) throw error;
    throw new OtlpDecodeError(`malformed protobuf: ${(error as Error).message}`);
  }
  return request;
}
