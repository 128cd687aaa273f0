import { context, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { warn } from '../internal/log.js';
import { describeExportError } from './describe-export-error.js';

/** Counters of what happened to ended, sampled spans. */
export interface ExportStats {
  /** Spans the exporter accepted. */
  exported: number;
  /** Spans dropped because the queue was full (collector slower than the app, or down). */
  dropped: number;
  /** Spans in batches the exporter could not deliver (after its own retries). */
  failed: number;
  /** Spans waiting in the queue now. */
  queued: number;
}

/** @internal */
export interface BatchProcessorOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduleDelayMs: number;
  exportTimeoutMs: number;
  /** Shown in the one-time reports so the user knows where spans were going. */
  destination: string;
}

/**
 * A batch span processor with a bounded queue: spans are exported as soon as a batch is full,
 * or after `scheduleDelayMs` with one unref'd timer; at most one export is in flight.
 * Nothing is lost silently: dropped and failed spans are counted, and each kind is reported once with a remedy.
 * @internal
 */
export class BatchProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private isShutdown = false;
  private readonly stats: ExportStats = { exported: 0, dropped: 0, failed: 0, queued: 0 };
  private reportedDrop = false;
  private reportedFailure = false;
  private readonly exportLoop = (): void => {
    this.timer = undefined;
    if (this.inFlight === undefined && this.queue.length > 0) this.inFlight = this.drain(false);
  };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BatchProcessorOptions,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.isShutdown || this.queue.length >= this.options.maxQueueSize) {
      this.stats.dropped++;
      if (!this.reportedDrop) {
        this.reportedDrop = true;
        warn(
          `dropping spans: the export queue is full (${this.options.maxQueueSize} spans) because ${this.options.destination} ` +
            'is not keeping up or is unreachable. Dropped spans are counted (handle.stats().dropped) and reported once more at shutdown. ' +
            'Remedy: check the collector, or raise OTEL_BSP_MAX_QUEUE_SIZE / lower the sampling ratio (OTEL_TRACES_SAMPLER_ARG).',
        );
      }
      return;
    }
    this.queue.push(span);
    if (this.inFlight !== undefined) return;
    if (this.queue.length >= this.options.maxExportBatchSize) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.inFlight = this.drain(false);
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.exportLoop, this.options.scheduleDelayMs);
      this.timer.unref();
    }
  }

  /** Exports one batch, then more while full batches are waiting (or until empty, when `all`). */
  private async drain(all: boolean): Promise<void> {
    try {
      do {
        await this.exportBatch(this.queue.splice(0, this.options.maxExportBatchSize));
      } while (this.queue.length > 0 && (all || this.queue.length >= this.options.maxExportBatchSize));
    } finally {
      this.inFlight = undefined;
      if (!all && this.queue.length > 0 && this.timer === undefined && !this.isShutdown) {
        this.timer = setTimeout(this.exportLoop, this.options.scheduleDelayMs);
        this.timer.unref();
      }
    }
  }

  private exportBatch(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const timeout = setTimeout(() => finish({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${this.options.exportTimeoutMs} ms`) }), this.options.exportTimeoutMs);
      timeout.unref();
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        if (result.code === ExportResultCode.SUCCESS) this.stats.exported += batch.length;
        else this.recordFailure(batch.length, result.error);
        resolve();
      };
      try {
        // The exporter's own HTTP requests must not be traced.
        context.with(suppressTracing(context.active()), () => this.exporter.export(batch, finish));
      } catch (error) {
        finish({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });
  }

  private recordFailure(count: number, error: Error | undefined): void {
    this.stats.failed += count;
    if (this.reportedFailure) return;
    this.reportedFailure = true;
    const { reason, remedy } = describeExportError(error);
    warn(
      `could not export ${count} spans to ${this.options.destination}${reason}. Failed spans are counted ` +
        `(handle.stats().failed) and reported once more at shutdown; export goes on with the next batch. ${remedy}`,
    );
  }

  /** Counters since start; `queued` is the current queue length. */
  getStats(): ExportStats {
    return { ...this.stats, queued: this.queue.length };
  }

  async forceFlush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight !== undefined) await this.inFlight;
    if (this.queue.length > 0) {
      this.inFlight = this.drain(true);
      await this.inFlight;
    }
    await this.exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    await this.forceFlush();
    this.isShutdown = true;
    const { dropped, failed } = this.stats;
    if (dropped > 0 || failed > 0) {
      warn(`at shutdown: ${dropped} spans dropped (queue full) and ${failed} spans failed to export to ${this.options.destination} since start.`);
    }
    await this.exporter.shutdown();
  }
}
