import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, InMemorySpanExporter as SdkMemory, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { initTracing, withSpan } from '../../src/index.js';

const init = (exporter: SdkMemory) =>
  initTracing({ serviceName: 'default-tracer', exporters: [exporter], instrumentations: false, shutdownSignals: false });

describe('withSpan without a tracer option', () => {
  it('follows initTracing across a shutdown and a new initTracing, and is a no-op span in between', async () => {
    const first = new SdkMemory();
    const a = init(first);
    withSpan('in first', () => 1);
    await a.forceFlush();
    expect(first.getFinishedSpans().map((s) => s.name)).toEqual(['in first']);
    await a.shutdown(); // (the in-memory exporter forgets its spans here)

    expect(withSpan('between', (span) => span.isRecording())).toBe(false);

    const second = new SdkMemory();
    const b = init(second);
    withSpan('in second', () => withSpan('child in second', () => 2));
    await b.forceFlush();
    const spans = second.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['child in second', 'in second']);
    // The new context manager carries the parent (not the first one's, disabled at its shutdown).
    expect(spans[0]!.parentSpanContext?.spanId).toBe(spans[1]!.spanContext().spanId);
    expect(first.getFinishedSpans()).toHaveLength(0);
    await b.shutdown();
  });

  it('uses the provider another SDK registered first, not tracewire’s unregistered one', async () => {
    const theirs = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: theirs })] });
    trace.setGlobalTracerProvider(provider);
    const ours = new SdkMemory();
    const handle = init(ours);
    withSpan('where do I go', () => 3);
    await handle.forceFlush();
    expect(theirs.getFinishedSpans().map((s) => s.name)).toEqual(['where do I go']);
    expect(ours.getFinishedSpans()).toHaveLength(0);
    await handle.shutdown();
  });
});
