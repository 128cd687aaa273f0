// W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/): tracewire's `tracecontext` propagator against
// the cases of the W3C conformance suite (w3c/trace-context, test/test.py), each compared with the stock
// `W3CTraceContextPropagator`/`TraceState` of @opentelemetry/core. `stock` says whether the stock part gives the same
// outcome; where it does not, the comment names the spec rule tracewire follows instead.
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SamplingDecision,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  type IdGenerator,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/cli/otlp/decode-otlp-protobuf.js';
import { BatchProcessor } from '../../src/export/batch-processor.js';
import { serializeSpans } from '../../src/export/otlp-proto/serialize-spans.js';
import { formatTraceparent, getLogContext, parentBased, parseTraceparent, ratioSampler } from '../../src/index.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';
import { TracewireTracerProvider } from '../../src/sdk/tracewire-tracer-provider.js';

const T = '12345678901234567890123456789012';
const S = '1234567890123456';
const RANDOM = 0x02;

const tracewire = createPropagator(['tracecontext']);
const stock = new W3CTraceContextPropagator();

type Headers = Record<string, string | string[]>;

function extracted(propagator: TextMapPropagator, headers: Headers): SpanContext | undefined {
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

/** The headers a pass-through participant (no span of its own) sends on after extracting `headers`. */
function forwarded(propagator: TextMapPropagator, headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  propagator.inject(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter), out, defaultTextMapSetter);
  return out;
}

