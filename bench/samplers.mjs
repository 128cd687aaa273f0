// Cost of one sampling decision for each tracewire sampler, next to the stock OpenTelemetry
// TraceIdRatioBasedSampler (@opentelemetry/sdk-trace) measured in the same run, interleaved.
// Also the cost per span of the tail-sampling stage: span start+end through a provider with tailSampling
// versus the same provider with always_on (both ending in the same no-op processor).
// Usage: npm run build && node bench/samplers.mjs [repeats]
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import {
  AlwaysOnSampler as StockAlwaysOn,
  TracerProvider as BasicTracerProvider,
  TraceIdRatioBasedSampler as StockRatio,
} from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tw = require('../dist/index.cjs');

const IDS = Array.from({ length: 4096 }, () => randomBytes(16).toString('hex'));
const MASK = IDS.length - 1;
const LOCAL_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: IDS[0],
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: false,
});
const NOOP = { onStart() {}, onEnd() {}, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
let sink = 0;

/** ns per shouldSample over `n` new-trace decisions. */
function timeDecisions(sampler, n, ctx = ROOT_CONTEXT) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += sampler.shouldSample(ctx, IDS[i & MASK], 'GET /api/users', SpanKind.SERVER, {}, []).decision;
  return Number(process.hrtime.bigint() - t0) / n;
}

/** ns per span start+end through `provider`. */
function timeSpans(provider, n) {
  const tracer = provider.getTracer('bench');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan('op');
    span.end();
    sink += span.spanContext().traceFlags;
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

/** A Jaeger-style sampling server on loopback answering a probabilistic strategy, so jaeger_remote runs its real path. */
async function samplingServer() {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.1 } }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs the sampler benchmarks and returns one row per sampler: ns per decision (min/median/max over repeats),
 * and the median ratio to the stock traceidratio sampler.
 */
export async function run({ repeats = 7, decisions = 1_000_000, spans = 200_000 } = {}) {
  const server = await samplingServer();
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const jaeger = tw.jaegerRemoteSampler({ serviceName: 'bench', endpoint, initialSamplingRate: 1 });
  // Wait for the first strategy (0.1) to replace the initial rate (1), so the measured path is the fetched one.
  for (let i = 0; i < 100 && sampledShare(jaeger) > 0.5; i++) await new Promise((r) => setTimeout(r, 20));

  const decisionCases = [
    ['stock TraceIdRatioBasedSampler(0.1)', new StockRatio(0.1), ROOT_CONTEXT],
    ['ratioSampler(0.1)', tw.ratioSampler(0.1), ROOT_CONTEXT],
    ['parentBased(ratioSampler(0.1)), new trace', tw.parentBased(tw.ratioSampler(0.1)), ROOT_CONTEXT],
    ['parentBased(ratioSampler(0.1)), local parent', tw.parentBased(tw.ratioSampler(0.1)), LOCAL_PARENT],
    ['rateLimitingSampler(100), over budget', tw.rateLimitingSampler(100), ROOT_CONTEXT],
    ['parentBased(rateLimitingSampler(100))', tw.parentBased(tw.rateLimitingSampler(100)), ROOT_CONTEXT],
    ['jaegerRemoteSampler (probabilistic 0.1 strategy)', jaeger, ROOT_CONTEXT],
    ['tailSampling() head decision', tw.tailSampling(), ROOT_CONTEXT],
  ];

  const tail = tw.tailSampling({ otherwise: 0.1 });
  const tailProvider = new BasicTracerProvider({ sampler: tail, spanProcessors: [tail.createProcessor([NOOP])] });
  const plainProvider = new BasicTracerProvider({ sampler: new StockAlwaysOn(), spanProcessors: [NOOP] });

  const times = new Map(decisionCases.map(([name]) => [name, []]));
  const spanTimes = { tail: [], plain: [] };
  for (let r = 0; r < repeats + 1; r++) {
    for (const [name, sampler, ctx] of decisionCases) {
      const ns = timeDecisions(sampler, decisions, ctx);
      if (r > 0) times.get(name).push(ns);
    }
    const plain = timeSpans(plainProvider, spans);
    const tailNs = timeSpans(tailProvider, spans);
    if (r > 0) {
      spanTimes.plain.push(plain);
      spanTimes.tail.push(tailNs);
    }
  }
  jaeger.shutdown();
  server.close();

  const stock = median(times.get(decisionCases[0][0]));
  const rows = decisionCases.map(([name]) => {
    const xs = times.get(name);
    return { name, min: Math.min(...xs), median: median(xs), max: Math.max(...xs), ratio: median(xs) / stock };
  });
  const tailRow = {
    name: 'tailSampling stage per span (start+end) vs always_on',
    min: Math.min(...spanTimes.tail),
    median: median(spanTimes.tail),
    max: Math.max(...spanTimes.tail),
    ratio: median(spanTimes.tail) / median(spanTimes.plain),
    baseline: median(spanTimes.plain),
  };
  return { rows, tailRow, sink };
}

/** Share of 1000 new traces a sampler keeps. */
function sampledShare(sampler) {
  let kept = 0;
  for (let i = 0; i < 1000; i++) if (sampler.shouldSample(ROOT_CONTEXT, IDS[i], 'op', SpanKind.SERVER, {}, []).decision === 2) kept++;
  return kept / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const repeats = Number(process.argv[2] ?? 7);
  const { rows, tailRow } = await run({ repeats });
  console.log(`sampling decision cost, ${repeats} interleaved repeats of 1,000,000 decisions (node ${process.version})`);
  console.log(`${'sampler'.padEnd(48)} ns/decision min/median/max   vs stock traceidratio`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(48)} ${r.min.toFixed(1)}/${r.median.toFixed(1)}/${r.max.toFixed(1)}`.padEnd(80) + `${r.ratio.toFixed(2)}x`,
    );
  console.log(
    `${tailRow.name.padEnd(48)} ${tailRow.min.toFixed(0)}/${tailRow.median.toFixed(0)}/${tailRow.max.toFixed(0)} ns/span`.padEnd(80) +
      `${tailRow.ratio.toFixed(2)}x (always_on: ${tailRow.baseline.toFixed(0)} ns/span)`,
  );
}
