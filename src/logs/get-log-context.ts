import type { Context } from '@opentelemetry/api';
import { TracewireConfigError } from '../internal/errors.js';
import { DEFAULT_LOG_OPTIONS, resolveLogOptions, type LogCorrelationOptions, type ResolvedLogOptions } from './resolve-log-options.js';
import { spanContextOf } from './span-context-of.js';
import { writeLogFields } from './write-log-fields.js';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

// Options objects already validated: a caller that keeps its options in a constant resolves them once.
const RESOLVED = new WeakMap<object, ResolvedLogOptions>();

function resolved(options: LogCorrelationOptions | undefined): ResolvedLogOptions {
  if (options === undefined) return DEFAULT_LOG_OPTIONS;
  const known = typeof options === 'object' && options !== null ? RESOLVED.get(options) : undefined;
  if (known !== undefined) return known;
  const result = resolveLogOptions(options);
  if (result.errors.length > 0) throw new TracewireConfigError(result.errors, 'getLogContext()');
  RESOLVED.set(options, result.options);
  return result.options;
}

/**
 * The trace correlation fields for a log line of any logger (console, bunyan, your own JSON):
 * `{ trace_id, span_id, trace_flags }` of the span active in `ctx` (default: the active context), as a new
 * object you may extend. Without an active span (and without `serviceName: true`) it returns one shared,
 * frozen, empty object, so the call allocates nothing. Never throws for a missing or broken span; invalid
 * `options` throw a {@link TracewireConfigError} (keep them in a constant: they are validated once).
 * Default field names `trace_id`/`span_id`/`trace_flags`; no environment variable changes them.
 *
 * @example
 * ```ts
 * import { getLogContext } from 'tracewire';
 * console.log(JSON.stringify({ msg: 'order paid', ...getLogContext() }));
 * // {"msg":"order paid","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01"}
 * const CAMEL = { fields: 'camelCase' } as const;
 * bunyanLogger.info(getLogContext(undefined, CAMEL), 'order paid'); // traceId, spanId, traceFlags
 * ```
 */
export function getLogContext(ctx?: Context, options?: LogCorrelationOptions): Readonly<Record<string, string>> {
  const opts = resolved(options);
  const spanContext = spanContextOf(ctx);
  if (spanContext === undefined && !opts.serviceName) return EMPTY;
  const fields: Record<string, string> = {};
  writeLogFields(fields, spanContext, opts);
  return fields;
}
