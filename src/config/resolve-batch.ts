import { defineSection } from './option-reader.js';
import { integerIn, isPlainObject, MAX_INT } from './validators.js';

/** @internal */
export const BATCH_DEFAULTS = Object.freeze({
  scheduleDelayMs: 5000,
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  exportTimeoutMs: 30_000,
});

/**
 * The batch span processor: `batch.*` from code > OTEL_BSP_* > the spec's defaults; the export batch is never larger
 * than the queue.
 * @internal
 */
export const batchSection = defineSection(['batch'], (r) => {
  const e = r.env;
  const batchOpt = r.get<Record<string, unknown>>('batch', isPlainObject, 'an object') ?? {};
  const field = (key: keyof typeof BATCH_DEFAULTS, envName: string, min: number): number => {
    const v = batchOpt[key];
    if (v !== undefined) {
      if (integerIn(min, MAX_INT)(v)) return v as number;
      r.errors.push(`batch.${key}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return e.integer(envName, min, MAX_INT, `${BATCH_DEFAULTS[key]}`) ?? BATCH_DEFAULTS[key];
  };
  const maxQueueSize = field('maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE', 1);
  let maxExportBatchSize = field('maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1);
  if (maxExportBatchSize > maxQueueSize) {
    if (batchOpt.maxExportBatchSize !== undefined) {
      r.errors.push(`batch.maxExportBatchSize (${maxExportBatchSize}) must not exceed batch.maxQueueSize (${maxQueueSize})`);
    } else {
      e.warnings.push(
        `OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${maxExportBatchSize}) exceeds the queue size (${maxQueueSize}); using ${maxQueueSize}.`,
      );
    }
    maxExportBatchSize = maxQueueSize;
  }
  return {
    batch: Object.freeze({
      scheduleDelayMs: field('scheduleDelayMs', 'OTEL_BSP_SCHEDULE_DELAY', 0),
      maxQueueSize,
      maxExportBatchSize,
      exportTimeoutMs: field('exportTimeoutMs', 'OTEL_BSP_EXPORT_TIMEOUT', 1),
    }),
  };
});
