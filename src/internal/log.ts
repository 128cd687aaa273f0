import { DiagLogLevel } from '@opentelemetry/api';

/**
 * tracewire's own console output. Every line starts with "tracewire:" and goes to stderr.
 * The level follows OTEL_LOG_LEVEL / `debug`; warnings are shown by default.
 * @internal
 */
let level: DiagLogLevel = DiagLogLevel.WARN;
const onceKeys = new Set<string>();

/** @internal */
export function setLogLevel(next: DiagLogLevel): void {
  level = next;
}

/** @internal */
export function logLevel(): DiagLogLevel {
  return level;
}

/** @internal */
export function warn(message: string): void {
  if (level >= DiagLogLevel.WARN) process.stderr.write(`tracewire: ${message}\n`);
}

/** Warns once per key for the life of the process. @internal */
export function warnOnce(key: string, message: string): void {
  if (onceKeys.has(key)) return;
  onceKeys.add(key);
  warn(message);
}

/** @internal */
export function debug(message: string): void {
  if (level >= DiagLogLevel.DEBUG) process.stderr.write(`tracewire: ${message}\n`);
}

/** @internal */
export function error(message: string): void {
  if (level >= DiagLogLevel.ERROR) process.stderr.write(`tracewire: ${message}\n`);
}
