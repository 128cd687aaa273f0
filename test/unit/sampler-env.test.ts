// One test per value of OTEL_TRACES_SAMPLER (and the forms of OTEL_TRACES_SAMPLER_ARG each one takes):
// the name resolves, and the sampler built from it decides the way the name promises.
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/index.js';
import { createSampler } from '../../src/samplers/create-sampler.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function fromEnv(env: Record<string, string>): {
  sampler: Sampler;
  warnings: readonly string[];
  config: ReturnType<typeof resolveConfig>['config'];
} {
  const { config, warnings, errors } = resolveConfig({ serviceName: 'env-test' }, env);
  expect(errors).toEqual([]);
  const setup = createSampler(config, []);
  stops.push(() => Promise.all(setup.processors.map((p) => p.shutdown())).then(() => undefined));
  return { sampler: setup.sampler, warnings, config };
}

const SAMPLED = { traceId: '', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
const remoteParent = (flags: TraceFlags): Context =>
  trace.setSpanContext(ROOT_CONTEXT, { ...SAMPLED, traceId: randomBytes(16).toString('hex'), traceFlags: flags });

/** Fraction of `n` new traces kept. */
function keptFraction(sampler: Sampler, n = 20_000, ctx: Context = ROOT_CONTEXT): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const r = sampler.shouldSample(ctx, randomBytes(16).toString('hex'), 'op', SpanKind.SERVER, {}, []);
    if (r.decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
  }
  return kept / n;
}

describe('OTEL_TRACES_SAMPLER', () => {
  it('unset: parentbased_always_on', () => {
    const { sampler, config } = fromEnv({});
    expect(config.sampler).toBe('parentbased_always_on');
    expect(keptFraction(sampler, 100)).toBe(1);
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.NONE))).toBe(0);
  });

  it('always_on keeps every trace, even under an unsampled parent', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'always_on' });
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.NONE))).toBe(1);
  });

  it('always_off keeps nothing, even under a sampled parent', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'always_off' });
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.SAMPLED))).toBe(0);
  });

  it('traceidratio with OTEL_TRACES_SAMPLER_ARG=0.25 keeps a quarter, ignoring parents', () => {
    const { sampler, config } = fromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(config.samplerArg).toBe(0.25);
    expect(keptFraction(sampler)).toBeCloseTo(0.25, 1);
    expect(keptFraction(sampler, 20_000, remoteParent(TraceFlags.NONE))).toBeCloseTo(0.25, 1);
  });

  it('parentbased_always_on follows parents, keeps new traces', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
    expect(keptFraction(sampler, 100)).toBe(1);
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.NONE))).toBe(0);
  });

  it('parentbased_always_off follows parents, drops new traces', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' });
    expect(keptFraction(sampler, 100)).toBe(0);
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.SAMPLED))).toBe(1);
  });

  it('parentbased_traceidratio with 0.1 keeps a tenth of new traces and follows parents', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    expect(keptFraction(sampler)).toBeCloseTo(0.1, 1);
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.SAMPLED))).toBe(1);
  });

  it('ratelimiting with OTEL_TRACES_SAMPLER_ARG=50 keeps at most 50 new traces in a burst, also under sampled parents', () => {
    const { sampler, config } = fromEnv({ OTEL_TRACES_SAMPLER: 'ratelimiting', OTEL_TRACES_SAMPLER_ARG: '50' });
    expect(config.samplerArg).toBe(50);
    // 1000 decisions take far less than a second here, so the one-second budget (50) is what is kept; allow a refill of a few.
    const kept = keptFraction(sampler, 1000, remoteParent(TraceFlags.SAMPLED)) * 1000;
    expect(kept).toBeGreaterThanOrEqual(50);
    expect(kept).toBeLessThan(60);
  });

  it('ratelimiting without an argument keeps 100 traces per second', () => {
    expect(fromEnv({ OTEL_TRACES_SAMPLER: 'ratelimiting' }).config.samplerArg).toBe(100);
  });

  it('parentbased_ratelimiting follows a sampled parent past the budget', () => {
    const { sampler } = fromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_ratelimiting', OTEL_TRACES_SAMPLER_ARG: '5' });
    expect(keptFraction(sampler, 500, remoteParent(TraceFlags.SAMPLED))).toBe(1);
    expect(keptFraction(sampler, 500) * 500).toBeLessThan(10);
  });

  it('jaeger_remote reads endpoint, pollingIntervalMs and initialSamplingRate from OTEL_TRACES_SAMPLER_ARG', () => {
    const { config, warnings } = fromEnv({
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:9/,pollingIntervalMs=5000,initialSamplingRate=0',
    });
    expect(config.samplerArg).toEqual({ endpoint: 'http://127.0.0.1:9', pollingIntervalMs: 5000, initialSamplingRate: 0 });
    expect(warnings).toEqual([]);
  });

  it('jaeger_remote without an argument uses http://localhost:5778, 60 s and 0.001', () => {
    expect(resolveConfig({}, { OTEL_TRACES_SAMPLER: 'jaeger_remote' }).config.samplerArg).toEqual({
      endpoint: 'http://localhost:5778',
      pollingIntervalMs: 60_000,
      initialSamplingRate: 0.001,
    });
  });

  it('parentbased_jaeger_remote follows parents and uses initialSamplingRate until a strategy arrives', () => {
    const { sampler } = fromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:9,initialSamplingRate=0',
    });
    expect(keptFraction(sampler, 100)).toBe(0);
    expect(keptFraction(sampler, 100, remoteParent(TraceFlags.SAMPLED))).toBe(1);
  });

  it('an unknown name warns once and falls back to parentbased_always_on', () => {
    const { config, warnings } = fromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' });
    expect(config.sampler).toBe('parentbased_always_on');
    expect(warnings).toEqual([expect.stringContaining('OTEL_TRACES_SAMPLER="sometimes" is not one of')]);
    expect(warnings[0]).toContain('using parentbased_always_on');
  });

  it('names are case-insensitive', () => {
    expect(fromEnv({ OTEL_TRACES_SAMPLER: 'ParentBased_RateLimiting' }).config.sampler).toBe('parentbased_ratelimiting');
  });
});

