// tracewire's spans against the SDK's own: the same operations through the stock TracerProvider and through
// tracewire's provider must give spans that every stock processor and exporter reads the same way.
import {
  context,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type HrTime,
  type Link,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  type Span,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parentBased, ratioSampler } from '../../src/index.js';
import { serializeSpans } from '../../src/export/otlp-proto/serialize-spans.js';
import { TracewireTracerProvider } from '../../src/sdk/tracewire-tracer-provider.js';

/** W3C Trace Context Level 2's random-trace-id flag. */
const RANDOM_TRACE_ID = 0x02;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
afterEach(() => diag.disable());

const resource = resourceFromAttributes({ 'service.name': 'compat', 'deployment.environment.name': 'test' });
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** A processor that writes in onStart and onEnding, as some processors do, and counts calls. */
class Touching implements SpanProcessor {
  calls = { start: 0, ending: 0, end: 0 };
  onStart(span: Span, parent: Context): void {
    this.calls.start++;
    span.setAttribute('processor.saw_parent', trace.getSpan(parent) !== undefined);
  }
  onEnding(span: Span): void {
    this.calls.ending++;
    span.setAttribute('processor.ending', true);
  }
  onEnd(): void {
    this.calls.end++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Setup {
  readonly tracer: Tracer;
  readonly exporter: InMemorySpanExporter;
  readonly touching: Touching;
}

function both(sampler: () => Sampler, spanLimits?: SpanLimits): { stock: Setup; tracewire: Setup } {
  const make = (tracewire: boolean): Setup => {
    const exporter = new InMemorySpanExporter();
    const touching = new Touching();
    const options = { resource, sampler: sampler(), spanLimits, spanProcessors: [touching, new SimpleSpanProcessor({ exporter })] };
    const provider = tracewire ? new TracewireTracerProvider(options) : new TracerProvider(options);
    return {
      tracer: provider.getTracer('compat-scope', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }),
      exporter,
      touching,
    };
  };
  return { stock: make(false), tracewire: make(true) };
}

/** A span as a processor or exporter sees it, minus what differs by nature (ids, clock readings). */
function view(span: ReadableSpan, all: ReadableSpan[], explicitTimes: boolean) {
  const nameOf = (spanId: string | undefined) =>
    all.find((s) => s.spanContext().spanId === spanId)?.name ?? (spanId === undefined ? undefined : 'remote');
  const { traceFlags, traceState, isRemote } = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    parent: nameOf(span.parentSpanContext?.spanId),
    parentIsRemote: span.parentSpanContext?.isRemote,
    // Compared without the random-trace-id flag, which tracewire sets and the stock tracer never does (W3C Trace
    // Context Level 2; checked in compare() and test/unit/w3c-trace-context.test.ts).
    traceFlags: traceFlags & ~RANDOM_TRACE_ID,
    isRemote,
    traceState: traceState?.serialize(),
    attributes: span.attributes,
    // Stack traces name the line that ran the script, which differs between the two runs.
    events: span.events.map((e) => ({
      ...e,
      attributes:
        e.attributes?.['exception.stacktrace'] === undefined
          ? e.attributes
          : { ...e.attributes, 'exception.stacktrace': String(e.attributes['exception.stacktrace']).split('\n')[0] },
      time: explicitTimes ? e.time : typeof e.time,
    })),
    links: span.links.map((l) => ({ ...l, context: { ...l.context, traceState: l.context.traceState?.serialize() } })),
    status: span.status,
    ended: span.ended,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
    times: explicitTimes ? [span.startTime, span.endTime, span.duration] : [span.duration[0] >= 0, span.endTime[0] >= span.startTime[0]],
  };
}

