import type { AttrValue, DevSpan } from './dev-span.js';
import type { OtlpKeyValue } from '../otlp/otlp-json.js';

type Resource = NonNullable<DevSpan['source']>['resource'];

/** Fixed cost of a span: its two objects, ids, times, and the OTLP/JSON copy kept for `--jsonl`. */
const SPAN_OVERHEAD = 1024;
/** Cost of one value or object slot beyond its characters (pointers, headers, hidden classes). */
const SLOT = 48;

function valueBytes(value: AttrValue, depth: number): number {
  if (typeof value === 'string') return SLOT + 2 * value.length;
  if (value === null || typeof value !== 'object' || depth > 64) return SLOT;
  let bytes = SLOT;
  if (Array.isArray(value)) for (const v of value) bytes += valueBytes(v, depth + 1);
  else for (const key in value) bytes += SLOT + 2 * key.length + valueBytes(value[key]!, depth + 1);
  return bytes;
}

function attributesBytes(attributes: Readonly<Record<string, AttrValue>>): number {
  let bytes = SLOT;
  for (const key in attributes) bytes += SLOT + 2 * key.length + valueBytes(attributes[key]!, 0);
  return bytes;
}

function keyValuesBytes(list: readonly OtlpKeyValue[]): number {
  let bytes = SLOT;
  for (const kv of list) bytes += 2 * SLOT + 2 * kv.key.length + 2 * JSON.stringify(kv.value).length;
  return bytes;
}

/** One span alone, without the resource it shares with the other spans of its request. */
function ownBytes(span: DevSpan): number {
  let bytes = 2 * (span.name.length + span.service.length + span.statusMessage.length) + attributesBytes(span.attributes);
  for (const event of span.events) bytes += SLOT + 2 * event.name.length + attributesBytes(event.attributes);
  if (span.source !== undefined) {
    bytes *= 2;
    for (const link of span.source.span.links) bytes += SLOT + keyValuesBytes(link.attributes);
  }
  return SPAN_OVERHEAD + bytes;
}

/**
 * Estimated memory each span holds while the receiver keeps it, in bytes, in the order given: two bytes per
 * character of every string plus a fixed cost per value, doubled when the span also keeps its OTLP/JSON source
 * (which holds the same strings in other objects, and the links). The resource that spans of one request share is
 * charged to them in equal parts. An estimate on the high side, for byte budgets, not an exact figure. Pure. @internal
 *
 * @example
 * ```ts
 * estimateSpanBytes(flattenSpans(request)); // [1480, 1312, …] for spans with a handful of short attributes
 * ```
 */
export function estimateSpanBytes(spans: readonly DevSpan[]): number[] {
  const sharing = new Map<Resource, number>();
  for (const span of spans) if (span.source !== undefined) sharing.set(span.source.resource, (sharing.get(span.source.resource) ?? 0) + 1);
  const shares = new Map<Resource, number>();
  for (const [resource, count] of sharing) shares.set(resource, Math.ceil(keyValuesBytes(resource.attributes) / count));
  return spans.map((span) => ownBytes(span) + (span.source === undefined ? 0 : shares.get(span.source.resource)!));
}
