import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/**
 * Getter and setter that work for every carrier people pass around:
 * plain objects (HTTP headers, Kafka and AMQP message headers, whose values may be Buffers or arrays),
 * `Map`s, and objects with `get`/`set` methods such as gRPC `Metadata` or the WHATWG `Headers`.
 * Neither ever throws: an unreadable carrier reads as empty, an unwritable one is left alone.
 * @internal
 */

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (Array.isArray(value)) {
    // Several values for one header: HTTP joins them with ",", which is what tracestate and baggage expect.
    const parts: string[] = [];
    for (const item of value) {
      const text = toText(item);
      if (text !== undefined) parts.push(text);
    }
    return parts.length > 0 ? parts.join(',') : undefined;
  }
  return undefined;
}

function hasGetSet(carrier: object): carrier is { get(key: string): unknown; set(key: string, value: string): unknown } {
  return typeof (carrier as { get?: unknown }).get === 'function' && typeof (carrier as { set?: unknown }).set === 'function';
}

function findKey(carrier: Record<string, unknown>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(carrier, key)) return key;
  // Headers arrive in any case from messaging systems; HTTP ones are already lower-case.
  for (const k of Object.keys(carrier)) if (k.toLowerCase() === key) return k;
  return undefined;
}

export const carrierGetter: TextMapGetter<unknown> = {
  keys(carrier: unknown): string[] {
    try {
      if (carrier === null || typeof carrier !== 'object') return [];
      if (carrier instanceof Map) return [...carrier.keys()].filter((k): k is string => typeof k === 'string');
      if (hasGetSet(carrier)) {
        const withKeys = carrier as { keys?: () => Iterable<string>; getMap?: () => Record<string, unknown> };
        if (typeof withKeys.getMap === 'function') return Object.keys(withKeys.getMap());
        if (typeof withKeys.keys === 'function') return [...withKeys.keys()];
        return [];
      }
      return Object.keys(carrier);
    } catch {
      return [];
    }
  },
  get(carrier: unknown, key: string): string | undefined {
    try {
      if (carrier === null || typeof carrier !== 'object') return undefined;
      if (carrier instanceof Map) return toText(carrier.get(key));
      if (hasGetSet(carrier)) return toText(carrier.get(key));
      const record = carrier as Record<string, unknown>;
      const k = findKey(record, key);
      return k === undefined ? undefined : toText(record[k]);
    } catch {
      return undefined;
    }
  },
};

export const carrierSetter: TextMapSetter<unknown> = {
  set(carrier: unknown, key: string, value: string): void {
    try {
      if (carrier === null || typeof carrier !== 'object' || Object.isFrozen(carrier)) return;
      if (carrier instanceof Map || hasGetSet(carrier)) {
        (carrier as { set(k: string, v: string): unknown }).set(key, value);
        return;
      }
      (carrier as Record<string, unknown>)[key] = value;
    } catch {
      // A read-only or exotic carrier: leave it untouched rather than break the caller.
    }
  },
};
