import { DiagLogLevel } from '@opentelemetry/api';
import { resolveConfig } from '../config/resolve-config.js';
import type { LogLevelName, ResolvedConfig, TracewireOptions } from '../config/types.js';
import { TracewireConfigError } from '../internal/errors.js';
import { setLogLevel, warn } from '../internal/log.js';

/** OTEL_LOG_LEVEL names to the API's levels. @internal */
export const LOG_LEVELS: Readonly<Record<LogLevelName, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * Resolves `options` against process.env for initTracing and createNodeSDK: throws one TracewireConfigError
 * listing every bad option, sets tracewire's log level, then prints each environment warning. @internal
 */
export function resolveOptions(options: TracewireOptions): ResolvedConfig {
  const { config, errors, warnings } = resolveConfig(options, process.env);
  if (errors.length > 0) throw new TracewireConfigError(errors);
  setLogLevel(LOG_LEVELS[config.logLevel]);
  for (const message of warnings) warn(message);
  return config;
}
