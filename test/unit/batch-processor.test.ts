import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
    const call = this.calls.find((c) => c.spans.length > 0 && !(c as { completed?: boolean }).completed) as {
      completed?: boolean;
      done: (r: ExportResult) => void;
    };
    call.completed = true;
    call.done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const sampledSpan = (i: number): ReadableSpan =>
  ({
    name: `s${i}`,
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED }),
  }) as unknown as ReadableSpan;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Collects tracewire's lines on stderr while `fn` runs (and the promise it returns settles). */
async function warningsOf(fn: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('BatchProcessor', () => {
  it("tracewire's OTLP exporters: full batches at once, at most 4 in flight, and the rest as in-flight exports complete", async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 1000,
      maxExportBatchSize: 10,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
      maxExportsInFlight: 4,
    });
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
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    processor.onEnd({ spanContext: () => ({ traceFlags: TraceFlags.NONE }) } as unknown as ReadableSpan);
    expect(processor.getStats().queued).toBe(0);
    await processor.shutdown();
    processor.onEnd(sampledSpan(0));
    expect(processor.getStats().dropped).toBe(1);
  });

  it('never calls any other exporter concurrently (the spec), also under a burst and a flush', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 1000,
      maxExportBatchSize: 10,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    for (let i = 0; i < 50; i++) processor.onEnd(sampledSpan(i));
    const flushed = processor.forceFlush();
    for (let i = 0; i < 50 && exporter.inFlight > 0; i++) {
      exporter.completeNext();
      await tick();
    }
    await flushed;
    expect(exporter.maxInFlight).toBe(1);
    expect(exporter.calls.flatMap((c) => c.spans.map((s) => s.name))).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
  });

  it('flushes a snapshot: spans ended during the flush do not keep it going', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 10_000,
      maxExportBatchSize: 10,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    for (let i = 0; i < 25; i++) processor.onEnd(sampledSpan(i));
    let flushDone = false;
    const flushed = processor.forceFlush().then(() => (flushDone = true));
    let next = 25;
    // Under load: every completed export is followed by 30 new spans.
    for (let round = 0; round < 100 && !flushDone; round++) {
      for (let i = 0; i < 30; i++) processor.onEnd(sampledSpan(next++));
      if (exporter.inFlight > 0) exporter.completeNext();
      await tick();
    }
    await flushed;
    expect(flushDone).toBe(true);
    const exported = exporter.calls.filter((c) => (c as { completed?: boolean }).completed).flatMap((c) => c.spans.map((s) => s.name));
    for (let i = 0; i < 25; i++) expect(exported).toContain(`s${i}`);
    expect(processor.getStats().queued).toBeGreaterThan(0);
  });

  it('drops spans ended after shutdown with a report that says so (not "queue full")', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    await processor.shutdown();
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      processor.onEnd(sampledSpan(0));
      processor.onEnd(sampledSpan(1));
    } finally {
      process.stderr.write = write;
    }
    expect(processor.getStats().dropped).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ended after tracing was shut down');
    expect(lines[0]).not.toContain('queue is full');
  });

  it('an export that never answers fails after the export timeout: counted and reported once with the cause, and the next batch is exported', async () => {
    vi.useFakeTimers();
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 100,
      maxExportBatchSize: 5,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 30_000,
      destination: 'test',
    });
    const lines = await warningsOf(async () => {
      for (let i = 0; i < 5; i++) processor.onEnd(sampledSpan(i));
      expect(exporter.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(30_000);
    });
    expect(processor.getStats()).toMatchObject({ exported: 0, failed: 5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('could not export 5 spans to test: export timed out after 30000 ms');
    // The slot is free again: the next full batch goes out, and its answer counts.
    for (let i = 5; i < 10; i++) processor.onEnd(sampledSpan(i));
    expect(exporter.calls).toHaveLength(2);
    exporter.calls[1]!.done({ code: ExportResultCode.SUCCESS });
    await vi.advanceTimersByTimeAsync(0);
    expect(processor.getStats()).toMatchObject({ exported: 5, failed: 5 });
  });

  it('an exporter that throws synchronously never throws into the app: the batch is counted as failed, reported once, and later batches still go out', async () => {
    let calls = 0;
    const throwing: SpanExporter = {
      export(spans, done) {
        calls++;
        if (calls === 1) throw new Error('exporter bug');
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const processor = new BatchProcessor(throwing, {
      maxQueueSize: 100,
      maxExportBatchSize: 5,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'the Throwing exporter',
    });
    const lines = await warningsOf(async () => {
      expect(() => {
        for (let i = 0; i < 10; i++) processor.onEnd(sampledSpan(i));
      }).not.toThrow();
      await processor.forceFlush();
    });
    expect(calls).toBe(2);
    expect(processor.getStats()).toMatchObject({ exported: 5, failed: 5, queued: 0 });
    expect(lines.filter((l) => l.includes('could not export'))).toEqual([
      expect.stringContaining('could not export 5 spans to the Throwing exporter: exporter bug'),
    ]);
  });

  it('exports a partial batch when the schedule delay has passed, without any flush (the timer)', async () => {
    vi.useFakeTimers();
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 100,
      maxExportBatchSize: 50,
      scheduleDelayMs: 5000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    for (let i = 0; i < 3; i++) processor.onEnd(sampledSpan(i));
    await vi.advanceTimersByTimeAsync(4999);
    expect(exporter.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(exporter.calls.map((c) => c.spans.length)).toEqual([3]);
    exporter.completeNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(processor.getStats()).toEqual({ exported: 3, dropped: 0, failed: 0, queued: 0 });
  });

  it('the one report at exit counts the spans still queued or in flight as not exported, and nothing is reported after it', async () => {
    const exporter = new HeldExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 100,
      maxExportBatchSize: 5,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    for (let i = 0; i < 7; i++) processor.onEnd(sampledSpan(i));
    const atExit = await warningsOf(() => processor.reportTotals());
    expect(atExit).toEqual([
      expect.stringContaining(
        '0 spans dropped (queue full) and 0 spans failed to export to test since start; 7 spans still queued or in flight were not exported',
      ),
    ]);
    // The export in flight fails later (the process lives on): counted, but not reported a second time.
    const later = await warningsOf(async () => {
      exporter.calls[0]!.done({ code: ExportResultCode.FAILED, error: new Error('late') });
      await tick();
      processor.reportTotals();
    });
    expect(later).toEqual([]);
    expect(processor.getStats().failed).toBe(5);
  });
});