describe('OTEL_TRACES_SAMPLER_ARG: bad values warn once and fall back to parentbased_always_on', () => {
  it.each([
    ['traceidratio', '5'],
    ['parentbased_traceidratio', 'ten percent'],
    ['ratelimiting', '0'],
    ['parentbased_ratelimiting', '-3'],
  ])('%s with %s', (name, arg) => {
    const { config, warnings } = fromEnv({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: arg });
    expect(config.sampler).toBe('parentbased_always_on');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`OTEL_TRACES_SAMPLER_ARG="${arg}"`);
    expect(warnings[0]).toContain('using parentbased_always_on');
  });

  it('jaeger_remote: a bad or unknown entry warns, naming it, and keeps that setting default', () => {
    const { config, warnings } = fromEnv({
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=localhost:5778,pollingIntervalMs=soon,initialSamplingRate=0.5,poolingIntervalMs=10',
    });
    expect(config.sampler).toBe('jaeger_remote');
    expect(config.samplerArg).toEqual({ endpoint: 'http://localhost:5778', pollingIntervalMs: 60_000, initialSamplingRate: 0.5 });
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('endpoint="localhost:5778"');
    expect(warnings[1]).toContain('using pollingIntervalMs=60000');
    expect(warnings[2]).toContain('unknown entry "poolingIntervalMs=10"');
  });

  it('is ignored by samplers that take no argument', () => {
    const { config, warnings } = fromEnv({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'whatever' });
    expect(config.sampler).toBe('always_on');
    expect(warnings).toEqual([]);
  });
});

describe('sampler options in code', () => {
  it('samplerArg is checked against the sampler it goes with, every problem listed', () => {
    expect(resolveConfig({ sampler: 'traceidratio', samplerArg: 2 }).errors).toEqual([
      expect.stringContaining('samplerArg: expected a number between 0 and 1'),
    ]);
    expect(resolveConfig({ sampler: 'ratelimiting', samplerArg: 0 }).errors).toEqual([expect.stringContaining('traces per second')]);
    expect(
      resolveConfig({ sampler: 'jaeger_remote', samplerArg: { endpoint: 'nope', pollingIntervalMs: 0, typo: 1 } as never }).errors,
    ).toHaveLength(3);
    expect(resolveConfig({ samplerArg: 0.1 }).errors).toEqual([expect.stringContaining('parentbased_always_on takes no argument')]);
  });

  it('code wins over the environment', () => {
    const { config } = resolveConfig(
      { sampler: 'parentbased_ratelimiting', samplerArg: 7 },
      { OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: '0.5' },
    );
    expect(config.sampler).toBe('parentbased_ratelimiting');
    expect(config.samplerArg).toBe(7);
  });
});
