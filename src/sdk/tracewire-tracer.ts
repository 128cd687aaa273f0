import {
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SamplingDecision,
  SpanKind,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type ContextManager,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TraceState,
} from '@opentelemetry/api';
import { cleanAttributes, isTracingSuppressed } from '@opentelemetry/core';
import type { IdGenerator, Sampler } from '@opentelemetry/sdk-trace';
import { RANDOM_TRACE_ID_FLAG } from '../propagation/trace-flags.js';
import { accumulateTraceId, ASK_SAMPLER, KEEP_ALL, KEEP_NONE, type SamplingPlan } from '../samplers/sampling-plan.js';
import { newSpanId, newTraceId, takeWords, word } from './pooled-id-generator.js';
import { cleanLink, RecordingSpan, type SpanShared } from './recording-span.js';
import { traceIdWithAccumulation, UnsampledSpan } from './unsampled-span.js';
import { kDropsChildrenOf, kStartSpanWithAttributesOf } from '../internal/tracer-capabilities.js';

/** Computes a span's initial attributes from a source object (see `startSpanWithAttributesOf`). */
type AttributesOf = (source: unknown) => Attributes;

/** Whether a trace id (known valid) is kept by `rule`. */
function keeps(rule: number, traceId: string): boolean {
  return rule === KEEP_ALL ? true : rule === KEEP_NONE ? false : accumulateTraceId(traceId) < rule;
}

/** Links as the SDK 3.x tracer hands them to the sampler and the span: attributes cleaned with the link limits. */
function cleanLinks(links: Link[] | undefined, limits: SpanShared['limits']): Link[] {
  if (links === undefined) return [];
  const out: Link[] = [];
  for (let i = 0; i < links.length; i++)
    out.push(cleanLink(links[i]!, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit));
  return out;
}

/** The SDK tracer's first cleaning of a span's attributes, before the sampler sees them: no limits. */
const NO_ATTRIBUTE_LIMITS = Object.freeze({ attributeCountLimit: Infinity, attributeValueLengthLimit: Infinity });

/**
 * The tracer of tracewire's provider: the SDK tracer's rules (suppression, root option, parent validity, sampling
 * with the span's attributes and links, trace state from the sampler), building {@link RecordingSpan}s.
 * When the sampler's decisions are predictable (a compiled {@link SamplingPlan}), it applies the plan instead of
 * calling the sampler: a dropped span becomes an {@link UnsampledSpan} (no id made, no attribute copied, no
 * processor called), costing about what a span of the no-op API costs.
 *
 * Trace flags follow W3C Trace Context Level 2: a span continuing a trace keeps its parent's random-trace-id flag
 * (0x02), and a new trace whose id tracewire drew from its pool of cryptographic randomness gets it (sampled root
 * `03`, unsampled `02`). With an `idGenerator` of the user, ids come from it (the provider then compiles no plan:
 * the plan's ids come from the pool) and the flag is not claimed for new traces (the SDK's tracer never sets it).
 * @internal
 */
export class TracewireTracer implements Tracer {
  /** The random-trace-id flag of the trace ids this tracer makes. */
  private readonly rootRandomFlag: number;

  constructor(
    private readonly shared: SpanShared,
    private readonly sampler: Sampler,
    private readonly plan: SamplingPlan | null,
    private readonly contextManager: ContextManager | undefined,
    private readonly idGenerator: IdGenerator | undefined = undefined,
  ) {
    this.rootRandomFlag = idGenerator === undefined ? RANDOM_TRACE_ID_FLAG : 0;
  }

  startSpan(name: string, options?: SpanOptions, ctx: Context = this.activeContext()): Span {
    return this.begin(name, options, ctx, undefined, undefined);
  }

