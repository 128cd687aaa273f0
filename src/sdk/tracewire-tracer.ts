import {
  context as contextApi,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { accumulateTraceId, ASK_SAMPLER, KEEP_ALL, KEEP_NONE, type SamplingPlan } from '../samplers/sampling-plan.js';
import { takeWords, word, type PooledIdGenerator } from './pooled-id-generator.js';
import { traceIdWithAccumulation, UnsampledSpan } from './unsampled-span.js';

/** Whether a trace id (known valid) is kept by `rule`. */
function keeps(rule: number, traceId: string): boolean {
  return rule === KEEP_ALL ? true : rule === KEEP_NONE ? false : accumulateTraceId(traceId) < rule;
}

/**
 * The tracer of tracewire's provider. It applies the compiled {@link SamplingPlan} first: a span the plan drops
 * becomes an {@link UnsampledSpan} (no id made, no attribute copied, no processor called), costing about what a
 * span of the no-op API costs. Every other span, and every span of a sampler the plan cannot predict, is built by
 * the SDK's own tracer, which samples again (the same answer: the plan only holds deterministic rules) and runs the
 * span processors. For a new trace the trace id the plan decided on is handed to the SDK through the id generator.
 * @internal
 */
export class TracewireTracer implements Tracer {
  constructor(
    private readonly sdk: Tracer,
    private readonly plan: SamplingPlan,
    private readonly ids: PooledIdGenerator,
    private readonly contextManager: ContextManager | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = this.activeContext()): Span {
    if (isTracingSuppressed(ctx)) return this.sdk.startSpan(name, options, ctx);
    const parent = options !== undefined && options.root === true ? undefined : trace.getSpan(ctx);
    if (parent === undefined) return this.startRoot(name, options, ctx);
    if (parent instanceof UnsampledSpan) {
      // A local, unsampled parent of ours: its trace id is only made if this rule needs it.
      const rule = this.plan.localParentNotSampled;
      if (rule === KEEP_NONE) return parent.child();
      if (rule === ASK_SAMPLER || keeps(rule, parent.traceIdOf())) return this.sdk.startSpan(name, options, ctx);
      return parent.child();
    }
    const parentContext: SpanContext = parent.spanContext();
    if (!isSpanContextValid(parentContext)) return this.startRoot(name, options, ctx);
    const sampled = (parentContext.traceFlags & TraceFlags.SAMPLED) !== 0;
    const rule =
      parentContext.isRemote === true
        ? sampled
          ? this.plan.remoteParentSampled
          : this.plan.remoteParentNotSampled
        : sampled
          ? this.plan.localParentSampled
          : this.plan.localParentNotSampled;
    if (rule === ASK_SAMPLER || keeps(rule, parentContext.traceId)) return this.sdk.startSpan(name, options, ctx);
    return new UnsampledSpan(parentContext.traceId, 0, parentContext.traceState);
  }

  /** The active context: straight from the context manager tracewire registered, else through the API. */
  private activeContext(): Context {
    return this.contextManager !== undefined ? this.contextManager.active() : contextApi.active();
  }

  /**
   * A span of a new trace. A random 32-bit number plays the trace id's accumulation and decides; the id itself is
   * made only for a kept span (handed to the SDK) or when a dropped span's context is asked for.
   */
  private startRoot(name: string, options: SpanOptions | undefined, ctx: Context): Span {
    const rule = this.plan.root;
    if (rule === ASK_SAMPLER || rule === KEEP_ALL) return this.sdk.startSpan(name, options, ctx);
    const accumulation = word(takeWords(1));
    if (accumulation >= rule) return new UnsampledSpan(undefined, accumulation, undefined);
    this.ids.pendingTraceId = traceIdWithAccumulation(accumulation);
    try {
      return this.sdk.startSpan(name, options, ctx);
    } finally {
      this.ids.pendingTraceId = undefined;
    }
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
