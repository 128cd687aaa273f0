import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type SpanKind,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentBased, ratioSampler, withSpan } from '../../src/index.js';
import { accumulateTraceId, compileSamplingPlan } from '../../src/samplers/sampling-plan.js';
import { PooledIdGenerator } from '../../src/sdk/pooled-id-generator.js';
import { TracewireTracerProvider } from '../../src/sdk/tracewire-tracer-provider.js';
import type { TracewireTracer } from '../../src/sdk/tracewire-tracer.js';
import { traceIdWithAccumulation } from '../../src/sdk/unsampled-span.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

/** Counts the spans that reach the processors, and keeps them. */
class Recorder implements SpanProcessor {
  started = 0;
  readonly ended: ReadableSpan[] = [];
  onStart(): void {
    this.started++;
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(sampler: Sampler, withContextManager = true) {
  const recorder = new Recorder();
  const provider = new TracewireTracerProvider({
    sampler,
    spanProcessors: [recorder],
    contextManager: withContextManager ? contextManager : undefined,
  });
  return { recorder, tracer: provider.getTracer('test') };
}

const stockDecision = (ratio: number, traceId: string) =>
  new TraceIdRatioBasedSampler(ratio).shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;

describe('tracewire tracer: new traces under a ratio sampler', () => {
  it('keeps 30% of 50,000 new traces within the binomial 99.9% bound, and each decision is the stock sampler’s for that id', () => {
    const { tracer, recorder } = setup(parentBased(ratioSampler(0.3)));
    let kept = 0;
    for (let i = 0; i < 50_000; i++) {
      const span = tracer.startSpan('op');
      const { traceId, traceFlags } = span.spanContext();
      const isKept = (traceFlags & TraceFlags.SAMPLED) !== 0;
      expect(span.isRecording()).toBe(isKept);
      if (i % 25 === 0) expect(stockDecision(0.3, traceId)).toBe(isKept);
      if (isKept) kept++;
      span.end();
    }
    expect(Math.abs(kept - 15_000)).toBeLessThan(3.29 * Math.sqrt(50_000 * 0.3 * 0.7));
    expect(recorder.started).toBe(kept);
    expect(recorder.ended).toHaveLength(kept);
  });

  it('gives a dropped span a valid, stable, unsampled context that propagates with flags 02 (not sampled, random trace id)', () => {
    const { tracer } = setup(parentBased(ratioSampler(0)));
    const span = tracer.startSpan('dropped');
    const first = span.spanContext();
    expect(first.traceId).toMatch(TRACE_ID);
    expect(first.traceId).not.toBe(ZERO_TRACE);
    expect(first.spanId).toMatch(SPAN_ID);
    expect(first.traceFlags).toBe(0x02);
    expect(span.spanContext()).toBe(first);
    expect(span.isRecording()).toBe(false);
    // Every method is a harmless no-op that chains.
    expect(
      span
        .setAttribute('a', 1)
        .setAttributes({ b: 2 })
        .addEvent('e')
        .setStatus({ code: 2 })
        .updateName('x')
        .addLink({ context: first })
        .addLinks([]),
    ).toBe(span);
    span.recordException(new Error('ignored'));
    span.end();
    const carrier: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => (c[k] = v) });
    expect(carrier.traceparent).toBe(`00-${first.traceId}-${first.spanId}-02`);
  });

  it('gives every dropped span its own trace id (10,000 spans, no repeat)', () => {
    const { tracer } = setup(ratioSampler(0));
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(tracer.startSpan('op').spanContext().traceId);
    expect(ids.size).toBe(10_000);
  });

  it('starts a new trace for root: true even inside an active span', () => {
    const { tracer } = setup(parentBased(ratioSampler(1)));
    const parent = tracer.startSpan('parent');
    const child = context.with(trace.setSpan(ROOT_CONTEXT, parent), () => tracer.startSpan('root', { root: true }));
    expect(child.spanContext().traceId).not.toBe(parent.spanContext().traceId);
    expect((child as unknown as ReadableSpan).parentSpanContext).toBeUndefined();
  });
});

