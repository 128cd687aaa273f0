import { isPlainObject } from '../config/validators.js';

/**
 * Names of the fields tracewire adds to a log line; pass some of them as `fields` to rename.
 *
 * @example
 * ```ts
 * pinoMixin({ fields: { traceId: 'dd.trace_id', spanId: 'dd.span_id' } });
 * ```
 */
export interface LogFieldNames {
  /** Field of the 32-hex-digit trace id. Default `trace_id`. */
  traceId: string;
  /** Field of the 16-hex-digit span id. Default `span_id`. */
  spanId: string;
  /** Field of the W3C trace flags as two hex digits (bits: `01` sampled, `02` random trace id). Default `trace_flags`. */
  traceFlags: string;
  /** Field of the service name, written only with `serviceName: true`. Default `service.name`. */
  serviceName: string;
}

/**
 * Options of {@link pinoMixin}, {@link traceFormat} and {@link getLogContext}. No environment variable
 * overrides them: they shape the output of your logger, which is your code's business.
 *
 * @example
 * ```ts
 * const LOG_OPTIONS: LogCorrelationOptions = { fields: 'camelCase', serviceName: true };
 * pino({ mixin: pinoMixin(LOG_OPTIONS) }); // {"traceId":"…","spanId":"…","traceFlags":"01","serviceName":"checkout",…}
 * ```
 */
export interface LogCorrelationOptions {
  /**
   * Field names: `'snake_case'` (the OpenTelemetry names `trace_id`, `span_id`, `trace_flags`, `service.name`),
   * `'camelCase'` (`traceId`, `spanId`, `traceFlags`, `serviceName`), or an object overriding some of the
   * snake_case names. Default `'snake_case'`.
   */
  fields?: 'snake_case' | 'camelCase' | Partial<LogFieldNames>;
  /**
   * Add the service name to every line, inside a span or not. The name is the `service.name` of the running
   * tracewire (`initTracing()` or `--import tracewire/register`); before tracewire starts, or when another SDK
   * runs, it is the name `initTracing()` would use: `OTEL_SERVICE_NAME`, else `service.name` in
   * `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service:node`. Default `false`.
   */
  serviceName?: boolean;
}

/** Log options after validation. Frozen. @internal */
export interface ResolvedLogOptions {
  readonly fields: Readonly<LogFieldNames>;
  readonly serviceName: boolean;
}

const SNAKE_CASE: Readonly<LogFieldNames> = Object.freeze({
  traceId: 'trace_id',
  spanId: 'span_id',
  traceFlags: 'trace_flags',
  serviceName: 'service.name',
});
const CAMEL_CASE: Readonly<LogFieldNames> = Object.freeze({
  traceId: 'traceId',
  spanId: 'spanId',
  traceFlags: 'traceFlags',
  serviceName: 'serviceName',
});
const FIELD_KEYS: ReadonlyArray<keyof LogFieldNames> = ['traceId', 'spanId', 'traceFlags', 'serviceName'];
const OPTION_KEYS: readonly string[] = ['fields', 'serviceName'];

/** The options used when none are given. @internal */
export const DEFAULT_LOG_OPTIONS: ResolvedLogOptions = Object.freeze({ fields: SNAKE_CASE, serviceName: false });

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/**
 * Validates log correlation options. Pure; returns every problem found, so the caller can throw one
 * TracewireConfigError listing them all. @internal
 */
export function resolveLogOptions(options: LogCorrelationOptions | undefined): { options: ResolvedLogOptions; errors: string[] } {
  if (options === undefined) return { options: DEFAULT_LOG_OPTIONS, errors: [] };
  const errors: string[] = [];
  if (!isPlainObject(options)) return { options: DEFAULT_LOG_OPTIONS, errors: [`options must be an object, got ${show(options)}`] };
  for (const key of Object.keys(options)) if (!OPTION_KEYS.includes(key)) errors.push(`${key}: unknown option`);

  let fields: Readonly<LogFieldNames> = SNAKE_CASE;
  const given: unknown = options.fields;
  if (given === 'camelCase') fields = CAMEL_CASE;
  else if (isPlainObject(given)) {
    const custom: LogFieldNames = { ...SNAKE_CASE };
    for (const key of Object.keys(given)) {
      if (!(FIELD_KEYS as readonly string[]).includes(key)) errors.push(`fields.${key}: unknown field (expected ${FIELD_KEYS.join(', ')})`);
    }
    for (const key of FIELD_KEYS) {
      const name = given[key];
      if (name === undefined) continue;
      if (typeof name !== 'string' || name === '') errors.push(`fields.${key}: expected a non-empty string, got ${show(name)}`);
      else custom[key] = name;
    }
    const names = FIELD_KEYS.map((key) => custom[key]);
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (repeated.length > 0) errors.push(`fields: each field needs its own name, but ${show([...new Set(repeated)])} is used twice`);
    fields = Object.freeze(custom);
  } else if (given !== undefined && given !== 'snake_case') {
    errors.push(`fields: expected 'snake_case', 'camelCase' or an object of field names, got ${show(given)}`);
  }

  const serviceName: unknown = options.serviceName;
  if (serviceName !== undefined && typeof serviceName !== 'boolean')
    errors.push(`serviceName: expected a boolean, got ${show(serviceName)}`);

  return { options: Object.freeze({ fields, serviceName: serviceName === true }), errors };
}
