/**
 * Environment parsing exactly as the OpenTelemetry specification says
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * an empty value is unset; only a case-insensitive `true` is true; enums are case-insensitive;
 * lists are comma-separated and trimmed; numbers are validated with their range.
 * Every parser returns `undefined` for unset and pushes one warning (variable, value, fallback) for bad input.
 * @internal
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** @internal */
export class EnvReader {
  readonly warnings: string[] = [];
  constructor(private readonly env: Env) {}

  /** The raw value, or undefined when unset or empty (after trimming). */
  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  /** First set variable of `names` (signal-specific first), with its name. */
  first(names: readonly string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.raw(name);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  }

  warn(name: string, value: string, problem: string, fallback: string): void {
    this.warnings.push(`${name}=${JSON.stringify(value)} ${problem}; using ${fallback}.`);
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower !== 'false') this.warn(name, value, 'is not "true" or "false"', 'false');
    return false;
  }

  /** An integer in [min, max]; bad values warn and give undefined (the caller's default). */
  integer(names: string | readonly string[], min: number, max: number, fallback: string): number | undefined {
    const hit = this.first(typeof names === 'string' ? [names] : names);
    if (hit === undefined) return undefined;
    const n = Number(hit.value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.warn(hit.name, hit.value, `is not an integer between ${min} and ${max}`, fallback);
      return undefined;
    }
    return n;
  }

  /** A case-insensitive enum member; bad values warn and give undefined. */
  enumValue<T extends string>(names: readonly string[], allowed: readonly T[], fallback: string): T | undefined {
    const hit = this.first(names);
    if (hit === undefined) return undefined;
    const lower = hit.value.toLowerCase() as T;
    if (allowed.includes(lower)) return lower;
    this.warn(hit.name, hit.value, `is not one of ${allowed.join(', ')}`, fallback);
    return undefined;
  }

  /** A comma-separated list, trimmed, empty items removed. */
  list(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /**
   * A comma-separated list of names from `allowed`: case-insensitive, deduplicated, in order. Unknown names
   * are dropped with one warning naming them; `fallback` describes what is used instead, given the known ones.
   */
  names<T extends string>(name: string, allowed: readonly T[], what: string, fallback: (known: T[]) => string): T[] | undefined {
    const list = this.list(name);
    if (list === undefined) return undefined;
    const lower = [...new Set(list.map((n) => n.toLowerCase()))];
    const known = lower.filter((n): n is T => allowed.includes(n as T));
    const unknown = lower.filter((n) => !allowed.includes(n as T));
    if (unknown.length > 0) {
      this.warn(name, this.raw(name) ?? '', `names unknown ${what} ${unknown.join(', ')} (known: ${allowed.join(', ')})`, fallback(known));
    }
    return known;
  }

  /**
   * `key1=value1,key2=value2` with percent-encoded values (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS).
   * Malformed entries are skipped with a warning; `redactValues` keeps header values out of warnings.
   */
  keyValues(names: readonly string[], redactValues: boolean): { name: string; pairs: Record<string, string> } | undefined {
    const hit = this.first(names);
    if (hit === undefined) return undefined;
    const pairs: Record<string, string> = {};
    for (const entry of hit.value.split(',')) {
      if (entry.trim() === '') continue;
      const eq = entry.indexOf('=');
      const key = eq > 0 ? entry.slice(0, eq).trim() : '';
      let decoded: string | undefined;
      if (key !== '') {
        try {
          decoded = decodeURIComponent(entry.slice(eq + 1).trim());
        } catch {
          decoded = undefined;
        }
      }
      if (key === '' || decoded === undefined) {
        const shown = redactValues ? `${key || entry.split('=')[0]?.trim() || '?'}=[REDACTED]` : entry.trim();
        this.warnings.push(
          `${hit.name} has a malformed entry ${JSON.stringify(shown)} (expected key=percent-encoded-value); skipping that entry.`,
        );
        continue;
      }
      pairs[key] = decoded;
    }
    return { name: hit.name, pairs };
  }
}
