// Log correlation with the real pino and winston writing JSON lines to a stream.
import { context, ROOT_CONTEXT, trace, TraceFlags, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { getLogContext, initTracing, TracewireConfigError, withSpan, type TracingHandle } from '../../src/index.js';
import { pinoMixin } from '../../src/logs/pino-mixin.js';
import { traceFormat } from '../../src/logs/trace-format.js';
import { JsonLines } from '../support/json-lines.js';

let tracing: TracingHandle;
beforeAll(() => {
  tracing = initTracing({
    serviceName: 'unit-logs',
    exporters: [new InMemorySpanExporter()],
    instrumentations: false,
    shutdownSignals: false,
  });
});
afterAll(() => tracing.shutdown());

const ids = (span: Span | SpanContext) => {
  const sc = 'spanContext' in span ? span.spanContext() : span;
  // The flags byte as two hex digits: a bit field, so never compared whole (tracewire's own traces are 03: sampled, random trace id).
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: sc.traceFlags.toString(16).padStart(2, '0') };
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const UNSAMPLED: SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE };

function pinoTo(out: JsonLines, options?: Parameters<typeof pinoMixin>[0]) {
  return pino({ mixin: pinoMixin(options) }, out);
}
function winstonTo(out: JsonLines, options?: Parameters<typeof traceFormat>[0]) {
  return winston.createLogger({
    format: winston.format.combine(traceFormat(options), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: out })],
  });
}

