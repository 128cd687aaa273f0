import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../../src/cli/otlp/decode-otlp-json.js';
import { decodeOtlpProtobuf } from '../../../src/cli/otlp/decode-otlp-protobuf.js';
import { flattenSpans } from '../../../src/cli/dev/flatten-spans.js';
import { OtlpDecodeError } from '../../../src/cli/otlp/otlp-json.js';
import { decodeOtlp as decodeWithOfficialSchema } from '../../support/otlp-receiver.js';

/** Real spans from the SDK: a server span with every attribute type, an event, a link, and a failing child. */
function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('decode-test', '0.1.0');
  {
    const root = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER });
    root.setAttributes({
      'http.route': '/cart',
      'http.response.status_code': 200,
      ratio: 0.25,
      cached: false,
      tags: ['a', 'b'],
      big: 2 ** 40,
    });
    root.addEvent('cache miss', { key: 'cart:1' });
    const child = tracer.startSpan('load cart', { links: [{ context: root.spanContext() }] }, trace.setSpan(ROOT_CONTEXT, root));
    child.recordException(new TypeError('cart 7 is gone'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'cart 7 is gone' });
    child.end();
    root.end();
  }
  return exporter.getFinishedSpans();
}

const comparable = (spans: ReturnType<typeof flattenSpans>) => spans.map(({ source: _source, ...rest }) => rest);

describe('OTLP decoding', () => {
  it("decodes the SDK exporter's protobuf into the same spans as its JSON", () => {
    const spans = sdkSpans();
    const fromProto = flattenSpans(decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!));
    const fromJson = flattenSpans(decodeOtlpJson(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')));
    expect(comparable(fromProto)).toEqual(comparable(fromJson));
    const byName = Object.fromEntries(fromProto.map((s) => [s.name, s]));
    const root = byName['GET /cart']!;
    const child = byName['load cart']!;
    expect(root).toMatchObject({
      service: 'checkout',
      kind: 2,
      parentSpanId: '',
      attributes: { 'http.route': '/cart', 'http.response.status_code': 200, ratio: 0.25, cached: false, tags: ['a', 'b'], big: 2 ** 40 },
    });
    expect(root.traceId).toBe(spans[1]!.spanContext().traceId);
    expect(root.spanId).toBe(spans[1]!.spanContext().spanId);
    expect(child.parentSpanId).toBe(root.spanId);
    expect(child).toMatchObject({ statusCode: 2, statusMessage: 'cart 7 is gone' });
    expect(child.events[0]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'cart 7 is gone' });
    expect(root.endNs - root.startNs).toBeGreaterThanOrEqual(0n);
    expect(root.source!.span.links).toEqual([]);
    expect(child.source!.span.links[0]!.spanId).toBe(root.spanId);
  });

  it('agrees with the official protobuf schema on ids, times and names', () => {
    const body = ProtobufTraceSerializer.serializeRequest(sdkSpans())!;
    const ours = flattenSpans(decodeOtlpProtobuf(body));
    const official = decodeWithOfficialSchema(Buffer.from(body), 'application/x-protobuf');
    expect(ours.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name, s.startNs, s.endNs])).toEqual(
      official.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name, s.startNs, s.endNs]),
    );
  });

  it('accepts protojson (base64 ids, enum names) as backends answer it', () => {
    const request = decodeOtlpJson(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
            scopeSpans: [
              {
                scope: { name: 's' },
                spans: [
                  {
                    traceId: Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex').toString('base64'),
                    spanId: Buffer.from('00f067aa0ba902b7', 'hex').toString('base64'),
                    name: 'op',
                    kind: 'SPAN_KIND_CLIENT',
                    startTimeUnixNano: '1',
                    endTimeUnixNano: 2,
                    status: { code: 'STATUS_CODE_ERROR' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(flattenSpans(request)[0]).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      kind: 3,
      statusCode: 2,
      service: 'api',
    });
  });

  it.each([
    ['not JSON', () => decodeOtlpJson('{"resourceSpans": [')],
    ['a JSON array', () => decodeOtlpJson('[]')],
    ['resourceSpans not an array', () => decodeOtlpJson('{"resourceSpans": 1}')],
    [
      'a bad trace id',
      () => decodeOtlpJson('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"00f067aa0ba902b7"}]}]}]}'),
    ],
    ['random bytes as protobuf', () => decodeOtlpProtobuf(Buffer.from('this is not protobuf at all, just some text'))],
    ['truncated protobuf', () => decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(sdkSpans())!.subarray(0, 40))],
  ])('rejects %s with a one-line OtlpDecodeError', (_what, run) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OtlpDecodeError);
    expect((error as Error).message).not.toContain('\n');
  });

  it('decodes an empty request to no spans', () => {
    expect(flattenSpans(decodeOtlpProtobuf(new Uint8Array()))).toEqual([]);
    expect(flattenSpans(decodeOtlpJson('{}'))).toEqual([]);
  });
});
