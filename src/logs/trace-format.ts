import { TracewireConfigError } from '../internal/errors.js';
import { resolveLogOptions, type LogCorrelationOptions, type ResolvedLogOptions } from './resolve-log-options.js';
import { currentServiceName } from './current-service-name.js';
import { FLAGS_HEX, spanContextOf } from './span-context-of.js';

export type { LogCorrelationOptions, LogFieldNames } from './resolve-log-options.js';

/**
 * A winston (logform) format: an object with `transform(info)`, accepted wherever winston takes a format
 * (`createLogger({ format })`, `format.combine(...)`, a transport's `format`).
 *
 * @example
 * ```ts
 * const withIds: TraceFormat = traceFormat();
 * new winston.transports.File({ filename: 'app.log', format: winston.format.combine(withIds, winston.format.json()) });
 * ```
 */
export interface TraceFormat {
  /** The options the format was created with. */
  readonly options: LogCorrelationOptions;
  /** Adds the correlation fields missing from `info` (in place, as winston formats do) and returns it. */
  transform<T extends object>(info: T): T;
}

class TraceFieldsFormat implements TraceFormat {
  readonly options: LogCorrelationOptions;
  readonly #resolved: ResolvedLogOptions;

  constructor(options: LogCorrelationOptions, resolved: ResolvedLogOptions) {
    this.options = options;
    this.#resolved = resolved;
  }

  // Fields already in the entry (passed by the caller as metadata) are kept, as pino keeps the log call's fields.
  transform<T extends object>(info: T): T {
    const entry = info as Record<string, unknown>;
    const fields = this.#resolved.fields;
    const spanContext = spanContextOf(undefined);
    if (spanContext !== undefined) {
      if (entry[fields.traceId] === undefined) entry[fields.traceId] = spanContext.traceId;
      if (entry[fields.spanId] === undefined) entry[fields.spanId] = spanContext.spanId;
      if (entry[fields.traceFlags] === undefined) entry[fields.traceFlags] = FLAGS_HEX[spanContext.traceFlags & 0xff];
    }
    if (this.#resolved.serviceName && entry[fields.serviceName] === undefined) entry[fields.serviceName] = currentServiceName();
    return info;
  }
}

/**
 * A winston format that adds the active span's `trace_id`, `span_id` and `trace_flags` (the W3C bit field: `01` sampled, `02` random trace id) to
 * every log entry, and nothing outside a span. Put it before the format that serializes (`json()`).
 * No monkey-patching and no import of winston: it works in ESM and CommonJS apps alike.
 * Options: `fields` (`'snake_case'` default, `'camelCase'`, or your own names) and `serviceName` (default false);
 * no environment variable changes them. Invalid options throw a {@link TracewireConfigError} here, never
 * while logging. Fields the log call already carries (e.g. its own `trace_id` metadata) are kept.
 *
 * @example
 * ```ts
 * import winston from 'winston';
 * import { traceFormat } from 'tracewire/winston';
 *
 * const logger = winston.createLogger({
 *   format: winston.format.combine(traceFormat(), winston.format.json()),
 *   transports: [new winston.transports.Console()],
 * });
 * logger.info('order paid', { orderId });
 * // {"level":"info","message":"order paid","orderId":7,"trace_id":"4bf9…","span_id":"00f0…","trace_flags":"01"}
 * ```
 */
export function traceFormat(options?: LogCorrelationOptions): TraceFormat {
  const result = resolveLogOptions(options);
  if (result.errors.length > 0) throw new TracewireConfigError(result.errors, 'traceFormat()');
  return new TraceFieldsFormat(options ?? {}, result.options);
}