describe('pinoMixin with the real pino', () => {
  it('adds the active span’s trace_id, span_id and trace_flags to each line inside withSpan', () => {
    const out = new JsonLines();
    const logger = pinoTo(out);
    const expected = withSpan('handle order', (span) => {
      logger.info('start');
      logger.info({ orderId: 7 }, 'priced');
      return ids(span);
    });
    expect(out.lines).toHaveLength(2);
    for (const line of out.lines) expect(line).toMatchObject(expected);
    expect(out.lines[1]).toMatchObject({ orderId: 7, msg: 'priced' });
    expect(expected.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the ids across an await, and switches to a nested span’s ids while it is active', async () => {
    const out = new JsonLines();
    const logger = pinoTo(out);
    const seen: Array<ReturnType<typeof ids>> = [];
    await withSpan('outer', async (outer) => {
      await tick();
      logger.info('after await');
      seen.push(ids(outer));
      await withSpan('inner', async (inner) => {
        await tick();
        logger.info('in inner');
        seen.push(ids(inner));
      });
      logger.info('back in outer');
      seen.push(ids(outer));
    });
    expect(out.lines.map((l) => ({ trace_id: l.trace_id, span_id: l.span_id, trace_flags: l.trace_flags }))).toEqual(seen);
    expect(seen[1]!.trace_id).toBe(seen[0]!.trace_id);
    expect(seen[1]!.span_id).not.toBe(seen[0]!.span_id);
  });

  it('adds no ids to lines outside any span', () => {
    const out = new JsonLines();
    const logger = pinoTo(out);
    logger.info('booting');
    logger.info({ port: 8080 }, 'listening');
    withSpan('request', () => logger.info('inside'));
    logger.info('after');
    expect(out.lines.map((l) => 'trace_id' in l || 'span_id' in l || 'trace_flags' in l)).toEqual([false, false, true, false]);
    expect(out.lines[1]).toMatchObject({ port: 8080, msg: 'listening' });
  });

  it('writes trace_flags 00 for a span that is not sampled', () => {
    const out = new JsonLines();
    const logger = pinoTo(out);
    context.with(trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED), () => logger.info('unsampled'));
    expect(out.lines[0]).toMatchObject({ trace_id: UNSAMPLED.traceId, span_id: UNSAMPLED.spanId, trace_flags: '00' });
  });

  it('lets fields of the log call win over the mixin’s, and works in child loggers', () => {
    const out = new JsonLines();
    const child = pinoTo(out).child({ component: 'billing' });
    const expected = withSpan('charge', (span) => {
      child.info({ trace_id: 'set-by-caller' }, 'charged');
      child.info('again');
      return ids(span);
    });
    expect(out.lines[0]).toMatchObject({ trace_id: 'set-by-caller', span_id: expected.span_id, component: 'billing' });
    expect(out.lines[1]).toMatchObject({ ...expected, component: 'billing' });
  });

  it('returns a new, extensible object on every call, inside a span or not (pino writes into it)', () => {
    const mixin = pinoMixin();
    const outside = [mixin(), mixin()];
    expect(outside[0]).toEqual({});
    expect(outside[0]).not.toBe(outside[1]);
    expect(Object.isFrozen(outside[0])).toBe(false);
    withSpan('s', () => {
      const inside = [mixin(), mixin()];
      expect(inside[0]).not.toBe(inside[1]);
      expect(Object.isExtensible(inside[0])).toBe(true);
    });
  });

  // Why pinoMixin cannot return one shared frozen empty object outside spans: pino's default merge strategy is
  // Object.assign(mixinResult, fieldsOfTheCall). If a pino release stops doing that, this test fails and the
  // no-span path of pinoMixin can return a shared frozen object instead of allocating.
  it('pino writes the log call’s fields into the object the mixin returns', () => {
    const returned: object[] = [];
    const logger = pino(
      {
        mixin: () => {
          const o = {};
          returned.push(o);
          return o;
        },
      },
      new JsonLines(),
    );
    logger.info({ orderId: 1 }, 'paid');
    expect(returned[0]).toMatchObject({ orderId: 1 });
    const frozen = pino({ mixin: () => Object.freeze({}) }, new JsonLines());
    expect(() => frozen.info({ orderId: 1 }, 'paid')).toThrow(TypeError);
  });

  it('uses camelCase names, custom names and the service name when asked', () => {
    const camel = new JsonLines();
    const custom = new JsonLines();
    const expected = withSpan('s', (span) => {
      pinoTo(camel, { fields: 'camelCase', serviceName: true }).info('camel');
      pinoTo(custom, { fields: { traceId: 'dd.trace_id', traceFlags: 'flags' } }).info('custom');
      return ids(span);
    });
    expect(camel.lines[0]).toMatchObject({
      traceId: expected.trace_id,
      spanId: expected.span_id,
      traceFlags: '03',
      serviceName: 'unit-logs',
    });
    expect(camel.lines[0]).not.toHaveProperty('trace_id');
    expect(custom.lines[0]).toMatchObject({ 'dd.trace_id': expected.trace_id, span_id: expected.span_id, flags: '03' });
    expect(custom.lines[0]).not.toHaveProperty('service.name');
  });

  it('adds service.name (the running tracewire’s) to lines outside spans too when serviceName is on', () => {
    const out = new JsonLines();
    pinoTo(out, { serviceName: true }).info('boot');
    expect(out.lines[0]).toMatchObject({ 'service.name': 'unit-logs' });
    expect(out.lines[0]).not.toHaveProperty('trace_id');
  });

  it('throws one TracewireConfigError listing every bad option, when created', () => {
    let error: unknown;
    try {
      pinoMixin({ fields: { traceId: '', spanId: 'trace_flags', color: 'x' } as never, serviceName: 'yes' as never, level: 1 } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TracewireConfigError);
    const { problems, message } = error as TracewireConfigError;
    expect(message).toContain('pinoMixin()');
    expect(problems).toEqual([
      'level: unknown option',
      'fields.color: unknown field (expected traceId, spanId, traceFlags, serviceName)',
      'fields.traceId: expected a non-empty string, got ""',
      'fields: each field needs its own name, but ["trace_flags"] is used twice',
      'serviceName: expected a boolean, got "yes"',
    ]);
    expect(() => pinoMixin({ fields: 'kebab' as never })).toThrow(/fields: expected 'snake_case', 'camelCase' or an object/);
  });
});

describe('traceFormat with the real winston', () => {
  it('adds the active span’s ids inside withSpan and across an await, and none outside spans', async () => {
    const out = new JsonLines();
    const logger = winstonTo(out);
    logger.info('booting');
    const expected = await withSpan('handle order', async (span) => {
      logger.info('start', { orderId: 7 });
      await tick();
      logger.warn('after await');
      return ids(span);
    });
    logger.info('done');
    const lines = await out.waitFor(4);
    expect(lines.map((l) => l.message)).toEqual(['booting', 'start', 'after await', 'done']);
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ ...expected, orderId: 7, level: 'info' });
    expect(lines[2]).toMatchObject({ ...expected, level: 'warn' });
    expect(lines[3]).not.toHaveProperty('trace_id');
  });

  it('is accepted directly as a logger format and in format.combine, with camelCase names', async () => {
    const out = new JsonLines();
    const logger = winston.createLogger({
      format: winston.format.combine(
        traceFormat({ fields: 'camelCase', serviceName: true }),
        winston.format.timestamp(),
        winston.format.json(),
      ),
      transports: [new winston.transports.Stream({ stream: out })],
    });
    const expected = withSpan('s', (span) => {
      logger.error('failed');
      return ids(span);
    });
    const [line] = await out.waitFor(1);
    expect(line).toMatchObject({
      traceId: expected.trace_id,
      spanId: expected.span_id,
      traceFlags: '03',
      serviceName: 'unit-logs',
      level: 'error',
    });
    expect(traceFormat().options).toEqual({});
  });

  it('keeps fields the log call already carries', async () => {
    const out = new JsonLines();
    const logger = winstonTo(out);
    const expected = withSpan('s', (span) => {
      logger.info('relayed', { trace_id: 'set-by-caller' });
      return ids(span);
    });
    const [line] = await out.waitFor(1);
    expect(line).toMatchObject({ trace_id: 'set-by-caller', span_id: expected.span_id, trace_flags: '03' });
  });

  it('throws a TracewireConfigError naming traceFormat() for bad options', () => {
    expect(() => traceFormat({ fields: { spanId: 42 } } as never)).toThrow(
      /traceFormat\(\):\n {2}- fields.spanId: expected a non-empty string, got 42/,
    );
  });
});