describe('tracewire tracer: children', () => {
  it('keeps an unsampled local parent’s trace id in its unsampled children, whether the parent’s id was made before or after', () => {
    const { tracer, recorder } = setup(parentBased(ratioSampler(0)));
    const parent = tracer.startSpan('parent');
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    const child = tracer.startSpan('child', {}, ctx);
    const grandchild = tracer.startSpan('grandchild', {}, trace.setSpan(ROOT_CONTEXT, child));
    const parentId = parent.spanContext().traceId;
    expect(child.spanContext().traceId).toBe(parentId);
    expect(grandchild.spanContext().traceId).toBe(parentId);
    expect(new Set([parent.spanContext().spanId, child.spanContext().spanId, grandchild.spanContext().spanId]).size).toBe(3);
    expect(child.isRecording()).toBe(false);
    expect(recorder.started).toBe(0);
  });

  it('follows a remote parent: sampled gives an SDK span linked to it, unsampled keeps its trace id and trace state', () => {
    const { tracer, recorder } = setup(parentBased(ratioSampler(0)));
    const propagator = new W3CTraceContextPropagator();
    const getter = { get: (c: Record<string, string>, k: string) => c[k], keys: (c: Record<string, string>) => Object.keys(c) };
    const remoteTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sampledCtx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${remoteTrace}-00f067aa0ba902b7-01`, tracestate: 'vendor=1' },
      getter,
    );
    const kept = tracer.startSpan('server', {}, sampledCtx) as unknown as ReadableSpan & { end(): void };
    expect(kept.spanContext().traceId).toBe(remoteTrace);
    expect(kept.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(kept.spanContext().traceState?.get('vendor')).toBe('1');
    kept.end();
    expect(recorder.ended).toHaveLength(1);

    const droppedCtx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${remoteTrace}-00f067aa0ba902b7-00`, tracestate: 'vendor=2' },
      getter,
    );
    const dropped = tracer.startSpan('server', {}, droppedCtx);
    expect(dropped.isRecording()).toBe(false);
    expect(dropped.spanContext().traceId).toBe(remoteTrace);
    expect(dropped.spanContext().traceState?.get('vendor')).toBe('2');
    expect(dropped.spanContext().spanId).not.toBe('00f067aa0ba902b7');
  });

  it('applies a ratio rule for children the stock way (ratioSampler without parentBased)', () => {
    const { tracer } = setup(ratioSampler(0.5));
    for (let i = 0; i < 500; i++) {
      const traceId = traceIdWithAccumulation(Math.floor(Math.random() * 0x100000000));
      const parentCtx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId,
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const span = tracer.startSpan('op', {}, parentCtx);
      expect(span.isRecording()).toBe(stockDecision(0.5, traceId));
      expect(span.spanContext().traceId).toBe(traceId);
    }
  });

  it('ignores an invalid parent context and starts a new trace', () => {
    const { tracer } = setup(parentBased(ratioSampler(1)));
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: ZERO_TRACE, spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED });
    const span = tracer.startSpan('op', {}, invalid);
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceId).not.toBe(ZERO_TRACE);
  });

  it('returns the SDK’s invalid non-recording span when tracing is suppressed', () => {
    const { tracer, recorder } = setup(parentBased(ratioSampler(1)));
    const span = tracer.startSpan('op', {}, suppressTracing(ROOT_CONTEXT));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe(ZERO_TRACE);
    expect(recorder.started).toBe(0);
  });
});

