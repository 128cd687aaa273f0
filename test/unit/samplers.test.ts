import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parentBased, ratioSampler, RateLimitingSampler, tailSampling, TracewireConfigError } from '../../src/index.js';
import { createSampler } from '../../src/samplers/create-sampler.js';

const traceId = (): string => randomBytes(16).toString('hex');
const spanId = (): string => randomBytes(8).toString('hex');
const decide = (sampler: Sampler, ctx: Context = ROOT_CONTEXT, id = traceId()) =>
  sampler.shouldSample(ctx, id, 'op', SpanKind.SERVER, {}, []).decision;
const sampled = (d: SamplingDecision) => d === SamplingDecision.RECORD_AND_SAMPLED;

function withParent(flags: TraceFlags, isRemote: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: traceId(), spanId: spanId(), traceFlags: flags, isRemote });
}

/** Half-width of the two-sided 99.9% normal interval of a binomial count (z = 3.29). */
const binomialBound = (n: number, p: number) => 3.29 * Math.sqrt(n * p * (1 - p));

describe('ratioSampler (traceidratio)', () => {
  it('keeps 10% of 100,000 new traces within the binomial 99.9% bound', () => {
    const sampler = ratioSampler(0.1);
    let kept = 0;
    for (let i = 0; i < 100_000; i++) if (sampled(decide(sampler))) kept++;
    expect(Math.abs(kept - 10_000)).toBeLessThan(binomialBound(100_000, 0.1));
  });

  it('decides the same way every time for the same trace id', () => {
    const a = ratioSampler(0.3);
    const b = ratioSampler(0.3);
    for (let i = 0; i < 1000; i++) {
      const id = traceId();
      const first = decide(a, ROOT_CONTEXT, id);
      expect(decide(a, ROOT_CONTEXT, id)).toBe(first);
      expect(decide(b, ROOT_CONTEXT, id)).toBe(first);
    }
  });

  it('rejects a ratio outside [0, 1]', () => {
    expect(() => ratioSampler(1.5)).toThrow(/between 0 and 1/);
  });
});

