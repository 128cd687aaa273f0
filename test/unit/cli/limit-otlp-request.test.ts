import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../../src/cli/decode-otlp-json.js';
import { INGEST_LIMITS, limitOtlpRequest } from '../../../src/cli/limit-otlp-request.js';

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

describe('limitOtlpRequest (ingest limits of tracewire dev)', () => {
  it('cuts every string to 8192 characters and every list to 128 entries, as the SDK limits do, and counts the cuts', () => {
    const long = 'x'.repeat(100_000);
    const request = decodeOtlpJson(JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [kv('service.name', 'api'), kv('blob', long)] },
        scopeSpans: [{ scope: { name: long }, spans: [{
          traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: long,
          attributes: [...Array.from({ length: 200 }, (_, i) => kv(`a${i}`, 'v')), { key: 'list', value: { arrayValue: { values: Array.from({ length: 300 }, () => ({ stringValue: long })) } } }],
          events: Array.from({ length: 130 }, () => ({ name: 'e', attributes: [kv(long, long)] })),
          status: { code: 2, message: long },
        }] }],
      }],
    }));
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
    const request = decodeOtlpJson(JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'ok', attributes: [kv('emoji', `${'x'.repeat(8191)}😀😀`)] }] }] }],
    }));
    const before = JSON.stringify(request);
    expect(limitOtlpRequest(request, { maxStringLength: 100_000, maxListLength: 128 })).toEqual({ strings: 0, entries: 0 });
    expect(JSON.stringify(request)).toBe(before);
    limitOtlpRequest(request);
    expect(request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0]!.value.stringValue).toBe('x'.repeat(8191));
  });
});
