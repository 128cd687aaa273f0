/**
 * Thrown by {@link initTracing} (and only there) when options passed in code are invalid.
 * It lists every problem at once, so one run shows everything to fix.
 *
 * @example
 * ```ts
 * try {
 *   initTracing({ protocol: 'grpc' as never });
 * } catch (err) {
 *   if (err instanceof TracewireConfigError) console.error(err.problems);
 * }
 * ```
 */
export class TracewireConfigError extends Error {
  /** Stable code for programmatic checks. */
  readonly code = 'TRACEWIRE_CONFIG' as const;
  /** One line per invalid option, each naming the option and the value received. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`tracewire: invalid options passed to initTracing():\n  - ${problems.join('\n  - ')}`);
    this.name = 'TracewireConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