function compare(run: (tracer: Tracer) => void, opts: { sampler?: () => Sampler; limits?: SpanLimits; explicitTimes?: boolean } = {}) {
  const { stock, tracewire } = both(opts.sampler ?? (() => new AlwaysOnSampler()), opts.limits);
  run(stock.tracer);
  run(tracewire.tracer);
  const stockSpans = stock.exporter.getFinishedSpans();
  const ours = tracewire.exporter.getFinishedSpans();
  expect(stockSpans.length).toBeGreaterThan(0);
  expect(ours.map((s) => view(s, ours, opts.explicitTimes ?? false))).toEqual(
    stockSpans.map((s) => view(s, stockSpans, opts.explicitTimes ?? false)),
  );
  expect(tracewire.touching.calls).toEqual(stock.touching.calls);
  // tracewire's spans carry the random-trace-id flag on the traces it started and keep a remote parent's.
  for (const span of ours) {
    const parent = span.parentSpanContext;
    expect(span.spanContext().traceFlags & RANDOM_TRACE_ID).toBe(
      parent?.isRemote === true ? parent.traceFlags & RANDOM_TRACE_ID : RANDOM_TRACE_ID,
    );
  }
  return { stockSpans, ours };
}

const remoteParent = (flags: TraceFlags): Context =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: flags,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });

describe('tracewire spans read like SDK spans', () => {
  it('attributes (valid, invalid, empty key, arrays, overwrite), events with every time form, status rules, exceptions, rename, use after end', () => {
    compare((tracer) => {
      const span = tracer.startSpan('work', {
        kind: SpanKind.SERVER,
        attributes: {
          a: 1,
          b: 'two',
          c: true,
          list: ['x', 'y'],
          nums: [1, null, 3] as never,
          bad: {} as never,
          mixed: [1, 'a'] as never,
          '': 'empty key',
        },
      });
      span
        .setAttribute('a', 2)
        .setAttribute('undef', undefined as never)
        .setAttribute('nil', null as never)
        .setAttribute('obj', { x: 1 } as never)
        .setAttributes({ d: 4.5, e: -7 });
      span.addEvent('plain');
      span.addEvent('with attributes', { k: 'v', n: 1, bad: {} as never });
      span.addEvent('at epoch ms', T0);
      span.addEvent('at date with attributes', { k: 1 }, new Date(T0 + 5));
      span.addEvent('at hrtime', [1_767_322_800, 123_456_789] as HrTime);
      span.setStatus({ code: SpanStatusCode.UNSET, message: 'ignored' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 42 as never });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
      span.recordException(new TypeError('boom'));
      span.recordException('a string');
      span.recordException({ code: 42, message: 'coded' });
      span.recordException({} as never);
      span.updateName('work renamed');
      span.end();
      span.setAttribute('after', 'end').addEvent('after').setStatus({ code: SpanStatusCode.OK }).updateName('after end');
      span.end();
      const ok = tracer.startSpan('ok');
      ok.setStatus({ code: SpanStatusCode.OK, message: 'dropped message' });
      ok.setStatus({ code: SpanStatusCode.ERROR, message: 'OK is final' });
      ok.end();
    });
  });

  it('applies every span limit the same way: counts, value length (strings and string arrays), events and links dropping the oldest', () => {
    const limits: SpanLimits = {
      attributeCountLimit: 3,
      attributeValueLengthLimit: 4,
      eventCountLimit: 2,
      linkCountLimit: 2,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 1,
    };
    const link = (n: number): Link => ({
      context: { traceId: `${n}`.padStart(32, 'a'), spanId: `${n}`.padStart(16, 'b'), traceFlags: 1 },
      attributes: { first: n, second: 'x' },
    });
    compare(
      (tracer) => {
        const span = tracer.startSpan('limited', {
          attributes: { s: 'abcdefgh', arr: ['abcdef', 'ab'], n: 123456789 },
          links: [link(1), link(2), link(3)],
        });
        span.setAttribute('over', 'dropped').setAttribute('s', 'replaced long');
        for (let i = 0; i < 4; i++) span.addEvent(`event ${i}`, { first: 'abcdefgh', second: 2 });
        span.addLink(link(4));
        span.addLinks([link(5)]);
        span.end();
      },
      { limits },
    );
    compare(
      (tracer) => {
        const span = tracer.startSpan('none allowed', { links: [link(1)] });
        span.addEvent('dropped');
        span.addLink(link(2));
        span.end();
      },
      { limits: { eventCountLimit: 0, linkCountLimit: 0 } },
    );
  });

  it('takes start and end times as Date, epoch ms, HrTime and performance timestamps, and clamps an end before the start', () => {
    compare(
      (tracer) => {
        tracer.startSpan('dates', { startTime: new Date(T0) }).end(new Date(T0 + 1500));
        tracer.startSpan('epoch ms', { startTime: T0 }).end(T0 + 2.25);
        tracer.startSpan('hrtime', { startTime: [1_767_322_800, 5] }).end([1_767_322_801, 999_999_999]);
        tracer.startSpan('end before start', { startTime: new Date(T0) }).end(new Date(T0 - 1000));
      },
      { explicitTimes: true },
    );
    // Performance timestamps and "now" depend on the clock: check them against the clock.
    const { tracewire } = both(() => new AlwaysOnSampler());
    const now = Date.now();
    const perfNow = performance.now();
    tracewire.tracer.startSpan('perf', { startTime: perfNow - 3 }).end(perfNow);
    const [exported] = tracewire.exporter.getFinishedSpans();
    const startMs = exported!.startTime[0] * 1000 + exported!.startTime[1] / 1e6;
    expect(Math.abs(startMs - (now - 3))).toBeLessThan(50);
    expect(exported!.duration[0] * 1000 + exported!.duration[1] / 1e6).toBeCloseTo(3, 3);
  });

  it('links children to parents (local, remote sampled with trace state, root option) and keeps the parent context for processors', () => {
    compare((tracer) => {
      tracer.startActiveSpan('parent', (parent) => {
        tracer.startSpan('child').end();
        tracer.startSpan('new root', { root: true }).end();
        parent.end();
      });
      tracer.startSpan('remote child', { kind: SpanKind.SERVER }, remoteParent(TraceFlags.SAMPLED)).end();
    });
  });

  it('asks a sampler exactly as the SDK does: its attributes and trace state land on the span, record-only spans reach processors but not exporters', () => {
    const seen: Array<{ traceIdLength: number; name: string; kind: SpanKind; attributes: Attributes; links: number }> = [];
    class Custom implements Sampler {
      shouldSample(_ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
        seen.push({ traceIdLength: traceId.length, name, kind, attributes: { ...attributes }, links: links.length });
        if (name === 'drop') return { decision: SamplingDecision.NOT_RECORD };
        if (name === 'record only') return { decision: SamplingDecision.RECORD };
        return {
          decision: SamplingDecision.RECORD_AND_SAMPLED,
          attributes: { 'sampler.rule': 'custom' },
          traceState: new TraceState('sampler=1'),
        };
      }
    }
    compare(
      (tracer) => {
        tracer
          .startSpan('keep', {
            kind: SpanKind.CLIENT,
            attributes: { a: 1 },
            links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } }],
          })
          .end();
        tracer.startSpan('drop').end();
        tracer.startSpan('record only').end();
        tracer.startSpan('under remote', {}, remoteParent(TraceFlags.NONE)).end();
      },
      { sampler: () => new Custom() },
    );
    expect(seen.slice(0, 4)).toEqual(seen.slice(4));
  });

  it('follows parent-based ratio decisions like the SDK (sampled and unsampled remote parents)', () => {
    compare(
      (tracer) => {
        tracer.startSpan('kept by parent', {}, remoteParent(TraceFlags.SAMPLED)).end();
        tracer.startSpan('dropped by parent', {}, remoteParent(TraceFlags.NONE)).end();
        tracer.startSpan('root dropped by ratio 0').end();
      },
      { sampler: () => parentBased(ratioSampler(0)) },
    );
  });

  it('warns through diag like the SDK for use after end and a second end', () => {
    const messages = (run: (tracer: Tracer) => void, tracewire: boolean) => {
      const lines: string[] = [];
      const log = (m: string) => lines.push(m);
      diag.setLogger({ error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
      run(both(() => new AlwaysOnSampler())[tracewire ? 'tracewire' : 'stock'].tracer);
      diag.disable();
      return lines.map((l) => l.replace(/[0-9a-f]{32}|[0-9a-f]{16}/g, 'ID'));
    };
    const script = (tracer: Tracer) => {
      const span = tracer.startSpan('once');
      span.end();
      span.end();
      span.setAttribute('late', 1);
    };
    expect(messages(script, true)).toEqual(messages(script, false));
    expect(messages(script, true).length).toBeGreaterThan(0);
    // Initial attributes, from the options and from a sampler: one warning per invalid key or value, as the SDK 3.x
    // cleanAttributes gives them (maps and mixed arrays are valid AnyValues since 3.0; a function or a class
    // instance is not).
    const sampler = (): Sampler => ({
      shouldSample: () => ({
        decision: SamplingDecision.RECORD_AND_SAMPLED,
        attributes: { 'sampler.bad': (() => 1) as never, 'sampler.ok': 1 },
      }),
      toString: () => 'WithAttributes',
    });
    const initial = (tracewire: boolean) => {
      const lines: string[] = [];
      const log = (m: string) => lines.push(m);
      diag.setLogger({ error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
      const { tracer } = both(sampler)[tracewire ? 'tracewire' : 'stock'];
      tracer
        .startSpan('initial', { attributes: { '': 'empty key', bad: new Date(0) as never, mixed: [1, 'a'] as never, ok: 'yes' } })
        .end();
      diag.disable();
      return lines;
    };
    expect(initial(true)).toEqual(initial(false));
    expect(initial(true)).toEqual([
      'Invalid attribute key: ',
      'Invalid attribute value set for key: bad',
      'Invalid attribute value set for key: sampler.bad',
    ]);
  });

  it('copies array attributes given at start, as the SDK does, and ignores attributes that are not an object', () => {
    const { stockSpans, ours } = compare((tracer) => {
      const list = ['x', 'y'];
      const span = tracer.startSpan('copied', { attributes: { list } });
      list.push('added after start');
      span.setAttribute('later', list.slice());
      span.end();
      tracer.startSpan('not an object', { attributes: 'abc' as never }).end();
      tracer.startSpan('null', { attributes: null as never }).end();
    });
    expect(ours[0]!.attributes).toMatchObject({ list: ['x', 'y'], later: ['x', 'y', 'added after start'] });
    expect(ours[1]!.attributes).toEqual(stockSpans[1]!.attributes);
    expect(Object.keys(ours[1]!.attributes)).toEqual(['processor.saw_parent', 'processor.ending']);
  });

  it('copies array and map attributes set on a live span: what the caller changes afterwards never reaches the exporter', () => {
    const { stockSpans, ours } = compare((tracer) => {
      const ids = ['a'];
      const nested = { tags: ['x'], depth: { n: 1 } };
      const span = tracer.startSpan('copied later');
      span.setAttribute('ids', ids);
      span.setAttributes({ nested: nested as never, more: ids });
      ids.push('LEAK');
      nested.tags.push('LEAK');
      nested.depth.n = 2;
      span.end();
    });
    expect(ours[0]!.attributes).toMatchObject({ ids: ['a'], more: ['a'], nested: { tags: ['x'], depth: { n: 1 } } });
    expect(ours[0]!.attributes.ids).toEqual(stockSpans[0]!.attributes.ids);
    expect(ours[0]!.attributes.nested).toEqual(stockSpans[0]!.attributes.nested);
  });
});

describe('tracewire spans never throw into the app', () => {
  it('keeps an own __proto__ attribute key as an attribute, never as the prototype of the attributes', () => {
    const { tracewire } = both(() => new AlwaysOnSampler());
    const initial = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const span = tracewire.tracer.startSpan('proto', { attributes: initial as never });
    span.setAttribute('__proto__', 'later' as never);
    span.end();
    const [exported] = tracewire.exporter.getFinishedSpans();
    expect(Object.getPrototypeOf(exported!.attributes)).toBe(Object.prototype);
    expect((exported!.attributes as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(exported!.attributes)).toContain('__proto__');
    expect(Object.getOwnPropertyDescriptor(exported!.attributes, '__proto__')?.value).toBe('later');
  });

  it('ignores a non-string attribute key (where the SDK span throws), odd events and odd end times', () => {
    const { tracewire } = both(() => new AlwaysOnSampler());
    const span = tracewire.tracer.startSpan('odd');
    expect(() => {
      span.setAttribute(undefined as never, 1);
      span.setAttribute(42 as never, 1);
      span.setAttributes(null as never);
      span.addEvent('e', null as never);
      span.recordException(null as never);
      span.end('yesterday' as never);
    }).not.toThrow();
    const [exported] = tracewire.exporter.getFinishedSpans();
    expect(exported!.attributes).toEqual({ 'processor.saw_parent': false, 'processor.ending': true });
    expect(exported!.events.map((e) => e.name)).toEqual(['e']);
    expect(exported!.duration[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('stock exporters fed by tracewire spans', () => {
  /** The same trace from both providers, as exported requests with ids and times blanked. */
  function exportedRequests(serialize: (spans: ReadableSpan[]) => Uint8Array | undefined): { stock: string; tracewire: string } {
    const script = (tracer: Tracer) => {
      tracer.startActiveSpan('GET /api/users', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }, (server) => {
        const db = tracer.startSpan('SELECT users', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql' },
          startTime: new Date(T0),
        });
        db.addEvent('rows', { count: 10 }, new Date(T0 + 1));
        db.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
        db.end(new Date(T0 + 2));
        server.end();
      });
    };
    const out = { stock: '', tracewire: '' };
    const { stock, tracewire } = both(() => new AlwaysOnSampler());
    for (const [name, setup] of [
      ['stock', stock],
      ['tracewire', tracewire],
    ] as const) {
      script(setup.tracer);
      const spans = setup.exporter.getFinishedSpans();
      const decoded = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)) as unknown;
      expect(serialize(spans)?.length).toBeGreaterThan(0);
      if (name === 'tracewire') for (const span of spans) expect(span.spanContext().traceFlags & RANDOM_TRACE_ID).toBe(RANDOM_TRACE_ID);
      // Span.flags without the random-trace-id flag, which only tracewire's tracer sets (see view()).
      out[name] = JSON.stringify(decoded, (key, value: unknown) =>
        key === 'flags'
          ? Number(value) & ~RANDOM_TRACE_ID
          : ['traceId', 'spanId', 'parentSpanId'].includes(key)
            ? value === ''
              ? ''
              : 'ID'
            : key === 'startTimeUnixNano' || key === 'endTimeUnixNano' || key === 'timeUnixNano'
              ? String(value).startsWith(String(T0).slice(0, 8))
                ? value
                : 'NOW'
              : value,
      );
    }
    return out;
  }

  it('the stock JSON serializer gives the same request for both (ids and clock readings aside)', () => {
    const { stock, tracewire } = exportedRequests((spans) => ProtobufTraceSerializer.serializeRequest(spans));
    expect(tracewire).toBe(stock);
    expect(tracewire).toContain('SELECT users');
  });

  it('tracewire’s protobuf encoder and the stock one write identical bytes for tracewire spans', () => {
    const { tracewire } = both(() => new AlwaysOnSampler());
    const span = tracewire.tracer.startSpan('bytes', { attributes: { a: 'ü✓', n: 7, f: 1.5, list: ['a'] } });
    span.addEvent('e', { k: 'v' });
    span.addLink({ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1, isRemote: true }, attributes: { l: 1 } });
    span.end();
    const spans = tracewire.exporter.getFinishedSpans();
    expect(
      Buffer.from(serializeSpans(spans) as Uint8Array).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array)),
    ).toBe(true);
  });

  it('the stock BatchSpanProcessor exports tracewire spans (onStart, onEnd, flush)', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracewireTracerProvider({
      resource,
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new BatchSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('batch');
    for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    await provider.shutdown();
  });
});
