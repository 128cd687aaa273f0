import type { TraceTree } from '../build-trace-tree.js';
import type { TraceSummary } from './trace-summary.js';

/** The trace list's filters, as the page sends them in the query string. @internal */
export interface TraceFilter {
  readonly service?: string;
  readonly operation?: string;
  /** Inclusive bounds on the duration, ms. */
  readonly minDurationMs?: number;
  readonly maxDurationMs?: number;
  readonly errorsOnly: boolean;
  /** `key=value`: some span has this attribute with this value (compared as text). */
  readonly attribute?: { readonly key: string; readonly value: string };
  /** Some span's name contains this text (case-insensitive). */
  readonly text?: string;
  /** Most rows returned, newest first. */
  readonly limit: number;
}

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5000;

function nonEmpty(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function milliseconds(value: string | null): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Reads the filters from a query string: `service`, `operation`, `minDuration` and `maxDuration` (ms), `errors=1`,
 * `attr=key=value`, `q` (text in span names), `limit`. Values that do not parse are ignored. Pure. @internal
 *
 * @example
 * ```ts
 * parseTraceFilter(new URLSearchParams('minDuration=300&errors=1')); // { minDurationMs: 300, errorsOnly: true, limit: 500 }
 * ```
 */
export function parseTraceFilter(query: URLSearchParams): TraceFilter {
  const attr = nonEmpty(query.get('attr'));
  const equals = attr?.indexOf('=') ?? -1;
  const limit = milliseconds(query.get('limit'));
  const filter: Record<string, unknown> = {
    errorsOnly: query.get('errors') === '1' || query.get('errors') === 'true',
    limit: limit === undefined ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit))),
  };
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) filter[key] = value;
  };
  set('service', nonEmpty(query.get('service')));
  set('operation', nonEmpty(query.get('operation')));
  set('minDurationMs', milliseconds(query.get('minDuration')));
  set('maxDurationMs', milliseconds(query.get('maxDuration')));
  set('text', nonEmpty(query.get('q'))?.toLowerCase());
  if (attr !== undefined && equals > 0) set('attribute', { key: attr.slice(0, equals).trim(), value: attr.slice(equals + 1).trim() });
  return filter as unknown as TraceFilter;
}

/** An attribute value compared as text: strings as they are, other values as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * True when a trace passes every filter: its services include `service`, some span is named `operation`, its
 * duration is within the bounds, it has an error (with `errorsOnly`), some span carries the attribute, some span's
 * name contains the text. Pure. @internal
 *
 * @example
 * ```ts
 * matchesTraceFilter(summary, tree, parseTraceFilter(new URLSearchParams('service=checkout')));
 * ```
 */
export function matchesTraceFilter(summary: TraceSummary, tree: TraceTree, filter: TraceFilter): boolean {
  const ms = summary.durationNs / 1e6;
  if (filter.minDurationMs !== undefined && ms < filter.minDurationMs) return false;
  if (filter.maxDurationMs !== undefined && ms > filter.maxDurationMs) return false;
  if (filter.errorsOnly && summary.errorCount === 0) return false;
  if (filter.service !== undefined && !summary.services.includes(filter.service)) return false;
  if (filter.operation === undefined && filter.attribute === undefined && filter.text === undefined) return true;
  let operation = filter.operation === undefined;
  let attribute = filter.attribute === undefined;
  let text = filter.text === undefined;
  for (const node of tree.nodes) {
    const span = node.span;
    if (!operation && span.name === filter.operation && (filter.service === undefined || span.service === filter.service)) operation = true;
    if (
      !attribute &&
      filter.attribute!.key in span.attributes &&
      asText(span.attributes[filter.attribute!.key]) === filter.attribute!.value
    )
      attribute = true;
    if (!text && span.name.toLowerCase().includes(filter.text!)) text = true;
    if (operation && attribute && text) return true;
  }
  return false;
}
