// tracewire's http/protobuf exporter: the stock OTLP/HTTP transport with tracewire's encoder, sending to an
// in-process receiver that decodes with the official OTLP schema. And which exporter each setting selects.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { TracewireOptions } from '../../src/config/types.js';
import { createOtlpExporter } from '../../src/export/create-exporters.js';
import { createOtlpProtoExporter } from '../../src/export/otlp-proto/otlp-proto-exporter.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
const exporters: SpanExporter[] = [];

beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.shutdown()));
  receiver.clear();
  receiver.status = 200;
});

function spans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('orders-http', '1.0.0');
  const server = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders', 'order.total': 12.5, items: 3, note: 'größer 🚚' } });
  server.addEvent('validated', { 'order.id': 'o-1' });
  const failing = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, links: [{ context: server.spanContext(), attributes: { why: 'retry' } }] });
  failing.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  failing.end();
  server.end();
  return memory.getFinishedSpans() as ReadableSpan[];
}

function exportWith(exporter: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  exporters.push(exporter);
  return new Promise((resolve) => exporter.export(batch, resolve));
}

const config = (options: TracewireOptions, env: Record<string, string> = {}) => resolveConfig({ endpoint: receiver.url, ...options }, env).config;

describe('tracewire OTLP http/protobuf exporter', () => {
  it('delivers spans the receiver decodes with the official schema, with headers and gzip as configured', async () => {
    const batch = spans();
    const exporter = createOtlpProtoExporter({ url: `${receiver.url}/v1/traces`, headers: { 'x-scope-orgid': 'tenant-7' }, compression: 'gzip' as never });
    const result = await exportWith(exporter, batch);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.contentType).toContain('application/x-protobuf');
    expect(request!.encoding).toBe('gzip');
    expect(request!.headers['x-scope-orgid']).toBe('tenant-7');
    expect(request!.headers['user-agent']).toMatch(/OTel-OTLP-Exporter-JavaScript/);
    // The body is exactly what the stock exporter would have sent.
    expect(gunzipSync(request!.rawBody).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(batch)!))).toBe(true);
    const byName = Object.fromEntries(receiver.spans.map((s) => [s.name, s]));
    expect(byName['POST /orders']!.attributes).toEqual({ 'http.route': '/orders', 'order.total': 12.5, items: 3, note: 'größer 🚚' });
    expect(byName['POST /orders']!.events).toEqual([{ name: 'validated', attributes: { 'order.id': 'o-1' } }]);
    expect(byName['charge card']!.status).toEqual({ code: 2, message: 'card declined' });
    expect(byName['charge card']!.links).toEqual([{ traceId: byName['POST /orders']!.traceId, spanId: byName['POST /orders']!.spanId }]);
    expect(byName['charge card']!.service).toBe('orders');
  });

  it('reports a rejected export as failed (the stock transport decides, as before)', async () => {
    receiver.status = 400;
    const result = await exportWith(createOtlpProtoExporter({ url: `${receiver.url}/v1/traces` }), spans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(receiver.attempts).toHaveLength(1);
  });

  it('is the exporter for http/protobuf by default; otlpEncoder "stock" and TRACEWIRE_OTLP_ENCODER=stock select the stock one; http/json keeps the stock JSON exporter', async () => {
    const name = (e: SpanExporter) => {
      exporters.push(e);
      return e.constructor.name;
    };
    expect(name(createOtlpExporter(config({})))).toBe('TracewireOtlpProtoExporter');
    expect(name(createOtlpExporter(config({}, { TRACEWIRE_OTLP_ENCODER: 'tracewire' })))).toBe('TracewireOtlpProtoExporter');
    expect(name(createOtlpExporter(config({ otlpEncoder: 'stock' })))).toBe('OTLPTraceExporter');
    expect(name(createOtlpExporter(config({}, { TRACEWIRE_OTLP_ENCODER: 'stock' })))).toBe('OTLPTraceExporter');
    const json = createOtlpExporter(config({ protocol: 'http/json' }));
    exporters.push(json);
    expect(json.constructor.name).toBe('OTLPTraceExporter');
    expect(json).not.toBeInstanceOf(createOtlpExporter(config({ otlpEncoder: 'stock' })).constructor);
    // The stock fallback delivers the same bytes.
    const batch = spans();
    expect((await exportWith(createOtlpExporter(config({ otlpEncoder: 'stock' })), batch)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportWith(createOtlpExporter(config({})), batch)).code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]!.rawBody.equals(receiver.requests[1]!.rawBody)).toBe(true);
  });
});
