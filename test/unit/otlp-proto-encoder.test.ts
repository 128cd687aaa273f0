// tracewire's OTLP/HTTP protobuf encoder against the stock ProtobufTraceSerializer of @opentelemetry/otlp-transformer:
// the same real spans go through both, both outputs are decoded with the official OTLP schema (the protobufjs root
// generated from opentelemetry-proto) and compared field by field, then byte by byte.
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/cli/otlp/decode-otlp-protobuf.js';
import { serializeSpans } from '../../src/export/otlp-proto/serialize-spans.js';
import { tracewireTraceSerializer } from '../../src/export/otlp-proto/tracewire-trace-serializer.js';
import { otlpRoot } from '../support/otlp-schema.js';

const root = otlpRoot;
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Every field of the decoded request, defaults included, 64-bit numbers as strings, bytes as base64. */
function decode(bytes: Uint8Array | undefined): unknown {
  expect(bytes).toBeInstanceOf(Uint8Array);
  const message = Request.decode(bytes!);
  return Request.toObject(message, { longs: String, enums: Number, bytes: String, defaults: true, arrays: true });
}

/** Asserts that tracewire's encoding of `spans` decodes to the stock encoding's fields, and is the same bytes. */
function expectSameAsStock(spans: ReadableSpan[]): void {
  const ours = serializeSpans(spans);
  const stock = ProtobufTraceSerializer.serializeRequest(spans)!;
  expect(decode(ours)).toEqual(decode(stock));
  expect(Buffer.from(ours!).equals(Buffer.from(stock))).toBe(true);
}

const LONG_ASCII = 'x'.repeat(300); // 2-byte length prefixes
const HUGE = 'é'.repeat(9000); // 18000 bytes: 3-byte length prefixes everywhere above it
const EMOJI = '🚀 überweisung → 完了 ✓';

function provider(attributes: Attributes, options: { schemaUrl?: string; limits?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const p = new TracerProvider({
    resource: resourceFromAttributes(attributes, options.schemaUrl ? { schemaUrl: options.schemaUrl } : undefined),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(options.limits
      ? {
          spanLimits: {
            attributeCountLimit: 2,
            eventCountLimit: 1,
            linkCountLimit: 1,
            attributePerEventCountLimit: 1,
            attributePerLinkCountLimit: 1,
          },
        }
      : {}),
  });
  return {
    exporter,
    tracer: (name: string, version?: string, schemaUrl?: string) => p.getTracer(name, version, schemaUrl ? { schemaUrl } : undefined),
  };
}

const remoteParent: Context = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: createTraceState('vendor=opaque,tw=1'),
});

