import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initTracing, tailSampling, TracewireConfigError, withSpan, type TracingHandle } from '../../src/index.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
let handle: TracingHandle | undefined;
let stderr: string[] = [];

beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  receiver.clear();
  receiver.status = 200;
  vi.restoreAllMocks();
});

function captureStderr(): void {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
}

function start(options: Parameters<typeof initTracing>[0] = {}): TracingHandle {
  handle = initTracing({ endpoint: receiver.url, instrumentations: false, shutdownSignals: false, ...options });
  return handle;
}

describe('OTLP export to an in-process receiver', () => {
  it.each([
    ['http/protobuf', 'none', 'application/x-protobuf', ''],
    ['http/json', 'none', 'application/json', ''],
    ['http/protobuf', 'gzip', 'application/x-protobuf', 'gzip'],
    ['http/json', 'gzip', 'application/json', 'gzip'],
  ] as const)('%s with compression %s decodes to the same spans', async (protocol, compression, contentType, encoding) => {
    const h = start({ serviceName: 'exp', protocol, compression, headers: { 'x-scope-orgid': 'tenant-1' } });
    withSpan('parent', () => withSpan('child', (s) => s.setAttributes({ str: 'ü✓', int: 7, float: 1.5, bool: true, list: ['a', 'b'] })));
    await h.forceFlush();
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.contentType).toContain(contentType);
    expect(request!.encoding).toBe(encoding);
    expect(request!.headers['x-scope-orgid']).toBe('tenant-1');
    const child = receiver.spans.find((s) => s.name === 'child')!;
    const parent = receiver.spans.find((s) => s.name === 'parent')!;
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.attributes).toEqual({ str: 'ü✓', int: 7, float: 1.5, bool: true, list: ['a', 'b'] });
    expect(child.service).toBe('exp');
    expect(h.stats()).toMatchObject({ exported: 2, dropped: 0, failed: 0 });
  });

  it('counts spans dropped by a full queue and reports it once, with a remedy', async () => {
    captureStderr();
    const h = start({ batch: { maxQueueSize: 10, maxExportBatchSize: 10, scheduleDelayMs: 60_000 } });
    for (let i = 0; i < 100; i++) withSpan('s', () => i);
    await h.forceFlush();
    // 4 batches of 10 are exporting (the in-flight limit), 10 wait in the queue, the other 50 find it full.
    expect(h.stats()).toMatchObject({ exported: 50, dropped: 50, failed: 0 });
    const reports = stderr.filter((l) => l.includes('dropping spans'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('OTEL_BSP_MAX_QUEUE_SIZE');
  });

  it('counts spans the collector rejects and reports it once, without throwing into the app', async () => {
    captureStderr();
    receiver.status = 400;
    const h = start({ batch: { maxExportBatchSize: 5, scheduleDelayMs: 60_000 } });
    for (let i = 0; i < 15; i++) withSpan('s', () => i);
    await h.forceFlush();
    expect(h.stats()).toMatchObject({ exported: 0, failed: 15 });
    const reports = stderr.filter((l) => l.includes('could not export'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`${receiver.url}/v1/traces`);
  });

  it('does not trace its own export requests', async () => {
    const h = start({ instrumentations: ['http'] });
    withSpan('only me', () => undefined);
    await h.forceFlush();
    await h.forceFlush();
    // No client span of the export request. (The in-process receiver is an http server of this process: since
    // initTracing() hooks the modules imported after it, its server spans may be traced, as any server's.)
    expect(receiver.spans.filter((s) => s.kind !== 2).map((s) => s.name)).toEqual(['only me']);
    expect(receiver.spans.filter((s) => s.scope === '@opentelemetry/instrumentation-http')).toEqual([]);
  });
});

describe('initTracing', () => {
  it('warns on a second call and returns the first handle', () => {
    captureStderr();
    const first = start();
    const second = initTracing({ serviceName: 'other' });
    expect(second).toBe(first);
    expect(stderr.join('')).toContain('initTracing() was called more than once');
  });

  it('throws one TracewireConfigError listing every bad option', () => {
    let error: unknown;
    try {
      initTracing({ protocol: 'grpc', compression: 'brotli', samplerArg: 2 } as any);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect((error as TracewireConfigError).problems).toHaveLength(3);
    expect((error as TracewireConfigError).code).toBe('TRACEWIRE_CONFIG');
  });

  it('disabled: registers nothing and exports nothing', async () => {
    const h = start({ disabled: true });
    expect(h.enabled).toBe(false);
    withSpan('ignored', (span) => expect(span.isRecording()).toBe(false));
    await h.forceFlush();
    expect(receiver.spans).toHaveLength(0);
  });

  it('applies the sampler: always_off records nothing, traceidratio 0 neither', async () => {
    const h = start({ sampler: 'always_off' });
    withSpan('dropped by sampler', (span) => expect(span.isRecording()).toBe(false));
    await h.forceFlush();
    expect(receiver.spans).toHaveLength(0);
  });

  it('tailSampling through initTracing: exports the whole error trace, drops the healthy one', async () => {
    const sampler = tailSampling({ otherwise: 0 });
    const h = start({ sampler });
    withSpan('healthy', () => withSpan('step', () => undefined));
    expect(() =>
      withSpan('failing', () =>
        withSpan('step', () => {
          throw new Error('boom');
        }),
      ),
    ).toThrow('boom');
    await h.forceFlush();
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(['failing', 'step']);
    expect(sampler.stats()).toMatchObject({ keptTraces: 1, droppedTraces: 1, droppedSpans: 2 });
  });

  it('applies span limits', async () => {
    const h = start({ spanLimits: { attributeCountLimit: 2, attributeValueLengthLimit: 3 } });
    withSpan('limited', (s) => s.setAttributes({ a: 'abcdef', b: 'x', c: 'y' }));
    await h.forceFlush();
    expect(receiver.spans[0]!.attributes).toEqual({ a: 'abc', b: 'x' });
  });

  it('exposes a tracer bound to the provider', async () => {
    const h = start();
    h.tracer.startSpan('manual').end();
    trace.getTracer('global').startSpan('via api').end();
    await h.forceFlush();
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(['manual', 'via api']);
  });
});
