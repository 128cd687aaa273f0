import { metrics, ProxyTracerProvider, trace, type MeterProvider } from '@opentelemetry/api';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSDK } from '../../src/node-sdk.js';
import { TracewireConfigError } from '../../src/index.js';
import { HttpServerInstrumentation } from '../../src/instrumentations/http-server/http-server-instrumentation.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

describe('tracewire/node-sdk', () => {
  it('returns a NodeSDK whose traces follow the tracewire config (service, endpoint, protocol, headers)', async () => {
    const sdk = createNodeSDK({
      serviceName: 'sdk-node-app',
      endpoint: receiver.url,
      protocol: 'http/json',
      headers: { 'x-team': 'core' },
      instrumentations: false,
    });
    sdk.start();
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('parent');
    parent.end();
    await sdk.shutdown();
    expect(receiver.requests[0]!.contentType).toContain('application/json');
    expect(receiver.requests[0]!.headers['x-team']).toBe('core');
    expect(receiver.spans.map((s) => [s.service, s.name])).toEqual([['sdk-node-app', 'parent']]);
  });

  it("uses an idGenerator passed in extra (it was replaced by tracewire's), and its spans never claim the W3C random-trace-id flag", async () => {
    const idGenerator = { generateTraceId: () => 'abcdef0123456789abcdef0123456789', generateSpanId: () => '0123456789abcdef' };
    trace.disable(); // the NodeSDK of the test before stays the global provider after its shutdown
    const sdk = createNodeSDK({ serviceName: 'sdk-node-ids', endpoint: receiver.url, instrumentations: false }, { idGenerator });
    sdk.start();
    const span = trace.getTracer('test').startSpan('with my ids');
    expect(span.spanContext()).toMatchObject({ traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', traceFlags: 0x01 });
    span.end();
    await sdk.shutdown();
    expect(receiver.spans.filter((s) => s.service === 'sdk-node-ids').map((s) => s.traceId)).toEqual(['abcdef0123456789abcdef0123456789']);
  });

  it('throws TracewireConfigError for bad options, like initTracing', () => {
    expect(() => createNodeSDK({ compression: 'zstd' } as any)).toThrow(TracewireConfigError);
  });

  // The histogram itself, against the stock instrumentation-http: test/integration/http-server-metrics.test.ts.
  it('tracewire’s server instrumentation measures nothing with the API’s no-op meter, and takes the MeterProvider NodeSDK sets', () => {
    const instrumentation = new HttpServerInstrumentation({ enabled: false });
    const durations = () => (instrumentation as unknown as { durations?: unknown }).durations;
    expect(durations()).toBeUndefined();
    const created: unknown[] = [];
    const provider = {
      getMeter: () => ({
        createHistogram: (name: string, options: { unit: string }) => (created.push([name, options.unit]), { record: () => undefined }),
      }),
    };
    instrumentation.setMeterProvider(provider as unknown as MeterProvider);
    expect(created).toEqual([['http.server.request.duration', 's']]);
    expect(durations()).toBeDefined();
    instrumentation.setMeterProvider(metrics.getMeterProvider());
    expect(durations()).toBeUndefined();
  });

  it('a MeterProvider whose histogram throws never breaks the response (reported, not thrown)', async () => {
    const instrumentation = new HttpServerInstrumentation({ enabled: false });
    let calls = 0;
    const throwing = {
      getMeter: () => ({
        createHistogram: () => ({
          record: () => {
            calls++;
            throw new Error('meter broke');
          },
        }),
      }),
    };
    instrumentation.setMeterProvider(throwing as unknown as MeterProvider);
    instrumentation.setTracerProvider(new ProxyTracerProvider()); // no tracing: an unsampled request is measured too
    instrumentation.enable();
    try {
      // Required after enable(): require-in-the-middle hands http to the instrumentation, which patches its prototypes.
      const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
      let closed!: Promise<unknown>;
      const server = http.createServer((_req, res) => {
        closed = once(res, 'close');
        res.end('ok');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const [response] = (await once(
        http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent: false }),
        'response',
      )) as [IncomingMessage];
      let body = '';
      response.on('data', (chunk: Buffer) => (body += String(chunk)));
      await once(response, 'end');
      await closed;
      server.close();
      expect([response.statusCode, body, calls]).toEqual([200, 'ok', 1]);
    } finally {
      instrumentation.disable();
    }
  });
});