describe('W3C traceparent: every case of the conformance suite is adopted or restarted as the spec says', () => {
  // [case, header(s), adopted trace flags or null for "restart the trace", stock gives the same outcome]
  it.each<[string, string | string[], number | null, boolean]>([
    ['sampled', `00-${T}-${S}-01`, 0x01, true],
    ['not sampled', `00-${T}-${S}-00`, 0x00, true],
    ['random-trace-id flag', `00-${T}-${S}-02`, 0x02, true],
    ['sampled and random-trace-id', `00-${T}-${S}-03`, 0x03, true],
    // Unknown flags are ignored on receipt ("will only parse the trace-flags values supported by this version");
    // stock keeps the whole byte.
    ['all flags set: unknown bits dropped', `00-${T}-${S}-ff`, 0x03, false],
    ['an unknown flag with sampled', `00-${T}-${S}-09`, 0x01, false],
    ['future version, 4 fields', `cc-${T}-${S}-01`, 0x01, true],
    ['future version with extra fields', `cc-${T}-${S}-01-what-the-future-will-be-like`, 0x01, true],
    ['future version, random flag kept', `cc-${T}-${S}-03-future`, 0x03, true],
    ['leading space', ` 00-${T}-${S}-01`, 0x01, true],
    ['leading tab', `\t00-${T}-${S}-01`, 0x01, true],
    ['trailing space', `00-${T}-${S}-01 `, 0x01, true],
    ['trailing tab', `00-${T}-${S}-01\t`, 0x01, true],
    // Stock accepts one whitespace character on each side only.
    ['tab and space on both sides', `\t 00-${T}-${S}-01 \t`, 0x01, false],
    ['version 00 with a trailing dot', `00-${T}-${S}-01.`, null, true],
    ['version 00 with extra fields', `00-${T}-${S}-01-what-the-future-will-be-like`, null, true],
    ['future version, flags followed by a dot', `cc-${T}-${S}-01.what-the-future-will-be-like`, null, true],
    ['version ff', `ff-${T}-${S}-01`, null, true],
    ['version .0', `.0-${T}-${S}-01`, null, true],
    ['version 0.', `0.-${T}-${S}-01`, null, true],
    ['version of 3 digits', `000-${T}-${S}-01`, null, true],
    ['version of 4 digits', `0000-${T}-${S}-01`, null, true],
    ['version of 1 digit', `0-${T}-${S}-01`, null, true],
    ['uppercase version', `0A-${T}-${S}-01`, null, true],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`, null, true],
    ['trace id starting with a dot', `00-.${T.slice(1)}-${S}-01`, null, true],
    ['trace id ending with a dot', `00-${T.slice(0, 31)}.-${S}-01`, null, true],
    ['uppercase trace id', `00-${T.slice(0, 31)}A-${S}-01`, null, true],
    ['trace id of 33 digits', `00-${T}3-${S}-01`, null, true],
    ['trace id of 31 digits', `00-${T.slice(1)}-${S}-01`, null, true],
    ['all-zero parent id', `00-${T}-${'0'.repeat(16)}-01`, null, true],
    ['parent id starting with a dot', `00-${T}-.${S.slice(1)}-01`, null, true],
    ['parent id ending with a dot', `00-${T}-${S.slice(0, 15)}.-01`, null, true],
    ['parent id of 17 digits', `00-${T}-${S}7-01`, null, true],
    ['parent id of 15 digits', `00-${T}-${S.slice(1)}-01`, null, true],
    ['flags .0', `00-${T}-${S}-.0`, null, true],
    ['flags 0.', `00-${T}-${S}-0.`, null, true],
    ['flags of 3 digits', `00-${T}-${S}-001`, null, true],
    ['flags of 1 digit', `00-${T}-${S}-1`, null, true],
    ['empty', '', null, true],
    // Two traceparent fields are invalid; stock takes the first.
    ['two traceparent headers', [`00-${T.slice(0, 31)}1-${S}-01`, `00-${T}-${S}-01`], null, false],
  ])('%s', (_case, header, flags, stockAgrees) => {
    const got = extracted(tracewire, { traceparent: header, tracestate: 'foo=1' });
    if (flags === null) expect(got).toBeUndefined();
    else expect(got).toMatchObject({ traceId: T, spanId: S, traceFlags: flags, isRemote: true });
    const fromStock = extracted(stock, { traceparent: header, tracestate: 'foo=1' });
    expect(fromStock?.traceId === T && fromStock.spanId === S && fromStock.traceFlags === flags).toBe(stockAgrees && flags !== null);
    if (stockAgrees && flags === null) expect(fromStock).toBeUndefined();
  });

  it('a wrongly named header (trace-parent, trace.parent) is not read', () => {
    expect(extracted(tracewire, { 'trace-parent': `00-${T}-${S}-01` })).toBeUndefined();
    expect(extracted(tracewire, { 'trace.parent': `00-${T}-${S}-01` })).toBeUndefined();
  });

  it('a pass-through participant sends on the trace flags it received (random-trace-id included), as version 00', () => {
    for (const flags of ['00', '01', '02', '03']) {
      expect(forwarded(tracewire, { traceparent: `00-${T}-${S}-${flags}` }).traceparent).toBe(`00-${T}-${S}-${flags}`);
      expect(forwarded(stock, { traceparent: `00-${T}-${S}-${flags}` }).traceparent).toBe(`00-${T}-${S}-${flags}`);
    }
    expect(forwarded(tracewire, { traceparent: `cc-${T}-${S}-03-what-the-future-will-be-like` }).traceparent).toBe(`00-${T}-${S}-03`);
  });

  it('unknown flags are never sent ("Vendors MUST set those to zero"), where stock writes an invalid 3-digit field', () => {
    expect(forwarded(tracewire, { traceparent: `00-${T}-${S}-ff` }).traceparent).toBe(`00-${T}-${S}-03`);
    const withUnknownBits = trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 0xf5 });
    const out: Record<string, string> = {};
    tracewire.inject(withUnknownBits, out, defaultTextMapSetter);
    expect(out.traceparent).toBe(`00-${T}-${S}-01`);
    const fromStock: Record<string, string> = {};
    stock.inject(withUnknownBits, fromStock, defaultTextMapSetter);
    expect(fromStock.traceparent).toBe(`00-${T}-${S}-0f5`);
  });

  it('parseTraceparent keeps the sampled and random-trace-id flags; formatTraceparent writes them and no unknown flag', () => {
    expect(parseTraceparent(`00-${T}-${S}-03`)?.traceFlags).toBe(0x03);
    expect(parseTraceparent(`00-${T}-${S}-02`)?.traceFlags).toBe(0x02);
    expect(parseTraceparent(`00-${T}-${S}-fe`)?.traceFlags).toBe(0x02);
    expect(formatTraceparent({ traceId: T, spanId: S, traceFlags: 0x03 })).toBe(`00-${T}-${S}-03`);
    expect(formatTraceparent({ traceId: T, spanId: S, traceFlags: 0xfe })).toBe(`00-${T}-${S}-02`);
  });
});

describe('W3C tracestate: a valid header is kept whole, an invalid one is discarded as a whole', () => {
  const key256 = 'z'.repeat(256);
  const allKeyChars = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  const allValueChars = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
    .filter((c) => c !== ',' && c !== '=')
    .join('');
  const members = (n: number) =>
    Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${String(i + 1).padStart(2, '0')}`);

  // [case, tracestate header(s), what is kept (serialized) or null for "discarded", stock gives the same outcome]
  it.each<[string, string | string[], string | null, boolean]>([
    ['two members', 'foo=1,bar=2', 'foo=1,bar=2', true],
    ['empty header', '', null, true],
    ['an empty header after one member', ['foo=1', ''], 'foo=1', true],
    ['an empty header before one member', ['', 'foo=1'], 'foo=1', true],
    ['several headers, combined in order', ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'], 'foo=1,bar=2,rojo=1,congo=2,baz=3', true],
    ['headers combined by Node.js with ", "', 'foo=1, bar=2', 'foo=1,bar=2', true],
    ['empty and whitespace-only members', 'foo=1,, \t ,bar=2,', 'foo=1,bar=2', true],
    ['OWS around members', 'foo=1 \t , \t bar=2, \t baz=3', 'foo=1,bar=2,baz=3', true],
    ['leading space', ' foo=1', 'foo=1', true],
    ['leading tab', '\tfoo=1', 'foo=1', true],
    ['trailing space', 'foo=1 ', 'foo=1', true],
    ['trailing tab', 'foo=1\t', 'foo=1', true],
    ['tabs and spaces on both sides', '\t foo=1 \t', 'foo=1', true],
    ['leading spaces of a value are kept', 'foo=  x', 'foo=  x', true],
    ['every allowed key and value character', `${allKeyChars}=${allValueChars}`, `${allKeyChars}=${allValueChars}`, true],
    [
      'every allowed character, key with @',
      `${allKeyChars}@a-z0-9_-*/=${allValueChars}`,
      `${allKeyChars}@a-z0-9_-*/=${allValueChars}`,
      true,
    ],
    ['duplicate keys, same value: one is kept', 'foo=1,foo=1', 'foo=1', true],
    // Either value may be kept ("vendors MAY also discard duplicate keys"); tracewire keeps the left-most, stock the last.
    ['duplicate keys, different values: the first is kept', 'foo=1,foo=2', 'foo=1', false],
    ['duplicate keys across headers', ['foo=1', 'foo=1'], 'foo=1', true],
    [
      '32 members',
      [members(10).join(','), members(20).slice(10).join(','), members(30).slice(20).join(','), members(32).slice(30).join(',')],
      members(32).join(','),
      true,
    ],
    // "There can be a maximum of 32 list-members": 33 make the header invalid. Stock keeps the first 32.
    ['33 members', members(33).join(','), null, false],
    ['a key of 256 characters', ['foo=1', `${key256}=1`], `foo=1,${key256}=1`, true],
    // Level 2 key grammar: ( lcalpha / DIGIT ) 0*255( keychar ), keychar includes "@". Stock keeps the Level 1
    // grammar (tenant@system with 241/14-character parts) and drops the members it calls invalid one by one.
    ['a key of 257 characters', ['foo=1', `z${key256}=1`], null, false],
    [
      'a key of 241 + @ + 14 characters',
      ['foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
      `foo=1,${'t'.repeat(241)}@${'v'.repeat(14)}=1`,
      true,
    ],
    ['a key of 242 + @ + 1 characters', ['foo=1', `${'t'.repeat(242)}@v=1`], `foo=1,${'t'.repeat(242)}@v=1`, false],
    ['a key of 1 + @ + 15 characters', ['foo=1', `t@${'v'.repeat(15)}=1`], `foo=1,t@${'v'.repeat(15)}=1`, false],
    ['a key ending with @', 'foo@=1,bar=2', 'foo@=1,bar=2', false],
    ['a key with @@', 'foo@@bar=1,bar=2', 'foo@@bar=1,bar=2', false],
    ['a key with two @', 'foo@bar@baz=1,bar=2', 'foo@bar@baz=1,bar=2', false],
    ['a key starting with a digit', '1abc=1,bar=2', '1abc=1,bar=2', false],
    ['a key starting with @', '@foo=1,bar=2', null, false],
    ['a key with a space before =', 'foo =1', null, true],
    ['an uppercase key', 'FOO=1', null, true],
    ['a key with a dot', 'foo.bar=1', null, true],
    ['a key with a dot, then a valid member', 'foo.bar=1,bar=2', null, false],
    ['a member without =', 'foo,bar=2', null, false],
    ['a value with =', 'foo=bar=baz', null, true],
    ['an empty value', 'foo=,bar=3', null, false],
    ['a value with a tab', 'foo=a\tb,bar=2', null, false],
    ['a value with a non-ASCII character', 'foo=é,bar=2', null, false],
    ['a value of 256 characters', `foo=${'v'.repeat(256)}`, `foo=${'v'.repeat(256)}`, true],
    ['a value of 257 characters', `foo=${'v'.repeat(257)},bar=2`, null, false],
  ])('%s', (_case, header, kept, stockAgrees) => {
    const got = extracted(tracewire, { traceparent: `00-${T}-${S}-00`, tracestate: header });
    expect(got?.traceId).toBe(T);
    expect(got?.traceState?.serialize() ?? null).toBe(kept);
    expect(forwarded(tracewire, { traceparent: `00-${T}-${S}-00`, tracestate: header }).tracestate ?? null).toBe(kept);
    const fromStock = extracted(stock, { traceparent: `00-${T}-${S}-00`, tracestate: header })?.traceState?.serialize() || null;
    expect(fromStock === kept).toBe(stockAgrees);
  });

  it('a tracestate without a traceparent, or with an invalid one, is discarded', () => {
    expect(extracted(tracewire, { tracestate: 'foo=1' })).toBeUndefined();
    expect(extracted(tracewire, { traceparent: `ff-${T}-${S}-01`, tracestate: 'foo=1' })).toBeUndefined();
  });

  it('an invalid tracestate does not affect the traceparent', () => {
    expect(extracted(tracewire, { traceparent: `00-${T}-${S}-03`, tracestate: 'FOO=1' })).toMatchObject({
      traceId: T,
      spanId: S,
      traceFlags: 0x03,
    });
  });

  it('tracewire forwards at most 512 characters, truncating whole entries: those over 128 characters first, then from the right', () => {
    const big = `big=${'b'.repeat(200)}`;
    const header = [
      `a=${'x'.repeat(100)}`,
      big,
      `c=${'x'.repeat(100)}`,
      `d=${'x'.repeat(100)}`,
      `e=${'x'.repeat(100)}`,
      `f=${'x'.repeat(100)}`,
    ].join(',');
    expect(header.length).toBeGreaterThan(512);
    const kept = extracted(tracewire, { traceparent: `00-${T}-${S}-01`, tracestate: header })!.traceState!.serialize();
    expect(kept).toBe([`a=${'x'.repeat(100)}`, `c=${'x'.repeat(100)}`, `d=${'x'.repeat(100)}`, `e=${'x'.repeat(100)}`].join(','));
    expect(kept.length).toBeLessThanOrEqual(512);
  });

  it('set() adds or moves a key to the left, drops the right-most member past 32, and ignores invalid keys and values; unset() removes', () => {
    const state = extracted(tracewire, { traceparent: `00-${T}-${S}-01`, tracestate: members(32).join(',') })!.traceState!;
    const added = state.set('tw', '1');
    expect(added.serialize()).toBe(['tw=1', ...members(31)].join(','));
    expect(state.serialize()).toBe(members(32).join(','));
    expect(added.set('bar05', 'x').serialize()).toBe(['bar05=x', 'tw=1', ...members(31).filter((m) => !m.startsWith('bar05='))].join(','));
    expect(added.set('Bad', '1')).toBe(added);
    expect(added.set('ok', 'a,b')).toBe(added);
    expect(added.unset('tw').serialize()).toBe(members(31).join(','));
    expect(added.get('bar01')).toBe('01');
    expect(added.get('bar32')).toBeUndefined();
  });
});

/** Keeps the spans that end. */
class Recorder implements SpanProcessor {
  readonly ended: ReadableSpan[] = [];
  onStart(): void {}
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

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

function tracerWith(sampler: Sampler, idGenerator?: IdGenerator) {
  const recorder = new Recorder();
  const provider = new TracewireTracerProvider({ sampler, spanProcessors: [recorder], contextManager, idGenerator });
  return { recorder, tracer: provider.getTracer('w3c') };
}

/** A sampler whose decisions the tracer cannot predict, so it is asked for each span. */
const askedSampler = (sampled: boolean): Sampler => ({
  shouldSample: () => ({ decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD }),
  toString: () => 'asked',
});

const remote = (flags: number): Context => trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: flags, isRemote: true });

describe('random-trace-id flag: set on the trace ids tracewire makes, kept on the traces it continues', () => {
  it.each<[string, Sampler, number]>([
    ['always on', new AlwaysOnSampler(), 0x03],
    ['always off', new AlwaysOffSampler(), 0x02],
    ['parent-based always on', parentBased(new AlwaysOnSampler()), 0x03],
    ['a sampler tracewire asks, sampling', askedSampler(true), 0x03],
    ['a sampler tracewire asks, dropping', askedSampler(false), 0x02],
  ])('a root span under %s has flags $2', (_name, sampler, flags) => {
    const { tracer } = tracerWith(sampler);
    expect(tracer.startSpan('root').spanContext().traceFlags).toBe(flags);
  });

  it('under a 50% ratio, kept roots have 03 and dropped roots 02, and children inherit them', () => {
    const { tracer } = tracerWith(parentBased(ratioSampler(0.5)));
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const root = tracer.startSpan('root');
      const flags = root.spanContext().traceFlags;
      seen.add(flags);
      expect(tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).spanContext().traceFlags).toBe(flags);
    }
    expect([...seen].sort()).toEqual([0x02, 0x03]);
  });

  it.each<[string, number, number]>([
    ['sampled, random', 0x03, 0x03],
    ['not sampled, random', 0x02, 0x02],
    ['sampled, not random', 0x01, 0x01],
    ['not sampled, not random', 0x00, 0x00],
  ])(
    'a child of a remote parent (%s) keeps its random-trace-id flag, also in the traceparent it sends',
    (_name, parentFlags, childFlags) => {
      for (const sampler of [parentBased(new AlwaysOnSampler()), parentBased(askedSampler(true))]) {
        const { tracer } = tracerWith(sampler);
        const child = tracer.startSpan('child', {}, remote(parentFlags));
        expect(child.spanContext().traceFlags).toBe(childFlags);
        const out: Record<string, string> = {};
        tracewire.inject(trace.setSpan(ROOT_CONTEXT, child), out, defaultTextMapSetter);
        expect(out.traceparent).toBe(`00-${T}-${child.spanContext().spanId}-0${childFlags}`);
      }
    },
  );

  it('with an idGenerator of the user, ids come from it and the random-trace-id flag is not claimed', () => {
    const ids: IdGenerator = { generateTraceId: () => 'abcdef0123456789abcdef0123456789', generateSpanId: () => 'abcdef0123456789' };
    for (const [sampler, flags] of [
      [new AlwaysOnSampler(), 0x01],
      [new AlwaysOffSampler(), 0x00],
      [parentBased(ratioSampler(0.5)), -1],
    ] as const) {
      const { tracer } = tracerWith(sampler, ids);
      const sc = tracer.startSpan('root').spanContext();
      expect(sc).toMatchObject({ traceId: 'abcdef0123456789abcdef0123456789', spanId: 'abcdef0123456789' });
      expect(sc.traceFlags & RANDOM).toBe(0);
      if (flags >= 0) expect(sc.traceFlags).toBe(flags);
    }
  });
});

describe('trace flags with the random-trace-id bit downstream: exported as sampled, OTLP and logs carry the byte', () => {
  it('a span with flags 03 is exported by the batch processor, with OTLP Span.flags 0x103 (has is_remote)', async () => {
    const { tracer, recorder } = tracerWith(new AlwaysOnSampler());
    tracer.startSpan('root').end();
    const span = recorder.ended[0]!;
    expect(span.spanContext().traceFlags).toBe(0x03);
    const exporter = new InMemorySpanExporter();
    const processor = new BatchProcessor(exporter, {
      maxQueueSize: 10,
      maxExportBatchSize: 10,
      scheduleDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      destination: 'test',
    });
    processor.onEnd(span);
    await processor.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    const [decoded] = decodeOtlpProtobuf(serializeSpans([span])!).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(decoded!.flags).toBe(0x103);
  });

  it('log correlation shows flags 03 as they are (sampled bit set)', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 0x03 });
    expect(getLogContext(ctx)).toMatchObject({ trace_id: T, span_id: S, trace_flags: '03' });
    expect(parseInt(getLogContext(ctx).trace_flags!, 16) & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
  });
});
