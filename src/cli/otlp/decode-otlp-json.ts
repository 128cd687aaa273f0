import {
  OtlpDecodeError,
  OtlpTooManySpansError,
  UNLIMITED,
  type DecodeLimits,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpTraceRequest,
} from './otlp-json.js';

const HEX_ID = /^[0-9a-f]+$/i;
const KINDS: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const CODES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const MAX_DEPTH = 32;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(message: string): never {
  throw new OtlpDecodeError(`malformed OTLP/JSON: ${message}`);
}

function array(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  return v;
}

function object(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(`${what} is not an object`);
  return v;
}

/** Ids are hex in OTLP/JSON; protojson (e.g. Tempo's answers) writes them in base64. */
function id(v: unknown, bytes: number, what: string, optional: boolean): string {
  if ((v === undefined || v === null || v === '') && optional) return '';
  if (typeof v !== 'string') fail(`${what} is not a string`);
  if (v.length === bytes * 2 && HEX_ID.test(v)) return v.toLowerCase();
  const decoded = Buffer.from(v, 'base64');
  if (decoded.length === bytes && decoded.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '')) return decoded.toString('hex');
  fail(`${what} ${JSON.stringify(v.slice(0, 40))} is not ${bytes} bytes of hex`);
}

/** A list, without its entries beyond `maxListLength` (counted in `skipped`). */
function list(v: unknown, what: string, limits: DecodeLimits): unknown[] {
  const all = array(v, what);
  if (all.length <= limits.maxListLength) return all;
  limits.skipped += all.length - limits.maxListLength;
  return all.slice(0, limits.maxListLength);
}

function enumValue(v: unknown, names: Readonly<Record<string, number>>, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && names[v] !== undefined) return names[v];
  return fail(`${what} ${JSON.stringify(v)} is not a known value`);
}

function nanos(v: unknown, what: string): string {
  if (v === undefined || v === null) return '0';
  if ((typeof v === 'string' && /^\d+$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return String(v);
  return fail(`${what} ${JSON.stringify(v)} is not a non-negative integer`);
}

function text(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(`${what} is not a string`);
  return v;
}

function anyValue(v: unknown, depth: number, limits: DecodeLimits): OtlpAnyValue {
  if (depth > MAX_DEPTH) fail(`attribute values nested deeper than ${MAX_DEPTH}`);
  const o = object(v, 'an attribute value');
  if (o.stringValue !== undefined) return { stringValue: String(o.stringValue) };
  if (o.boolValue !== undefined) return { boolValue: o.boolValue === true };
  if (o.intValue !== undefined) return { intValue: String(o.intValue) };
  if (o.doubleValue !== undefined) return { doubleValue: Number(o.doubleValue) };
  if (o.arrayValue !== undefined) {
    return {
      arrayValue: {
        values: list(object(o.arrayValue, 'arrayValue').values, 'arrayValue.values', limits).map((x) => anyValue(x, depth + 1, limits)),
      },
    };
  }
  if (o.kvlistValue !== undefined) {
    return { kvlistValue: { values: attributes(object(o.kvlistValue, 'kvlistValue').values, limits, depth + 1) } };
  }
  if (o.bytesValue !== undefined) return { bytesValue: String(o.bytesValue) };
  return {};
}

function attributes(v: unknown, limits: DecodeLimits, depth = 0): OtlpKeyValue[] {
  return list(v, 'attributes', limits).map((kv) => {
    const o = object(kv, 'an attribute');
    return { key: text(o.key, 'attribute key'), value: anyValue(o.value, depth + 1, limits) };
  });
}

function span(v: unknown, limits: DecodeLimits): OtlpSpan {
  const s = object(v, 'a span');
  const name = text(s.name, 'span name');
  const status = object(s.status, 'span status');
  const out: OtlpSpan = {
    traceId: id(s.traceId, 16, `span "${name}" traceId`, false),
    spanId: id(s.spanId, 8, `span "${name}" spanId`, false),
    parentSpanId: id(s.parentSpanId, 8, `span "${name}" parentSpanId`, true),
    name,
    kind: enumValue(s.kind, KINDS, 'span kind'),
    startTimeUnixNano: nanos(s.startTimeUnixNano, 'startTimeUnixNano'),
    endTimeUnixNano: nanos(s.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributes(s.attributes, limits),
    events: list(s.events, 'events', limits).map((e) => {
      const o = object(e, 'an event');
      return {
        timeUnixNano: nanos(o.timeUnixNano, 'event timeUnixNano'),
        name: text(o.name, 'event name'),
        attributes: attributes(o.attributes, limits),
      };
    }),
    links: list(s.links, 'links', limits).map((l) => {
      const o = object(l, 'a link');
      return {
        traceId: id(o.traceId, 16, 'link traceId', false),
        spanId: id(o.spanId, 8, 'link spanId', false),
        attributes: attributes(o.attributes, limits),
      };
    }),
    status: { code: enumValue(status.code, CODES, 'status code'), message: text(status.message, 'status message') },
  };
  if (typeof s.traceState === 'string' && s.traceState !== '') out.traceState = s.traceState;
  return out;
}

function scopeSpans(v: unknown, limits: DecodeLimits): OtlpScopeSpans {
  const o = object(v, 'scopeSpans entry');
  const scope = object(o.scope ?? o.instrumentationLibrary, 'scope');
  const out: OtlpScopeSpans = {
    scope: { name: text(scope.name, 'scope name') },
    spans: array(o.spans, 'spans').map((s) => span(s, limits)),
  };
  if (typeof scope.version === 'string') out.scope.version = scope.version;
  return out;
}

function resourceSpans(v: unknown, limits: DecodeLimits): OtlpResourceSpans {
  const o = object(v, 'resourceSpans entry');
  return {
    resource: { attributes: attributes(object(o.resource, 'resource').attributes, limits) },
    scopeSpans: array(o.scopeSpans ?? o.instrumentationLibrarySpans, 'scopeSpans').map((ss) => scopeSpans(ss, limits)),
  };
}

/** Spans in a parsed request, counted before any is converted (0 where the shape is wrong: the decoder says why). */
function countSpans(parsed: Json): number {
  let count = 0;
  for (const rs of Array.isArray(parsed.resourceSpans) ? parsed.resourceSpans : []) {
    const scopes: unknown = isObject(rs) ? (rs.scopeSpans ?? rs.instrumentationLibrarySpans) : undefined;
    for (const ss of Array.isArray(scopes) ? scopes : []) if (isObject(ss) && Array.isArray(ss.spans)) count += ss.spans.length;
  }
  return count;
}

/**
 * Parses an OTLP/JSON ExportTraceServiceRequest and normalises it: ids to lower-case hex (protojson's base64
 * accepted), enum names to numbers, 64-bit integers to strings. Throws {@link OtlpDecodeError} with a one-line
 * message on anything else, and {@link OtlpTooManySpansError} when it holds more than `limits.maxSpans` spans; list
 * entries beyond `limits.maxListLength` are left out (and counted in `limits.skipped`). @internal
 *
 * @example
 * ```ts
 * decodeOtlpJson('{"resourceSpans":[]}'); // { resourceSpans: [] }
 * ```
 */
export function decodeOtlpJson(body: string, limits: DecodeLimits = UNLIMITED()): OtlpTraceRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new OtlpDecodeError(`malformed OTLP/JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) fail('the body is not a JSON object');
  if (countSpans(parsed) > limits.maxSpans) throw new OtlpTooManySpansError(limits.maxSpans);
  return { resourceSpans: array(parsed.resourceSpans, 'resourceSpans').map((rs) => resourceSpans(rs, limits)) };
}