describe('getLogContext', () => {
  it('returns one shared frozen empty object outside any span', () => {
    const a = getLogContext();
    expect(a).toEqual({});
    expect(Object.isFrozen(a)).toBe(true);
    expect(getLogContext()).toBe(a);
  });

  it('returns the active span’s fields as a new object inside a span', () => {
    withSpan('s', (span) => {
      const fields = getLogContext();
      expect(fields).toEqual(ids(span));
      expect(Object.isFrozen(fields)).toBe(false);
      expect(getLogContext()).not.toBe(fields);
    });
  });

  it('reads the span of the context it is given, not the active one', () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, UNSAMPLED);
    withSpan('active', () => {
      expect(getLogContext(remote)).toEqual({ trace_id: UNSAMPLED.traceId, span_id: UNSAMPLED.spanId, trace_flags: '00' });
    });
    expect(getLogContext(ROOT_CONTEXT)).toEqual({});
  });

  it('ignores the all-zero ids of a no-op span', () => {
    const noop = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
    expect(getLogContext(trace.setSpan(ROOT_CONTEXT, noop))).toEqual({});
  });

  it('never throws for a broken context or span', () => {
    expect(getLogContext({} as Context)).toEqual({});
    const broken = {
      spanContext: () => {
        throw new Error('boom');
      },
    } as unknown as Span;
    expect(getLogContext(trace.setSpan(ROOT_CONTEXT, broken))).toEqual({});
  });

  it('takes the same options: camelCase names and the service name', () => {
    const CAMEL = { fields: 'camelCase', serviceName: true } as const;
    expect(getLogContext(undefined, CAMEL)).toEqual({ serviceName: 'unit-logs' });
    withSpan('s', (span) => {
      const sc = span.spanContext();
      expect(getLogContext(undefined, CAMEL)).toEqual({
        traceId: sc.traceId,
        spanId: sc.spanId,
        traceFlags: '03',
        serviceName: 'unit-logs',
      });
    });
    const SNAKE = { serviceName: true } as const;
    for (let i = 0; i < 3; i++) {
      expect(getLogContext(undefined, SNAKE)).toEqual({ 'service.name': 'unit-logs' });
      expect(getLogContext(undefined, CAMEL)).toEqual({ serviceName: 'unit-logs' });
    }
    expect(() => getLogContext(undefined, { serviceName: 1 } as never)).toThrow(
      /getLogContext\(\):\n {2}- serviceName: expected a boolean, got 1/,
    );
  });
});
