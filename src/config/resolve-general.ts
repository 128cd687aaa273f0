import { defineSection } from './option-reader.js';
import type { LogLevelName, ResolvedConfig } from './types.js';
import { hasMethods } from './validators.js';

const LOG_LEVELS: readonly LogLevelName[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

/**
 * Whether tracing is on, the diagnostic log level, and span processors given in code.
 * `disabled` > OTEL_SDK_DISABLED > false; `debug: true` > OTEL_LOG_LEVEL > warn.
 * @internal
 */
export const generalSection = defineSection(['disabled', 'debug', 'spanProcessors'], (r) => {
  const isBoolean = (v: unknown) => typeof v === 'boolean';
  const disabled = r.get<boolean>('disabled', isBoolean, 'a boolean') ?? r.env.boolean('OTEL_SDK_DISABLED') ?? false;
  const debug = r.get<boolean>('debug', isBoolean, 'a boolean');
  const logLevel: LogLevelName = debug === true ? 'debug' : (r.env.enumValue(['OTEL_LOG_LEVEL'], LOG_LEVELS, 'warn') ?? 'warn');
  const spanProcessors =
    r.get<ResolvedConfig['spanProcessors']>(
      'spanProcessors',
      (v) => Array.isArray(v) && v.every((x) => hasMethods(x, 'onStart', 'onEnd', 'shutdown', 'forceFlush')),
      'an array of SpanProcessor instances',
    ) ?? [];
  return { disabled, logLevel, spanProcessors: Object.freeze([...spanProcessors]) };
});
