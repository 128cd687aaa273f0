// tracewire's Jaeger propagator (OTEL_PROPAGATORS=jaeger): the format as Jaeger documents it, and the same headers
// as @opentelemetry/propagator-jaeger 2.12.0 (the last release; none for OpenTelemetry JS 3.x) for the same contexts,
// recorded once by scripts/record-jaeger-propagator-fixtures.cjs into fixtures/jaeger-propagator-2.12.json.
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { JaegerPropagator } from '../../src/propagation/jaeger-propagator.js';

interface Recorded {
  inject: Array<{
    input: { traceId: string; spanId: string; traceFlags: number; baggage?: Record<string, string> };
    headers: Record<string, string>;
  }>;
  extract: Array<{
    headers: Record<string, string>;
    spanContext: { traceId: string; spanId: string; traceFlags: number; isRemote: boolean } | null;
    baggage: Record<string, string> | null;
  }>;
}
const recorded = JSON.parse(readFileSync(new URL('./fixtures/jaeger-propagator-2.12.json', import.meta.url), 'utf8')) as Recorded;
const propagator = new JaegerPropagator();

function contextOf(input: Recorded['inject'][number]['input']): Context {
  let ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: input.traceId,
    spanId: input.spanId,
    traceFlags: input.traceFlags,
    isRemote: false,
  });
  if (input.baggage) {
    ctx = propagation.setBaggage(
      ctx,
      propagation.createBaggage(Object.fromEntries(Object.entries(input.baggage).map(([k, v]) => [k, { value: v }]))),
    );
  }
  return ctx;
}

function injected(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

function extracted(headers: Record<string, string>) {
  const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  const baggage = propagation.getBaggage(ctx);
  return {
    spanContext: sc ? { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, isRemote: sc.isRemote } : null,
    baggage: baggage ? Object.fromEntries(baggage.getAllEntries().map(([k, e]) => [k, e.value])) : null,
  };
}

describe('Jaeger propagation: the same headers as @opentelemetry/propagator-jaeger 2.12', () => {
  it.each(recorded.inject.map((r) => [JSON.stringify(r.input), r] as const))('injects %s byte for byte as 2.12 did', (_, r) => {
    expect(injected(contextOf(r.input))).toStrictEqual(r.headers);
  });

  it.each(recorded.extract.map((r) => [JSON.stringify(r.headers), r] as const))('extracts %s as 2.12 did', (_, r) => {
    expect(extracted(r.headers)).toEqual({ spanContext: r.spanContext, baggage: r.baggage });
  });
});

describe('Jaeger propagation: the documented format', () => {
  it('writes {trace-id}:{span-id}:0:{flags} with 32 and 16 hex digits, flags 01 sampled and 00 not', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.SAMPLED | 0x02,
    });
    // The W3C random-trace-id flag (0x02) is not Jaeger's debug flag: only the sampled bit is carried.
    expect(injected(ctx)).toEqual({ 'uber-trace-id': `${'a'.repeat(32)}:${'b'.repeat(16)}:0:01` });
  });

  it("reads Jaeger's debug flag (0x02) as sampled: a debug trace is always sampled in Jaeger", () => {
    expect(extracted({ 'uber-trace-id': `${'a'.repeat(32)}:${'b'.repeat(16)}:0:02` }).spanContext?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it.each([
    ['too few fields', `${'a'.repeat(32)}:${'b'.repeat(16)}:01`],
    ['a trace id longer than 128 bits', `${'a'.repeat(33)}:${'b'.repeat(16)}:0:01`],
    ['a span id longer than 64 bits', `${'a'.repeat(32)}:${'b'.repeat(17)}:0:01`],
    ['an all-zero trace id', `0:${'b'.repeat(16)}:0:01`],
    ['an all-zero span id', `${'a'.repeat(32)}:0:0:01`],
    ['non-hex digits', `${'g'.repeat(32)}:${'b'.repeat(16)}:0:01`],
    ['a broken percent-encoding', `${'a'.repeat(32)}%3:${'b'.repeat(16)}:0:01`],
    ['flags of three digits', `${'a'.repeat(32)}:${'b'.repeat(16)}:0:001`],
  ])('ignores a header with %s', (_, header) => {
    expect(extracted({ 'uber-trace-id': header }).spanContext).toBeNull();
  });

  it('injects nothing for an invalid span context or with tracing suppressed, but still the baggage', () => {
    const baggage = propagation.createBaggage({ k: { value: 'v' } });
    const invalid = propagation.setBaggage(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
      baggage,
    );
    expect(injected(invalid)).toEqual({ 'uberctx-k': 'v' });
    const suppressed = suppressTracing(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
    );
    expect(injected(suppressed)).toEqual({});
  });

  it('never writes a header Node.js rejects: values percent-encoded, keys that are not header tokens not sent', () => {
    const entries = { ok: 'a\r\nb\u0000c é', 'bad\r\nkey': 'x', 'sp ace': 'y', '': 'z' };
    const ctx = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))),
    );
    const headers = injected(ctx);
    expect(headers).toEqual({ 'uberctx-ok': encodeURIComponent('a\r\nb\u0000c é') });
    // node:http validates header names and values when they are set.
    const req = request('http://127.0.0.1:9/', { method: 'GET' });
    req.on('error', () => undefined);
    expect(() => {
      for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    }).not.toThrow();
    req.destroy();
    // And the value reads back as it was.
    expect(extracted(headers).baggage).toEqual({ ok: 'a\r\nb\u0000c é' });
  });
});
