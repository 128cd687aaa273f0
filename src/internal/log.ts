import { DiagLogLevel } from '@opentelemetry/api';

/**
 * tracewire's own console output. Every line starts with "tracewire:" and goes to stderr.
 * The level follows OTEL_LOG_LEVEL / `debug`; warnings are shown by default.
 * @internal
 */
let level: DiagLogLevel = DiagLogLevel.WARN;

/** @internal */
export function setLogLevel(next: DiagLogLevel): void {
  level = next;
}

/** @internal */
export function warn(message: string): void {
  if (level >= DiagLogLevel.WARN) process.stderr.write(`tracewire: ${message}\n`);
}

/** @internal */
export function debug(message: string): void {
  if (level >= DiagLogLevel.DEBUG) process.stderr.write(`tracewire: ${message}\n`);
}
