/**
 * Thrown when options passed in code are invalid: by {@link initTracing}, and by the log correlation
 * factories (`pinoMixin()`, `traceFormat()`, `getLogContext()`) for their own options.
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

  /**
   * `instanceof` holds across copies of this class: the CommonJS build bundles one per entry point
   * (`tracewire`, `tracewire/pino`, …) and an app can load both the ESM and the CommonJS build.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && (value as { code?: unknown }).code === 'TRACEWIRE_CONFIG';
  }

  /** @param where the call that received the options, named in the message. Default `initTracing()`. */
  constructor(problems: readonly string[], where = 'initTracing()') {
    super(`tracewire: invalid options passed to ${where}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TracewireConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
