import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it } from 'vitest';
import { extractContext, formatTraceparent, injectContext, parseTraceparent } from '../../src/index.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const HEADER = `00-${TRACE_ID}-${SPAN_ID}-01`;

function remoteParent(ctx: ReturnType<typeof extractContext>) {
  return trace.getSpanContext(ctx);
}

describe('parseTraceparent / formatTraceparent', () => {
  it('parses a valid header into a remote, sampled span context', () => {
    expect(parseTraceparent(HEADER)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['version 00 with extra fields', `${HEADER}-extra`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['garbage', 'hello'],
    ['empty', ''],
    ['a number', 42],
    ['undefined', undefined],
  ])('returns null for %s', (_label, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it('reads a future version by its first four fields', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-holds`)?.traceId).toBe(TRACE_ID);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseTraceparent(`  ${HEADER}\t`)?.spanId).toBe(SPAN_ID);
  });

  it('formats a span context and round-trips', () => {
    const parsed = parseTraceparent(HEADER)!;
    expect(formatTraceparent(parsed)).toBe(HEADER);
    expect(formatTraceparent({ ...parsed, traceFlags: TraceFlags.NONE })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('returns null for an invalid span context', () => {
    expect(formatTraceparent({ traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 })).toBeNull();
    expect(formatTraceparent(null)).toBeNull();

    expect(formatTraceparent({ traceId: 5, spanId: {} } as any)).toBeNull();
  });
});

describe('injectContext / extractContext without initTracing (W3C fallback)', () => {
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });

  it('injects traceparent into a plain object and returns it', () => {
    const headers: Record<string, string> = {};
    expect(injectContext(headers, parent)).toBe(headers);
    expect(headers.traceparent).toBe(HEADER);
  });

  it('injects into a Map and into a Metadata-like object with set/get', () => {
    const map = injectContext(new Map<string, string>(), parent);
    expect(map.get('traceparent')).toBe(HEADER);
    class Metadata {
      private store = new Map<string, string[]>();
      set(k: string, v: string) {
        this.store.set(k, [v]);
      }
      get(k: string) {
        return this.store.get(k) ?? [];
      }
      getMap() {
        return Object.fromEntries([...this.store].map(([k, v]) => [k, v[0]]));
      }
    }
    const md = injectContext(new Metadata(), parent);
    expect(md.get('traceparent')).toEqual([HEADER]);
    expect(remoteParent(extractContext(md, ROOT_CONTEXT))?.spanId).toBe(SPAN_ID);
  });

  it('extracts from Kafka-style Buffer headers and mixed-case AMQP headers', () => {
    const kafka = { traceparent: Buffer.from(HEADER), other: Buffer.from('x') };
    expect(remoteParent(extractContext(kafka, ROOT_CONTEXT))).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    const amqp = { Traceparent: HEADER };
    expect(remoteParent(extractContext(amqp, ROOT_CONTEXT))?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['null carrier', null],
    ['string carrier', 'traceparent'],
    ['malformed header', { traceparent: 'zz-nope' }],
    ['array of junk', { traceparent: [1, {}, null] }],
    [
      'throwing getter',
      Object.defineProperty({}, 'traceparent', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      }),
    ],
  ])('never throws and starts a new trace for a %s', (_label, carrier) => {
    const ctx = extractContext(carrier, ROOT_CONTEXT);
    expect(remoteParent(ctx)).toBeUndefined();
  });

  it('leaves frozen carriers alone instead of throwing', () => {
    const frozen = Object.freeze({});
    expect(() => injectContext(frozen, parent)).not.toThrow();
  });

  it('round-trips baggage', () => {
    const withBaggage = propagation.setBaggage(parent, propagation.createBaggage({ tenant: { value: 'acme' } }));
    const headers = injectContext({}, withBaggage);
    expect(propagation.getBaggage(extractContext(headers, ROOT_CONTEXT))?.getEntry('tenant')?.value).toBe('acme');
  });

  it('uses the active context by default', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      context.with(parent, () => {
        expect(injectContext({} as Record<string, string>).traceparent).toBe(HEADER);
      });
    } finally {
      context.disable();
    }
  });
});

describe('propagators by name', () => {
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  const setter = { set: (c: Record<string, string>, k: string, v: string) => void (c[k] = v) };
  const getter = { get: (c: Record<string, string>, k: string) => c[k], keys: (c: Record<string, string>) => Object.keys(c) };

  it.each([
    ['b3', { b3: `${TRACE_ID}-${SPAN_ID}-1` }],
    ['b3multi', { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' }],
    ['jaeger', { 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:01` }],
    ['tracecontext', { traceparent: HEADER }],
  ] as const)('%s injects and extracts its own headers', (name, expected) => {
    const p = createPropagator([name]);
    const carrier: Record<string, string> = {};
    p.inject(parent, carrier, setter);
    expect(carrier).toMatchObject(expected);
    expect(trace.getSpanContext(p.extract(ROOT_CONTEXT, carrier, getter))?.spanId).toBe(SPAN_ID);
  });

  it('none injects nothing', () => {
    const carrier: Record<string, string> = {};
    createPropagator([]).inject(parent, carrier, setter);
    expect(carrier).toEqual({});
  });
});
