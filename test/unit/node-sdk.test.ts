import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSDK } from '../../src/node-sdk.js';
import { TracewireConfigError } from '../../src/index.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

describe('tracewire/node-sdk', () => {
  it('returns a NodeSDK whose traces follow the tracewire config (service, endpoint, protocol, headers)', async () => {
    const sdk = createNodeSDK({ serviceName: 'sdk-node-app', endpoint: receiver.url, protocol: 'http/json', headers: { 'x-team': 'core' }, instrumentations: false });
    sdk.start();
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('parent');
    parent.end();
    await sdk.shutdown();
    expect(receiver.requests[0]!.contentType).toContain('application/json');
    expect(receiver.requests[0]!.headers['x-team']).toBe('core');
    expect(receiver.spans.map((s) => [s.service, s.name])).toEqual([['sdk-node-app', 'parent']]);
  });

  it('uses an idGenerator passed in extra (it was replaced by tracewire\'s), and its spans never claim the W3C random-trace-id flag', async () => {
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
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => createNodeSDK({ compression: 'zstd' } as any)).toThrow(TracewireConfigError);
  });
});
