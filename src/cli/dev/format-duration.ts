/**
 * A duration in nanoseconds as people read it: `0.42 ms`, `8.5 ms`, `212 ms`, `1.23 s`. @internal
 *
 * @example
 * ```ts
 * formatDuration(212_000_000); // '212 ms'
 * ```
 */
export function formatDuration(ns: number): string {
  const ms = ns / 1e6;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
