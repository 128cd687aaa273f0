// Promise 3: no header can break the app. fast-check generates trace headers (traceparent, tracestate, baggage,
// b3, X-B3-*, uber-trace-id), each generated carrier is mutated 19 times (truncation, case flips, inserted,
// deleted and repeated characters, duplicated headers, Buffers), and every one goes through extractContext:
// 1,000,000 carriers in all, one fixed-seed run and one random run. The exact W3C outcomes (which tracestate is
// kept, which discarded) are in w3c-trace-context.test.ts; here they must hold for any input.
import { isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Context, type TextMapPropagator } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractContext } from '../../src/index.js';
import { createPropagator } from '../../src/propagation/create-propagator.js';

// The registered propagator, counting what it throws: extractContext would hide an exception, so the count is
// how the test sees one.
let propagatorErrors = 0;
const configured = createPropagator(['tracecontext', 'baggage', 'b3', 'jaeger']);
const counting: TextMapPropagator = {
  inject: (ctx, carrier, setter) => configured.inject(ctx, carrier, setter),
  extract(ctx, carrier, getter) {
    try {
      return configured.extract(ctx, carrier, getter);
    } catch (error) {
      propagatorErrors++;
      throw error;
    }
  },
  fields: () => configured.fields(),
};
beforeAll(() => {
  propagation.setGlobalPropagator(counting);
});
afterAll(() => propagation.disable());

const _HEADERS = [
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
] as const;
const MUTATIONS_PER_CARRIER = 20;

// --- generators
const hexChar = fc.constantFrom(...'0123456789abcdef');
const hexMixed = fc.constantFrom(...'0123456789abcdefABCDEFxg-');
const hex = (n: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: hexChar, minLength: n, maxLength: n }) },
    { weight: 1, arbitrary: fc.constant('0'.repeat(n)) },
    { weight: 1, arbitrary: fc.string({ unit: hexMixed, minLength: n - 1, maxLength: n + 1 }) },
  );
