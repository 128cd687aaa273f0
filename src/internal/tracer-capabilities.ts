import type { Attributes, Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';

/**
 * What tracewire's tracer offers tracewire's own instrumentations beyond the API `Tracer`, keyed by global symbols:
 * the ESM and CommonJS builds (and the register bundle) hold separate copies of every class, so `instanceof` cannot
 * tell a tracewire tracer from another copy; a symbol from `Symbol.for` is the same in all of them.
 * @internal
 */
export const kStartSpanWithAttributesOf: unique symbol = Symbol.for('tracewire.tracer.start-span-with-attributes-of.v1') as never;
/** @internal See {@link kStartSpanWithAttributesOf}. */
export const kDropsChildrenOf: unique symbol = Symbol.for('tracewire.tracer.drops-children-of.v1') as never;

/** A tracer, with tracewire's capabilities when it is one of tracewire's (from any copy). @internal */
export interface CapableTracer extends Tracer {
  /** startSpan whose initial attributes are `attributesOf(source)`, computed only for spans that need them. */
  [kStartSpanWithAttributesOf]?: <T>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    attributesOf: (source: T) => Attributes,
    source: T,
  ) => Span;
  /** Whether a child of `span` would be dropped without asking the sampler. */
  [kDropsChildrenOf]?: (span: Span | undefined) => boolean;
}

/** Whether `tracer` is a tracewire tracer that drops every child of `span` (so instrumentations can skip work). @internal */
export function dropsChildrenOf(tracer: Tracer, span: Span | undefined): boolean {
  const drops = (tracer as CapableTracer)[kDropsChildrenOf];
  return drops !== undefined && drops.call(tracer, span);
}
