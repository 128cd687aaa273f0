/** The largest integer a millisecond or size setting takes (timers take 32-bit signed values). @internal */
export const MAX_INT = 2 ** 31 - 1;

/**
 * True for a string that parses as an absolute `http:` or `https:` URL (WHATWG URL rules, as `fetch` and the
 * exporters parse it). The one rule for every URL-valued setting: endpoints, the Jaeger sampler, `--forward`.
 * @internal
 */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A non-null object that is not an array. @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with a function under each of `methods` (how a SpanExporter, propagator, ... given in code is recognised). @internal */
export function hasMethods(value: unknown, ...methods: string[]): boolean {
  return isPlainObject(value) && methods.every((m) => typeof value[m] === 'function');
}

/** A string with something other than white space. @internal */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A predicate for integers from `min` to `max`. @internal */
export function integerIn(min: number, max: number): (value: unknown) => boolean {
  return (value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}
