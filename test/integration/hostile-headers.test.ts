// Promise 3, through a real instrumented http server (`node --import tracewire/register`): generated and mutated
// trace headers in real HTTP requests; the server answers every one, never crashes, and adopts only valid parents.
// (The 1,000,000-carrier run through extractContext is test/unit/hostile-headers.test.ts.)
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';

const REQUESTS = 100_000;
const CONCURRENCY = 16;
let app: App;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

beforeAll(async () => {
  app = await spawnApp({
    flags: ['--import', 'tracewire/register'],
    script: 'test/fixtures/echo-context.mjs',
    env: { OTEL_TRACES_EXPORTER: 'none', OTEL_PROPAGATORS: 'tracecontext,baggage,b3,jaeger', OTEL_SERVICE_NAME: 'echo' },
  });
});
afterAll(async () => {
  agent.destroy();
  await stopApp(app);
});

interface Echo {
  traceId: string;
  traceFlags: number | null;
  parentSpanId: string | null;
  tracestate: string;
  baggage: number;
}

function send(headers: Record<string, string | string[]>): Promise<{ status: number; body: Echo }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, path: '/', agent, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Echo });
        } catch {
          resolve({
            status: res.statusCode ?? 0,
            body: { traceId: `not JSON: ${data.slice(0, 100)}`, traceFlags: null, parentSpanId: null, tracestate: '', baggage: 0 },
          });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Header values a real HTTP client can send: visible latin-1, space and tab.
const printable = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF0');
const hex = (n: number) =>
  fc.oneof(
    fc.string({ unit: hexChar, minLength: n, maxLength: n }),
    fc.string({ unit: hexChar, maxLength: n + 2 }),
    fc.constant('0'.repeat(n)),
  );
const part = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 30 }));
const headerValue = fc.oneof(
  fc
    .tuple(fc.constantFrom('00', '01', 'ff', 'cc', '0'), hex(32), hex(16), fc.constantFrom('01', '00', '1'), fc.constantFrom('', '-x', '-'))
    .map(([v, t, s, f, e]) => `${v}-${t}-${s}-${f}${e}`),
  fc
    .array(
      fc.tuple(part, part).map(([k, v]) => `${k}=${v}`),
      { maxLength: 60 },
    )
    .map((l) => l.join(',')),
  fc.tuple(hex(32), hex(16), fc.constantFrom('1', '0', 'd')).map((p) => p.join('-')),
  fc.tuple(hex(32), hex(16), hex(16), fc.constantFrom('1', '0', 'ff')).map((p) => p.join(':')),
  fc.integer({ min: 0, max: 9000 }).map((n) => `k=${'v'.repeat(n)}`),
  part,
);
const NAMES = ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id'];
const headerSet = fc.array(fc.tuple(fc.constantFrom(...NAMES), headerValue, fc.boolean()), { minLength: 1, maxLength: 8 }).map((list) => {
  const headers: Record<string, string | string[]> = {};
  let size = 0;
  for (const [name, value, duplicate] of list) {
    // Node's default limit for all headers together is 16 KiB (larger requests get 431 from Node itself).
    const v = printable(value)
      .trim()
      .slice(0, Math.max(0, 14_000 - size));
    size += v.length * (duplicate ? 2 : 1);
    headers[name] = duplicate && size < 14_000 ? [v, v] : v;
  }
  return headers;
});

describe('hostile headers through a real instrumented http server', () => {
  it(`answers all ${REQUESTS.toLocaleString('en')} requests with generated and mutated headers, with a valid trace each, and stays up`, async () => {
    const samples = fc.sample(headerSet, { numRuns: REQUESTS, seed: 7 });
    let next = 0;
    let answered = 0;
    const problems: string[] = [];
    const worker = async (): Promise<void> => {
      while (next < samples.length) {
        const headers = samples[next++]!;
        const { status, body } = await send(headers);
        if (
          status === 200 &&
          /^[0-9a-f]{32}$/.test(body.traceId) &&
          body.traceId !== '0'.repeat(32) &&
          body.tracestate.length <= 512 &&
          body.baggage <= 180
        )
          answered++;
        else if (problems.length < 5) problems.push(`${status} ${JSON.stringify(body)} for ${JSON.stringify(headers).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(problems).toEqual([]);
    expect(answered).toBe(REQUESTS);
    expect(app.child.exitCode).toBeNull();
    expect(app.stderr()).not.toMatch(/Error|exception/i);
  });

  const T = '4bf92f3577b34da6a3ce929d0e0e4736';
  const S = '00f067aa0ba902b7';
  it.each([
    ['a valid traceparent is adopted', { traceparent: `00-${T}-${S}-01` }, true],
    ['a future version with extra fields is adopted', { traceparent: `cc-${T}-${S}-01-future` }, true],
    ['version ff starts a fresh trace', { traceparent: `ff-${T}-${S}-01` }, false],
    ['an all-zero trace id starts a fresh trace', { traceparent: `00-${'0'.repeat(32)}-${S}-01` }, false],
    ['an all-zero span id starts a fresh trace', { traceparent: `00-${T}-${'0'.repeat(16)}-01` }, false],
    ['uppercase hex starts a fresh trace', { traceparent: `00-${T.toUpperCase()}-${S}-01` }, false],
    ['version 00 with an extra field starts a fresh trace', { traceparent: `00-${T}-${S}-01-x` }, false],
    ['duplicate traceparent headers start a fresh trace', { traceparent: [`00-${T}-${S}-01`, `00-${T}-${S}-01`] }, false],
    ['surrounding whitespace is ignored', { traceparent: ` \t00-${T}-${S}-01\t ` }, true],
  ])('%s', async (_name, headers, adopted) => {
    const { status, body } = await send(headers);
    expect(status).toBe(200);
    if (adopted) expect(body).toMatchObject({ traceId: T, parentSpanId: S });
    else expect(body).toMatchObject({ traceId: expect.not.stringMatching(T), parentSpanId: null });
  });

  it('duplicate tracestate headers are combined: 32 members are kept whole, 33 or an invalid member discard the tracestate as a whole', async () => {
    const members = (from: number, n: number) => Array.from({ length: n }, (_, i) => `k${from + i}=v`).join(',');
    expect((await send({ traceparent: `00-${T}-${S}-01`, tracestate: [members(0, 16), members(16, 16)] })).body).toMatchObject({
      traceId: T,
      tracestate: members(0, 32),
    });
    expect((await send({ traceparent: `00-${T}-${S}-01`, tracestate: [members(0, 16), members(16, 17)] })).body).toMatchObject({
      traceId: T,
      tracestate: '',
    });
    expect((await send({ traceparent: `00-${T}-${S}-01`, tracestate: ['a=1', 'B=2'] })).body).toMatchObject({ traceId: T, tracestate: '' });
  });

  it.each([
    ['a new trace gets flags 03 (sampled, random trace id)', {}, 0x03],
    ['the random-trace-id flag of a sampled parent is kept (03)', { traceparent: `00-${T}-${S}-03` }, 0x03],
    ['the random-trace-id flag of an unsampled parent is kept (02)', { traceparent: `00-${T}-${S}-02` }, 0x02],
    ['a parent without it does not get it (01)', { traceparent: `00-${T}-${S}-01` }, 0x01],
  ])('server span trace flags: %s', async (_name, headers, flags) => {
    const { body } = await send(headers);
    expect(body.traceFlags).toBe(flags);
  });
});
