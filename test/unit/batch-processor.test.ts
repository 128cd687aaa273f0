import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { BatchProcessor } from '../../src/export/batch-processor.js';

/** An exporter whose exports complete only when the test says so. */
class HeldExporter implements SpanExporter {
  readonly calls: Array<{ spans: ReadableSpan[]; done: (r: ExportResult) => void }> = [];
  inFlight = 0;
  maxInFlight = 0;
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.calls.push({
      spans,
      done: (r) => {
        this.inFlight--;
        done(r);
      },
    });
  }
  completeNext(): void {
    const call = this.calls.find((c) => c.spans.length > 0 && !(c as { completed?: boolean }).completed) as { completed?: boolean; done: (r: ExportResult) => void };
    call.completed = true;
    call.done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const sampledSpan = (i: number): ReadableSpan =>
  ({ name: `s${i}`, spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED }) }) as unknown as ReadableSpan;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchProcessor', () => {
  it('exports full batches at once, at most 4 in flight, and the rest as in-flight exports complete', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, { maxQueueSize: 1000, maxExportBatchSize: 10, scheduleDelayMs: 60_000, exportTimeoutMs: 60_000, destination: 'test' });
    for (let i = 0; i < 100; i++) processor.onEnd(sampledSpan(i));
    expect(exporter.calls).toHaveLength(4);
    expect(exporter.calls.every((c) => c.spans.length === 10)).toBe(true);
    expect(processor.getStats().queued).toBe(60);
    exporter.completeNext();
    await tick();
    expect(exporter.calls).toHaveLength(5);
    const flushed = processor.forceFlush();
    for (let i = 0; i < 20 && exporter.calls.some((c) => !(c as { completed?: boolean }).completed); i++) {
      while (exporter.inFlight > 0) {
        exporter.completeNext();
        await tick();
      }
      await tick();
    }
    await flushed;
    expect(exporter.maxInFlight).toBe(4);
    expect(exporter.calls.flatMap((c) => c.spans.map((s) => s.name))).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
    expect(processor.getStats()).toEqual({ exported: 100, dropped: 0, failed: 0, queued: 0 });
  });

  it('ignores unsampled spans and counts spans ended after shutdown as dropped', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, { maxQueueSize: 10, maxExportBatchSize: 5, scheduleDelayMs: 60_000, exportTimeoutMs: 60_000, destination: 'test' });
    processor.onEnd({ spanContext: () => ({ traceFlags: TraceFlags.NONE }) } as unknown as ReadableSpan);
    expect(processor.getStats().queued).toBe(0);
    await processor.shutdown();
    processor.onEnd(sampledSpan(0));
    expect(processor.getStats().dropped).toBe(1);
  });
});
