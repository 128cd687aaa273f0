import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initTracing, traced, withSpan, type TracingHandle } from '../../src/index.js';

const memory = new InMemorySpanExporter();
let tracing: TracingHandle;

beforeAll(() => {
  tracing = initTracing({ serviceName: 'unit', exporters: [memory], instrumentations: false, shutdownSignals: false });
});
afterAll(() => tracing.shutdown());
beforeEach(async () => {
  await tracing.forceFlush();
  memory.reset();
});

async function finished(): Promise<ReadableSpan[]> {
  await tracing.forceFlush();
  return memory.getFinishedSpans();
}

describe('withSpan', () => {
  it('returns the value of a sync fn and ends the span exactly once', async () => {
    let ended = 0;
    const value = withSpan('sync work', (span) => {
      const original = span.end.bind(span);
      span.end = (t) => {
        ended++;
        original(t);
      };
      return 42;
    });
    expect(value).toBe(42);
    expect(ended).toBe(1);
    const spans = await finished();
    expect(spans.map((s) => s.name)).toEqual(['sync work']);
  });

  it('makes the span active inside fn, so nested spans are its children', async () => {
    withSpan('parent', (parent) => {
      expect(trace.getActiveSpan()).toBe(parent);
      withSpan('child', () => undefined);
    });
    const [child, parent] = await finished();
    expect(child!.name).toBe('child');
    expect(child!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(child!.spanContext().traceId).toBe(parent!.spanContext().traceId);
  });

  it('ends an async span when the promise settles, keeping context across await', async () => {
    const result = await withSpan('async work', async (span) => {
      await new Promise((r) => setTimeout(r, 5));
      expect(trace.getActiveSpan()).toBe(span);
      withSpan('after await', () => undefined);
      return 'done';
    });
    expect(result).toBe('done');
    const spans = await finished();
    const outer = spans.find((s) => s.name === 'async work')!;
    expect(spans.find((s) => s.name === 'after await')!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(outer.ended).toBe(true);
  });

  it('records a thrown error, sets ERROR and rethrows the same error', async () => {
    const error = new TypeError('bad input');
    let caught: unknown;
    try {
      withSpan('fails', () => {
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    const [span] = await finished();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span!.events[0]!.name).toBe('exception');
    expect(span!.events[0]!.attributes!['exception.type']).toBe('TypeError');
    expect(span!.events[0]!.attributes!['exception.message']).toBe('bad input');
  });

  it('records a rejection, sets ERROR and rejects with the same error', async () => {
    const error = new Error('timeout talking to db');
    await expect(withSpan('rejects', async () => Promise.reject(error))).rejects.toBe(error);
    const [span] = await finished();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('keeps a status the function set itself', async () => {
    expect(() =>
      withSpan('handled', (span) => {
        span.setStatus({ code: SpanStatusCode.OK });
        throw new Error('expected');
      }),
    ).toThrow('expected');
    const [span] = await finished();
    expect(span!.status.code).toBe(SpanStatusCode.OK);
    expect(span!.events[0]!.name).toBe('exception');
  });

  it('accepts options first or last: attributes, kind, links, root', async () => {
    const linked = trace.getTracer('t').startSpan('linked');
    linked.end();
    withSpan('outer', () => {
      withSpan(
        'opts-first',
        { attributes: { 'app.k': 'v' }, kind: SpanKind.CONSUMER, links: [{ context: linked.spanContext() }] },
        () => undefined,
      );
      withSpan('opts-last', () => undefined, { root: true });
    });
    const spans = await finished();
    const first = spans.find((s) => s.name === 'opts-first')!;
    const last = spans.find((s) => s.name === 'opts-last')!;
    const outer = spans.find((s) => s.name === 'outer')!;
    expect(first.attributes['app.k']).toBe('v');
    expect(first.kind).toBe(SpanKind.CONSUMER);
    expect(first.links[0]!.context.spanId).toBe(linked.spanContext().spanId);
    expect(last.parentSpanContext).toBeUndefined();
    expect(last.spanContext().traceId).not.toBe(outer.spanContext().traceId);
  });

  it('rejects a call without a function with a TypeError', () => {
    expect(() => (withSpan as any)('x', {}, {})).toThrow(TypeError);
  });

  it('restores the previous active context after fn', () => {
    const before = context.active();
    withSpan('scoped', () => undefined);
    expect(context.active()).toBe(before);
  });
});

describe('traced', () => {
  it('wraps a function: this and arguments pass through, each call is a span', async () => {
    const counter = {
      base: 10,
      add: traced('add', function (this: { base: number }, a: number, b: number) {
        return this.base + a + b;
      }),
    };
    expect(counter.add(1, 2)).toBe(13);
    expect(counter.add(3, 4)).toBe(17);
    const spans = await finished();
    expect(spans.map((s) => s.name)).toEqual(['add', 'add']);
  });

  it('records async failures like withSpan', async () => {
    const failing = traced('charge', async (cents: number) => {
      throw new Error(`declined ${cents}`);
    });
    await expect(failing(5)).rejects.toThrow('declined 5');
    const [span] = await finished();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'declined 5' });
  });
});

describe('withSpan with hostile thenables never throws into the app', () => {
  it('a result whose then getter throws: returned as it is, the span ends once', async () => {
    {
      const getterThrows = Object.defineProperty({}, 'then', {
        get() {
          throw new Error('then getter');
        },
      });
      expect(withSpan('getter', () => getterThrows)).toBe(getterThrows);
      const thenThrows = {
        then() {
          throw new Error('then() throws');
        },
      };
      expect(withSpan('then call', () => thenThrows)).toBe(thenThrows);
      const spans = await finished();
      expect(spans.map((s) => s.name)).toEqual(['getter', 'then call']);
      expect(spans[1]!.status).toEqual({ code: 2, message: 'then() throws' });
    }
  });

  it('formatTraceparent returns null for a span context whose getters throw', async () => {
    const { formatTraceparent } = await import('../../src/index.js');
    expect(formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 })).toBe(
      `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    );
    const hostile = Object.defineProperty({ spanId: 'b'.repeat(16), traceFlags: 1 }, 'traceId', {
      get() {
        throw new Error('getter');
      },
    });
    expect(formatTraceparent(hostile as never)).toBeNull();
  });
});