/** A varied batch: two resources, three scopes, interleaved so grouping matters. */
function variedSpans(): ReadableSpan[] {
  const a = provider(
    {
      'service.name': 'checkout',
      'service.version': '1.2.3',
      'host.name': 'h-1',
      'process.pid': 4242,
      'weird ключ': EMOJI,
      long: LONG_ASCII,
    },
    { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
  );
  const b = provider({ 'service.name': 'billing', empty: '' }, { limits: true });
  const http = a.tracer('@opentelemetry/instrumentation-http', '0.223.0', 'https://opentelemetry.io/schemas/1.24.0');
  const db = a.tracer('pg');
  const other = b.tracer('billing-scope', '1.0.0');

  const server = http.startSpan(
    'GET /api/users/:id',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } },
    remoteParent,
  );
  server.setAttributes({
    str: 'plain',
    empty: '',
    unicode: EMOJI,
    short_unicode: 'ü',
    boundary_unicode: '€'.repeat(42), // 126 bytes: the longest 1-byte length
    over_boundary_unicode: '€'.repeat(43), // 129 bytes
    lone_surrogate: 'a\uD800b',
    long: LONG_ASCII,
    huge: HUGE,
    int: 7,
    zero: 0,
    negative: -1,
    min_int32: -(2 ** 31),
    u32: 2 ** 32 - 1,
    above_u32: 2 ** 32,
    big: 2 ** 60,
    min_int64: -(2 ** 63),
    beyond_int64: 2 ** 63,
    max_safe: Number.MAX_SAFE_INTEGER,
    double: 1.5,
    negative_double: -0.000123,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    yes: true,
    no: false,
    strings: ['a', '', EMOJI, LONG_ASCII],
    ints: [1, -2, 2 ** 40],
    doubles: [0.5, -1.25],
    bools: [true, false],
    empty_list: [],
    with_holes: ['a', null, 'b'] as string[],
    ['k'.repeat(60)]: 'long key',
    ['ключ']: 'non-ASCII key',
  });
  server.addEvent('cache miss', { 'cache.key': 'user:1', ttl: 60, ratio: 0.5 });
  server.addEvent('no attributes');
  server.addEvent('with time', { when: 'explicit' }, [1_700_000_000, 123_456_789]);

  const child = db.startSpan(
    'SELECT users',
    {
      kind: SpanKind.CLIENT,
      links: [
        { context: server.spanContext(), attributes: { reason: 'follows', n: 2 } },
        { context: trace.getSpanContext(remoteParent)!, attributes: {} }, // remote, with trace state
      ],
    },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.recordException(new TypeError('relation "users" does not exist'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'relation "users" does not exist' });

  const billing = other.startSpan('charge', { kind: SpanKind.PRODUCER, attributes: { a: 1, b: 2, c: 3, d: 4 } });
  billing.addEvent('one', { x: 1, y: 2 });
  billing.addEvent('two');
  billing.setStatus({ code: SpanStatusCode.OK });
  const billingLinks = other.startSpan('linked', { links: [{ context: server.spanContext() }, { context: billing.spanContext() }] });

  const internal = http.startSpan('', { kind: SpanKind.INTERNAL }); // empty name
  const consumer = db.startSpan(HUGE.slice(0, 100), { kind: SpanKind.CONSUMER, startTime: [1, 0] });

  for (const s of [child, server, billing, internal, billingLinks, consumer]) s.end();
  // Interleave the two providers' spans: grouping must follow first appearance, like the stock serializer.
  const fa = a.exporter.getFinishedSpans();
  const fb = b.exporter.getFinishedSpans();
  return [fa[0]!, fb[0]!, fa[1]!, fb[1]!, fa[2]!, fa[3]!];
}

/** `span` with its attributes replaced, for values the SDK's setAttribute would refuse. */
function withAttributes(span: ReadableSpan, attributes: Record<string, unknown>): ReadableSpan {
  return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
}

