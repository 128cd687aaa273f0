import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { applyExportControl, kExportControl, type ExportControl } from '../internal/export-control.js';
import { warn } from '../internal/log.js';

/**
 * A span exporter that builds the real one on its first export, so loading the exporter package (for OTLP:
 * the exporter, otlp-exporter-base, otlp-transformer and its protobuf code, about 130 files and 20 to 30 ms)
 * is not part of the app's startup. Spans ended before that wait in the batch processor's queue as they
 * always do, so none is lost. A flush or shutdown before any export has nothing to send and does not load it.
 * If the factory throws, the error is reported once and every batch fails (counted by the batch processor).
 * @internal
 */
export class LazyExporter implements SpanExporter {
  private exporter: SpanExporter | undefined;
  private failed = false;
  /** The last control received, passed on to the real exporter when it is built. */
  private control: ExportControl | undefined;

  /** @param targetName the real exporter's class name, used in reports before it is loaded. */
  constructor(
    private readonly create: () => SpanExporter,
    readonly targetName: string,
  ) {}

  /** The real exporter, built on first use; `undefined` when building it failed. */
  private get(): SpanExporter | undefined {
    if (this.exporter === undefined && !this.failed) {
      try {
        this.exporter = this.create();
        if (this.control !== undefined) applyExportControl(this.exporter, this.control);
      } catch (error) {
        this.failed = true;
        warn(`could not create the ${this.targetName} exporter: ${(error as Error).message}; spans will not be exported.`);
      }
    }
    return this.exporter;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const exporter = this.get();
    if (exporter === undefined)
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(`the ${this.targetName} exporter could not be created`) });
    else exporter.export(spans, resultCallback);
  }

  /** Passes tracewire's shutdown state to the real exporter, now or when it is built. */
  [kExportControl](control: ExportControl): void {
    this.control = control;
    if (this.exporter !== undefined) applyExportControl(this.exporter, control);
  }

  forceFlush(): Promise<void> {
    return this.exporter?.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.exporter?.shutdown() ?? Promise.resolve();
  }
}
