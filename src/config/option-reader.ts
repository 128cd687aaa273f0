import { maskUrl } from '../internal/mask-url.js';
import { EnvReader, type Env } from './env.js';
import type { TracewireOptions } from './types.js';

/** Options whose value is a URL: an invalid one is shown with what could be credentials masked. */
const URL_OPTIONS: ReadonlySet<string> = new Set(['endpoint', 'tracesEndpoint']);

/**
 * What a config section resolver reads: the options given in code (only the keys `K` its section declares), the
 * environment (through an {@link EnvReader}, which collects the warnings), and the list of errors of bad options.
 * @internal
 */
export class OptionReader<K extends keyof TracewireOptions = keyof TracewireOptions> {
  readonly env: EnvReader;
  readonly errors: string[] = [];

  constructor(
    private readonly options: TracewireOptions,
    /** The environment as given, for a variable shown as typed in a warning. */
    readonly rawEnv: Env,
  ) {
    this.env = new EnvReader(rawEnv);
  }

  /** The option `name` as given in code (unchecked), or undefined. */
  raw(name: K): unknown {
    return this.options[name];
  }

  /** Whether the option `name` was given in code at all, valid or not. */
  given(name: K): boolean {
    return this.options[name] !== undefined;
  }

  /** The option `name` when it passes `check`; otherwise one error naming it, what was expected and what was given. */
  get<T>(name: K, check: (value: unknown) => boolean, expected: string): T | undefined {
    const value = this.options[name];
    if (value === undefined) return undefined;
    if (!check(value)) {
      const shown = typeof value === 'string' && URL_OPTIONS.has(name) ? maskUrl(value) : value;
      this.errors.push(`${String(name)}: expected ${expected}, got ${JSON.stringify(shown) ?? String(shown)}`);
      return undefined;
    }
    return value as T;
  }
}

/**
 * One section of the configuration: the options it reads (keys of {@link TracewireOptions}) and the pure function that
 * resolves them, with the environment variables that stand for them. resolveConfig checks at compile time that every
 * option of TracewireOptions belongs to a section.
 * @internal
 */
export interface ConfigSection<K extends keyof TracewireOptions, R> {
  readonly options: readonly K[];
  resolve(reader: OptionReader<K>): R;
}

/** A {@link ConfigSection} (the option keys are inferred as literals). @internal */
export function defineSection<K extends keyof TracewireOptions, R>(
  options: readonly K[],
  resolve: (reader: OptionReader<K>) => R,
): ConfigSection<K, R> {
  return { options, resolve };
}
