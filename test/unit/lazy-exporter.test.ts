import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchProcessor } from '../../src/export/batch-processor.js';
import { LazyExporter } from '../../src/export/lazy-exporter.js';
import { BUNDLED_INSTRUMENTATIONS } from '../../src/instrumentations/bundled-instrumentations.js';
import { INSTRUMENTATION_TABLE } from '../../src/instrumentations/table.js';

const batchOptions = { maxQueueSize: 100, maxExportBatchSize: 10, scheduleDelayMs: 60_000, exportTimeoutMs: 1000, destination: 'test' };

function lazy(create: () => SpanExporter = () => new InMemorySpanExporter()) {
  const factory = vi.fn(create);
  return { factory, exporter: new LazyExporter(factory, 'InMemorySpanExporter') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the exporter is built on the first export, off the startup path', () => {
  it('is not built when the pipeline starts, and exports every span ended before it was built', async () => {
    const memory = new InMemorySpanExporter();
    const { factory, exporter } = lazy(() => memory);
    const provider = new TracerProvider({ spanProcessors: [new BatchProcessor(exporter, batchOptions)] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 3; i++) tracer.startSpan(`early ${i}`).end();
    expect(factory).not.toHaveBeenCalled();

    await provider.forceFlush();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(memory.getFinishedSpans().map((s) => s.name)).toEqual(['early 0', 'early 1', 'early 2']);

    tracer.startSpan('later').end();
    await provider.forceFlush();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(memory.getFinishedSpans().map((s) => s.name)).toContain('later');
    await provider.shutdown();
  });

  it('a flush or a shutdown with nothing exported does not build it', async () => {
    const { factory, exporter } = lazy();
    const provider = new TracerProvider({ spanProcessors: [new BatchProcessor(exporter, batchOptions)] });
    await provider.forceFlush();
    await provider.shutdown();
    expect(factory).not.toHaveBeenCalled();
  });

  it('a factory that throws is reported once, naming the exporter, and every batch fails instead of throwing', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { factory, exporter } = lazy(() => {
      throw new Error('no transport');
    });
    const results: ExportResult[] = [];
    exporter.export([], (r) => results.push(r));
    exporter.export([], (r) => results.push(r));
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED]);
    expect(factory).toHaveBeenCalledTimes(1);
    const reports = stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('no transport'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('InMemorySpanExporter');
  });
});

describe('the register bundle', () => {
  it("has every instrumentation package of the table (fastify is tracewire's own), so none is loaded twice", () => {
    const table = new Set(INSTRUMENTATION_TABLE.filter((r) => r.name !== 'fastify').map((r) => r.packageName));
    expect(Object.keys(BUNDLED_INSTRUMENTATIONS).sort()).toEqual([...table].sort());
  });
});