describe('tracewire OTLP/protobuf encoder', () => {
  it('encodes a varied batch (all attribute types, events, links, status, parents, limits, 2 resources, 3 scopes) like the stock serializer', () => {
    const spans = variedSpans();
    expectSameAsStock(spans);
    // And the decoded request really has what was put in (not only "same as stock").
    const decoded = decode(serializeSpans(spans)) as {
      resourceSpans: Array<{
        resource: { attributes: Array<{ key: string }> };
        scopeSpans: Array<{
          scope: { name: string };
          spans: Array<{
            name: string;
            droppedAttributesCount: number;
            attributes: Array<{ key: string; value: Record<string, unknown> }>;
          }>;
        }>;
      }>;
    };
    expect(decoded.resourceSpans).toHaveLength(2);
    expect(decoded.resourceSpans[0]!.scopeSpans.map((s) => s.scope.name)).toEqual(['pg', '@opentelemetry/instrumentation-http']);
    const server = decoded.resourceSpans[0]!.scopeSpans[1]!.spans.find((s) => s.name === 'GET /api/users/:id')!;
    // Span.flags is newer than the generated schema (protobufjs skips it; the byte comparison covers it): read it
    // with tracewire's own wire decoder.
    const flags = decodeOtlpProtobuf(serializeSpans(spans)!).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(flags.find((s) => s.name === 'GET /api/users/:id')!.flags).toBe(0x301); // sampled, has is_remote, is_remote
    expect(flags.find((s) => s.name === 'SELECT users')!.flags).toBe(0x101); // local parent // sampled, has is_remote, is_remote
    const attr = (key: string) => server.attributes.find((a) => a.key === key)!.value;
    expect(attr('unicode').stringValue).toBe(EMOJI);
    expect(attr('huge').stringValue).toBe(HUGE);
    expect(attr('lone_surrogate').stringValue).toBe('a\uFFFDb');
    expect(attr('big').intValue).toBe('1152921504606846976'); // 2^60, beyond 2^53 yet an int64
    expect(attr('min_int64').intValue).toBe('-9223372036854775808');
    expect(attr('beyond_int64').doubleValue).toBe(2 ** 63);
    expect(attr('double').doubleValue).toBe(1.5);
    const limited = decoded.resourceSpans[1]!.scopeSpans[0]!.spans.find((s) => s.name === 'charge')!;
    expect(limited.droppedAttributesCount).toBe(2);
  });

  it('encodes values the SDK would not store (undefined, null, bytes, maps, nested arrays, functions) like the stock serializer, without throwing', () => {
    const [span] = variedSpans();
    const odd = withAttributes(span!, {
      undef: undefined,
      nul: null,
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from('buf'),
      map: { a: 1, b: 'two', nested: { c: [true, 2.5] } },
      nested: [[1, 2], ['x'], []],
      mixed: ['a', 1, false, null, undefined, 2.5],
      fn: () => 1,
      bigint: 10n,
      symbol: Symbol('s'),
    });
    expectSameAsStock([odd]);
  });

  it('skips a span it cannot encode, still exports the others, and says so once with the remedy', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const spans = variedSpans();
    const broken = Object.create(spans[2]!, {
      spanContext: {
        value: () => {
          throw new Error('boom');
        },
      },
    }) as ReadableSpan;
    const bytes = serializeSpans([spans[1]!, broken, spans[2]!]);
    expect(decode(bytes)).toEqual(decode(serializeSpans([spans[1]!, spans[2]!])));
    serializeSpans([broken]);
    vi.restoreAllMocks();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('boom');
    expect(stderr[0]).toContain('TRACEWIRE_OTLP_ENCODER=stock');
  });

  it('never throws on a cyclic attribute value (the stock serializer overflows the stack)', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const [span] = variedSpans();
    expect(() => decode(serializeSpans([withAttributes(span!, { cyclic })]))).not.toThrow();
  });

  it('encodes an empty batch like the stock serializer', () => {
    expect(Buffer.from(serializeSpans([])!)).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest([])!));
  });

  it('returns a fresh copy per batch: earlier results are not overwritten by later batches', () => {
    const spans = variedSpans();
    const first = serializeSpans(spans.slice(0, 2))!;
    const snapshot = Buffer.from(first);
    serializeSpans(spans);
    expect(Buffer.from(first)).toEqual(snapshot);
  });

  it('encodes a batch of thousands of spans (buffer growth, multi-byte lengths of the outer messages) like the stock serializer', () => {
    const { exporter, tracer } = provider({ 'service.name': 'bulk' });
    const t = tracer('bulk');
    for (let i = 0; i < 3000; i++) {
      const s = t.startSpan(`op ${i}`, { attributes: { i, even: i % 2 === 0, label: `label-${i}`.repeat(i % 5) } });
      if (i % 10 === 0) s.addEvent('tick', { i });
      s.end();
    }
    expectSameAsStock(exporter.getFinishedSpans());
  });

  it('serves as an ISerializer: decodes partial_success responses with the stock decoder', () => {
    // ExportTraceServiceResponse { partial_success { rejected_spans: 3, error_message: "bad" } }
    const response = Uint8Array.from([0x0a, 0x07, 0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
    expect(tracewireTraceSerializer.deserializeResponse(response)).toEqual(ProtobufTraceSerializer.deserializeResponse(response));
    expect(tracewireTraceSerializer.deserializeResponse(response).partialSuccess?.errorMessage).toBe('bad');
  });

  it('property: random attribute maps and names encode like the stock serializer', () => {
    const { exporter, tracer } = provider({ 'service.name': 'prop' });
    const t = tracer('prop');
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ minLength: 100, maxLength: 400 }),
    );
    const value = fc.oneof(
      text,
      fc.integer(),
      fc.double(),
      fc.maxSafeInteger(),
      fc.boolean(),
      fc.array(text, { maxLength: 5 }),
      fc.array(fc.double(), { maxLength: 5 }),
      fc.array(fc.integer(), { maxLength: 5 }),
      fc.array(fc.boolean(), { maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: text, attributes: fc.dictionary(text, value, { maxKeys: 12 }), event: fc.option(text) }), {
          minLength: 1,
          maxLength: 5,
        }),
        (specs) => {
          exporter.reset();
          for (const spec of specs) {
            const span = t.startSpan(spec.name);
            span.setAttributes(spec.attributes as Attributes);
            if (spec.event !== null) span.addEvent(spec.event, spec.attributes as Attributes);
            span.end();
          }
          expectSameAsStock(exporter.getFinishedSpans());
        },
      ),
      { numRuns: 300 },
    );
  });
});