const junk = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'=,;:-%20 \t\r\n'), maxLength: 30 }),
);
const version = fc.oneof(
  { weight: 5, arbitrary: fc.constant('00') },
  { weight: 3, arbitrary: fc.constantFrom('01', 'cc', 'ff', 'FF', '0', '000') },
  { weight: 1, arbitrary: hex(2) },
);
const traceparent = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(version, hex(32), hex(16), hex(2), fc.constantFrom('', '', '-extra', '-', '-00-x'), fc.constantFrom('', '', ' ', '\t', '  '))
      .map(([v, t, s, f, extra, ws]) => `${ws}${v}-${t}-${s}-${f}${extra}${ws}`),
  },
  { weight: 2, arbitrary: junk },
);
const key = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_\-*/]{0,20}(@[a-z][a-z0-9_\-*/]{0,10})?$/), fc.string({ maxLength: 12 }));
const tracestate = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.tuple(key, fc.string({ maxLength: 40 })).map(([k, v]) => `${k}=${v}`),
        { maxLength: 48 },
      )
      .map((l) => l.join(',')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(key, fc.integer({ min: 1, max: 80 }))
      .map(([k, n]) => Array.from({ length: n }, (_, i) => `${k}${i}=${'v'.repeat(i % 30)}`).join(',')),
  },
  { weight: 1, arbitrary: junk },
);
const baggageEntry = fc.tuple(
  fc.oneof(fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/), fc.string({ maxLength: 10 })),
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('%E2%82%AC', '%E0%A4%A', '%%', '%zz'),
    fc.integer({ min: 0, max: 5000 }).map((n) => 'x'.repeat(n)),
  ),
  fc.constantFrom('', ';meta', ';a=b;c'),
);
const baggage = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        baggageEntry.map(([k, v, m]) => `${k}=${v}${m}`),
        { maxLength: 40 },
      )
      .map((l) => l.join(',')),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 150, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=${'v'.repeat(i % 60)}`).join(',')),
  },
  { weight: 1, arbitrary: junk },
);
const b3 = fc.oneof(
  fc
    .tuple(hex(32), hex(16), fc.constantFrom('1', '0', 'd', 'x', ''), fc.oneof(hex(16), fc.constant('')))
    .map(([t, s, f, p]) => [t, s, f, p].filter((x) => x !== '').join('-')),
  fc.constantFrom('0', '1', 'd'),
  junk,
);
const uber = fc.oneof(
  fc
    .tuple(fc.oneof(hex(32), hex(16)), hex(16), fc.oneof(hex(16), fc.constant('0')), fc.constantFrom('1', '0', '3', 'ff', 'z'))
    .map((p) => p.join(':')),
  junk,
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const valueFor: Record<(typeof _HEADERS)[number], fc.Arbitrary<string>> = {
  traceparent,
  tracestate,
  baggage,
  b3,
  'x-b3-traceid': hex(32),
  'x-b3-spanid': hex(16),
  'x-b3-parentspanid': hex(16),
  'x-b3-sampled': fc.constantFrom('1', '0', 'true', 'false', 'd', ''),
  'x-b3-flags': fc.constantFrom('1', '0', 'x'),
  'uber-trace-id': uber,
};
const carrier = fc.record(valueFor, { requiredKeys: [] });

// --- cheap deterministic mutations (a tiny PRNG; fast-check's seed picks the starting state)
function mutate(input: Record<string, string>, seed: number, round: number): Record<string, unknown> {
  let state = (seed ^ (round * 0x9e3779b1)) >>> 0 || 1;
  const rand = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(input)) {
    let v = input[name]!;
    const pos = v.length === 0 ? 0 : rand(v.length);
    switch (rand(9)) {
      case 0:
        v = v.slice(0, pos);
        break;
      case 1:
        v = v.slice(0, pos) + v.charAt(pos).toUpperCase() + v.slice(pos + 1);
        break;
      case 2:
        v = v.slice(0, pos) + String.fromCharCode(rand(0x3000)) + v.slice(pos);
        break;
      case 3:
        v = v.slice(0, pos) + v.slice(pos + 1);
        break;
      case 4:
        v = v.repeat(2 + rand(6));
        break;
      case 5:
        v = `${v},${v}`;
        break;
      default:
        break;
    }
    const shape = rand(10);
    const key = shape === 7 ? name.toUpperCase() : name;
    out[key] = shape === 8 ? [v, input[name]] : shape === 9 ? Buffer.from(v) : v;
  }
  return out;
}

// --- what must hold for every extracted context
let checked = 0;
function checkExtracted(input: Record<string, unknown>): void {
  checked++;
  const ctx: Context = extractContext(input, ROOT_CONTEXT);
  const sc = trace.getSpanContext(ctx);
  if (sc !== undefined) {
    if (!isSpanContextValid(sc) || !sc.isRemote || !/^[0-9a-f]{32}$/.test(sc.traceId) || !/^[0-9a-f]{16}$/.test(sc.spanId)) {
      throw new Error(`invalid span context accepted: ${JSON.stringify(sc)}`);
    }
    const ts = sc.traceState?.serialize() ?? '';
    // Kept whole (a valid header) or not at all; tracewire forwards at most 512 characters, cut by whole entries.
    if (ts.length > 512 || (ts === '' ? 0 : ts.split(',').length) > 32) throw new Error(`tracestate over the caps: ${ts.length} chars`);
    if (sc.traceState !== undefined && ts === '') throw new Error('an empty tracestate was kept');
  }
  const bag = propagation.getBaggage(ctx);
  if (bag !== undefined) {
    const entries = bag.getAllEntries();
    let size = 0;
    for (const [k, e] of entries) size += k.length + 1 + e.value.length + (e.metadata ? e.metadata.toString().length + 1 : 0);
    size += Math.max(entries.length - 1, 0);
    if (entries.length > 180 || size > 8192) throw new Error(`baggage over the caps: ${entries.length} entries, ${size} chars`);
  }
}

// The runs yield to the event loop now and then: a test worker that runs synchronously for a minute (this host
// under load) lets vitest's own RPC to the main process time out ("Timeout calling onTaskUpdate"), failing the run.
const YIELD_EVERY_RUNS = 500;
let runs = 0;
const property = fc.asyncProperty(carrier, fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (generated, seed) => {
  if (++runs % YIELD_EVERY_RUNS === 0) await new Promise((resolve) => setImmediate(resolve));
  checkExtracted(generated);
  for (let round = 1; round < MUTATIONS_PER_CARRIER; round++) checkExtracted(mutate(generated as Record<string, string>, seed, round));
});

describe('hostile headers through extractContext (1,000,000 carriers)', () => {
  it('fixed seed, 600,000 carriers (30,000 generated x 20): nothing throws, only valid contexts are adopted, tracestate and baggage stay within their caps', async () => {
    checked = 0;
    propagatorErrors = 0;
    await fc.assert(property, { seed: 20240607, numRuns: 30_000 });
    expect(checked).toBe(600_000);
    expect(propagatorErrors).toBe(0);
  }, 120_000);

  it('random seed, 400,000 carriers (20,000 generated x 20): the same holds (the seed is printed on failure)', async () => {
    checked = 0;
    propagatorErrors = 0;
    await fc.assert(property, { numRuns: 20_000 });
    expect(checked).toBe(400_000);
    expect(propagatorErrors).toBe(0);
  }, 120_000);
});

// --- W3C trace-context cases, each with its expected outcome
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const parent = (ctx: Context) => trace.getSpanContext(ctx);

describe('W3C traceparent and tracestate cases: an invalid traceparent starts a fresh trace, an invalid tracestate is discarded', () => {
  it.each([
    ['valid', `00-${T}-${S}-01`, true],
    ['version ff', `ff-${T}-${S}-01`, false],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`, false],
    ['all-zero span id', `00-${T}-${'0'.repeat(16)}-01`, false],
    ['uppercase hex', `00-${T.toUpperCase()}-${S}-01`, false],
    ['uppercase version', `0A-${T}-${S}-01`, false],
    ['future version with extra fields', `cc-${T}-${S}-01-what-the-future-holds`, true],
    ['future version, 4 fields', `cc-${T}-${S}-01`, true],
    ['version 00 with an extra field', `00-${T}-${S}-01-extra`, false],
    ['leading and trailing space', ` 00-${T}-${S}-01 `, true],
    ['leading tab', `\t00-${T}-${S}-01`, true],
    ['short trace id', `00-${T.slice(1)}-${S}-01`, false],
    ['non-hex flags', `00-${T}-${S}-0g`, false],
    ['empty', '', false],
  ])('%s', (_name, header, adopted) => {
    const ctx = extractContext({ traceparent: header, tracestate: 'a=1' }, ROOT_CONTEXT);
    expect(parent(ctx) !== undefined).toBe(adopted);
    if (adopted) expect(parent(ctx)).toMatchObject({ traceId: T, spanId: S, isRemote: true });
    else expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('duplicate traceparent headers are invalid, even two identical valid ones', () => {
    expect(parent(extractContext({ traceparent: [`00-${T}-${S}-01`, `00-${T}-${S}-01`] }, ROOT_CONTEXT))).toBeUndefined();
  });

  it('duplicate tracestate headers are combined; over 32 members the tracestate is discarded as a whole, as the W3C spec says', () => {
    const members = (from: number, n: number) => Array.from({ length: n }, (_, i) => `k${from + i}=v`).join(',');
    const tooMany = parent(
      extractContext({ traceparent: `00-${T}-${S}-01`, tracestate: [members(0, 20), members(20, 20)] }, ROOT_CONTEXT),
    )!;
    expect(tooMany.traceId).toBe(T);
    expect(tooMany.traceState).toBeUndefined();
    const ts = parent(
      extractContext({ traceparent: `00-${T}-${S}-01`, tracestate: [members(0, 16), members(16, 16)] }, ROOT_CONTEXT),
    )!.traceState!;
    expect(ts.serialize()).toBe(members(0, 32));
  });

  it('a tracestate with one invalid member is discarded as a whole; a valid one over 512 characters is cut to 512 by whole entries', () => {
    expect(parent(extractContext({ traceparent: `00-${T}-${S}-01`, tracestate: 'a=1,B=2,c=3' }, ROOT_CONTEXT))!.traceState).toBeUndefined();
    const entries = Array.from({ length: 30 }, (_, i) => `k${i}=${'v'.repeat(40)}`);
    const long = parent(
      extractContext({ traceparent: `00-${T}-${S}-01`, tracestate: entries.join(',') }, ROOT_CONTEXT),
    )!.traceState!.serialize();
    expect(long.length).toBeLessThanOrEqual(512);
    expect(long).toBe(entries.slice(0, long.split(',').length).join(','));
    expect(long.split(',').length).toBe(11);
  });

  it('baggage is capped at 180 entries and 8192 characters', () => {
    const many = Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(',');
    expect(propagation.getBaggage(extractContext({ baggage: many }, ROOT_CONTEXT))!.getAllEntries()).toHaveLength(180);
    const big = Array.from({ length: 10 }, (_, i) => `k${i}=${'v'.repeat(1000)}`).join(',');
    const entries = propagation.getBaggage(extractContext({ baggage: big }, ROOT_CONTEXT))!.getAllEntries();
    expect(entries.length).toBe(8);
  });
});
