// tracewire's http/protobuf exporter: the stock OTLP/HTTP transport with tracewire's encoder, sending to an
// in-process receiver that decodes with the official OTLP schema. And which exporter each setting selects.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { TracewireOptions } from '../../src/config/types.js';
import { createOtlpExporter } from '../../src/export/create-exporters.js';
import { createOtlpProtoExporter } from '../../src/export/otlp-proto/otlp-proto-exporter.js';
import { canSucceedAtShutdown } from '../../src/export/otlp-proto/retry-delay.js';
import { wrapStockHttpTransport } from '../../src/export/otlp-proto/stock-transport-adapter.js';
import { kExportControl, type ControllableExporter } from '../../src/internal/export-control.js';
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
  receiver.retryAfter = undefined;
});

function spans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('orders-http', '1.0.0');
  const server = tracer.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/orders', 'order.total': 12.5, items: 3, note: 'größer 🚚' },
  });
  server.addEvent('validated', { 'order.id': 'o-1' });
  const failing = tracer.startSpan('charge card', {
    kind: SpanKind.CLIENT,
    links: [{ context: server.spanContext(), attributes: { why: 'retry' } }],
  });
  failing.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  failing.end();
  server.end();
  return memory.getFinishedSpans() as ReadableSpan[];
}

function exportWith(exporter: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  exporters.push(exporter);
  return new Promise((resolve) => exporter.export(batch, resolve));
}

const config = (options: TracewireOptions, env: Record<string, string> = {}) =>
  resolveConfig({ endpoint: receiver.url, ...options }, env).config;

describe('tracewire OTLP http/protobuf exporter', () => {
  it('delivers spans the receiver decodes with the official schema, with headers and gzip as configured', async () => {
    const batch = spans();
    const exporter = createOtlpProtoExporter({
      url: `${receiver.url}/v1/traces`,
      headers: { 'x-scope-orgid': 'tenant-7' },
      compression: 'gzip' as never,
    });
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

// Contract test of src/export/otlp-proto/stock-transport-adapter.ts against the real upstream delegate: the shape it
// reaches into, and the answers of the stock HTTP transport that tracewire's retry policy classifies.
describe("the stock delegate's HTTP transport can be wrapped", () => {
  const delegateFor = (url: string, timeoutMillis = 10_000) =>
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions({ url, timeoutMillis }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      ProtobufTraceSerializer,
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
      undefined,
    );
  const unwrap = (url: string, timeoutMillis?: number): IExporterTransport => {
    let http: IExporterTransport | undefined;
    expect(wrapStockHttpTransport(delegateFor(url, timeoutMillis), (inner) => (http = inner))).toBe(true);
    return http!;
  };
  const body = () => ProtobufTraceSerializer.serializeRequest(spans())!;

  it('sends one request per call and answers success, a retryable status with its Retry-After, or a failure', async () => {
    const http = unwrap(`${receiver.url}/v1/traces`);
    expect((await http.send(body(), 5000)).status).toBe('success');
    receiver.status = 503;
    receiver.retryAfter = '2';
    expect(await http.send(body(), 5000)).toMatchObject({ status: 'retryable', retryInMillis: 2000 });
    receiver.retryAfter = undefined;
    receiver.status = 400;
    expect((await http.send(body(), 5000)).status).toBe('failure');
    expect(receiver.attempts).toHaveLength(3);
  });

  it("tracewire's exporter and the stock protobuf and JSON exporters all take tracewire's shutdown control (their HTTP transport was found and wrapped)", () => {
    for (const options of [{}, { otlpEncoder: 'stock' as const }, { protocol: 'http/json' as const }]) {
      const exporter = createOtlpExporter(config(options)) as ControllableExporter;
      exporters.push(exporter);
      expect(typeof exporter[kExportControl], JSON.stringify(options)).toBe('function');
    }
  });

  it('answers a refused connection and an unresolvable host as retryable with their error codes, and a timeout as "timed out"', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const refused = await unwrap(`http://127.0.0.1:${port}/v1/traces`).send(body(), 5000);
    expect(refused).toMatchObject({ status: 'retryable', error: { code: 'ECONNREFUSED' } });
    const unresolvable = await unwrap('http://collector.invalid:4318/v1/traces').send(body(), 5000);
    expect(unresolvable).toMatchObject({ status: 'retryable', error: { code: 'ENOTFOUND' } });

    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.resume())).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const timedOut = await unwrap(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/traces`).send(body(), 200);
      expect(timedOut.status).toBe('retryable');
      expect(timedOut.status === 'retryable' && canSucceedAtShutdown(timedOut)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
