import type { ExportResponse } from '@opentelemetry/otlp-exporter-base';

/** Retries after the first attempt, the first backoff, its growth and cap, and the jitter (±20 %): the OTLP spec's policy as the stock transport applies it. */
export const MAX_RETRIES = 5;
export const INITIAL_BACKOFF_MS = 1000;
export const BACKOFF_MULTIPLIER = 1.5;
export const MAX_BACKOFF_MS = 5000;
const JITTER = 0.2;

/**
 * Network errors that can succeed on an immediate retry within the shutdown bound: a keep-alive connection the
 * collector closed (reset, broken pipe) or a connection that timed out. A refused connection or a host name that
 * does not resolve will not change in a few seconds: at shutdown it fails at once.
 */
const RETRY_AT_SHUTDOWN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** The stock HTTP transport's error for a request that got no answer within its timeout (it carries no code). */
const REQUEST_TIMED_OUT = /timed out/i;

/** The backoff before retry number `retry` (0-based), with jitter; `random` in [0, 1). @internal */
export function backoffMs(retry: number, random: number): number {
  const base = INITIAL_BACKOFF_MS * BACKOFF_MULTIPLIER ** retry;
  return Math.max(0, Math.min(base * (1 + (random * 2 - 1) * JITTER), MAX_BACKOFF_MS));
}

/**
 * While the app runs: how long to wait before retrying `result`, or undefined to give up. Retryable results (429,
 * 502, 503, 504, network errors, timeouts) are retried after their Retry-After, else after `backoff`, unless that
 * ends past the export's own deadline (OTEL_EXPORTER_OTLP_TIMEOUT from its start). @internal
 */
export function retryDelay(result: ExportResponse, backoff: number, now: number, exportDeadline: number): number | undefined {
  if (result.status !== 'retryable') return undefined;
  const wait = Math.max(0, result.retryInMillis ?? backoff);
  return now + wait > exportDeadline ? undefined : wait;
}

/**
 * Whether `result` can still succeed during shutdown: a 429/503 (or 502/504) with Retry-After, a request that timed
 * out, a reset connection. Not: a refused connection, an unresolvable host, a retryable status without Retry-After.
 * @internal
 */
export function canSucceedAtShutdown(result: ExportResponse): boolean {
  if (result.status !== 'retryable') return false;
  if (result.retryInMillis !== undefined) return true;
  const error = result.error as NodeJS.ErrnoException | undefined;
  if (error === undefined) return false;
  if (typeof error.code === 'string') return RETRY_AT_SHUTDOWN.has(error.code);
  return REQUEST_TIMED_OUT.test(String(error.message));
}

/**
 * During shutdown: the wait before retrying `result` (its Retry-After, else none), counted from `since`, or undefined
 * when it cannot succeed or the retry would start at or after `shutdownDeadline` (or past `exportDeadline`). @internal
 */
export function retryDelayAtShutdown(
  result: ExportResponse,
  since: number,
  exportDeadline: number,
  shutdownDeadline: number,
): number | undefined {
  if (!canSucceedAtShutdown(result)) return undefined;
  const wait = Math.max(0, result.status === 'retryable' ? (result.retryInMillis ?? 0) : 0);
  const at = since + wait;
  return at >= shutdownDeadline || at > exportDeadline ? undefined : wait;
}