describe('parentBased', () => {
  it('follows a remote sampled parent and a remote unsampled parent, whatever the root says', () => {
    const keepNothing = parentBased(ratioSampler(0));
    const keepAll = parentBased(ratioSampler(1));
    expect(decide(keepNothing, withParent(TraceFlags.SAMPLED, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(keepAll, withParent(TraceFlags.NONE, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(keepNothing, withParent(TraceFlags.SAMPLED, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(keepAll, withParent(TraceFlags.NONE, false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('asks the root sampler only for new traces', () => {
    expect(decide(parentBased(ratioSampler(0)))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(parentBased(ratioSampler(1)))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });
});

describe('RateLimitingSampler', () => {
  /** Offers `offeredPerSecond` new traces per second, evenly spread, for `seconds`; returns the kept count per second. */
  function run(limit: number, offeredPerSecond: number, seconds: number): number[] {
    let now = 0;
    const sampler = new RateLimitingSampler(limit, () => now);
    const perSecond: number[] = [];
    const step = 1000 / offeredPerSecond;
    for (let s = 0; s < seconds; s++) {
      let kept = 0;
      for (let i = 0; i < offeredPerSecond; i++) {
        if (sampled(decide(sampler))) kept++;
        now += step;
      }
      perSecond.push(kept);
    }
    return perSecond;
  }

  it.each([10, 100, 1000])('keeps %i traces/s within ±10%% when offered ten times as many, over 10 s', (limit) => {
    const perSecond = run(limit, limit * 10, 10);
    // The first second may also spend the initial burst budget (one second's worth).
    expect(perSecond[0]).toBeLessThanOrEqual(2 * limit + 1);
    const steady = perSecond.slice(1);
    const rate = steady.reduce((a, b) => a + b, 0) / steady.length;
    expect(Math.abs(rate - limit)).toBeLessThanOrEqual(limit * 0.1);
    for (const kept of steady) expect(Math.abs(kept - limit)).toBeLessThanOrEqual(Math.max(1, limit * 0.1));
  });

  it('keeps everything when offered less than its limit', () => {
    expect(run(100, 50, 5)).toEqual([50, 50, 50, 50, 50]);
  });

  it('allows a burst of one second of budget after a quiet period, no more', () => {
    let now = 0;
    const sampler = new RateLimitingSampler(100, () => now);
    now = 60_000;
    let kept = 0;
    for (let i = 0; i < 1000; i++) if (sampled(decide(sampler))) kept++;
    expect(kept).toBe(100);
  });

  it('keeps fractional rates: 0.5/s keeps one trace every two seconds', () => {
    const perSecond = run(0.5, 10, 20);
    expect(perSecond.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
    expect(perSecond.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(11);
  });

  it('never refills when the clock goes backwards', () => {
    let now = 10_000;
    const sampler = new RateLimitingSampler(5, () => now);
    for (let i = 0; i < 5; i++) expect(sampled(decide(sampler))).toBe(true);
    now = 0;
    expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('marks kept roots with sampler.type and sampler.param, follows local parents, decides again for remote parents', () => {
    let now = 0;
    const sampler: Sampler = new RateLimitingSampler(1, () => now);
    const kept = sampler.shouldSample(ROOT_CONTEXT, traceId(), 'op', SpanKind.SERVER, {}, []);
    expect(kept.attributes).toEqual({ 'sampler.type': 'ratelimiting', 'sampler.param': 1 });
    // Budget spent: a local sampled parent's child is still kept (traces stay whole), a remote parent is rate limited.
    expect(decide(sampler, withParent(TraceFlags.SAMPLED, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, withParent(TraceFlags.SAMPLED, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, withParent(TraceFlags.NONE, false))).toBe(SamplingDecision.NOT_RECORD);
    now += 1000;
    expect(decide(parentBased(sampler), withParent(TraceFlags.SAMPLED, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('rejects a rate that is not a positive number', () => {
    // One error policy: bad options in code throw TracewireConfigError (issue: samplers threw RangeError).
    expect(() => new RateLimitingSampler(0)).toThrow(TracewireConfigError);
    expect(() => new RateLimitingSampler(Number.NaN)).toThrow(TracewireConfigError);
    expect(() => ratioSampler(1.5)).toThrow(TracewireConfigError);
    expect(() => ratioSampler(Number.NaN)).toThrow(/ratioSampler\(\).*ratio must be a number between 0 and 1, got NaN/s);
  });
});

describe('tailSampling', () => {
  interface Harness {
    exporter: InMemorySpanExporter;
    provider: TracerProvider;
    sampler: ReturnType<typeof tailSampling>;
    clock: { now: number };
  }

  function setup(options: Parameters<typeof tailSampling>[0] = {}): Harness {
    const clock = { now: 0 };
    const sampler = tailSampling({ clock: () => clock.now, ...options });
    const exporter = new InMemorySpanExporter();
    const { sampler: s, processors } = createSampler({ sampler, samplerArg: 1, serviceName: 'tail' }, [
      new SimpleSpanProcessor({ exporter }),
    ]);
    const provider = new TracerProvider({ sampler: s, spanProcessors: processors });
    return { exporter, provider, sampler, clock };
  }

  /** One local trace: a root with `children` child spans; `error` marks one child ERROR; the root lasts `ms`. */
  function localTrace(h: Harness, opts: { children?: number; error?: boolean; ms?: number; remoteParent?: boolean } = {}): string {
    const tracer = h.provider.getTracer('t');
    const parent = opts.remoteParent ? withParent(TraceFlags.SAMPLED, true) : ROOT_CONTEXT;
    const start = 1_000_000;
    const root = tracer.startSpan('root', { startTime: start }, parent);
    const ctx = trace.setSpan(parent, root);
    for (let i = 0; i < (opts.children ?? 2); i++) {
      const child = tracer.startSpan(`child-${i}`, { startTime: start }, ctx);
      if (opts.error && i === 0) child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      child.end(start + 1);
    }
    root.end(start + (opts.ms ?? 10));
    return root.spanContext().traceId;
  }

  const exportedTraces = (h: Harness) => new Set(h.exporter.getFinishedSpans().map((s) => s.spanContext().traceId));

  it('keeps 100% of error traces and slow traces and about `otherwise` of the rest', () => {
    const h = setup({ keepErrors: true, slowerThanMs: 1000, otherwise: 0.1 });
    const errors = Array.from({ length: 500 }, () => localTrace(h, { error: true }));
    const slow = Array.from({ length: 500 }, () => localTrace(h, { ms: 1500 }));
    const normal = Array.from({ length: 20_000 }, () => localTrace(h, { ms: 20 }));
    const kept = exportedTraces(h);
    expect(errors.every((id) => kept.has(id))).toBe(true);
    expect(slow.every((id) => kept.has(id))).toBe(true);
    const keptNormal = normal.filter((id) => kept.has(id)).length;
    expect(Math.abs(keptNormal - 2000)).toBeLessThan(binomialBound(20_000, 0.1));
    // Whole local traces: a kept trace has its root and both children.
    expect(h.exporter.getFinishedSpans().length).toBe(kept.size * 3);
    expect(h.sampler.stats()).toMatchObject({ keptTraces: kept.size, droppedTraces: 21_000 - kept.size, pendingTraces: 0, heldSpans: 0 });
  });

  it('treats a span with a remote parent as the local root', () => {
    const h = setup({ otherwise: 0, slowerThanMs: 100 });
    const slowId = localTrace(h, { remoteParent: true, ms: 150 });
    localTrace(h, { remoteParent: true, ms: 50 });
    expect([...exportedTraces(h)]).toEqual([slowId]);
  });

  it('waits for the last of several local roots of one trace before deciding', () => {
    const h = setup({ otherwise: 0 });
    const tracer = h.provider.getTracer('t');
    const remote = withParent(TraceFlags.SAMPLED, true);
    const first = tracer.startSpan('first request', {}, remote);
    const second = tracer.startSpan('second request', {}, remote);
    first.end();
    expect(h.sampler.stats().pendingTraces).toBe(1);
    second.setStatus({ code: SpanStatusCode.ERROR });
    second.end();
    expect(
      h.exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['first request', 'second request']);
  });

  it('applies the decision to spans that end after their trace was decided', () => {
    const h = setup({ otherwise: 0 });
    const tracer = h.provider.getTracer('t');
    const root = tracer.startSpan('root');
    const late = tracer.startSpan('late', {}, trace.setSpan(ROOT_CONTEXT, root));
    root.setStatus({ code: SpanStatusCode.ERROR });
    root.end();
    late.end();
    expect(h.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['root', 'late']);

    const dropped = tracer.startSpan('dropped root');
    const lateDropped = tracer.startSpan('late dropped', {}, trace.setSpan(ROOT_CONTEXT, dropped));
    dropped.end();
    lateDropped.end();
    expect(h.exporter.getFinishedSpans()).toHaveLength(2);
    expect(h.sampler.stats().droppedSpans).toBe(2);
  });

  it('never holds more than maxTraces traces or maxSpans spans, and counts the overflow', () => {
    const h = setup({ otherwise: 0, maxTraces: 50, maxSpans: 300 });
    const tracer = h.provider.getTracer('t');
    const roots = [];
    let maxTraces = 0;
    let maxSpans = 0;
    for (let i = 0; i < 2000; i++) {
      const root = tracer.startSpan('open root');
      roots.push(root);
      const ctx = trace.setSpan(ROOT_CONTEXT, root);
      for (let j = 0; j < 4; j++) {
        const child = tracer.startSpan('child', {}, ctx);
        if (i % 10 === 0 && j === 0) child.setStatus({ code: SpanStatusCode.ERROR });
        child.end();
      }
      const s = h.sampler.stats();
      maxTraces = Math.max(maxTraces, s.pendingTraces);
      maxSpans = Math.max(maxSpans, s.heldSpans);
    }
    expect(maxTraces).toBeLessThanOrEqual(50);
    expect(maxSpans).toBeLessThanOrEqual(300);
    const stats = h.sampler.stats();
    expect(stats.overflowTraces).toBeGreaterThan(1900);
    // Decided early on what was known: the traces with an error so far are kept.
    expect(stats.keptTraces).toBe(stats.overflowTraces / 10);
    for (const root of roots) root.end();
  });

  it('releases the spans of a trace whose root never ends after maxAgeMs', () => {
    const h = setup({ otherwise: 1, maxAgeMs: 5000 });
    const tracer = h.provider.getTracer('t');
    const root = tracer.startSpan('never ends');
    tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    expect(h.sampler.stats()).toMatchObject({ pendingTraces: 1, heldSpans: 1 });
    h.clock.now = 6000;
    localTrace(h);
    expect(h.sampler.stats()).toMatchObject({ pendingTraces: 0, heldSpans: 0, expiredTraces: 1 });
    expect(h.exporter.getFinishedSpans().map((s) => s.name)).toContain('child');
  });

  it('decides every pending trace at shutdown, so nothing is held back', async () => {
    const h = setup({ otherwise: 1 });
    const tracer = h.provider.getTracer('t');
    const root = tracer.startSpan('still open');
    tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    const exported: string[] = [];
    const origExport = h.exporter.export.bind(h.exporter);
    h.exporter.export = (spans, cb) => {
      exported.push(...spans.map((s) => s.name));
      origExport(spans, cb);
    };
    await h.provider.shutdown();
    expect(exported).toEqual(['child']);
  });

  it('records every span, even under an unsampled remote parent: the decision comes when the trace ends', () => {
    const h = setup();
    const span = h.provider.getTracer('t').startSpan('s', {}, withParent(TraceFlags.NONE, true));
    expect(span.isRecording()).toBe(true);
    span.end();
  });

  it('throws one TracewireConfigError listing every bad option', () => {
    let error: unknown;
    try {
      tailSampling({ otherwise: 2, maxTraces: 0, slowerThanMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect((error as TracewireConfigError).problems).toHaveLength(3);
  });
});
