// Shutdown disables only the globals tracewire registered: an app that registered its own OpenTelemetry SDK first
// (tracewire then warns and defers) keeps a working provider, propagator and context manager after
// handle.shutdown(). Before, trace.disable(), propagation.disable() and context.disable() ran unconditionally.
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initTracing } from '../../src/index.js';

afterEach(() => vi.restoreAllMocks());

describe("shutdown and another SDK's globals", () => {
  it("leaves the provider, propagator and context manager another SDK registered first working after tracewire's shutdown", async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const theirs = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: theirs })] });
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    expect(propagation.setGlobalPropagator(new W3CTraceContextPropagator())).toBe(true);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);

    const handle = initTracing({ serviceName: 'second', exporters: ['none'], instrumentations: false, shutdownSignals: false });
    await handle.shutdown();

    const span = trace.getTracer('app').startSpan('after tracewire shut down');
    expect(span.isRecording()).toBe(true);
    const carrier: Record<string, string> = {};
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
      expect(trace.getActiveSpan()).toBe(span);
      propagation.inject(context.active(), carrier);
    });
    span.end();
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(theirs.getFinishedSpans().map((s) => s.name)).toEqual(['after tracewire shut down']);
  });
});