describe('tracewire tracer: active spans and samplers it cannot predict', () => {
  it('startActiveSpan makes the span active inside fn and returns fn’s value, with 2, 3 and 4 arguments', () => {
    for (const withContextManager of [true, false]) {
      const { tracer } = setup(parentBased(ratioSampler(1)), withContextManager);
      expect(tracer.startActiveSpan('a', (span) => trace.getActiveSpan() === span && span.end() === undefined)).toBe(true);
      expect(tracer.startActiveSpan('b', { attributes: { k: 'v' } }, (span) => (span as unknown as ReadableSpan).attributes.k)).toBe('v');
      const outer = tracer.startSpan('outer');
      const ctx = trace.setSpan(ROOT_CONTEXT, outer);
      const parentId = tracer.startActiveSpan('c', {}, ctx, (span) => (span as unknown as ReadableSpan).parentSpanContext?.spanId);
      expect(parentId).toBe(outer.spanContext().spanId);
      // Without an explicit context the active one is the parent.
      context.with(ctx, () => {
        const inner = tracer.startSpan('inner') as unknown as ReadableSpan;
        expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
      });
    }
  });

  it('asks a sampler it cannot predict (a user sampler, a subclass of a stock one) for every span, with the span’s details', () => {
    const calls: Array<{ traceId: string; name: string; kind: SpanKind; attributes: Attributes; links: Link[]; parent: Context }> = [];
    class KeepNamed implements Sampler {
      shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
        calls.push({ traceId, name, kind, attributes, links, parent: ctx });
        return { decision: name === 'keep' ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
      }
    }
    expect(compileSamplingPlan(new KeepNamed())).toBeNull();
    const { tracer, recorder } = setup(new KeepNamed());
    tracer.startSpan('keep', { attributes: { a: 1 } }).end();
    tracer.startSpan('drop').end();
    expect(calls.map((c) => c.name)).toEqual(['keep', 'drop']);
    expect(calls[0]!.attributes).toEqual({ a: 1 });
    expect(recorder.ended.map((s) => s.name)).toEqual(['keep']);

    class NeverOn extends AlwaysOnSampler {
      override shouldSample(): SamplingResult {
        return { decision: SamplingDecision.NOT_RECORD };
      }
    }
    const sub = setup(parentBased(new NeverOn()));
    expect(sub.tracer.startSpan('op').isRecording()).toBe(false);
  });

  it('compiles always_on, always_off and ratio rules, and nothing for a sampler it cannot predict', () => {
    expect(compileSamplingPlan(new AlwaysOnSampler())).toEqual({
      root: 0x100000000,
      remoteParentSampled: 0x100000000,
      remoteParentNotSampled: 0x100000000,
      localParentSampled: 0x100000000,
      localParentNotSampled: 0x100000000,
    });
    expect(compileSamplingPlan(parentBased(ratioSampler(0.25)))).toMatchObject({
      root: Math.floor(0.25 * 0xffffffff),
      localParentNotSampled: 0,
      remoteParentSampled: 0x100000000,
    });
  });

  it('withSpan runs fn in a dropped span, returns its value and rethrows its error', async () => {
    const { tracer } = setup(parentBased(ratioSampler(0)));
    expect(withSpan('op', { tracer }, (span) => (span.isRecording() ? 'recorded' : 'dropped'))).toBe('dropped');
    await expect(withSpan('op', { tracer }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const inner = withSpan('op', { tracer }, (span) => trace.getActiveSpan() === span);
    expect(inner).toBe(true);
  });
});

describe('tracewire tracer: attributes computed only when needed (startSpanWithAttributesOf)', () => {
  const SERVER = { kind: 1 as SpanKind };
  /** An attribute function that counts its calls. */
  const counting = () => {
    const calls: string[] = [];
    return { calls, of: (source: string): Attributes => (calls.push(source), { 'app.source': source, 'app.n': calls.length }) };
  };
  /** A processor that records the attributes each span had when it started. */
  class StartRecorder extends Recorder {
    readonly atStart: Attributes[] = [];
    override onStart(span?: Span): void {
      super.onStart();
      this.atStart.push({ ...span!.attributes });
    }
  }

  it('calls the function once for a kept span; the span and onStart have its attributes, sanitized', () => {
    const recorder = new StartRecorder();
    const tracer = new TracewireTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [recorder] }).getTracer(
      't',
    ) as TracewireTracer;
    const { calls, of } = counting();
    const span = tracer.startSpanWithAttributesOf('GET', SERVER, ROOT_CONTEXT, of, 'req-1');
    span.end();
    expect(calls).toEqual(['req-1']);
    expect(recorder.atStart).toEqual([{ 'app.source': 'req-1', 'app.n': 1 }]);
    expect(recorder.ended[0]!.attributes).toEqual({ 'app.source': 'req-1', 'app.n': 1 });
    expect(recorder.ended[0]!.kind).toBe(1);
  });

  it('never calls it for spans the sampling plan drops (parent-based ratio 0, and a remote unsampled parent)', () => {
    const { tracer, recorder } = setup(parentBased(ratioSampler(0)));
    const { calls, of } = counting();
    const lazy = tracer as TracewireTracer;
    expect(lazy.startSpanWithAttributesOf('GET', SERVER, ROOT_CONTEXT, of, 'root').isRecording()).toBe(false);
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    expect(lazy.startSpanWithAttributesOf('GET', SERVER, remote, of, 'child').isRecording()).toBe(false);
    expect(calls).toEqual([]);
    expect(recorder.started).toBe(0);
  });

  it('gives a sampler it cannot predict the attributes, as startSpan with `attributes` does', () => {
    const seen: Attributes[] = [];
    const sampler: Sampler = {
      shouldSample: (_ctx, _traceId, _name, _kind, attributes): SamplingResult => {
        seen.push({ ...attributes });
        return { decision: attributes['app.source'] === 'keep' ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
      },
      toString: () => 'by attribute',
    };
    const { tracer, recorder } = setup(sampler);
    const { of } = counting();
    const lazy = tracer as TracewireTracer;
    lazy.startSpanWithAttributesOf('GET', SERVER, ROOT_CONTEXT, of, 'drop').end();
    lazy.startSpanWithAttributesOf('GET', SERVER, ROOT_CONTEXT, of, 'keep').end();
    expect(seen.map((a) => a['app.source'])).toEqual(['drop', 'keep']);
    expect(recorder.ended.map((s) => s.attributes['app.source'])).toEqual(['keep']);
  });

  it('dropsChildrenOf: true only for its own dropped span under a plan that drops every child of one', () => {
    const parentBasedTracer = setup(parentBased(ratioSampler(0))).tracer as TracewireTracer;
    const dropped = parentBasedTracer.startSpan('dropped');
    expect(parentBasedTracer.dropsChildrenOf(dropped)).toBe(true);
    expect(parentBasedTracer.dropsChildrenOf(setup(new AlwaysOnSampler()).tracer.startSpan('kept'))).toBe(false);
    expect(parentBasedTracer.dropsChildrenOf(undefined)).toBe(false);
    // A plain ratio sampler decides each child by the trace id again: tracewire does not assume the outcome.
    const plainRatio = setup(ratioSampler(0.5)).tracer as TracewireTracer;
    let dropped2 = plainRatio.startSpan('maybe');
    while (dropped2.isRecording()) dropped2 = plainRatio.startSpan('maybe');
    expect(plainRatio.dropsChildrenOf(dropped2)).toBe(false);
  });
});

describe('pooled id generator', () => {
  it('makes 100,000 distinct, valid, non-zero trace and span ids', () => {
    const ids = new PooledIdGenerator();
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const t = ids.generateTraceId();
      const s = ids.generateSpanId();
      expect(TRACE_ID.test(t) && SPAN_ID.test(s)).toBe(true);
      traces.add(t);
      spans.add(s);
    }
    expect(traces.size).toBe(100_000);
    expect(spans.size).toBe(100_000);
    expect(traces.has(ZERO_TRACE)).toBe(false);
  });

  it('makes trace ids with a chosen ratio accumulation, uniformly: each hex digit position is balanced', () => {
    const counts = new Array<number>(32).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const accumulation = Math.floor(Math.random() * 0x100000000);
      const id = traceIdWithAccumulation(accumulation);
      expect(accumulateTraceId(id)).toBe(accumulation);
      for (let d = 0; d < 32; d++) if (Number.parseInt(id[d]!, 16) >= 8) counts[d]!++;
    }
    // Each digit's top bit is set about half the time. The bound is 5.3 standard deviations: a fair generator
    // exceeds it at one of the 32 positions about once in 300,000 runs (a 3.29-sigma bound failed about 1 run in 30),
    // while a digit whose top bit is set 53% of the time (600 above the mean) exceeds it by 3 standard deviations.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5.3 * Math.sqrt(20_000 * 0.25));
  });
});

describe('global registration', () => {
  it('propagates a dropped span’s context through the global propagator', () => {
    const { tracer } = setup(parentBased(ratioSampler(0)));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const span = tracer.startSpan('op') as Span;
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
      expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
    } finally {
      propagation.disable();
    }
  });
});
