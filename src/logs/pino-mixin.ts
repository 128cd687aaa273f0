import { TracewireConfigError } from '../internal/errors.js';
import { resolveLogOptions, type LogCorrelationOptions, type ResolvedLogOptions } from './resolve-log-options.js';
import { FLAGS_HEX, spanContextOf } from './span-context-of.js';
import { writeLogFields } from './write-log-fields.js';

export type { LogCorrelationOptions, LogFieldNames } from './resolve-log-options.js';

/**
 * The function {@link pinoMixin} returns; pass it as pino's `mixin` option.
 *
 * @example
 * ```ts
 * const mixin: PinoMixin = pinoMixin();
 * const logger = pino({ mixin });
 * ```
 */
export type PinoMixin = (mergeObject?: object, level?: number) => Record<string, string>;

// Every path returns a NEW object: pino's default mixinMergeStrategy is Object.assign(mixinResult, mergeObject),
// so it writes the fields of the log call into what the mixin returns. A shared frozen object would make
// `logger.info({ orderId }, 'paid')` throw; a shared mutable one would leak fields from line to line.
// (test/unit/log-correlation.test.ts checks that pino still behaves so.)

/** The default mixin: OpenTelemetry field names, no service name. One object literal of a fixed shape. */
function traceMixin(): Record<string, string> {
  const spanContext = spanContextOf(undefined);
  if (spanContext === undefined) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: FLAGS_HEX[spanContext.traceFlags & 0xff]! };
}

function configuredMixin(this: ResolvedLogOptions): Record<string, string> {
  const fields: Record<string, string> = {};
  writeLogFields(fields, spanContextOf(undefined), this);
  return fields;
}

/**
 * A pino `mixin` that adds the active span's `trace_id`, `span_id` and `trace_flags` (the W3C bit field: `01` sampled, `02` random trace id) to every
 * log line, and nothing outside a span. No monkey-patching: it works the same in ESM and CommonJS apps, with
 * or without `--import tracewire/register`, and with any OpenTelemetry SDK that registered a context manager.
 * Options: `fields` (`'snake_case'` default, `'camelCase'`, or your own names) and `serviceName` (default false);
 * no environment variable changes them. Invalid options throw a {@link TracewireConfigError} here, never
 * while logging. Fields of the log call win over the mixin's (pino's merge order).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { pinoMixin } from 'tracewire/pino';
 *
 * const logger = pino({ mixin: pinoMixin() });
 * logger.info({ orderId }, 'order paid');
 * // {"level":30,...,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01","orderId":7,"msg":"order paid"}
 * pino({ mixin: pinoMixin({ fields: 'camelCase', serviceName: true }) }); // traceId, spanId, traceFlags, serviceName
 * ```
 */
export function pinoMixin(options?: LogCorrelationOptions): PinoMixin {
  const result = resolveLogOptions(options);
  if (result.errors.length > 0) throw new TracewireConfigError(result.errors, 'pinoMixin()');
  const resolved = result.options;
  const isDefault =
    !resolved.serviceName &&
    resolved.fields.traceId === 'trace_id' &&
    resolved.fields.spanId === 'span_id' &&
    resolved.fields.traceFlags === 'trace_flags';
  return isDefault ? traceMixin : configuredMixin.bind(resolved);
}
