import { isAnyValue } from '@opentelemetry/core';

/**
 * The SDK 3.x rule for a span attribute value (an OpenTelemetry AnyValue: a primitive, null, bytes, an array of
 * AnyValues or a plain object of them), with the primitives decided without a call: this runs for every attribute.
 * @internal
 */
export function isSpanAttributeValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || (type === 'object' && isAnyValue(value));
}

/**
 * A copy of a valid AnyValue with every string (and byte array) cut to `limit`, as the SDK stores attribute values:
 * arrays and objects are copied deeply, so that the caller can change what it passed without changing the span.
 * Keys whose value is undefined are left out of copied objects, as the SDK does.
 * @internal
 */
export function copyAttributeValue(value: unknown, limit: number): unknown {
  if (typeof value === 'string') return value.length <= limit ? value : value.substring(0, limit);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array) return value.length <= limit ? value : value.slice(0, limit);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyAttributeValue(value[i], limit);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (source[key] === undefined) continue;
    storeAttribute(copy, key, copyAttributeValue(source[key], limit));
  }
  return copy;
}

/**
 * Stores `value` under `key` as an own property. `target.__proto__ = value` would instead replace the object's
 * prototype (or do nothing), so that key is defined, not assigned.
 * @internal
 */
export function storeAttribute(target: object, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}
