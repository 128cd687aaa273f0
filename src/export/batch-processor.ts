import { context, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { applyExportControl, type ExportControl } from '../internal/export-control.js';
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
  /**
   * How many exports may run at once: {@link MAX_EXPORTS_IN_FLIGHT} for tracewire's OTLP exporters, whose transport
   * sends concurrent requests; 1 (the default) for any other exporter, which the spec says is never called
   * concurrently.
   */
  maxExportsInFlight?: number;
}

/**
 * How many exports may be in flight at once. One is not enough on a link with latency: a batch of 512 spans every
 * round trip is slower than a busy service ends spans, and the queue then fills and drops. The stock OTLP
 * transport sends concurrent requests on its keep-alive agent.
 */
export const MAX_EXPORTS_IN_FLIGHT = 4;

/**
 * A batch span processor with a bounded queue: a batch is exported as soon as it is full (up to
 * {@link MAX_EXPORTS_IN_FLIGHT} exports at once), and what is left after `scheduleDelayMs` with one unref'd timer.
 * Nothing is lost silently: dropped and failed spans are counted, and each kind is reported once with a remedy.
 * Memory is bounded by `maxQueueSize` queued spans plus the batches in flight.
 * @internal
 */
export class BatchProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Spans in the batches being exported now. */
  private spansInFlight = 0;
  private isShutdown = false;
  private readonly stats: ExportStats = { exported: 0, dropped: 0, failed: 0, queued: 0 };
  private reportedDrop = false;
  private reportedFailure = false;
  private reportedTotals = false;
  private reportedAfterShutdown = false;
  /** Set by {@link setExportControl} while the process shuts down (exports are bounded by its deadline). */
  private shuttingDown = false;
  private readonly maxInFlight: number;
  /** The exports running now, at most `maxInFlight` (settle when the exporter answered or timed out; never reject). */
  private readonly running = new Set<Promise<void>>();
  /** Spans taken from the queue for export since start (marks where a flush's snapshot ends). */
  private dequeued = 0;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.exportWaiting(true);
  };

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BatchProcessorOptions,
  ) {
    this.maxInFlight = Math.max(1, options.maxExportsInFlight ?? 1);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.isShutdown) {
      this.stats.dropped++;
      if (!this.reportedAfterShutdown) {
        this.reportedAfterShutdown = true;
        warn(
          `dropping spans ended after tracing was shut down (${this.options.destination}): they are counted (handle.stats().dropped), not exported. ` +
            'Remedy: end spans before calling shutdown(), or shut down later.',
        );
      }
      return;
    }
    if (this.queue.length >= this.options.maxQueueSize) {
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
    if (this.queue.length >= this.options.maxExportBatchSize) this.exportWaiting(false);
    else if (this.timer === undefined) this.startTimer();
  }

  private startTimer(): void {
    this.timer = setTimeout(this.onTimer, this.options.scheduleDelayMs);
    this.timer.unref();
  }

  /**
   * Starts exports of full batches while fewer than the maximum are in flight (and of a partial one when `partial`:
   * the timer fired, or a flush); keeps the timer running while spans wait.
   */
  private exportWaiting(partial: boolean): void {
    const size = this.options.maxExportBatchSize;
    while (this.running.size < this.maxInFlight && (this.queue.length >= size || (partial && this.queue.length > 0))) {
      const batch = this.queue.splice(0, size);
      this.dequeued += batch.length;
      const exported = this.exportBatch(batch);
      this.running.add(exported);
      // Per batch, not per span: a finished export frees its slot and starts the next batch waiting.
      void exported.then(() => {
        this.running.delete(exported);
        this.exportWaiting(false);
      });
    }
    if (this.queue.length > 0 && this.timer === undefined && !this.isShutdown) this.startTimer();
  }

  private exportBatch(batch: ReadableSpan[]): Promise<void> {
    const count = batch.length;
    this.spansInFlight += count;
    return new Promise<void>((resolve) => {
      let settled = false;
      const timeout = setTimeout(
        () => finish({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${this.options.exportTimeoutMs} ms`) }),
        this.options.exportTimeoutMs,
      );
      timeout.unref();
      const finish = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        this.spansInFlight -= count;
        clearTimeout(timeout);
        if (result.code === ExportResultCode.SUCCESS) this.stats.exported += count;
        else this.recordFailure(count, result.error);
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
    // After the final report (a shutdown that timed out counted these spans as not exported), nothing more is said.
    if (this.reportedFailure || this.reportedTotals) return;
    this.reportedFailure = true;
    const { reason, remedy } = describeExportError(error);
    const next = this.shuttingDown
      ? 'at shutdown, only errors that can still succeed within TRACEWIRE_SHUTDOWN_TIMEOUT are retried'
      : 'export goes on with the next batch';
    warn(
      `could not export ${count} spans to ${this.options.destination}${reason}. Failed spans are counted ` +
        `(handle.stats().failed) and reported once more at shutdown; ${next}. ${remedy}`,
    );
  }

  /**
   * Tells the exporter how to behave around the end of the process (tracewire's OTLP exporters: whether their
   * sockets and timers may let it exit, and the shutdown deadline that bounds their retries); other exporters
   * ignore it.
   */
  setExportControl(control: ExportControl): void {
    this.shuttingDown = control.shutdownDeadline !== undefined;
    applyExportControl(this.exporter, control);
  }

  /** Spans not exported yet: queued, or in a batch being exported. */
  pendingSpans(): number {
    return this.queue.length + this.spansInFlight;
  }

  /** Counters since start; `queued` is the current queue length. */
  getStats(): ExportStats {
    return { ...this.stats, queued: this.queue.length };
  }

  /**
   * Exports the spans queued when the flush began (a snapshot, as the SDK's processor does) and waits for them and
   * for the exports already running; spans ended meanwhile wait for their own batch, so a flush ends even under a
   * load that keeps the queue full.
   */
  async forceFlush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const waitFor = new Set(this.running);
    // The snapshot ends where the queue ends now, counted in spans ever taken from the queue: whoever takes them
    // (this loop, a full batch, the timer, an export that finished), every export started until then holds some.
    const target = this.dequeued + this.queue.length;
    while (this.dequeued < target) {
      this.exportWaiting(true);
      for (const running of this.running) waitFor.add(running);
      // Every export slot is busy (so at least one export runs): wait for one to finish.
      if (this.dequeued < target) await Promise.race(this.running);
    }
    // The export that took the snapshot's last spans may have been started by another export finishing.
    for (const running of this.running) waitFor.add(running);
    await Promise.all(waitFor);
    if (this.queue.length > 0 && this.timer === undefined && !this.isShutdown) this.startTimer();
    await this.exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    await this.forceFlush();
    this.isShutdown = true;
    this.reportTotals();
    await this.exporter.shutdown();
  }

  /**
   * Prints, once, how many spans were dropped and failed since start, if any, and (`countPending`) how many were
   * still queued or in flight, so not exported: at shutdown, and when the process exits by any other path (a natural
   * exit, process.exit()), so the count is never missing. After it, the processor reports nothing more.
   */
  reportTotals(countPending = true): void {
    if (this.reportedTotals) return;
    this.reportedTotals = true;
    const { dropped, failed } = this.stats;
    const pending = countPending ? this.pendingSpans() : 0;
    if (dropped === 0 && failed === 0 && pending === 0) return;
    const notExported = pending > 0 ? `; ${pending} spans still queued or in flight were not exported` : '';
    warn(
      `at shutdown: ${dropped} spans dropped (queue full) and ${failed} spans failed to export to ${this.options.destination} since start${notExported}.`,
    );
  }
}