  /**
   * startSpan whose initial attributes are `attributesOf(source)`, computed only when needed: for a span that is
   * recorded, or when the sampler is asked (it sees them, as do the processors' onStart). A span the sampling plan
   * drops costs no attribute work. `options.attributes` is ignored.
   */
  startSpanWithAttributesOf<T>(name: string, options: SpanOptions, ctx: Context, attributesOf: (source: T) => Attributes, source: T): Span {
    return this.begin(name, options, ctx, attributesOf as AttributesOf, source);
  }

  /**
   * Whether a child of `span` (the active span) would be dropped without asking the sampler: `span` is one of this
   * tracer's unsampled spans and the plan drops every child of a local unsampled parent. Instrumentations use it to
   * skip their work for such requests.
   */
  dropsChildrenOf(span: Span | undefined): boolean {
    return span instanceof UnsampledSpan && this.plan !== null && this.plan.localParentNotSampled === KEEP_NONE;
  }

  /** {@link startSpanWithAttributesOf} as the capability tracewire's instrumentations look for (any copy of tracewire). */
  [kStartSpanWithAttributesOf]<T>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    attributesOf: (source: T) => Attributes,
    source: T,
  ): Span {
    return this.startSpanWithAttributesOf(name, options, ctx, attributesOf, source);
  }

  /** {@link dropsChildrenOf} as the capability tracewire's instrumentations look for (any copy of tracewire). */
  [kDropsChildrenOf](span: Span | undefined): boolean {
    return this.dropsChildrenOf(span);
  }

  private begin(
    name: string,
    options: SpanOptions | undefined,
    ctx: Context,
    attributesOf: AttributesOf | undefined,
    source: unknown,
  ): Span {
    if (options !== undefined && options.root === true) ctx = trace.deleteSpan(ctx);
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpan(ctx);
    if (parent === undefined) return this.startRoot(name, options, ctx, attributesOf, source);
    const plan = this.plan;
    if (plan !== null && parent instanceof UnsampledSpan) {
      // A local, unsampled parent of ours: its ids are only made if this rule needs them.
      const rule = plan.localParentNotSampled;
      if (rule === KEEP_NONE || (rule !== ASK_SAMPLER && !keeps(rule, parent.traceIdOf()))) return parent.child();
    }
    const parentContext: SpanContext = parent.spanContext();
    if (!isSpanContextValid(parentContext)) return this.startRoot(name, options, ctx, attributesOf, source);
    if (plan !== null) {
      const sampled = (parentContext.traceFlags & TraceFlags.SAMPLED) !== 0;
      const rule =
        parentContext.isRemote === true
          ? sampled
            ? plan.remoteParentSampled
            : plan.remoteParentNotSampled
          : sampled
            ? plan.localParentSampled
            : plan.localParentNotSampled;
      if (rule !== ASK_SAMPLER) {
        if (!keeps(rule, parentContext.traceId))
          return new UnsampledSpan(parentContext.traceId, 0, parentContext.traceState, parentContext.traceFlags & RANDOM_TRACE_ID_FLAG);
        return this.record(name, options, ctx, parentContext.traceId, parentContext, parentContext.traceState, attributesOf, source);
      }
    }
    return this.sample(name, options, ctx, parentContext.traceId, parentContext, parentContext.traceState, attributesOf, source);
  }

  /** A new trace id: from the pool, or from the user's idGenerator. */
  private makeTraceId(): string {
    return this.idGenerator === undefined ? newTraceId() : this.idGenerator.generateTraceId();
  }

  /** A new span id: from the pool, or from the user's idGenerator. */
  private makeSpanId(): string {
    return this.idGenerator === undefined ? newSpanId() : this.idGenerator.generateSpanId();
  }

  /** The active context: straight from the context manager tracewire registered, else through the API. */
  private activeContext(): Context {
    return this.contextManager !== undefined ? this.contextManager.active() : contextApi.active();
  }

  /**
   * A span of a new trace. Under a ratio rule a random 32-bit number plays the trace id's accumulation and
   * decides; the id itself is made only for a kept span, or when a dropped span's context is asked for.
   */
  private startRoot(
    name: string,
    options: SpanOptions | undefined,
    ctx: Context,
    attributesOf: AttributesOf | undefined,
    source: unknown,
  ): Span {
    const rule = this.plan === null ? ASK_SAMPLER : this.plan.root;
    if (rule === ASK_SAMPLER) return this.sample(name, options, ctx, this.makeTraceId(), undefined, undefined, attributesOf, source);
    if (rule === KEEP_ALL) return this.record(name, options, ctx, newTraceId(), undefined, undefined, attributesOf, source);
    const accumulation = word(takeWords(1));
    if (accumulation >= rule) return new UnsampledSpan(undefined, accumulation, undefined, RANDOM_TRACE_ID_FLAG);
    return this.record(name, options, ctx, traceIdWithAccumulation(accumulation), undefined, undefined, attributesOf, source);
  }

  /** A sampled span, decided by the plan (whose rules return neither attributes nor trace state). */
  private record(
    name: string,
    options: SpanOptions | undefined,
    ctx: Context,
    traceId: string,
    parent: SpanContext | undefined,
    traceState: TraceState | undefined,
    attributesOf: AttributesOf | undefined,
    source: unknown,
  ): Span {
    const random = parent === undefined ? this.rootRandomFlag : parent.traceFlags & RANDOM_TRACE_ID_FLAG;
    const spanContext: SpanContext = { traceId, spanId: this.makeSpanId(), traceFlags: TraceFlags.SAMPLED | random, traceState };
    if (options === undefined)
      return new RecordingSpan(this.shared, spanContext, name, SpanKind.INTERNAL, parent, undefined, undefined, undefined, ctx);
    // The span sanitizes its initial attributes as the SDK's tracer does (see RecordingSpan.setInitialAttributes).
    const attributes = attributesOf !== undefined ? attributesOf(source) : options.attributes;
    const links = options.links === undefined ? undefined : cleanLinks(options.links, this.shared.limits);
    return new RecordingSpan(
      this.shared,
      spanContext,
      name,
      options.kind ?? SpanKind.INTERNAL,
      parent,
      attributes,
      links,
      options.startTime,
      ctx,
    );
  }

  /** Asks the sampler, exactly as the SDK's tracer does. */
  private sample(
    name: string,
    options: SpanOptions | undefined,
    ctx: Context,
    traceId: string,
    parent: SpanContext | undefined,
    traceState: TraceState | undefined,
    attributesOf: AttributesOf | undefined,
    source: unknown,
  ): Span {
    const kind = options?.kind ?? SpanKind.INTERNAL;
    const links = cleanLinks(options?.links, this.shared.limits);
    const before = cleanAttributes(attributesOf !== undefined ? attributesOf(source) : options?.attributes, NO_ATTRIBUTE_LIMITS);
    const attributes = before.attributes ?? {};
    const result = this.sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    const random = parent === undefined ? this.rootRandomFlag : parent.traceFlags & RANDOM_TRACE_ID_FLAG;
    const spanContext: SpanContext = {
      traceId,
      spanId: this.makeSpanId(),
      traceFlags: (result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE) | random,
      traceState: result.traceState ?? traceState,
    };
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    // The sampler's attributes are cleaned by the span with the others, with the limits (the SDK's second pass).
    return new RecordingSpan(
      this.shared,
      spanContext,
      name,
      kind,
      parent,
      Object.assign(attributes, result.attributes),
      links,
      options?.startTime,
      ctx,
      before.droppedAttributesCount ?? 0,
    );
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a2: F | SpanOptions,
    a3?: F | Context,
    a4?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a2 === 'function') {
      fn = a2;
    } else if (typeof a3 === 'function') {
      options = a2;
      fn = a3;
    } else if (typeof a4 === 'function') {
      options = a2;
      ctx = a3;
      fn = a4;
    } else {
      return undefined;
    }
    const parentContext = ctx ?? this.activeContext();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
