import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../../src/cli/otlp/decode-otlp-json.js';
import { decodeOtlpProtobuf } from '../../../src/cli/otlp/decode-otlp-protobuf.js';
import { INGEST_LIMITS, limitOtlpRequest } from '../../../src/cli/dev/limit-otlp-request.js';
import { OtlpTooManySpansError, type DecodeLimits } from '../../../src/cli/otlp/otlp-json.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return out;
};
const field = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, ...varint(body.length)]), body]);
/** ExportTraceServiceRequest { resource_spans { scope_spans { spans } } } around the given encoded spans. */
const request = (spans: Buffer[]): Buffer => field(0x0a, field(0x12, Buffer.concat(spans.map((s) => field(0x12, s)))));
const ids = Buffer.concat([field(0x0a, Buffer.alloc(16, 1)), field(0x12, Buffer.alloc(8, 2))]);

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

describe('limitOtlpRequest (ingest limits of tracewire dev)', () => {
  it('cuts every string to 8192 characters and every list to 128 entries, as the SDK limits do, and counts the cuts', () => {
    const long = 'x'.repeat(100_000);
    const request = decodeOtlpJson(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [kv('service.name', 'api'), kv('blob', long)] },
            scopeSpans: [
              {
                scope: { name: long },
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    name: long,
                    attributes: [
                      ...Array.from({ length: 200 }, (_, i) => kv(`a${i}`, 'v')),
                      { key: 'list', value: { arrayValue: { values: Array.from({ length: 300 }, () => ({ stringValue: long })) } } },
                    ],
                    events: Array.from({ length: 130 }, () => ({ name: 'e', attributes: [kv(long, long)] })),
                    status: { code: 2, message: long },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const cuts = limitOtlpRequest(request, INGEST_LIMITS);
    const rs = request.resourceSpans[0]!;
    const span = rs.scopeSpans[0]!.spans[0]!;
    expect(rs.resource.attributes[1]!.value.stringValue).toHaveLength(8192);
    expect(rs.scopeSpans[0]!.scope.name).toHaveLength(8192);
    expect(span.name).toHaveLength(8192);
    expect(span.status.message).toHaveLength(8192);
    expect(span.attributes).toHaveLength(128); // the array attribute (the 201st) is left out
    expect(span.events).toHaveLength(128);
    expect(span.events[0]!.attributes[0]!.key).toHaveLength(8192);
    expect(cuts).toEqual({ strings: 4 + 128 * 2, entries: 73 + 2 });
  });

  it('never splits a surrogate pair, and leaves a request within the limits unchanged', () => {
    const request = decodeOtlpJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    name: 'ok',
                    attributes: [kv('emoji', `${'x'.repeat(8191)}😀😀`)],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const before = JSON.stringify(request);
    expect(limitOtlpRequest(request, { maxStringLength: 100_000, maxListLength: 128 })).toEqual({ strings: 0, entries: 0 });
    expect(JSON.stringify(request)).toBe(before);
    limitOtlpRequest(request);
    expect(request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!.value.stringValue).toBe('x'.repeat(8191));
  });

  it('the decoders skip list entries beyond the limit without building them: a 6 MiB span of 1,000,000 attributes decodes to 128', () => {
    const attribute = field(0x4a, field(0x0a, Buffer.from('a'))); // Span.attributes { key: "a" }
    const body = request([Buffer.concat([ids, ...Array.from({ length: 1_000_000 }, () => attribute)])]);
    const limits: DecodeLimits = { maxSpans: 10, maxListLength: 128, skipped: 0 };
    const decoded = decodeOtlpProtobuf(body, limits);
    expect(decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes).toHaveLength(128);
    expect(limits.skipped).toBe(1_000_000 - 128);

    const json = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  attributes: Array.from({ length: 1000 }, (_, i) => kv(`k${i}`, 'v')),
                },
              ],
            },
          ],
        },
      ],
    });
    const jsonLimits: DecodeLimits = { maxSpans: 10, maxListLength: 128, skipped: 0 };
    expect(decodeOtlpJson(json, jsonLimits).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes).toHaveLength(128);
    expect(jsonLimits.skipped).toBe(1000 - 128);
  });

  it('the decoders refuse more than maxSpans spans in one request', () => {
    const limits: DecodeLimits = { maxSpans: 3, maxListLength: 128, skipped: 0 };
    expect(() => decodeOtlpProtobuf(request([ids, ids, ids, ids]), limits)).toThrow(OtlpTooManySpansError);
    expect(decodeOtlpProtobuf(request([ids, ids, ids]), limits).resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(3);
    const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
    expect(() =>
      decodeOtlpJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span, span] }, { spans: [span, span] }] }] }), limits),
    ).toThrow(/more than 3 spans in one request/);
  });
});
