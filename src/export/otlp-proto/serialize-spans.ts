// OTLP/HTTP protobuf encoding of finished spans, written for speed. The output is the ExportTraceServiceRequest
// of opentelemetry/proto/collector/trace/v1 with the same fields, order and grouping (by resource, then by
// instrumentation scope, both by identity and in order of first appearance) as the stock
// ProtobufTraceSerializer of @opentelemetry/otlp-transformer, so a collector cannot tell the two apart.
// What makes it fast: one pass into a reused buffer (no size-estimation pass, no object per span), ids written
// from their hex characters, short ASCII strings copied by a loop and the rest by V8's UTF-8 encoder, and the
// resource and scope encoded once and kept per object.
import type { Attributes, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { warn } from '../../internal/log.js';
import { ProtoWriter, SHORT_STRING, utf8Write, writeAscii } from './proto-writer.js';

/** The resource of a span as far as encoding goes (the SDK's Resource). */
interface ResourceLike {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  readonly asyncAttributesPending?: boolean;
}

/** An instrumentation scope, with the attributes newer SDKs carry. */
interface ScopeLike {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

// Tags (field number << 3 | wire type) of the fields written, by message.
// ExportTraceServiceRequest.resource_spans; ResourceSpans.resource; ScopeSpans.scope; Span.trace_id;
// KeyValue.key; AnyValue.string_value; ArrayValue.values; KeyValueList.values; Link.trace_id: all field 1, bytes.
const T1_BYTES = 0x0a;
const T2_BYTES = 0x12; // ResourceSpans.scope_spans, ScopeSpans.spans, Span.span_id, KeyValue.value, Event.name, Link.span_id, Status.message, Scope.version
const T3_BYTES = 0x1a; // *.schema_url, Span.trace_state, Event.attributes, Link.trace_state, Scope.attributes
const T4_BYTES = 0x22; // Span.parent_span_id, Link.attributes
const RESOURCE_DROPPED = 0x10; // Resource.dropped_attributes_count (varint)
const SCOPE_DROPPED = 0x20; // InstrumentationScope.dropped_attributes_count
const SPAN_NAME = 0x2a;
const SPAN_KIND = 0x30;
const SPAN_START = 0x39; // fixed64
const SPAN_END = 0x41; // fixed64
const SPAN_ATTRIBUTES = 0x4a;
const SPAN_DROPPED_ATTRIBUTES = 0x50;
const SPAN_EVENTS = 0x5a;
const SPAN_DROPPED_EVENTS = 0x60;
const SPAN_LINKS = 0x6a;
const SPAN_DROPPED_LINKS = 0x70;
const SPAN_STATUS = 0x7a;
const SPAN_FLAGS_TAG_0 = 0x85; // field 16, fixed32: two-byte tag
const SPAN_FLAGS_TAG_1 = 0x01;
const EVENT_TIME = 0x09; // fixed64
const EVENT_DROPPED = 0x20;
const LINK_DROPPED = 0x28;
const LINK_FLAGS = 0x35; // fixed32
const STATUS_CODE = 0x18;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const ANY_BYTES = 0x3a;

// Span flags: the low 8 bits are the W3C trace flags; OTLP adds "has is_remote" and "is_remote".
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

// int_value for integers in int64 range (also beyond 2^53, like the stock serializer), double_value otherwise.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
/** Nested arrays/maps deeper than this are written as an empty value instead of recursing further. */
const MAX_DEPTH = 32;
/** Keys and string values up to this many characters may take the fast path of {@link writePair}. */
const MAX_FAST_CHARS = 42;
/** Upper bound of a fast-path pair: tags and lengths, up to 3 UTF-8 bytes per character of key and value, 3 spilled bytes. */
const FAST_PAIR_BYTES = 8 + 6 * MAX_FAST_CHARS + 16;
/** A buffer that grew past this for a huge batch is released after it. */
const MAX_RETAINED_BYTES = 4 * 1024 * 1024;

const hasOwn = Object.prototype.hasOwnProperty;
const OBJECT_PROTOTYPE: unknown = Object.prototype;
/** Whether Object.prototype has no enumerable property (someone may add one): checked once per batch. */
let plainObjectsOwnKeysOnly = true;
/** UTF-8 of attribute keys seen before (ASCII, at most MAX_FAST_CHARS long): a copy beats re-encoding. */
const keyBytes = new Map<string, Uint32Array>();
/** Bound of {@link keyBytes}: attribute keys are a small set in any real service; past it, keys are encoded. */
const MAX_CACHED_KEYS = 4096;
const writer = new ProtoWriter(256 * 1024);
const resourceCache = new WeakMap<object, Buffer>();
const scopeCache = new WeakMap<object, Buffer>();
/** Bytes the last span's length prefix took: the guess for the next one (spans of a service look alike). */
let spanPrefixGuess = 2;
let skippedReported = false;

/** The `n` bytes at `from` as 32-bit words read little-endian (the last one zero-padded), for DataView stores. */
function keyWords(buf: Buffer, from: number, n: number): Uint32Array {
  const bytes = new Uint8Array(((n + 3) >>> 2) * 4);
  bytes.set(buf.subarray(from, from + n));
  const view = new DataView(bytes.buffer);
  const words = new Uint32Array(bytes.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i, true);
  return words;
}

/** A string field's value; anything else becomes its String() (or '' for null/undefined) rather than a throw. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

function writeAnyValue(w: ProtoWriter, value: unknown, depth: number): void {
  const t = typeof value;
  if (t === 'string') {
    w.byte(T1_BYTES);
    w.string(value as string);
  } else if (t === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64) {
      w.byte(ANY_INT);
      w.varint(n);
    } else {
      w.byte(ANY_DOUBLE);
      w.double(n);
    }
  } else if (t === 'boolean') {
    w.byte(ANY_BOOL);
    w.byte(value ? 1 : 0);
  } else if (depth >= MAX_DEPTH) {
    // Deeper than any real attribute (or cyclic): an empty value, never a stack overflow.
  } else if (value instanceof Uint8Array) {
    w.byte(ANY_BYTES);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.byte(ANY_ARRAY);
    const start = w.reserve(1);
    for (let i = 0; i < value.length; i++) {
      w.byte(T1_BYTES);
      const item = w.reserve(1);
      writeAnyValue(w, value[i], depth + 1);
      w.finish(item, 1);
    }
    w.finish(start, 1);
  } else if (t === 'object' && value !== null) {
    w.byte(ANY_KVLIST);
    const start = w.reserve(1);
    const map = value as Record<string, unknown>;
    for (const key in map) {
      if (!hasOwn.call(map, key)) continue;
      writeKeyValue(w, T1_BYTES, key, map[key], depth + 1);
    }
    w.finish(start, 1);
  }
  // undefined, null, functions, symbols, bigints: an empty AnyValue, as the stock serializer writes.
}

/**
 * One KeyValue under `tag`, fast path for the common attribute: an ASCII key of at most 42 characters and a
 * string, number or boolean value, the whole pair under 128 bytes. Every length is then one byte, known once the
 * bytes are written, so the pair is written with local variables and no reserve/fix. Anything else (or a pair
 * that turns out longer) rewinds and takes {@link writeKeyValue}.
 * Longer than the house limit of 80 lines on purpose: it runs for every attribute of every exported span, and the
 * encoding bar (≥ 3x the stock serializer, bench/otlp-encoding.mjs) was met with it written out in one function.
 */
// eslint-disable-next-line max-lines-per-function -- measured hot path, see above
function writePair(w: ProtoWriter, tag: number, key: string, value: unknown): void {
  const kn = key.length;
  const t = typeof value;
  if (kn > MAX_FAST_CHARS || (t === 'string' && (value as string).length > MAX_FAST_CHARS)) {
    writeKeyValue(w, tag, key, value, 0);
    return;
  }
  w.ensure(FAST_PAIR_BYTES);
  const buf = w.buf;
  let p = w.pos;
  buf[p] = tag;
  const pairLenAt = p + 1;
  buf[p + 2] = T1_BYTES;
  buf[p + 3] = kn;
  p += 4;
  const known = keyBytes.get(key);
  if (known !== undefined) {
    // Four bytes per store; the last word may spill up to 3 bytes past the key, overwritten just below.
    const view = w.view;
    for (let i = 0; i < known.length; i++) view.setUint32(p + 4 * i, known[i]!, true);
    p += kn;
  } else {
    for (let i = 0; i < kn; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) {
        writeKeyValue(w, tag, key, value, 0);
        return;
      }
      buf[p++] = c;
    }
    if (keyBytes.size < MAX_CACHED_KEYS) keyBytes.set(key, keyWords(buf, p - kn, kn));
  }
  buf[p] = T2_BYTES;
  const valueLenAt = p + 1;
  p += 2;
  if (t === 'string') {
    const str = value as string;
    const n = str.length;
    buf[p] = T1_BYTES;
    const strLenAt = p + 1;
    p += 2;
    let written = n;
    if (n <= SHORT_STRING) {
      if (!writeAscii(buf, w.view, str, n, p)) written = utf8Write.call(buf, str, p);
    } else {
      written = utf8Write.call(buf, str, p);
    }
    if (written > 0x7f) {
      writeKeyValue(w, tag, key, value, 0);
      return;
    }
    buf[strLenAt] = written;
    p += written;
  } else if (t === 'number') {
    const num = value as number;
    if (num >= 0 && num <= 0xffffffff && Number.isInteger(num)) {
      buf[p++] = ANY_INT;
      let v = num >>> 0;
      while (v > 0x7f) {
        buf[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[p++] = v;
    } else if (!Number.isInteger(num)) {
      buf[p++] = ANY_DOUBLE;
      w.pos = p;
      w.double(num);
      p = w.pos;
    } else {
      writeKeyValue(w, tag, key, value, 0);
      return;
    }
  } else if (t === 'boolean') {
    buf[p] = ANY_BOOL;
    buf[p + 1] = value ? 1 : 0;
    p += 2;
  } else {
    writeKeyValue(w, tag, key, value, 0);
    return;
  }
  const valueLen = p - valueLenAt - 1;
  const pairLen = p - pairLenAt - 1;
  if (pairLen > 0x7f) {
    writeKeyValue(w, tag, key, value, 0);
    return;
  }
  buf[valueLenAt] = valueLen;
  buf[pairLenAt] = pairLen;
  w.pos = p;
}

/** One KeyValue under `tag`. Length prefixes are guessed from the string lengths (exact for ASCII). */
function writeKeyValue(w: ProtoWriter, tag: number, key: string, value: unknown, depth: number): void {
  let valueGuess = 1;
  let pairGuess = 1;
  if (typeof value === 'string') {
    const n = value.length;
    valueGuess = n < 126 ? 1 : n < 16381 ? 2 : 3;
    pairGuess = n + key.length < 120 ? 1 : n + key.length < 16370 ? 2 : 3;
  }
  w.byte(tag);
  const pair = w.reserve(pairGuess);
  w.byte(T1_BYTES);
  w.string(key);
  w.byte(T2_BYTES);
  const start = w.reserve(valueGuess);
  writeAnyValue(w, value, depth);
  w.finish(start, valueGuess);
  w.finish(pair, pairGuess);
}

/** Repeated KeyValue `attributes` under `tag`, own enumerable keys in insertion order. */
function writeAttributes(w: ProtoWriter, attributes: Attributes, tag: number): void {
  const proto: unknown = Object.getPrototypeOf(attributes);
  if (plainObjectsOwnKeysOnly && (proto === OBJECT_PROTOTYPE || proto === null)) {
    // for...in of a plain object whose prototype has no enumerable properties yields own keys only.
    for (const key in attributes) writePair(w, tag, key, attributes[key]);
    return;
  }
  for (const key in attributes) {
    if (!hasOwn.call(attributes, key)) continue;
    writePair(w, tag, key, attributes[key]);
  }
}

function hasEnumerableKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

function writeEvent(w: ProtoWriter, event: TimedEvent): void {
  w.byte(SPAN_EVENTS);
  const start = w.reserve(1);
  w.byte(EVENT_TIME);
  w.hrTime(event.time);
  w.byte(T2_BYTES);
  w.string(text(event.name));
  if (event.attributes) writeAttributes(w, event.attributes, T3_BYTES);
  w.byte(EVENT_DROPPED);
  w.varint(event.droppedAttributesCount || 0);
  w.finish(start, 1);
}

function writeLink(w: ProtoWriter, link: Link): void {
  const context = link.context;
  w.byte(SPAN_LINKS);
  const start = w.reserve(1);
  w.byte(T1_BYTES);
  w.hexId(context.traceId);
  w.byte(T2_BYTES);
  w.hexId(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.byte(T3_BYTES);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, link.attributes, T4_BYTES);
  w.byte(LINK_DROPPED);
  w.varint(link.droppedAttributesCount || 0);
  w.byte(LINK_FLAGS);
  w.fixed32((context.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (context.isRemote ? FLAGS_IS_REMOTE : 0));
  w.finish(start, 1);
}

/** One Span (ScopeSpans.spans) with every field the stock serializer writes, in its order. */
function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const guess = spanPrefixGuess;
  w.byte(T2_BYTES);
  const start = w.reserve(guess);
  const ctx: SpanContext = span.spanContext();
  w.byte(T1_BYTES);
  w.hexId(ctx.traceId);
  w.byte(T2_BYTES);
  w.hexId(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.byte(T3_BYTES);
    w.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.byte(T4_BYTES);
    w.hexId(parent.spanId);
  }
  w.byte(SPAN_NAME);
  w.string(text(span.name));
  // The API has no "unspecified" kind, so OTLP's enum is the API's plus one.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.byte(SPAN_KIND);
    w.varint(kind);
  }
  w.byte(SPAN_START);
  w.hrTime(span.startTime);
  w.byte(SPAN_END);
  w.hrTime(span.endTime);
  if (span.attributes) writeAttributes(w, span.attributes, SPAN_ATTRIBUTES);
  w.byte(SPAN_DROPPED_ATTRIBUTES);
  w.varint(span.droppedAttributesCount);
  const events = span.events;
  if (events) for (let i = 0; i < events.length; i++) writeEvent(w, events[i]!);
  w.byte(SPAN_DROPPED_EVENTS);
  w.varint(span.droppedEventsCount);
  const links = span.links;
  if (links) for (let i = 0; i < links.length; i++) writeLink(w, links[i]!);
  w.byte(SPAN_DROPPED_LINKS);
  w.varint(span.droppedLinksCount);
  const status = span.status;
  w.byte(SPAN_STATUS);
  const statusStart = w.reserve(1);
  if (status?.message) {
    w.byte(T2_BYTES);
    w.string(text(status.message));
  }
  w.byte(STATUS_CODE);
  w.varint(status ? status.code : 0);
  w.finish(statusStart, 1);
  w.byte(SPAN_FLAGS_TAG_0);
  w.byte(SPAN_FLAGS_TAG_1);
  w.fixed32((ctx.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (parent?.isRemote ? FLAGS_IS_REMOTE : 0));
  spanPrefixGuess = w.finish(start, guess);
}

/** Copies bytes encoded before into the writer; false when there are none. */
function copyCached(w: ProtoWriter, cached: Buffer | undefined): boolean {
  if (cached === undefined) return false;
  w.ensure(cached.length);
  cached.copy(w.buf, w.pos);
  w.pos += cached.length;
  return true;
}

/** Writes ResourceSpans.resource (tag included), from the cache when this resource was encoded before. */
function writeResource(w: ProtoWriter, resource: ResourceLike): void {
  if (copyCached(w, resourceCache.get(resource))) return;
  const from = w.pos;
  w.byte(T1_BYTES);
  const start = w.reserve(2);
  if (resource.attributes) writeAttributes(w, resource.attributes, T1_BYTES);
  w.byte(RESOURCE_DROPPED);
  w.byte(0);
  w.finish(start, 2);
  // A resource whose async attributes have not settled yet will change: encode it again next time.
  if (!resource.asyncAttributesPending) resourceCache.set(resource, Buffer.from(w.buf.subarray(from, w.pos)));
}

/** Writes ScopeSpans.scope (tag included), from the cache when this scope was encoded before. */
function writeScope(w: ProtoWriter, scope: ScopeLike): void {
  if (copyCached(w, scopeCache.get(scope))) return;
  const from = w.pos;
  w.byte(T1_BYTES);
  const start = w.reserve(1);
  w.byte(T1_BYTES);
  w.string(text(scope.name));
  if (scope.version) {
    w.byte(T2_BYTES);
    w.string(text(scope.version));
  }
  if (scope.attributes) writeAttributes(w, scope.attributes, T3_BYTES);
  if (scope.droppedAttributesCount) {
    w.byte(SCOPE_DROPPED);
    w.varint(scope.droppedAttributesCount);
  }
  w.finish(start, 1);
  scopeCache.set(scope, Buffer.from(w.buf.subarray(from, w.pos)));
}

/** Reports the first encoding failure of the process (a skipped span or a failed batch), with the remedy. */
function reportSkipped(error: unknown, what = 'skipped a span it could not encode'): void {
  if (skippedReported) return;
  skippedReported = true;
  const reason = error instanceof Error ? error.message : String(error);
  warn(
    `the OTLP encoder ${what} (${reason}). ` +
      'Set TRACEWIRE_OTLP_ENCODER=stock to use the stock encoder, and please report the span that caused it.',
  );
}

/** One ScopeSpans with `spans` (all of one resource and scope); a span that cannot be encoded is skipped. */
function writeScopeSpans(w: ProtoWriter, scope: ScopeLike, spans: readonly ReadableSpan[]): void {
  w.byte(T2_BYTES);
  const start = w.reserve(3);
  writeScope(w, scope);
  for (let i = 0; i < spans.length; i++) {
    const mark = w.pos;
    try {
      writeSpan(w, spans[i]!);
    } catch (error) {
      w.pos = mark;
      reportSkipped(error);
    }
  }
  if (scope.schemaUrl) {
    w.byte(T3_BYTES);
    w.string(text(scope.schemaUrl));
  }
  w.finish(start, 3);
}

function beginResourceSpans(w: ProtoWriter, resource: ResourceLike): number {
  w.byte(T1_BYTES);
  const start = w.reserve(3);
  writeResource(w, resource);
  return start;
}

function endResourceSpans(w: ProtoWriter, resource: ResourceLike, start: number): void {
  if (resource.schemaUrl) {
    w.byte(T3_BYTES);
    w.string(text(resource.schemaUrl));
  }
  w.finish(start, 3);
}

/** Several resources or scopes in one batch: group like the stock serializer (identity, first appearance). */
function writeGrouped(w: ProtoWriter, spans: readonly ReadableSpan[]): void {
  const byResource = new Map<ResourceLike, Map<ScopeLike, ReadableSpan[]>>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    let group = byScope.get(span.instrumentationScope);
    if (group === undefined) {
      group = [];
      byScope.set(span.instrumentationScope, group);
    }
    group.push(span);
  }
  for (const [resource, byScope] of byResource) {
    const start = beginResourceSpans(w, resource);
    for (const [scope, group] of byScope) writeScopeSpans(w, scope, group);
    endResourceSpans(w, resource, start);
  }
}

/**
 * Encodes finished spans as an OTLP `ExportTraceServiceRequest` in protobuf, byte for byte what the stock
 * `ProtobufTraceSerializer` of `@opentelemetry/otlp-transformer` produces for the same spans, several times faster.
 * The returned bytes are a fresh copy the caller may keep (retries, compression). Never throws: a span that
 * cannot be encoded is left out (reported once); when the batch as a whole cannot be, the result is `undefined`
 * (the export then fails like any other failed export).
 * @example
 * const body = serializeSpans(spans); // POST to /v1/traces with Content-Type application/x-protobuf
 * @internal
 */
export function serializeSpans(spans: readonly ReadableSpan[]): Uint8Array | undefined {
  const w = writer;
  w.reset(MAX_RETAINED_BYTES);
  try {
    plainObjectsOwnKeysOnly = !hasEnumerableKeys(Object.prototype);
    const n = spans.length;
    if (n === 0) return new Uint8Array(0);
    const first = spans[0]!;
    const resource = first.resource;
    const scope = first.instrumentationScope;
    let uniform = true;
    for (let i = 1; i < n; i++) {
      const span = spans[i]!;
      if (span.resource !== resource || span.instrumentationScope !== scope) {
        uniform = false;
        break;
      }
    }
    if (uniform) {
      const start = beginResourceSpans(w, resource);
      writeScopeSpans(w, scope, spans);
      endResourceSpans(w, resource, start);
    } else {
      writeGrouped(w, spans);
    }
    return w.copyOut();
  } catch (error) {
    reportSkipped(error, 'could not encode a batch, which fails like a failed export');
    return undefined;
  }
}
