import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { debug } from './log.js';

/**
 * How an exporter may behave around the end of the process, set by tracewire's shutdown handling.
 * @internal
 */
export interface ExportControl {
  /**
   * True when tracewire's exit handling (beforeExit, signals) is installed: the exporter's sockets and retry timers
   * must not keep the process alive, so that the app's own work ending is seen (beforeExit) even while an export is
   * in flight; that flush then waits for it, within the shutdown bound.
   */
  readonly letProcessExit: boolean;
  /**
   * While the process is shutting down: the time (`Date.now()` scale) by which exports must be over. Only errors that
   * can still succeed before it are retried; undefined while the app runs normally.
   */
  readonly shutdownDeadline: number | undefined;
}

/** The normal running state. @internal */
export const RUNNING: ExportControl = Object.freeze({ letProcessExit: false, shutdownDeadline: undefined });

/**
 * The method an exporter that honours {@link ExportControl} has, keyed by a global symbol: the ESM and CommonJS
 * builds hold separate copies of every class, so `instanceof` cannot recognise one. @internal
 */
export const kExportControl: unique symbol = Symbol.for('tracewire.exporter.export-control.v1') as never;

/** An exporter, with the export-control capability when it is one of tracewire's (from any copy). @internal */
export interface ControllableExporter extends SpanExporter {
  [kExportControl]?: (control: ExportControl) => void;
}

/** Passes `control` to `exporter` if it takes it (tracewire's OTLP exporters do); never throws. @internal */
export function applyExportControl(exporter: SpanExporter, control: ExportControl): void {
  try {
    const apply = (exporter as ControllableExporter)[kExportControl];
    if (typeof apply === 'function') apply.call(exporter, control);
  } catch (error) {
    debug(`could not pass the shutdown state to the exporter: ${(error as Error)?.message ?? String(error)}`);
  }
}
